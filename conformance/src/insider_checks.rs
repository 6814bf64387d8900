//! A member running modified code, end to end (profile revision 2 §5, §8): a remover that kept
//! its tombstone secret, a self-removal, a forged removal, an identity takeover by Update, a
//! KeyPackage added twice or expired. Generic over a suite, run on every backend.

use std::sync::Arc;

use artmls::CipherSuite;
use artmls::Secret;
use artmls::codec::{Decode, Encode};
use artmls::group::{
    ArtCommit, Group, GroupError, IdentityPolicy, IdentityRejected, PendingCommit, Received,
};
use artmls::internals::art_tree::TreeError;
use artmls::internals::framing::{protect_public, sign_content};
use artmls::messages::{Content, Credential, FramedContent, LeafNode, MlsMessage, WireFormat};
use artmls::tree_math::LeafIndex;

use crate::group_checks::{Simulation, assert_rejected_without_change};
use crate::rng::RecordingRng;

/// Whether any of `draws` (secrets a party kept) opens the group's current epoch: from a
/// leaf secret of any live leaf (member or tombstone) and the public tree, the path to the
/// root and the `commit_secret` follow. Returns the leaf it opens, if any.
fn opened_by<S: CipherSuite>(group: &Group<S>, draws: &[Vec<u8>]) -> Option<LeafIndex> {
    let tree = group.art().tree();
    for draw in draws {
        let secret = Secret::from_slice(draw);
        for leaf in 0..tree.n_leaves() {
            let leaf = LeafIndex(leaf);
            let derived = tree
                .commit_secret_from_leaf_secret(leaf, &secret)
                .expect("a well-formed tree");
            if let Some(derived) = derived {
                assert_eq!(
                    &derived,
                    group.art().commit_secret(),
                    "a leaf's path gives the root"
                );
                return Some(leaf);
            }
        }
    }
    None
}

/// Commits `pending` of `sender` through the simulation, asserting the service accepts it.
fn deliver<S: CipherSuite>(sim: &mut Simulation<S>, sender: usize, pending: PendingCommit<S>) {
    sim.deliver(sender, pending, Vec::new()).expect("accepted");
}

/// Revision 2 §5, Transfer and Seal. A remover logs the randomness it draws, including the
/// secret of its victim's tombstone. While it is a member that tombstone is a key to every
/// epoch (the control: the kept secret opens the epoch). The commit that removes the remover
/// transfers the tombstone to its own remover with a fresh secret, so from that commit on the
/// kept secrets open nothing: not after updates, not after the sponsor's Seal, not after an
/// Add that reuses the sealed slot.
pub fn verify_tombstone_lockout<S: CipherSuite>(seed: u64) {
    let mut sim = Simulation::<S>::new(seed, 6);
    for member in 1..6 {
        sim.update(member);
    }
    let remover = 1;
    let victim_leaf = sim.members[4].own_leaf();
    let remover_leaf = sim.members[remover].own_leaf();
    let mut recording = RecordingRng::new(&mut sim.rng);
    let pending = sim.members[remover]
        .commit_remove_with_rng(&[victim_leaf], &mut recording)
        .expect("remove");
    let kept = recording.into_draws();
    deliver(&mut sim, remover, pending);
    assert_eq!(
        sim.members[0].tombstones(),
        vec![(victim_leaf, remover_leaf)],
        "the tombstone is the remover's"
    );
    // The control: while the remover is a member, its kept secret opens the epoch through the
    // tombstone (this is why the tombstone must be transferred when the remover goes).
    assert_eq!(
        opened_by(&sim.members[0], &kept),
        Some(victim_leaf),
        "the kept tombstone secret opens the epoch"
    );

    // Another member removes the remover: the commit transfers the tombstone.
    let sender = sim.index_of(LeafIndex(2));
    let sender_leaf = sim.members[sender].own_leaf();
    let pending = sim.members[sender]
        .commit_remove_with_rng(&[remover_leaf], &mut sim.rng)
        .expect("remove the remover");
    assert_eq!(pending.summary().transferred, vec![victim_leaf]);
    let epoch = pending.summary().epoch;
    deliver(&mut sim, sender, pending);
    assert_eq!(sim.members[0].epoch(), epoch);
    let mut expected = vec![(victim_leaf, sender_leaf), (remover_leaf, sender_leaf)];
    expected.sort_unstable();
    assert_eq!(
        sim.members[0].tombstones(),
        expected,
        "both tombstones are owned by the member that removed the remover"
    );
    assert_eq!(
        opened_by(&sim.members[0], &kept),
        None,
        "the removed remover still opens the epoch after its removal"
    );

    // Application messages of the new epoch: a kept secret gives no key to read them (nothing
    // opens the epoch), and the members read them.
    sim.message(0, b"after the removal");

    // Updates by everyone; the sponsors' updates seal the tombstones.
    let mut sealed = Vec::new();
    for _round in 0..2 {
        for index in 0..sim.members.len() {
            let pending = sim.members[index]
                .commit_update_with_rng(&mut sim.rng)
                .expect("update");
            sealed.extend(pending.summary().sealed.iter().copied());
            deliver(&mut sim, index, pending);
            assert_eq!(opened_by(&sim.members[0], &kept), None, "after an update");
        }
    }
    assert!(
        sim.members[0].tombstones().is_empty(),
        "every tombstone is sealed once its sponsors updated: {:?}",
        sim.members[0].tombstones()
    );
    sealed.sort_unstable();
    let mut expected = vec![remover_leaf, victim_leaf];
    expected.sort_unstable();
    assert_eq!(sealed, expected, "each tombstone is sealed once");
    for member in &sim.members {
        assert!(!member.needs_update(), "no sponsor duty is left");
    }

    // An Add reuses the freed slot next to where the tombstones were.
    sim.add(0, 1);
    assert_eq!(opened_by(&sim.members[0], &kept), None, "after an add");
    sim.message(1, b"after the add");
}

