//! Checks of an [`Hpke`]: the RFC 9180 base-mode known answers, the `Hpke` contract on drawn
//! randomness, refusal of bad keys and ciphertexts, and, within a suite, agreement with the
//! generic [`DhKemHpke`] over the suite's own DH group, KDF and AEAD.

use rand_core::CryptoRng;

use super::check::{Checker, flip, h, random_bytes};
use super::dh::P256_VALID_POINT;
use super::rng::{DEFAULT_SEED, FixedRng, seeded};
use super::{AEAD_AES128GCM, AEAD_CHACHA20POLY1305, KDF_HKDF_SHA256, KEM_P256, KEM_X25519};
use crate::hpke::DhKemHpke;
use crate::{CipherSuite, CryptoError, DhGroup, Hpke, HpkeCiphertext};

/// Checks the HPKE `H` on its own: the RFC 9180 vectors of its (KEM, KDF, AEAD) ids, that
/// `seal_base` draws exactly the ephemeral key's `Nsk` bytes, that `seal_base_many` equals
/// `seal_base` in order, and typed errors for bad keys and ciphertexts. Panics with a message
/// naming the check at the first failure.
pub fn verify_hpke<H: Hpke>() {
    let check = Checker::new(format!("HPKE {}", H::NAME));
    check_hpke::<H, _>(&check, &mut seeded(DEFAULT_SEED));
}

/// An RFC 9180 base-mode vector: the first encryption (sequence number 0).
struct HpkeVector {
    source: &'static str,
    ids: (u16, u16, u16),
    ikm_e: &'static str,
    sk_r: &'static str,
    pk_r: &'static str,
    enc: &'static str,
    ct: &'static str,
}

/// RFC 9180's `info` ("Ode on a Grecian Urn"), first `aad` ("Count-0") and plaintext.
const INFO: &str = "4f6465206f6e2061204772656369616e2055726e";
const AAD0: &str = "436f756e742d30";
const PT: &str = "4265617574792069732074727574682c20747275746820626561757479";

const VECTORS: [HpkeVector; 4] = [
    HpkeVector {
        source: "RFC 9180 A.1.1",
        ids: (KEM_X25519, KDF_HKDF_SHA256, AEAD_AES128GCM),
        ikm_e: "7268600d403fce431561aef583ee1613527cff655c1343f29812e66706df3234",
        sk_r: "4612c550263fc8ad58375df3f557aac531d26850903e55a9f23f21d8534e8ac8",
        pk_r: "3948cfe0ad1ddb695d780e59077195da6c56506b027329794ab02bca80815c4d",
        enc: "37fda3567bdbd628e88668c3c8d7e97d1d1253b6d4ea6d44c150f741f1bf4431",
        ct: "f938558b5d72f1a23810b4be2ab4f84331acc02fc97babc53a52ae8218a355a96d8770ac83d07bea87e13c512a",
    },
    HpkeVector {
        source: "RFC 9180 A.2.1",
        ids: (KEM_X25519, KDF_HKDF_SHA256, AEAD_CHACHA20POLY1305),
        ikm_e: "909a9b35d3dc4713a5e72a4da274b55d3d3821a37e5d099e74a647db583a904b",
        sk_r: "8057991eef8f1f1af18f4a9491d16a1ce333f695d4db8e38da75975c4478e0fb",
        pk_r: "4310ee97d88cc1f088a5576c77ab0cf5c3ac797f3d95139c6c84b5429c59662a",
        enc: "1afa08d3dec047a643885163f1180476fa7ddb54c6a8029ea33f95796bf2ac4a",
        ct: "1c5250d8034ec2b784ba2cfd69dbdb8af406cfe3ff938e131f0def8c8b60b4db21993c62ce81883d2dd1b51a28",
    },
    HpkeVector {
        source: "RFC 9180 A.3.1",
        ids: (KEM_P256, KDF_HKDF_SHA256, AEAD_AES128GCM),
        ikm_e: "4270e54ffd08d79d5928020af4686d8f6b7d35dbe470265f1f5aa22816ce860e",
        sk_r: "f3ce7fdae57e1a310d87f1ebbde6f328be0a99cdbcadf4d6589cf29de4b8ffd2",
        pk_r: P256_VALID_POINT,
        enc: "04a92719c6195d5085104f469a8b9814d5838ff72b60501e2c4466e5e67b325ac98536d7b61a1af4b78e5b7f951c0900be863c403ce65c9bfcb9382657222d18c4",
        ct: "5ad590bb8baa577f8619db35a36311226a896e7342a6d836d8b7bcd2f20b6c7f9076ac232e3ab2523f39513434",
    },
    HpkeVector {
        source: "RFC 9180 A.5.1",
        ids: (KEM_P256, KDF_HKDF_SHA256, AEAD_CHACHA20POLY1305),
        ikm_e: "f1f1a3bc95416871539ecb51c3a8f0cf608afb40fbbe305c0a72819d35c33f1f",
        sk_r: "a4d1c55836aa30f9b3fbb6ac98d338c877c2867dd3a77396d13f68d3ab150d3b",
        pk_r: "04a697bffde9405c992883c5c439d6cc358170b51af72812333b015621dc0f40bad9bb726f68a5c013806a790ec716ab8669f84f6b694596c2987cf35baba2a006",
        enc: "04c07836a0206e04e31d8ae99bfd549380b072a1b1b82e563c935c095827824fc1559eac6fb9e3c70cd3193968994e7fe9781aa103f5b50e934b5b2f387e381291",
        ct: "6469c41c5c81d3aa85432531ecf6460ec945bde1eb428cb2fedf7a29f5a685b4ccb0d057f03ea2952a27bb458b",
    },
];

