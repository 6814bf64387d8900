//! Checks of a [`SignatureScheme`]: sign and verify, key round trips, refusal of forged and
//! malformed signatures and keys, RFC 8032 (Ed25519) and RFC 6979 (ECDSA P-256), and the strict
//! DER every ECDSA backend applies.

use rand_core::CryptoRng;

use super::check::{Checker, check_redacted, flip, h, random_bytes};
use super::dh::P256_ORDER;
use super::rng::{DEFAULT_SEED, seeded};
use super::{SCHEME_ECDSA_P256_SHA256, SCHEME_ED25519};
use crate::{CryptoError, SignatureScheme};

/// RFC 6979 A.2.5: the P-256 private key.
pub(crate) const RFC6979_PRIVATE: &str =
    "c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721";

/// RFC 8032 §7.1 test 1: the Ed25519 seed.
const RFC8032_SEED: &str = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";

/// Checks the signature scheme `G` on its own; for Ed25519 and ECDSA P-256 (by `G::SCHEME`),
/// also known answers and the encodings every artmls backend refuses. Panics with a message
/// naming the check at the first failure.
///
/// ECDSA signing may be randomized (ring, aws-lc) or deterministic (RFC 6979): the check signs
/// RFC 6979's message twice and, if the two signatures are equal, requires the RFC's signature.
pub fn verify_signature<G: SignatureScheme>() {
    let check = Checker::new(format!("signature scheme {}", G::NAME));
    check_signature::<G, _>(&check, &mut seeded(DEFAULT_SEED));
}

fn is_signature_error(error: &CryptoError) -> bool {
    matches!(
        error,
        CryptoError::InvalidSignature | CryptoError::MalformedSignature(_)
    )
}

pub(crate) fn check_signature<G: SignatureScheme, R: CryptoRng + ?Sized>(
    check: &Checker,
    rng: &mut R,
) {
    check_properties::<G, R>(check, rng);
    match G::SCHEME {
        SCHEME_ED25519 => {
            check_rfc8032::<G>(check);
            check_ed25519_bad_inputs::<G>(check);
            check_redaction::<G, R>(check, rng, &h(RFC8032_SEED));
        }
        SCHEME_ECDSA_P256_SHA256 => {
            check_rfc6979::<G>(check);
            check_ecdsa_der_strictness::<G>(check);
            check_ecdsa_bad_keys::<G>(check);
            check_redaction::<G, R>(check, rng, &h(RFC6979_PRIVATE));
        }
        _ => {}
    }
}

fn check_properties<G: SignatureScheme, R: CryptoRng + ?Sized>(check: &Checker, rng: &mut R) {
    // Generation uses only the RNG it is given.
    let seeded_key = G::generate_signing_key(&mut seeded(7));
    let again = G::generate_signing_key(&mut seeded(7));
    let different = G::generate_signing_key(&mut seeded(8));
    check.ensure(
        G::signing_key_to_bytes(&seeded_key) == G::signing_key_to_bytes(&again),
        "signature generate_signing_key draws only from its RNG",
        || "the same seed gave two different keys".into(),
    );
    check.ensure(
        G::signing_key_to_bytes(&seeded_key) != G::signing_key_to_bytes(&different),
        "signature generate_signing_key",
        || "two seeds gave the same key".into(),
    );

    let signing_key = G::generate_signing_key(rng);
    let verifying_key = G::verifying_key(&signing_key);
    let message = random_bytes(rng, 50);
    let signature = check.ok("signature sign", G::sign(&signing_key, &message));
    check.ok(
        "signature verify",
        G::verify(&verifying_key, &message, &signature),
    );
    let other = G::generate_signing_key(rng);
    let other_verifying = G::verifying_key(&other);
    for message in [&b""[..], b"x", &[0xab; 1000]] {
        let name = format!("signature of a {}-byte message", message.len());
        let signature = check.ok(&name, G::sign(&signing_key, message));
        check.ok(&name, G::verify(&verifying_key, message, &signature));
        check.rejects_exactly(
            &format!("{name} under another key"),
            G::verify(&other_verifying, message, &signature),
            CryptoError::InvalidSignature,
        );
    }

    let expected = "InvalidSignature or MalformedSignature";
    let middle = signature.len() / 2;
    let mut extended = signature.clone();
    extended.push(0);
    let forged: [(&str, Vec<u8>, Vec<u8>); 6] = [
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
        ("a trailing byte", message.clone(), extended),
    ];
    for (what, message, signature) in forged {
        check.rejects(
            &format!("signature verify with {what}"),
            G::verify(&verifying_key, &message, &signature),
            expected,
            is_signature_error,
        );
    }

    // Key round trips.
    let vk_bytes = G::verifying_key_to_bytes(&verifying_key);
    let vk_parsed = check.ok(
        "signature verifying key round trip",
        G::verifying_key_from_bytes(&vk_bytes),
    );
    check.bytes(
        "signature verifying key round trip",
        &G::verifying_key_to_bytes(&vk_parsed),
        &vk_bytes,
    );
    check.ok(
        "signature verify with a parsed verifying key",
        G::verify(&vk_parsed, &message, &signature),
    );
    let sk_bytes = G::signing_key_to_bytes(&signing_key);
    let sk_parsed = check.ok(
        "signature signing key round trip",
        G::signing_key_from_bytes(sk_bytes.as_bytes()),
    );
    check.bytes(
        "signature signing key round trip",
        &G::verifying_key_to_bytes(&G::verifying_key(&sk_parsed)),
        &vk_bytes,
    );
    let again = check.ok(
        "signature sign with a parsed key",
        G::sign(&sk_parsed, &message),
    );
    check.ok(
        "signature verify (parsed signing key)",
        G::verify(&verifying_key, &message, &again),
    );
    for (what, bytes) in [
        ("truncated", vk_bytes[..vk_bytes.len() - 1].to_vec()),
        ("empty", Vec::new()),
    ] {
        check.rejects(
            &format!("signature {what} verifying key"),
            G::verifying_key_from_bytes(&bytes),
            "an error",
            |_| true,
        );
    }
}

