//! Checks of a [`DhGroup`]: agreement, key round trips, refusal of malformed and low-order
//! keys, the known answers of RFC 7748 (X25519) and Wycheproof (P-256), and RFC 9180
//! DeriveKeyPair.

use rand_core::CryptoRng;

use super::check::{Checker, check_redacted, flip, h, random_bytes};
use super::rng::{DEFAULT_SEED, FixedRng, seeded};
use super::{KDF_HKDF_SHA256, KEM_P256, KEM_X25519};
use crate::hpke::DhKem;
use crate::{CryptoError, DhGroup, Kdf};

/// Checks the DH group `D` on its own: properties every group has, plus the known answers and
/// bad keys of X25519 or P-256 when `D::KEM_ID` says it is one of them. Panics with a message
/// naming the check at the first failure.
pub fn verify_dh<D: DhGroup>() {
    let check = Checker::new(format!("DH group {}", D::NAME));
    check_dh::<D, _>(&check, &mut seeded(DEFAULT_SEED));
}

/// Checks RFC 9180 DeriveKeyPair of `D` with `K` as the KEM's KDF: deterministic, the same as
/// the generic [`DhKem`], and, for DHKEM(X25519/P-256, HKDF-SHA256), the RFC's known answers.
pub fn verify_derive_key_pair<D: DhGroup, K: Kdf>() {
    let check = Checker::new(format!("DeriveKeyPair of {} with {}", D::NAME, K::NAME));
    check_derive_key_pair::<D, K, _>(&check, &mut seeded(DEFAULT_SEED));
}

pub(crate) fn check_dh<D: DhGroup, R: CryptoRng + ?Sized>(check: &Checker, rng: &mut R) {
    check_properties::<D, R>(check, rng);
    match D::KEM_ID {
        KEM_X25519 => {
            check_rfc7748::<D>(check);
            check_x25519_low_order::<D>(check);
            check_x25519_non_canonical::<D>(check);
            check_redaction::<D, R>(check, rng, &[0xa7; 32]);
        }
        KEM_P256 => {
            check_p256_ecdh_vectors::<D>(check);
            check_p256_bad_keys::<D>(check);
            check_p256_generation_retries::<D>(check);
            check_redaction::<D, R>(check, rng, &h(super::signature::RFC6979_PRIVATE));
        }
        _ => {}
    }
}

