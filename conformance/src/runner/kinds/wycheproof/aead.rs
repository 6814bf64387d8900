//! `aes_gcm_test` (on suite 1, ART 0xF001) and `chacha20_poly1305_test` (on suite 3, ART
//! 0xF003), schema `aead_test_schema_v1`.
//!
//! `valid`: `Seal(key, iv, aad, msg) == ct || tag` and `Open` gives back `msg`. `invalid`:
//! `Open(key, iv, aad, ct || tag)` must fail. `acceptable`: `Open` may fail, or must give `msg`.
//! Skipped, with the reason: nonces other than 96 bits (MLS and HPKE use 96-bit nonces), keys
//! other than the suite's (AES-192 and AES-256 are in no suite) and tags other than 128 bits.

use artmls::{Aead, CipherSuite, SuiteId};
use serde::Deserialize;

use super::{Expected, File, Source};
use crate::runner::FileRun;
use crate::runner::common::{
    CheckResult, Demand, SuiteCheck, expect_bytes, mls_number, step, unhex,
};

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[allow(dead_code)] // schema fields: kept so that unknown fields are rejected
struct Group {
    #[serde(rename = "type")]
    group_type: String,
    source: Source,
    iv_size: u32,
    key_size: u32,
    tag_size: u32,
    tests: Vec<Test>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[allow(dead_code)]
struct Test {
    tc_id: u64,
    comment: String,
    flags: Vec<String>,
    key: String,
    iv: String,
    aad: String,
    msg: String,
    ct: String,
    tag: String,
    result: Expected,
}

/// The AEAD a file is for, and the suite that has it.
struct Algorithm {
    name: &'static str,
    suite: SuiteId,
    key_bits: usize,
}

const AES_GCM: Algorithm = Algorithm {
    name: "AES-GCM",
    suite: SuiteId::X25519_AES128GCM_SHA256_ED25519,
    key_bits: 128,
};

const CHACHA20_POLY1305: Algorithm = Algorithm {
    name: "ChaCha20Poly1305",
    suite: SuiteId::X25519_CHACHA20POLY1305_SHA256_ED25519,
    key_bits: 256,
};

const NONCE_BITS: usize = 96;
const TAG_BITS: usize = 128;

struct Case<'a> {
    test: &'a Test,
    demand: Demand,
}

pub(crate) fn run_aes_gcm(run: &mut FileRun<'_>, text: &str) -> Result<(), serde_json::Error> {
    run_file(run, text, &AES_GCM)
}

pub(crate) fn run_chacha20_poly1305(
    run: &mut FileRun<'_>,
    text: &str,
) -> Result<(), serde_json::Error> {
    run_file(run, text, &CHACHA20_POLY1305)
}

fn run_file(
    run: &mut FileRun<'_>,
    text: &str,
    algorithm: &Algorithm,
) -> Result<(), serde_json::Error> {
    let file: File<Group> = serde_json::from_str(text)?;
    let display = mls_number(algorithm.suite);
    for group in &file.test_groups {
        for test in &group.tests {
            // Sizes from the values themselves (hex digits * 4), not from the group header.
            let iv_bits = test.iv.len() * 4;
            let key_bits = test.key.len() * 4;
            let tag_bits = test.tag.len() * 4;
            if iv_bits != NONCE_BITS {
                run.skip(
                    test.tc_id,
                    display,
                    format!("AEAD nonce of {iv_bits} bits: only 96-bit nonces are used in MLS"),
                );
                continue;
            }
            if key_bits != algorithm.key_bits {
                run.skip(
                    test.tc_id,
                    display,
                    format!(
                        "{}-{key_bits} key: key size outside the suites ({}-bit keys only)",
                        algorithm.name, algorithm.key_bits
                    ),
                );
                continue;
            }
            if tag_bits != TAG_BITS {
                run.skip(
                    test.tc_id,
                    display,
                    format!("tag of {tag_bits} bits: tag size outside the suites"),
                );
                continue;
            }
            let demand = match test.result {
                Expected::Valid => Demand::Match,
                Expected::Invalid => Demand::Reject,
                Expected::Acceptable => Demand::MatchIfAccepted,
            };
            let note = format!("{}: {}", test.result.name(), demand.note());
            run.run_suite(test.tc_id, algorithm.suite, &note, &Case { test, demand });
        }
    }
    Ok(())
}

impl SuiteCheck for Case<'_> {
    fn check<S: CipherSuite>(&self) -> CheckResult {
        let key = unhex("key", &self.test.key)?;
        let iv = unhex("iv", &self.test.iv)?;
        let aad = unhex("aad", &self.test.aad)?;
        let msg = unhex("msg", &self.test.msg)?;
        let sealed = [unhex("ct", &self.test.ct)?, unhex("tag", &self.test.tag)?].concat();
        if self.demand == Demand::Match {
            let computed = step("seal", S::Aead::seal(&key, &iv, &aad, &msg))?;
            expect_bytes("ct || tag", &computed, &sealed)?;
        }
        let attempt = step("open", S::Aead::open(&key, &iv, &aad, &sealed))
            .map(|opened| expect_bytes("opened plaintext", &opened, &msg));
        self.demand.judge(attempt)
    }
}
