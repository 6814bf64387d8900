//! The symmetric primitives of artmls written once against the API of *ring*, which aws-lc-rs
//! mirrors module for module (`aead`, `digest`, `hkdf`, `hmac`).
//!
//! The code cannot be generic over the library: ring and aws-lc-rs share names and signatures,
//! not traits. So this crate exports macros, and each backend expands them over its own
//! library, named by its crate name:
//!
//! ```
//! mod aead {
//!     artmls_ring_api::aeads!(ring);
//! }
//! mod hash {
//!     artmls_ring_api::hash_and_kdf!(ring);
//! }
//! pub use aead::{Aes128Gcm, ChaCha20Poly1305};
//! pub use hash::{HkdfSha256, Sha256};
//!
//! use artmls_crypto::{Aead, HashFunction};
//! let sealed = Aes128Gcm::seal(&[0; 16], &[0; 12], b"", b"hi").unwrap();
//! assert_eq!(Aes128Gcm::open(&[0; 16], &[0; 12], b"", &sealed).unwrap(), b"hi");
//! assert_eq!(Sha256::OUTPUT_LEN, 32);
//! ```
//!
//! The expansion names the library only through the identifier it is given, so the backend
//! crate must depend on that library; everything else it names comes through this crate.
//!
//! **Signatures are not here.** The Ed25519 and ECDSA wrappers of the two backends differ where
//! it matters: aws-lc-rs parses a verifying key once (`signature::ParsedPublicKey`) and keeps
//! it, while ring has no parse-only API, so the ring backend validates keys with the RustCrypto
//! crates and hands ring the bytes on every verification; ring's ECDSA key pair also takes an
//! RNG that aws-lc-rs's does not. What the two share is the check of a signature's encoding
//! before the library runs, which is [`check_ed25519_signature`] and
//! `artmls_crypto::validate::ecdsa_der::parse_signature`.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

use artmls_crypto::CryptoError;
use artmls_crypto::validate::ed25519;

/// What the macros name, re-exported so that a backend expanding them needs no extra
/// dependency for it. Not part of the API.
#[doc(hidden)]
pub mod __private {
    pub use artmls_crypto;
    pub use zeroize;
}

/// The checks every artmls Ed25519 applies to a signature before its library verifies it: 64
/// bytes, `S` below the group order (a typed `MalformedSignature`), and an `R` not of small
/// order (`InvalidSignature`).
///
/// ring and aws-lc-rs recompute `R` and compare encodings, so a non-canonical `R` fails there;
/// with these checks on top, they accept exactly what `ed25519-dalek`'s `verify_strict` does.
pub fn check_ed25519_signature(signature: &[u8]) -> Result<(), CryptoError> {
    let (r, _) = ed25519::split_signature(signature)?;
    if ed25519::is_small_order(&r) {
        return Err(CryptoError::InvalidSignature);
    }
    Ok(())
}

/// Writes `bytes` as lower-case hex: the `Debug` of public keys in the ring and aws-lc backends.
pub fn write_hex(f: &mut core::fmt::Formatter<'_>, bytes: &[u8]) -> core::fmt::Result {
    for byte in bytes {
        write!(f, "{byte:02x}")?;
    }
    Ok(())
}

