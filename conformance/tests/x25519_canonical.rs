//! ART-MLS profile revision 2 §2 on every backend that serves X25519: a received X25519 public
//! key must be canonical (u below p = 2^255 - 19, top bit clear) and not of small order, and is
//! refused when parsed, with `CryptoError::InvalidPublicKey`, wherever it arrives: as a DH
//! public key, as an HPKE recipient key, or as an HPKE `kem_output`. A key that only some
//! backends refused would let members' trees diverge.

use artmls::{CipherSuite, CryptoError, DhGroup, Hpke, SuiteVisitor};
use artmls_providers::{all as providers, visit};

/// p + k, little-endian, for k < 19.
fn p_plus(k: u8) -> [u8; 32] {
    let mut bytes = [0xff; 32];
    bytes[0] = 0xed + k;
    bytes[31] = 0x7f;
    bytes
}

fn hex(text: &str) -> Vec<u8> {
    hex::decode(text).expect("test hex")
}

/// Every encoding the profile refuses, with what it is.
fn refused() -> Vec<(String, Vec<u8>)> {
    let mut keys = vec![
        ("u = p".to_owned(), p_plus(0).to_vec()),
        ("u = p + 1".to_owned(), p_plus(1).to_vec()),
        ("u = p + 18".to_owned(), p_plus(18).to_vec()),
        ("u = 2^255 - 1".to_owned(), {
            let mut bytes = [0xff; 32];
            bytes[31] = 0x7f;
            bytes.to_vec()
        }),
        ("all ones".to_owned(), vec![0xff; 32]),
    ];
    // An ordinary key (RFC 7748 §6.1, Bob's) with the top bit set.
    let mut top_bit = hex("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
    top_bit[31] |= 0x80;
    keys.push(("top bit set".to_owned(), top_bit));
    for (name, point) in [
        (
            "0",
            "0000000000000000000000000000000000000000000000000000000000000000",
        ),
        (
            "1",
            "0100000000000000000000000000000000000000000000000000000000000000",
        ),
        (
            "order 8",
            "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
        ),
        (
            "order 8",
            "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
        ),
        (
            "p - 1",
            "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        ),
    ] {
        keys.push((format!("small order ({name})"), hex(point)));
    }
    keys
}

#[derive(Clone, Copy)]
struct Check;

impl SuiteVisitor for Check {
    type Output = bool;

    /// Runs the checks if the suite's DH group is X25519; says whether it ran them.
    fn visit<S: CipherSuite>(self) -> bool {
        if S::Dh::NAME != "X25519" {
            return false;
        }
        let mut rng = artmls_conformance::rng::seeded(5);
        let (private, public) = S::Dh::generate_key_pair(&mut rng);
        let private_bytes = S::Dh::private_key_to_bytes(&private);
        let sealed = S::Hpke::seal_base(public.as_ref(), b"info", b"", b"hello", &mut rng)
            .expect("seal to a valid key");
        for (what, key) in refused() {
            let is_refused = |result: Result<_, CryptoError>| {
                matches!(result, Err(CryptoError::InvalidPublicKey(_)))
            };
            assert!(
                is_refused(S::Dh::public_key_from_bytes(&key).map(drop)),
                "{}: DH public key {what} parsed",
                S::ID
            );
            assert!(
                is_refused(S::Hpke::seal_base(&key, b"info", b"", b"hello", &mut rng).map(drop)),
                "{}: HPKE sealed to {what}",
                S::ID
            );
            assert!(
                is_refused(
                    S::Hpke::open_base(
                        private_bytes.as_bytes(),
                        &key,
                        b"info",
                        b"",
                        &sealed.ciphertext
                    )
                    .map(drop)
                ),
                "{}: HPKE kem_output {what} accepted",
                S::ID
            );
        }
        // The valid message still opens: nothing above is over-broad.
        let opened = S::Hpke::open_base(
            private_bytes.as_bytes(),
            &sealed.kem_output,
            b"info",
            b"",
            &sealed.ciphertext,
        )
        .expect("open");
        assert_eq!(opened, b"hello");
        true
    }
}

#[test]
fn every_x25519_backend_refuses_non_canonical_and_small_order_keys() {
    let mut ran = Vec::new();
    for entry in providers() {
        for suite in entry.suites() {
            let x25519 = visit(entry.name(), *suite, Check)
                .unwrap_or_else(|| panic!("{} does not visit {suite}", entry.name()));
            if x25519 {
                ran.push(format!("{} {suite}", entry.name()));
            }
        }
    }
    // dalek, ring and aws-lc, each on 0xF001 and 0xF003.
    assert_eq!(ran.len(), 6, "{ran:?}");
}
