//! The stateful targets: persisted state, received messages, and joining from a Welcome.
//!
//! Invariants:
//!
//! - `group_from_bytes`: restoring never panics; a restored state persists again, and that
//!   restores to a state that persists to the same bytes (persisting is stable).
//! - `process_message`, `process_message_structured`: processing never panics; a rejected
//!   message leaves the receiver's persisted state byte for byte as it was; an accepted
//!   message is byte for byte one that a member really sent (nothing forged or altered is
//!   ever accepted: every field of a message is covered by a signature, a MAC or an AEAD).
//!   The one exception is a commit that removes the receiver: it takes a member's signature
//!   and membership tag, but the receiver cannot check its confirmation tag, so a member can
//!   change it (the structured target re-signs changed commits, as a malicious member could);
//!   accepting it is allowed only if another member accepts it too, or rejects it only
//!   for its confirmation tag.
//! - `join`: joining never panics; a join that succeeds gives the group a real Welcome gives
//!   (same epoch authenticator).

use std::sync::{Mutex, MutexGuard, OnceLock};

use arbitrary::{Arbitrary, Unstructured};
use artmls::codec::{Decode, Encode};
use artmls::group::{ArtCommit, Group, GroupConfig, GroupError, Received};
use artmls::internals::framing::{protect_public, sign_content};
use artmls::internals::key_schedule::KeyScheduleError;
use artmls::messages::{
    Content, ContentType, FramedContent, GroupContext, LeafNode, MlsMessage, PrivateMessage,
    PublicMessage, Sender, WireFormat,
};
use artmls::secret::Secret;
use artmls::tree_math::LeafIndex;

use crate::fixture::{Fixture, RECEIVER, Suite};

/// Restores a persisted state (`Group::from_bytes`).
pub fn group_from_bytes(data: &[u8]) {
    let Ok(group) = Group::<Suite>::from_bytes(data) else {
        return;
    };
    let first = group
        .to_bytes()
        .unwrap_or_else(|error| panic!("a restored state does not persist: {error}"));
    let again = Group::<Suite>::from_bytes(first.as_bytes()).unwrap_or_else(|error| {
        panic!("a state persisted after restoring does not restore: {error}")
    });
    let second = again
        .to_bytes()
        .unwrap_or_else(|error| panic!("a twice-restored state does not persist: {error}"));
    assert!(
        first.as_bytes() == second.as_bytes(),
        "persisting is not stable: {} bytes, then {} different bytes",
        first.len(),
        second.len()
    );
}

/// The receiver (bob at epoch 3) that every input is processed by, and its persisted bytes.
///
/// Restoring a state for every input would dominate the cost of an execution, so the state
/// is kept between inputs: a rejected message must leave it unchanged (which is checked), so
/// the next input sees the same state; after an accepted message it is restored from the
/// fixture. Every input therefore starts from the same state, and a crash replays alone.
struct Live {
    receiver: Mutex<Group<Suite>>,
    baseline: Secret,
}

fn live() -> &'static Live {
    static LIVE: OnceLock<Live> = OnceLock::new();
    LIVE.get_or_init(|| {
        let receiver = Fixture::get().receiver();
        let baseline = receiver.to_bytes().expect("the fixture's state persists");
        Live {
            receiver: Mutex::new(receiver),
            baseline,
        }
    })
}

/// The receiver, in the fixture's state even if an earlier input panicked while holding it
/// (under the test harness a failing input does not end the process).
fn lock_receiver() -> MutexGuard<'static, Group<Suite>> {
    let live = live();
    match live.receiver.lock() {
        Ok(guard) => guard,
        Err(poisoned) => {
            live.receiver.clear_poison();
            let mut guard = poisoned.into_inner();
            *guard = Fixture::get().receiver();
            guard
        }
    }
}

