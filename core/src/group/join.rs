//! Joining a group from a Welcome, and importing the public tree it carries.

use super::{
    ART_RATCHET_TREE_EXTENSION, ArtCommit, ArtRatchetTree, CurrentView, Group, GroupConfig,
    GroupError, Identity, KeyPackageBundle, Member, Members, TreeHashes, VerifyingKey,
    verify_leaf_nodes,
};
use crate::art_tree::{ArtMember, LeafKind, PublicTree};
use crate::codec::Decode;
use crate::key_schedule::interim_transcript_hash;
use crate::messages::{GroupInfo, MessageError, MlsMessage};
use crate::secret::Secret;
use crate::secret_tree::SecretTree;
use crate::suite::CipherSuite;
use crate::tree_math::LeafIndex;
use crate::welcome::{OpenedWelcome, WelcomeError};
use artmls_crypto::SignatureScheme;
use std::collections::VecDeque;

/// The allocation budget of a received ratchet tree, per byte of its encoding (see
/// [`Group::join`]).
const RATCHET_TREE_ALLOCATION_PER_BYTE: usize = 64;

/// What a joiner takes from a Welcome before the signatures are checked (see
/// [`Group::prepare_join`]).
struct PreparedJoin<S: CipherSuite> {
    own_leaf: LeafIndex,
    leaf_secret: Secret,
    public_tree: PublicTree<S>,
    members: Members<S>,
}

impl<S: CipherSuite> Group<S> {
    /// Joins from a Welcome made for `key_package`, with the identity that made it.
    pub fn join(
        welcome: &[u8],
        key_package: &KeyPackageBundle<S>,
        identity: Identity<S>,
        config: GroupConfig,
    ) -> Result<Self, GroupError> {
        let MlsMessage::<ArtCommit>::Welcome(welcome) =
            MlsMessage::<ArtCommit>::decode_exact(welcome)?
        else {
            return Err(GroupError::Unsupported("expected a Welcome"));
        };
        let mut opened = crate::welcome::open_welcome::<S>(
            &welcome,
            key_package.key_package(),
            key_package.init_private_key(),
            |_| None,
        )?;
        let (ratchet_tree, signer_key) = Self::welcome_tree(&opened.group_info)?;
        // The checks below come in this order, and a failure is reported as the first of
        // them: the GroupInfo (signature, confirmation tag), the tree's shape and keys, every
        // member's LeafNode signature, this member's path and the tree hash. The LeafNode
        // signatures (one per member: most of a join's work) depend on nothing else, so the
        // others run beside them; nothing of the unverified GroupInfo is kept unless it checks
        // out.
        let prepared = match Self::prepare_join(&mut opened, ratchet_tree, key_package) {
            Ok(prepared) => prepared,
            Err(error) => {
                opened.verify::<S>(&signer_key)?;
                return Err(error);
            }
        };
        let PreparedJoin {
            own_leaf,
            leaf_secret,
            public_tree,
            members,
        } = prepared;
        let group_id = opened.group_info.group_context.group_id.clone();
        let tree_hash = opened.group_info.group_context.tree_hash.clone();
        let members_ref = &members;
        let (leaves_checked, rest) = crate::parallel::join(
            || verify_leaf_nodes::<S>(&group_id, members_ref),
            || -> Result<_, GroupError> {
                let joined = opened.verify::<S>(&signer_key)?;
                let own = Self::own_tree(public_tree, own_leaf, &leaf_secret, members_ref)
                    .and_then(|(tree, hashes)| {
                        if hashes.tree_hash(tree.tree().n_leaves()) == tree_hash.as_slice() {
                            Ok((tree, hashes))
                        } else {
                            Err(GroupError::TreeHashMismatch)
                        }
                    });
                Ok((joined, own))
            },
        );
        let (joined, own) = rest?;
        leaves_checked?;
        let (tree, hashes) = own?;
        let context = joined.group_info.group_context;
        let interim_transcript_hash = interim_transcript_hash::<S>(
            &context.confirmed_transcript_hash,
            &joined.group_info.confirmation_tag,
        )?;
        let mut secrets = joined.epoch_secrets;
        let secret_tree = SecretTree::with_config(
            core::mem::take(&mut secrets.encryption_secret),
            tree.tree().n_leaves(),
            config.secret_tree,
        )?;
        Ok(Group {
            context,
            tree,
            members,
            hashes,
            secrets,
            secret_tree,
            interim_transcript_hash,
            identity,
            needs_update: true,
            removed: false,
            config,
            identity_policy: Self::default_identity_policy(),
            past: VecDeque::new(),
            log_position: 0,
            persistence: None,
        })
    }

