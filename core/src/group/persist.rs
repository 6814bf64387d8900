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
use crate::codec::{CodecError, Decode, Encode, Reader};
use crate::crypto::Signature;
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

const MAGIC: &[u8] = b"artmls-group";
const FORMAT_VERSION: u8 = 1;

impl<S: CipherSuite> Group<S> {
    /// The whole state of this member, versioned. It holds every secret of the member.
    pub fn to_bytes(&self) -> Result<Secret, GroupError> {
        let mut out = Vec::new();
        out.extend_from_slice(MAGIC);
        FORMAT_VERSION.encode(&mut out)?;
        S::ID.0.encode(&mut out)?;
        self.context.encode(&mut out)?;
        self.own_leaf().encode(&mut out)?;
        ratchet_tree(&CurrentView {
            tree: self.tree.tree(),
            members: &self.members,
        })
        .encode(&mut out)?;
        let path: Vec<Vec<u8>> = self
            .tree
            .own_path_secrets()
            .map(|secret| secret.as_bytes().to_vec())
            .collect();
        path.encode(&mut out)?;
        self.secrets.encode_state(&mut out)?;
        self.secret_tree.encode_state(&mut out)?;
        self.interim_transcript_hash.encode(&mut out)?;
        self.identity
            .signing_key_bytes()
            .as_bytes()
            .to_vec()
            .encode(&mut out)?;
        self.identity.credential().encode(&mut out)?;
        u8::from(self.needs_update).encode(&mut out)?;
        u8::from(self.removed).encode(&mut out)?;
        u8::from(self.config.update_first).encode(&mut out)?;
        let padding = match self.config.padding {
            Padding::None => 0u32,
            Padding::Multiple(block) => {
                u32::try_from(block).map_err(|_| CodecError::VectorTooLong(block))?
            }
        };
        padding.encode(&mut out)?;
        Ok(Secret::new(out))
    }

    /// Restores a member from [`Group::to_bytes`]. The tree's shape and keys, the own path and
    /// the tree hash are checked again (the hash covers every LeafNode, whose signatures were
    /// checked when they arrived); damaged bytes, another format version or another suite are
    /// refused.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, GroupError> {
        let mut reader = Reader::new(bytes);
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
        let path: Vec<Vec<u8>> = Vec::decode(&mut reader)?;
        let secrets = EpochSecrets::<S>::decode_state(&mut reader)?;
        let secret_tree = SecretTree::<S>::decode_state(&mut reader)?;
        let interim_transcript_hash = Vec::<u8>::decode(&mut reader)?;
        let signing_key = Secret::new(Vec::<u8>::decode(&mut reader)?);
        let credential = Credential::decode(&mut reader)?;
        let needs_update = u8::decode(&mut reader)? == 1;
        let removed = u8::decode(&mut reader)? == 1;
        let update_first = u8::decode(&mut reader)? == 1;
        let padding = match u32::decode(&mut reader)? {
            0 => Padding::None,
            block => Padding::Multiple(block as usize),
        };
        reader.finish()?;

        // Persisted state is this member's own: its signatures were checked when it came in.
        let (public_tree, members) = Self::import_tree(ratchet_tree)?;
        let tree = ArtMember::restore(
            public_tree,
            own_leaf,
            path.into_iter().map(Secret::new).collect(),
        )?;
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
        })
    }
}
