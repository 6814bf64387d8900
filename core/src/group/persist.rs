//! A member's whole group state as bytes, and back, so an application can restore it after a
//! restart.
//!
//! ```text
//! "artmls-group" || uint8 format_version (1) || uint16 cipher_suite
//! GroupContext context
//! uint32 own_leaf
//! ArtRatchetTree tree                       // the public tree and every member's LeafNode
//! opaque own_path_secrets<V><V>             // node secrets of the own direct path, leaf first
//! EpochSecrets                              // see EpochSecrets::encode_state
//! SecretTree                                // see SecretTree::encode_state
//! opaque interim_transcript_hash<V>
//! opaque signing_key<V>; Credential credential
//! uint8 needs_update; uint8 removed; uint8 update_first; uint32 padding_block (0: none)
//! ```
//!
//! The bytes hold every secret of the member: store them as you would a private key.

use crate::art_tree::ArtMember;
use crate::codec::{ALLOCATION_BASE, CodecError, Decode, Encode, Reader, varint_len, write_varint};
use crate::framing::Padding;
use crate::group::identity::Identity;
use crate::group::tree_hash::TreeHashes;
use crate::group::{ArtRatchetTree, CurrentView, Group, GroupConfig, GroupError, ratchet_tree};
use crate::key_schedule::EpochSecrets;
use crate::messages::{Credential, GroupContext};
use crate::secret::Secret;
use crate::secret_tree::SecretTree;
use crate::suite::CipherSuite;
use crate::tree_math::LeafIndex;
use artmls_crypto::SignatureScheme;

const MAGIC: &[u8] = b"artmls-group";
const FORMAT_VERSION: u8 = 1;

/// How many heap bytes restoring a state may request per byte of it, instead of the codec's
/// default for bytes off the network ([`crate::codec::ALLOCATION_PER_INPUT_BYTE`], 16).
///
/// A persisted state is the member's own, so the budget only guards against damaged bytes; it
/// must not refuse a genuine state. The sparsest genuine tree (blank leaves: about 4 bytes
/// each on the wire, each an absent key pair, LeafKind and `Option<LeafNode>` in memory, paid
/// twice while their vectors grow) needs about 165 bytes of memory per byte of state; 256
/// leaves room above that.
const PERSISTED_ALLOCATION_PER_BYTE: usize = 256;

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

impl<S: CipherSuite> Group<S> {
    /// The whole state of this member, versioned. It holds every secret of the member.
    ///
    /// The parts that hold secrets (the own path, the epoch secrets, the secret tree, the
    /// signing key) are each written into a buffer sized before anything is written, and the
    /// whole is assembled into one more such buffer: no copy of a secret is left in memory that
    /// was freed without being erased.
    pub fn to_bytes(&self) -> Result<Secret, GroupError> {
        // No secrets here, so this buffer may grow as it likes.
        let mut public = Vec::new();
        public.extend_from_slice(MAGIC);
        FORMAT_VERSION.encode(&mut public)?;
        S::ID.0.encode(&mut public)?;
        self.context.encode(&mut public)?;
        self.own_leaf().encode(&mut public)?;
        ratchet_tree(&CurrentView {
            tree: self.tree.tree(),
            members: &self.members,
        })
        .encode(&mut public)?;

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

        let parts: [&[u8]; 7] = [
            &public,
            path.as_bytes(),
            epoch_secrets.as_bytes(),
            secret_tree.as_bytes(),
            &interim_transcript_hash,
            signing_key.as_bytes(),
            &tail,
        ];
        let len = parts.iter().map(|part| part.len()).sum();
        Ok(Secret::write_exact(len, |out| {
            for part in parts {
                out.extend_from_slice(part);
            }
            Ok::<_, CodecError>(())
        })?)
    }

    /// Restores a member from [`Group::to_bytes`]. The tree's shape and keys, the own path and
    /// the tree hash are checked again (the hash covers every LeafNode, whose signatures were
    /// checked when they arrived); damaged bytes (a flag other than 0 or 1, secret-tree bounds
    /// above their limits, ...), another format version or another suite are refused.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, GroupError> {
        let budget = bytes
            .len()
            .saturating_mul(PERSISTED_ALLOCATION_PER_BYTE)
            .saturating_add(ALLOCATION_BASE);
        let mut reader = Reader::with_budget(bytes, budget);
        if reader.read_bytes(MAGIC.len())? != MAGIC {
            return Err(GroupError::InvalidState("not an artmls group state"));
        }
        if u8::decode(&mut reader)? != FORMAT_VERSION {
            return Err(GroupError::InvalidState("unknown format version"));
        }
        if u16::decode(&mut reader)? != S::ID.0 {
            return Err(GroupError::InvalidState(
                "the state is for another cipher suite",
            ));
        }
        let context = GroupContext::decode(&mut reader)?;
        let own_leaf = LeafIndex::decode(&mut reader)?;
        let ratchet_tree = ArtRatchetTree::decode(&mut reader)?;
        // Decoded straight into `Secret`s, which erase themselves, never into plain vectors.
        let path: Vec<Secret> = Vec::decode(&mut reader)?;
        let secrets = EpochSecrets::<S>::decode_state(&mut reader)?;
        let secret_tree = SecretTree::<S>::decode_state(&mut reader)?;
        let interim_transcript_hash = Vec::<u8>::decode(&mut reader)?;
        let signing_key = Secret::decode(&mut reader)?;
        let credential = Credential::decode(&mut reader)?;
        let needs_update = read_flag(&mut reader, "persisted flag needs_update (not 0 or 1)")?;
        let removed = read_flag(&mut reader, "persisted flag removed (not 0 or 1)")?;
        let update_first = read_flag(&mut reader, "persisted flag update_first (not 0 or 1)")?;
        let padding = match u32::decode(&mut reader)? {
            0 => Padding::None,
            block => Padding::Multiple(block as usize),
        };
        reader.finish()?;

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
        Ok(Group {
            config: GroupConfig {
                secret_tree: secret_tree.config(),
                padding,
                update_first,
            },
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
        })
    }
}
