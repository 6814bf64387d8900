//! Wycheproof files (C2SP/wycheproof `testvectors_v1`): the shared file layout and the
//! project's policy.
//!
//! Policy (`shared/vectors/README.md`), applied by rule, never by test id:
//! - `valid`: the operation must succeed with exactly the expected output;
//! - `invalid`: it must be rejected;
//! - `acceptable`: decided by the policy of each kind: X25519: an all-zero shared secret must
//!   be rejected, any other output must match; P-256 ECDH: rejected (every reason Wycheproof
//!   has to call a case acceptable there, compressed points, non-strict or unnamed-curve
//!   ASN.1, modified points, is on the reject list); ECDSA and Ed25519: rejected (strict DER,
//!   no `S >= L` or non-canonical encodings); HKDF and AEAD: either outcome, but an accepted
//!   operation must give the expected output.
//! - AEAD nonces other than 96 bits, and key or tag sizes the suites do not use (AES-192,
//!   AES-256), are skipped with that reason.
//!
//! The case id is the Wycheproof `tcId`.

pub(crate) mod aead;
pub(crate) mod ecdh;
pub(crate) mod hkdf;
pub(crate) mod signature;
pub(crate) mod x25519;

use std::collections::BTreeMap;

use serde::Deserialize;

/// The top level of every Wycheproof file.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[allow(dead_code)] // schema fields: kept so that unknown fields are rejected
pub(crate) struct File<G> {
    pub(crate) algorithm: String,
    pub(crate) schema: String,
    pub(crate) number_of_tests: u64,
    pub(crate) header: Vec<String>,
    pub(crate) notes: BTreeMap<String, Note>,
    #[serde(default)]
    pub(crate) generator_version: Option<String>,
    pub(crate) test_groups: Vec<G>,
}

/// The explanation of a flag.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[allow(dead_code)]
pub(crate) struct Note {
    pub(crate) bug_type: String,
    pub(crate) description: String,
    #[serde(default)]
    pub(crate) effect: Option<String>,
    #[serde(default)]
    pub(crate) cves: Option<Vec<String>>,
    #[serde(default)]
    pub(crate) links: Option<Vec<String>>,
}

/// Where a test group comes from.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub(crate) struct Source {
    pub(crate) name: String,
    pub(crate) version: String,
}

/// The verdict Wycheproof expects.
#[derive(Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Expected {
    Valid,
    Invalid,
    Acceptable,
}

impl Expected {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Expected::Valid => "valid",
            Expected::Invalid => "invalid",
            Expected::Acceptable => "acceptable",
        }
    }
}

/// An `EcPublicKey` as the ECDSA groups give it.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[allow(dead_code)]
pub(crate) struct EcPublicKey {
    #[serde(rename = "type")]
    pub(crate) key_type: String,
    pub(crate) curve: String,
    pub(crate) key_size: u32,
    pub(crate) uncompressed: String,
    pub(crate) wx: String,
    pub(crate) wy: String,
}

/// An `EDDSAPublicKey`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[allow(dead_code)]
pub(crate) struct EdPublicKey {
    #[serde(rename = "type")]
    pub(crate) key_type: String,
    pub(crate) curve: String,
    pub(crate) key_size: u32,
    pub(crate) pk: String,
}

/// A JSON Web Key, informational only.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub(crate) struct Jwk {
    pub(crate) kty: String,
    pub(crate) crv: String,
    #[serde(default)]
    pub(crate) kid: Option<String>,
    pub(crate) x: String,
    #[serde(default)]
    pub(crate) y: Option<String>,
}