/// Defines `Aes128Gcm` and `ChaCha20Poly1305` (each an `artmls_crypto::Aead`) over the `aead`
/// module of the library named by the argument (`ring` or `aws_lc_rs`).
#[macro_export]
macro_rules! aeads {
    ($lib:ident) => {
        use $crate::__private::artmls_crypto::{Aead, CryptoError};
        use $lib::aead::{self as lib_aead, Aad, LessSafeKey, Nonce, UnboundKey};

        const NONCE_LEN: usize = lib_aead::NONCE_LEN;
        const TAG_LEN: usize = 16;

        fn key(
            algorithm: &'static lib_aead::Algorithm,
            key: &[u8],
            nonce: &[u8],
        ) -> Result<(LessSafeKey, Nonce), CryptoError> {
            let expected = algorithm.key_len();
            if key.len() != expected {
                return Err(CryptoError::InvalidKeyLength {
                    expected,
                    got: key.len(),
                });
            }
            let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| {
                CryptoError::InvalidNonceLength {
                    expected: NONCE_LEN,
                    got: nonce.len(),
                }
            })?;
            let key =
                UnboundKey::new(algorithm, key).map_err(|_| CryptoError::InvalidKeyLength {
                    expected,
                    got: key.len(),
                })?;
            Ok((LessSafeKey::new(key), nonce))
        }

        fn seal(
            algorithm: &'static lib_aead::Algorithm,
            key_bytes: &[u8],
            nonce: &[u8],
            aad: &[u8],
            plaintext: &[u8],
        ) -> Result<Vec<u8>, CryptoError> {
            let (key, nonce) = key(algorithm, key_bytes, nonce)?;
            let mut in_out = Vec::with_capacity(plaintext.len() + algorithm.tag_len());
            in_out.extend_from_slice(plaintext);
            key.seal_in_place_append_tag(nonce, Aad::from(aad), &mut in_out)
                .map_err(|_| CryptoError::AeadSealFailed)?;
            Ok(in_out)
        }

        fn open(
            algorithm: &'static lib_aead::Algorithm,
            key_bytes: &[u8],
            nonce: &[u8],
            aad: &[u8],
            ciphertext: &[u8],
        ) -> Result<Vec<u8>, CryptoError> {
            let (key, nonce) = key(algorithm, key_bytes, nonce)?;
            if ciphertext.len() < algorithm.tag_len() {
                return Err(CryptoError::CiphertextTooShort);
            }
            // On failure the library leaves `in_out` "overwritten in an unspecified way", which
            // may be (part of) the plaintext of a forged message: the buffer is erased when
            // dropped.
            let mut in_out = $crate::__private::zeroize::Zeroizing::new(ciphertext.to_vec());
            let plaintext_len = key
                .open_in_place(nonce, Aad::from(aad), &mut in_out)
                .map_err(|_| CryptoError::AeadOpenFailed)?
                .len();
            in_out.truncate(plaintext_len);
            // Moved out, not copied: the caller owns the one copy of the plaintext.
            Ok(core::mem::take(&mut *in_out))
        }

        #[doc = concat!("AES-128-GCM from `", stringify!($lib), "::aead`.")]
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub struct Aes128Gcm;

        impl Aead for Aes128Gcm {
            const NAME: &'static str = "AES-128-GCM";
            const AEAD_ID: u16 = 0x0001;
            const KEY_LEN: usize = 16;
            const NONCE_LEN: usize = NONCE_LEN;
            const TAG_LEN: usize = TAG_LEN;

            fn seal(
                key: &[u8],
                nonce: &[u8],
                aad: &[u8],
                plaintext: &[u8],
            ) -> Result<Vec<u8>, CryptoError> {
                seal(&lib_aead::AES_128_GCM, key, nonce, aad, plaintext)
            }

            fn open(
                key: &[u8],
                nonce: &[u8],
                aad: &[u8],
                ciphertext: &[u8],
            ) -> Result<Vec<u8>, CryptoError> {
                open(&lib_aead::AES_128_GCM, key, nonce, aad, ciphertext)
            }
        }

        #[doc = concat!("ChaCha20Poly1305 (RFC 8439) from `", stringify!($lib), "::aead`.")]
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub struct ChaCha20Poly1305;

        impl Aead for ChaCha20Poly1305 {
            const NAME: &'static str = "ChaCha20Poly1305";
            const AEAD_ID: u16 = 0x0003;
            const KEY_LEN: usize = 32;
            const NONCE_LEN: usize = NONCE_LEN;
            const TAG_LEN: usize = TAG_LEN;

            fn seal(
                key: &[u8],
                nonce: &[u8],
                aad: &[u8],
                plaintext: &[u8],
            ) -> Result<Vec<u8>, CryptoError> {
                seal(&lib_aead::CHACHA20_POLY1305, key, nonce, aad, plaintext)
            }

            fn open(
                key: &[u8],
                nonce: &[u8],
                aad: &[u8],
                ciphertext: &[u8],
            ) -> Result<Vec<u8>, CryptoError> {
                open(&lib_aead::CHACHA20_POLY1305, key, nonce, aad, ciphertext)
            }
        }
    };
}

/// Defines `HkdfSha256` (an `artmls_crypto::Kdf`) and `Sha256` (an
/// `artmls_crypto::HashFunction`, with HMAC-SHA256 as its MAC) over the `digest`, `hkdf` and
/// `hmac` modules of the library named by the argument (`ring` or `aws_lc_rs`).
#[macro_export]
macro_rules! hash_and_kdf {
    ($lib:ident) => {
        use $crate::__private::artmls_crypto::{CryptoError, HashFunction, Kdf, Secret};
        use $lib::{digest, hkdf, hmac};

        const HASH_LEN: usize = 32;
        /// The SHA-256 block size: HMAC hashes longer keys first (RFC 2104 §2).
        const BLOCK_LEN: usize = 64;

        /// The output length of an HKDF-Expand, as the library's `hkdf::KeyType`.
        struct OutputLen(usize);

        impl hkdf::KeyType for OutputLen {
            fn len(&self) -> usize {
                self.0
            }
        }

        #[doc = concat!("HKDF-SHA256 from `", stringify!($lib), "`.")]
        ///
        /// Extract is HMAC-SHA256 through `hmac` (`hkdf::Salt::extract` does not reveal the PRK,
        /// and artmls passes PRKs around as bytes); Expand is `hkdf::Prk::new_less_safe` and
        /// `fill`. aws-lc-rs's `Prk::new_less_safe` panics on a PRK longer than 64 bytes, so a
        /// longer PRK is first hashed, which is the same HMAC key: any PRK length works, as with
        /// the other backends.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub struct HkdfSha256;

        impl Kdf for HkdfSha256 {
            const NAME: &'static str = "HKDF-SHA256";
            const KDF_ID: u16 = 0x0001;
            const HASH_LEN: usize = HASH_LEN;

            fn extract(salt: &[u8], ikm: &[u8]) -> Secret {
                // An empty salt is the same HMAC key as Nh zero bytes (keys are zero-padded).
                let key = hmac::Key::new(hmac::HMAC_SHA256, salt);
                Secret::from_slice(hmac::sign(&key, ikm).as_ref())
            }

            fn expand(prk: &[u8], info: &[u8], len: usize) -> Result<Secret, CryptoError> {
                let hashed;
                let prk = if prk.len() > BLOCK_LEN {
                    hashed = digest::digest(&digest::SHA256, prk);
                    hashed.as_ref()
                } else {
                    prk
                };
                let prk = hkdf::Prk::new_less_safe(hkdf::HKDF_SHA256, prk);
                let info = [info];
                let okm = prk
                    .expand(&info, OutputLen(len))
                    .map_err(|_| CryptoError::KdfOutputTooLong(len))?;
                let mut out = Secret::zero(len);
                okm.fill(out.as_mut_bytes())
                    .map_err(|_| CryptoError::KdfOutputTooLong(len))?;
                Ok(out)
            }
        }

        #[doc = concat!("SHA-256 (`", stringify!($lib), "::digest`) and HMAC-SHA256 (`", stringify!($lib), "::hmac`).")]
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub struct Sha256;

        impl HashFunction for Sha256 {
            const NAME: &'static str = "SHA-256";
            const OUTPUT_LEN: usize = HASH_LEN;

            fn hash(data: &[u8]) -> Vec<u8> {
                digest::digest(&digest::SHA256, data).as_ref().to_vec()
            }

            fn mac(key: &[u8], data: &[u8]) -> Vec<u8> {
                let key = hmac::Key::new(hmac::HMAC_SHA256, key);
                hmac::sign(&key, data).as_ref().to_vec()
            }
        }
    };
}

