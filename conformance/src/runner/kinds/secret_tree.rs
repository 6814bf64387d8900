//! `secret-tree`: the RFC 9420 secret tree, its ratchets and the sender-data keys (mlswg
//! test-vectors.md, "Secret Tree").
//!
//! The sender-data key and nonce derived from `sender_data.ciphertext` must match. A secret
//! tree of `leaves.len()` leaves is rooted at `encryption_secret`; for each leaf, the keys
//! and nonces of both ratchets at each listed generation (increasing) are taken from it, the
//! way a receiver would (so skipped generations are kept and consumed keys erased), and must
//! match. Suites 4-7 are skipped.

use artmls::internals::secret_tree::{
    RatchetKind, SecretTree, SecretTreeConfig, sender_data_key_nonce,
};
use artmls::tree_math::LeafIndex;
use artmls::{CipherSuite, Secret};
use serde::Deserialize;

use crate::runner::FileRun;
use crate::runner::common::{CheckResult, SuiteCheck, expect_bytes, unhex};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    cipher_suite: u16,
    sender_data: SenderData,
    encryption_secret: String,
    leaves: Vec<Vec<Generation>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SenderData {
    sender_data_secret: String,
    ciphertext: String,
    key: String,
    nonce: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Generation {
    generation: u32,
    handshake_key: String,
    handshake_nonce: String,
    application_key: String,
    application_nonce: String,
}

pub(crate) fn run(run: &mut FileRun<'_>, text: &str) -> Result<(), serde_json::Error> {
    let cases: Vec<Case> = serde_json::from_str(text)?;
    for (index, case) in cases.iter().enumerate() {
        if let Some(suite) = run.mls_suite(index, case.cipher_suite) {
            let note = format!("sender data and {} leaves match", case.leaves.len());
            run.run_suite(index, suite, &note, case);
        }
    }
    Ok(())
}

impl SuiteCheck for Case {
    fn check<S: CipherSuite>(&self) -> CheckResult {
        let sender_data_secret = Secret::new(unhex(
            "sender_data_secret",
            &self.sender_data.sender_data_secret,
        )?);
        let ciphertext = unhex("sender_data.ciphertext", &self.sender_data.ciphertext)?;
        let (key, nonce) = sender_data_key_nonce::<S>(&sender_data_secret, &ciphertext)
            .map_err(|error| format!("sender data key derivation failed: {error}"))?;
        expect_bytes(
            "sender_data.key",
            key.as_bytes(),
            &unhex("sender_data.key", &self.sender_data.key)?,
        )?;
        expect_bytes(
            "sender_data.nonce",
            nonce.as_bytes(),
            &unhex("sender_data.nonce", &self.sender_data.nonce)?,
        )?;

        let n_leaves =
            u32::try_from(self.leaves.len()).map_err(|_| "too many leaves".to_owned())?;
        let largest_jump = self
            .leaves
            .iter()
            .flatten()
            .map(|generation| generation.generation)
            .max()
            .unwrap_or(0);
        let config = SecretTreeConfig {
            max_forward_jump: largest_jump.max(SecretTreeConfig::default().max_forward_jump),
            ..SecretTreeConfig::default()
        };
        let encryption_secret = Secret::new(unhex("encryption_secret", &self.encryption_secret)?);
        let mut tree = SecretTree::<S>::with_config(encryption_secret, n_leaves, config)
            .map_err(|error| format!("building the secret tree: {error}"))?;
        for (leaf, generations) in (0u32..).zip(&self.leaves) {
            for entry in generations {
                let at = format!("leaf {leaf} generation {}", entry.generation);
                for (kind, want_key, want_nonce) in [
                    (
                        RatchetKind::Handshake,
                        &entry.handshake_key,
                        &entry.handshake_nonce,
                    ),
                    (
                        RatchetKind::Application,
                        &entry.application_key,
                        &entry.application_nonce,
                    ),
                ] {
                    let key = tree
                        .take_key(LeafIndex(leaf), kind, entry.generation)
                        .map_err(|error| format!("{at}: {kind:?} key: {error}"))?;
                    expect_bytes(
                        &format!("{at} {kind:?} key"),
                        key.key().as_bytes(),
                        &unhex("key", want_key)?,
                    )?;
                    expect_bytes(
                        &format!("{at} {kind:?} nonce"),
                        key.nonce().as_bytes(),
                        &unhex("nonce", want_nonce)?,
                    )?;
                }
            }
        }
        Ok(())
    }
}
