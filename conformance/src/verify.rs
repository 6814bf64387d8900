//! The property checks every backend crate runs on each of its suites.

use core::fmt::Display;

use artmls::hpke::{DhKem, DhKemHpke};
use artmls::{
    Aead, CipherSuite, CryptoError, DhGroup, HashFunction, Hpke, HpkeCiphertext, Kdf,
    SignatureScheme, labels,
};
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand_core::CryptoRng;

use crate::rng::{DEFAULT_SEED, FixedRng, seeded};

/// RFC 9180 KEM id of DHKEM(X25519, HKDF-SHA256).
const KEM_X25519: u16 = 0x0020;
/// RFC 9180 KEM id of DHKEM(P-256, HKDF-SHA256).
const KEM_P256: u16 = 0x0010;

/// X25519 u-coordinates that must never give a usable shared secret: 0, 1, the two points of
/// order 8, p - 1 (order 2), and the non-canonical encodings p and p + 1 (same as 0 and 1).
const X25519_LOW_ORDER: [&str; 7] = [
    "0000000000000000000000000000000000000000000000000000000000000000",
    "0100000000000000000000000000000000000000000000000000000000000000",
    "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
    "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
];

/// The order n of the P-256 group, big-endian.
const P256_ORDER: &str = "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551";

/// Runs every property check on suite `S` with a fixed seed, and panics with a message naming
/// the suite and the check at the first failure.
///
/// Backend crates call this from their tests once per suite, e.g.
/// `artmls_conformance::verify_suite::<X25519Aes128GcmSha256Ed25519>()`.
pub fn verify_suite<S: CipherSuite>() {
    verify_suite_with_rng::<S, _>(&mut seeded(DEFAULT_SEED));
}

