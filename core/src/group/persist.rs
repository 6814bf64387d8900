//! A member's whole group state as bytes, and back, so an application can restore it after a
//! restart; and the same state without its tree, as the store keeps it (see
//! [`crate::storage`]).
//!
//! ```text
//! "artmls-group" || uint8 format_version (2) || uint16 cipher_suite
//! GroupContext context
//! uint32 own_leaf
//! ArtRatchetTree tree                       // the public tree and every member's LeafNode
//! StateTail tail
//! PastEpoch past_epochs<V>                  // see group::past
//!
//! struct {
//!     opaque own_path_secrets<V><V>;        // node secrets of the own direct path, leaf first
//!     EpochSecrets epoch_secrets;           // see EpochSecrets::encode_state
//!     SecretTree secret_tree;               // see SecretTree::encode_state
//!     opaque interim_transcript_hash<V>;
//!     opaque signing_key<V>; Credential credential;
//!     uint8 needs_update; uint8 removed; uint8 update_first; uint32 padding_block (0: none)
//!     uint32 past_epochs_kept; uint64 log_position;
//! } StateTail;
//! ```
//!
//! Format version 1 (before past epochs and the log position) is still read: it ends after
//! `padding_block`, and restores with no past epoch kept and position 0.
//!
//! In a store, a group's state record is `context || own_leaf || StateTail` followed by
//! `PastRef past<V>` (`uint64 epoch; uint64 generation`): the tree's nodes and the past epochs
//! are records of their own.
//!
//! The bytes hold every secret of the member: store them as you would a private key.

use std::collections::VecDeque;

use crate::art_tree::ArtMember;
use crate::codec::{ALLOCATION_BASE, CodecError, Decode, Encode, Reader, varint_len, write_varint};
use crate::framing::Padding;
use crate::group::identity::Identity;
use crate::group::past::PastEpoch;
use crate::group::tree_hash::TreeHashes;
use crate::group::{ArtRatchetTree, CurrentView, Group, GroupConfig, GroupError, ratchet_tree};
use crate::key_schedule::EpochSecrets;
use crate::messages::{Credential, GroupContext};
use crate::secret::Secret;
use crate::secret_tree::SecretTree;
use crate::suite::CipherSuite;
use crate::suite::SuiteId;
use crate::tree_math::LeafIndex;
use artmls_crypto::SignatureScheme;

/// The first bytes of every persisted group state.
pub(crate) const MAGIC: &[u8] = b"artmls-group";
const FORMAT_VERSION: u8 = 2;

/// How many heap bytes restoring a state may request per byte of it, instead of the codec's
/// default for bytes off the network ([`crate::codec::ALLOCATION_PER_INPUT_BYTE`], 16).
///
/// A persisted state is the member's own, so the budget only guards against damaged bytes; it
/// must not refuse a genuine state. The sparsest genuine tree (blank leaves: about 4 bytes
/// each on the wire, each an absent key pair, LeafKind and `Option<LeafNode>` in memory, paid
/// twice while their vectors grow) needs about 165 bytes of memory per byte of state; 256
/// leaves room above that.
pub(crate) const PERSISTED_ALLOCATION_PER_BYTE: usize = 256;

/// A reader for persisted bytes, with the budget above.
pub(crate) fn persisted_reader(bytes: &[u8]) -> Reader<'_> {
    let budget = bytes
        .len()
        .saturating_mul(PERSISTED_ALLOCATION_PER_BYTE)
        .saturating_add(ALLOCATION_BASE);
    Reader::with_budget(bytes, budget)
}

/// Reads a flag byte. Only 0 and 1 are flags: any other value means the bytes are damaged (or
/// not a state at all), and reading it as `false` would restore a member that differs from
/// the one written, silently.
fn read_flag(reader: &mut Reader<'_>, what: &'static str) -> Result<bool, CodecError> {
    match u8::decode(reader)? {
        0 => Ok(false),
        1 => Ok(true),
        value => Err(CodecError::InvalidValue {
            what,
            value: u64::from(value),
        }),
    }
}

