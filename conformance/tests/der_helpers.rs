//! The DER and SPKI helpers, on hand-made inputs and on every key and signature of the
//! Wycheproof files (when present).

mod common;

use artmls_conformance::der::{
    DerError, P256_SPKI_HEADER, der_unsigned_integer, fixed_width_scalar, p256_point_from_spki,
    p256_spki_from_point, p1363_to_der, parse_der_signature,
};
use serde_json::Value;

fn tests_of(relative: &str) -> Vec<(Value, Value)> {
    let Some(path) = common::vector_file(relative) else {
        return Vec::new();
    };
    let json: Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("read")).expect("JSON");
    let mut out = Vec::new();
    for group in json["testGroups"].as_array().expect("groups") {
        for test in group["tests"].as_array().expect("tests") {
            out.push((group.clone(), test.clone()));
        }
    }
    out
}

fn h(text: &str) -> Vec<u8> {
    hex::decode(text).expect("hex")
}

#[test]
fn spki_of_a_known_key() {
    // RFC 5480 layout: SEQUENCE { SEQUENCE { id-ecPublicKey, prime256v1 }, BIT STRING }.
    assert_eq!(
        hex::encode(P256_SPKI_HEADER),
        "3059301306072a8648ce3d020106082a8648ce3d030107034200"
    );
    let mut point = vec![0x04];
    point.extend_from_slice(&[0x11; 64]);
    let der = p256_spki_from_point(&point).expect("encode");
    assert_eq!(p256_point_from_spki(&der), Ok(point.as_slice()));
    assert!(matches!(
        p256_point_from_spki(&der[1..]),
        Err(DerError::WrongLength { .. })
    ));
}

#[test]
fn spki_accepts_every_valid_wycheproof_key_and_only_canonical_ones() {
    let mut valid = 0;
    for (_, test) in tests_of("primitives/wycheproof/ecdh_secp256r1_test.json") {
        let der = h(test["public"].as_str().expect("public"));
        match p256_point_from_spki(&der) {
            Ok(point) => {
                // Whatever is accepted is exactly the canonical encoding of its point.
                assert_eq!(p256_spki_from_point(point).expect("encode"), der);
                assert_eq!(point[0], 0x04);
            }
            Err(_) => assert_ne!(
                test["result"], "valid",
                "tcId {} is valid but rejected",
                test["tcId"]
            ),
        }
        if test["result"] == "valid" {
            valid += 1;
        }
    }
    if valid > 0 {
        assert!(valid >= 100, "only {valid} valid cases");
    }
}

#[test]
fn group_keys_of_the_ecdsa_files_are_canonical_spki() {
    for relative in [
        "primitives/wycheproof/ecdsa_secp256r1_sha256_test.json",
        "primitives/wycheproof/ecdsa_secp256r1_sha256_p1363_test.json",
    ] {
        for (group, _) in tests_of(relative).into_iter().take(1) {
            let der = h(group["publicKeyDer"].as_str().expect("der"));
            let point = p256_point_from_spki(&der).expect("canonical SPKI");
            assert_eq!(
                hex::encode(point),
                group["publicKey"]["uncompressed"].as_str().expect("point")
            );
        }
    }
}

#[test]
fn p1363_signatures_convert_to_strict_der() {
    for (_, test) in tests_of("primitives/wycheproof/ecdsa_secp256r1_sha256_p1363_test.json") {
        let signature = h(test["sig"].as_str().expect("sig"));
        match p1363_to_der(&signature) {
            Ok(der) => {
                let (r, s) = parse_der_signature(&der).expect("strict DER");
                assert_eq!([r, s].concat(), signature);
            }
            Err(error) => {
                assert_ne!(signature.len(), 64);
                assert_eq!(
                    error,
                    DerError::WrongLength {
                        expected: 64,
                        got: signature.len()
                    }
                );
                assert_eq!(test["result"], "invalid");
            }
        }
    }
}

#[test]
fn valid_der_signatures_parse_strictly() {
    for (_, test) in tests_of("primitives/wycheproof/ecdsa_secp256r1_sha256_test.json") {
        if test["result"] != "valid" {
            continue;
        }
        let der = h(test["sig"].as_str().expect("sig"));
        let (r, s) = parse_der_signature(&der).expect("valid signatures are strict DER");
        // Re-encoding gives the same bytes: the encoder is canonical.
        assert_eq!(p1363_to_der(&[r, s].concat()).expect("encode"), der);
    }
}

#[test]
fn integers_and_scalars() {
    assert_eq!(der_unsigned_integer(&[]), vec![0x02, 0x01, 0x00]);
    assert_eq!(der_unsigned_integer(&[0xff]), vec![0x02, 0x02, 0x00, 0xff]);
    assert_eq!(
        fixed_width_scalar(&h("00c49d360886e704936a6678e1139d26b7819f7e90"), 32)
            .expect("fits")
            .len(),
        32
    );
    assert!(fixed_width_scalar(&[1; 33], 32).is_err());
}
