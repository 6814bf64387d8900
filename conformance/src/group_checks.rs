//! Protocol properties of groups, generic over a suite: lifecycle, concurrent commits,
//! forward secrecy, post-compromise security, and random operation sequences in which every
//! rejected message leaves the rejecting member's state byte for byte as it was.

use artmls::CipherSuite;
use artmls::group::{
    Group, GroupConfig, GroupError, Identity, KeyPackageBundle, PendingCommit, Received,
};
use artmls::ordering::{OrderingError, OrderingService};
use artmls::tree_math::LeafIndex;
use rand::RngExt;
use rand::rngs::StdRng;

use crate::rng::seeded;

/// A simulated group: every member's state, the ordering service, and a seeded RNG.
pub struct Simulation<S: CipherSuite> {
    /// The members, each with its own state.
    pub members: Vec<Group<S>>,
    /// The ordering service.
    pub service: OrderingService<S>,
    /// The randomness of the run.
    pub rng: StdRng,
    /// Members in the tree whose state the simulation does not hold (a forked member, say).
    pub outside: usize,
    group_id: Vec<u8>,
    next_name: u32,
}

impl<S: CipherSuite> Simulation<S> {
    /// A group of `size` members made in one commit (Initiate); everyone joins from the Welcome.
    pub fn new(seed: u64, size: usize) -> Self {
        let mut rng = seeded(seed);
        let group_id = format!("group-{seed}").into_bytes();
        let creator = Identity::<S>::new_with_rng("member-0", &mut rng);
        let mut joiners = Vec::new();
        for index in 1..size {
            let identity = Identity::<S>::new_with_rng(format!("member-{index}"), &mut rng);
            let bundle = identity
                .key_package_with_rng(&mut rng)
                .expect("key package");
            joiners.push((identity, bundle));
        }
        let key_packages: Vec<_> = joiners
            .iter()
            .map(|(_, b)| b.key_package().clone())
            .collect();
        let (creator, welcome) = if key_packages.is_empty() {
            let group =
                Group::create_with_rng(creator, group_id.clone(), GroupConfig::default(), &mut rng)
                    .expect("create");
            (group, Vec::new())
        } else {
            Group::initiate_with_rng(
                creator,
                group_id.clone(),
                &key_packages,
                GroupConfig::default(),
                &mut rng,
            )
            .expect("initiate")
        };
        let mut service = OrderingService::new();
        service
            .create_group(&creator.public_group_info().expect("group info"))
            .expect("register");
        let mut members = vec![creator];
        for (identity, bundle) in joiners {
            members.push(
                Group::join(&welcome, &bundle, identity, GroupConfig::default()).expect("join"),
            );
        }
        let sim = Simulation {
            members,
            service,
            rng,
            outside: 0,
            group_id,
            next_name: size as u32,
        };
        sim.assert_agreement("after creation");
        sim
    }

    /// The index of the member at `leaf`.
    pub fn index_of(&self, leaf: LeafIndex) -> usize {
        self.members
            .iter()
            .position(|m| m.own_leaf() == leaf)
            .unwrap_or_else(|| panic!("no member at {leaf:?}"))
    }

    /// A new identity and KeyPackage.
    pub fn newcomer(&mut self) -> (Identity<S>, KeyPackageBundle<S>) {
        let identity =
            Identity::<S>::new_with_rng(format!("member-{}", self.next_name), &mut self.rng);
        self.next_name += 1;
        let bundle = identity
            .key_package_with_rng(&mut self.rng)
            .expect("key package");
        (identity, bundle)
    }