/// A call to `open_base` that must fail: what is wrong, the private key, the info and the
/// ciphertext.
type OpenCase<'a> = (&'a str, &'a [u8], Vec<u8>, Vec<u8>);

/// An `open_base` of a vector's key that must fail: what is wrong, info, aad and ciphertext.
type Tampered<'a> = (&'a str, &'a [u8], &'a [u8], &'a [u8]);

/// The tag length of the AEADs the vectors cover (AES-128-GCM and ChaCha20Poly1305).
const TAG_LEN: usize = 16;

pub(crate) fn check_hpke<H: Hpke, R: CryptoRng + ?Sized>(check: &Checker, rng: &mut R) {
    let ids = (H::KEM_ID, H::KDF_ID, H::AEAD_ID);
    let Some(vector) = VECTORS.iter().find(|vector| vector.ids == ids) else {
        return;
    };
    check_vector::<H>(check, vector);
    check_seal_many::<H, R>(check, rng, vector);
    check_bad_inputs::<H>(check, vector);
    match H::KEM_ID {
        KEM_X25519 => check_x25519_low_order::<H>(check),
        KEM_P256 => check_p256_bad_points::<H>(check, vector),
        _ => {}
    }
}

/// `seal_base` with the vector's `ikmE` as the RNG's bytes gives exactly the vector's `enc` and
/// ciphertext, drawing exactly `Nsk` bytes; `open_base` with `skRm` recovers the plaintext.
fn check_vector<H: Hpke>(check: &Checker, vector: &HpkeVector) {
    let name = vector.source;
    let ikm_e = h(vector.ikm_e);
    let mut rng = FixedRng::new(&ikm_e);
    let sealed = check.ok(
        name,
        H::seal_base(&h(vector.pk_r), &h(INFO), &h(AAD0), &h(PT), &mut rng),
    );
    check.ensure(
        rng.drawn() == ikm_e.len() && !rng.overrun(),
        "HPKE seal_base draws the ephemeral key's Nsk bytes and no more",
        || format!("{} bytes drawn, Nsk is {}", rng.drawn(), ikm_e.len()),
    );
    check.bytes(&format!("{name} enc"), &sealed.kem_output, &h(vector.enc));
    check.bytes(
        &format!("{name} ciphertext"),
        &sealed.ciphertext,
        &h(vector.ct),
    );
    let opened = check.ok(
        name,
        H::open_base(
            &h(vector.sk_r),
            &h(vector.enc),
            &h(INFO),
            &h(AAD0),
            &h(vector.ct),
        ),
    );
    check.bytes(&format!("{name} open"), &opened, &h(PT));
}

