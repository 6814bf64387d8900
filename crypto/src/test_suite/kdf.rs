//! Checks of a [`Kdf`] and a [`HashFunction`]: lengths, prefixes and limits every HKDF-shaped
//! KDF has, RFC 5869 (HKDF-SHA256), FIPS 180-4 examples (SHA-256) and RFC 4231 (HMAC-SHA256).

use rand_core::CryptoRng;

use super::KDF_HKDF_SHA256;
use super::check::{Checker, flip, h, random_bytes};
use super::rng::{DEFAULT_SEED, seeded};
use crate::{CryptoError, HashFunction, Kdf};

/// Checks the KDF `K` on its own; with `K::KDF_ID` = HKDF-SHA256, also RFC 5869's known
/// answers. Panics with a message naming the check at the first failure.
pub fn verify_kdf<K: Kdf>() {
    let check = Checker::new(format!("KDF {}", K::NAME));
    check_kdf::<K, _>(&check, &mut seeded(DEFAULT_SEED));
}

/// Checks the hash and MAC `H` on its own; for SHA-256, also the FIPS 180-4 and RFC 4231 known
/// answers.
pub fn verify_hash<H: HashFunction>() {
    let check = Checker::new(format!("hash {}", H::NAME));
    check_hash::<H, _>(&check, &mut seeded(DEFAULT_SEED));
}

pub(crate) fn check_kdf<K: Kdf, R: CryptoRng + ?Sized>(check: &Checker, rng: &mut R) {
    let nh = K::HASH_LEN;
    let ikm = random_bytes(rng, 40);
    let salt = random_bytes(rng, 13);
    let info = random_bytes(rng, 9);
    let prk = K::extract(&salt, &ikm);
    check.equal("KDF extract length", prk.len(), nh);
    check.ensure(
        K::extract(&[], &ikm) == K::extract(&vec![0; nh], &ikm),
        "KDF extract with empty salt",
        || "an empty salt is not the same as HASH_LEN zero bytes".into(),
    );
    for len in [0, 1, 16, nh, nh + 1, 3 * nh + 5, 255 * nh] {
        let okm = check.ok(
            &format!("KDF expand of {len} bytes"),
            K::expand(prk.as_bytes(), &info, len),
        );
        check.equal("KDF expand length", okm.len(), len);
    }
    let long = check.ok("KDF expand", K::expand(prk.as_bytes(), &info, 100));
    let short = check.ok("KDF expand", K::expand(prk.as_bytes(), &info, 42));
    check.ensure(
        long.as_bytes().starts_with(short.as_bytes()),
        "KDF expand prefix",
        || "a shorter output is not a prefix of a longer one".into(),
    );
    check.ensure(
        check.ok("KDF expand", K::expand(prk.as_bytes(), &flip(&info, 0), 42)) != short,
        "KDF expand info sensitivity",
        || "changing info did not change the output".into(),
    );
    let too_long = 255 * nh + 1;
    for prk in [prk.as_bytes(), &[0u8; 32][..]] {
        check.rejects_exactly(
            "KDF expand of 255*Nh+1 bytes",
            K::expand(prk, &info, too_long),
            CryptoError::KdfOutputTooLong(too_long),
        );
    }
    // HKDF-Expand takes a PRK of any length as an HMAC key, without panicking.
    for len in [0usize, 1, 16, 31, 32, 33, 64, 65, 100, 200] {
        let prk: Vec<u8> = (0..len).map(|i| i as u8).collect();
        check.ok(
            &format!("KDF expand with a PRK of {len} bytes"),
            K::expand(&prk, b"info", 40),
        );
    }
    if K::KDF_ID == KDF_HKDF_SHA256 {
        check_rfc5869::<K>(check);
    }
}

