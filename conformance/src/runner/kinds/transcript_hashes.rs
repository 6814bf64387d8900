//! `transcript-hashes`: the RFC 9420 confirmed and interim transcript hashes and the
//! confirmation tag (mlswg test-vectors.md, "Transcript Hashes").
//!
//! `authenticated_content` must decode as an AuthenticatedContent holding a commit (and
//! re-encode to the same bytes); its confirmation tag must verify under `confirmation_key`
//! over `confirmed_transcript_hash_after`; updating `interim_transcript_hash_before` with it
//! must give `confirmed_transcript_hash_after` and `interim_transcript_hash_after`. Suites 4-7
//! are skipped.

use artmls::codec::{Decode, Encode};
use artmls::internals::key_schedule::{transcript_hashes_after, verify_confirmation_tag};
use artmls::messages::AuthenticatedContent;
use artmls::{CipherSuite, Secret};
use serde::Deserialize;

use crate::runner::FileRun;
use crate::runner::common::{CheckResult, SuiteCheck, expect_bytes, unhex};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    cipher_suite: u16,
    confirmation_key: String,
    authenticated_content: String,
    interim_transcript_hash_before: String,
    confirmed_transcript_hash_after: String,
    interim_transcript_hash_after: String,
}

pub(crate) fn run(run: &mut FileRun<'_>, text: &str) -> Result<(), serde_json::Error> {
    let cases: Vec<Case> = serde_json::from_str(text)?;
    for (index, case) in cases.iter().enumerate() {
        if let Some(suite) = run.mls_suite(index, case.cipher_suite) {
            run.run_suite(index, suite, "hashes and confirmation tag match", case);
        }
    }
    Ok(())
}

impl SuiteCheck for Case {
    fn check<S: CipherSuite>(&self) -> CheckResult {
        let bytes = unhex("authenticated_content", &self.authenticated_content)?;
        let content = AuthenticatedContent::<artmls::messages::Commit>::decode_exact(&bytes)
            .map_err(|error| format!("decoding authenticated_content: {error}"))?;
        let encoded = content
            .encode_to_vec()
            .map_err(|error| format!("re-encoding authenticated_content: {error}"))?;
        expect_bytes("re-encoded authenticated_content", &encoded, &bytes)?;

        let confirmed_after = unhex(
            "confirmed_transcript_hash_after",
            &self.confirmed_transcript_hash_after,
        )?;
        let tag = content
            .auth
            .confirmation_tag
            .as_deref()
            .ok_or("the commit has no confirmation tag")?;
        let key = Secret::new(unhex("confirmation_key", &self.confirmation_key)?);
        verify_confirmation_tag::<S>(&key, &confirmed_after, tag)
            .map_err(|error| format!("confirmation tag: {error}"))?;

        let interim_before = unhex(
            "interim_transcript_hash_before",
            &self.interim_transcript_hash_before,
        )?;
        let (confirmed, interim) = transcript_hashes_after::<S, _>(&interim_before, &content)
            .map_err(|error| format!("transcript hashes: {error}"))?;
        expect_bytes(
            "confirmed_transcript_hash_after",
            &confirmed,
            &confirmed_after,
        )?;
        expect_bytes(
            "interim_transcript_hash_after",
            &interim,
            &unhex(
                "interim_transcript_hash_after",
                &self.interim_transcript_hash_after,
            )?,
        )
    }
}