/// [`verify_suite`] with randomness drawn from `rng` (inject a seeded generator to reproduce a
/// run, or a fresh one to explore).
pub fn verify_suite_with_rng<S: CipherSuite, R: CryptoRng + ?Sized>(rng: &mut R) {
    let check = Checker::<S>::new();
    if let Err(message) = artmls::suite::check_composition::<S>() {
        check.fail("composition", message);
    }
    check_dh::<S, R>(&check, rng);
    check_kdf::<S, R>(&check, rng);
    check_hash::<S, R>(&check, rng);
    check_aead::<S, R>(&check, rng);
    check_signature::<S, R>(&check, rng);
    check_hpke::<S, R>(&check, rng);
    check_labels::<S, R>(&check, rng);
    check_debug_redaction::<S, R>(&check, rng);
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

    /// Expects an error that `expected` accepts.
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

fn is_invalid_public_key(error: &CryptoError) -> bool {
    matches!(error, CryptoError::InvalidPublicKey(_))
}

fn is_invalid_private_key(error: &CryptoError) -> bool {
    matches!(error, CryptoError::InvalidPrivateKey(_))
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

fn hex_const(text: &str) -> Vec<u8> {
    // The constants above are well-formed; an empty vector would make the checks fail loudly.
    hex::decode(text).unwrap_or_default()
}

fn check_dh<S: CipherSuite, R: CryptoRng + ?Sized>(check: &Checker<S>, rng: &mut R) {
    type D<S> = <S as CipherSuite>::Dh;
    let (a_sk, a_pk) = D::<S>::generate_key_pair(rng);
    let (b_sk, b_pk) = D::<S>::generate_key_pair(rng);
    check.ensure(a_pk != b_pk, "DH generate_key_pair", || {
        "two generated key pairs have the same public key".into()
    });
    let ab = check.ok("DH agreement", D::<S>::dh(&a_sk, &b_pk));
    let ba = check.ok("DH agreement", D::<S>::dh(&b_sk, &a_pk));
    check.ensure(ab == ba, "DH agreement", || {
        "dh(a, B) != dh(b, A) for generated key pairs".into()
    });
    check.ensure(
        ab.len() == D::<S>::SHARED_SECRET_LEN,
        "DH agreement",
        || {
            format!(
                "shared secret is {} bytes, SHARED_SECRET_LEN is {}",
                ab.len(),
                D::<S>::SHARED_SECRET_LEN
            )
        },
    );
    check.ensure(D::<S>::public_key(&a_sk) == a_pk, "DH public_key", || {
        "public_key(generated private key) differs from the generated public key".into()
    });

    // Public key round trip.
    let a_pk_bytes = a_pk.as_ref().to_vec();
    check.ensure(
        a_pk_bytes.len() == D::<S>::PUBLIC_KEY_LEN,
        "DH public key length",
        || {
            format!(
                "public key is {} bytes, PUBLIC_KEY_LEN is {}",
                a_pk_bytes.len(),
                D::<S>::PUBLIC_KEY_LEN
            )
        },
    );
    let parsed = check.ok(
        "DH public key round trip",
        D::<S>::public_key_from_bytes(&a_pk_bytes),
    );
    check.ensure(parsed == a_pk, "DH public key round trip", || {
        "public_key_from_bytes(pk.as_ref()) != pk".into()
    });

    // Private key round trip.
    let a_sk_bytes = D::<S>::private_key_to_bytes(&a_sk);
    check.ensure(
        a_sk_bytes.len() == D::<S>::PRIVATE_KEY_LEN,
        "DH private key length",
        || {
            format!(
                "private key is {} bytes, PRIVATE_KEY_LEN is {}",
                a_sk_bytes.len(),
                D::<S>::PRIVATE_KEY_LEN
            )
        },
    );
    let restored = check.ok(
        "DH private key round trip",
        D::<S>::private_key_from_bytes(a_sk_bytes.as_bytes()),
    );
    check.ensure(
        D::<S>::public_key(&restored) == a_pk
            && D::<S>::private_key_to_bytes(&restored) == a_sk_bytes,
        "DH private key round trip",
        || "a private key parsed from its bytes is a different key".into(),
    );
    for len in [0, D::<S>::PRIVATE_KEY_LEN - 1, D::<S>::PRIVATE_KEY_LEN + 1] {
        let bytes = random_bytes(rng, len);
        check.rejects(
            &format!("DH private key of {len} bytes"),
            D::<S>::private_key_from_bytes(&bytes),
            "InvalidPrivateKey",
            is_invalid_private_key,
        );
    }

    // DeriveKeyPair: deterministic, and the generic RFC 9180 derivation.
    let ikm = random_bytes(rng, 32);
    let (d1_sk, d1_pk) = check.ok(
        "DH derive_key_pair",
        D::<S>::derive_key_pair::<S::Kdf>(&ikm),
    );
    let (d2_sk, d2_pk) = check.ok(
        "DH derive_key_pair",
        D::<S>::derive_key_pair::<S::Kdf>(&ikm),
    );
    check.ensure(
        d1_pk == d2_pk
            && D::<S>::private_key_to_bytes(&d1_sk) == D::<S>::private_key_to_bytes(&d2_sk),
        "DH derive_key_pair deterministic",
        || "two derivations from the same ikm differ".into(),
    );
    let (g_sk, g_pk) = check.ok(
        "DH derive_key_pair vs DhKem",
        DhKem::<D<S>, S::Kdf>::derive_key_pair(&ikm),
    );
    check.ensure(
        g_pk == d1_pk
            && D::<S>::private_key_to_bytes(&g_sk) == D::<S>::private_key_to_bytes(&d1_sk),
        "DH derive_key_pair vs DhKem",
        || "the backend's DeriveKeyPair differs from artmls::hpke::DhKem's".into(),
    );
    check.ensure(
        D::<S>::public_key(&d1_sk) == d1_pk,
        "DH derive_key_pair",
        || "derived public key is not the public key of the derived private key".into(),
    );
    let other_ikm = flip(&ikm, 0);
    let (_, other_pk) = check.ok(
        "DH derive_key_pair",
        D::<S>::derive_key_pair::<S::Kdf>(&other_ikm),
    );
    check.ensure(other_pk != d1_pk, "DH derive_key_pair", || {
        "different ikm gave the same key".into()
    });

    // Malformed public keys.
    let mut overlong = a_pk_bytes.clone();
    overlong.push(0);
    let malformed: [(&str, Vec<u8>); 4] = [
        ("empty", Vec::new()),
        ("truncated", a_pk_bytes[..a_pk_bytes.len() - 1].to_vec()),
        ("overlong", overlong),
        ("garbage of 7 bytes", vec![0xa5; 7]),
    ];
    for (what, bytes) in malformed {
        check.rejects(
            &format!("DH {what} public key"),
            D::<S>::public_key_from_bytes(&bytes),
            "InvalidPublicKey",
            is_invalid_public_key,
        );
    }

    match D::<S>::KEM_ID {
        KEM_X25519 => check_x25519_low_order::<S>(check, &a_sk),
        KEM_P256 => check_p256_encodings::<S>(check, &a_pk_bytes),
        _ => {}
    }
}

/// Low-order X25519 points are rejected, when parsed or at the latest by `dh`.
fn check_x25519_low_order<S: CipherSuite>(
    check: &Checker<S>,
    private: &<S::Dh as DhGroup>::PrivateKey,
) {
    for point in X25519_LOW_ORDER {
        let bytes = hex_const(point);
        let name = format!("X25519 low-order point {point}");
        match S::Dh::public_key_from_bytes(&bytes) {
            Err(error) => check.ensure(is_invalid_public_key(&error), &name, || {
                format!("parse gave {error:?}; expected InvalidPublicKey")
            }),
            Ok(public) => check.rejects(
                &name,
                S::Dh::dh(private, &public),
                "ZeroSharedSecret or InvalidPublicKey",
                |error| {
                    matches!(
                        error,
                        CryptoError::ZeroSharedSecret | CryptoError::InvalidPublicKey(_)
                    )
                },
            ),
        }
    }
}

/// P-256 accepts only uncompressed points on the curve, never the identity, and only scalars
/// in `[1, n-1]`.
fn check_p256_encodings<S: CipherSuite>(check: &Checker<S>, public: &[u8]) {
    let x = &public[1..33];
    let y_is_odd = public.last().is_some_and(|byte| byte & 1 == 1);
    let mut compressed = vec![if y_is_odd { 0x03 } else { 0x02 }];
    compressed.extend_from_slice(x);
    let mut x_too_large = vec![0x04];
    x_too_large.extend_from_slice(&[0xff; 32]);
    x_too_large.extend_from_slice(&public[33..]);
    let mut hybrid = public.to_vec();
    hybrid[0] = if y_is_odd { 0x07 } else { 0x06 };
    let cases: [(&str, Vec<u8>); 6] = [
        ("compressed point", compressed),
        ("hybrid point", hybrid),
        ("off-curve point", flip(public, public.len() - 1)),
        ("identity (single zero byte)", vec![0x00]),
        ("all-zero point", {
            let mut zero = vec![0x04];
            zero.extend_from_slice(&[0; 64]);
            zero
        }),
        ("x coordinate >= p", x_too_large),
    ];
    for (what, bytes) in cases {
        check.rejects(
            &format!("P-256 {what}"),
            S::Dh::public_key_from_bytes(&bytes),
            "InvalidPublicKey",
            is_invalid_public_key,
        );
    }
    let order = hex_const(P256_ORDER);
    for (what, scalar) in [("zero", vec![0u8; 32]), ("the group order", order)] {
        check.rejects(
            &format!("P-256 private key equal to {what}"),
            S::Dh::private_key_from_bytes(&scalar),
            "InvalidPrivateKey",
            is_invalid_private_key,
        );
    }
}

fn check_kdf<S: CipherSuite, R: CryptoRng + ?Sized>(check: &Checker<S>, rng: &mut R) {
    type K<S> = <S as CipherSuite>::Kdf;
    let nh = K::<S>::HASH_LEN;
    let ikm = random_bytes(rng, 40);
    let salt = random_bytes(rng, 13);
    let info = random_bytes(rng, 9);
    let prk = K::<S>::extract(&salt, &ikm);
    check.ensure(prk.len() == nh, "KDF extract length", || {
        format!("extract gave {} bytes, HASH_LEN is {nh}", prk.len())
    });
    check.ensure(
        K::<S>::extract(&[], &ikm) == K::<S>::extract(&vec![0; nh], &ikm),
        "KDF extract with empty salt",
        || "an empty salt is not the same as HASH_LEN zero bytes".into(),
    );
    for len in [1, 16, nh, nh + 1, 3 * nh + 5, 255 * nh] {
        let okm = check.ok(
            &format!("KDF expand of {len} bytes"),
            K::<S>::expand(prk.as_bytes(), &info, len),
        );
        check.ensure(okm.len() == len, "KDF expand length", || {
            format!("asked for {len} bytes, got {}", okm.len())
        });
    }
    let long = check.ok("KDF expand", K::<S>::expand(prk.as_bytes(), &info, 100));
    let short = check.ok("KDF expand", K::<S>::expand(prk.as_bytes(), &info, 42));
    check.ensure(
        long.as_bytes().starts_with(short.as_bytes()),
        "KDF expand prefix",
        || "a shorter output is not a prefix of a longer one".into(),
    );
    check.rejects(
        "KDF expand of 255*Nh+1 bytes",
        K::<S>::expand(prk.as_bytes(), &info, 255 * nh + 1),
        "KdfOutputTooLong",
        |error| matches!(error, CryptoError::KdfOutputTooLong(_)),
    );
}

fn check_hash<S: CipherSuite, R: CryptoRng + ?Sized>(check: &Checker<S>, rng: &mut R) {
    type H<S> = <S as CipherSuite>::Hash;
    let data = random_bytes(rng, 77);
    let digest = H::<S>::hash(&data);
    check.ensure(digest.len() == H::<S>::OUTPUT_LEN, "hash length", || {
        format!("digest of {} bytes", digest.len())
    });
    check.ensure(
        H::<S>::hash(&flip(&data, 3)) != digest,
        "hash sensitivity",
        || "changing the input did not change the digest".into(),
    );
    let key = random_bytes(rng, 32);
    let tag = H::<S>::mac(&key, &data);
    check.ensure(tag.len() == H::<S>::OUTPUT_LEN, "MAC length", || {
        format!("MAC of {} bytes", tag.len())
    });
    check.ensure(
        H::<S>::mac(&flip(&key, 0), &data) != tag,
        "MAC key sensitivity",
        || "changing the key did not change the MAC".into(),
    );
}

fn check_aead<S: CipherSuite, R: CryptoRng + ?Sized>(check: &Checker<S>, rng: &mut R) {
    type A<S> = <S as CipherSuite>::Aead;
    let key = random_bytes(rng, A::<S>::KEY_LEN);
    let nonce = random_bytes(rng, A::<S>::NONCE_LEN);
    let aad = random_bytes(rng, 11);
    let plaintext = random_bytes(rng, 37);
    let ciphertext = check.ok("AEAD seal", A::<S>::seal(&key, &nonce, &aad, &plaintext));
    check.ensure(
        ciphertext.len() == plaintext.len() + A::<S>::TAG_LEN,
        "AEAD ciphertext length",
        || {
            format!(
                "{} bytes for a {}-byte plaintext",
                ciphertext.len(),
                plaintext.len()
            )
        },
    );
    let opened = check.ok("AEAD open", A::<S>::open(&key, &nonce, &aad, &ciphertext));
    check.ensure(opened == plaintext, "AEAD round trip", || {
        "open(seal(pt)) != pt".into()
    });

    let open_failed = |error: &CryptoError| matches!(error, CryptoError::AeadOpenFailed);
    let last = ciphertext.len() - 1;
    let tampered = [
        (
            "tampered ciphertext",
            key.clone(),
            nonce.clone(),
            aad.clone(),
            flip(&ciphertext, 0),
        ),
        (
            "tampered tag",
            key.clone(),
            nonce.clone(),
            aad.clone(),
            flip(&ciphertext, last),
        ),
        (
            "tampered aad",
            key.clone(),
            nonce.clone(),
            flip(&aad, 0),
            ciphertext.clone(),
        ),
        (
            "wrong nonce",
            key.clone(),
            flip(&nonce, 0),
            aad.clone(),
            ciphertext.clone(),
        ),
        (
            "wrong key",
            flip(&key, 0),
            nonce.clone(),
            aad.clone(),
            ciphertext.clone(),
        ),
    ];
    for (what, key, nonce, aad, ciphertext) in tampered {
        check.rejects(
            &format!("AEAD open with {what}"),
            A::<S>::open(&key, &nonce, &aad, &ciphertext),
            "AeadOpenFailed",
            open_failed,
        );
    }
    for len in [0, A::<S>::TAG_LEN - 1] {
        check.rejects(
            &format!("AEAD open of a {len}-byte ciphertext"),
            A::<S>::open(&key, &nonce, &aad, &ciphertext[..len]),
            "CiphertextTooShort",
            |error| matches!(error, CryptoError::CiphertextTooShort),
        );
    }

    let empty = check.ok(
        "AEAD seal of empty plaintext",
        A::<S>::seal(&key, &nonce, &aad, &[]),
    );
    check.ensure(
        empty.len() == A::<S>::TAG_LEN,
        "AEAD empty plaintext",
        || format!("{} bytes for an empty plaintext", empty.len()),
    );
    let opened = check.ok(
        "AEAD open of tag only",
        A::<S>::open(&key, &nonce, &aad, &empty),
    );
    check.ensure(opened.is_empty(), "AEAD empty plaintext", || {
        "opened to a non-empty plaintext".into()
    });

    for len in [A::<S>::KEY_LEN - 1, A::<S>::KEY_LEN + 1] {
        let bad_key = random_bytes(rng, len);
        let expected = A::<S>::KEY_LEN;
        let accept =
            |error: &CryptoError| *error == CryptoError::InvalidKeyLength { expected, got: len };
        check.rejects(
            &format!("AEAD seal with a {len}-byte key"),
            A::<S>::seal(&bad_key, &nonce, &aad, &plaintext),
            "InvalidKeyLength",
            accept,
        );
        check.rejects(
            &format!("AEAD open with a {len}-byte key"),
            A::<S>::open(&bad_key, &nonce, &aad, &ciphertext),
            "InvalidKeyLength",
            accept,
        );
    }
    for len in [0, A::<S>::NONCE_LEN - 1, A::<S>::NONCE_LEN + 1] {
        let bad_nonce = random_bytes(rng, len);
        let expected = A::<S>::NONCE_LEN;
        let accept =
            |error: &CryptoError| *error == CryptoError::InvalidNonceLength { expected, got: len };
        check.rejects(
            &format!("AEAD seal with a {len}-byte nonce"),
            A::<S>::seal(&key, &bad_nonce, &aad, &plaintext),
            "InvalidNonceLength",
            accept,
        );
        check.rejects(
            &format!("AEAD open with a {len}-byte nonce"),
            A::<S>::open(&key, &bad_nonce, &aad, &ciphertext),
            "InvalidNonceLength",
            accept,
        );
    }
}

fn check_signature<S: CipherSuite, R: CryptoRng + ?Sized>(check: &Checker<S>, rng: &mut R) {
    type G<S> = <S as CipherSuite>::Signature;
    let signing_key = G::<S>::generate_signing_key(rng);
    let verifying_key = G::<S>::verifying_key(&signing_key);
    let message = random_bytes(rng, 50);
    let signature = check.ok("signature sign", G::<S>::sign(&signing_key, &message));
    check.ok(
        "signature verify",
        G::<S>::verify(&verifying_key, &message, &signature),
    );

    let expected = "InvalidSignature or MalformedSignature";
    let middle = signature.len() / 2;
    let forged: [(&str, Vec<u8>, Vec<u8>); 5] = [
        ("tampered message", flip(&message, 0), signature.clone()),
        (
            "tampered signature",
            message.clone(),
            flip(&signature, middle),
        ),
        (
            "tampered last signature byte",
            message.clone(),
            flip(&signature, signature.len() - 1),
        ),
        (
            "truncated signature",
            message.clone(),
            signature[..signature.len() - 1].to_vec(),
        ),
        ("empty signature", message.clone(), Vec::new()),
    ];
    for (what, message, signature) in forged {
        check.rejects(
            &format!("signature verify with {what}"),
            G::<S>::verify(&verifying_key, &message, &signature),
            expected,
            is_signature_error,
        );
    }
    let mut extended = signature.clone();
    extended.push(0);
    check.rejects(
        "signature verify with a trailing byte",
        G::<S>::verify(&verifying_key, &message, &extended),
        expected,
        is_signature_error,
    );

    let other = G::<S>::generate_signing_key(rng);
    check.rejects(
        "signature verify under another key",
        G::<S>::verify(&G::<S>::verifying_key(&other), &message, &signature),
        expected,
        is_signature_error,
    );

    // Key round trips.
    let vk_bytes = G::<S>::verifying_key_to_bytes(&verifying_key);
    let vk_parsed = check.ok(
        "signature verifying key round trip",
        G::<S>::verifying_key_from_bytes(&vk_bytes),
    );
    check.ensure(
        G::<S>::verifying_key_to_bytes(&vk_parsed) == vk_bytes,
        "signature verifying key round trip",
        || "verifying_key_from_bytes(to_bytes(vk)) re-encodes differently".into(),
    );
    check.ok(
        "signature verify with a parsed verifying key",
        G::<S>::verify(&vk_parsed, &message, &signature),
    );
    let sk_bytes = G::<S>::signing_key_to_bytes(&signing_key);
    let sk_parsed = check.ok(
        "signature signing key round trip",
        G::<S>::signing_key_from_bytes(sk_bytes.as_bytes()),
    );
    check.ensure(
        G::<S>::verifying_key_to_bytes(&G::<S>::verifying_key(&sk_parsed)) == vk_bytes,
        "signature signing key round trip",
        || "a signing key parsed from its bytes has another verifying key".into(),
    );
    let again = check.ok(
        "signature sign with a parsed key",
        G::<S>::sign(&sk_parsed, &message),
    );
    check.ok(
        "signature verify (parsed signing key)",
        G::<S>::verify(&verifying_key, &message, &again),
    );
    for (what, bytes) in [
        ("truncated", vk_bytes[..vk_bytes.len() - 1].to_vec()),
        ("empty", Vec::new()),
    ] {
        check.rejects(
            &format!("signature {what} verifying key"),
            G::<S>::verifying_key_from_bytes(&bytes),
            "an error",
            |_| true,
        );
    }
}

fn check_hpke<S: CipherSuite, R: CryptoRng + ?Sized>(check: &Checker<S>, rng: &mut R) {
    type D<S> = <S as CipherSuite>::Dh;
    type Generic<S> =
        DhKemHpke<<S as CipherSuite>::Dh, <S as CipherSuite>::Kdf, <S as CipherSuite>::Aead>;
    let (sk_r, pk_r) = D::<S>::generate_key_pair(rng);
    let sk_r_bytes = D::<S>::private_key_to_bytes(&sk_r);
    let info = random_bytes(rng, 20);
    let aad = random_bytes(rng, 7);
    let plaintext = random_bytes(rng, 33);

    let sealed = check.ok(
        "HPKE seal_base",
        S::Hpke::seal_base(pk_r.as_ref(), &info, &aad, &plaintext, rng),
    );
    check.ensure(
        sealed.kem_output.len() == D::<S>::PUBLIC_KEY_LEN
            && sealed.ciphertext.len() == plaintext.len() + S::Aead::TAG_LEN,
        "HPKE output lengths",
        || {
            format!(
                "enc of {} bytes, ciphertext of {} bytes",
                sealed.kem_output.len(),
                sealed.ciphertext.len()
            )
        },
    );
    let opened = check.ok(
        "HPKE open_base",
        S::Hpke::open_base(
            sk_r_bytes.as_bytes(),
            &sealed.kem_output,
            &info,
            &aad,
            &sealed.ciphertext,
        ),
    );
    check.ensure(opened == plaintext, "HPKE round trip", || {
        "open_base(seal_base(pt)) != pt".into()
    });

    // The backend's HPKE and the generic one agree for the same random bytes.
    let mut seed = [0u8; 32];
    rng.fill_bytes(&mut seed);
    let own = check.ok(
        "HPKE seal_base (seeded)",
        S::Hpke::seal_base(
            pk_r.as_ref(),
            &info,
            &aad,
            &plaintext,
            &mut StdRng::from_seed(seed),
        ),
    );
    let generic: HpkeCiphertext = check.ok(
        "DhKemHpke seal_base (seeded)",
        Generic::<S>::seal_base(
            pk_r.as_ref(),
            &info,
            &aad,
            &plaintext,
            &mut StdRng::from_seed(seed),
        ),
    );
    check.ensure(own == generic, "HPKE equals DhKemHpke", || {
        format!(
            "for the same rng, {} gave enc {} and the generic HPKE enc {}",
            S::Hpke::NAME,
            hex::encode(&own.kem_output),
            hex::encode(&generic.kem_output)
        )
    });
    // The ephemeral key is DeriveKeyPair of the first Nsk bytes drawn.
    let ikm_e = random_bytes(rng, D::<S>::PRIVATE_KEY_LEN);
    let mut fixed = FixedRng::new(&ikm_e);
    let replayed = check.ok(
        "HPKE seal_base (fixed rng)",
        S::Hpke::seal_base(pk_r.as_ref(), &info, &aad, &plaintext, &mut fixed),
    );
    let (_, pk_e) = check.ok(
        "HPKE ephemeral key",
        D::<S>::derive_key_pair::<S::Kdf>(&ikm_e),
    );
    check.ensure(
        replayed.kem_output == pk_e.as_ref(),
        "HPKE ephemeral key from the first Nsk rng bytes",
        || "enc is not the public key of DeriveKeyPair(first Nsk rng bytes)".into(),
    );

    let (sk_x, _) = D::<S>::generate_key_pair(rng);
    let sk_x_bytes = D::<S>::private_key_to_bytes(&sk_x);
    let any_error = |_: &CryptoError| true;
    check.rejects(
        "HPKE open_base with the wrong private key",
        S::Hpke::open_base(
            sk_x_bytes.as_bytes(),
            &sealed.kem_output,
            &info,
            &aad,
            &sealed.ciphertext,
        ),
        "an error",
        any_error,
    );
    check.rejects(
        "HPKE open_base with a tampered ciphertext",
        S::Hpke::open_base(
            sk_r_bytes.as_bytes(),
            &sealed.kem_output,
            &info,
            &aad,
            &flip(&sealed.ciphertext, 0),
        ),
        "an error",
        any_error,
    );
    check.rejects(
        "HPKE open_base with another info",
        S::Hpke::open_base(
            sk_r_bytes.as_bytes(),
            &sealed.kem_output,
            &flip(&info, 0),
            &aad,
            &sealed.ciphertext,
        ),
        "an error",
        any_error,
    );
    check.rejects(
        "HPKE seal_base to a truncated public key",
        S::Hpke::seal_base(&pk_r.as_ref()[1..], &info, &aad, &plaintext, rng),
        "an error",
        any_error,
    );
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

/// Whether `shown` contains the bytes of `secret` (or an 8-byte run of them) in hex, or a
/// 4-byte run of them as a decimal list (the derived `Debug` of a byte array).
fn leaks(shown: &str, secret: &[u8]) -> bool {
    let lower = shown.to_ascii_lowercase();
    let hex_leak = secret
        .windows(8.min(secret.len()).max(1))
        .any(|window| lower.contains(&hex::encode(window)));
    let decimal_leak = secret.windows(4.min(secret.len()).max(1)).any(|window| {
        let list = window
            .iter()
            .map(|byte| byte.to_string())
            .collect::<Vec<_>>()
            .join(", ");
        shown.contains(&list)
    });
    hex_leak || decimal_leak
}

fn check_debug_redaction<S: CipherSuite, R: CryptoRng + ?Sized>(check: &Checker<S>, rng: &mut R) {
    let (private, _) = S::Dh::generate_key_pair(rng);
    let bytes = S::Dh::private_key_to_bytes(&private);
    let shown = format!("{private:?}");
    check.ensure(
        !leaks(&shown, bytes.as_bytes()),
        "Debug of a DH private key",
        || format!("`{shown}` shows the key's bytes"),
    );
    let signing_key = S::Signature::generate_signing_key(rng);
    let bytes = S::Signature::signing_key_to_bytes(&signing_key);
    let shown = format!("{signing_key:?}");
    check.ensure(
        !leaks(&shown, bytes.as_bytes()),
        "Debug of a signing key",
        || format!("`{shown}` shows the key's bytes"),
    );
}

#[cfg(test)]
mod tests {
    use super::leaks;

    #[test]
    fn leak_detection() {
        let secret = [0xde, 0xad, 0xbe, 0xef, 0x01, 0x02, 0x03, 0x04, 0x05];
        assert!(leaks("Key(deadbeef0102030405)", &secret));
        assert!(leaks("Key(DEADBEEF01020304)", &secret));
        assert!(leaks("Key([222, 173, 190, 239, 1])", &secret));
        assert!(!leaks("Key([redacted; 9 bytes])", &secret));
        assert!(!leaks("Key(deadbeef)", &secret));
    }
}
