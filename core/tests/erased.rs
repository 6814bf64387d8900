//! The type-erased layer end to end: groups made, joined, changed and restored through a
//! provider value, with the suite a run-time value; and every way of mixing values of
//! different suites or providers refused with a typed error that changes nothing.

use artmls::group::{GroupConfig, GroupError, Received};
use artmls::hpke::DhKemHpke;
use artmls::{
    AnyGroup, AnyGroupError, AnyIdentity, AnyKeyPackageBundle, Backend, Composed, Provider,
    SuiteId, SuiteVisitor,
};
use artmls_dalek::{Aes128Gcm, Ed25519, HkdfSha256, Sha256, X25519};
use rand::SeedableRng;
use rand::rngs::StdRng;

const F001: SuiteId = SuiteId::X25519_AES128GCM_SHA256_ED25519;
const F003: SuiteId = SuiteId::X25519_CHACHA20POLY1305_SHA256_ED25519;

fn provider() -> &'static dyn Provider {
    &artmls_dalek::PROVIDER
}

/// A provider that serves 0xF003 only, with dalek's types: for bytes of a suite it lacks.
#[derive(Debug, Clone, Copy)]
struct OnlyF003;

impl Backend for OnlyF003 {
    const NAME: &'static str = "only-f003";
    const DESCRIPTION: &'static str = "dalek, suite 0xF003 only";
    const SUITES: &'static [SuiteId] = &[F003];

    fn visit<V: SuiteVisitor>(suite: SuiteId, visitor: V) -> Option<V::Output> {
        if suite == F003 {
            artmls_dalek::Dalek::visit(suite, visitor)
        } else {
            None
        }
    }
}

/// 0xF001 from dalek's components but with the generic HPKE: the same suite as dalek's, as
/// another type, so its values are another provider's.
type GenericHpkeF001 = Composed<
    X25519,
    HkdfSha256,
    Sha256,
    Aes128Gcm,
    Ed25519,
    DhKemHpke<X25519, HkdfSha256, Aes128Gcm>,
    0xF001,
>;

#[derive(Debug, Clone, Copy)]
struct GenericHpke;

impl Backend for GenericHpke {
    const NAME: &'static str = "generic-hpke";
    const DESCRIPTION: &'static str = "dalek with the generic HPKE, suite 0xF001";
    const SUITES: &'static [SuiteId] = &[F001];

    fn visit<V: SuiteVisitor>(suite: SuiteId, visitor: V) -> Option<V::Output> {
        (suite == F001).then(|| visitor.visit::<GenericHpkeF001>())
    }
}

fn rng(seed: u64) -> StdRng {
    StdRng::seed_from_u64(seed)
}

/// A newcomer's identity and key package of `suite` from `provider`.
fn newcomer(
    provider: &dyn Provider,
    suite: SuiteId,
    name: &[u8],
    rng: &mut StdRng,
) -> (AnyIdentity, AnyKeyPackageBundle) {
    let identity = provider.identity(suite, name, rng).expect("identity");
    let bundle = identity.key_package_with_rng(rng).expect("key package");
    (identity, bundle)
}

/// A group of `suite` with alice (the creator) and bob, who has updated.
fn pair(provider: &dyn Provider, suite: SuiteId, rng: &mut StdRng) -> (AnyGroup, AnyGroup) {
    let mut alice = provider
        .create(suite, b"alice", b"pair", GroupConfig::default(), rng)
        .expect("create");
    let (bob_identity, bob_bundle) = newcomer(provider, suite, b"bob", rng);
    let add = alice
        .commit_add_with_rng(&[bob_bundle.key_package().clone()], rng)
        .expect("add");
    let welcome = add.welcome().expect("a Welcome").to_vec();
    alice.merge_pending_commit(add).expect("merge");
    let mut bob = provider
        .join(&welcome, &bob_bundle, bob_identity, GroupConfig::default())
        .expect("join");
    let update = bob.commit_update_with_rng(rng).expect("update");
    let message = update.message().to_vec();
    bob.merge_pending_commit(update).expect("merge");
    alice.process_message(&message).expect("process");
    assert_eq!(alice.epoch_authenticator(), bob.epoch_authenticator());
    (alice, bob)
}