/// Revision 2 §5: the members under the sibling of a tombstone's largest memberless subtree
/// seal it; the leftmost is its sponsor, and [`Group::needs_update`] tells it so. Once it
/// updates, the tombstone is blank, in every member's tree.
pub fn verify_sponsor_seals<S: CipherSuite>(seed: u64) {
    let mut sim = Simulation::<S>::new(seed, 8);
    for member in 1..8 {
        sim.update(member);
    }
    // Remove leaves 4 and 5: the subtree of leaves 4-5 is memberless, its sibling holds 6, 7.
    let pending = sim.members[0]
        .commit_remove_with_rng(&[LeafIndex(4), LeafIndex(5)], &mut sim.rng)
        .expect("remove");
    deliver(&mut sim, 0, pending);
    for member in &sim.members {
        let expected: Vec<LeafIndex> = if member.own_leaf() == LeafIndex(6) {
            vec![LeafIndex(4), LeafIndex(5)]
        } else {
            Vec::new()
        };
        assert_eq!(
            member.sponsored_tombstones(),
            expected,
            "{:?}",
            member.own_leaf()
        );
        assert_eq!(member.needs_update(), !expected.is_empty());
    }
    // An update by a member that is not a sealer leaves the tombstones.
    let other = sim.index_of(LeafIndex(1));
    let pending = sim.members[other]
        .commit_update_with_rng(&mut sim.rng)
        .expect("update");
    assert!(pending.summary().sealed.is_empty());
    deliver(&mut sim, other, pending);
    assert_eq!(sim.members[0].tombstones().len(), 2);
    // The sponsor's update seals both.
    let sponsor = sim.index_of(LeafIndex(6));
    let pending = sim.members[sponsor]
        .commit_update_with_rng(&mut sim.rng)
        .expect("update");
    assert_eq!(pending.summary().sealed, vec![LeafIndex(4), LeafIndex(5)]);
    deliver(&mut sim, sponsor, pending);
    for member in &sim.members {
        assert!(member.tombstones().is_empty());
        assert!(!member.needs_update());
    }
}

