//! How the checks report: every failure panics with one message that names what was checked
//! (a suite, a provider or a component), the check, and what went wrong.

use core::fmt::Display;

use rand_core::CryptoRng;

use crate::CryptoError;

/// Reports failures for one thing under test.
pub(crate) struct Checker {
    subject: String,
}

impl Checker {
    /// A checker whose messages start with `subject` (`"suite ART_128_... (0xf001)"`).
    pub(crate) fn new(subject: impl Into<String>) -> Self {
        Checker {
            subject: subject.into(),
        }
    }

    #[track_caller]
    pub(crate) fn fail(&self, check: &str, message: impl Display) -> ! {
        panic!(
            "artmls-crypto test suite failed for {}, check `{check}`: {message}",
            self.subject
        )
    }

    #[track_caller]
    pub(crate) fn ensure(&self, condition: bool, check: &str, message: impl FnOnce() -> String) {
        if !condition {
            self.fail(check, message());
        }
    }

    /// Expects two values to be equal; shows both when they are not.
    #[track_caller]
    pub(crate) fn equal<T: PartialEq + core::fmt::Debug>(&self, check: &str, got: T, expected: T) {
        if got != expected {
            self.fail(check, format!("got {got:?}, expected {expected:?}"));
        }
    }

    /// Expects two byte strings to be equal; shows both in hex when they are not.
    #[track_caller]
    pub(crate) fn bytes(&self, check: &str, got: &[u8], expected: &[u8]) {
        if got != expected {
            self.fail(
                check,
                format!(
                    "got {}, expected {}",
                    hex::encode(got),
                    hex::encode(expected)
                ),
            );
        }
    }

    #[track_caller]
    pub(crate) fn ok<T>(&self, check: &str, result: Result<T, CryptoError>) -> T {
        match result {
            Ok(value) => value,
            Err(error) => self.fail(check, format!("unexpected error: {error:?}")),
        }
    }

    /// Expects an error that `accept` accepts; `expected` names it in the message.
    #[track_caller]
    pub(crate) fn rejects<T>(
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

    /// Expects an error of the same variant as `expected` (the message of variants that carry
    /// one is free: backends word their reasons differently).
    #[track_caller]
    pub(crate) fn rejects_as<T>(
        &self,
        check: &str,
        result: Result<T, CryptoError>,
        expected: CryptoError,
    ) {
        let name = variant_name(&expected);
        self.rejects(check, result, name, |error| {
            core::mem::discriminant(error) == core::mem::discriminant(&expected)
        });
    }

    /// Expects exactly the error `expected`, fields included.
    #[track_caller]
    pub(crate) fn rejects_exactly<T>(
        &self,
        check: &str,
        result: Result<T, CryptoError>,
        expected: CryptoError,
    ) {
        let name = format!("{expected:?}");
        self.rejects(check, result, &name, |error| *error == expected);
    }
}

/// The variant of an error, without its fields, for messages.
fn variant_name(error: &CryptoError) -> &'static str {
    match error {
        CryptoError::InvalidPublicKey(_) => "InvalidPublicKey",
        CryptoError::InvalidPrivateKey(_) => "InvalidPrivateKey",
        CryptoError::ZeroSharedSecret => "ZeroSharedSecret",
        CryptoError::DeriveKeyPairFailed => "DeriveKeyPairFailed",
        CryptoError::KdfOutputTooLong(_) => "KdfOutputTooLong",
        CryptoError::InvalidKeyLength { .. } => "InvalidKeyLength",
        CryptoError::InvalidNonceLength { .. } => "InvalidNonceLength",
        CryptoError::CiphertextTooShort => "CiphertextTooShort",
        CryptoError::AeadOpenFailed => "AeadOpenFailed",
        CryptoError::AeadSealFailed => "AeadSealFailed",
        CryptoError::MalformedSignature(_) => "MalformedSignature",
        CryptoError::InvalidSignature => "InvalidSignature",
        CryptoError::InvalidSigningKey(_) => "InvalidSigningKey",
        CryptoError::Hpke(_) => "Hpke",
        CryptoError::MessageLimitReached => "MessageLimitReached",
        CryptoError::Encoding(_) => "Encoding",
    }
}