/// Feeds one message to the receiver and checks the invariants of the module.
fn check_process(message: &[u8]) {
    let fixture = Fixture::get();
    let mut receiver = lock_receiver();
    match receiver.process_message(message) {
        Err(error) => {
            let after = receiver.to_bytes().unwrap_or_else(|e| {
                panic!("the state after a rejection ({error}) does not persist: {e}")
            });
            assert!(
                after.as_bytes() == live().baseline.as_bytes(),
                "a rejected message ({error}) changed the receiver's state"
            );
        }
        Ok(received) => {
            let real = fixture
                .messages
                .iter()
                .any(|sample| sample.accepted && sample.bytes == message);
            match (real, &received) {
                (true, _) => {}
                // A member can sign anything, but a commit the receiver applies is bound by
                // its confirmation tag, which only the real commit has. A commit that removes
                // the receiver cannot be checked that way (it does not reach the new epoch),
                // so it must at least pass every other check the rest of the group makes;
                // otherwise the receiver leaves a group that goes on with it as a member.
                // Getting that far takes a member's signature and the membership tag, so
                // the input is a member's work even when it was not re-signed here: a
                // commit the same members made in an older version of the fixture (a stale
                // corpus file) is one.
                (false, Received::Removed { by }) => {
                    assert!(
                        others_accept(message, by.0 as usize) || allowed(REMOVAL_DESYNC),
                        "the receiver accepted its removal by {by:?} from a commit that every \
                         other member rejects"
                    );
                }
                _ => panic!("a message no member sent was accepted: {received:?}"),
            }
            *receiver = fixture.receiver();
        }
    }
}

/// The open finding "a member accepts its removal from a commit the rest of the group
/// rejects" (docs/security-fuzzing.md, finding 2).
const REMOVAL_DESYNC: &str = "removal-desync";

/// Whether the open finding `name` is tolerated in this run: `ARTMLS_FUZZ_ALLOW` lists them,
/// comma-separated. A campaign sets it to go on past a finding already reported; the smoke
/// test and a plain `cargo fuzz run` leave it unset, so every invariant holds in full.
fn allowed(name: &str) -> bool {
    static ALLOWED: OnceLock<Vec<String>> = OnceLock::new();
    ALLOWED
        .get_or_init(|| {
            std::env::var("ARTMLS_FUZZ_ALLOW")
                .unwrap_or_default()
                .split(',')
                .map(|item| item.trim().to_string())
                .filter(|item| !item.is_empty())
                .collect()
        })
        .iter()
        .any(|item| item == name)
}

/// Whether every check the receiver could have made holds for `message`: some member other
/// than the receiver and `sender` accepts it, or rejects it only for its confirmation tag
/// (which a removed member cannot check: it needs the new epoch's secrets).
fn others_accept(message: &[u8], sender: usize) -> bool {
    let fixture = Fixture::get();
    fixture
        .member_states
        .iter()
        .enumerate()
        .filter(|(leaf, _)| *leaf != RECEIVER && *leaf != sender)
        .any(|(_, state)| {
            let result = Group::<Suite>::from_bytes(state.as_bytes())
                .expect("the fixture's states restore")
                .process_message(message);
            matches!(
                result,
                Ok(_)
                    | Err(GroupError::KeySchedule(
                        KeyScheduleError::ConfirmationTagMismatch
                    ))
            )
        })
}

/// `Group::process_message` on raw bytes.
pub fn process_message(data: &[u8]) {
    check_process(data);
}

/// `Group::join` with the fuzzer's bytes as the Welcome and eve's real KeyPackage.
pub fn join(data: &[u8]) {
    let fixture = Fixture::get();
    let Ok(group) = Group::join(
        data,
        &fixture.joiner,
        fixture.joiner_identity(),
        GroupConfig::default(),
    ) else {
        return;
    };
    assert!(
        fixture
            .welcome_authenticators
            .iter()
            .any(|real| real.as_bytes() == group.epoch_authenticator().as_bytes()),
        "a Welcome no member made was accepted: {group:?}"
    );
}

/// What to do to an opaque field (a key, a tag, a signature, a ciphertext).
#[derive(Debug, Arbitrary)]
enum Bytes {
    FlipBit(u16),
    Truncate(u8),
    Append(Vec<u8>),
    Replace(Vec<u8>),
    Zero,
    /// Replace it by one of the real public keys of the fixture's commits: a well-formed key
    /// gets past parsing to the checks behind it.
    RealKey(u8),
}

impl Bytes {
    fn apply(&self, field: &mut Vec<u8>, keys: &[Vec<u8>]) {
        match self {
            Bytes::FlipBit(bit) => {
                if !field.is_empty() {
                    let bit = usize::from(*bit) % (field.len() * 8);
                    field[bit / 8] ^= 1 << (bit % 8);
                }
            }
            Bytes::Truncate(len) => field.truncate(usize::from(*len)),
            Bytes::Append(extra) => field.extend_from_slice(extra),
            Bytes::Replace(new) => new.clone_into(field),
            Bytes::Zero => field.iter_mut().for_each(|byte| *byte = 0),
            Bytes::RealKey(index) => {
                if let Some(key) = pick(keys, *index) {
                    key.clone_into(field);
                }
            }
        }
    }
}