#[test]
fn a_group_lives_its_whole_life_through_the_erased_layer() {
    for suite in [F001, F003] {
        let mut rng = rng(u64::from(suite.0));
        let provider = provider();
        let mut alice = provider
            .create(suite, b"alice", b"erased", GroupConfig::default(), &mut rng)
            .expect("create");
        assert_eq!(alice.suite(), suite);
        assert_eq!(alice.epoch(), 0);
        assert_eq!(alice.member_count(), 1);
        assert_eq!(
            alice.credential().clone(),
            artmls::messages::Credential::basic(b"alice".to_vec())
        );

        // Bob publishes his key package as bytes; alice adds him from them.
        let (bob_identity, bob_bundle) = newcomer(provider, suite, b"bob", &mut rng);
        let (carol_identity, carol_bundle) = newcomer(provider, suite, b"carol", &mut rng);
        let published = [
            bob_bundle.key_package_message().expect("publish"),
            carol_bundle.key_package_message().expect("publish"),
        ];
        let key_packages: Vec<_> = published
            .iter()
            .map(|bytes| artmls::erased::key_package_from_message(bytes).expect("key package"))
            .collect();
        let add = alice
            .commit_add_with_rng(&key_packages, &mut rng)
            .expect("add");
        assert_eq!(add.suite(), suite);
        assert_eq!(add.summary().added.len(), 2);
        let welcome = add.welcome().expect("a Welcome").to_vec();
        let authenticator = add.epoch_authenticator().clone();
        alice.merge_pending_commit(add).expect("merge");
        assert_eq!(alice.epoch_authenticator(), &authenticator);

        // The joiners name no suite: the provider reads it from the Welcome.
        let mut bob = provider
            .join(&welcome, &bob_bundle, bob_identity, GroupConfig::default())
            .expect("bob joins");
        let mut carol = provider
            .join(
                &welcome,
                &carol_bundle,
                carol_identity,
                GroupConfig::default(),
            )
            .expect("carol joins");
        assert_eq!(bob.suite(), suite);
        assert!(bob.needs_update() && bob.adder_knows_leaf_key());
        assert!(matches!(
            bob.commit_remove_with_rng(&[alice.own_leaf()], &mut rng),
            Err(GroupError::UpdateRequired)
        ));
        for member in [&bob, &carol] {
            assert_eq!(member.epoch_authenticator(), alice.epoch_authenticator());
            assert_eq!(member.member_count(), 3);
            assert_eq!(member.leaf_of(b"carol"), Some(carol.own_leaf()));
            assert_eq!(member.members().count(), 3);
        }

        // Bob updates; carol stages the commit, looks at it, and merges it.
        let update = bob.commit_update_with_rng(&mut rng).expect("update");
        let message = update.message().to_vec();
        bob.merge_pending_commit(update).expect("merge");
        assert!(!bob.needs_update());
        alice.process_message(&message).expect("alice processes");
        let staged = carol.stage_commit(&message).expect("stage");
        assert_eq!(staged.suite(), suite);
        assert_eq!(staged.summary().map(|s| s.updated), Some(true));
        assert_eq!(carol.epoch(), 1, "staging changes nothing");
        let staged_authenticator = staged.epoch_authenticator().cloned();
        assert!(matches!(
            carol.merge_staged_commit(staged).expect("merge staged"),
            Received::Commit(_)
        ));
        assert_eq!(
            Some(carol.epoch_authenticator()),
            staged_authenticator.as_ref()
        );
        assert_eq!(carol.epoch_authenticator(), alice.epoch_authenticator());

        // Application messages.
        let data = vec![7u8; 1024];
        let sealed = alice
            .encrypt_application_with_rng(&data, &mut rng)
            .expect("encrypt");
        for member in [&mut bob, &mut carol] {
            assert_eq!(
                member.process_message(&sealed).expect("decrypt"),
                Received::Application {
                    sender: alice.own_leaf(),
                    data: data.clone()
                }
            );
        }

        // Bob's state goes to bytes and back; the restored bob follows the group.
        let saved = bob.to_bytes().expect("save");
        let mut bob = provider.restore(saved.as_bytes()).expect("restore");
        assert_eq!(bob.suite(), suite);
        assert_eq!(bob.to_bytes().expect("save").as_bytes(), saved.as_bytes());

        // Alice removes carol; bob and carol process it.
        let remove = alice
            .commit_remove_with_rng(&[carol.own_leaf()], &mut rng)
            .expect("remove");
        let message = remove.message().to_vec();
        assert_eq!(remove.summary().removed, vec![carol.own_leaf()]);
        alice.merge_pending_commit(remove).expect("merge");
        assert!(matches!(
            bob.process_message(&message),
            Ok(Received::Commit(_))
        ));
        assert_eq!(
            carol.process_message(&message).expect("removed"),
            Received::Removed {
                by: alice.own_leaf()
            }
        );
        assert!(matches!(
            carol.process_message(&message),
            Err(GroupError::NotAMember)
        ));
        assert_eq!(alice.member_count(), 2);
        assert_eq!(alice.tombstones(), bob.tombstones());
        assert_eq!(bob.epoch_authenticator(), alice.epoch_authenticator());
        let exported = |group: &AnyGroup| group.export_secret("test", b"ctx", 32).expect("export");
        assert_eq!(exported(&alice), exported(&bob));
    }
}

