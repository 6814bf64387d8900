//! One module per kind of vector file, and the table from kind name to handler.
//!
//! To add a kind: write a module with a `pub(crate) fn run(run: &mut FileRun<'_>, text: &str)
//! -> Result<(), serde_json::Error>` that parses `text` with `deny_unknown_fields` structs and
//! reports every case through `run`, then fill in its row below.

pub(crate) mod art_tree;
pub(crate) mod art_update;
mod crypto_basics;
mod deserialization;
mod key_schedule;
mod message_protection;
mod psk_secret;
mod rfc5869;
mod rfc7748;
mod rfc9180;
mod secret_tree;
mod transcript_hashes;
mod tree_math;
mod welcome;
mod wycheproof;

use crate::runner::FileRun;

/// Runs every case of one file of the kind. An `Err` means the file does not match the schema.
pub(crate) type Handler = fn(&mut FileRun<'_>, &str) -> Result<(), serde_json::Error>;

/// A kind: its name (as in file names and `--kind`), and its handler if implemented.
pub(crate) struct KindSpec {
    pub(crate) name: &'static str,
    pub(crate) description: &'static str,
    pub(crate) handler: Option<Handler>,
}

/// Every kind of the runner contract (`shared/spec/conformance-runner.md`).
pub(crate) const TABLE: &[KindSpec] = &[
    // mlswg/mls-implementations.
    KindSpec {
        name: "tree-math",
        description: "RFC 9420 tree math (mlswg)",
        handler: Some(tree_math::run),
    },
    KindSpec {
        name: "crypto-basics",
        description: "RFC 9420 labelled functions (mlswg)",
        handler: Some(crypto_basics::run),
    },
    KindSpec {
        name: "deserialization",
        description: "RFC 9420 variable-length vector headers (mlswg)",
        handler: Some(deserialization::run),
    },
    KindSpec {
        name: "secret-tree",
        description: "RFC 9420 secret tree (mlswg)",
        handler: Some(secret_tree::run),
    },
    KindSpec {
        name: "key-schedule",
        description: "RFC 9420 key schedule (mlswg)",
        handler: Some(key_schedule::run),
    },
    KindSpec {
        name: "psk_secret",
        description: "RFC 9420 PSK secret (mlswg)",
        handler: Some(psk_secret::run),
    },
    KindSpec {
        name: "transcript-hashes",
        description: "RFC 9420 transcript hashes (mlswg)",
        handler: Some(transcript_hashes::run),
    },
    KindSpec {
        name: "message-protection",
        description: "RFC 9420 message protection (mlswg)",
        handler: Some(message_protection::run),
    },
    KindSpec {
        name: "welcome",
        description: "RFC 9420 Welcome (mlswg)",
        handler: Some(welcome::run),
    },
    // RFCs.
    KindSpec {
        name: "rfc7748",
        description: "X25519, RFC 7748 sections 5.2 and 6.1",
        handler: Some(rfc7748::run),
    },
    KindSpec {
        name: "rfc5869",
        description: "HKDF-SHA256, RFC 5869 appendix A",
        handler: Some(rfc5869::run),
    },
    KindSpec {
        name: "rfc9180",
        description: "HPKE, RFC 9180 appendix A (all modes)",
        handler: Some(rfc9180::run),
    },
    // Wycheproof.
    KindSpec {
        name: "x25519_test",
        description: "Wycheproof X25519",
        handler: Some(wycheproof::x25519::run),
    },
    KindSpec {
        name: "ecdh_secp256r1_test",
        description: "Wycheproof P-256 ECDH, SPKI public keys",
        handler: Some(wycheproof::ecdh::run_spki),
    },
    KindSpec {
        name: "ecdh_secp256r1_ecpoint_test",
        description: "Wycheproof P-256 ECDH, SEC1 public keys",
        handler: Some(wycheproof::ecdh::run_ecpoint),
    },
    KindSpec {
        name: "hkdf_sha256_test",
        description: "Wycheproof HKDF-SHA256",
        handler: Some(wycheproof::hkdf::run),
    },
    KindSpec {
        name: "aes_gcm_test",
        description: "Wycheproof AES-GCM",
        handler: Some(wycheproof::aead::run_aes_gcm),
    },
    KindSpec {
        name: "chacha20_poly1305_test",
        description: "Wycheproof ChaCha20Poly1305",
        handler: Some(wycheproof::aead::run_chacha20_poly1305),
    },
    KindSpec {
        name: "ed25519_test",
        description: "Wycheproof Ed25519",
        handler: Some(wycheproof::signature::run_ed25519),
    },
    KindSpec {
        name: "ecdsa_secp256r1_sha256_test",
        description: "Wycheproof ECDSA P-256/SHA-256, DER signatures",
        handler: Some(wycheproof::signature::run_ecdsa_der),
    },
    KindSpec {
        name: "ecdsa_secp256r1_sha256_p1363_test",
        description: "Wycheproof ECDSA P-256/SHA-256, P1363 signatures",
        handler: Some(wycheproof::signature::run_ecdsa_p1363),
    },
    // This profile.
    KindSpec {
        name: "art-tree",
        description: "ART tree node keys and commit secret (art-mls-profile.md sections 3-4)",
        handler: Some(art_tree::run),
    },
    KindSpec {
        name: "art-update",
        description: "one ART Update with the Seal rule (art-mls-profile.md section 5, revision 2)",
        handler: Some(art_update::run),
    },
];