/// Signs `content` as `member` would, with a confirmation tag and a valid membership tag:
/// what a member running modified code can send.
fn frame_as<S: CipherSuite>(
    member: &Group<S>,
    content: FramedContent<ArtCommit>,
    confirmation_tag: Vec<u8>,
) -> Vec<u8> {
    let signed = sign_content::<S, ArtCommit>(
        WireFormat::PublicMessage,
        content,
        member.context(),
        member.identity().signing_key(),
        Some(confirmation_tag),
    )
    .expect("sign");
    let message = protect_public::<S, ArtCommit>(signed, member.context(), member.membership_key())
        .expect("membership tag");
    MlsMessage::<ArtCommit>::PublicMessage(message)
        .encode_to_vec()
        .expect("encode")
}

/// The content and confirmation tag of a commit this member made.
fn content_of(message: &[u8]) -> (FramedContent<ArtCommit>, Vec<u8>) {
    let Ok(MlsMessage::PublicMessage(public)) = MlsMessage::<ArtCommit>::decode_exact(message)
    else {
        panic!("a commit is a PublicMessage");
    };
    let tag = public
        .auth
        .confirmation_tag
        .clone()
        .expect("a commit has a confirmation tag");
    (public.content, tag)
}

fn commit_mut(content: &mut FramedContent<ArtCommit>) -> &mut ArtCommit {
    match &mut content.content {
        Content::Commit(commit) => commit,
        _ => panic!("not a commit"),
    }
}

/// Revision 2 §5: a member never removes itself. A modified client's signed commit that
/// removes its own sender is refused by every receiver, state unchanged. And a forged removal
/// (a signed commit that names the receiver but carries a bad tree change) is rejected by the
/// receiver it names like by every other member: it does not stop the receiver.
pub fn verify_self_and_forged_removal<S: CipherSuite>(seed: u64) {
    let mut sim = Simulation::<S>::new(seed, 4);
    for member in 1..4 {
        sim.update(member);
    }
    let insider = 2;
    let insider_leaf = sim.members[insider].own_leaf();

    // Self-removal: a genuine remove of leaf 3, turned into a remove of the sender itself.
    let pending = sim.members[insider]
        .commit_remove_with_rng(&[LeafIndex(3)], &mut sim.rng)
        .expect("remove");
    let (mut content, tag) = content_of(pending.message());
    for change in &mut commit_mut(&mut content).tree_change.leaves {
        change.leaf = insider_leaf;
    }
    let self_removal = frame_as(&sim.members[insider], content, tag);
    for index in [0, 1, 3] {
        let error = assert_rejected_without_change(
            &mut sim.members[index],
            &self_removal,
            "a self-removal",
        );
        assert!(
            matches!(error, GroupError::Tree(TreeError::SelfRemoval)),
            "self-removal: {error:?}"
        );
    }

    // A forged removal of member 1: a genuine remove of leaf 1 with a parent key too few.
    let target = 1;
    let target_leaf = sim.members[target].own_leaf();
    let pending = sim.members[insider]
        .commit_remove_with_rng(&[target_leaf], &mut sim.rng)
        .expect("remove");
    let (genuine_content, tag) = content_of(pending.message());
    let mut content = genuine_content.clone();
    let parent_keys = &mut commit_mut(&mut content).tree_change.parent_keys;
    assert!(
        !parent_keys.is_empty(),
        "a remove in a group of 4 sends parent keys"
    );
    parent_keys.pop();
    let forged = frame_as(&sim.members[insider], content, tag.clone());
    for index in [0, target, 3] {
        let error =
            assert_rejected_without_change(&mut sim.members[index], &forged, "a forged removal");
        assert!(
            matches!(error, GroupError::Tree(TreeError::WrongKeyCount { .. })),
            "forged removal at member {index}: {error:?}"
        );
    }
    // A removal with an invalid key for the tombstone is just as void.
    let mut content = genuine_content;
    commit_mut(&mut content).tree_change.leaves[0].public_key = vec![0u8; 3];
    let forged = frame_as(&sim.members[insider], content, tag);
    let error =
        assert_rejected_without_change(&mut sim.members[target], &forged, "a bad tombstone key");
    assert!(
        matches!(error, GroupError::Tree(TreeError::InvalidPublicKey { .. })),
        "bad tombstone key: {error:?}"
    );

    // A staged genuine removal is merged only in its epoch: here another commit won it.
    let staged = sim.members[target]
        .stage_commit(pending.message())
        .expect("a genuine removal stages");
    assert!(staged.summary().is_none(), "it removes the target");
    drop(pending);
    sim.update(0);
    let Err(error) = sim.members[target].merge_staged_commit(staged) else {
        panic!("a removal staged in an earlier epoch was merged");
    };
    assert!(matches!(error, GroupError::StalePendingCommit), "{error:?}");
    sim.message(target, b"still a member");
}