    /// Submits `sender`'s pending commit; once accepted, the sender merges it, everyone else
    /// processes it, removed members leave, and newcomers join from the Welcome.
    pub fn deliver(
        &mut self,
        sender: usize,
        pending: PendingCommit<S>,
        newcomers: Vec<(Identity<S>, KeyPackageBundle<S>)>,
    ) -> Result<(), OrderingError> {
        self.service.submit(pending.message())?;
        let message = pending.message().to_vec();
        let welcome = pending.welcome().map(<[u8]>::to_vec);
        let summary = self.members[sender]
            .merge_pending_commit(pending)
            .expect("merge own commit");
        let mut kept = Vec::new();
        for (index, mut member) in std::mem::take(&mut self.members).into_iter().enumerate() {
            if index == sender {
                kept.push(member);
                continue;
            }
            match member
                .process_message(&message)
                .expect("a member rejects a valid commit")
            {
                Received::Commit(received) => {
                    assert_eq!(received, summary, "summaries differ");
                    kept.push(member);
                }
                Received::Removed { by } => {
                    assert_eq!(by, summary.sender);
                    assert!(summary.removed.contains(&member.own_leaf()));
                    assert!(matches!(
                        member.process_message(&message),
                        Err(GroupError::NotAMember)
                    ));
                }
                Received::Application { .. } => panic!("a commit decoded as application data"),
            }
        }
        self.members = kept;
        if let Some(welcome) = welcome {
            for (identity, bundle) in newcomers {
                let joined =
                    Group::join(&welcome, &bundle, identity, GroupConfig::default()).expect("join");
                assert!(joined.needs_update());
                self.members.push(joined);
            }
        }
        self.assert_agreement("after a commit");
        Ok(())
    }

    /// Every member is at the same epoch with the same epoch authenticator and tree hash.
    pub fn assert_agreement(&self, when: &str) {
        let first = &self.members[0];
        for member in &self.members {
            assert_eq!(member.epoch(), first.epoch(), "{when}: epochs differ");
            assert_eq!(
                member.epoch_authenticator(),
                first.epoch_authenticator(),
                "{when}: epoch authenticators differ"
            );
            assert_eq!(
                member.context(),
                first.context(),
                "{when}: group contexts differ"
            );
            assert_eq!(
                member.member_count(),
                self.members.len() + self.outside,
                "{when}: member counts differ"
            );
        }
    }

    /// A member updates (and, if it is new, that is what it must do first).
    pub fn update(&mut self, sender: usize) {
        let pending = self.members[sender]
            .commit_update_with_rng(&mut self.rng)
            .expect("update");
        self.deliver(sender, pending, Vec::new()).expect("accepted");
    }

    /// A member adds `count` newcomers.
    pub fn add(&mut self, sender: usize, count: usize) {
        if self.members[sender].needs_update() {
            self.update(sender);
        }
        let newcomers: Vec<_> = (0..count).map(|_| self.newcomer()).collect();
        let key_packages: Vec<_> = newcomers
            .iter()
            .map(|(_, b)| b.key_package().clone())
            .collect();
        let pending = self.members[sender]
            .commit_add_with_rng(&key_packages, &mut self.rng)
            .expect("add");
        self.deliver(sender, pending, newcomers).expect("accepted");
    }

    /// A member removes another.
    pub fn remove(&mut self, sender: usize, victim: usize) {
        if self.members[sender].needs_update() {
            self.update(sender);
        }
        let leaf = self.members[victim].own_leaf();
        let sender_leaf = self.members[sender].own_leaf();
        let sender = self.index_of(sender_leaf);
        let pending = self.members[sender]
            .commit_remove_with_rng(&[leaf], &mut self.rng)
            .expect("remove");
        self.deliver(sender, pending, Vec::new()).expect("accepted");
    }

    /// `sender` sends application data; every other member decrypts it.
    pub fn message(&mut self, sender: usize, data: &[u8]) {
        let bytes = self.members[sender]
            .encrypt_application_with_rng(data, &mut self.rng)
            .expect("encrypt");
        self.service.submit(&bytes).expect("accepted");
        let sender_leaf = self.members[sender].own_leaf();
        for (index, member) in self.members.iter_mut().enumerate() {
            if index == sender {
                continue;
            }
            match member.process_message(&bytes).expect("decrypt") {
                Received::Application {
                    sender,
                    data: received,
                } => {
                    assert_eq!(sender, sender_leaf);
                    assert_eq!(received, data);
                }
                other => panic!("expected application data, got {other:?}"),
            }
        }
    }