/// Writes the secrets as `opaque own_path_secrets<V><V>` into a buffer sized exactly first,
/// so that no reallocation leaves a copy of them behind; the buffer is erased when dropped.
fn encode_path_secrets(secrets: &[&Secret]) -> Result<Secret, CodecError> {
    let body: usize = secrets
        .iter()
        .map(|secret| varint_len(secret.len()) + secret.len())
        .sum();
    Secret::write_exact(varint_len(body) + body, |out| {
        write_varint(out, body)?;
        for secret in secrets {
            secret.encode(out)?;
        }
        Ok(())
    })
}

/// The parts, in order, in one buffer of exactly their length.
fn concat_exact(parts: &[&[u8]]) -> Secret {
    let len = parts.iter().map(|part| part.len()).sum();
    let written = Secret::write_exact(len, |out| {
        for part in parts {
            out.extend_from_slice(part);
        }
        Ok::<_, core::convert::Infallible>(())
    });
    match written {
        Ok(secret) => secret,
        Err(never) => match never {},
    }
}

/// Where a past epoch of a stored group is: its epoch, and the write that last wrote its
/// record (so a record rolled back alone is noticed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PastRef {
    pub(crate) epoch: u64,
    pub(crate) generation: u64,
}

impl Encode for PastRef {
    fn encode(&self, out: &mut Vec<u8>) -> Result<(), CodecError> {
        self.epoch.encode(out)?;
        self.generation.encode(out)
    }
}

impl Decode for PastRef {
    fn decode(reader: &mut Reader<'_>) -> Result<Self, CodecError> {
        Ok(PastRef {
            epoch: u64::decode(reader)?,
            generation: u64::decode(reader)?,
        })
    }
}

/// Everything of a state but its tree and its past epochs, as read.
pub(crate) struct StateParts<S: CipherSuite> {
    pub(crate) context: GroupContext,
    pub(crate) own_leaf: LeafIndex,
    path: Vec<Secret>,
    secrets: EpochSecrets<S>,
    secret_tree: SecretTree<S>,
    interim_transcript_hash: Vec<u8>,
    signing_key: Secret,
    credential: Credential,
    needs_update: bool,
    removed: bool,
    update_first: bool,
    padding: Padding,
    past_epochs_kept: u32,
    pub(crate) log_position: u64,
}

impl<S: CipherSuite> StateParts<S> {
    fn decode_head(reader: &mut Reader<'_>) -> Result<(GroupContext, LeafIndex), CodecError> {
        Ok((GroupContext::decode(reader)?, LeafIndex::decode(reader)?))
    }

    /// Reads a `StateTail` (of format version 1 when `version` is 1).
    fn decode_tail(
        reader: &mut Reader<'_>,
        context: GroupContext,
        own_leaf: LeafIndex,
        version: u8,
    ) -> Result<Self, CodecError> {
        // Decoded straight into `Secret`s, which erase themselves, never into plain vectors.
        let path: Vec<Secret> = Vec::decode(reader)?;
        let secrets = EpochSecrets::<S>::decode_state(reader)?;
        let secret_tree = SecretTree::<S>::decode_state(reader)?;
        let interim_transcript_hash = Vec::<u8>::decode(reader)?;
        let signing_key = Secret::decode(reader)?;
        let credential = Credential::decode(reader)?;
        let needs_update = read_flag(reader, "persisted flag needs_update (not 0 or 1)")?;
        let removed = read_flag(reader, "persisted flag removed (not 0 or 1)")?;
        let update_first = read_flag(reader, "persisted flag update_first (not 0 or 1)")?;
        let padding = match u32::decode(reader)? {
            0 => Padding::None,
            block => Padding::Multiple(block as usize),
        };
        let (past_epochs_kept, log_position) = if version >= 2 {
            (u32::decode(reader)?, u64::decode(reader)?)
        } else {
            (0, 0)
        };
        if past_epochs_kept > GroupConfig::MAX_PAST_EPOCHS {
            return Err(CodecError::InvalidValue {
                what: "past epochs kept (above the limit)",
                value: u64::from(past_epochs_kept),
            });
        }
        Ok(StateParts {
            context,
            own_leaf,
            path,
            secrets,
            secret_tree,
            interim_transcript_hash,
            signing_key,
            credential,
            needs_update,
            removed,
            update_first,
            padding,
            past_epochs_kept,
            log_position,
        })
    }
}

impl<S: CipherSuite> Group<S> {
    /// `context || own_leaf`: no secret.
    fn encode_head(&self, out: &mut Vec<u8>) -> Result<(), CodecError> {
        self.context.encode(out)?;
        self.own_leaf().encode(out)
    }