/// `Debug` of a generated signing key and of one made from `fixed` shows no key bytes.
fn check_redaction<G: SignatureScheme, R: CryptoRng + ?Sized>(
    check: &Checker,
    rng: &mut R,
    fixed: &[u8],
) {
    let generated = G::generate_signing_key(rng);
    let bytes = G::signing_key_to_bytes(&generated);
    check_redacted(
        check,
        "Debug of a signing key",
        &format!("{generated:?} {generated:#?}"),
        bytes.as_bytes(),
    );
    let key = check.ok("signing key from bytes", G::signing_key_from_bytes(fixed));
    check_redacted(
        check,
        "Debug of a signing key",
        &format!("{key:?} {key:#?}"),
        fixed,
    );
}

/// RFC 8032 §7.1 tests 1 and 2 (Ed25519).
fn check_rfc8032<G: SignatureScheme>(check: &Checker) {
    let vectors = [
        (
            "RFC 8032 §7.1 test 1",
            RFC8032_SEED,
            "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
            "",
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
        ),
        (
            "RFC 8032 §7.1 test 2",
            "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
            "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
            "72",
            "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
        ),
    ];
    for (name, seed, public, message, signature) in vectors {
        let key = check.ok(name, G::signing_key_from_bytes(&h(seed)));
        check.bytes(name, G::signing_key_to_bytes(&key).as_bytes(), &h(seed));
        check.bytes(
            name,
            &G::verifying_key_to_bytes(&G::verifying_key(&key)),
            &h(public),
        );
        let signed = check.ok(name, G::sign(&key, &h(message)));
        check.bytes(name, &signed, &h(signature));
        let parsed = check.ok(name, G::verifying_key_from_bytes(&h(public)));
        check.ok(name, G::verify(&parsed, &h(message), &h(signature)));
        check.rejects_exactly(
            &format!("{name} on another message"),
            G::verify(&parsed, b"other", &h(signature)),
            CryptoError::InvalidSignature,
        );
    }
}

/// The group order `L` of edwards25519, little-endian.
const ED25519_ORDER: [u8; 32] = [
    0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
];

/// Adds `L` to the little-endian `S` half of an Ed25519 signature (whose `S` is below `L`, so
/// the sum fits in 256 bits).
fn add_group_order(signature: &mut [u8]) {
    let mut carry = 0u16;
    for (byte, order_byte) in signature[32..].iter_mut().zip(ED25519_ORDER) {
        let sum = u16::from(*byte) + u16::from(order_byte) + carry;
        *byte = sum as u8;
        carry = sum >> 8;
    }
}

