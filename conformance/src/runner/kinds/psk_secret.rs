//! `psk_secret`: the RFC 9420 §8.4 PSK secret (mlswg test-vectors.md, "Pre-Shared Keys").
//!
//! Each case lists external PSKs (`psk_id`, `psk`, `psk_nonce`) in order; the PSK secret of
//! `PreSharedKeyID { external, psk_id, psk_nonce }` with those values must be `psk_secret`
//! (the zero secret for an empty list). Suites 4-7 are skipped.

use artmls::internals::key_schedule::psk_secret;
use artmls::messages::PreSharedKeyId;
use artmls::{CipherSuite, Secret};
use serde::Deserialize;

use crate::runner::FileRun;
use crate::runner::common::{CheckResult, SuiteCheck, expect_bytes, unhex};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    cipher_suite: u16,
    psks: Vec<Psk>,
    psk_secret: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Psk {
    psk_id: String,
    psk: String,
    psk_nonce: String,
}

pub(crate) fn run(run: &mut FileRun<'_>, text: &str) -> Result<(), serde_json::Error> {
    let cases: Vec<Case> = serde_json::from_str(text)?;
    for (index, case) in cases.iter().enumerate() {
        if let Some(suite) = run.mls_suite(index, case.cipher_suite) {
            let note = format!("psk_secret of {} PSKs matches", case.psks.len());
            run.run_suite(index, suite, &note, case);
        }
    }
    Ok(())
}

impl SuiteCheck for Case {
    fn check<S: CipherSuite>(&self) -> CheckResult {
        let mut psks = Vec::with_capacity(self.psks.len());
        for psk in &self.psks {
            let id = PreSharedKeyId::external(
                unhex("psk_id", &psk.psk_id)?,
                unhex("psk_nonce", &psk.psk_nonce)?,
            );
            psks.push((id, Secret::new(unhex("psk", &psk.psk)?)));
        }
        let secret =
            psk_secret::<S>(&psks).map_err(|error| format!("psk_secret failed: {error}"))?;
        expect_bytes(
            "psk_secret",
            secret.as_bytes(),
            &unhex("psk_secret", &self.psk_secret)?,
        )
    }
}