fn pick<T>(items: &[T], index: u8) -> Option<&T> {
    if items.is_empty() {
        None
    } else {
        items.get(usize::from(index) % items.len())
    }
}

/// One change to a real message, at the level of its fields.
#[derive(Debug, Arbitrary)]
enum Edit {
    GroupId(Bytes),
    /// Moves the epoch by a small amount (a random `u64` is almost never near the real one).
    Epoch(i8),
    Sender(u32),
    ExternalSender(u32),
    AuthenticatedData(Bytes),
    LeafChangeKind {
        index: u8,
        kind: u8,
    },
    LeafChangeLeaf {
        index: u8,
        leaf: u32,
    },
    LeafChangeKey {
        index: u8,
        key: Bytes,
    },
    DropLeafChange(u8),
    DuplicateLeafChange(u8),
    SwapLeafChanges(u8, u8),
    ParentKey {
        index: u8,
        key: Bytes,
    },
    DropParentKey(u8),
    DuplicateParentKey(u8),
    PushParentKey(u8),
    DropKeyPackage(u8),
    DuplicateKeyPackage(u8),
    KeyPackageInitKey {
        index: u8,
        key: Bytes,
    },
    KeyPackageLeafKey {
        index: u8,
        key: Bytes,
    },
    KeyPackageSuite {
        index: u8,
        suite: u16,
    },
    DropLeafNode,
    LeafNodeKey(Bytes),
    /// Takes the sender's LeafNode, tree change or KeyPackages from another real commit.
    BorrowLeafNode(u8),
    BorrowTreeChange(u8),
    BorrowKeyPackages(u8),
    Signature(Bytes),
    ConfirmationTag(Bytes),
    DropConfirmationTag,
    MembershipTag(Bytes),
    DropMembershipTag,
    ContentType(u8),
    SenderData(Bytes),
    Ciphertext(Bytes),
}

/// A real message, changes to its fields, and whether to sign and tag it again afterwards
/// with its sender's real keys: a malicious member can, so the checks behind the signature
/// (the tree change, the KeyPackages, the LeafNode, the confirmation tag) are reached.
#[derive(Debug, Arbitrary)]
struct Mutation {
    base: u8,
    resign: bool,
    edits: Vec<Edit>,
}

/// At most this many edits per input, so that one execution stays short.
const MAX_EDITS: usize = 16;

/// The fixture's messages decoded, and the public keys in its commits.
struct Bases {
    messages: Vec<MlsMessage<ArtCommit>>,
    /// The receiver's GroupContext: what a member signs a PublicMessage under.
    context: GroupContext,
    commits: Vec<ArtCommit>,
    keys: Vec<Vec<u8>>,
}

fn bases() -> &'static Bases {
    static BASES: OnceLock<Bases> = OnceLock::new();
    BASES.get_or_init(|| {
        let messages: Vec<MlsMessage<ArtCommit>> = Fixture::get()
            .messages
            .iter()
            .map(|sample| {
                MlsMessage::decode_exact(&sample.bytes).expect("the fixture's messages decode")
            })
            .collect();
        let commits: Vec<ArtCommit> = messages
            .iter()
            .filter_map(|message| match message {
                MlsMessage::PublicMessage(PublicMessage {
                    content:
                        FramedContent {
                            content: Content::Commit(commit),
                            ..
                        },
                    ..
                }) => Some((**commit).clone()),
                _ => None,
            })
            .collect();
        let mut keys = Vec::new();
        for commit in &commits {
            keys.extend(
                commit
                    .tree_change
                    .leaves
                    .iter()
                    .map(|l| l.public_key.clone()),
            );
            keys.extend(commit.tree_change.parent_keys.iter().cloned());
            keys.extend(commit.key_packages.iter().map(|kp| kp.init_key.clone()));
        }
        keys.sort();
        keys.dedup();
        Bases {
            messages,
            context: Fixture::get().receiver().context().clone(),
            commits,
            keys,
        }
    })
}

