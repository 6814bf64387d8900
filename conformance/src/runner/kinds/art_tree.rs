//! `art-tree`: node keys and commit secret of the ART tree (art-mls-profile.md §3-§4).
//!
//! Each case gives the leaf secrets of a full tree (`null` for a blank leaf); the check builds
//! the public tree from them with `artmls::internals::art_tree::PublicTree::from_leaf_secrets` and
//! compares every node's public key, the root's `node_secret` and `commit_secret`.

use artmls::internals::art_tree::PublicTree;
use artmls::internals::labels::derive_secret;
use artmls::{CipherSuite, Secret};
use serde::{Deserialize, Serialize};

use crate::runner::FileRun;
use crate::runner::common::{CheckResult, SuiteCheck, expect_bytes, unhex};

/// One `art-tree` case, as read and as written by `generate art-tree`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ArtTreeCase {
    /// RFC 9420 number of the primitive set (1, 2 or 3).
    pub cipher_suite: u16,
    /// Width of the full tree in leaves.
    pub n_leaves: u32,
    /// Hex leaf secret per leaf, `None` for a blank leaf.
    pub leaf_secrets: Vec<Option<String>>,
    /// Hex public key per node, `None` for a blank node.
    pub node_public_keys: Vec<Option<String>>,
    /// Hex `node_secret` of the root.
    pub root_node_secret: String,
    /// Hex `commit_secret`.
    pub commit_secret: String,
}

pub(crate) fn run(run: &mut FileRun<'_>, text: &str) -> Result<(), serde_json::Error> {
    let cases: Vec<ArtTreeCase> = serde_json::from_str(text)?;
    for (index, case) in cases.iter().enumerate() {
        if let Some(suite) = run.mls_suite(index, case.cipher_suite) {
            let note = format!(
                "{} leaves: node keys, root secret and commit secret match",
                case.n_leaves
            );
            run.run_suite(index, suite, &note, case);
        }
    }
    Ok(())
}

/// The public keys, root node secret and commit secret of a tree of leaf secrets, in hex, as
/// the vectors hold them.
pub(crate) fn compute<S: CipherSuite>(
    leaf_secrets: &[Option<Vec<u8>>],
) -> Result<(Vec<Option<String>>, String, String), String> {
    let secrets: Vec<Option<Secret>> = leaf_secrets
        .iter()
        .map(|s| s.as_ref().map(|s| Secret::from_slice(s)))
        .collect();
    let (tree, root_secret) = PublicTree::<S>::from_leaf_secrets(&secrets)
        .map_err(|e| format!("building the tree failed: {e}"))?;
    let root_secret = root_secret.ok_or("the tree has no member")?;
    let commit_secret = derive_secret::<S>(root_secret.as_bytes(), "ART commit")
        .map_err(|e| format!("commit secret: {e}"))?;
    let (_, keys) = tree.to_parts();
    Ok((
        keys.into_iter().map(|key| key.map(hex::encode)).collect(),
        hex::encode(root_secret.as_bytes()),
        hex::encode(commit_secret.as_bytes()),
    ))
}

impl SuiteCheck for ArtTreeCase {
    fn check<S: CipherSuite>(&self) -> CheckResult {
        if self.leaf_secrets.len() != self.n_leaves as usize
            || self.node_public_keys.len() != (2 * self.n_leaves as usize).saturating_sub(1)
        {
            return Err("malformed vector: list lengths do not match n_leaves".into());
        }
        let leaf_secrets = self
            .leaf_secrets
            .iter()
            .map(|secret| {
                secret
                    .as_deref()
                    .map(|hex| unhex("leaf_secrets", hex))
                    .transpose()
            })
            .collect::<Result<Vec<_>, _>>()?;
        let (keys, root_secret, commit_secret) = compute::<S>(&leaf_secrets)?;
        for (node, (got, want)) in keys.iter().zip(&self.node_public_keys).enumerate() {
            if got.as_deref().map(str::to_ascii_lowercase)
                != want.as_deref().map(str::to_ascii_lowercase)
            {
                return Err(format!(
                    "public key of node {node}: got {got:?}, expected {want:?}"
                ));
            }
        }
        expect_bytes(
            "root_node_secret",
            &unhex("computed", &root_secret)?,
            &unhex("root_node_secret", &self.root_node_secret)?,
        )?;
        expect_bytes(
            "commit_secret",
            &unhex("computed", &commit_secret)?,
            &unhex("commit_secret", &self.commit_secret)?,
        )
    }
}