/// Ed25519 inputs that every artmls backend refuses with typed errors, whatever its library
/// accepts on its own: `S >= L` (malleability, RFC 8032 §5.1.7), wrong lengths, a small-order
/// `R`, and small-order or non-canonical verifying keys.
fn check_ed25519_bad_inputs<G: SignatureScheme>(check: &Checker) {
    let key = check.ok("Ed25519 key", G::signing_key_from_bytes(&[0x11; 32]));
    let verifying = G::verifying_key(&key);
    let message = b"message";
    let signature = check.ok("Ed25519 sign", G::sign(&key, message));
    check.ok("Ed25519 verify", G::verify(&verifying, message, &signature));

    let mut malleated = signature.clone();
    add_group_order(&mut malleated);
    let mut s_is_l = signature.clone();
    s_is_l[32..].fill(0);
    add_group_order(&mut s_is_l);
    let mut s_max = signature.clone();
    s_max[32..].fill(0xff);
    let mut long = signature.clone();
    long.push(0);
    let malformed: [(&str, Vec<u8>); 7] = [
        ("S + L", malleated),
        ("S = L", s_is_l),
        ("S = 2^256 - 1", s_max),
        ("empty", Vec::new()),
        ("32 bytes", signature[..32].to_vec()),
        ("63 bytes", signature[..63].to_vec()),
        ("65 bytes", long),
    ];
    for (what, bytes) in malformed {
        check.rejects_as(
            &format!("Ed25519 signature with {what}"),
            G::verify(&verifying, message, &bytes),
            CryptoError::MalformedSignature(""),
        );
    }
    for position in [0, 31, 32, 63] {
        check.rejects(
            &format!("Ed25519 signature with byte {position} flipped"),
            G::verify(&verifying, message, &flip(&signature, position)),
            "an error",
            |_| true,
        );
    }
    // R = the identity (small order), S = 0.
    let mut small_r = vec![0u8; 64];
    small_r[0] = 1;
    check.rejects(
        "Ed25519 signature with a small-order R",
        G::verify(&verifying, message, &small_r),
        "an error",
        |_| true,
    );

    let wire = G::verifying_key_to_bytes(&verifying);
    let mut long_key = wire.clone();
    long_key.push(0);
    let mut identity = vec![0u8; 32];
    identity[0] = 1;
    let bad_keys: [(&str, Vec<u8>); 5] = [
        ("of 31 bytes", wire[..31].to_vec()),
        ("of 33 bytes", long_key),
        ("the identity", identity),
        // y = p + 1: a non-canonical encoding of the identity's y.
        (
            "y = p + 1",
            h("eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"),
        ),
        (
            "a point of order 8",
            h("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a"),
        ),
    ];
    for (what, bytes) in bad_keys {
        check.rejects_as(
            &format!("Ed25519 verifying key {what}"),
            G::verifying_key_from_bytes(&bytes),
            CryptoError::InvalidPublicKey(""),
        );
    }
    // y = 2 is no point's y-coordinate. A backend may refuse it when parsing, or keep the
    // bytes (aws-lc does), but then nothing verifies under it.
    let mut not_a_point = [0u8; 32];
    not_a_point[0] = 2;
    match G::verifying_key_from_bytes(&not_a_point) {
        Err(error) => check.ensure(
            matches!(error, CryptoError::InvalidPublicKey(_)),
            "Ed25519 verifying key that is not a point",
            || format!("gave {error:?}; expected InvalidPublicKey"),
        ),
        Ok(key) => {
            let mut signature = [0x11u8; 64];
            signature[63] = 0; // S < L
            check.rejects(
                "Ed25519 verify under a key that is not a point",
                G::verify(&key, b"m", &signature),
                "a signature error",
                is_signature_error,
            );
        }
    }
    for len in [0, 31, 33, 64] {
        check.rejects(
            &format!("Ed25519 signing key of {len} bytes"),
            G::signing_key_from_bytes(&vec![1; len]),
            "an error",
            |_| true,
        );
    }
}

/// `a - b` for big-endian numbers of the same length with `a >= b`.
fn sub_be(a: &[u8], b: &[u8]) -> Vec<u8> {
    let mut out = vec![0u8; a.len()];
    let mut borrow = 0i16;
    for i in (0..a.len()).rev() {
        let mut diff = i16::from(a[i]) - i16::from(b[i]) - borrow;
        borrow = 0;
        if diff < 0 {
            diff += 256;
            borrow = 1;
        }
        out[i] = diff as u8;
    }
    out
}

