//! `ecdh_secp256r1_test` (public keys as DER `SubjectPublicKeyInfo`) and
//! `ecdh_secp256r1_ecpoint_test` (public keys as SEC1 points), on suite 2 (ART 0xF002).
//!
//! The SPKI is read with [`crate::der::p256_point_from_spki`], which accepts only the exact
//! named-curve P-256 uncompressed form; the point then goes to the DH group's
//! `public_key_from_bytes`, which must reject compressed, off-curve and identity points. The
//! private key (an ASN.1 integer, possibly with a leading zero byte) is normalised to 32 bytes.
//!
//! Policy: `valid` must give exactly `shared`; `invalid` and `acceptable` must be rejected
//! (every acceptable case is a compressed point, non-strict or unnamed-curve ASN.1, or a
//! modified point, all on the reject list).

use artmls::{CipherSuite, DhGroup, SuiteId};
use serde::Deserialize;

use super::{Expected, File, Source};
use crate::der::{fixed_width_scalar, p256_point_from_spki};
use crate::runner::FileRun;
use crate::runner::common::{CheckResult, Demand, SuiteCheck, expect_bytes, step, unhex};

const SUITE: SuiteId = SuiteId::P256_AES128GCM_SHA256_P256;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)] // schema fields: kept so that unknown fields are rejected
struct Group {
    #[serde(rename = "type")]
    group_type: String,
    source: Source,
    curve: String,
    encoding: String,
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

#[derive(Clone, Copy)]
enum Encoding {
    Spki,
    EcPoint,
}

struct Case<'a> {
    test: &'a Test,
    encoding: Encoding,
    demand: Demand,
}

pub(crate) fn run_spki(run: &mut FileRun<'_>, text: &str) -> Result<(), serde_json::Error> {
    run_file(run, text, Encoding::Spki)
}

pub(crate) fn run_ecpoint(run: &mut FileRun<'_>, text: &str) -> Result<(), serde_json::Error> {
    run_file(run, text, Encoding::EcPoint)
}

fn run_file(
    run: &mut FileRun<'_>,
    text: &str,
    encoding: Encoding,
) -> Result<(), serde_json::Error> {
    let file: File<Group> = serde_json::from_str(text)?;
    for group in &file.test_groups {
        for test in &group.tests {
            let demand = match test.result {
                Expected::Valid => Demand::Match,
                Expected::Invalid | Expected::Acceptable => Demand::Reject,
            };
            let strict_spki_rejects = matches!(encoding, Encoding::Spki)
                && hex::decode(&test.public)
                    .map_or(true, |der| p256_point_from_spki(&der).is_err());
            let note = if strict_spki_rejects && demand == Demand::Reject {
                format!("{}: rejected by the strict SPKI parser", test.result.name())
            } else {
                format!("{}: {}", test.result.name(), demand.note())
            };
            let case = Case {
                test,
                encoding,
                demand,
            };
            run.run_suite(test.tc_id, SUITE, &note, &case);
        }
    }
    Ok(())
}

impl SuiteCheck for Case<'_> {
    fn check<S: CipherSuite>(&self) -> CheckResult {
        let public = unhex("public", &self.test.public)?;
        let private = unhex("private", &self.test.private)?;
        let shared = unhex("shared", &self.test.shared)?;
        let attempt = (|| {
            let point = match self.encoding {
                Encoding::Spki => p256_point_from_spki(&public)
                    .map_err(|error| format!("strict SPKI parsing: {error}"))?,
                Encoding::EcPoint => public.as_slice(),
            };
            let scalar = fixed_width_scalar(&private, S::Dh::PRIVATE_KEY_LEN)
                .map_err(|error| format!("private key: {error}"))?;
            let private = step(
                "private_key_from_bytes",
                S::Dh::private_key_from_bytes(&scalar),
            )?;
            let public = step("public_key_from_bytes", S::Dh::public_key_from_bytes(point))?;
            let computed = step("dh", S::Dh::dh(&private, &public))?;
            Ok(expect_bytes("shared secret", computed.as_bytes(), &shared))
        })();
        self.demand.judge(attempt)
    }
}