    /// The `StateTail`. The parts that hold secrets (the own path, the epoch secrets, the
    /// secret tree, the signing key) are each written into a buffer sized before anything is
    /// written, and the whole is assembled into one more such buffer: no copy of a secret is
    /// left in memory that was freed without being erased.
    fn encode_tail(&self) -> Result<Secret, GroupError> {
        // References only: the secret bytes stay where they are.
        let path: Vec<&Secret> = self.tree.own_path_secrets().collect();
        let path = encode_path_secrets(&path)?;
        // Both `encode_state`s reserve their whole length before writing a secret.
        let epoch_secrets = Secret::write_exact(0, |out| self.secrets.encode_state(out))?;
        let secret_tree = Secret::write_exact(0, |out| self.secret_tree.encode_state(out))?;
        let signing_key = self.identity.signing_key_bytes();
        let signing_key =
            Secret::write_exact(varint_len(signing_key.len()) + signing_key.len(), |out| {
                signing_key.encode(out)
            })?;

        let mut interim_transcript_hash = Vec::new();
        self.interim_transcript_hash
            .encode(&mut interim_transcript_hash)?;
        let mut tail = Vec::new();
        self.identity.credential().encode(&mut tail)?;
        u8::from(self.needs_update).encode(&mut tail)?;
        u8::from(self.removed).encode(&mut tail)?;
        u8::from(self.config.update_first).encode(&mut tail)?;
        let padding = match self.config.padding {
            Padding::None => 0u32,
            Padding::Multiple(block) => {
                u32::try_from(block).map_err(|_| CodecError::VectorTooLong(block))?
            }
        };
        padding.encode(&mut tail)?;
        self.config.past_epochs.encode(&mut tail)?;
        self.log_position.encode(&mut tail)?;

        Ok(concat_exact(&[
            path.as_bytes(),
            epoch_secrets.as_bytes(),
            secret_tree.as_bytes(),
            &interim_transcript_hash,
            signing_key.as_bytes(),
            &tail,
        ]))
    }

    /// The whole state of this member, versioned. It holds every secret of the member.
    pub fn to_bytes(&self) -> Result<Secret, GroupError> {
        // No secrets here, so this buffer may grow as it likes.
        let mut public = Vec::new();
        public.extend_from_slice(MAGIC);
        FORMAT_VERSION.encode(&mut public)?;
        S::ID.encode(&mut public)?;
        self.encode_head(&mut public)?;
        ratchet_tree(&CurrentView {
            tree: self.tree.tree(),
            members: &self.members,
        })
        .encode(&mut public)?;
        let tail = self.encode_tail()?;
        let past = self
            .past
            .iter()
            .map(PastEpoch::encode)
            .collect::<Result<Vec<Secret>, _>>()?;
        // The vector's length is no secret; its body is copied once, into the result.
        let mut past_length = Vec::new();
        write_varint(&mut past_length, past.iter().map(Secret::len).sum())?;
        let parts: Vec<&[u8]> = [public.as_slice(), tail.as_bytes(), &past_length]
            .into_iter()
            .chain(past.iter().map(Secret::as_bytes))
            .collect();
        Ok(concat_exact(&parts))
    }

    /// The state record a store keeps: `context || own_leaf || StateTail || PastRef past<V>`.
    pub(crate) fn encode_state_record(&self, past: &[PastRef]) -> Result<Secret, GroupError> {
        let mut head = Vec::new();
        self.encode_head(&mut head)?;
        let tail = self.encode_tail()?;
        let mut refs = Vec::new();
        // Each PastRef is two uint64: 16 bytes.
        write_varint(&mut refs, past.len() * 16)?;
        for reference in past {
            reference.encode(&mut refs)?;
        }
        Ok(concat_exact(&[&head, tail.as_bytes(), &refs]))
    }

    /// Reads a state record of a store: the parts, and where its past epochs are.
    pub(crate) fn decode_state_record(
        bytes: &[u8],
    ) -> Result<(StateParts<S>, Vec<PastRef>), GroupError> {
        let mut reader = persisted_reader(bytes);
        let (context, own_leaf) = StateParts::<S>::decode_head(&mut reader)?;
        let parts = StateParts::decode_tail(&mut reader, context, own_leaf, FORMAT_VERSION)?;
        let past = Vec::<PastRef>::decode(&mut reader)?;
        reader.finish()?;
        Ok((parts, past))
    }

