//! `ed25519_test` (on suite 1, ART 0xF001), `ecdsa_secp256r1_sha256_test` and
//! `ecdsa_secp256r1_sha256_p1363_test` (on suite 2, ART 0xF002).
//!
//! The group's public key goes through `verifying_key_from_bytes` (Ed25519: the 32-byte `pk`;
//! ECDSA: the 65-byte `uncompressed` point), the test's signature through `verify`. A P1363
//! signature is first converted to strict DER with [`crate::der::p1363_to_der`]; one that is
//! not 64 bytes long is invalid as it stands.
//!
//! Policy: `valid` must verify; `invalid` and `acceptable` must be rejected (strict DER for
//! ECDSA; no `S >= L` or non-canonical encodings for Ed25519).

use artmls::{CipherSuite, SignatureScheme, SuiteId};
use serde::Deserialize;

use super::{EcPublicKey, EdPublicKey, Expected, File, Jwk, Source};
use crate::der::p1363_to_der;
use crate::runner::FileRun;
use crate::runner::common::{CheckResult, Demand, SuiteCheck, step, unhex};

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[allow(dead_code)] // schema fields: kept so that unknown fields are rejected
struct EddsaGroup {
    #[serde(rename = "type")]
    group_type: String,
    source: Source,
    public_key: EdPublicKey,
    public_key_der: String,
    public_key_pem: String,
    #[serde(default)]
    public_key_jwk: Option<Jwk>,
    tests: Vec<Test>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[allow(dead_code)]
struct EcdsaGroup {
    #[serde(rename = "type")]
    group_type: String,
    source: Source,
    public_key: EcPublicKey,
    public_key_der: String,
    public_key_pem: String,
    #[serde(default)]
    public_key_jwk: Option<Jwk>,
    sha: String,
    tests: Vec<Test>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[allow(dead_code)]
struct Test {
    tc_id: u64,
    comment: String,
    flags: Vec<String>,
    msg: String,
    sig: String,
    result: Expected,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    /// The signature as the scheme's `verify` takes it (Ed25519, DER ECDSA).
    Native,
    /// IEEE P1363 `r || s`, converted to DER first.
    P1363,
}

struct Case<'a> {
    public_key: &'a str,
    hash: Option<&'a str>,
    test: &'a Test,
    format: Format,
    demand: Demand,
}

fn demand_for(result: Expected) -> Demand {
    match result {
        Expected::Valid => Demand::Match,
        Expected::Invalid | Expected::Acceptable => Demand::Reject,
    }
}

pub(crate) fn run_ed25519(run: &mut FileRun<'_>, text: &str) -> Result<(), serde_json::Error> {
    let file: File<EddsaGroup> = serde_json::from_str(text)?;
    for group in &file.test_groups {
        for test in &group.tests {
            let demand = demand_for(test.result);
            let case = Case {
                public_key: &group.public_key.pk,
                hash: None,
                test,
                format: Format::Native,
                demand,
            };
            let note = format!("{}: {}", test.result.name(), verdict(demand));
            run.run_suite(
                test.tc_id,
                SuiteId::X25519_AES128GCM_SHA256_ED25519,
                &note,
                &case,
            );
        }
    }
    Ok(())
}

pub(crate) fn run_ecdsa_der(run: &mut FileRun<'_>, text: &str) -> Result<(), serde_json::Error> {
    run_ecdsa(run, text, Format::Native)
}

pub(crate) fn run_ecdsa_p1363(run: &mut FileRun<'_>, text: &str) -> Result<(), serde_json::Error> {
    run_ecdsa(run, text, Format::P1363)
}

fn run_ecdsa(run: &mut FileRun<'_>, text: &str, format: Format) -> Result<(), serde_json::Error> {
    let file: File<EcdsaGroup> = serde_json::from_str(text)?;
    for group in &file.test_groups {
        for test in &group.tests {
            let demand = demand_for(test.result);
            let case = Case {
                public_key: &group.public_key.uncompressed,
                hash: Some(&group.sha),
                test,
                format,
                demand,
            };
            let not_p1363 = format == Format::P1363 && test.sig.len() != 128;
            let note = if not_p1363 && demand == Demand::Reject {
                format!(
                    "{}: not a 64-byte P1363 signature, rejected",
                    test.result.name()
                )
            } else {
                format!("{}: {}", test.result.name(), verdict(demand))
            };
            run.run_suite(
                test.tc_id,
                SuiteId::P256_AES128GCM_SHA256_P256,
                &note,
                &case,
            );
        }
    }
    Ok(())
}

fn verdict(demand: Demand) -> &'static str {
    match demand {
        Demand::Match => "verifies",
        _ => demand.note(),
    }
}

impl SuiteCheck for Case<'_> {
    fn check<S: CipherSuite>(&self) -> CheckResult {
        if let Some(hash) = self.hash
            && hash != "SHA-256"
        {
            return Err(format!("malformed vector: hash {hash} is not SHA-256"));
        }
        let public_key = unhex("publicKey", self.public_key)?;
        let message = unhex("msg", &self.test.msg)?;
        let signature = unhex("sig", &self.test.sig)?;
        let attempt = (|| {
            let signature = match self.format {
                Format::Native => signature,
                Format::P1363 => {
                    p1363_to_der(&signature).map_err(|error| format!("P1363 signature: {error}"))?
                }
            };
            let key = step(
                "verifying_key_from_bytes",
                S::Signature::verifying_key_from_bytes(&public_key),
            )?;
            step("verify", S::Signature::verify(&key, &message, &signature))?;
            Ok(Ok(()))
        })();
        self.demand.judge(attempt)
    }
}
