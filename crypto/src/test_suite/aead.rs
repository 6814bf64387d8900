//! Checks of an [`Aead`]: round trips, tampering, typed errors for bad lengths, and known
//! answers for AES-128-GCM and ChaCha20Poly1305 (the first encryptions of RFC 9180 A.1, A.2, A.3 and A.5,
//! which are plain AEAD calls under the vectors' `key` and `base_nonce`).

use rand_core::CryptoRng;

use super::check::{Checker, flip, h, random_bytes};
use super::rng::{DEFAULT_SEED, seeded};
use super::{AEAD_AES128GCM, AEAD_CHACHA20POLY1305};
use crate::{Aead, CryptoError};

/// Checks the AEAD `A` on its own; for AES-128-GCM and ChaCha20Poly1305 (by `A::AEAD_ID`),
/// also known answers. Panics with a message naming the check at the first failure.
pub fn verify_aead<A: Aead>() {
    let check = Checker::new(format!("AEAD {}", A::NAME));
    check_aead::<A, _>(&check, &mut seeded(DEFAULT_SEED));
}

pub(crate) fn check_aead<A: Aead, R: CryptoRng + ?Sized>(check: &Checker, rng: &mut R) {
    let key = random_bytes(rng, A::KEY_LEN);
    let nonce = random_bytes(rng, A::NONCE_LEN);
    let aad = random_bytes(rng, 11);
    let plaintext = random_bytes(rng, 37);
    let ciphertext = check.ok("AEAD seal", A::seal(&key, &nonce, &aad, &plaintext));
    check.equal(
        "AEAD ciphertext length",
        ciphertext.len(),
        plaintext.len() + A::TAG_LEN,
    );
    let opened = check.ok("AEAD open", A::open(&key, &nonce, &aad, &ciphertext));
    check.ensure(opened == plaintext, "AEAD round trip", || {
        "open(seal(pt)) != pt".into()
    });
    check.ensure(
        check.ok(
            "AEAD seal",
            A::seal(&key, &flip(&nonce, 0), &aad, &plaintext),
        ) != ciphertext,
        "AEAD nonce sensitivity",
        || "two nonces gave the same ciphertext".into(),
    );

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
            "empty aad",
            key.clone(),
            nonce.clone(),
            Vec::new(),
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
        check.rejects_exactly(
            &format!("AEAD open with {what}"),
            A::open(&key, &nonce, &aad, &ciphertext),
            CryptoError::AeadOpenFailed,
        );
    }
    for len in [0, 1, A::TAG_LEN - 1] {
        check.rejects_exactly(
            &format!("AEAD open of a {len}-byte ciphertext"),
            A::open(&key, &nonce, &aad, &ciphertext[..len]),
            CryptoError::CiphertextTooShort,
        );
    }

    let empty = check.ok(
        "AEAD seal of empty plaintext",
        A::seal(&key, &nonce, &aad, &[]),
    );
    check.equal("AEAD empty plaintext", empty.len(), A::TAG_LEN);
    let opened = check.ok("AEAD open of tag only", A::open(&key, &nonce, &aad, &empty));
    check.ensure(opened.is_empty(), "AEAD empty plaintext", || {
        "opened to a non-empty plaintext".into()
    });

    for len in [0, A::KEY_LEN - 1, A::KEY_LEN + 1] {
        let bad_key = random_bytes(rng, len);
        let expected = CryptoError::InvalidKeyLength {
            expected: A::KEY_LEN,
            got: len,
        };
        check.rejects_exactly(
            &format!("AEAD seal with a {len}-byte key"),
            A::seal(&bad_key, &nonce, &aad, &plaintext),
            expected.clone(),
        );
        check.rejects_exactly(
            &format!("AEAD open with a {len}-byte key"),
            A::open(&bad_key, &nonce, &aad, &ciphertext),
            expected,
        );
    }
    for len in [0, 8, A::NONCE_LEN - 1, A::NONCE_LEN + 1, 16] {
        if len == A::NONCE_LEN {
            continue;
        }
        let bad_nonce = random_bytes(rng, len);
        let expected = CryptoError::InvalidNonceLength {
            expected: A::NONCE_LEN,
            got: len,
        };
        check.rejects_exactly(
            &format!("AEAD seal with a {len}-byte nonce"),
            A::seal(&key, &bad_nonce, &aad, &plaintext),
            expected.clone(),
        );
        check.rejects_exactly(
            &format!("AEAD open with a {len}-byte nonce"),
            A::open(&key, &bad_nonce, &aad, &ciphertext),
            expected,
        );
    }

    let vectors: &[AeadVector] = match A::AEAD_ID {
        AEAD_AES128GCM => &AES128GCM,
        AEAD_CHACHA20POLY1305 => &CHACHA20POLY1305,
        _ => &[],
    };
    for vector in vectors {
        let name = format!("{} known answer ({})", A::NAME, vector.source);
        let sealed = check.ok(
            &name,
            A::seal(
                &h(vector.key),
                &h(vector.nonce),
                &h(vector.aad),
                &h(vector.pt),
            ),
        );
        check.bytes(&name, &sealed, &h(vector.ct));
        let opened = check.ok(
            &name,
            A::open(
                &h(vector.key),
                &h(vector.nonce),
                &h(vector.aad),
                &h(vector.ct),
            ),
        );
        check.bytes(&name, &opened, &h(vector.pt));
    }
}

