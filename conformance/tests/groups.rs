//! Group lifecycle and security properties, on every backend and suite.

use artmls::{CipherSuite, SuiteVisitor};
use artmls_conformance::group_checks::{
    verify_commit_rejections, verify_concurrent_commits, verify_forward_secrecy,
    verify_insider_forgeries, verify_lifecycle, verify_persistence,
    verify_post_compromise_security, verify_random_operations,
    verify_welcome_with_forged_leaf_node,
};
use artmls_conformance::insider_checks::{
    verify_identity_takeover, verify_key_package_lifetime, verify_ordering_service_validates,
    verify_self_and_forged_removal, verify_sparse_tree_joins, verify_sponsor_seals,
    verify_tombstone_lockout,
};
use artmls_providers::{all as providers, visit};

/// A test that runs `check::<S>(seed, args...)` for every (backend, suite) pair.
macro_rules! on_every_backend {
    ($test:ident, $check:ident $(, $arg:expr)*) => {
        #[test]
        fn $test() {
            struct Check(u64);
            impl SuiteVisitor for Check {
                type Output = ();
                fn visit<S: CipherSuite>(self) {
                    $check::<S>(self.0 $(, $arg)*);
                }
            }
            let mut ran = 0;
            for entry in providers() {
                for suite in entry.suites() {
                    let seed = 0x6000 + u64::from(suite.0) + ran;
                    assert!(visit(entry.name(), *suite, Check(seed)).is_some(), "{} {suite}", entry.name());
                    ran += 1;
                }
            }
            assert_eq!(
        ran,
        providers().iter().map(|p| p.suites().len()).sum::<usize>() as u64,
        "every (provider, suite) pair of the list ran"
    );
        }
    };
}

on_every_backend!(
    lifecycle_create_add_update_remove_messages_rejoin,
    verify_lifecycle
);
on_every_backend!(
    concurrent_commits_one_wins_the_other_rebuilds,
    verify_concurrent_commits
);
on_every_backend!(
    forward_secrecy_old_messages_cannot_be_decrypted,
    verify_forward_secrecy
);
on_every_backend!(
    post_compromise_security_a_stolen_state_is_locked_out,
    verify_post_compromise_security
);
on_every_backend!(
    bad_commits_are_rejected_with_typed_errors_and_change_nothing,
    verify_commit_rejections
);
on_every_backend!(
    an_insiders_forged_commits_are_rejected_and_change_nothing,
    verify_insider_forgeries
);
on_every_backend!(
    a_welcome_with_a_forged_leaf_node_is_refused,
    verify_welcome_with_forged_leaf_node
);
on_every_backend!(state_round_trips_through_bytes, verify_persistence);
on_every_backend!(
    random_operations_keep_agreement_and_rejections_change_nothing,
    verify_random_operations,
    30,
    16
);

/// The long property run of the issue: up to 64 members, on one backend per suite.
#[test]
fn random_operations_up_to_64_members() {
    struct Check;
    impl SuiteVisitor for Check {
        type Output = ();
        fn visit<S: CipherSuite>(self) {
            verify_random_operations::<S>(0x64, 60, 64);
        }
    }
    for suite in artmls::SuiteId::ALL {
        let backend = artmls_providers::serving(suite)[0].name();
        assert!(visit(backend, suite, Check).is_some());
    }
}
on_every_backend!(
    a_remover_that_kept_its_tombstone_secret_is_locked_out_at_its_removal,
    verify_tombstone_lockout
);
on_every_backend!(
    the_sponsor_is_told_and_its_update_seals_the_tombstones,
    verify_sponsor_seals
);
on_every_backend!(
    self_removal_and_forged_removal_are_rejected_and_change_nothing,
    verify_self_and_forged_removal
);
on_every_backend!(
    an_update_cannot_take_another_members_identity_or_keys,
    verify_identity_takeover
);
on_every_backend!(
    a_key_package_outside_its_lifetime_is_refused,
    verify_key_package_lifetime
);
on_every_backend!(
    the_ordering_service_refuses_invalid_commits_and_a_forked_member_gets_back_in,
    verify_ordering_service_validates
);
on_every_backend!(
    a_genuine_sparse_tree_joins_within_the_decoder_budget,
    verify_sparse_tree_joins
);