/// A policy that accepts anything: what a receiver without the identity hook did.
struct AcceptAnything;

impl IdentityPolicy for AcceptAnything {
    fn validate_update(&self, _: &LeafNode, _: &LeafNode) -> Result<(), IdentityRejected> {
        Ok(())
    }
}

/// RFC 9420 §7.3 and the identity hook. A member that edits its own saved state to carry
/// another member's name sends an Update whose LeafNode claims that name, correctly signed:
/// the default policy ([`artmls::group::SameCredential`]) refuses it, state unchanged (the
/// control: a receiver that accepts anything ends up with two members of that name). The same
/// KeyPackage twice, or a second KeyPackage of a current member (same signature key), is
/// refused.
pub fn verify_identity_takeover<S: CipherSuite>(seed: u64) {
    let mut sim = Simulation::<S>::new(seed, 3);
    for member in 1..3 {
        sim.update(member);
    }
    let insider = 2;
    let victim_name = b"member-0".to_vec();
    let own_name = format!("member-{insider}").into_bytes();
    assert_eq!(own_name.len(), victim_name.len());
    // The modified client: its saved state with its identity's name replaced (the last
    // occurrence is the identity's credential; earlier ones are in the tree's LeafNodes).
    let state = sim.members[insider].to_bytes().expect("save");
    let mut bytes = state.as_bytes().to_vec();
    let at = bytes
        .windows(own_name.len())
        .rposition(|window| window == own_name.as_slice())
        .expect("the name is in the state");
    bytes[at..at + own_name.len()].copy_from_slice(&victim_name);
    let mut impostor = Group::<S>::from_bytes(&bytes).expect("the edited state restores");
    // Its own library would refuse to make such an update: the modified client lifts that.
    impostor.set_identity_policy(Arc::new(AcceptAnything));
    let takeover = impostor
        .commit_update_with_rng(&mut sim.rng)
        .expect("the impostor updates");

    let error = assert_rejected_without_change(
        &mut sim.members[1],
        takeover.message(),
        "an identity takeover",
    );
    assert!(
        matches!(error, GroupError::IdentityRejected(_)),
        "{error:?}"
    );

    // The control: without the hook the takeover goes through.
    let mut permissive =
        Group::<S>::from_bytes(sim.members[0].to_bytes().expect("save").as_bytes())
            .expect("restore");
    permissive.set_identity_policy(Arc::new(AcceptAnything));
    assert!(matches!(
        permissive.process_message(takeover.message()),
        Ok(Received::Commit(_))
    ));
    let named = permissive
        .members()
        .filter(|(_, leaf_node)| {
            leaf_node.credential
                == (Credential::Basic {
                    identity: victim_name.clone(),
                })
        })
        .count();
    assert_eq!(named, 2, "two members carry the victim's name");

    // Duplicate keys.
    let (_, bundle) = sim.newcomer();
    let key_package = bundle.key_package().clone();
    let Err(error) =
        sim.members[0].commit_add_with_rng(&[key_package.clone(), key_package], &mut sim.rng)
    else {
        panic!("the same KeyPackage was added twice");
    };
    assert!(matches!(error, GroupError::DuplicateKey(_)), "{error:?}");
    let second = sim.members[1]
        .identity()
        .key_package_with_rng(&mut sim.rng)
        .expect("key package");
    let Err(error) =
        sim.members[0].commit_add_with_rng(&[second.key_package().clone()], &mut sim.rng)
    else {
        panic!("a current member's second KeyPackage was added");
    };
    assert!(
        matches!(error, GroupError::DuplicateKey("signature key")),
        "{error:?}"
    );
}