    /// The group id.
    pub fn group_id(&self) -> &[u8] {
        &self.group_id
    }
}

/// Create, add, update, remove, messages, and a removed member rejoining.
pub fn verify_lifecycle<S: CipherSuite>(seed: u64) {
    let mut sim = Simulation::<S>::new(seed, 3);
    // The newcomers update first; other commits are refused until then.
    let newcomer = 1;
    assert!(sim.members[newcomer].needs_update());
    let newcomer_leaf = sim.members[newcomer].own_leaf();
    assert!(matches!(
        sim.members[newcomer].commit_remove_with_rng(&[LeafIndex(0)], &mut sim.rng),
        Err(GroupError::UpdateRequired)
    ));
    sim.update(newcomer);
    assert!(!sim.members[sim.index_of(newcomer_leaf)].needs_update());
    sim.update(2);
    sim.message(0, b"hello");
    sim.message(1, b"hi");
    sim.add(0, 2);
    sim.message(4, b"I am new");
    let carol_leaf = sim.members[2].own_leaf();
    let carol_name = sim.members[2].identity().name().to_vec();
    sim.remove(0, 2);
    assert!(sim.members.iter().all(|m| m.own_leaf() != carol_leaf));
    sim.message(1, b"carol is gone");
    // Carol rejoins with a new KeyPackage: she takes her old slot (the leftmost tombstone).
    let identity = Identity::<S>::new_with_rng(carol_name, &mut sim.rng);
    let bundle = identity
        .key_package_with_rng(&mut sim.rng)
        .expect("key package");
    let key_package = bundle.key_package().clone();
    let pending = sim.members[1]
        .commit_add_with_rng(&[key_package], &mut sim.rng)
        .expect("add carol");
    assert_eq!(pending.summary().added, vec![carol_leaf]);
    sim.deliver(1, pending, vec![(identity, bundle)])
        .expect("accepted");
    let carol = sim.members.len() - 1;
    sim.update(carol);
    sim.message(carol, b"I am back");
    let exported: Vec<_> = sim
        .members
        .iter()
        .map(|m| m.export_secret("test", b"ctx", 32).expect("export"))
        .collect();
    assert!(
        exported.windows(2).all(|pair| pair[0] == pair[1]),
        "exporters differ"
    );
}

/// Two members commit for the same epoch: the first one the service sees wins; the other is
/// refused as stale by the service and by the members, and succeeds after rebuilding.
pub fn verify_concurrent_commits<S: CipherSuite>(seed: u64) {
    let mut sim = Simulation::<S>::new(seed, 4);
    for index in 1..4 {
        sim.update(index);
    }
    let epoch = sim.members[0].epoch();
    let first = sim.members[1]
        .commit_update_with_rng(&mut sim.rng)
        .expect("update");
    let second = sim.members[2]
        .commit_update_with_rng(&mut sim.rng)
        .expect("update");
    let losing = second.message().to_vec();
    sim.deliver(1, first, Vec::new())
        .expect("the first commit wins");
    assert!(matches!(
        sim.service.submit(&losing),
        Err(OrderingError::StaleEpoch { current, got }) if current == epoch + 1 && got == epoch
    ));
    // A member that sees the losing commit anyway rejects it as stale and stays as it was.
    let before = sim.members[3].epoch_authenticator().clone();
    assert!(matches!(
        sim.members[3].process_message(&losing),
        Err(GroupError::StaleEpoch { current, got }) if current == epoch + 1 && got == epoch
    ));
    assert_eq!(sim.members[3].epoch_authenticator(), &before);
    // The loser's pending commit cannot be merged any more; it rebuilds on the new epoch.
    assert!(matches!(
        sim.members[2].merge_pending_commit(second),
        Err(GroupError::StalePendingCommit)
    ));
    let rebuilt = sim.members[2]
        .commit_update_with_rng(&mut sim.rng)
        .expect("rebuild");
    sim.deliver(2, rebuilt, Vec::new())
        .expect("the rebuilt commit is accepted");
    sim.message(2, b"made it");
}