fn check_properties<D: DhGroup, R: CryptoRng + ?Sized>(check: &Checker, rng: &mut R) {
    let (a_sk, a_pk) = D::generate_key_pair(rng);
    let (b_sk, b_pk) = D::generate_key_pair(rng);
    check.ensure(a_pk != b_pk, "DH generate_key_pair", || {
        "two generated key pairs have the same public key".into()
    });
    let ab = check.ok("DH agreement", D::dh(&a_sk, &b_pk));
    let ba = check.ok("DH agreement", D::dh(&b_sk, &a_pk));
    check.ensure(ab == ba, "DH agreement", || {
        "dh(a, B) != dh(b, A) for generated key pairs".into()
    });
    check.equal("DH shared secret length", ab.len(), D::SHARED_SECRET_LEN);
    check.ensure(D::public_key(&a_sk) == a_pk, "DH public_key", || {
        "public_key(generated private key) differs from the generated public key".into()
    });
    let cloned = a_sk.clone();
    check.ensure(
        check.ok("DH with a cloned key", D::dh(&cloned, &b_pk)) == ab,
        "DH with a cloned key",
        || "a cloned private key agrees on another secret".into(),
    );

    // Generation uses only the RNG it is given: the same seed gives the same key.
    let (s1, p1) = D::generate_key_pair(&mut seeded(1));
    let (s2, p2) = D::generate_key_pair(&mut seeded(1));
    check.ensure(
        p1 == p2 && D::private_key_to_bytes(&s1) == D::private_key_to_bytes(&s2),
        "DH generate_key_pair draws only from its RNG",
        || "the same seed gave two different keys".into(),
    );

    // Public key round trip.
    let a_pk_bytes = a_pk.as_ref().to_vec();
    check.equal("DH public key length", a_pk_bytes.len(), D::PUBLIC_KEY_LEN);
    let parsed = check.ok(
        "DH public key round trip",
        D::public_key_from_bytes(&a_pk_bytes),
    );
    check.ensure(parsed == a_pk, "DH public key round trip", || {
        "public_key_from_bytes(pk.as_ref()) != pk".into()
    });

    // Private key round trip.
    let a_sk_bytes = D::private_key_to_bytes(&a_sk);
    check.equal(
        "DH private key length",
        a_sk_bytes.len(),
        D::PRIVATE_KEY_LEN,
    );
    let restored = check.ok(
        "DH private key round trip",
        D::private_key_from_bytes(a_sk_bytes.as_bytes()),
    );
    check.ensure(
        D::public_key(&restored) == a_pk && D::private_key_to_bytes(&restored) == a_sk_bytes,
        "DH private key round trip",
        || "a private key parsed from its bytes is a different key".into(),
    );
    for len in [0, D::PRIVATE_KEY_LEN - 1, D::PRIVATE_KEY_LEN + 1] {
        for bytes in [random_bytes(rng, len), vec![1; len]] {
            check.rejects_as(
                &format!("DH private key of {len} bytes"),
                D::private_key_from_bytes(&bytes),
                CryptoError::InvalidPrivateKey(""),
            );
        }
    }

    // Malformed public keys.
    let mut overlong = a_pk_bytes.clone();
    overlong.push(0);
    let malformed: [(&str, Vec<u8>); 5] = [
        ("empty", Vec::new()),
        ("one-byte", a_pk_bytes[..1].to_vec()),
        ("truncated", a_pk_bytes[..a_pk_bytes.len() - 1].to_vec()),
        ("overlong", overlong),
        ("garbage of 7 bytes", vec![0xa5; 7]),
    ];
    for (what, bytes) in malformed {
        check.rejects_as(
            &format!("DH {what} public key"),
            D::public_key_from_bytes(&bytes),
            CryptoError::InvalidPublicKey(""),
        );
    }
}

/// `Debug` of a generated private key and of one made from `fixed` shows no key bytes.
fn check_redaction<D: DhGroup, R: CryptoRng + ?Sized>(check: &Checker, rng: &mut R, fixed: &[u8]) {
    let (generated, _) = D::generate_key_pair(rng);
    let bytes = D::private_key_to_bytes(&generated);
    check_redacted(
        check,
        "Debug of a DH private key",
        &format!("{generated:?} {generated:#?}"),
        bytes.as_bytes(),
    );
    let key = check.ok(
        "DH private key from bytes",
        D::private_key_from_bytes(fixed),
    );
    check_redacted(
        check,
        "Debug of a DH private key",
        &format!("{key:?} {key:#?}"),
        fixed,
    );
}

pub(crate) fn check_derive_key_pair<D: DhGroup, K: Kdf, R: CryptoRng + ?Sized>(
    check: &Checker,
    rng: &mut R,
) {
    let ikm = random_bytes(rng, 32);
    let (d1_sk, d1_pk) = check.ok("DH derive_key_pair", D::derive_key_pair::<K>(&ikm));
    let (d2_sk, d2_pk) = check.ok("DH derive_key_pair", D::derive_key_pair::<K>(&ikm));
    check.ensure(
        d1_pk == d2_pk && D::private_key_to_bytes(&d1_sk) == D::private_key_to_bytes(&d2_sk),
        "DH derive_key_pair deterministic",
        || "two derivations from the same ikm differ".into(),
    );
    let (g_sk, g_pk) = check.ok(
        "DH derive_key_pair vs DhKem",
        DhKem::<D, K>::derive_key_pair(&ikm),
    );
    check.ensure(
        g_pk == d1_pk && D::private_key_to_bytes(&g_sk) == D::private_key_to_bytes(&d1_sk),
        "DH derive_key_pair vs DhKem",
        || "the backend's DeriveKeyPair differs from artmls_crypto::hpke::DhKem's".into(),
    );
    check.ensure(D::public_key(&d1_sk) == d1_pk, "DH derive_key_pair", || {
        "derived public key is not the public key of the derived private key".into()
    });
    let (_, other_pk) = check.ok(
        "DH derive_key_pair",
        D::derive_key_pair::<K>(&flip(&ikm, 0)),
    );
    check.ensure(other_pk != d1_pk, "DH derive_key_pair", || {
        "different ikm gave the same key".into()
    });

    if K::KDF_ID != KDF_HKDF_SHA256 {
        return;
    }
    let vectors: &[(&str, &str, &str)] = match D::KEM_ID {
        KEM_X25519 => &X25519_DERIVE_KEY_PAIR,
        KEM_P256 => &P256_DERIVE_KEY_PAIR,
        _ => &[],
    };
    for (ikm, sk, pk) in vectors {
        let name = format!("RFC 9180 DeriveKeyPair of ikm {ikm}");
        let (private, public) = check.ok(&name, D::derive_key_pair::<K>(&h(ikm)));
        check.bytes(&name, D::private_key_to_bytes(&private).as_bytes(), &h(sk));
        check.bytes(&name, public.as_ref(), &h(pk));
        check.ensure(D::public_key(&private) == public, &name, || {
            "the derived public key is not that of the derived private key".into()
        });
        let reparsed = check.ok(&name, D::private_key_from_bytes(&h(sk)));
        check.ensure(D::public_key(&reparsed) == public, &name, || {
            "the RFC's skRm parsed from bytes has another public key".into()
        });
    }
}