#[test]
fn the_public_side_follows_an_erased_group() {
    let mut rng = rng(3);
    let provider = provider();
    let (alice, mut bob) = pair(provider, F001, &mut rng);
    let group_info = alice.public_group_info().expect("group info");
    let mut public = provider.public_group(&group_info).expect("public group");
    let mut service = provider.ordering_service(F001).expect("service");
    assert_eq!(service.suite(), F001);
    service.create_group(&group_info).expect("register");
    assert_eq!(public.member_count(), 2);
    let update = bob.commit_update_with_rng(&mut rng).expect("update");
    assert_eq!(service.submit(update.message()).expect("accepted"), 0);
    public.process_commit(update.message()).expect("followed");
    bob.merge_pending_commit(update).expect("merge");
    assert_eq!(public.epoch(), bob.epoch());
    assert_eq!(service.epoch(alice.group_id()), Some(bob.epoch()));
    assert_eq!(service.fetch(alice.group_id(), 0).len(), 1);
    // A service for one suite refuses a group of another.
    let mut other = provider.ordering_service(F003).expect("service");
    assert!(other.create_group(&group_info).is_err());
}

#[test]
fn bytes_of_a_suite_the_provider_lacks_are_refused_by_name() {
    let mut rng = rng(4);
    let dalek = provider();
    let only_f003: &dyn Provider = &OnlyF003;
    assert!(!only_f003.serves(F001));

    let mut alice = dalek
        .create(F001, b"alice", b"g", GroupConfig::default(), &mut rng)
        .expect("create");
    let (identity, bundle) = newcomer(dalek, F001, b"bob", &mut rng);
    let add = alice
        .commit_add_with_rng(&[bundle.key_package().clone()], &mut rng)
        .expect("add");
    let welcome = add.welcome().expect("a Welcome").to_vec();
    alice.merge_pending_commit(add).expect("merge");
    let unsupported = |error: AnyGroupError| {
        matches!(
            error,
            AnyGroupError::UnsupportedSuite { provider: "only-f003", suite } if suite == F001
        )
    };
    let error = only_f003
        .join(&welcome, &bundle, identity, GroupConfig::default())
        .expect_err("0xF001 is not served");
    assert!(unsupported(error));
    let state = alice.to_bytes().expect("save");
    assert!(unsupported(
        only_f003.restore(state.as_bytes()).expect_err("not served")
    ));
    let group_info = alice.public_group_info().expect("group info");
    assert!(unsupported(
        only_f003.public_group(&group_info).expect_err("not served")
    ));
    assert!(unsupported(
        only_f003.ordering_service(F001).expect_err("not served")
    ));
    assert!(unsupported(
        only_f003
            .identity(F001, b"x", &mut rng)
            .expect_err("not served")
    ));
    // A suite no one defines, named in otherwise genuine bytes, is refused the same way.
    let mut renamed = state.as_bytes().to_vec();
    renamed[13..15].copy_from_slice(&0xF0F0u16.to_be_bytes());
    assert!(matches!(
        dalek.restore(&renamed),
        Err(AnyGroupError::UnsupportedSuite {
            suite: SuiteId(0xF0F0),
            ..
        })
    ));
    // The restore of the genuine state still works on a provider that serves it.
    dalek.restore(state.as_bytes()).expect("restore");
}

