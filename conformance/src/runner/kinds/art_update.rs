//! `art-update`: one Update with the Seal rule (art-mls-profile.md §5, revision 2).
//!
//! Each case gives a tree of members, tombstones and blank leaves with their leaf secrets, a
//! sender and its fresh leaf secret. The check builds the tree
//! (`artmls::internals::art_tree::PublicTree::from_leaves`), performs the sender's Update and compares
//! the leaves' kinds, every node's public key and `commit_secret` afterwards; then every other
//! member, as a receiver, applies the sender's transmitted change and must reach the same
//! tree and secret.

use artmls::internals::art_tree::{ArtMember, LeafKind, PublicTree};
use artmls::tree_math::LeafIndex;
use artmls::{CipherSuite, Secret};
use serde::{Deserialize, Serialize};

use crate::runner::FileRun;
use crate::runner::common::{CheckResult, SuiteCheck, expect_bytes, unhex};

/// One leaf of a case's starting tree.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ArtUpdateLeaf {
    /// `member`, `tombstone` or `blank`.
    pub kind: String,
    /// Hex leaf secret, for members and tombstones.
    pub leaf_secret: Option<String>,
}

/// One `art-update` case, as read and as written by `generate art-update`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ArtUpdateCase {
    /// RFC 9420 number of the primitive set (1, 2 or 3).
    pub cipher_suite: u16,
    /// Width of the full tree in leaves.
    pub n_leaves: u32,
    /// The starting tree's leaves.
    pub leaves: Vec<ArtUpdateLeaf>,
    /// The leaf of the member that updates.
    pub sender: u32,
    /// Hex: the sender's fresh leaf secret.
    pub new_leaf_secret: String,
    /// The leaves' kinds after the update.
    pub leaves_after: Vec<String>,
    /// Hex public key per node after the update, `None` for a blank node.
    pub node_public_keys_after: Vec<Option<String>>,
    /// Hex `commit_secret` after the update.
    pub commit_secret_after: String,
}

pub(crate) fn run(run: &mut FileRun<'_>, text: &str) -> Result<(), serde_json::Error> {
    let cases: Vec<ArtUpdateCase> = serde_json::from_str(text)?;
    for (index, case) in cases.iter().enumerate() {
        if let Some(suite) = run.mls_suite(index, case.cipher_suite) {
            let note = format!(
                "{} leaves, sender {}: leaves, node keys and commit secret after Seal match, for the sender and every receiver",
                case.n_leaves, case.sender
            );
            run.run_suite(index, suite, &note, case);
        }
    }
    Ok(())
}

/// What an Update leaves behind, in the vectors' terms.
pub(crate) struct UpdateResult {
    pub(crate) leaves_after: Vec<String>,
    pub(crate) node_public_keys_after: Vec<Option<String>>,
    pub(crate) commit_secret_after: String,
}

fn kind_name(kind: LeafKind) -> &'static str {
    match kind {
        LeafKind::Blank => "blank",
        LeafKind::Member => "member",
        LeafKind::Tombstone { .. } => "tombstone",
    }
}