/// Applies an edit to the body of a commit.
fn edit_commit(commit: &mut ArtCommit, edit: &Edit, bases: &Bases) {
    let keys = &bases.keys;
    let leaves = &mut commit.tree_change.leaves;
    let parents = &mut commit.tree_change.parent_keys;
    let key_packages = &mut commit.key_packages;
    match edit {
        Edit::LeafChangeKind { index, kind } => {
            if let Some(change) = pick_mut(leaves, *index) {
                // Any byte the codec takes as a kind, so that kinds added later are reached too.
                let encoded = [*kind];
                if let Ok(kind) = Decode::decode_exact(&encoded) {
                    change.kind = kind;
                }
            }
        }
        Edit::LeafChangeLeaf { index, leaf } => {
            if let Some(change) = pick_mut(leaves, *index) {
                change.leaf = LeafIndex(*leaf % 16);
            }
        }
        Edit::LeafChangeKey { index, key } => {
            if let Some(change) = pick_mut(leaves, *index) {
                key.apply(&mut change.public_key, keys);
            }
        }
        Edit::DropLeafChange(index) => remove(leaves, *index),
        Edit::DuplicateLeafChange(index) => duplicate(leaves, *index),
        Edit::SwapLeafChanges(a, b) if !leaves.is_empty() => {
            let len = leaves.len();
            leaves.swap(usize::from(*a) % len, usize::from(*b) % len);
        }
        Edit::ParentKey { index, key } => {
            if let Some(parent) = pick_mut(parents, *index) {
                key.apply(parent, keys);
            }
        }
        Edit::DropParentKey(index) => remove(parents, *index),
        Edit::DuplicateParentKey(index) => duplicate(parents, *index),
        Edit::PushParentKey(index) => {
            if let Some(key) = pick(keys, *index) {
                parents.push(key.clone());
            }
        }
        Edit::DropKeyPackage(index) => remove(key_packages, *index),
        Edit::DuplicateKeyPackage(index) => duplicate(key_packages, *index),
        Edit::KeyPackageInitKey { index, key } => {
            if let Some(kp) = pick_mut(key_packages, *index) {
                key.apply(&mut kp.init_key, keys);
            }
        }
        Edit::KeyPackageLeafKey { index, key } => {
            if let Some(kp) = pick_mut(key_packages, *index) {
                key.apply(&mut kp.leaf_node.encryption_key, keys);
            }
        }
        Edit::KeyPackageSuite { index, suite } => {
            if let Some(kp) = pick_mut(key_packages, *index) {
                kp.cipher_suite = artmls::SuiteId(*suite);
            }
        }
        Edit::DropLeafNode => commit.leaf_node = None,
        Edit::LeafNodeKey(key) => {
            if let Some(leaf_node) = commit.leaf_node.as_mut() {
                key.apply(&mut leaf_node.encryption_key, keys);
            }
        }
        Edit::BorrowLeafNode(index) => {
            let borrowed: Vec<&LeafNode> = bases
                .commits
                .iter()
                .filter_map(|c| c.leaf_node.as_ref())
                .collect();
            if let Some(leaf_node) = pick(&borrowed, *index) {
                commit.leaf_node = Some((*leaf_node).clone());
            }
        }
        Edit::BorrowTreeChange(index) => {
            if let Some(other) = pick(&bases.commits, *index) {
                commit.tree_change = other.tree_change.clone();
            }
        }
        Edit::BorrowKeyPackages(index) => {
            if let Some(other) = pick(&bases.commits, *index) {
                commit.key_packages = other.key_packages.clone();
            }
        }
        _ => {}
    }
}

fn pick_mut<T>(items: &mut [T], index: u8) -> Option<&mut T> {
    if items.is_empty() {
        None
    } else {
        let len = items.len();
        items.get_mut(usize::from(index) % len)
    }
}

fn remove<T>(items: &mut Vec<T>, index: u8) {
    if !items.is_empty() {
        let len = items.len();
        items.remove(usize::from(index) % len);
    }
}

fn duplicate<T: Clone>(items: &mut Vec<T>, index: u8) {
    if let Some(item) = pick(items, index).cloned() {
        items.push(item);
    }
}