/// Forward secrecy: a message key is gone once used, and an epoch's keys are gone once the
/// member moved on, so the member's state cannot decrypt earlier messages.
pub fn verify_forward_secrecy<S: CipherSuite>(seed: u64) {
    let mut sim = Simulation::<S>::new(seed, 3);
    sim.update(1);
    sim.update(2);
    let old = sim.members[0]
        .encrypt_application_with_rng(b"before", &mut sim.rng)
        .expect("encrypt");
    assert!(matches!(
        sim.members[1].process_message(&old),
        Ok(Received::Application { .. })
    ));
    // Used once: the key is deleted.
    assert!(
        sim.members[1].process_message(&old).is_err(),
        "a consumed key decrypted again"
    );
    // Not yet read by member 2, but the group moves on: the epoch's keys are deleted.
    sim.update(0);
    assert!(matches!(
        sim.members[2].process_message(&old),
        Err(GroupError::StaleEpoch { .. })
    ));
}

/// Post-compromise security: a copy of a member's state taken before its update cannot follow
/// the group after that update and one more commit.
pub fn verify_post_compromise_security<S: CipherSuite>(seed: u64) {
    let mut sim = Simulation::<S>::new(seed, 3);
    sim.update(1);
    sim.update(2);
    let stolen = artmls::group::Group::<S>::from_bytes(
        sim.members[1].to_bytes().expect("serialize").as_bytes(),
    )
    .expect("restore");
    let mut stolen = stolen;
    assert_eq!(
        stolen.epoch_authenticator(),
        sim.members[1].epoch_authenticator()
    );
    // The victim heals by updating; then someone else commits.
    let heal = sim.members[1]
        .commit_update_with_rng(&mut sim.rng)
        .expect("update");
    let heal_message = heal.message().to_vec();
    sim.deliver(1, heal, Vec::new()).expect("accepted");
    let next = sim.members[0]
        .commit_update_with_rng(&mut sim.rng)
        .expect("update");
    let next_message = next.message().to_vec();
    sim.deliver(0, next, Vec::new()).expect("accepted");
    // The stolen state cannot process the victim's update (it lacks the new leaf secret) nor
    // what follows, and it never holds the group's new epoch secrets.
    assert!(stolen.process_message(&heal_message).is_err());
    assert!(stolen.process_message(&next_message).is_err());
    for member in &sim.members {
        assert_ne!(stolen.epoch_authenticator(), member.epoch_authenticator());
    }
    let message = sim.members[0]
        .encrypt_application_with_rng(b"secret", &mut sim.rng)
        .expect("encrypt");
    assert!(
        stolen.process_message(&message).is_err(),
        "the stolen state read a later message"
    );
}

