//! What this crate's libraries do, and what it does on top of them, where the shared test
//! suite cannot say it for every backend: the Ed25519 encoding checks of
//! `artmls_crypto::validate::ed25519` measured against curve25519-dalek, and the places where
//! this backend is stricter or more talkative than the suite requires.

use artmls_crypto::validate::ed25519 as checks;
use artmls_crypto::{CryptoError, DhGroup, SignatureScheme};
use artmls_dalek::{Ed25519, X25519};

#[test]
fn ed25519_rejects_s_of_exactly_l_and_accepts_l_minus_one_as_well_formed() {
    let l = checks::GROUP_ORDER;
    assert!(!checks::scalar_is_canonical(&l));
    let mut below = l;
    below[0] -= 1;
    assert!(checks::scalar_is_canonical(&below));
    assert!(checks::scalar_is_canonical(&[0; 32]));
    assert!(!checks::scalar_is_canonical(&[0xff; 32]));
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
    let mut table = checks::SMALL_ORDER_POINTS.to_vec();
    table.sort();
    assert_eq!(from_curve, table);
    for point in &table {
        assert!(checks::point_is_canonical(point));
        let key = ed25519_dalek::VerifyingKey::from_bytes(point).unwrap();
        assert!(key.is_weak());
    }
}

#[test]
fn ed25519_canonical_encoding_check() {
    // y = p - 1 with the sign bit set: x = 0 cannot be negative.
    let mut minus_one = [0xffu8; 32];
    minus_one[0] = 0xec;
    assert!(checks::point_is_canonical(&{
        let mut p = minus_one;
        p[31] = 0x7f;
        p
    }));
    assert!(!checks::point_is_canonical(&minus_one));
    // y = p, y = 2^255 - 1.
    let mut p = [0xffu8; 32];
    p[0] = 0xed;
    p[31] = 0x7f;
    assert!(!checks::point_is_canonical(&p));
    assert!(!checks::point_is_canonical(&[0xff; 32]));
    // An ordinary key (RFC 8032 test 1) is canonical.
    let key =
        hex::decode("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a").unwrap();
    assert!(checks::point_is_canonical(&key.try_into().unwrap()));
}

#[test]
fn ed25519_rejects_point_that_does_not_decompress() {
    // y = 2 is not the y-coordinate of a point on edwards25519. The suite allows a backend to
    // keep such a key and fail every verification; ed25519-dalek decompresses keys when they
    // are parsed, so this backend refuses it at once.
    let mut bytes = [0u8; 32];
    bytes[0] = 2;
    assert!(matches!(
        Ed25519::verifying_key_from_bytes(&bytes),
        Err(CryptoError::InvalidPublicKey(_))
    ));
}

#[test]
fn public_key_debug_shows_hex() {
    let key = X25519::private_key_from_bytes(&[0xA7; 32]).unwrap();
    let public = X25519::public_key(&key);
    assert!(format!("{public:?}").contains(&hex::encode(public.as_ref())));
}