fn edit_public(message: &mut PublicMessage<ArtCommit>, edit: &Edit, bases: &Bases) {
    let keys = &bases.keys;
    let content = &mut message.content;
    match edit {
        Edit::GroupId(bytes) => bytes.apply(&mut content.group_id, keys),
        Edit::Epoch(delta) => content.epoch = content.epoch.wrapping_add_signed(i64::from(*delta)),
        Edit::Sender(leaf) => content.sender = Sender::Member(LeafIndex(*leaf % 16)),
        Edit::ExternalSender(index) => content.sender = Sender::External(*index),
        Edit::AuthenticatedData(bytes) => bytes.apply(&mut content.authenticated_data, keys),
        Edit::Signature(bytes) => bytes.apply(&mut message.auth.signature, keys),
        Edit::ConfirmationTag(bytes) => {
            let tag = message.auth.confirmation_tag.get_or_insert_with(Vec::new);
            bytes.apply(tag, keys);
        }
        Edit::DropConfirmationTag => message.auth.confirmation_tag = None,
        Edit::MembershipTag(bytes) => {
            let tag = message.membership_tag.get_or_insert_with(Vec::new);
            bytes.apply(tag, keys);
        }
        Edit::DropMembershipTag => message.membership_tag = None,
        other => {
            if let Content::Commit(commit) = &mut content.content {
                edit_commit(commit, other, bases);
            }
        }
    }
}

fn edit_private(message: &mut PrivateMessage, edit: &Edit, keys: &[Vec<u8>]) {
    match edit {
        Edit::GroupId(bytes) => bytes.apply(&mut message.group_id, keys),
        Edit::Epoch(delta) => message.epoch = message.epoch.wrapping_add_signed(i64::from(*delta)),
        Edit::AuthenticatedData(bytes) => bytes.apply(&mut message.authenticated_data, keys),
        Edit::ContentType(kind) => {
            message.content_type = match kind % 3 {
                0 => ContentType::Application,
                1 => ContentType::Proposal,
                _ => ContentType::Commit,
            }
        }
        Edit::SenderData(bytes) => bytes.apply(&mut message.encrypted_sender_data, keys),
        Edit::Ciphertext(bytes) => bytes.apply(&mut message.ciphertext, keys),
        _ => {}
    }
}

/// Signs a (changed) commit again with its real sender's key and tags it with the epoch's
/// membership key, as a malicious member could. The confirmation tag is left as it is: making
/// a valid one needs the new epoch's secrets, which a wrong commit does not have.
fn resign(
    message: PublicMessage<ArtCommit>,
    sender: usize,
    bases: &Bases,
) -> PublicMessage<ArtCommit> {
    let fixture = Fixture::get();
    let context = &bases.context;
    let Some(identity) = fixture.identities.get(sender) else {
        return message;
    };
    let signed = sign_content::<Suite, ArtCommit>(
        WireFormat::PublicMessage,
        message.content.clone(),
        context,
        identity.signing_key(),
        message.auth.confirmation_tag.clone(),
    );
    signed
        .and_then(|signed| {
            protect_public::<Suite, ArtCommit>(signed, context, &fixture.membership_key)
        })
        .unwrap_or(message)
}

/// `Group::process_message` on a real message with field-level changes (see `Mutation`).
pub fn process_message_structured(data: &[u8]) {
    let Ok(mutation) = Mutation::arbitrary_take_rest(Unstructured::new(data)) else {
        return;
    };
    let bases = bases();
    let fixture = Fixture::get();
    let Some(index) =
        (!bases.messages.is_empty()).then(|| usize::from(mutation.base) % bases.messages.len())
    else {
        return;
    };
    let mut message = bases.messages[index].clone();
    for edit in mutation.edits.iter().take(MAX_EDITS) {
        match &mut message {
            MlsMessage::PublicMessage(public) => edit_public(public, edit, bases),
            MlsMessage::PrivateMessage(private) => edit_private(private, edit, &bases.keys),
            _ => {}
        }
    }
    if mutation.resign
        && let MlsMessage::PublicMessage(public) = message
    {
        message = MlsMessage::PublicMessage(resign(public, fixture.messages[index].sender, bases));
    }
    if let Ok(bytes) = message.encode_to_vec() {
        check_process(&bytes);
    }
}

/// What an input of `process_message_structured` means: the real message it starts from and
/// the edits, for reading a crash (`cargo run -p artmls-fuzz-targets --bin describe-structured
/// -- FILE`).
pub fn describe_structured(data: &[u8]) -> String {
    let Ok(mutation) = Mutation::arbitrary_take_rest(Unstructured::new(data)) else {
        return "not a valid input (arbitrary rejects it)".to_string();
    };
    let messages = &Fixture::get().messages;
    let base = messages
        .get(usize::from(mutation.base) % messages.len().max(1))
        .map_or("none", |sample| sample.name);
    format!("base message: {base}\n{mutation:#?}")
}
