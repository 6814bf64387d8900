//! What aws-lc-rs does on its own, without the checks this crate adds: documents why the checks
//! are there and catches an aws-lc-rs upgrade that changes behaviour.

use aws_lc_rs::agreement;
use aws_lc_rs::signature::{ED25519, UnparsedPublicKey};

#[test]
fn aws_lc_ed25519_rejects_s_at_or_above_l_by_itself() {
    // RFC 8032 test 1 with S replaced by S + L.
    let public =
        hex::decode("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a").unwrap();
    let mut signature = hex::decode("e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b").unwrap();
    let key = UnparsedPublicKey::new(&ED25519, &public);
    key.verify(b"", &signature).unwrap();
    let l = [
        0xedu8, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde,
        0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
    ];
    let mut carry = 0u16;
    for (byte, l_byte) in signature[32..].iter_mut().zip(l) {
        let sum = u16::from(*byte) + u16::from(l_byte) + carry;
        *byte = sum as u8;
        carry = sum >> 8;
    }
    assert!(key.verify(b"", &signature).is_err());
}

#[test]
fn aws_lc_ed25519_accepts_a_small_order_key_on_its_own() {
    // A = identity, R = identity, S = 0 verifies for every message under a cofactorless check
    // without a small-order test. artmls_aws_lc::Ed25519 rejects the key and the R.
    let mut identity = [0u8; 32];
    identity[0] = 1;
    let mut signature = [0u8; 64];
    signature[0] = 1;
    let key = UnparsedPublicKey::new(&ED25519, &identity);
    assert!(key.verify(b"any message", &signature).is_ok());

    use artmls_crypto::SignatureScheme;
    assert!(artmls_aws_lc::Ed25519::verifying_key_from_bytes(&identity).is_err());
}

#[test]
fn aws_lc_agreement_accepts_compressed_p256_points_on_its_own() {
    // artmls_aws_lc::P256 only takes 65-byte uncompressed points; aws-lc itself also parses compressed ones.
    let uncompressed = hex::decode("04fe8c19ce0905191ebc298a9245792531f26f0cece2460639e8bc39cb7f706a826a779b4cf969b8a0e539c7f62fb3d30ad6aa8f80e30f1d128aafd68a2ce72ea0").unwrap();
    let mut compressed = vec![0x02 | (uncompressed[64] & 1)];
    compressed.extend_from_slice(&uncompressed[1..33]);
    let parsed = agreement::ParsedPublicKey::try_from(agreement::UnparsedPublicKey::new(
        &agreement::ECDH_P256,
        &compressed,
    ));
    assert!(parsed.is_ok());

    use artmls_crypto::DhGroup;
    assert!(artmls_aws_lc::P256::public_key_from_bytes(&compressed).is_err());
}

#[test]
fn aws_lc_x25519_refuses_the_all_zero_output_itself() {
    let private = agreement::PrivateKey::from_private_key(&agreement::X25519, &[0x42; 32]).unwrap();
    let zero = [0u8; 32];
    let result = agreement::agree(
        &private,
        agreement::UnparsedPublicKey::new(&agreement::X25519, &zero),
        "refused",
        |shared| Ok(shared.to_vec()),
    );
    assert_eq!(result, Err("refused"));
}

#[test]
fn ed25519_key_that_is_not_a_point_parses_and_verifies_nothing() {
    // y = 2 is no point's y-coordinate. aws-lc keeps Ed25519 keys as bytes, so parsing accepts
    // it (the test suite allows that); every verification with it fails.
    use artmls_crypto::{CryptoError, SignatureScheme};
    let mut bytes = [0u8; 32];
    bytes[0] = 2;
    let key = artmls_aws_lc::Ed25519::verifying_key_from_bytes(&bytes).unwrap();
    let mut signature = [0x11u8; 64];
    signature[63] = 0; // S < L
    assert_eq!(
        artmls_aws_lc::Ed25519::verify(&key, b"m", &signature[..]).unwrap_err(),
        CryptoError::InvalidSignature
    );
}