    /// Restores a member from [`Group::to_bytes`]. The tree's shape and keys, the own path and
    /// the tree hash are checked again (the hash covers every LeafNode, whose signatures were
    /// checked when they arrived); damaged bytes (a flag other than 0 or 1, secret-tree bounds
    /// above their limits, ...), another format version or another suite are refused.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, GroupError> {
        let mut reader = persisted_reader(bytes);
        if reader.read_bytes(MAGIC.len())? != MAGIC {
            return Err(GroupError::InvalidState("not an artmls group state"));
        }
        let version = u8::decode(&mut reader)?;
        if version != 1 && version != FORMAT_VERSION {
            return Err(GroupError::InvalidState("unknown format version"));
        }
        if SuiteId::decode(&mut reader)? != S::ID {
            return Err(GroupError::InvalidState(
                "the state is for another cipher suite",
            ));
        }
        let (context, own_leaf) = StateParts::<S>::decode_head(&mut reader)?;
        let ratchet_tree = ArtRatchetTree::decode(&mut reader)?;
        let parts = StateParts::decode_tail(&mut reader, context, own_leaf, version)?;
        let past = if version >= 2 {
            reader.read_vector(|body| {
                let mut past = Vec::new();
                while !body.is_empty() {
                    past.push(PastEpoch::decode(body)?);
                }
                Ok(past)
            })?
        } else {
            Vec::new()
        };
        reader.finish()?;
        Self::assemble(parts, ratchet_tree, past)
    }

    /// A member from its parts, checked: the tree's shape and keys, the own path, the tree
    /// hash against the context, the past epochs' order and count, the signing key.
    pub(crate) fn assemble(
        parts: StateParts<S>,
        ratchet_tree: ArtRatchetTree,
        past: Vec<PastEpoch<S>>,
    ) -> Result<Self, GroupError> {
        let StateParts {
            context,
            own_leaf,
            path,
            secrets,
            secret_tree,
            interim_transcript_hash,
            signing_key,
            credential,
            needs_update,
            removed,
            update_first,
            padding,
            past_epochs_kept,
            log_position,
        } = parts;
        // Persisted state is this member's own: its signatures were checked when it came in.
        let (public_tree, members) = Self::import_tree(ratchet_tree)?;
        let tree = ArtMember::restore(public_tree, own_leaf, path)?;
        let hashes = TreeHashes::compute::<S>(&CurrentView {
            tree: tree.tree(),
            members: &members,
        })?;
        if hashes.tree_hash(tree.tree().n_leaves()) != context.tree_hash.as_slice() {
            return Err(GroupError::TreeHashMismatch);
        }
        // The past epochs: at most as many as kept, of this group, before the current epoch,
        // oldest first.
        if past.len() > past_epochs_kept as usize {
            return Err(GroupError::InvalidState(
                "more past epochs than the group keeps",
            ));
        }
        let mut previous = None;
        for epoch in &past {
            if epoch.context.group_id != context.group_id
                || epoch.epoch() >= context.epoch
                || previous.is_some_and(|previous| epoch.epoch() <= previous)
            {
                return Err(GroupError::InvalidState(
                    "a past epoch out of order or of another group",
                ));
            }
            previous = Some(epoch.epoch());
        }
        let signing_key = S::Signature::signing_key_from_bytes(signing_key.as_bytes())?;
        let name = match &credential {
            Credential::Basic { identity } => identity.clone(),
            Credential::X509 { .. } => {
                return Err(GroupError::InvalidState(
                    "only basic credentials are persisted",
                ));
            }
        };
        let identity = Identity::from_signing_key(name, signing_key);
        let mut config = GroupConfig::default();
        config.secret_tree = secret_tree.config();
        config.padding = padding;
        config.update_first = update_first;
        config.past_epochs = past_epochs_kept;
        Ok(Group {
            config,
            context,
            tree,
            members,
            hashes,
            secrets,
            secret_tree,
            interim_transcript_hash,
            identity,
            needs_update,
            removed,
            identity_policy: Self::default_identity_policy(),
            past: VecDeque::from(past),
            log_position,
            persistence: None,
        })
    }
}