/// Random operation sequences with up to `max_members` members: after every step all members
/// agree on the epoch authenticator, and every rejected message (a damaged, replayed, stale or
/// foreign one) leaves the rejecting member's serialized state byte-identical.
pub fn verify_random_operations<S: CipherSuite>(seed: u64, steps: usize, max_members: usize) {
    let mut sim = Simulation::<S>::new(seed, 2);
    let mut old_commits: Vec<Vec<u8>> = Vec::new();
    let foreign = Simulation::<S>::new(seed ^ 0x5a5a, 2);
    let mut foreign = foreign;
    let foreign_commit = foreign.members[1]
        .commit_update_with_rng(&mut foreign.rng)
        .expect("update");
    for step in 0..steps {
        let size = sim.members.len();
        let sender = sim.rng.random_range(0..size);
        let roll: u32 = sim.rng.random_range(0..10);
        let before_len = sim.service.fetch(sim.group_id(), 0).len();
        if roll < 3 && size < max_members {
            let count = sim.rng.random_range(1..=4.min(max_members - size));
            sim.add(sender, count);
        } else if roll < 5 && size > 2 {
            let mut victim = sim.rng.random_range(0..size - 1);
            if victim >= sender {
                victim += 1;
            }
            sim.remove(sender, victim);
        } else if roll < 8 {
            // Before the real update goes out, damaged copies of it (for the current epoch) reach
            // another member: each is rejected and leaves that member's state as it was.
            let pending = sim.members[sender]
                .commit_update_with_rng(&mut sim.rng)
                .expect("update");
            if size > 1 {
                let receiver = (sender + 1) % size;
                for _ in 0..4 {
                    let mut damaged = pending.message().to_vec();
                    let position = sim.rng.random_range(0..damaged.len());
                    damaged[position] ^= 1 << sim.rng.random_range(0..8);
                    assert_rejected_without_change(
                        &mut sim.members[receiver],
                        &damaged,
                        format!("step {step}"),
                    );
                }
            }
            sim.deliver(sender, pending, Vec::new()).expect("accepted");
        } else {
            sim.message(sender, format!("step {step}").as_bytes());
        }
        let log = sim.service.fetch(sim.group_id(), before_len).to_vec();
        old_commits.extend(log.into_iter().filter(|m| {
            artmls::ordering::MessageHeader::read(m)
                .map(|h| h.is_commit)
                .unwrap_or(false)
        }));

        // Bad messages for a random member: each must be rejected with the state unchanged.
        let victim = sim.rng.random_range(0..sim.members.len());
        let mut bad: Vec<Vec<u8>> = vec![
            foreign_commit.message().to_vec(),
            vec![0, 1, 0, 1],
            Vec::new(),
        ];
        if let Some(last) = old_commits.last() {
            bad.push(last.clone());
            let mut damaged = last.clone();
            let position = sim.rng.random_range(0..damaged.len());
            damaged[position] ^= 1 << sim.rng.random_range(0..8);
            bad.push(damaged);
            bad.push(last[..last.len() / 2].to_vec());
        }
        for message in bad {
            assert_rejected_without_change(
                &mut sim.members[victim],
                &message,
                format!("step {step}"),
            );
        }
        sim.assert_agreement(&format!("step {step}"));
    }
}

/// `message` is rejected, and the member's serialized state is byte for byte what it was.
/// Returns the error.
pub fn assert_rejected_without_change<S: CipherSuite>(
    member: &mut Group<S>,
    message: &[u8],
    what: impl core::fmt::Display,
) -> GroupError {
    let before = member.to_bytes().expect("serialize");
    let error = match member.process_message(message) {
        Ok(received) => panic!("{what}: a bad message was accepted: {received:?}"),
        Err(error) => error,
    };
    let after = member.to_bytes().expect("serialize");
    assert_eq!(
        before.as_bytes(),
        after.as_bytes(),
        "{what}: a rejected message changed the state"
    );
    error
}