#[cfg(test)]
#[allow(unreachable_pub)] // the macros expand public types into this private module
mod tests {
    // The macros expanded over ring, as the ring backend does; the backends' own tests run the
    // full checks on both expansions.
    mod aead {
        crate::aeads!(ring);
    }
    mod hash {
        crate::hash_and_kdf!(ring);
    }

    use artmls_crypto::{Aead, CryptoError, HashFunction, Kdf};

    fn unhex(text: &str) -> Vec<u8> {
        hex::decode(text).expect("test vector is hex")
    }

    #[test]
    fn hkdf_matches_rfc_5869_case_1() {
        let ikm = [0x0b; 22];
        let salt = unhex("000102030405060708090a0b0c");
        let info = unhex("f0f1f2f3f4f5f6f7f8f9");
        let prk = hash::HkdfSha256::extract(&salt, &ikm);
        assert_eq!(
            prk.as_bytes(),
            unhex("077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5").as_slice()
        );
        let okm = hash::HkdfSha256::expand(prk.as_bytes(), &info, 42).expect("42 bytes");
        assert_eq!(
            okm.as_bytes(),
            unhex(
                "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"
            )
            .as_slice()
        );
    }

    #[test]
    fn sha256_of_abc() {
        assert_eq!(
            hash::Sha256::hash(b"abc"),
            unhex("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        );
    }

    #[test]
    fn aead_round_trip_and_typed_errors() {
        let key = [7u8; 16];
        let nonce = [1u8; 12];
        let sealed = aead::Aes128Gcm::seal(&key, &nonce, b"aad", b"hello").expect("seal");
        assert_eq!(sealed.len(), 5 + 16);
        assert_eq!(
            aead::Aes128Gcm::open(&key, &nonce, b"aad", &sealed).expect("open"),
            b"hello"
        );
        assert_eq!(
            aead::Aes128Gcm::open(&key, &nonce, b"other", &sealed),
            Err(CryptoError::AeadOpenFailed)
        );
        assert_eq!(
            aead::Aes128Gcm::open(&key, &nonce, b"aad", &sealed[..15]),
            Err(CryptoError::CiphertextTooShort)
        );
        assert_eq!(
            aead::ChaCha20Poly1305::seal(&key, &nonce, b"", b""),
            Err(CryptoError::InvalidKeyLength {
                expected: 32,
                got: 16
            })
        );
        assert_eq!(
            aead::Aes128Gcm::seal(&key, &nonce[..8], b"", b""),
            Err(CryptoError::InvalidNonceLength {
                expected: 12,
                got: 8
            })
        );
    }

    #[test]
    fn ed25519_signature_checks() {
        assert!(matches!(
            super::check_ed25519_signature(&[0u8; 63]),
            Err(CryptoError::MalformedSignature(_))
        ));
        // R = the identity (small order), S = 0.
        let mut signature = [0u8; 64];
        signature[0] = 1;
        assert_eq!(
            super::check_ed25519_signature(&signature),
            Err(CryptoError::InvalidSignature)
        );
        // S = L is not canonical.
        let mut high_s = [0u8; 64];
        high_s[32..].copy_from_slice(&artmls_crypto::validate::ed25519::GROUP_ORDER);
        assert!(matches!(
            super::check_ed25519_signature(&high_s),
            Err(CryptoError::MalformedSignature(_))
        ));
    }
}