/// Hex to bytes, for the known answers (all written in this crate, all well-formed).
pub(crate) fn h(hex: &str) -> Vec<u8> {
    match hex::decode(hex) {
        Ok(bytes) => bytes,
        Err(error) => panic!("malformed hex constant in the test suite ({error}): {hex}"),
    }
}

/// `len` bytes from `rng`.
pub(crate) fn random_bytes<R: CryptoRng + ?Sized>(rng: &mut R, len: usize) -> Vec<u8> {
    let mut bytes = vec![0u8; len];
    rng.fill_bytes(&mut bytes);
    bytes
}

/// `bytes` with the low bit of byte `index` flipped (unchanged if `index` is out of range).
pub(crate) fn flip(bytes: &[u8], index: usize) -> Vec<u8> {
    let mut out = bytes.to_vec();
    if let Some(byte) = out.get_mut(index) {
        *byte ^= 0x01;
    }
    out
}

/// Whether the `Debug` rendering `shown` contains the bytes of `secret`: a 4-byte run of them
/// in hex (either case), or a 4-byte run as a decimal list (the derived `Debug` of a byte
/// array or vector).
pub(crate) fn leaks(shown: &str, secret: &[u8]) -> bool {
    let lower = shown.to_ascii_lowercase();
    let window = 4.min(secret.len()).max(1);
    secret.windows(window).any(|run| {
        let list = run
            .iter()
            .map(|byte| byte.to_string())
            .collect::<Vec<_>>()
            .join(", ");
        lower.contains(&hex::encode(run)) || shown.contains(&list)
    })
}

/// A secret key's `Debug`, plain and pretty, shows none of its bytes and says it is redacted
/// (so a log shows that a key was there and was hidden on purpose).
#[track_caller]
pub(crate) fn check_redacted(check: &Checker, what: &str, shown: &str, secret: &[u8]) {
    check.ensure(!leaks(shown, secret), what, || {
        format!("`{shown}` shows the key's bytes")
    });
    check.ensure(
        shown.to_ascii_lowercase().contains("redacted"),
        what,
        || format!("`{shown}` does not say that the key is redacted"),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leak_detection() {
        let secret = [0xde, 0xad, 0xbe, 0xef, 0x01, 0x02, 0x03, 0x04, 0x05];
        assert!(leaks("Key(deadbeef0102030405)", &secret));
        assert!(leaks("Key(DEADBEEF01020304)", &secret));
        assert!(leaks("Key(0x01020304)", &secret));
        assert!(leaks("Key([222, 173, 190, 239, 1])", &secret));
        assert!(leaks("Key { bytes: [1, 2, 3, 4] }", &secret));
        assert!(!leaks("Key([redacted; 9 bytes])", &secret));
        assert!(!leaks("Key(deadbe)", &secret));
    }

    #[test]
    fn failures_name_the_subject_and_the_check() {
        let check = Checker::new("component X");
        let payload = std::panic::catch_unwind(|| {
            check.rejects_as("a check", Ok::<(), _>(()), CryptoError::AeadOpenFailed)
        })
        .expect_err("an accepted input must fail the check");
        let message = payload
            .downcast_ref::<String>()
            .cloned()
            .unwrap_or_default();
        assert!(message.contains("component X"), "{message}");
        assert!(message.contains("`a check`"), "{message}");
        assert!(message.contains("AeadOpenFailed"), "{message}");
    }

    #[test]
    fn rejects_as_compares_variants_only() {
        let check = Checker::new("component X");
        check.rejects_as(
            "variant",
            Err::<(), _>(CryptoError::InvalidPublicKey("one reason")),
            CryptoError::InvalidPublicKey("another"),
        );
        let wrong = std::panic::catch_unwind(|| {
            check.rejects_as(
                "variant",
                Err::<(), _>(CryptoError::InvalidPrivateKey("")),
                CryptoError::InvalidPublicKey(""),
            )
        });
        assert!(wrong.is_err());
    }
}