/// Performs the update as the sender and checks that every other member, applying the
/// transmitted change, reaches the same tree and commit secret. `leaves` are (kind name, leaf
/// secret) pairs.
pub(crate) fn compute<S: CipherSuite>(
    leaves: &[(String, Option<Vec<u8>>)],
    sender: u32,
    new_leaf_secret: &[u8],
) -> Result<UpdateResult, String> {
    // The vectors do not name owners: they do not change a key. Any member will do.
    let owner = leaves
        .iter()
        .position(|(kind, _)| kind == "member")
        .ok_or("the tree has no member")?;
    let owner = LeafIndex(owner as u32);
    let tree_leaves = leaves
        .iter()
        .map(|(kind, secret)| {
            let kind = match kind.as_str() {
                "member" => LeafKind::Member,
                "tombstone" => LeafKind::Tombstone { owner },
                "blank" => LeafKind::Blank,
                other => return Err(format!("malformed vector: leaf kind {other:?}")),
            };
            Ok((kind, secret.as_deref().map(Secret::from_slice)))
        })
        .collect::<Result<Vec<_>, String>>()?;
    let (tree, _) = PublicTree::<S>::from_leaves(&tree_leaves)
        .map_err(|e| format!("building the tree failed: {e}"))?;
    let member = |leaf: usize| -> Result<ArtMember<S>, String> {
        let secret = tree_leaves[leaf]
            .1
            .as_ref()
            .ok_or("a member without a secret")?;
        ArtMember::join(tree.clone(), LeafIndex(leaf as u32), secret)
            .map_err(|e| format!("member {leaf} cannot compute its path: {e}"))
    };
    let sender_leaf = LeafIndex(sender);
    let mut updater = member(sender as usize)?;
    let pending = updater
        .prepare_update_with_leaf_secret(Secret::from_slice(new_leaf_secret))
        .map_err(|e| format!("update failed: {e}"))?;
    let change = pending.change().clone();
    updater.merge(pending).map_err(|e| format!("merge: {e}"))?;
    let after = updater.tree().to_parts();
    for (index, (kind, _)) in tree_leaves.iter().enumerate() {
        if *kind != LeafKind::Member || index == sender as usize {
            continue;
        }
        let mut receiver = member(index)?;
        receiver
            .apply(&change, sender_leaf)
            .map_err(|e| format!("receiver {index} rejects the update: {e}"))?;
        if receiver.tree().to_parts() != after
            || receiver.commit_secret() != updater.commit_secret()
        {
            return Err(format!("receiver {index} disagrees with the sender"));
        }
    }
    let (kinds, keys) = after;
    Ok(UpdateResult {
        leaves_after: kinds
            .into_iter()
            .map(|k| kind_name(k).to_string())
            .collect(),
        node_public_keys_after: keys.into_iter().map(|key| key.map(hex::encode)).collect(),
        commit_secret_after: hex::encode(updater.commit_secret().as_bytes()),
    })
}

impl SuiteCheck for ArtUpdateCase {
    fn check<S: CipherSuite>(&self) -> CheckResult {
        if self.leaves.len() != self.n_leaves as usize
            || self.leaves_after.len() != self.n_leaves as usize
            || self.node_public_keys_after.len() != (2 * self.n_leaves as usize).saturating_sub(1)
        {
            return Err("malformed vector: list lengths do not match n_leaves".into());
        }
        let leaves = self
            .leaves
            .iter()
            .map(|leaf| {
                let secret = leaf
                    .leaf_secret
                    .as_deref()
                    .map(|hex| unhex("leaf_secret", hex))
                    .transpose()?;
                Ok((leaf.kind.clone(), secret))
            })
            .collect::<Result<Vec<_>, String>>()?;
        let result = compute::<S>(
            &leaves,
            self.sender,
            &unhex("new_leaf_secret", &self.new_leaf_secret)?,
        )?;
        // An update never shrinks a tree whose right half holds a member, so the widths agree;
        // should the tree shrink, the missing leaves are blank and the missing nodes absent.
        for index in 0..self.leaves_after.len() {
            let got = result
                .leaves_after
                .get(index)
                .map_or("blank", String::as_str);
            if got != self.leaves_after[index] {
                return Err(format!(
                    "leaf {index} after the update: got {got}, expected {}",
                    self.leaves_after[index]
                ));
            }
        }
        for (node, want) in self.node_public_keys_after.iter().enumerate() {
            let got = result.node_public_keys_after.get(node).cloned().flatten();
            if got.as_deref().map(str::to_ascii_lowercase)
                != want.as_deref().map(str::to_ascii_lowercase)
            {
                return Err(format!(
                    "public key of node {node} after the update: got {got:?}, expected {want:?}"
                ));
            }
        }
        expect_bytes(
            "commit_secret_after",
            &unhex("computed", &result.commit_secret_after)?,
            &unhex("commit_secret_after", &self.commit_secret_after)?,
        )
    }
}