#[cfg(test)]
mod tests {
    //! Persisted state is read strictly: a flag byte other than 0 or 1, or secret-tree bounds
    //! above the limits, written into the bytes by hand, are refused with a typed error; and a
    //! genuine but sparse tree restores.

    use rand::SeedableRng;
    use rand::rngs::StdRng;

    use crate::codec::CodecError;
    use crate::group::{Group, GroupConfig, GroupError, Identity};
    use crate::secret_tree::SecretTreeConfig;
    use crate::tree_math::LeafIndex;

    type Suite = artmls_dalek::X25519Aes128GcmSha256Ed25519;

    fn seeded(seed: u64) -> StdRng {
        StdRng::seed_from_u64(seed)
    }

    fn config(out_of_order_window: u32, max_forward_jump: u32) -> SecretTreeConfig {
        SecretTreeConfig {
            out_of_order_window,
            max_forward_jump,
        }
    }

    /// A one-member group with distinctive secret-tree bounds (29 back, 1021 ahead), and its bytes.
    fn persisted() -> (Group<Suite>, Vec<u8>) {
        let mut rng = seeded(2);
        let identity = Identity::<Suite>::new_with_rng("alice", &mut rng);
        let group = Group::<Suite>::create_with_rng(
            identity,
            b"group".to_vec(),
            GroupConfig {
                secret_tree: config(29, 1021),
                ..GroupConfig::default()
            },
            &mut rng,
        )
        .expect("group");
        let bytes = group.to_bytes().expect("to_bytes").as_bytes().to_vec();
        (group, bytes)
    }

    /// The state ends with `uint8 needs_update; uint8 removed; uint8 update_first; uint32
    /// padding_block; uint32 past_epochs_kept; uint64 log_position; PastEpoch past<V>` (no
    /// past epoch yet: one byte).
    #[test]
    fn persisted_flags_other_than_zero_and_one_are_refused() {
        let (group, bytes) = persisted();
        assert!(Group::<Suite>::from_bytes(&bytes).is_ok());
        let flags = bytes.len() - 20;
        for (offset, name) in [
            (flags, "needs_update"),
            (flags + 1, "removed"),
            (flags + 2, "update_first"),
        ] {
            for value in [2u8, 0x80, 0xff] {
                let mut damaged = bytes.clone();
                damaged[offset] = value;
                let result = Group::<Suite>::from_bytes(&damaged);
                assert!(
                    matches!(
                        &result,
                        Err(GroupError::Codec(CodecError::InvalidValue { what, value: got }))
                            if what.contains(name) && *got == u64::from(value)
                    ),
                    "{name} = {value}: {result:?}"
                );
            }
            // Both flag values are read as written.
            for value in [0u8, 1] {
                let mut flipped = bytes.clone();
                flipped[offset] = value;
                let restored = Group::<Suite>::from_bytes(&flipped).expect("a valid flag");
                if name == "needs_update" {
                    assert_eq!(restored.needs_update(), value == 1);
                }
            }
        }
        drop(group);
    }

    /// A state of format version 1 (no past epochs kept, no log position) still restores.
    #[test]
    fn format_version_1_still_restores() {
        let (group, bytes) = persisted();
        let version = super::MAGIC.len();
        assert_eq!(bytes[version], 2);
        // Version 1 is version 2 without its last 13 bytes (past_epochs_kept, log_position,
        // an empty past vector).
        assert_eq!(
            &bytes[bytes.len() - 13..],
            &[0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]
        );
        let mut old = bytes[..bytes.len() - 13].to_vec();
        old[version] = 1;
        let restored = Group::<Suite>::from_bytes(&old).expect("a version 1 state");
        assert_eq!(restored.epoch_authenticator(), group.epoch_authenticator());
        assert_eq!(restored.log_position(), 0);
        // Without past epochs kept, and otherwise the same state.
        let again = restored.to_bytes().expect("to_bytes");
        assert_eq!(
            &again.as_bytes()[..bytes.len() - 13],
            &bytes[..bytes.len() - 13]
        );
        assert_eq!(
            &again.as_bytes()[bytes.len() - 13..bytes.len() - 9],
            &[0, 0, 0, 0]
        );
        // Damage after the version-1 end is refused, not ignored.
        let mut longer = old.clone();
        longer.push(0);
        assert!(Group::<Suite>::from_bytes(&longer).is_err());
    }