/// `seal_base_many` gives what `seal_base` gives, called in order on the same RNG, and checks
/// that it has one plaintext per recipient.
fn check_seal_many<H: Hpke, R: CryptoRng + ?Sized>(
    check: &Checker,
    rng: &mut R,
    vector: &HpkeVector,
) {
    let recipient = h(vector.pk_r);
    let recipients: Vec<&[u8]> = vec![&recipient; 3];
    let plaintexts: Vec<Vec<u8>> = (0..3).map(|i| random_bytes(rng, 10 * i)).collect();
    let plaintext_refs: Vec<&[u8]> = plaintexts.iter().map(Vec::as_slice).collect();
    let mut seed = [0u8; 8];
    rng.fill_bytes(&mut seed);
    let seed = u64::from_le_bytes(seed);
    let many = check.ok(
        "HPKE seal_base_many",
        H::seal_base_many(
            &recipients,
            b"info",
            b"aad",
            &plaintext_refs,
            &mut seeded(seed),
        ),
    );
    let mut one_rng = seeded(seed);
    let one_by_one: Vec<HpkeCiphertext> = plaintext_refs
        .iter()
        .map(|plaintext| {
            check.ok(
                "HPKE seal_base",
                H::seal_base(&recipient, b"info", b"aad", plaintext, &mut one_rng),
            )
        })
        .collect();
    check.ensure(
        many == one_by_one,
        "HPKE seal_base_many equals seal_base in order",
        || "for the same RNG, the ciphertexts differ".into(),
    );
    for (sealed, plaintext) in many.iter().zip(&plaintexts) {
        let opened = check.ok(
            "HPKE open_base of seal_base_many",
            H::open_base(
                &h(vector.sk_r),
                &sealed.kem_output,
                b"info",
                b"aad",
                &sealed.ciphertext,
            ),
        );
        check.bytes("HPKE open_base of seal_base_many", &opened, plaintext);
    }
    check.rejects(
        "HPKE seal_base_many with fewer plaintexts than recipients",
        H::seal_base_many(
            &recipients,
            b"info",
            b"aad",
            &plaintext_refs[..2],
            &mut seeded(seed),
        ),
        "an error",
        |_| true,
    );
}

/// Bad inputs give typed errors: a malformed recipient key or `enc`, a short or tampered
/// ciphertext, wrong info or aad, a wrong-length private key.
fn check_bad_inputs<H: Hpke>(check: &Checker, vector: &HpkeVector) {
    let public = h(vector.pk_r);
    let private = h(vector.sk_r);
    let sealed = check.ok(
        "HPKE seal_base",
        H::seal_base(&public, b"info", b"aad", b"secret", &mut seeded(6)),
    );
    check.rejects_as(
        "HPKE seal_base to a truncated public key",
        H::seal_base(&public[1..], b"info", b"aad", b"x", &mut seeded(6)),
        CryptoError::InvalidPublicKey(""),
    );
    check.rejects_as(
        "HPKE open_base of a truncated enc",
        H::open_base(
            &private,
            &sealed.kem_output[1..],
            b"info",
            b"aad",
            &sealed.ciphertext,
        ),
        CryptoError::InvalidPublicKey(""),
    );
    check.rejects_as(
        "HPKE open_base with a truncated private key",
        H::open_base(
            &private[1..],
            &sealed.kem_output,
            b"info",
            b"aad",
            &sealed.ciphertext,
        ),
        CryptoError::InvalidPrivateKey(""),
    );
    for len in [0, TAG_LEN - 1] {
        check.rejects_exactly(
            &format!("HPKE open_base of a {len}-byte ciphertext"),
            H::open_base(
                &private,
                &sealed.kem_output,
                b"info",
                b"aad",
                &sealed.ciphertext[..len],
            ),
            CryptoError::CiphertextTooShort,
        );
    }
    let last = sealed.ciphertext.len() - 1;
    let tampered_tag = flip(&sealed.ciphertext, last);
    let tampered_body = flip(&sealed.ciphertext, 0);
    let cases: [Tampered<'_>; 4] = [
        ("a tampered tag", b"info", b"aad", &tampered_tag),
        ("a tampered ciphertext", b"info", b"aad", &tampered_body),
        ("another info", b"other", b"aad", &sealed.ciphertext),
        ("another aad", b"info", b"other", &sealed.ciphertext),
    ];
    for (what, info, aad, ciphertext) in cases {
        check.rejects_exactly(
            &format!("HPKE open_base with {what}"),
            H::open_base(&private, &sealed.kem_output, info, aad, ciphertext),
            CryptoError::AeadOpenFailed,
        );
    }
}