/// RFC 9180 DeriveKeyPair known answers for X25519: (ikmE, skEm, pkEm) and (ikmR, skRm, pkRm)
/// of A.1 and A.2.
const X25519_DERIVE_KEY_PAIR: [(&str, &str, &str); 4] = [
    (
        "7268600d403fce431561aef583ee1613527cff655c1343f29812e66706df3234",
        "52c4a758a802cd8b936eceea314432798d5baf2d7e9235dc084ab1b9cfa2f736",
        "37fda3567bdbd628e88668c3c8d7e97d1d1253b6d4ea6d44c150f741f1bf4431",
    ),
    (
        "6db9df30aa07dd42ee5e8181afdb977e538f5e1fec8a06223f33f7013e525037",
        "4612c550263fc8ad58375df3f557aac531d26850903e55a9f23f21d8534e8ac8",
        "3948cfe0ad1ddb695d780e59077195da6c56506b027329794ab02bca80815c4d",
    ),
    (
        "909a9b35d3dc4713a5e72a4da274b55d3d3821a37e5d099e74a647db583a904b",
        "f4ec9b33b792c372c1d2c2063507b684ef925b8c75a42dbcbf57d63ccd381600",
        "1afa08d3dec047a643885163f1180476fa7ddb54c6a8029ea33f95796bf2ac4a",
    ),
    (
        "1ac01f181fdf9f352797655161c58b75c656a6cc2716dcb66372da835542e1df",
        "8057991eef8f1f1af18f4a9491d16a1ce333f695d4db8e38da75975c4478e0fb",
        "4310ee97d88cc1f088a5576c77ab0cf5c3ac797f3d95139c6c84b5429c59662a",
    ),
];

/// RFC 9180 DeriveKeyPair known answers for P-256 (rejection sampling with bitmask 0xFF): the
/// ephemeral and recipient key pairs of A.3 and A.5.
const P256_DERIVE_KEY_PAIR: [(&str, &str, &str); 4] = [
    (
        "4270e54ffd08d79d5928020af4686d8f6b7d35dbe470265f1f5aa22816ce860e",
        "4995788ef4b9d6132b249ce59a77281493eb39af373d236a1fe415cb0c2d7beb",
        "04a92719c6195d5085104f469a8b9814d5838ff72b60501e2c4466e5e67b325ac98536d7b61a1af4b78e5b7f951c0900be863c403ce65c9bfcb9382657222d18c4",
    ),
    (
        "668b37171f1072f3cf12ea8a236a45df23fc13b82af3609ad1e354f6ef817550",
        "f3ce7fdae57e1a310d87f1ebbde6f328be0a99cdbcadf4d6589cf29de4b8ffd2",
        "04fe8c19ce0905191ebc298a9245792531f26f0cece2460639e8bc39cb7f706a826a779b4cf969b8a0e539c7f62fb3d30ad6aa8f80e30f1d128aafd68a2ce72ea0",
    ),
    (
        "f1f1a3bc95416871539ecb51c3a8f0cf608afb40fbbe305c0a72819d35c33f1f",
        "7550253e1147aae48839c1f8af80d2770fb7a4c763afe7d0afa7e0f42a5b3689",
        "04c07836a0206e04e31d8ae99bfd549380b072a1b1b82e563c935c095827824fc1559eac6fb9e3c70cd3193968994e7fe9781aa103f5b50e934b5b2f387e381291",
    ),
    (
        "61092f3f56994dd424405899154a9918353e3e008171517ad576b900ddb275e7",
        "a4d1c55836aa30f9b3fbb6ac98d338c877c2867dd3a77396d13f68d3ab150d3b",
        "04a697bffde9405c992883c5c439d6cc358170b51af72812333b015621dc0f40bad9bb726f68a5c013806a790ec716ab8669f84f6b694596c2987cf35baba2a006",
    ),
];