/// A commit whose confirmation tag, membership tag or signature was damaged on the way, or that
/// names another group or epoch, is rejected with a typed error, and the receiver stays as it
/// was. (The membership tag covers the signature and confirmation tag, so damage to those shows
/// as a membership tag mismatch; the signature and confirmation checks themselves are covered by
/// the framing tests and the transcript-hash vectors.)
pub fn verify_commit_rejections<S: CipherSuite>(seed: u64) {
    use artmls::codec::{Decode, Encode};
    use artmls::group::ArtCommit;
    use artmls::messages::MlsMessage;

    let mut sim = Simulation::<S>::new(seed, 3);
    sim.update(1);
    sim.update(2);
    let pending = sim.members[1]
        .commit_update_with_rng(&mut sim.rng)
        .expect("update");
    let decode = |bytes: &[u8]| match MlsMessage::<ArtCommit>::decode_exact(bytes) {
        Ok(MlsMessage::PublicMessage(message)) => message,
        other => panic!("not a PublicMessage: {other:?}"),
    };
    let encode = |message| {
        MlsMessage::<ArtCommit>::PublicMessage(message)
            .encode_to_vec()
            .expect("encode")
    };
    let good = decode(pending.message());

    let mut tag = good.clone();
    if let Some(tag) = tag.auth.confirmation_tag.as_mut() {
        tag[0] ^= 1;
    }
    let mut membership = good.clone();
    if let Some(tag) = membership.membership_tag.as_mut() {
        tag[0] ^= 1;
    }
    let mut signature = good.clone();
    signature.auth.signature[0] ^= 1;
    let mut group = good.clone();
    group.content.group_id.push(0);
    let mut future = good.clone();
    future.content.epoch += 1;
    let cases = [
        ("confirmation tag", encode(tag)),
        ("membership tag", encode(membership)),
        ("signature", encode(signature)),
        ("group id", encode(group)),
        ("epoch", encode(future)),
    ];
    for (what, message) in cases {
        let error = assert_rejected_without_change(&mut sim.members[0], &message, what);
        let expected = match what {
            // The membership tag covers the confirmation tag, so a tag damaged in transit is
            // caught there first.
            "confirmation tag" => matches!(
                error,
                GroupError::Framing(artmls::framing::FramingError::MembershipTagMismatch)
            ),
            "membership tag" => matches!(
                error,
                GroupError::Framing(artmls::framing::FramingError::MembershipTagMismatch)
            ),
            "signature" => matches!(
                error,
                GroupError::Framing(artmls::framing::FramingError::MembershipTagMismatch)
            ),
            "group id" => matches!(error, GroupError::WrongGroup),
            _ => matches!(error, GroupError::FutureEpoch { .. }),
        };
        assert!(expected, "{what}: unexpected error {error:?}");
    }
    sim.deliver(1, pending, Vec::new())
        .expect("the genuine commit still goes through");
}

/// A member's state survives serialization: the restored member follows the group and
/// serializes to the same bytes.
pub fn verify_persistence<S: CipherSuite>(seed: u64) {
    let mut sim = Simulation::<S>::new(seed, 4);
    sim.update(1);
    sim.message(0, b"one");
    sim.message(2, b"two");
    let bytes = sim.members[3].to_bytes().expect("serialize");
    let restored = Group::<S>::from_bytes(bytes.as_bytes()).expect("restore");
    assert_eq!(
        restored.to_bytes().expect("serialize").as_bytes(),
        bytes.as_bytes()
    );
    sim.members[3] = restored;
    sim.update(3);
    sim.message(3, b"after a restart");
    sim.add(0, 1);
    // Damaged state is refused, never a panic.
    for cut in [0, 5, bytes.len() / 2, bytes.len() - 1] {
        assert!(Group::<S>::from_bytes(&bytes.as_bytes()[..cut]).is_err());
    }
    let mut version = bytes.as_bytes().to_vec();
    version[12] = 99;
    assert!(matches!(
        Group::<S>::from_bytes(&version),
        Err(GroupError::InvalidState(_))
    ));
}

