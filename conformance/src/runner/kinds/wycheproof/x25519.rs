//! `x25519_test` (schema `xdh_comp_schema_v1`), on suite 1 (ART 0xF001; suite 3 shares its DH
//! group).
//!
//! Policy: an all-zero shared secret must be rejected (RFC 7748 §6.1 abort, as the profile
//! demands), whatever the label, and so must a public key in non-canonical form (top bit set,
//! or u >= p: profile revision 2 §2), which RFC 7748 would reduce; otherwise `valid` and
//! `acceptable` must give exactly `shared` (twist points included) and `invalid` must be
//! rejected.

use artmls::{CipherSuite, DhGroup, SuiteId};
use serde::Deserialize;

use super::{Expected, File, Source};
use crate::runner::FileRun;
use crate::runner::common::{
    CheckResult, Demand, SuiteCheck, expect_bytes, step, unhex, x25519_u_is_canonical,
};

const SUITE: SuiteId = SuiteId::X25519_AES128GCM_SHA256_ED25519;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)] // schema fields: kept so that unknown fields are rejected
struct Group {
    #[serde(rename = "type")]
    group_type: String,
    source: Source,
    curve: String,
    tests: Vec<Test>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[allow(dead_code)]
struct Test {
    tc_id: u64,
    comment: String,
    flags: Vec<String>,
    public: String,
    private: String,
    shared: String,
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
            let zero_shared = !test.shared.is_empty() && test.shared.bytes().all(|c| c == b'0');
            let canonical = hex::decode(&test.public)
                .map(|public| x25519_u_is_canonical(&public))
                .unwrap_or(false);
            let (demand, note) = match (test.result, zero_shared) {
                (result, _) if !canonical => (
                    Demand::Reject,
                    format!("{}, non-canonical public key: rejected", result.name()),
                ),
                (result, true) => (
                    Demand::Reject,
                    format!("{}, zero shared secret: rejected", result.name()),
                ),
                (Expected::Invalid, false) => (Demand::Reject, "invalid: rejected".to_owned()),
                (Expected::Valid, false) => (Demand::Match, "valid: output matches".to_owned()),
                (Expected::Acceptable, false) => (
                    Demand::Match,
                    "acceptable, non-zero output: output matches".to_owned(),
                ),
            };
            run.run_suite(test.tc_id, SUITE, &note, &Case { test, demand });
        }
    }
    Ok(())
}

impl SuiteCheck for Case<'_> {
    fn check<S: CipherSuite>(&self) -> CheckResult {
        let private = unhex("private", &self.test.private)?;
        let public = unhex("public", &self.test.public)?;
        let shared = unhex("shared", &self.test.shared)?;
        let attempt = (|| {
            let private = step(
                "private_key_from_bytes",
                S::Dh::private_key_from_bytes(&private),
            )?;
            let public = step(
                "public_key_from_bytes",
                S::Dh::public_key_from_bytes(&public),
            )?;
            let computed = step("dh", S::Dh::dh(&private, &public))?;
            Ok(expect_bytes("shared secret", computed.as_bytes(), &shared))
        })();
        self.demand.judge(attempt)
    }
}
