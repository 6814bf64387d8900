//! What ring does on its own, without the checks this crate adds: documents why the checks are
//! there and catches a ring upgrade that changes behaviour.

use ring::signature::{ED25519, UnparsedPublicKey};

#[test]
fn ring_ed25519_rejects_s_at_or_above_l_by_itself() {
    // RFC 8032 test 1 with S replaced by S + L: ring checks S < L itself.
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
fn ring_ed25519_accepts_a_small_order_key_on_its_own() {
    // A = identity, R = identity, S = 0 satisfies [S]B = R + [k]A for every message. ring
    // (cofactorless, no small-order check) accepts it; artmls_ring::Ed25519 rejects the key when it is
    // parsed and the small-order R when it verifies, as ed25519-dalek's verify_strict does.
    let mut identity = [0u8; 32];
    identity[0] = 1;
    let mut signature = [0u8; 64];
    signature[0] = 1;
    let key = UnparsedPublicKey::new(&ED25519, &identity);
    assert!(key.verify(b"any message", &signature).is_ok());
    assert!(key.verify(b"another one", &signature).is_ok());

    use artmls_crypto::SignatureScheme;
    assert!(artmls_ring::Ed25519::verifying_key_from_bytes(&identity).is_err());
}
