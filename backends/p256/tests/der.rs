//! The strict DER parser shared by the ECDSA backends agrees with the `der` crate's parser
//! (through `p256::ecdsa::DerSignature`) on signatures and on many mutations of them.

use artmls_crypto::SignatureScheme;
use artmls_crypto::test_suite::der_signature;
use artmls_crypto::test_suite::rng::seeded;
use artmls_crypto::validate::ecdsa_der::{GROUP_ORDER, parse_signature};
use artmls_p256::EcdsaP256Sha256;
use p256::ecdsa::DerSignature;

fn library_accepts(bytes: &[u8]) -> bool {
    DerSignature::from_bytes(bytes)
        .and_then(p256::ecdsa::Signature::try_from)
        .is_ok()
}

fn mutations(signature: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for i in 0..signature.len() {
        for value in [0x00, 0x01, 0x7f, 0x80, 0x81, 0xff] {
            let mut m = signature.to_vec();
            m[i] = value;
            out.push(m);
        }
        let mut m = signature.to_vec();
        m[i] = m[i].wrapping_add(1);
        out.push(m);
        let mut m = signature.to_vec();
        m[i] = m[i].wrapping_sub(1);
        out.push(m);
        let mut m = signature.to_vec();
        m.insert(i, 0);
        out.push(m);
        let mut m = signature.to_vec();
        m.remove(i);
        out.push(m);
        out.push(signature[..i].to_vec());
    }
    let mut m = signature.to_vec();
    m.push(0);
    out.push(m);
    out
}

#[test]
fn strict_der_parser_agrees_with_the_der_crate() {
    let mut rng = seeded(11);
    let mut checked = 0;
    for round in 0..40u32 {
        let key = EcdsaP256Sha256::generate_signing_key(&mut rng);
        let signature = EcdsaP256Sha256::sign(&key, &round.to_be_bytes()).unwrap();
        assert!(parse_signature(&signature).is_ok());
        for candidate in mutations(&signature) {
            assert_eq!(
                parse_signature(&candidate).is_ok(),
                library_accepts(&candidate),
                "disagreement on {}",
                hex::encode(&candidate)
            );
            checked += 1;
        }
    }
    assert!(checked > 10_000);
}

#[test]
fn short_integers_and_high_bit_integers() {
    // r = 1, s = 1: minimal one-byte integers are fine.
    assert!(parse_signature(&der_signature(&[1], &[1])).is_ok());
    // r with the top bit set needs the 0x00 pad.
    let high = [0x80u8; 32];
    let good = der_signature(&high, &[1]);
    assert!(parse_signature(&good).is_ok());
    assert!(library_accepts(&good));
    // Without the pad it is negative.
    let mut body = vec![0x02, 32];
    body.extend_from_slice(&high);
    body.extend_from_slice(&[0x02, 1, 1]);
    let mut negative = vec![0x30, body.len() as u8];
    negative.extend_from_slice(&body);
    assert!(parse_signature(&negative).is_err());
    assert!(!library_accepts(&negative));
    // n - 1 is the largest scalar; n is out of range.
    let mut n_minus_1 = GROUP_ORDER;
    n_minus_1[31] -= 1;
    assert!(parse_signature(&der_signature(&n_minus_1, &[1])).is_ok());
    assert!(parse_signature(&der_signature(&GROUP_ORDER, &[1])).is_err());
    assert!(parse_signature(&der_signature(&[0], &[1])).is_err());
}