/// A policy whose clock reads a fixed time.
struct FixedClock(u64);

impl IdentityPolicy for FixedClock {
    fn validate_update(
        &self,
        current: &LeafNode,
        updated: &LeafNode,
    ) -> Result<(), IdentityRejected> {
        artmls::group::SAME_CREDENTIAL.validate_update(current, updated)
    }
    fn now(&self) -> u64 {
        self.0
    }
}

/// A KeyPackage outside its lifetime is refused on Add.
pub fn verify_key_package_lifetime<S: CipherSuite>(seed: u64) {
    use artmls::messages::{LeafNodeSource, Lifetime};

    let mut sim = Simulation::<S>::new(seed, 2);
    sim.update(1);
    let (identity, bundle) = sim.newcomer();
    let mut key_package = bundle.key_package().clone();
    key_package.leaf_node.leaf_node_source = LeafNodeSource::KeyPackage(Lifetime {
        not_before: 1_000,
        not_after: 2_000,
    });
    key_package
        .leaf_node
        .sign::<S>(identity.signing_key(), None)
        .expect("sign the leaf node");
    key_package
        .sign::<S>(identity.signing_key())
        .expect("sign the key package");
    for (now, valid) in [(999, false), (1_000, true), (2_000, true), (2_001, false)] {
        sim.members[0].set_identity_policy(Arc::new(FixedClock(now)));
        let result = sim.members[0].commit_add_with_rng(&[key_package.clone()], &mut sim.rng);
        match (valid, result) {
            (true, Ok(_)) => {}
            (false, Err(GroupError::InvalidLeafNode(_))) => {}
            (valid, result) => panic!("at {now} (valid: {valid}): {:?}", result.err()),
        }
    }
}

/// A policy that refuses newcomers of one name: an application's rule that other members do
/// not share, which forks the member that has it.
struct RefuseName(Vec<u8>);

impl IdentityPolicy for RefuseName {
    fn validate_newcomer(&self, leaf_node: &LeafNode) -> Result<(), IdentityRejected> {
        match &leaf_node.credential {
            Credential::Basic { identity } if *identity == self.0 => {
                Err(IdentityRejected("this name is refused here".into()))
            }
            _ => Ok(()),
        }
    }
    fn validate_update(
        &self,
        current: &LeafNode,
        updated: &LeafNode,
    ) -> Result<(), IdentityRejected> {
        artmls::group::SAME_CREDENTIAL.validate_update(current, updated)
    }
}