#[test]
fn values_of_another_suite_or_provider_are_refused_and_change_nothing() {
    let mut rng = rng(5);
    let dalek = provider();
    let (mut f001, _) = pair(dalek, F001, &mut rng);
    let (f003, _) = pair(dalek, F003, &mut rng);
    let before = f001.to_bytes().expect("save");

    // A pending commit of the 0xF003 group merged into the 0xF001 group.
    let foreign = f003.commit_update_with_rng(&mut rng).expect("update");
    let error = f001
        .merge_pending_commit(foreign)
        .expect_err("another suite");
    assert!(
        matches!(error, AnyGroupError::SuiteMismatch { expected, got, .. } if expected == F001 && got == F003),
        "{error:?}"
    );
    assert_eq!(f001.to_bytes().expect("save").as_bytes(), before.as_bytes());

    // A staged commit of the other suite.
    let (f003_alice, mut f003_bob) = pair(dalek, F003, &mut rng);
    let update = f003_bob.commit_update_with_rng(&mut rng).expect("update");
    let staged = f003_alice.stage_commit(update.message()).expect("stage");
    assert!(matches!(
        f001.merge_staged_commit(staged),
        Err(AnyGroupError::SuiteMismatch { .. })
    ));
    assert_eq!(f001.to_bytes().expect("save").as_bytes(), before.as_bytes());
    f003_bob
        .merge_pending_commit(update)
        .expect("its own group takes it");
    assert_eq!(f003_alice.epoch() + 1, f003_bob.epoch());

    // A pending commit of the same suite from another provider's types.
    let generic: &dyn Provider = &GenericHpke;
    let (other_provider, _) = pair(generic, F001, &mut rng);
    let pending = other_provider
        .commit_update_with_rng(&mut rng)
        .expect("update");
    assert!(matches!(
        f001.merge_pending_commit(pending),
        Err(AnyGroupError::OtherProvider { .. })
    ));
    assert_eq!(f001.to_bytes().expect("save").as_bytes(), before.as_bytes());

    // A key package of another suite: the add is refused by the typed layer.
    let (_, bundle) = newcomer(dalek, F003, b"dave", &mut rng);
    assert!(matches!(
        f001.commit_add_with_rng(&[bundle.key_package().clone()], &mut rng),
        Err(GroupError::InvalidCommit(_) | GroupError::InvalidLeafNode(_))
    ));

    // A key package bundle or identity of another suite than the Welcome's.
    let mut adder = dalek
        .create(F001, b"adder", b"g2", GroupConfig::default(), &mut rng)
        .expect("create");
    let (identity, bundle) = newcomer(dalek, F001, b"erin", &mut rng);
    let add = adder
        .commit_add_with_rng(&[bundle.key_package().clone()], &mut rng)
        .expect("add");
    let welcome = add.welcome().expect("a Welcome").to_vec();
    let (f003_identity, f003_bundle) = newcomer(dalek, F003, b"erin", &mut rng);
    assert!(matches!(
        dalek.join(&welcome, &f003_bundle, identity, GroupConfig::default()),
        Err(AnyGroupError::SuiteMismatch {
            what: "the key package bundle",
            ..
        })
    ));
    assert!(matches!(
        dalek.join(&welcome, &bundle, f003_identity, GroupConfig::default()),
        Err(AnyGroupError::SuiteMismatch {
            what: "the identity",
            ..
        })
    ));
    // The same bundle and an identity of the right suite join.
    let (identity, bundle) = newcomer(dalek, F001, b"erin", &mut rng);
    let add = adder
        .commit_add_with_rng(&[bundle.key_package().clone()], &mut rng)
        .expect("add");
    let welcome = add.welcome().expect("a Welcome").to_vec();
    adder.merge_pending_commit(add).expect("merge");
    let erin = dalek
        .join(&welcome, &bundle, identity, GroupConfig::default())
        .expect("join");
    assert_eq!(erin.epoch_authenticator(), adder.epoch_authenticator());
}