    #[test]
    fn persisted_secret_tree_bounds_go_through_the_limits() {
        let (_, bytes) = persisted();
        // uint32 out_of_order_window (29); uint32 max_forward_jump (1021): once in the state.
        let pattern = [0, 0, 0, 29, 0, 0, 0x03, 0xfd];
        let at: Vec<usize> = bytes
            .windows(pattern.len())
            .enumerate()
            .filter(|(_, window)| *window == pattern)
            .map(|(at, _)| at)
            .collect();
        assert_eq!(at.len(), 1, "the bounds appear once");
        let at = at[0];
        assert!(Group::<Suite>::from_bytes(&bytes).is_ok());
        for (offset, value) in [
            (at + 4, u32::MAX),
            (at + 4, SecretTreeConfig::MAX_FORWARD_JUMP + 1),
            (at, u32::MAX),
            (at, SecretTreeConfig::MAX_OUT_OF_ORDER_WINDOW + 1),
        ] {
            let mut damaged = bytes.clone();
            damaged[offset..offset + 4].copy_from_slice(&value.to_be_bytes());
            let result = Group::<Suite>::from_bytes(&damaged);
            assert!(
                matches!(
                    &result,
                    Err(GroupError::Codec(CodecError::InvalidValue { what, value: got }))
                        if what.contains("secret tree bounds") && *got == u64::from(value)
                ),
                "{value} at {offset}: {result:?}"
            );
        }
        // The limits themselves restore.
        let mut at_limits = bytes.clone();
        at_limits[at..at + 4]
            .copy_from_slice(&SecretTreeConfig::MAX_OUT_OF_ORDER_WINDOW.to_be_bytes());
        at_limits[at + 4..at + 8]
            .copy_from_slice(&SecretTreeConfig::MAX_FORWARD_JUMP.to_be_bytes());
        assert!(Group::<Suite>::from_bytes(&at_limits).is_ok());
    }

    /// Two members at the ends of a 512-leaf tree whose other leaves were removed and sealed to
    /// blank: a genuine state whose tree is mostly absent entries (one byte each on the wire,
    /// hundreds in memory). It must restore: the decoder's budget for bytes off the network would
    /// refuse it, so a persisted state gets a budget of its own.
    #[test]
    fn a_sparse_tree_restores_from_its_persisted_state() {
        let mut rng = seeded(4);
        let n = 512;
        let creator = Identity::<Suite>::new_with_rng("creator", &mut rng);
        let last = Identity::<Suite>::new_with_rng("last", &mut rng);
        let last_bundle = last.key_package_with_rng(&mut rng).expect("key package");
        let mut key_packages: Vec<_> = (1..n - 1)
            .map(|i| {
                Identity::<Suite>::new_with_rng(format!("member {i}"), &mut rng)
                    .key_package_with_rng(&mut rng)
                    .expect("key package")
                    .key_package()
                    .clone()
            })
            .collect();
        key_packages.push(last_bundle.key_package().clone());
        let (mut group, welcome) = Group::<Suite>::initiate_with_rng(
            creator,
            b"group".to_vec(),
            &key_packages,
            GroupConfig::default(),
            &mut rng,
        )
        .expect("initiate");
        let mut last = Group::<Suite>::join(&welcome, &last_bundle, last, GroupConfig::default())
            .expect("join");
        assert_eq!(last.own_leaf(), LeafIndex(n - 1));

        let victims: Vec<LeafIndex> = (1..n - 1).map(LeafIndex).collect();
        let remove = group
            .commit_remove_with_rng(&victims, &mut rng)
            .expect("remove");
        last.process_message(remove.message()).expect("process");
        group.merge_pending_commit(remove).expect("merge");
        // Each end's update seals the memberless half on its side to blank.
        let update = last.commit_update_with_rng(&mut rng).expect("update");
        group.process_message(update.message()).expect("process");
        last.merge_pending_commit(update).expect("merge");
        let update = group.commit_update_with_rng(&mut rng).expect("update");
        last.process_message(update.message()).expect("process");
        group.merge_pending_commit(update).expect("merge");
        assert_eq!(group.member_count(), 2);

        for member in [&group, &last] {
            let bytes = member.to_bytes().expect("to_bytes");
            let restored = Group::<Suite>::from_bytes(bytes.as_bytes()).expect("restore");
            assert_eq!(restored.epoch_authenticator(), member.epoch_authenticator());
        }
    }
}
