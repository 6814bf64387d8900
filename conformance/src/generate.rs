//! Vector generation from this project's code, for other implementations to check:
//! `artmls-conformance generate art-tree` and `generate art-update`.

use artmls::{CipherSuite, SuiteId, SuiteVisitor};
use rand::RngExt;

use crate::rng::seeded;
use crate::runner::kinds::art_tree::{ArtTreeCase, compute};
use crate::runner::kinds::art_update::{ArtUpdateCase, ArtUpdateLeaf};

/// `art-tree` cases for suites 1-3: for each suite, full trees of 1 to 64 leaves, some with
/// every leaf a member, some with random blank leaves, all from `seed`.
pub fn art_tree_cases(seed: u64) -> Result<Vec<ArtTreeCase>, String> {
    let mut rng = seeded(seed);
    let mut cases = Vec::new();
    for suite in SuiteId::ALL {
        let backend = first_serving(suite)?;
        for log in 0..=6u32 {
            for dense in [true, false] {
                let n_leaves = 1u32 << log;
                let mut leaf_secrets: Vec<Option<Vec<u8>>> = (0..n_leaves)
                    .map(|_| {
                        let member = dense || rng.random_range(0..3) > 0;
                        member.then(|| (0..32).map(|_| rng.random::<u8>()).collect())
                    })
                    .collect();
                if leaf_secrets.iter().all(Option::is_none) {
                    leaf_secrets[rng.random_range(0..n_leaves as usize)] = Some(vec![0x5a; 32]);
                }
                let case = artmls_providers::visit(backend, suite, Generate { leaf_secrets })
                    .ok_or("backend does not serve the suite")??;
                cases.push(case);
            }
        }
    }
    Ok(cases)
}

/// The name of the first provider that serves `suite`: generated vectors come from one provider,
/// and the runner checks them on all.
fn first_serving(suite: SuiteId) -> Result<&'static str, String> {
    artmls_providers::serving(suite)
        .first()
        .map(|provider| provider.name())
        .ok_or_else(|| format!("no provider serves {suite}"))
}

struct Generate {
    leaf_secrets: Vec<Option<Vec<u8>>>,
}

impl SuiteVisitor for Generate {
    type Output = Result<ArtTreeCase, String>;

    fn visit<S: CipherSuite>(self) -> Self::Output {
        let (node_public_keys, root_node_secret, commit_secret) = compute::<S>(&self.leaf_secrets)?;
        let info = S::ID.info().ok_or("unknown suite")?;
        Ok(ArtTreeCase {
            cipher_suite: info.mls_suite,
            n_leaves: self.leaf_secrets.len() as u32,
            leaf_secrets: self
                .leaf_secrets
                .iter()
                .map(|s| s.as_ref().map(hex::encode))
                .collect(),
            node_public_keys,
            root_node_secret,
            commit_secret,
        })
    }
}

/// `art-update` cases for suites 1-3: for each suite, trees of 2 to 32 leaves with random
/// members, tombstones and blanks (at least one member; the right half holds a member, as
/// after any commit), a random member updating; about half of them seal a tombstone. All
/// from `seed`.
pub fn art_update_cases(seed: u64) -> Result<Vec<ArtUpdateCase>, String> {
    let mut rng = seeded(seed);
    let mut cases = Vec::new();
    for suite in SuiteId::ALL {
        let backend = first_serving(suite)?;
        for log in 1..=5u32 {
            for _ in 0..3 {
                let n_leaves = 1usize << log;
                let mut kinds: Vec<&'static str> = (0..n_leaves)
                    .map(|_| match rng.random_range(0..4) {
                        0 => "blank",
                        1 => "tombstone",
                        _ => "member",
                    })
                    .collect();
                // A member in the right half (a committed tree is truncated), and a sender.
                let right = rng.random_range(n_leaves / 2..n_leaves);
                kinds[right] = "member";
                let members: Vec<usize> = (0..n_leaves).filter(|i| kinds[*i] == "member").collect();
                let sender = members[rng.random_range(0..members.len())];
                let mut secret = || -> Vec<u8> { (0..32).map(|_| rng.random::<u8>()).collect() };
                let leaves: Vec<(String, Option<Vec<u8>>)> = kinds
                    .iter()
                    .map(|kind| (kind.to_string(), (*kind != "blank").then(&mut secret)))
                    .collect();
                let new_leaf_secret = secret();
                let case = artmls_providers::visit(
                    backend,
                    suite,
                    GenerateUpdate {
                        leaves,
                        sender: sender as u32,
                        new_leaf_secret,
                    },
                )
                .ok_or("backend does not serve the suite")??;
                cases.push(case);
            }
        }
    }
    Ok(cases)
}

struct GenerateUpdate {
    leaves: Vec<(String, Option<Vec<u8>>)>,
    sender: u32,
    new_leaf_secret: Vec<u8>,
}

impl SuiteVisitor for GenerateUpdate {
    type Output = Result<ArtUpdateCase, String>;

    fn visit<S: CipherSuite>(self) -> Self::Output {
        let result = crate::runner::kinds::art_update::compute::<S>(
            &self.leaves,
            self.sender,
            &self.new_leaf_secret,
        )?;
        let info = S::ID.info().ok_or("unknown suite")?;
        Ok(ArtUpdateCase {
            cipher_suite: info.mls_suite,
            n_leaves: self.leaves.len() as u32,
            leaves: self
                .leaves
                .iter()
                .map(|(kind, secret)| ArtUpdateLeaf {
                    kind: kind.clone(),
                    leaf_secret: secret.as_ref().map(hex::encode),
                })
                .collect(),
            sender: self.sender,
            new_leaf_secret: hex::encode(&self.new_leaf_secret),
            leaves_after: result.leaves_after,
            node_public_keys_after: result.node_public_keys_after,
            commit_secret_after: result.commit_secret_after,
        })
    }
}