#[test]
fn garbage_bytes_are_a_typed_error() {
    let mut rng = rng(6);
    let dalek = provider();
    let (alice, _) = pair(dalek, F001, &mut rng);
    let state = alice.to_bytes().expect("save");
    let group_info = alice.public_group_info().expect("group info");
    let garbage: [&[u8]; 4] = [&[], &[0], &[0, 1, 0, 3], b"artmls-group"];
    for bytes in garbage {
        let (identity, bundle) = newcomer(dalek, F001, b"x", &mut rng);
        assert!(matches!(
            dalek.join(bytes, &bundle, identity, GroupConfig::default()),
            Err(AnyGroupError::Malformed { .. })
        ));
        assert!(matches!(
            dalek.restore(bytes),
            Err(AnyGroupError::Malformed { .. })
        ));
        assert!(matches!(
            dalek.public_group(bytes),
            Err(AnyGroupError::Malformed { .. })
        ));
        assert!(artmls::erased::key_package_from_message(bytes).is_err());
    }
    // A state or a group info cut short after its header: the typed layer's error.
    for cut in [16, state.len() / 2, state.len() - 1] {
        assert!(matches!(
            dalek.restore(&state.as_bytes()[..cut]),
            Err(AnyGroupError::Group(_))
        ));
    }
    assert!(matches!(
        dalek.public_group(&group_info[..group_info.len() - 1]),
        Err(AnyGroupError::Group(_))
    ));
    // A group info given as a Welcome, and a Welcome-shaped header with a cut body.
    let (identity, bundle) = newcomer(dalek, F001, b"x", &mut rng);
    assert!(matches!(
        dalek.join(&group_info, &bundle, identity, GroupConfig::default()),
        Err(AnyGroupError::Malformed { .. })
    ));
    let (identity, bundle) = newcomer(dalek, F001, b"x", &mut rng);
    let mut cut_welcome = vec![0, 1, 0, 3];
    cut_welcome.extend_from_slice(&F001.0.to_be_bytes());
    assert!(matches!(
        dalek.join(&cut_welcome, &bundle, identity, GroupConfig::default()),
        Err(AnyGroupError::Group(GroupError::Codec(_)))
    ));
}

#[test]
fn typed_and_erased_groups_convert_both_ways() {
    type Suite = artmls_dalek::X25519Aes128GcmSha256Ed25519;
    let mut rng = rng(7);
    let identity = artmls::group::Identity::<Suite>::new_with_rng("alice", &mut rng);
    let typed = artmls::group::Group::create_with_rng(
        identity,
        b"t".to_vec(),
        GroupConfig::default(),
        &mut rng,
    )
    .expect("create");
    let authenticator = typed.epoch_authenticator().clone();
    let mut erased = AnyGroup::from(typed);
    assert!(erased.downcast_ref::<GenericHpkeF001>().is_none());
    let typed = erased
        .downcast_mut::<Suite>()
        .expect("the suite type it was made with");
    assert_eq!(typed.epoch_authenticator(), &authenticator);
    let identity = provider()
        .identity(F001, b"bob", &mut rng)
        .expect("identity");
    assert!(identity.into_typed::<GenericHpkeF001>().is_err());
    let identity = provider()
        .identity(F001, b"bob", &mut rng)
        .expect("identity");
    assert_eq!(
        identity.into_typed::<Suite>().expect("typed").name(),
        b"bob"
    );
    // The Debug output of erased values shows no secret.
    let text = format!("{erased:?}");
    assert!(!text.contains(&format!("{:?}", authenticator.as_bytes())));
}

#[test]
fn an_identity_comes_back_from_its_signing_key() {
    let mut rng = rng(8);
    let dalek = provider();
    let identity = dalek.identity(F003, b"alice", &mut rng).expect("identity");
    let again = dalek
        .identity_from_signing_key(F003, b"alice", identity.signing_key_bytes().as_bytes())
        .expect("from key");
    assert_eq!(
        again.signature_public_key(),
        identity.signature_public_key()
    );
    assert_eq!(again.suite(), F003);
    assert!(matches!(
        dalek.identity_from_signing_key(F003, b"alice", &[1, 2, 3]),
        Err(AnyGroupError::Group(GroupError::Crypto(_)))
    ));
}
