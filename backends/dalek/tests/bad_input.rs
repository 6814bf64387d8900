//! Bad inputs give typed errors, never panics.

#[path = "../../testkit/mod.rs"]
mod testkit;

use artmls_crypto::{CryptoError, DhGroup, Kdf, SignatureScheme};
use artmls_dalek::{
    Aes128Gcm, ChaCha20Poly1305, Ed25519, HkdfSha256, HpkeX25519Aes128Gcm,
    HpkeX25519ChaCha20Poly1305, X25519, ed25519_checks,
};

/// Profile revision 2 §2: u = p, p + 1, ..., and top-bit-set encodings are refused at parse.
#[test]
fn x25519_non_canonical_keys_are_refused_when_parsed() {
    testkit::x25519_non_canonical_keys::<X25519>();
}

#[test]
fn x25519_low_order_points_give_zero_shared_secret() {
    testkit::x25519_low_order_points::<X25519>();
}

#[test]
fn x25519_wrong_lengths() {
    assert!(matches!(
        X25519::private_key_from_bytes(&[1; 31]),
        Err(CryptoError::InvalidPrivateKey(_))
    ));
    assert!(matches!(
        X25519::public_key_from_bytes(&[9; 33]),
        Err(CryptoError::InvalidPublicKey(_))
    ));
}

#[test]
fn ed25519_bad_signatures_and_keys() {
    testkit::ed25519_bad_inputs::<Ed25519>();
}

#[test]
fn ed25519_rejects_s_of_exactly_l_and_accepts_l_minus_one_as_well_formed() {
    let l = ed25519_checks::GROUP_ORDER;
    assert!(!ed25519_checks::scalar_is_canonical(&l));
    let mut below = l;
    below[0] -= 1;
    assert!(ed25519_checks::scalar_is_canonical(&below));
    assert!(ed25519_checks::scalar_is_canonical(&[0; 32]));
    assert!(!ed25519_checks::scalar_is_canonical(&[0xff; 32]));
}

#[test]
fn ed25519_small_order_table_is_the_eight_torsion_subgroup() {
    // The table in `ed25519_checks` must be exactly the canonical encodings of the 8-torsion.
    let mut from_curve: Vec<[u8; 32]> = curve25519_dalek::constants::EIGHT_TORSION
        .iter()
        .map(|point| point.compress().to_bytes())
        .collect();
    // The 8-torsion has eight points; of the two with x = 0 only sign 0 is canonical, and the
    // table has both signs of y = 0 and of the order-8 points.
    from_curve.sort();
    let mut table = ed25519_checks::SMALL_ORDER_POINTS.to_vec();
    table.sort();
    assert_eq!(from_curve, table);
    for point in &table {
        assert!(ed25519_checks::point_is_canonical(point));
        let key = ed25519_dalek::VerifyingKey::from_bytes(point).unwrap();
        assert!(key.is_weak());
    }
}

#[test]
fn ed25519_canonical_encoding_check() {
    // y = p - 1 with the sign bit set: x = 0 cannot be negative.
    let mut minus_one = [0xffu8; 32];
    minus_one[0] = 0xec;
    assert!(ed25519_checks::point_is_canonical(&{
        let mut p = minus_one;
        p[31] = 0x7f;
        p
    }));
    assert!(!ed25519_checks::point_is_canonical(&minus_one));
    // y = p, y = 2^255 - 1.
    let mut p = [0xffu8; 32];
    p[0] = 0xed;
    p[31] = 0x7f;
    assert!(!ed25519_checks::point_is_canonical(&p));
    assert!(!ed25519_checks::point_is_canonical(&[0xff; 32]));
    // An ordinary key (RFC 8032 test 1) is canonical.
    let key = testkit::h("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
    assert!(ed25519_checks::point_is_canonical(&key.try_into().unwrap()));
}

#[test]
fn ed25519_rejects_point_that_does_not_decompress() {
    // y = 2 is not the y-coordinate of a point on edwards25519.
    let mut bytes = [0u8; 32];
    bytes[0] = 2;
    assert!(matches!(
        Ed25519::verifying_key_from_bytes(&bytes),
        Err(CryptoError::InvalidPublicKey(_))
    ));
}

#[test]
fn aead_bad_inputs() {
    testkit::aead_bad_inputs::<Aes128Gcm>();
    testkit::aead_bad_inputs::<ChaCha20Poly1305>();
}

#[test]
fn hkdf_output_too_long() {
    assert_eq!(
        HkdfSha256::expand(&[0; 32], b"", 8161).unwrap_err(),
        CryptoError::KdfOutputTooLong(8161)
    );
}

#[test]
fn hpke_bad_inputs() {
    testkit::hpke_bad_inputs::<HpkeX25519Aes128Gcm, X25519>();
    testkit::hpke_bad_inputs::<HpkeX25519ChaCha20Poly1305, X25519>();
    testkit::hpke_x25519_low_order::<HpkeX25519Aes128Gcm>();
    testkit::hpke_x25519_low_order::<HpkeX25519ChaCha20Poly1305>();
}