/// The ordering service follows each group's public state: junk, a commit signed by someone
/// who is not a current member, and a commit against the tree's rules are refused, and the
/// group's epoch at the service does not move. A member that rejects a commit the service
/// accepted (here: by a rule of its own) is forked; it gets back in by being removed and
/// re-added with a fresh KeyPackage, and then agrees with everyone.
pub fn verify_ordering_service_validates<S: CipherSuite>(seed: u64) {
    use artmls::ordering::OrderingError;

    let mut sim = Simulation::<S>::new(seed, 4);
    for member in 1..4 {
        sim.update(member);
    }
    let group_id = sim.group_id().to_vec();
    let epoch = sim.service.epoch(&group_id).expect("registered");

    // Junk with a commit's clear header: version, PublicMessage, group id, epoch, a member
    // sender, no authenticated data, content type commit, then garbage. The header is not
    // read from a message that does not decode whole, so it is refused before anything else.
    let mut junk = vec![0x00, 0x01, 0x00, 0x01];
    junk.push(group_id.len() as u8);
    junk.extend_from_slice(&group_id);
    junk.extend_from_slice(&epoch.to_be_bytes());
    junk.extend_from_slice(&[0x01, 0, 0, 0, 1, 0x00, 0x03, 0xde, 0xad]);
    assert!(artmls::ordering::MessageHeader::read(&junk).is_err());
    let refused = sim.service.submit(&junk);
    assert!(
        matches!(refused, Err(OrderingError::Codec(_))),
        "junk: {refused:?}"
    );

    // A genuine commit re-signed by an outsider (its membership tag is the member's, but the
    // service checks the signature against the sender's key in the tree).
    let pending = sim.members[1]
        .commit_update_with_rng(&mut sim.rng)
        .expect("update");
    let (content, tag) = content_of(pending.message());
    let outsider = artmls::group::Identity::<S>::new_with_rng("outsider", &mut sim.rng);
    let signed = sign_content::<S, ArtCommit>(
        WireFormat::PublicMessage,
        content.clone(),
        sim.members[1].context(),
        outsider.signing_key(),
        Some(tag.clone()),
    )
    .expect("sign");
    let message = protect_public::<S, ArtCommit>(
        signed,
        sim.members[1].context(),
        sim.members[1].membership_key(),
    )
    .expect("tag");
    let forged = MlsMessage::<ArtCommit>::PublicMessage(message)
        .encode_to_vec()
        .expect("encode");
    let refused = sim.service.submit(&forged);
    assert!(
        matches!(refused, Err(OrderingError::Invalid(GroupError::Framing(_)))),
        "outsider: {refused:?}"
    );
    // A commit naming a sender that is not a member.
    let mut content = content;
    content.sender = artmls::messages::Sender::Member(LeafIndex(9));
    let not_a_member = frame_as(&sim.members[1], content, tag);
    let refused = sim.service.submit(&not_a_member);
    assert!(
        matches!(
            refused,
            Err(OrderingError::Invalid(GroupError::UnknownSender(_)))
        ),
        "non-member: {refused:?}"
    );
    // A self-removal, signed by a member.
    let remove = sim.members[2]
        .commit_remove_with_rng(&[LeafIndex(3)], &mut sim.rng)
        .expect("remove");
    let (mut content, tag) = content_of(remove.message());
    for change in &mut commit_mut(&mut content).tree_change.leaves {
        change.leaf = sim.members[2].own_leaf();
    }
    let self_removal = frame_as(&sim.members[2], content, tag);
    let refused = sim.service.submit(&self_removal);
    assert!(
        matches!(
            refused,
            Err(OrderingError::Invalid(GroupError::Tree(
                TreeError::SelfRemoval
            )))
        ),
        "self-removal: {refused:?}"
    );
    assert_eq!(
        sim.service.epoch(&group_id),
        Some(epoch),
        "nothing moved the group on"
    );
    // The genuine update still goes through, and the service's public state is the members'.
    drop(remove);
    deliver(&mut sim, 1, pending);
    let public = sim.service.public_group(&group_id).expect("registered");
    assert_eq!(public.context(), sim.members[0].context());

    // A fork: member 3 refuses newcomers named "mallory"; the others do not.
    let forked_leaf = sim.members[3].own_leaf();
    let mut forked = sim.members.remove(3);
    sim.outside = 1;
    forked.set_identity_policy(Arc::new(RefuseName(b"mallory".to_vec())));
    let mallory = artmls::group::Identity::<S>::new_with_rng("mallory", &mut sim.rng);
    let bundle = mallory.key_package_with_rng(&mut sim.rng).expect("kp");
    let add = sim.members[0]
        .commit_add_with_rng(&[bundle.key_package().clone()], &mut sim.rng)
        .expect("add");
    let add_message = add.message().to_vec();
    sim.deliver(0, add, vec![(mallory, bundle)])
        .expect("the service accepts the add");
    let error = assert_rejected_without_change(&mut forked, &add_message, "the forking add");
    assert!(
        matches!(error, GroupError::IdentityRejected(_)),
        "{error:?}"
    );
    // The forked member can follow nothing more: its epoch is behind for good.
    sim.message(0, b"the group goes on");
    let later = sim
        .service
        .fetch(&group_id, 0)
        .last()
        .expect("a message")
        .clone();
    assert!(matches!(
        forked.process_message(&later),
        Err(GroupError::FutureEpoch { .. })
    ));

    // The way back: a member removes the forked leaf and adds the member's fresh KeyPackage.
    let name = forked.identity().name().to_vec();
    drop(forked);
    sim.outside = 0;
    let remover = sim.index_of(LeafIndex(0));
    let pending = sim.members[remover]
        .commit_remove_with_rng(&[forked_leaf], &mut sim.rng)
        .expect("remove the forked leaf");
    deliver(&mut sim, remover, pending);
    let identity = artmls::group::Identity::<S>::new_with_rng(name, &mut sim.rng);
    let bundle = identity.key_package_with_rng(&mut sim.rng).expect("kp");
    let pending = sim.members[remover]
        .commit_add_with_rng(&[bundle.key_package().clone()], &mut sim.rng)
        .expect("re-add");
    sim.deliver(remover, pending, vec![(identity, bundle)])
        .expect("accepted");
    let rejoined = sim.members.len() - 1;
    sim.update(rejoined);
    sim.message(rejoined, b"back in");
}