/// RFC 5869 A.1-A.3 (HKDF-SHA256).
fn check_rfc5869<K: Kdf>(check: &Checker) {
    let vectors = [
        (
            "A.1",
            "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b",
            "000102030405060708090a0b0c",
            "f0f1f2f3f4f5f6f7f8f9",
            42,
            "077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5",
            "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865",
        ),
        (
            "A.2",
            "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f",
            "606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9fa0a1a2a3a4a5a6a7a8a9aaabacadaeaf",
            "b0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedfe0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff",
            82,
            "06a6b88c5853361a06104c9ceb35b45cef760014904671014a193f40c15fc244",
            "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71cc30c58179ec3e87c14c01d5c1f3434f1d87",
        ),
        (
            "A.3",
            "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b",
            "",
            "",
            42,
            "19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04",
            "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8",
        ),
    ];
    for (case, ikm, salt, info, len, prk, okm) in vectors {
        let name = format!("RFC 5869 {case}");
        let got_prk = K::extract(&h(salt), &h(ikm));
        check.bytes(&name, got_prk.as_bytes(), &h(prk));
        let got_okm = check.ok(&name, K::expand(got_prk.as_bytes(), &h(info), len));
        check.bytes(&name, got_okm.as_bytes(), &h(okm));
    }
}

pub(crate) fn check_hash<H: HashFunction, R: CryptoRng + ?Sized>(check: &Checker, rng: &mut R) {
    let data = random_bytes(rng, 77);
    let digest = H::hash(&data);
    check.equal("hash length", digest.len(), H::OUTPUT_LEN);
    check.ensure(H::hash(&data) == digest, "hash determinism", || {
        "the same input gave two digests".into()
    });
    check.ensure(
        H::hash(&flip(&data, 3)) != digest,
        "hash sensitivity",
        || "changing the input did not change the digest".into(),
    );
    let key = random_bytes(rng, 32);
    let tag = H::mac(&key, &data);
    check.equal("MAC length", tag.len(), H::OUTPUT_LEN);
    check.equal(
        "MAC length with an empty key",
        H::mac(b"", b"x").len(),
        H::OUTPUT_LEN,
    );
    check.ensure(
        H::mac(&flip(&key, 0), &data) != tag,
        "MAC key sensitivity",
        || "changing the key did not change the MAC".into(),
    );
    check.ensure(
        H::mac(&key, &flip(&data, 0)) != tag,
        "MAC data sensitivity",
        || "changing the data did not change the MAC".into(),
    );
    if H::NAME == "SHA-256" {
        check_sha256::<H>(check);
    }
}

/// SHA-256 (FIPS 180-4 examples) and HMAC-SHA256 (RFC 4231 test cases 1, 2 and 6).
fn check_sha256<H: HashFunction>(check: &Checker) {
    let cases: [(&str, Vec<u8>, &str); 5] = [
        (
            "SHA-256 of \"abc\"",
            H::hash(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
        ),
        (
            "SHA-256 of \"\"",
            H::hash(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        ),
        (
            "RFC 4231 test case 1",
            H::mac(&[0x0b; 20], b"Hi There"),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
        ),
        (
            "RFC 4231 test case 2",
            H::mac(b"Jefe", b"what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
        ),
        (
            // A 131-byte key (longer than the block) is hashed first.
            "RFC 4231 test case 6",
            H::mac(
                &[0xaa; 131],
                b"Test Using Larger Than Block-Size Key - Hash Key First",
            ),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
        ),
    ];
    for (name, got, expected) in cases {
        check.bytes(name, &got, &h(expected));
    }
}

/// A suite's HKDF and its hash agree: HKDF-Expand's first block is `HMAC(PRK, info || 0x01)`
/// for a PRK of any length (RFC 2104: shorter keys are padded with zeros, longer ones hashed).
pub(crate) fn check_hkdf_uses_hmac<K: Kdf, H: HashFunction>(check: &Checker) {
    if K::KDF_ID != KDF_HKDF_SHA256 || H::NAME != "SHA-256" {
        return;
    }
    for len in [0usize, 1, 16, 31, 32, 33, 64, 65, 100, 200] {
        let prk: Vec<u8> = (0..len).map(|i| i as u8).collect();
        let name = format!("HKDF-Expand is HMAC, PRK of {len} bytes");
        let okm = check.ok(&name, K::expand(&prk, b"info", 40));
        let t1 = H::mac(&prk, b"info\x01");
        check.bytes(&name, &okm.as_bytes()[..H::OUTPUT_LEN], &t1);
    }
}
