//! `hkdf_sha256_test` (schema `hkdf_test_schema_v1`), on suite 1 (ART 0xF001; every suite uses
//! HKDF-SHA256): `okm == Expand(Extract(salt, ikm), info, size)`.
//!
//! Policy: `valid` must match; `invalid` (an output longer than 255 * HashLen) must be
//! rejected by `expand`; `acceptable` may be rejected, but an output must match.

use artmls::{CipherSuite, Kdf, SuiteId};
use serde::Deserialize;

use super::{Expected, File, Source};
use crate::runner::FileRun;
use crate::runner::common::{CheckResult, Demand, SuiteCheck, expect_bytes, step, unhex};

const SUITE: SuiteId = SuiteId::X25519_AES128GCM_SHA256_ED25519;

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[allow(dead_code)] // schema fields: kept so that unknown fields are rejected
struct Group {
    #[serde(rename = "type")]
    group_type: String,
    source: Source,
    key_size: u32,
    tests: Vec<Test>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[allow(dead_code)]
struct Test {
    tc_id: u64,
    comment: String,
    flags: Vec<String>,
    ikm: String,
    salt: String,
    info: String,
    size: usize,
    okm: String,
    result: Expected,
}

struct Case<'a> {
    test: &'a Test,
    demand: Demand,
}

pub(crate) fn run(run: &mut FileRun<'_>, text: &str) -> Result<(), serde_json::Error> {
    let file: File<Group> = serde_json::from_str(text)?;
    for group in &file.test_groups {
        for test in &group.tests {
            let demand = match test.result {
                Expected::Valid => Demand::Match,
                Expected::Invalid => Demand::Reject,
                Expected::Acceptable => Demand::MatchIfAccepted,
            };
            let note = format!("{}: {}", test.result.name(), demand.note());
            run.run_suite(test.tc_id, SUITE, &note, &Case { test, demand });
        }
    }
    Ok(())
}

impl SuiteCheck for Case<'_> {
    fn check<S: CipherSuite>(&self) -> CheckResult {
        let ikm = unhex("ikm", &self.test.ikm)?;
        let salt = unhex("salt", &self.test.salt)?;
        let info = unhex("info", &self.test.info)?;
        let okm = unhex("okm", &self.test.okm)?;
        let prk = S::Kdf::extract(&salt, &ikm);
        let attempt = step(
            "expand",
            S::Kdf::expand(prk.as_bytes(), &info, self.test.size),
        )
        .map(|computed| expect_bytes("okm", computed.as_bytes(), &okm));
        self.demand.judge(attempt)
    }
}