/// RFC 7748 §5.2 (the two single X25519 vectors) and §6.1 (the Diffie-Hellman example).
fn check_rfc7748<D: DhGroup>(check: &Checker) {
    let single = [
        (
            "a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4",
            "e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c",
            "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552",
        ),
        (
            // RFC 7748 gives u with bit 255 set (0x93), which X25519 ignores (§5); artmls
            // refuses that encoding (profile revision 2 §2), so the vector is checked with the
            // bit cleared (0x13), the same u, and the output is the RFC's.
            "4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d",
            "e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a413",
            "95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957",
        ),
    ];
    for (scalar, u, output) in single {
        let name = format!("RFC 7748 §5.2 scalar {scalar}");
        let private = check.ok(&name, D::private_key_from_bytes(&h(scalar)));
        let public = check.ok(&name, D::public_key_from_bytes(&h(u)));
        check.bytes(&name, public.as_ref(), &h(u));
        let shared = check.ok(&name, D::dh(&private, &public));
        check.bytes(&name, shared.as_bytes(), &h(output));
    }
    check.rejects_as(
        "RFC 7748 §5.2 u with bit 255 set",
        D::public_key_from_bytes(&h(
            "e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493",
        )),
        CryptoError::InvalidPublicKey(""),
    );

    let alice_private = h("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
    let alice_public = h("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
    let bob_private = h("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
    let bob_public = h("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
    let shared = h("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
    let name = "RFC 7748 §6.1";
    let alice = check.ok(name, D::private_key_from_bytes(&alice_private));
    let bob = check.ok(name, D::private_key_from_bytes(&bob_private));
    check.bytes(name, D::public_key(&alice).as_ref(), &alice_public);
    check.bytes(name, D::public_key(&bob).as_ref(), &bob_public);
    // The private key serializes to exactly the bytes it was made from (not clamped).
    check.bytes(
        "X25519 private key bytes are kept unclamped",
        D::private_key_to_bytes(&alice).as_bytes(),
        &alice_private,
    );
    let bob_pub = check.ok(name, D::public_key_from_bytes(&bob_public));
    let alice_pub = check.ok(name, D::public_key_from_bytes(&alice_public));
    let ab = check.ok(name, D::dh(&alice, &bob_pub));
    let ba = check.ok(name, D::dh(&bob, &alice_pub));
    check.bytes(name, ab.as_bytes(), &shared);
    check.bytes(name, ba.as_bytes(), &shared);
}

/// X25519 u-coordinates of small order: 0, 1, the two points of order 8, p - 1 (order 2),
/// and the non-canonical encodings p and p + 1 (the same as 0 and 1).
const X25519_LOW_ORDER: [&str; 7] = [
    "0000000000000000000000000000000000000000000000000000000000000000",
    "0100000000000000000000000000000000000000000000000000000000000000",
    "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
    "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
];

/// Points of small order (and their twins with the top bit set) are refused when parsed: DH with
/// them gives the all-zero output, and an ART tree must not store such a key. A key next to
/// each is accepted, so the check is not over-broad.
fn check_x25519_low_order<D: DhGroup>(check: &Checker) {
    let private = check.ok("X25519 private key", D::private_key_from_bytes(&[0x42; 32]));
    for point in X25519_LOW_ORDER {
        for top_bit in [0u8, 0x80] {
            let mut bytes = h(point);
            bytes[31] |= top_bit;
            check.rejects_as(
                &format!("X25519 low-order point {point} with top bit {top_bit:#x}"),
                D::public_key_from_bytes(&bytes),
                CryptoError::InvalidPublicKey(""),
            );
        }
        let mut near = h(point);
        near[1] ^= 0x01;
        let name = format!("X25519 neighbour of low-order point {point}");
        let public = check.ok(&name, D::public_key_from_bytes(&near));
        check.ok(&name, D::dh(&private, &public));
    }
}

/// Profile revision 2 §2: a received X25519 key must be canonical (u below p = 2^255 - 19, top
/// bit clear). Every non-canonical encoding, u = p ... p + 18 (the twins of 0 ... 18), 2^255 - 1,
/// and any key with the top bit set, is refused when parsed; the largest canonical values work.
fn check_x25519_non_canonical<D: DhGroup>(check: &Checker) {
    let p_plus = |k: u8| {
        let mut bytes = [0xffu8; 32];
        bytes[0] = 0xed + k;
        bytes[31] = 0x7f;
        bytes
    };
    let ordinary = h("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
    let mut refused: Vec<Vec<u8>> = (0..19).map(|k| p_plus(k).to_vec()).collect();
    for mut key in [ordinary.clone(), p_plus(0).to_vec(), vec![0x09; 32]] {
        key[31] |= 0x80;
        refused.push(key);
    }
    refused.push(vec![0xff; 32]);
    for key in &refused {
        check.rejects_as(
            &format!("X25519 non-canonical key {}", hex::encode(key)),
            D::public_key_from_bytes(key),
            CryptoError::InvalidPublicKey(""),
        );
    }
    // p - 2 (below p - 1, which has small order), and an ordinary key, parse and work.
    let mut p_minus_2 = p_plus(0);
    p_minus_2[0] = 0xeb;
    let private = check.ok("X25519 private key", D::private_key_from_bytes(&[0x42; 32]));
    for key in [p_minus_2.to_vec(), ordinary] {
        let name = format!("X25519 canonical key {}", hex::encode(&key));
        let public = check.ok(&name, D::public_key_from_bytes(&key));
        check.bytes(&name, public.as_ref(), &key);
        check.ok(&name, D::dh(&private, &public));
    }
}

/// Raw ECDH P-256 known answers from Wycheproof `ecdh_secp256r1_ecpoint_test.json`
/// (tcId 1, a normal case, and tcId 5, a shared x-coordinate with leading zero bytes).
fn check_p256_ecdh_vectors<D: DhGroup>(check: &Checker) {
    let vectors = [
        (
            1,
            "0612465c89a023ab17855b0a6bcebfd3febb53aef84138647b5352e02c10c346",
            "0462d5bd3372af75fe85a040715d0f502428e07046868b0bfdfa61d731afe44f26ac333a93a9e70a81cd5a95b5bf8d13990eb741c8c38872b4a07d275a014e30cf",
            "53020d908b0219328b658b525f26780e3ae12bcd952bb25a93bc0895e1714285",
        ),
        (
            5,
            "0a0d622a47e48f6bc1038ace438c6f528aa00ad2bd1da5f13ee46bf5f633d71a",
            "041b0e7437c33d379929430d3ec10df59bed7fe2a1d950c5791e1e9ddeef1f4d70fbdb0e3bbce63a27f27838c685207f2ccaf689d25eb622744db1168ac92619e8",
            "0000000000000000000000000000000000000000000000000000000000010000",
        ),
    ];
    for (tc_id, private, public, shared) in vectors {
        let name = format!("Wycheproof ECDH P-256 tcId {tc_id}");
        let private = check.ok(&name, D::private_key_from_bytes(&h(private)));
        let public = check.ok(&name, D::public_key_from_bytes(&h(public)));
        let got = check.ok(&name, D::dh(&private, &public));
        check.bytes(&name, got.as_bytes(), &h(shared));
    }
}

/// The order n of the P-256 group, big-endian.
pub(crate) const P256_ORDER: &str =
    "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551";

/// RFC 9180 A.3 pkRm, a valid P-256 point.
pub(crate) const P256_VALID_POINT: &str = "04fe8c19ce0905191ebc298a9245792531f26f0cece2460639e8bc39cb7f706a826a779b4cf969b8a0e539c7f62fb3d30ad6aa8f80e30f1d128aafd68a2ce72ea0";

/// P-256 keys that must be refused: compressed, hybrid-tagged, off-curve, identity,
/// coordinates not below p, truncated; private keys 0, n, above n, of the wrong length.
fn check_p256_bad_keys<D: DhGroup>(check: &Checker) {
    let valid = h(P256_VALID_POINT);
    check.ok("P-256 valid point", D::public_key_from_bytes(&valid));
    let y_is_odd = valid[64] & 1;
    let mut compressed = vec![0x02 | y_is_odd];
    compressed.extend_from_slice(&valid[1..33]);
    let mut hybrid = valid.clone();
    hybrid[0] = 0x06 | y_is_odd;
    let mut wrong_tag = valid.clone();
    wrong_tag[0] = 0x05;
    let mut zeros = vec![0u8; 65];
    zeros[0] = 0x04;
    // x = p (not below the field prime), y that of the valid point.
    let mut x_is_p = h("04ffffffff00000001000000000000000000000000ffffffffffffffffffffffff");
    x_is_p.extend_from_slice(&valid[33..]);
    let mut x_too_large = vec![0x04];
    x_too_large.extend_from_slice(&[0xff; 32]);
    x_too_large.extend_from_slice(&valid[33..]);
    let bad: [(&str, Vec<u8>); 10] = [
        ("compressed point", compressed),
        ("hybrid point", hybrid),
        ("point with tag 5", wrong_tag),
        ("off-curve point", flip(&valid, 64)),
        ("identity (single zero byte)", vec![0x00]),
        ("all-zero point", zeros),
        ("x coordinate = p", x_is_p),
        ("x coordinate = 2^256 - 1", x_too_large),
        ("truncated point", valid[..64].to_vec()),
        ("empty point", Vec::new()),
    ];
    for (what, bytes) in bad {
        check.rejects_as(
            &format!("P-256 {what}"),
            D::public_key_from_bytes(&bytes),
            CryptoError::InvalidPublicKey(""),
        );
    }

    let n = h(P256_ORDER);
    let mut n_minus_1 = n.clone();
    n_minus_1[31] -= 1;
    let mut n_plus_1 = n.clone();
    n_plus_1[31] += 1;
    let mut one = vec![0u8; 32];
    one[31] = 1;
    for (what, scalar) in [("n - 1", n_minus_1), ("1", one)] {
        check.ok(
            &format!("P-256 private key {what}"),
            D::private_key_from_bytes(&scalar),
        );
    }
    for (what, bytes) in [
        ("zero", vec![0u8; 32]),
        ("the group order", n),
        ("n + 1", n_plus_1),
        ("2^256 - 1", vec![0xff; 32]),
        ("of 31 bytes", vec![1u8; 31]),
        ("of 33 bytes", vec![1u8; 33]),
    ] {
        check.rejects_as(
            &format!("P-256 private key {what}"),
            D::private_key_from_bytes(&bytes),
            CryptoError::InvalidPrivateKey(""),
        );
    }
}

/// Key generation skips a candidate scalar out of range and takes the next bytes of the same RNG.
fn check_p256_generation_retries<D: DhGroup>(check: &Checker) {
    let valid = h(super::signature::RFC6979_PRIVATE);
    let mut bytes = h(P256_ORDER);
    bytes.extend_from_slice(&valid);
    let mut rng = FixedRng::new(&bytes);
    let (private, _) = D::generate_key_pair(&mut rng);
    check.bytes(
        "P-256 generate_key_pair retries out-of-range scalars",
        D::private_key_to_bytes(&private).as_bytes(),
        &valid,
    );
    check.equal(
        "P-256 generate_key_pair draws 64 bytes for one retry",
        rng.drawn(),
        64,
    );
}