/// X25519 HPKE: a low-order recipient key or `enc` is refused (as an invalid key, or as the
/// all-zero DH output, depending on where the implementation looks first).
fn check_x25519_low_order<H: Hpke>(check: &Checker) {
    let zero = [0u8; 32];
    let refused = |error: &CryptoError| {
        matches!(
            error,
            CryptoError::ZeroSharedSecret | CryptoError::InvalidPublicKey(_)
        )
    };
    check.rejects(
        "HPKE seal_base to a low-order X25519 key",
        H::seal_base(&zero, b"", b"", b"x", &mut seeded(1)),
        "ZeroSharedSecret or InvalidPublicKey",
        refused,
    );
    check.rejects(
        "HPKE open_base of a low-order X25519 enc",
        H::open_base(&[0x42; 32], &zero, b"", b"", &[0u8; 17]),
        "ZeroSharedSecret or InvalidPublicKey",
        refused,
    );
}

/// P-256 HPKE: a compressed or off-curve recipient key or `enc` is `InvalidPublicKey`.
fn check_p256_bad_points<H: Hpke>(check: &Checker, vector: &HpkeVector) {
    let pk = h(vector.pk_r);
    let mut compressed = vec![0x02 | (pk[64] & 1)];
    compressed.extend_from_slice(&pk[1..33]);
    for (what, bad) in [("compressed", compressed), ("off-curve", flip(&pk, 64))] {
        check.rejects_as(
            &format!("HPKE seal_base to a {what} P-256 key"),
            H::seal_base(&bad, b"", b"", b"x", &mut seeded(1)),
            CryptoError::InvalidPublicKey(""),
        );
        check.rejects_as(
            &format!("HPKE open_base of a {what} P-256 enc"),
            H::open_base(&h(vector.sk_r), &bad, b"", b"", &[0u8; 17]),
            CryptoError::InvalidPublicKey(""),
        );
    }
}