/// An AEAD known answer, in hex.
struct AeadVector {
    source: &'static str,
    key: &'static str,
    nonce: &'static str,
    aad: &'static str,
    pt: &'static str,
    ct: &'static str,
}

/// RFC 9180's plaintext, "Beauty is truth, truth beauty", and first aad, "Count-0".
const PT: &str = "4265617574792069732074727574682c20747275746820626561757479";
const AAD0: &str = "436f756e742d30";

const AES128GCM: [AeadVector; 2] = [
    AeadVector {
        source: "RFC 9180 A.1.1, sequence 0",
        key: "4531685d41d65f03dc48f6b8302c05b0",
        nonce: "56d890e5accaaf011cff4b7d",
        aad: AAD0,
        pt: PT,
        ct: "f938558b5d72f1a23810b4be2ab4f84331acc02fc97babc53a52ae8218a355a96d8770ac83d07bea87e13c512a",
    },
    AeadVector {
        source: "RFC 9180 A.3.1, sequence 0",
        key: "868c066ef58aae6dc589b6cfdd18f97e",
        nonce: "4e0bc5018beba4bf004cca59",
        aad: AAD0,
        pt: PT,
        ct: "5ad590bb8baa577f8619db35a36311226a896e7342a6d836d8b7bcd2f20b6c7f9076ac232e3ab2523f39513434",
    },
];

const CHACHA20POLY1305: [AeadVector; 2] = [
    AeadVector {
        source: "RFC 9180 A.2.1, sequence 0",
        key: "ad2744de8e17f4ebba575b3f5f5a8fa1f69c2a07f6e7500bc60ca6e3e3ec1c91",
        nonce: "5c4d98150661b848853b547f",
        aad: AAD0,
        pt: PT,
        ct: "1c5250d8034ec2b784ba2cfd69dbdb8af406cfe3ff938e131f0def8c8b60b4db21993c62ce81883d2dd1b51a28",
    },
    AeadVector {
        source: "RFC 9180 A.5.1, sequence 0",
        key: "a8f45490a92a3b04d1dbf6cf2c3939ad8bfc9bfcb97c04bffe116730c9dfe3fc",
        nonce: "726b4390ed2209809f58c693",
        aad: AAD0,
        pt: PT,
        ct: "6469c41c5c81d3aa85432531ecf6460ec945bde1eb428cb2fedf7a29f5a685b4ccb0d057f03ea2952a27bb458b",
    },
];