/// DER `INTEGER` of a big-endian unsigned number (minimal, with a 0x00 pad if the top bit is set).
fn der_integer(value: &[u8]) -> Vec<u8> {
    let mut start = 0;
    while start + 1 < value.len() && value[start] == 0 {
        start += 1;
    }
    let mut body = value[start..].to_vec();
    if body.first().is_some_and(|byte| byte & 0x80 != 0) {
        body.insert(0, 0);
    }
    let mut out = vec![0x02, body.len() as u8];
    out.extend_from_slice(&body);
    out
}

/// The DER `ECDSA-Sig-Value` of `(r, s)`, big-endian unsigned integers of at most 32 bytes.
pub fn der_signature(r: &[u8], s: &[u8]) -> Vec<u8> {
    let mut body = der_integer(r);
    body.extend_from_slice(&der_integer(s));
    let mut out = vec![0x30, body.len() as u8];
    out.extend_from_slice(&body);
    out
}

/// RFC 6979 A.2.5 (P-256, SHA-256, message "sample"): the public key of the private key, and
/// the RFC's signature verifies (its `s` is above n/2: standard ECDSA accepts high S), as does
/// its low-S twin. Signing twice tells whether the scheme is deterministic; if it is, it must
/// give exactly the RFC's signature (RFC 6979 nonces).
fn check_rfc6979<G: SignatureScheme>(check: &Checker) {
    let name = "RFC 6979 A.2.5";
    let private = h(RFC6979_PRIVATE);
    let public = h(
        "0460fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb67903fe1008b8bc99a41ae9e95628bc64f2f1b20c2d7e9f5177a3c294d4462299",
    );
    let r = h("efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716");
    let s = h("f7cb1c942d657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8");
    let signature = der_signature(&r, &s);

    let key = check.ok(name, G::signing_key_from_bytes(&private));
    check.bytes(name, G::signing_key_to_bytes(&key).as_bytes(), &private);
    check.bytes(
        name,
        &G::verifying_key_to_bytes(&G::verifying_key(&key)),
        &public,
    );
    let verifying = check.ok(name, G::verifying_key_from_bytes(&public));
    check.ok(
        "RFC 6979 A.2.5 signature (high S) verifies",
        G::verify(&verifying, b"sample", &signature),
    );
    check.rejects_exactly(
        "RFC 6979 A.2.5 signature on another message",
        G::verify(&verifying, b"test", &signature),
        CryptoError::InvalidSignature,
    );
    let low_s = sub_be(&h(P256_ORDER), &s);
    check.ok(
        "RFC 6979 A.2.5 low-S twin verifies",
        G::verify(&verifying, b"sample", &der_signature(&r, &low_s)),
    );

    let first = check.ok(name, G::sign(&key, b"sample"));
    let second = check.ok(name, G::sign(&key, b"sample"));
    check.ok(name, G::verify(&verifying, b"sample", &first));
    check.ok(name, G::verify(&verifying, b"sample", &second));
    if first == second {
        check.bytes(
            "RFC 6979 A.2.5: deterministic signing gives the RFC's signature",
            &first,
            &signature,
        );
    }
}

/// Reads one DER `INTEGER` of a signature this check made itself.
fn parse_der_integer<'a>(check: &Checker, input: &'a [u8]) -> (Vec<u8>, &'a [u8]) {
    match input {
        [0x02, len, rest @ ..] if rest.len() >= usize::from(*len) => {
            let (value, rest) = rest.split_at(usize::from(*len));
            (value.to_vec(), rest)
        }
        _ => check.fail(
            "ECDSA signature is DER",
            format!("not a DER INTEGER: {}", hex::encode(input)),
        ),
    }
}