/// Within suite `S`: its HPKE and the generic [`DhKemHpke`] over the suite's DH, KDF and AEAD
/// both pass [`check_hpke`], give the same output for the same random bytes, open each other's
/// ciphertexts, derive the ephemeral key from the first `Nsk` bytes drawn, and refuse the wrong
/// key, info or ciphertext.
pub(crate) fn check_suite_hpke<S: CipherSuite, R: CryptoRng + ?Sized>(
    check: &Checker,
    rng: &mut R,
) {
    type D<S> = <S as CipherSuite>::Dh;
    type Generic<S> =
        DhKemHpke<<S as CipherSuite>::Dh, <S as CipherSuite>::Kdf, <S as CipherSuite>::Aead>;
    check_hpke::<S::Hpke, R>(check, rng);
    check_hpke::<Generic<S>, R>(check, rng);

    let (sk_r, pk_r) = D::<S>::generate_key_pair(rng);
    let sk_r_bytes = D::<S>::private_key_to_bytes(&sk_r);
    let info = random_bytes(rng, 20);
    let aad = random_bytes(rng, 7);
    let plaintext = random_bytes(rng, 33);

    let sealed = check.ok(
        "HPKE seal_base",
        S::Hpke::seal_base(pk_r.as_ref(), &info, &aad, &plaintext, rng),
    );
    check.equal(
        "HPKE enc length",
        sealed.kem_output.len(),
        D::<S>::PUBLIC_KEY_LEN,
    );
    check.equal(
        "HPKE ciphertext length",
        sealed.ciphertext.len(),
        plaintext.len() + <S::Aead as crate::Aead>::TAG_LEN,
    );
    let opened = check.ok(
        "HPKE open_base",
        S::Hpke::open_base(
            sk_r_bytes.as_bytes(),
            &sealed.kem_output,
            &info,
            &aad,
            &sealed.ciphertext,
        ),
    );
    check.ensure(opened == plaintext, "HPKE round trip", || {
        "open_base(seal_base(pt)) != pt".into()
    });

    // The suite's HPKE and the generic one agree for the same random bytes, and each opens the
    // other's ciphertexts.
    for round in 0..8usize {
        let mut seed = [0u8; 8];
        rng.fill_bytes(&mut seed);
        let seed = u64::from_le_bytes(seed);
        let plaintext = random_bytes(rng, round * 7);
        let own = check.ok(
            "HPKE seal_base (seeded)",
            S::Hpke::seal_base(pk_r.as_ref(), &info, &aad, &plaintext, &mut seeded(seed)),
        );
        let generic = check.ok(
            "DhKemHpke seal_base (seeded)",
            Generic::<S>::seal_base(pk_r.as_ref(), &info, &aad, &plaintext, &mut seeded(seed)),
        );
        check.ensure(own == generic, "HPKE equals DhKemHpke", || {
            format!(
                "for the same rng, {} gave enc {} and the generic HPKE enc {}",
                <S::Hpke as Hpke>::NAME,
                hex::encode(&own.kem_output),
                hex::encode(&generic.kem_output)
            )
        });
        let by_generic = check.ok(
            "DhKemHpke opens the suite's HPKE",
            Generic::<S>::open_base(
                sk_r_bytes.as_bytes(),
                &own.kem_output,
                &info,
                &aad,
                &own.ciphertext,
            ),
        );
        check.bytes("DhKemHpke opens the suite's HPKE", &by_generic, &plaintext);
        let by_own = check.ok(
            "the suite's HPKE opens DhKemHpke",
            S::Hpke::open_base(
                sk_r_bytes.as_bytes(),
                &generic.kem_output,
                &info,
                &aad,
                &generic.ciphertext,
            ),
        );
        check.bytes("the suite's HPKE opens DhKemHpke", &by_own, &plaintext);
    }

    // The ephemeral key is DeriveKeyPair of the first Nsk bytes drawn.
    let ikm_e = random_bytes(rng, D::<S>::PRIVATE_KEY_LEN);
    let mut fixed = FixedRng::new(&ikm_e);
    let replayed = check.ok(
        "HPKE seal_base (fixed rng)",
        S::Hpke::seal_base(pk_r.as_ref(), &info, &aad, &plaintext, &mut fixed),
    );
    let (_, pk_e) = check.ok(
        "HPKE ephemeral key",
        D::<S>::derive_key_pair::<S::Kdf>(&ikm_e),
    );
    check.bytes(
        "HPKE ephemeral key from the first Nsk rng bytes",
        &replayed.kem_output,
        pk_e.as_ref(),
    );

    let (sk_x, _) = D::<S>::generate_key_pair(rng);
    let sk_x_bytes = D::<S>::private_key_to_bytes(&sk_x);
    let refused: [OpenCase<'_>; 3] = [
        (
            "the wrong private key",
            sk_x_bytes.as_bytes(),
            info.clone(),
            sealed.ciphertext.clone(),
        ),
        (
            "a tampered ciphertext",
            sk_r_bytes.as_bytes(),
            info.clone(),
            flip(&sealed.ciphertext, 0),
        ),
        (
            "another info",
            sk_r_bytes.as_bytes(),
            flip(&info, 0),
            sealed.ciphertext.clone(),
        ),
    ];
    for (what, private, info, ciphertext) in refused {
        check.rejects(
            &format!("HPKE open_base with {what}"),
            S::Hpke::open_base(private, &sealed.kem_output, &info, &aad, &ciphertext),
            "an error",
            |_| true,
        );
    }
}