/// A genuine tree that is mostly blank joins: the decoder's allocation budget for a received
/// ratchet tree is large enough for blank nodes (a byte on the wire each), and still linear in
/// the input. Two members at the ends of a 512-leaf tree, the rest removed and sealed.
pub fn verify_sparse_tree_joins<S: CipherSuite>(seed: u64) {
    use artmls::group::{GroupConfig, Identity};

    let mut rng = crate::rng::seeded(seed);
    let creator = Identity::<S>::new_with_rng("creator", &mut rng);
    let mut invitees: Vec<_> = (1..512)
        .map(|index| {
            let identity = Identity::<S>::new_with_rng(format!("member-{index}"), &mut rng);
            let bundle = identity
                .key_package_with_rng(&mut rng)
                .expect("key package");
            (identity, bundle)
        })
        .collect();
    let key_packages: Vec<_> = invitees
        .iter()
        .map(|(_, bundle)| bundle.key_package().clone())
        .collect();
    let (mut group, welcome) = Group::initiate_with_rng(
        creator,
        b"sparse".to_vec(),
        &key_packages,
        GroupConfig::default(),
        &mut rng,
    )
    .expect("initiate");
    let (identity, bundle) = invitees.pop().expect("the member at leaf 511");
    let mut last = Group::join(&welcome, &bundle, identity, GroupConfig::default()).expect("join");
    assert_eq!(last.own_leaf(), LeafIndex(511));
    let commit = |sender: &mut Group<S>, other: &mut Group<S>, pending: PendingCommit<S>| {
        other.process_message(pending.message()).expect("process");
        sender.merge_pending_commit(pending).expect("merge")
    };
    let pending = last.commit_update_with_rng(&mut rng).expect("first update");
    commit(&mut last, &mut group, pending);
    let removed: Vec<LeafIndex> = (1..511).map(LeafIndex).collect();
    let pending = group
        .commit_remove_with_rng(&removed, &mut rng)
        .expect("remove");
    commit(&mut group, &mut last, pending);
    // Each end seals its half's tombstones.
    let pending = group.commit_update_with_rng(&mut rng).expect("update");
    let sealed = commit(&mut group, &mut last, pending).sealed.len();
    let pending = last.commit_update_with_rng(&mut rng).expect("update");
    let sealed = sealed + commit(&mut last, &mut group, pending).sealed.len();
    assert_eq!(sealed, 510, "every tombstone is sealed");
    assert!(group.tombstones().is_empty());
    assert_eq!(group.art().tree().n_leaves(), 512);
    assert_eq!(group.member_count(), 2);

    let identity = Identity::<S>::new_with_rng("newcomer", &mut rng);
    let bundle = identity
        .key_package_with_rng(&mut rng)
        .expect("key package");
    let pending = group
        .commit_add_with_rng(&[bundle.key_package().clone()], &mut rng)
        .expect("add");
    let welcome = pending.welcome().expect("a Welcome").to_vec();
    group.merge_pending_commit(pending).expect("merge");
    let joined = Group::join(&welcome, &bundle, identity, GroupConfig::default())
        .expect("a sparse genuine tree joins");
    assert_eq!(joined.epoch_authenticator(), group.epoch_authenticator());
}