/// A dishonest member forges commits. It holds the epoch's membership key, so every forgery
/// carries a valid membership tag (and, where the forger can, a valid signature): only the
/// deeper checks catch it. Each is rejected with its own typed error and leaves the receiver's
/// state byte for byte as it was; the honest commit then goes through.
pub fn verify_insider_forgeries<S: CipherSuite>(seed: u64) {
    use artmls::SignatureScheme as _;
    use artmls::codec::{Decode, Encode};
    use artmls::framing::{FramingError, protect_public, sign_content};
    use artmls::group::ArtCommit;
    use artmls::key_schedule::KeyScheduleError;
    use artmls::messages::{Content, FramedContent, MessageError, MlsMessage, WireFormat};

    let mut sim = Simulation::<S>::new(seed, 4);
    for member in 1..4 {
        sim.update(member);
    }
    let insider = 2;
    let pending = sim.members[insider]
        .commit_update_with_rng(&mut sim.rng)
        .expect("update");
    let Ok(MlsMessage::PublicMessage(genuine)) =
        MlsMessage::<ArtCommit>::decode_exact(pending.message())
    else {
        panic!("a commit is a PublicMessage");
    };
    let forger = &sim.members[insider];
    let context = forger.context().clone();
    // Signs `content` as the forger, optionally damages the signature, and adds a valid
    // membership tag.
    let forge = |content: FramedContent<ArtCommit>, tag: Vec<u8>, damage_signature: bool| {
        let mut signed = sign_content::<S, ArtCommit>(
            WireFormat::PublicMessage,
            content,
            &context,
            forger.identity().signing_key(),
            Some(tag),
        )
        .expect("sign");
        if damage_signature {
            signed.auth.signature[0] ^= 1;
        }
        let message = protect_public::<S, ArtCommit>(signed, &context, forger.membership_key())
            .expect("membership tag");
        MlsMessage::<ArtCommit>::PublicMessage(message)
            .encode_to_vec()
            .expect("encode")
    };
    let genuine_tag = genuine
        .auth
        .confirmation_tag
        .clone()
        .expect("a commit has a confirmation tag");
    let with_commit = |change: &dyn Fn(&mut ArtCommit)| {
        let mut content = genuine.content.clone();
        let Content::Commit(commit) = &mut content.content else {
            panic!("not a commit");
        };
        change(commit);
        content
    };
    // Another valid public key of the tree, to splice into the path.
    let stray_key = sim.members[0]
        .art()
        .tree()
        .public_key(LeafIndex(0).node())
        .expect("leaf 0 has a key")
        .as_ref()
        .to_vec();

    let mut wrong_tag = genuine_tag.clone();
    wrong_tag[0] ^= 1;
    let cases: Vec<(&str, Vec<u8>)> = vec![
        (
            "confirmation tag",
            forge(genuine.content.clone(), wrong_tag, false),
        ),
        (
            "signature",
            forge(genuine.content.clone(), genuine_tag.clone(), true),
        ),
        (
            "path",
            forge(
                with_commit(&|commit| commit.tree_change.parent_keys[0] = stray_key.clone()),
                genuine_tag.clone(),
                false,
            ),
        ),
        (
            "leaf node signature",
            forge(
                with_commit(&|commit| {
                    if let Some(leaf_node) = commit.leaf_node.as_mut() {
                        leaf_node.signature[0] ^= 1;
                    }
                }),
                genuine_tag.clone(),
                false,
            ),
        ),
    ];
    // The forging itself is faithful: where signatures are deterministic, re-framing the
    // genuine commit gives back its exact bytes, so each rejection below is due to its damage.
    // (ring's and aws-lc's ECDSA draw a fresh nonce for every signature.)
    let signing_key = forger.identity().signing_key();
    let probe = |message: &[u8]| S::Signature::sign(signing_key, message).expect("sign");
    if probe(b"probe") == probe(b"probe") {
        let control = forge(genuine.content.clone(), genuine_tag.clone(), false);
        assert_eq!(control, pending.message(), "re-framing changed the commit");
    }

    for (what, message) in cases {
        let error = assert_rejected_without_change(&mut sim.members[0], &message, what);
        let expected = match what {
            "confirmation tag" => matches!(
                error,
                GroupError::KeySchedule(KeyScheduleError::ConfirmationTagMismatch)
            ),
            "signature" => matches!(
                error,
                GroupError::Framing(FramingError::InvalidSignature(_))
            ),
            "leaf node signature" => matches!(
                error,
                GroupError::Message(MessageError::InvalidSignature(_))
            ),
            // The receiver derives the path above its common ancestor with the sender and
            // finds a key the sender did not derive; if it did not look, the confirmation tag
            // would differ.
            _ => matches!(
                error,
                GroupError::Tree(_)
                    | GroupError::KeySchedule(KeyScheduleError::ConfirmationTagMismatch)
            ),
        };
        assert!(expected, "{what}: unexpected error {error:?}");
    }
    sim.deliver(insider, pending, Vec::new())
        .expect("the genuine commit still goes through");
}