    /// The ART tree a Welcome's GroupInfo carries, and the verifying key of the GroupInfo's
    /// signer from it.
    ///
    /// The tree is decoded before any signature can be checked (the signer's key is in it),
    /// with an allocation budget of [`RATCHET_TREE_ALLOCATION_PER_BYTE`] times its length: a
    /// blank node is one byte on the wire and a vector entry in memory, so a genuine tree that
    /// is mostly blank needs more than the network default, and the bound stays linear.
    pub(super) fn welcome_tree(
        group_info: &GroupInfo,
    ) -> Result<(ArtRatchetTree, VerifyingKey<S>), GroupError> {
        let extension = group_info
            .extensions
            .iter()
            .find(|e| e.extension_type == ART_RATCHET_TREE_EXTENSION)
            .ok_or(GroupError::InvalidWelcome("the GroupInfo carries no tree"))?;
        let data = &extension.extension_data;
        let budget = data
            .len()
            .saturating_mul(RATCHET_TREE_ALLOCATION_PER_BYTE)
            .saturating_add(crate::codec::ALLOCATION_BASE);
        let tree = ArtRatchetTree::decode_exact_with_budget(data, budget)?;
        let signer = tree
            .leaf_nodes
            .get(group_info.signer as usize)
            .and_then(Option::as_ref)
            .ok_or(WelcomeError::UnknownSigner(group_info.signer))?;
        let key = S::Signature::verifying_key_from_bytes(&signer.signature_key)
            .map_err(MessageError::InvalidSignatureKey)?;
        Ok((tree, key))
    }

    /// What a joiner takes from an opened Welcome besides the GroupInfo's checks: its leaf
    /// secret and leaf, and the tree with its shape and keys checked (its LeafNodes'
    /// signatures not yet).
    fn prepare_join(
        opened: &mut OpenedWelcome,
        ratchet_tree: ArtRatchetTree,
        key_package: &KeyPackageBundle<S>,
    ) -> Result<PreparedJoin<S>, GroupError> {
        if opened.group_info.group_context.cipher_suite != S::ID {
            return Err(GroupError::InvalidWelcome("the group uses another suite"));
        }
        let leaf_secret = opened
            .group_secrets
            .path_secret
            .take()
            .ok_or(GroupError::InvalidWelcome("no leaf secret for this member"))?
            .path_secret;
        let own_leaf = ratchet_tree
            .leaf_nodes
            .iter()
            .position(|leaf_node| {
                leaf_node.as_deref() == Some(&key_package.key_package().leaf_node)
            })
            .ok_or(GroupError::InvalidWelcome(
                "this member's leaf is not in the tree",
            ))?;
        let (public_tree, members) = Self::import_tree(ratchet_tree)?;
        Ok(PreparedJoin {
            own_leaf: LeafIndex(own_leaf as u32),
            leaf_secret,
            public_tree,
            members,
        })
    }

    /// A joiner's view of the tree (its direct path recomputed from its leaf secret) and the
    /// tree hashes.
    fn own_tree(
        public_tree: PublicTree<S>,
        own_leaf: LeafIndex,
        leaf_secret: &Secret,
        members: &[Option<Member<S>>],
    ) -> Result<(ArtMember<S>, TreeHashes), GroupError> {
        let tree = ArtMember::join(public_tree, own_leaf, leaf_secret)?;
        let hashes = TreeHashes::compute::<S>(&CurrentView {
            tree: tree.tree(),
            members,
        })?;
        Ok((tree, hashes))
    }

    /// A public tree and the members from a received tree, with its shape and keys checked.
    /// The LeafNodes' signatures are the caller's to check ([`verify_leaf_nodes`]).
    pub(super) fn import_tree(
        tree: ArtRatchetTree,
    ) -> Result<(PublicTree<S>, Members<S>), GroupError> {
        if tree.leaf_nodes.len() != tree.leaf_kinds.len() {
            return Err(GroupError::InvalidWelcome(
                "leaf nodes and leaves differ in number",
            ));
        }
        for (kind, leaf_node) in tree.leaf_kinds.iter().zip(&tree.leaf_nodes) {
            if (*kind == LeafKind::Member) != leaf_node.is_some() {
                return Err(GroupError::InvalidWelcome(
                    "a LeafNode on a non-member leaf, or a member without one",
                ));
            }
        }
        let public_tree = PublicTree::<S>::from_parts(tree.leaf_kinds, &tree.keys)?;
        // Parsing validates each signature key: for a large group, on all cores.
        let verifying_keys = crate::parallel::try_map(&tree.leaf_nodes, |leaf_node| {
            leaf_node
                .as_ref()
                .map(|leaf_node| S::Signature::verifying_key_from_bytes(&leaf_node.signature_key))
                .transpose()
                .map_err(MessageError::InvalidSignatureKey)
        })?;
        let members = tree
            .leaf_nodes
            .into_iter()
            .zip(verifying_keys)
            .map(|(leaf_node, verifying_key)| {
                Some(Member {
                    leaf_node: *leaf_node?,
                    verifying_key: verifying_key?,
                })
            })
            .collect();
        Ok((public_tree, Members::new(members)?))
    }
}
