//! Vector generation from this project's code, for other implementations to check:
//! `artmls-conformance generate art-tree`.

use artmls::{CipherSuite, SuiteId, SuiteVisitor};
use rand::RngExt;

use crate::rng::seeded;
use crate::runner::kinds::art_tree::{ArtTreeCase, compute};

/// `art-tree` cases for suites 1-3: for each suite, full trees of 1 to 64 leaves, some with
/// every leaf a member, some with random blank leaves, all from `seed`.
pub fn art_tree_cases(seed: u64) -> Result<Vec<ArtTreeCase>, String> {
    let mut rng = seeded(seed);
    let mut cases = Vec::new();
    for suite in SuiteId::ALL {
        let backend = *crate::backends_for(suite)
            .first()
            .ok_or("no backend serves the suite")?;
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
                let case = crate::visit(backend, suite, Generate { leaf_secrets })
                    .ok_or("backend does not serve the suite")??;
                cases.push(case);
            }
        }
    }
    Ok(cases)
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
