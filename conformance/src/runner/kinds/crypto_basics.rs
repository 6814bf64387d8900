//! `crypto-basics`: the RFC 9420 labelled functions (mlswg test-vectors.md, "Crypto Basics").
//!
//! Every check of the schema, on the ART suite with the case's primitives:
//! `RefHash`, `ExpandWithLabel`, `DeriveSecret`, `DeriveTreeSecret` (generation is a `uint32`);
//! `VerifyWithLabel` of the given signature, then `SignWithLabel` + `VerifyWithLabel` (ECDSA
//! signatures are randomised, so the given one cannot be reproduced); `DecryptWithLabel` of the
//! given ciphertext, then `EncryptWithLabel` + `DecryptWithLabel`. The key pairs are also checked
//! for consistency (`pub` is the public key of `priv`). Suites 4-7 are skipped.

use artmls::internals::labels;
use artmls::{CipherSuite, DhGroup, SignatureScheme};
use serde::Deserialize;

use crate::rng::seeded;
use crate::runner::FileRun;
use crate::runner::common::{CheckResult, SuiteCheck, expect_bytes, step, unhex};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    cipher_suite: u16,
    ref_hash: RefHash,
    expand_with_label: ExpandWithLabel,
    derive_secret: DeriveSecret,
    derive_tree_secret: DeriveTreeSecret,
    sign_with_label: SignWithLabel,
    encrypt_with_label: EncryptWithLabel,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RefHash {
    label: String,
    value: String,
    out: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpandWithLabel {
    secret: String,
    label: String,
    context: String,
    length: u16,
    out: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DeriveSecret {
    secret: String,
    label: String,
    out: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DeriveTreeSecret {
    secret: String,
    label: String,
    generation: u32,
    length: u16,
    out: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SignWithLabel {
    #[serde(rename = "priv")]
    private: String,
    #[serde(rename = "pub")]
    public: String,
    content: String,
    label: String,
    signature: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EncryptWithLabel {
    #[serde(rename = "priv")]
    private: String,
    #[serde(rename = "pub")]
    public: String,
    label: String,
    context: String,
    plaintext: String,
    kem_output: String,
    ciphertext: String,
}

pub(crate) fn run(run: &mut FileRun<'_>, text: &str) -> Result<(), serde_json::Error> {
    let cases: Vec<Case> = serde_json::from_str(text)?;
    for (index, case) in cases.iter().enumerate() {
        if let Some(suite) = run.mls_suite(index, case.cipher_suite) {
            run.run_suite(index, suite, "all seven checks pass", case);
        }
    }
    Ok(())
}

impl SuiteCheck for Case {
    fn check<S: CipherSuite>(&self) -> CheckResult {
        check_ref_hash::<S>(&self.ref_hash)?;
        check_expand_with_label::<S>(&self.expand_with_label)?;
        check_derive_secret::<S>(&self.derive_secret)?;
        check_derive_tree_secret::<S>(&self.derive_tree_secret)?;
        check_sign_with_label::<S>(&self.sign_with_label)?;
        check_encrypt_with_label::<S>(&self.encrypt_with_label)
    }
}

fn check_ref_hash<S: CipherSuite>(case: &RefHash) -> CheckResult {
    let value = unhex("ref_hash.value", &case.value)?;
    let out = step("RefHash", labels::ref_hash::<S>(&case.label, &value))?;
    expect_bytes("ref_hash.out", &out, &unhex("ref_hash.out", &case.out)?)
}

fn check_expand_with_label<S: CipherSuite>(case: &ExpandWithLabel) -> CheckResult {
    let secret = unhex("expand_with_label.secret", &case.secret)?;
    let context = unhex("expand_with_label.context", &case.context)?;
    let out = step(
        "ExpandWithLabel",
        labels::expand_with_label::<S>(&secret, &case.label, &context, usize::from(case.length)),
    )?;
    expect_bytes(
        "expand_with_label.out",
        out.as_bytes(),
        &unhex("expand_with_label.out", &case.out)?,
    )
}

fn check_derive_secret<S: CipherSuite>(case: &DeriveSecret) -> CheckResult {
    let secret = unhex("derive_secret.secret", &case.secret)?;
    let out = step(
        "DeriveSecret",
        labels::derive_secret::<S>(&secret, &case.label),
    )?;
    expect_bytes(
        "derive_secret.out",
        out.as_bytes(),
        &unhex("derive_secret.out", &case.out)?,
    )
}

fn check_derive_tree_secret<S: CipherSuite>(case: &DeriveTreeSecret) -> CheckResult {
    let secret = unhex("derive_tree_secret.secret", &case.secret)?;
    let out = step(
        "DeriveTreeSecret",
        labels::derive_tree_secret::<S>(
            &secret,
            &case.label,
            case.generation,
            usize::from(case.length),
        ),
    )?;
    expect_bytes(
        "derive_tree_secret.out",
        out.as_bytes(),
        &unhex("derive_tree_secret.out", &case.out)?,
    )
}

fn check_sign_with_label<S: CipherSuite>(case: &SignWithLabel) -> CheckResult {
    let private = unhex("sign_with_label.priv", &case.private)?;
    let public = unhex("sign_with_label.pub", &case.public)?;
    let content = unhex("sign_with_label.content", &case.content)?;
    let signature = unhex("sign_with_label.signature", &case.signature)?;
    let signing_key = step(
        "signing_key_from_bytes(priv)",
        S::Signature::signing_key_from_bytes(&private),
    )?;
    let verifying_key = step(
        "verifying_key_from_bytes(pub)",
        S::Signature::verifying_key_from_bytes(&public),
    )?;
    expect_bytes(
        "verifying key of sign_with_label.priv",
        &S::Signature::verifying_key_to_bytes(&S::Signature::verifying_key(&signing_key)),
        &public,
    )?;
    step(
        "VerifyWithLabel of the given signature",
        labels::verify_with_label::<S>(&verifying_key, &case.label, &content, &signature),
    )?;
    let fresh = step(
        "SignWithLabel",
        labels::sign_with_label::<S>(&signing_key, &case.label, &content),
    )?;
    step(
        "VerifyWithLabel of a fresh signature",
        labels::verify_with_label::<S>(&verifying_key, &case.label, &content, &fresh),
    )
}

fn check_encrypt_with_label<S: CipherSuite>(case: &EncryptWithLabel) -> CheckResult {
    let private = unhex("encrypt_with_label.priv", &case.private)?;
    let public = unhex("encrypt_with_label.pub", &case.public)?;
    let context = unhex("encrypt_with_label.context", &case.context)?;
    let plaintext = unhex("encrypt_with_label.plaintext", &case.plaintext)?;
    let kem_output = unhex("encrypt_with_label.kem_output", &case.kem_output)?;
    let ciphertext = unhex("encrypt_with_label.ciphertext", &case.ciphertext)?;
    let key = step(
        "private_key_from_bytes(priv)",
        S::Dh::private_key_from_bytes(&private),
    )?;
    expect_bytes(
        "public key of encrypt_with_label.priv",
        S::Dh::public_key(&key).as_ref(),
        &public,
    )?;
    let opened = step(
        "DecryptWithLabel of the given ciphertext",
        labels::decrypt_with_label::<S>(&private, &case.label, &context, &kem_output, &ciphertext),
    )?;
    expect_bytes("DecryptWithLabel plaintext", &opened, &plaintext)?;
    let mut rng = seeded(u64::from(S::ID.0));
    let sealed = step(
        "EncryptWithLabel",
        labels::encrypt_with_label::<S, _>(&public, &case.label, &context, &plaintext, &mut rng),
    )?;
    let reopened = step(
        "DecryptWithLabel of a fresh ciphertext",
        labels::decrypt_with_label::<S>(
            &private,
            &case.label,
            &context,
            &sealed.kem_output,
            &sealed.ciphertext,
        ),
    )?;
    expect_bytes("DecryptWithLabel plaintext (fresh)", &reopened, &plaintext)
}
