//! The checks every suite of the workspace passes: the crypto test suite of `artmls-crypto`
//! (composition, every component, known answers, refusal of bad input, redacted `Debug`) and,
//! on top, the labelled functions of the protocol crate (`artmls::internals::labels`), which need it.

use core::fmt::Display;

use artmls::internals::labels;
use artmls::{CipherSuite, CryptoError, DhGroup, Kdf, SignatureScheme};
use rand_core::CryptoRng;

use crate::rng::{DEFAULT_SEED, seeded};

/// Runs every check on suite `S` with a fixed seed, and panics with a message naming the suite
/// and the check at the first failure: `artmls_crypto::test_suite::verify_suite`, then the
/// labelled functions (`SignWithLabel`, `EncryptWithLabel`, `DeriveSecret`, `ExpandWithLabel`).
pub fn verify_suite<S: CipherSuite>() {
    verify_suite_with_rng::<S, _>(&mut seeded(DEFAULT_SEED));
}

/// [`verify_suite`] with randomness drawn from `rng` (inject a seeded generator to reproduce a
/// run, or a fresh one to explore).
pub fn verify_suite_with_rng<S: CipherSuite, R: CryptoRng + ?Sized>(rng: &mut R) {
    artmls_crypto::test_suite::verify_suite_with_rng::<S, R>(rng);
    check_labels::<S, R>(&Checker::<S>::new(), rng);
}

/// Reports failures for suite `S`.
struct Checker<S>(core::marker::PhantomData<fn() -> S>);

impl<S: CipherSuite> Checker<S> {
    fn new() -> Self {
        Checker(core::marker::PhantomData)
    }

    #[track_caller]
    fn fail(&self, check: &str, message: impl Display) -> ! {
        panic!(
            "verify_suite failed for {} ({:#06x}), check `{check}`: {message}",
            S::ID,
            S::ID.0
        )
    }

    #[track_caller]
    fn ensure(&self, condition: bool, check: &str, message: impl FnOnce() -> String) {
        if !condition {
            self.fail(check, message());
        }
    }

    #[track_caller]
    fn ok<T>(&self, check: &str, result: Result<T, CryptoError>) -> T {
        match result {
            Ok(value) => value,
            Err(error) => self.fail(check, format!("unexpected error: {error:?}")),
        }
    }

    /// Expects an error that `accept` accepts.
    #[track_caller]
    fn rejects<T>(
        &self,
        check: &str,
        result: Result<T, CryptoError>,
        expected: &str,
        accept: impl Fn(&CryptoError) -> bool,
    ) {
        match result {
            Ok(_) => self.fail(check, format!("accepted; expected {expected}")),
            Err(error) if accept(&error) => {}
            Err(error) => self.fail(check, format!("gave {error:?}; expected {expected}")),
        }
    }
}

fn random_bytes<R: CryptoRng + ?Sized>(rng: &mut R, len: usize) -> Vec<u8> {
    let mut bytes = vec![0u8; len];
    rng.fill_bytes(&mut bytes);
    bytes
}

fn is_signature_error(error: &CryptoError) -> bool {
    matches!(
        error,
        CryptoError::InvalidSignature | CryptoError::MalformedSignature(_)
    )
}

fn flip(bytes: &[u8], index: usize) -> Vec<u8> {
    let mut out = bytes.to_vec();
    if let Some(byte) = out.get_mut(index) {
        *byte ^= 0x01;
    }
    out
}

fn check_labels<S: CipherSuite, R: CryptoRng + ?Sized>(check: &Checker<S>, rng: &mut R) {
    let signing_key = S::Signature::generate_signing_key(rng);
    let verifying_key = S::Signature::verifying_key(&signing_key);
    let content = random_bytes(rng, 24);
    let signature = check.ok(
        "sign_with_label",
        labels::sign_with_label::<S>(&signing_key, "Conformance", &content),
    );
    check.ok(
        "verify_with_label",
        labels::verify_with_label::<S>(&verifying_key, "Conformance", &content, &signature),
    );
    check.rejects(
        "verify_with_label with another label",
        labels::verify_with_label::<S>(&verifying_key, "Conformance2", &content, &signature),
        "a signature error",
        is_signature_error,
    );
    check.rejects(
        "verify_with_label with another content",
        labels::verify_with_label::<S>(
            &verifying_key,
            "Conformance",
            &flip(&content, 0),
            &signature,
        ),
        "a signature error",
        is_signature_error,
    );

    let (sk, pk) = S::Dh::generate_key_pair(rng);
    let sk_bytes = S::Dh::private_key_to_bytes(&sk);
    let context = random_bytes(rng, 16);
    let plaintext = random_bytes(rng, 40);
    let sealed = check.ok(
        "encrypt_with_label",
        labels::encrypt_with_label::<S, R>(pk.as_ref(), "Conformance", &context, &plaintext, rng),
    );
    let opened = check.ok(
        "decrypt_with_label",
        labels::decrypt_with_label::<S>(
            sk_bytes.as_bytes(),
            "Conformance",
            &context,
            &sealed.kem_output,
            &sealed.ciphertext,
        ),
    );
    check.ensure(opened == plaintext, "encrypt_with_label round trip", || {
        "decrypt_with_label(encrypt_with_label(pt)) != pt".into()
    });
    for (what, label, context) in [
        ("another label", "Conformance2", context.clone()),
        ("another context", "Conformance", flip(&context, 0)),
    ] {
        check.rejects(
            &format!("decrypt_with_label with {what}"),
            labels::decrypt_with_label::<S>(
                sk_bytes.as_bytes(),
                label,
                &context,
                &sealed.kem_output,
                &sealed.ciphertext,
            ),
            "an error",
            |_| true,
        );
    }

    let secret = random_bytes(rng, S::Kdf::HASH_LEN);
    let derived = check.ok(
        "derive_secret",
        labels::derive_secret::<S>(&secret, "Conformance"),
    );
    check.ensure(
        derived.len() == S::Kdf::HASH_LEN,
        "derive_secret length",
        || format!("{} bytes", derived.len()),
    );
    let expanded = check.ok(
        "expand_with_label",
        labels::expand_with_label::<S>(&secret, "Conformance", &context, 45),
    );
    check.ensure(expanded.len() == 45, "expand_with_label length", || {
        format!("{} bytes", expanded.len())
    });
}