/// BER-but-not-DER and otherwise malformed ECDSA signatures are `MalformedSignature`;
/// `r` or `s` of 0 or >= n are rejected too.
fn check_ecdsa_der_strictness<G: SignatureScheme>(check: &Checker) {
    let key = check.ok("ECDSA key", G::signing_key_from_bytes(&[0x22; 32]));
    let verifying = G::verifying_key(&key);
    let message = b"strict DER";
    let signature = check.ok("ECDSA sign", G::sign(&key, message));
    check.ok("ECDSA verify", G::verify(&verifying, message, &signature));
    check.ensure(
        signature.len() >= 8
            && signature[0] == 0x30
            && usize::from(signature[1]) == signature.len() - 2,
        "ECDSA signature is DER",
        || format!("not a DER SEQUENCE: {}", hex::encode(&signature)),
    );
    let (r, rest) = parse_der_integer(check, &signature[2..]);
    let (s, rest) = parse_der_integer(check, rest);
    check.ensure(rest.is_empty(), "ECDSA signature is DER", || {
        "bytes after the two INTEGERs".into()
    });

    let mut variants: Vec<(&str, Vec<u8>)> = Vec::new();
    let mut long_len = vec![0x30, 0x81, signature[1]];
    long_len.extend_from_slice(&signature[2..]);
    variants.push(("long-form length", long_len));
    let mut padded_r = vec![0u8];
    padded_r.extend_from_slice(&r);
    let mut body = vec![0x02, padded_r.len() as u8];
    body.extend_from_slice(&padded_r);
    body.extend_from_slice(&der_integer(&s));
    let mut redundant = vec![0x30, body.len() as u8];
    redundant.extend_from_slice(&body);
    variants.push(("a redundant leading zero", redundant));
    let mut trailing = signature.clone();
    trailing.push(0);
    variants.push(("a trailing byte", trailing));
    variants.push(("truncation", signature[..signature.len() - 1].to_vec()));
    let mut wrong_tag = signature.clone();
    wrong_tag[0] = 0x31;
    variants.push(("a SET tag", wrong_tag));
    let mut indefinite = vec![0x30, 0x80];
    indefinite.extend_from_slice(&signature[2..]);
    indefinite.extend_from_slice(&[0, 0]);
    variants.push(("indefinite length", indefinite));
    variants.push(("no bytes", Vec::new()));
    // Raw r || s (P1363) is not DER.
    let mut raw = vec![0u8; 64];
    raw[32 - r.len().min(32)..32].copy_from_slice(&r[r.len().saturating_sub(32)..]);
    raw[64 - s.len().min(32)..].copy_from_slice(&s[s.len().saturating_sub(32)..]);
    variants.push(("raw r || s", raw));
    for (what, bytes) in &variants {
        check.rejects_as(
            &format!("ECDSA signature with {what}"),
            G::verify(&verifying, message, bytes),
            CryptoError::MalformedSignature(""),
        );
    }

    let n = h(P256_ORDER);
    for (what, r, s) in [
        ("r = 0", vec![0u8], s.clone()),
        ("s = 0", r.clone(), vec![0u8]),
        ("s = n", r.clone(), n.clone()),
        ("r = n", n, s),
    ] {
        check.rejects(
            &format!("ECDSA signature with {what}"),
            G::verify(&verifying, message, &der_signature(&r, &s)),
            "an error",
            |_| true,
        );
    }
}

/// ECDSA P-256 verifying keys are 65-byte uncompressed points; signing keys are in `[1, n-1]`.
fn check_ecdsa_bad_keys<G: SignatureScheme>(check: &Checker) {
    let key = check.ok("ECDSA key", G::signing_key_from_bytes(&[0x33; 32]));
    let wire = G::verifying_key_to_bytes(&G::verifying_key(&key));
    check.equal("ECDSA verifying key length", wire.len(), 65);
    check.equal("ECDSA verifying key tag", wire[0], 0x04);
    let y_is_odd = wire[64] & 1;
    let mut compressed = vec![0x02 | y_is_odd];
    compressed.extend_from_slice(&wire[1..33]);
    let mut hybrid = wire.clone();
    hybrid[0] = 0x06 | y_is_odd;
    let bad: [(&str, Vec<u8>); 6] = [
        ("compressed", compressed),
        ("off the curve", flip(&wire, 64)),
        ("hybrid", hybrid),
        ("truncated", wire[..64].to_vec()),
        ("the identity", vec![0x00]),
        ("empty", Vec::new()),
    ];
    for (what, bytes) in bad {
        check.rejects_as(
            &format!("ECDSA verifying key {what}"),
            G::verifying_key_from_bytes(&bytes),
            CryptoError::InvalidPublicKey(""),
        );
    }
    for (what, bytes) in [
        ("zero", vec![0u8; 32]),
        ("n", h(P256_ORDER)),
        ("of 31 bytes", vec![1u8; 31]),
        ("of 33 bytes", vec![1u8; 33]),
    ] {
        check.rejects(
            &format!("ECDSA signing key {what}"),
            G::signing_key_from_bytes(&bytes),
            "an error",
            |_| true,
        );
    }
}