/// A dishonest adder seals a Welcome whose tree carries a LeafNode with a bad signature, under
/// a GroupInfo it signs itself: the newcomer checks every LeafNode and refuses to join.
pub fn verify_welcome_with_forged_leaf_node<S: CipherSuite>(seed: u64) {
    use artmls::SignatureScheme as _;
    use artmls::codec::{Decode, Encode};
    use artmls::group::{ART_RATCHET_TREE_EXTENSION, ArtCommit, ArtRatchetTree};
    use artmls::key_schedule::psk_secret;
    use artmls::messages::{GroupInfo, MessageError, MlsMessage};
    use artmls::welcome::{NewMember, decrypt_group_info, decrypt_group_secrets, seal_welcome};

    let mut sim = Simulation::<S>::new(seed, 3);
    let (identity, bundle) = sim.newcomer();
    let adder = &sim.members[0];
    let pending = adder
        .commit_add_with_rng(&[bundle.key_package().clone()], &mut sim.rng)
        .expect("add");
    let Ok(MlsMessage::Welcome(welcome)) =
        MlsMessage::<ArtCommit>::decode_exact(pending.welcome().expect("a Welcome"))
    else {
        panic!("not a Welcome");
    };
    // What the adder knows: the joiner secret, the newcomer's leaf secret, the GroupInfo.
    let secrets =
        decrypt_group_secrets::<S>(&welcome, bundle.key_package(), bundle.init_private_key())
            .expect("group secrets");
    let psk = psk_secret::<S>(&[]).expect("no PSKs");
    let group_info =
        decrypt_group_info::<S>(&welcome, &secrets.joiner_secret, Some(&psk)).expect("info");
    let mut rng = seeded(seed ^ 0x5eed);
    let mut reseal = |mut group_info: GroupInfo| {
        group_info
            .sign::<S>(adder.identity().signing_key())
            .expect("sign");
        let newcomer = NewMember {
            key_package: bundle.key_package(),
            path_secret: secrets.path_secret.as_ref().map(|p| p.path_secret.clone()),
        };
        let welcome = seal_welcome::<S, _>(
            &group_info,
            &secrets.joiner_secret,
            &[],
            &[newcomer],
            &mut rng,
        )
        .expect("seal");
        MlsMessage::<ArtCommit>::Welcome(welcome)
            .encode_to_vec()
            .expect("encode")
    };
    let same_identity = || {
        let key = S::Signature::signing_key_from_bytes(identity.signing_key_bytes().as_bytes())
            .expect("key");
        Identity::<S>::from_signing_key(identity.name(), key)
    };

    // The adder's resealing itself is sound: the untouched GroupInfo joins.
    let honest = reseal(group_info.clone());
    Group::join(&honest, &bundle, same_identity(), GroupConfig::default())
        .expect("a resealed honest Welcome joins");

    let mut forged = group_info;
    let extension = forged
        .extensions
        .iter_mut()
        .find(|e| e.extension_type == ART_RATCHET_TREE_EXTENSION)
        .expect("the GroupInfo carries the tree");
    let mut tree = ArtRatchetTree::decode_exact(&extension.extension_data).expect("tree");
    // Leaf 1 is another member, not the adder (the GroupInfo's signer) nor the newcomer.
    tree.leaf_nodes[1]
        .as_mut()
        .expect("leaf 1 is a member")
        .signature[0] ^= 1;
    extension.extension_data = tree.encode_to_vec().expect("encode tree");
    let forged = reseal(forged);
    let Err(error) = Group::join(&forged, &bundle, identity, GroupConfig::default()) else {
        panic!("a tree with a forged LeafNode was accepted");
    };
    assert!(
        matches!(
            error,
            GroupError::Message(MessageError::InvalidSignature(_))
        ),
        "unexpected error {error:?}"
    );
}
