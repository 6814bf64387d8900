//! Test helpers shared by the backend crates' integration tests (`#[path]`-included by each of
//! them; this folder is not a crate).
//!
//! Every function is generic over the artmls crypto traits and panics on failure. Known answers
//! are copied from the public standards named next to them.
#![allow(dead_code)]

use core::convert::Infallible;

use artmls_crypto::hpke::DhKemHpke;
use artmls_crypto::suite::check_composition;
use artmls_crypto::{
    Aead, Backend, CipherSuite, CryptoError, DhGroup, HashFunction, Hpke, Kdf, SignatureScheme,
    SuiteId, SuiteVisitor,
};
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand_core::{TryCryptoRng, TryRng};

/// `B` is called `name` and serves exactly `suites`: it visits each of them as a suite of that
/// id composed of matching primitives, and visits no other suite.
pub fn backend_serves<B: Backend>(name: &str, suites: &[SuiteId]) {
    struct IdOf;
    impl SuiteVisitor for IdOf {
        type Output = SuiteId;
        fn visit<S: CipherSuite>(self) -> SuiteId {
            check_composition::<S>().unwrap();
            S::ID
        }
    }
    assert_eq!(B::NAME, name);
    assert_eq!(B::SUITES, suites);
    for &suite in suites {
        assert_eq!(B::visit(suite, IdOf), Some(suite));
    }
    for suite in SuiteId::ALL
        .into_iter()
        .chain([SuiteId(0x0001), SuiteId(0xF004)])
    {
        if !suites.contains(&suite) {
            assert_eq!(B::visit(suite, IdOf), None, "{name} visits {suite}");
        }
    }
}

/// Hex to bytes.
pub fn h(hex: &str) -> Vec<u8> {
    hex::decode(hex).expect("test hex")
}

/// A seeded RNG: the same seed gives the same bytes.
pub fn seeded(seed: u64) -> StdRng {
    StdRng::seed_from_u64(seed)
}

/// An RNG that hands out the given bytes and then fails the test: for feeding RFC 9180's
/// `ikmE` to `seal_base` and for checking how many bytes a function draws.
pub struct ReplayRng {
    bytes: Vec<u8>,
    position: usize,
}

impl ReplayRng {
    pub fn new(bytes: &[u8]) -> Self {
        ReplayRng {
            bytes: bytes.to_vec(),
            position: 0,
        }
    }

    /// How many bytes were drawn.
    pub fn drawn(&self) -> usize {
        self.position
    }
}

impl TryRng for ReplayRng {
    type Error = Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        let mut bytes = [0u8; 4];
        self.try_fill_bytes(&mut bytes)?;
        Ok(u32::from_le_bytes(bytes))
    }

    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        let mut bytes = [0u8; 8];
        self.try_fill_bytes(&mut bytes)?;
        Ok(u64::from_le_bytes(bytes))
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        let end = self.position + dst.len();
        assert!(
            end <= self.bytes.len(),
            "ReplayRng exhausted: {} bytes asked, {} left",
            dst.len(),
            self.bytes.len() - self.position
        );
        dst.copy_from_slice(&self.bytes[self.position..end]);
        self.position = end;
        Ok(())
    }
}

impl TryCryptoRng for ReplayRng {}

/// Asserts that `result` is the error `expected`, comparing only the variant for variants that
/// carry a message.
#[track_caller]
pub fn assert_error<T>(result: Result<T, CryptoError>, expected: CryptoError) {
    match result {
        Ok(_) => panic!("expected {expected:?}, got Ok(..)"),
        Err(error) => assert_eq!(
            core::mem::discriminant(&error),
            core::mem::discriminant(&expected),
            "expected {expected:?}, got {error:?}"
        ),
    }
}

/// Asserts that a `Debug` rendering shows none of `secret`: neither as hex (any 4-byte window)
/// nor as a Rust byte list.
#[track_caller]
pub fn assert_redacted(debug: &str, secret: &[u8]) {
    let lower = debug.to_lowercase();
    for window in secret.windows(4) {
        let hex = hex::encode(window);
        assert!(
            !lower.contains(&hex),
            "Debug leaks key bytes {hex}: {debug}"
        );
    }
    let list = format!("{:?}", &secret[..8.min(secret.len())]);
    let list = list.trim_end_matches(']');
    assert!(
        !debug.contains(list),
        "Debug leaks key bytes {list}: {debug}"
    );
}

// ---------------------------------------------------------------------------------------------
// DH groups
// ---------------------------------------------------------------------------------------------

/// RFC 7748 §5.2 (the two single X25519 vectors) and §6.1 (the Diffie-Hellman example).
pub fn x25519_rfc7748<D: DhGroup>() {
    let single = [
        (
            "a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4",
            "e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c",
            "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552",
        ),
        (
            // RFC 7748 gives u with bit 255 set (0x93), which X25519 ignores (§5); artmls
            // refuses that encoding (profile revision 2 §2), so the vector is checked with the
            // bit cleared (0x13), the same u, and the output is the RFC's.
            "4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d",
            "e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a413",
            "95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957",
        ),
    ];
    for (scalar, u, output) in single {
        let private = D::private_key_from_bytes(&h(scalar)).unwrap();
        let public = D::public_key_from_bytes(&h(u)).unwrap();
        assert_eq!(public.as_ref(), h(u).as_slice());
        assert_eq!(D::dh(&private, &public).unwrap().as_bytes(), h(output));
    }
    // The RFC's own encoding, top bit set, is refused when parsed.
    assert!(matches!(
        D::public_key_from_bytes(&h(
            "e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493"
        )),
        Err(CryptoError::InvalidPublicKey(_))
    ));

    let alice_private = h("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
    let alice_public = h("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
    let bob_private = h("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
    let bob_public = h("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
    let shared = h("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");

    let alice = D::private_key_from_bytes(&alice_private).unwrap();
    let bob = D::private_key_from_bytes(&bob_private).unwrap();
    assert_eq!(D::public_key(&alice).as_ref(), alice_public.as_slice());
    assert_eq!(D::public_key(&bob).as_ref(), bob_public.as_slice());
    // The private key serializes to exactly the bytes it was made from (not clamped).
    assert_eq!(D::private_key_to_bytes(&alice).as_bytes(), alice_private);
    let bob_pub = D::public_key_from_bytes(&bob_public).unwrap();
    let alice_pub = D::public_key_from_bytes(&alice_public).unwrap();
    assert_eq!(D::dh(&alice, &bob_pub).unwrap().as_bytes(), shared);
    assert_eq!(D::dh(&bob, &alice_pub).unwrap().as_bytes(), shared);
}

/// X25519 points of small order (and their non-canonical twins, with and without the top bit)
/// are refused when parsed: DH with them gives the all-zero output, and an ART tree must not
/// store such a key. A key next to each is accepted, so the check is not over-broad.
pub fn x25519_low_order_points<D: DhGroup>() {
    let points = [
        // 0 and 1
        "0000000000000000000000000000000000000000000000000000000000000000",
        "0100000000000000000000000000000000000000000000000000000000000000",
        // the points of order 8
        "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
        "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
        // p - 1 (order 2), p and p + 1 (non-canonical 0 and 1)
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    ];
    let private = D::private_key_from_bytes(&[0x42; 32]).unwrap();
    for point in points {
        for top_bit in [0u8, 0x80] {
            let mut bytes = h(point);
            bytes[31] |= top_bit;
            assert!(
                matches!(
                    D::public_key_from_bytes(&bytes),
                    Err(CryptoError::InvalidPublicKey(_))
                ),
                "{point} with top bit {top_bit:#x} parsed"
            );
        }
        // The next value up is an ordinary key.
        let mut near = h(point);
        near[1] ^= 0x01;
        let public = D::public_key_from_bytes(&near).unwrap();
        assert!(
            D::dh(&private, &public).is_ok(),
            "{point}: neighbour refused"
        );
    }
}

/// Profile revision 2 §2: a received X25519 key must be canonical (u below p = 2^255 - 19, top
/// bit clear). Every non-canonical encoding, u = p ... p + 18 (the twins of 0 ... 18), 2^255 - 1,
/// and any key with the top bit set, is refused when parsed with
/// [`CryptoError::InvalidPublicKey`]; the largest canonical values are accepted.
pub fn x25519_non_canonical_keys<D: DhGroup>() {
    let p_plus = |k: u8| {
        let mut bytes = [0xffu8; 32];
        bytes[0] = 0xed + k;
        bytes[31] = 0x7f;
        bytes
    };
    let ordinary = h("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
    let mut refused: Vec<Vec<u8>> = (0..19).map(|k| p_plus(k).to_vec()).collect();
    for mut key in [ordinary.clone(), p_plus(0).to_vec(), vec![0x09; 32]] {
        key[31] |= 0x80;
        refused.push(key);
    }
    refused.push(vec![0xff; 32]);
    for key in &refused {
        assert!(
            matches!(
                D::public_key_from_bytes(key),
                Err(CryptoError::InvalidPublicKey(_))
            ),
            "{} parsed",
            hex::encode(key)
        );
    }
    // p - 2 (below p - 1, which has small order), and an ordinary key, parse and work.
    let mut p_minus_2 = p_plus(0);
    p_minus_2[0] = 0xeb;
    let private = D::private_key_from_bytes(&[0x42; 32]).unwrap();
    for key in [p_minus_2.to_vec(), ordinary] {
        let public = D::public_key_from_bytes(&key).unwrap();
        assert_eq!(public.as_ref(), key.as_slice());
        assert!(D::dh(&private, &public).is_ok());
    }
}

/// RFC 9180 DeriveKeyPair known answers: `(ikm, sk, pk)` hex triples, with `K` the KEM's KDF.
pub fn derive_key_pair_vectors<D: DhGroup, K: Kdf>(vectors: &[(&str, &str, &str)]) {
    for (ikm, sk, pk) in vectors {
        let (private, public) = D::derive_key_pair::<K>(&h(ikm)).unwrap();
        assert_eq!(
            D::private_key_to_bytes(&private).as_bytes(),
            h(sk),
            "sk of ikm {ikm}"
        );
        assert_eq!(public.as_ref(), h(pk).as_slice(), "pk of ikm {ikm}");
        assert_eq!(D::public_key(&private), public);
        // The private key round-trips through its bytes.
        let reparsed = D::private_key_from_bytes(&h(sk)).unwrap();
        assert_eq!(D::public_key(&reparsed), public);
    }
}

/// DH agrees both ways, keys round-trip, and generation uses only the RNG it is given.
pub fn dh_properties<D: DhGroup>() {
    let (a, a_pub) = D::generate_key_pair(&mut seeded(1));
    let (b, b_pub) = D::generate_key_pair(&mut seeded(2));
    assert_eq!(a_pub.as_ref().len(), D::PUBLIC_KEY_LEN);
    let ab = D::dh(&a, &b_pub).unwrap();
    let ba = D::dh(&b, &a_pub).unwrap();
    assert_eq!(ab, ba);
    assert_eq!(ab.len(), D::SHARED_SECRET_LEN);

    // Same seed, same key: the RNG is the only source of randomness.
    let (a_again, a_pub_again) = D::generate_key_pair(&mut seeded(1));
    assert_eq!(a_pub, a_pub_again);
    assert_eq!(
        D::private_key_to_bytes(&a).as_bytes(),
        D::private_key_to_bytes(&a_again).as_bytes()
    );

    let bytes = D::private_key_to_bytes(&a);
    assert_eq!(bytes.len(), D::PRIVATE_KEY_LEN);
    let reparsed = D::private_key_from_bytes(bytes.as_bytes()).unwrap();
    assert_eq!(D::public_key(&reparsed), a_pub);
    let public = D::public_key_from_bytes(a_pub.as_ref()).unwrap();
    assert_eq!(public, a_pub);

    // A cloned private key is the same key.
    let cloned = a.clone();
    assert_eq!(D::dh(&cloned, &b_pub).unwrap(), ab);

    // Wrong lengths are typed errors.
    for len in [0, D::PRIVATE_KEY_LEN - 1, D::PRIVATE_KEY_LEN + 1] {
        assert_error(
            D::private_key_from_bytes(&vec![1; len]),
            CryptoError::InvalidPrivateKey(""),
        );
    }
    let wire = a_pub.as_ref().to_vec();
    for len in [0, 1, D::PUBLIC_KEY_LEN - 1] {
        assert_error(
            D::public_key_from_bytes(&wire[..len]),
            CryptoError::InvalidPublicKey(""),
        );
    }
    let mut long = wire.clone();
    long.push(0);
    assert_error(
        D::public_key_from_bytes(&long),
        CryptoError::InvalidPublicKey(""),
    );
}

/// Raw ECDH P-256 known answers from Wycheproof `ecdh_secp256r1_ecpoint_test.json`
/// (tcId 1, a normal case, and tcId 5, a shared x-coordinate with leading zero bytes).
pub fn p256_ecdh_vectors<D: DhGroup>() {
    let vectors = [
        (
            "0612465c89a023ab17855b0a6bcebfd3febb53aef84138647b5352e02c10c346",
            "0462d5bd3372af75fe85a040715d0f502428e07046868b0bfdfa61d731afe44f26ac333a93a9e70a81cd5a95b5bf8d13990eb741c8c38872b4a07d275a014e30cf",
            "53020d908b0219328b658b525f26780e3ae12bcd952bb25a93bc0895e1714285",
        ),
        (
            "0a0d622a47e48f6bc1038ace438c6f528aa00ad2bd1da5f13ee46bf5f633d71a",
            "041b0e7437c33d379929430d3ec10df59bed7fe2a1d950c5791e1e9ddeef1f4d70fbdb0e3bbce63a27f27838c685207f2ccaf689d25eb622744db1168ac92619e8",
            "0000000000000000000000000000000000000000000000000000000000010000",
        ),
    ];
    for (private, public, shared) in vectors {
        let private = D::private_key_from_bytes(&h(private)).unwrap();
        let public = D::public_key_from_bytes(&h(public)).unwrap();
        assert_eq!(D::dh(&private, &public).unwrap().as_bytes(), h(shared));
    }
}

/// P-256 keys that must be rejected with typed errors: compressed, hybrid-tagged, off-curve,
/// identity, coordinates not below p, truncated; private keys 0, n, above n, truncated.
pub fn p256_bad_keys<D: DhGroup>() {
    // RFC 9180 A.3 pkRm, a valid point.
    let valid = h(
        "04fe8c19ce0905191ebc298a9245792531f26f0cece2460639e8bc39cb7f706a826a779b4cf969b8a0e539c7f62fb3d30ad6aa8f80e30f1d128aafd68a2ce72ea0",
    );
    assert!(D::public_key_from_bytes(&valid).is_ok());

    let mut compressed = vec![0x02 | (valid[64] & 1)];
    compressed.extend_from_slice(&valid[1..33]);
    let mut hybrid = valid.clone();
    hybrid[0] = 0x06 | (valid[64] & 1);
    let mut wrong_tag = valid.clone();
    wrong_tag[0] = 0x05;
    let mut off_curve = valid.clone();
    off_curve[64] ^= 1;
    let identity = vec![0x00];
    let mut zeros = vec![0u8; 65];
    zeros[0] = 0x04;
    // x = p (not below the field prime), y arbitrary.
    let mut x_is_p = h("04ffffffff00000001000000000000000000000000ffffffffffffffffffffffff");
    x_is_p.extend_from_slice(&valid[33..]);

    let bad = [
        ("compressed", compressed),
        ("hybrid", hybrid),
        ("tag 5", wrong_tag),
        ("off curve", off_curve),
        ("identity", identity),
        ("zero point", zeros),
        ("x = p", x_is_p),
        ("truncated", valid[..64].to_vec()),
        ("empty", Vec::new()),
    ];
    for (what, bytes) in bad {
        assert_error(
            D::public_key_from_bytes(&bytes),
            CryptoError::InvalidPublicKey(""),
        );
        let _ = what;
    }

    let n = h("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551");
    let mut n_minus_1 = n.clone();
    n_minus_1[31] -= 1;
    let mut n_plus_1 = n.clone();
    n_plus_1[31] += 1;
    assert!(D::private_key_from_bytes(&n_minus_1).is_ok());
    assert!(
        D::private_key_from_bytes(&[0u8; 31].iter().chain(&[1u8]).copied().collect::<Vec<_>>())
            .is_ok()
    );
    for bytes in [
        vec![0u8; 32],
        n,
        n_plus_1,
        vec![0xff; 32],
        vec![1u8; 31],
        vec![1u8; 33],
    ] {
        assert_error(
            D::private_key_from_bytes(&bytes),
            CryptoError::InvalidPrivateKey(""),
        );
    }
}

// ---------------------------------------------------------------------------------------------
// KDF, hash, MAC
// ---------------------------------------------------------------------------------------------

/// RFC 5869 A.1-A.3 (HKDF-SHA256), and the output limit `255 * Nh`.
pub fn hkdf_rfc5869<K: Kdf>() {
    let vectors = [
        (
            "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b",
            "000102030405060708090a0b0c",
            "f0f1f2f3f4f5f6f7f8f9",
            42,
            "077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5",
            "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865",
        ),
        (
            "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f",
            "606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9fa0a1a2a3a4a5a6a7a8a9aaabacadaeaf",
            "b0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedfe0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff",
            82,
            "06a6b88c5853361a06104c9ceb35b45cef760014904671014a193f40c15fc244",
            "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71cc30c58179ec3e87c14c01d5c1f3434f1d87",
        ),
        (
            "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b",
            "",
            "",
            42,
            "19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04",
            "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8",
        ),
    ];
    for (ikm, salt, info, len, prk, okm) in vectors {
        let got_prk = K::extract(&h(salt), &h(ikm));
        assert_eq!(got_prk.as_bytes(), h(prk));
        let got_okm = K::expand(got_prk.as_bytes(), &h(info), len).unwrap();
        assert_eq!(got_okm.as_bytes(), h(okm));
    }
    // An empty salt is Nh zero bytes.
    assert_eq!(K::extract(&[], b"ikm"), K::extract(&[0; 32], b"ikm"));

    let prk = K::extract(b"salt", b"ikm");
    assert_eq!(
        K::expand(prk.as_bytes(), b"", 255 * 32).unwrap().len(),
        255 * 32
    );
    assert_eq!(K::expand(prk.as_bytes(), b"", 0).unwrap().len(), 0);
    assert_error(
        K::expand(prk.as_bytes(), b"", 255 * 32 + 1),
        CryptoError::KdfOutputTooLong(0),
    );
}

/// HKDF-Expand takes a PRK of any length as an HMAC key (RFC 2104: shorter keys are padded with
/// zeros, longer ones hashed), without panicking; every backend gives the same bytes.
pub fn hkdf_any_prk_length<K: Kdf, H: HashFunction>() {
    for len in [0usize, 1, 16, 31, 32, 33, 64, 65, 100, 200] {
        let prk: Vec<u8> = (0..len).map(|i| i as u8).collect();
        let okm = K::expand(&prk, b"info", 40).unwrap();
        // T(1) = HMAC(PRK, info || 0x01)
        let t1 = H::mac(&prk, b"info\x01");
        assert_eq!(&okm.as_bytes()[..32], t1.as_slice(), "PRK of {len} bytes");
    }
}

/// SHA-256 (FIPS 180-4 examples) and HMAC-SHA256 (RFC 4231 test cases 1, 2 and 6).
pub fn sha256_vectors<H: HashFunction>() {
    assert_eq!(
        H::hash(b"abc"),
        h("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    );
    assert_eq!(
        H::hash(b""),
        h("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    );
    assert_eq!(
        H::mac(&[0x0b; 20], b"Hi There"),
        h("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")
    );
    assert_eq!(
        H::mac(b"Jefe", b"what do ya want for nothing?"),
        h("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    );
    // A 131-byte key (longer than the block) is hashed first.
    assert_eq!(
        H::mac(
            &[0xaa; 131],
            b"Test Using Larger Than Block-Size Key - Hash Key First"
        ),
        h("60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
    );
    assert_eq!(H::mac(b"", b"x").len(), H::OUTPUT_LEN);
}

// ---------------------------------------------------------------------------------------------
// AEAD
// ---------------------------------------------------------------------------------------------

/// An AEAD known answer: `(key, nonce, aad, pt, ct)` in hex.
pub fn aead_vector<A: Aead>(key: &str, nonce: &str, aad: &str, pt: &str, ct: &str) {
    let sealed = A::seal(&h(key), &h(nonce), &h(aad), &h(pt)).unwrap();
    assert_eq!(sealed, h(ct));
    assert_eq!(A::open(&h(key), &h(nonce), &h(aad), &h(ct)).unwrap(), h(pt));
}

/// RFC 9180 A.1.1 / A.3.1: the first encryption of the base-mode vector under its `key` and
/// `base_nonce`, which is a plain AES-128-GCM known answer.
pub fn aes128gcm_vectors<A: Aead>() {
    aead_vector::<A>(
        "4531685d41d65f03dc48f6b8302c05b0",
        "56d890e5accaaf011cff4b7d",
        "436f756e742d30",
        "4265617574792069732074727574682c20747275746820626561757479",
        "f938558b5d72f1a23810b4be2ab4f84331acc02fc97babc53a52ae8218a355a96d8770ac83d07bea87e13c512a",
    );
    aead_vector::<A>(
        "868c066ef58aae6dc589b6cfdd18f97e",
        "4e0bc5018beba4bf004cca59",
        "436f756e742d30",
        "4265617574792069732074727574682c20747275746820626561757479",
        "5ad590bb8baa577f8619db35a36311226a896e7342a6d836d8b7bcd2f20b6c7f9076ac232e3ab2523f39513434",
    );
}

/// RFC 9180 A.2.1 / A.4.1: ChaCha20Poly1305 known answers.
pub fn chacha20poly1305_vectors<A: Aead>() {
    aead_vector::<A>(
        "ad2744de8e17f4ebba575b3f5f5a8fa1f69c2a07f6e7500bc60ca6e3e3ec1c91",
        "5c4d98150661b848853b547f",
        "436f756e742d30",
        "4265617574792069732074727574682c20747275746820626561757479",
        "1c5250d8034ec2b784ba2cfd69dbdb8af406cfe3ff938e131f0def8c8b60b4db21993c62ce81883d2dd1b51a28",
    );
    aead_vector::<A>(
        "a8f45490a92a3b04d1dbf6cf2c3939ad8bfc9bfcb97c04bffe116730c9dfe3fc",
        "726b4390ed2209809f58c693",
        "436f756e742d30",
        "4265617574792069732074727574682c20747275746820626561757479",
        "6469c41c5c81d3aa85432531ecf6460ec945bde1eb428cb2fedf7a29f5a685b4ccb0d057f03ea2952a27bb458b",
    );
}

/// Bad AEAD inputs give typed errors: wrong key and nonce lengths, a ciphertext shorter than
/// the tag, a tampered tag, ciphertext or aad; empty plaintexts work.
pub fn aead_bad_inputs<A: Aead>() {
    let key = vec![7u8; A::KEY_LEN];
    let nonce = vec![9u8; A::NONCE_LEN];
    let sealed = A::seal(&key, &nonce, b"aad", b"hello").unwrap();
    assert_eq!(sealed.len(), 5 + A::TAG_LEN);

    for len in [0, A::KEY_LEN - 1, A::KEY_LEN + 1] {
        assert_error(
            A::seal(&vec![7; len], &nonce, b"", b"x"),
            CryptoError::InvalidKeyLength {
                expected: 0,
                got: 0,
            },
        );
        assert_error(
            A::open(&vec![7; len], &nonce, b"", &sealed),
            CryptoError::InvalidKeyLength {
                expected: 0,
                got: 0,
            },
        );
    }
    assert_eq!(
        A::seal(&key[1..], &nonce, b"", b"x").unwrap_err(),
        CryptoError::InvalidKeyLength {
            expected: A::KEY_LEN,
            got: A::KEY_LEN - 1
        }
    );
    for len in [0, 8, A::NONCE_LEN - 1, A::NONCE_LEN + 1, 16] {
        assert_error(
            A::seal(&key, &vec![9; len], b"", b"x"),
            CryptoError::InvalidNonceLength {
                expected: 0,
                got: 0,
            },
        );
        assert_error(
            A::open(&key, &vec![9; len], b"", &sealed),
            CryptoError::InvalidNonceLength {
                expected: 0,
                got: 0,
            },
        );
    }
    for len in [0, 1, A::TAG_LEN - 1] {
        assert_eq!(
            A::open(&key, &nonce, b"aad", &sealed[..len]).unwrap_err(),
            CryptoError::CiphertextTooShort
        );
    }
    let mut tampered_tag = sealed.clone();
    *tampered_tag.last_mut().unwrap() ^= 1;
    assert_eq!(
        A::open(&key, &nonce, b"aad", &tampered_tag).unwrap_err(),
        CryptoError::AeadOpenFailed
    );
    let mut tampered_body = sealed.clone();
    tampered_body[0] ^= 1;
    assert_eq!(
        A::open(&key, &nonce, b"aad", &tampered_body).unwrap_err(),
        CryptoError::AeadOpenFailed
    );
    assert_eq!(
        A::open(&key, &nonce, b"other", &sealed).unwrap_err(),
        CryptoError::AeadOpenFailed
    );
    // A bare tag (empty plaintext) is fine.
    let empty = A::seal(&key, &nonce, b"", b"").unwrap();
    assert_eq!(empty.len(), A::TAG_LEN);
    assert_eq!(A::open(&key, &nonce, b"", &empty).unwrap(), b"");
}

// ---------------------------------------------------------------------------------------------
// Signatures
// ---------------------------------------------------------------------------------------------

/// RFC 8032 §7.1 tests 1 and 2 (Ed25519).
pub fn ed25519_rfc8032<S: SignatureScheme>() {
    let vectors = [
        (
            "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
            "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
            "",
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
        ),
        (
            "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
            "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
            "72",
            "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
        ),
    ];
    for (seed, public, message, signature) in vectors {
        let key = S::signing_key_from_bytes(&h(seed)).unwrap();
        assert_eq!(S::signing_key_to_bytes(&key).as_bytes(), h(seed));
        let verifying = S::verifying_key(&key);
        assert_eq!(S::verifying_key_to_bytes(&verifying), h(public));
        assert_eq!(S::sign(&key, &h(message)).unwrap(), h(signature));
        let parsed = S::verifying_key_from_bytes(&h(public)).unwrap();
        S::verify(&parsed, &h(message), &h(signature)).unwrap();
        assert_eq!(
            S::verify(&parsed, b"other", &h(signature)).unwrap_err(),
            CryptoError::InvalidSignature
        );
    }
}

/// Adds `L` to the little-endian `S` half of an Ed25519 signature.
fn add_group_order(signature: &mut [u8]) {
    const L: [u8; 32] = [
        0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde,
        0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
    ];
    let mut carry = 0u16;
    for (byte, order_byte) in signature[32..].iter_mut().zip(L) {
        let sum = u16::from(*byte) + u16::from(order_byte) + carry;
        *byte = sum as u8;
        carry = sum >> 8;
    }
    assert_eq!(carry, 0);
}

/// Ed25519 inputs that every backend must reject with typed errors.
pub fn ed25519_bad_inputs<S: SignatureScheme>() {
    let key = S::signing_key_from_bytes(&[0x11; 32]).unwrap();
    let verifying = S::verifying_key(&key);
    let message = b"message";
    let signature = S::sign(&key, message).unwrap();
    S::verify(&verifying, message, &signature).unwrap();

    // S + L: the same scalar mod L, but not canonical (RFC 8032 §5.1.7, malleability).
    let mut malleated = signature.clone();
    add_group_order(&mut malleated);
    assert_error(
        S::verify(&verifying, message, &malleated),
        CryptoError::MalformedSignature(""),
    );
    // S = L exactly, and S = 2^256 - 1.
    let mut s_is_l = signature.clone();
    s_is_l[32..].fill(0);
    add_group_order(&mut s_is_l);
    assert_error(
        S::verify(&verifying, message, &s_is_l),
        CryptoError::MalformedSignature(""),
    );
    let mut s_max = signature.clone();
    s_max[32..].fill(0xff);
    assert_error(
        S::verify(&verifying, message, &s_max),
        CryptoError::MalformedSignature(""),
    );
    // Wrong lengths.
    for len in [0, 32, 63] {
        assert_error(
            S::verify(&verifying, message, &signature[..len]),
            CryptoError::MalformedSignature(""),
        );
    }
    let mut long = signature.clone();
    long.push(0);
    assert_error(
        S::verify(&verifying, message, &long),
        CryptoError::MalformedSignature(""),
    );
    // A flipped bit anywhere fails.
    for position in [0, 31, 32, 63] {
        let mut flipped = signature.clone();
        flipped[position] ^= 0x01;
        assert!(S::verify(&verifying, message, &flipped).is_err());
    }
    // A small-order R (the identity) with S = 0 is rejected.
    let mut small_r = vec![0u8; 64];
    small_r[0] = 1;
    assert!(S::verify(&verifying, message, &small_r).is_err());

    // Verifying keys: wrong length, small order, non-canonical.
    let wire = S::verifying_key_to_bytes(&verifying);
    assert_error(
        S::verifying_key_from_bytes(&wire[..31]),
        CryptoError::InvalidPublicKey(""),
    );
    let mut long_key = wire.clone();
    long_key.push(0);
    assert_error(
        S::verifying_key_from_bytes(&long_key),
        CryptoError::InvalidPublicKey(""),
    );
    let mut identity = vec![0u8; 32];
    identity[0] = 1;
    assert_error(
        S::verifying_key_from_bytes(&identity),
        CryptoError::InvalidPublicKey(""),
    );
    // y = p + 1: a non-canonical encoding of the identity's y.
    assert_error(
        S::verifying_key_from_bytes(&h(
            "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        )),
        CryptoError::InvalidPublicKey(""),
    );
    // Order-8 point.
    assert_error(
        S::verifying_key_from_bytes(&h(
            "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
        )),
        CryptoError::InvalidPublicKey(""),
    );

    // Signing keys: wrong lengths.
    for len in [0, 31, 33, 64] {
        assert!(S::signing_key_from_bytes(&vec![1; len]).is_err());
    }
}

/// Sign and verify, keys round-trip, and generation uses only the RNG it is given.
pub fn signature_properties<S: SignatureScheme>() {
    let key = S::generate_signing_key(&mut seeded(7));
    let again = S::generate_signing_key(&mut seeded(7));
    assert_eq!(
        S::signing_key_to_bytes(&key).as_bytes(),
        S::signing_key_to_bytes(&again).as_bytes()
    );
    let other = S::generate_signing_key(&mut seeded(8));
    assert_ne!(
        S::signing_key_to_bytes(&key).as_bytes(),
        S::signing_key_to_bytes(&other).as_bytes()
    );

    let verifying = S::verifying_key(&key);
    let wire = S::verifying_key_to_bytes(&verifying);
    let parsed = S::verifying_key_from_bytes(&wire).unwrap();
    assert_eq!(S::verifying_key_to_bytes(&parsed), wire);

    let reparsed = S::signing_key_from_bytes(S::signing_key_to_bytes(&key).as_bytes()).unwrap();
    assert_eq!(
        S::verifying_key_to_bytes(&S::verifying_key(&reparsed)),
        wire
    );

    for message in [&b""[..], b"x", &[0xAB; 1000]] {
        let signature = S::sign(&key, message).unwrap();
        S::verify(&parsed, message, &signature).unwrap();
        let other_verifying = S::verifying_key(&other);
        assert_eq!(
            S::verify(&other_verifying, message, &signature).unwrap_err(),
            CryptoError::InvalidSignature
        );
    }
}

/// RFC 6979 A.2.5 (P-256, SHA-256, message "sample"): the public key of the private key, and
/// the RFC's signature verifies (its `s` is above n/2: standard ECDSA accepts high S). If
/// `deterministic`, signing must give exactly the RFC's signature (RFC 6979 nonces).
pub fn ecdsa_p256_rfc6979<S: SignatureScheme>(deterministic: bool) {
    let private = h("c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721");
    let public = h(
        "0460fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb67903fe1008b8bc99a41ae9e95628bc64f2f1b20c2d7e9f5177a3c294d4462299",
    );
    let r = h("efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716");
    let s = h("f7cb1c942d657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8");
    let signature = der_signature(&r, &s);

    let key = S::signing_key_from_bytes(&private).unwrap();
    assert_eq!(S::signing_key_to_bytes(&key).as_bytes(), private);
    assert_eq!(S::verifying_key_to_bytes(&S::verifying_key(&key)), public);
    let verifying = S::verifying_key_from_bytes(&public).unwrap();
    S::verify(&verifying, b"sample", &signature).unwrap();
    assert_eq!(
        S::verify(&verifying, b"test", &signature).unwrap_err(),
        CryptoError::InvalidSignature
    );
    // n - s: the low-S twin of the same signature also verifies.
    let n = h("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551");
    let low_s = sub_be(&n, &s);
    S::verify(&verifying, b"sample", &der_signature(&r, &low_s)).unwrap();

    let own = S::sign(&key, b"sample").unwrap();
    S::verify(&verifying, b"sample", &own).unwrap();
    if deterministic {
        assert_eq!(own, signature);
    }
}

/// `a - b` for big-endian numbers of the same length with `a >= b`.
fn sub_be(a: &[u8], b: &[u8]) -> Vec<u8> {
    let mut out = vec![0u8; a.len()];
    let mut borrow = 0i16;
    for i in (0..a.len()).rev() {
        let mut diff = i16::from(a[i]) - i16::from(b[i]) - borrow;
        borrow = 0;
        if diff < 0 {
            diff += 256;
            borrow = 1;
        }
        out[i] = diff as u8;
    }
    out
}

/// DER `INTEGER` of a big-endian unsigned number (minimal, with a 0x00 pad if the top bit is set).
fn der_integer(value: &[u8]) -> Vec<u8> {
    let mut start = 0;
    while start + 1 < value.len() && value[start] == 0 {
        start += 1;
    }
    let mut body = value[start..].to_vec();
    if body[0] & 0x80 != 0 {
        body.insert(0, 0);
    }
    let mut out = vec![0x02, body.len() as u8];
    out.extend_from_slice(&body);
    out
}

/// The DER `ECDSA-Sig-Value` of `(r, s)`.
pub fn der_signature(r: &[u8], s: &[u8]) -> Vec<u8> {
    let mut body = der_integer(r);
    body.extend_from_slice(&der_integer(s));
    let mut out = vec![0x30, body.len() as u8];
    out.extend_from_slice(&body);
    out
}

/// BER-but-not-DER and otherwise malformed ECDSA signatures are `MalformedSignature`;
/// `r` or `s` of 0 or >= n are rejected too.
pub fn ecdsa_der_strictness<S: SignatureScheme>() {
    let key = S::signing_key_from_bytes(&[0x22; 32]).unwrap();
    let verifying = S::verifying_key(&key);
    let message = b"strict DER";
    let signature = S::sign(&key, message).unwrap();
    S::verify(&verifying, message, &signature).unwrap();
    // Parse our own DER to get r and s.
    assert_eq!(signature[0], 0x30);
    let (r, rest) = parse_der_integer(&signature[2..]);
    let (s, rest) = parse_der_integer(rest);
    assert!(rest.is_empty());

    let mut variants: Vec<(&str, Vec<u8>)> = Vec::new();
    // Long-form length of the SEQUENCE (BER).
    let mut long_len = vec![0x30, 0x81, signature[1]];
    long_len.extend_from_slice(&signature[2..]);
    variants.push(("long-form length", long_len));
    // A redundant leading zero on r.
    let mut padded_r = vec![0u8];
    padded_r.extend_from_slice(&r);
    let mut body = vec![0x02, padded_r.len() as u8];
    body.extend_from_slice(&padded_r);
    body.extend_from_slice(&der_integer(&s));
    let mut redundant = vec![0x30, body.len() as u8];
    redundant.extend_from_slice(&body);
    variants.push(("leading zero", redundant));
    // Trailing garbage, a truncated signature, a wrong tag, indefinite length.
    let mut trailing = signature.clone();
    trailing.push(0);
    variants.push(("trailing byte", trailing));
    variants.push(("truncated", signature[..signature.len() - 1].to_vec()));
    let mut wrong_tag = signature.clone();
    wrong_tag[0] = 0x31;
    variants.push(("SET tag", wrong_tag));
    let mut indefinite = vec![0x30, 0x80];
    indefinite.extend_from_slice(&signature[2..]);
    indefinite.extend_from_slice(&[0, 0]);
    variants.push(("indefinite length", indefinite));
    variants.push(("empty", Vec::new()));
    // Raw r || s (P1363) is not DER.
    let mut raw = vec![0u8; 64];
    raw[32 - r.len().min(32)..32].copy_from_slice(&r[r.len().saturating_sub(32)..]);
    raw[64 - s.len().min(32)..].copy_from_slice(&s[s.len().saturating_sub(32)..]);
    variants.push(("raw r||s", raw));
    for (what, bytes) in &variants {
        assert_error(
            S::verify(&verifying, message, bytes),
            CryptoError::MalformedSignature(""),
        );
        let _ = what;
    }

    // r = 0, s = 0, s = n: well-formed DER, invalid values.
    let n = h("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551");
    for (r, s) in [
        (vec![0u8], s.clone()),
        (r.clone(), vec![0u8]),
        (r.clone(), n.clone()),
        (n, s),
    ] {
        assert!(S::verify(&verifying, message, &der_signature(&r, &s)).is_err());
    }
}

fn parse_der_integer(input: &[u8]) -> (Vec<u8>, &[u8]) {
    assert_eq!(input[0], 0x02);
    let len = input[1] as usize;
    (input[2..2 + len].to_vec(), &input[2 + len..])
}

/// ECDSA P-256 verifying keys: uncompressed 65 bytes only.
pub fn ecdsa_p256_bad_keys<S: SignatureScheme>() {
    let key = S::signing_key_from_bytes(&[0x33; 32]).unwrap();
    let wire = S::verifying_key_to_bytes(&S::verifying_key(&key));
    assert_eq!(wire.len(), 65);
    assert_eq!(wire[0], 0x04);
    let mut compressed = vec![0x02 | (wire[64] & 1)];
    compressed.extend_from_slice(&wire[1..33]);
    let mut off_curve = wire.clone();
    off_curve[64] ^= 1;
    let mut hybrid = wire.clone();
    hybrid[0] = 0x06 | (wire[64] & 1);
    for bytes in [
        compressed,
        off_curve,
        hybrid,
        wire[..64].to_vec(),
        vec![0x00],
        Vec::new(),
    ] {
        assert_error(
            S::verifying_key_from_bytes(&bytes),
            CryptoError::InvalidPublicKey(""),
        );
    }
    // Signing keys: 0, n, wrong length.
    let n = h("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551");
    for bytes in [vec![0u8; 32], n, vec![1u8; 31], vec![1u8; 33]] {
        assert!(S::signing_key_from_bytes(&bytes).is_err());
    }
}

// ---------------------------------------------------------------------------------------------
// HPKE
// ---------------------------------------------------------------------------------------------

/// An RFC 9180 base-mode vector: the first encryption (sequence number 0).
pub struct HpkeVector {
    pub ikm_e: &'static str,
    pub sk_r: &'static str,
    pub pk_r: &'static str,
    pub enc: &'static str,
    pub info: &'static str,
    pub aad: &'static str,
    pub pt: &'static str,
    pub ct: &'static str,
}

const INFO: &str = "4f6465206f6e2061204772656369616e2055726e";
const PT: &str = "4265617574792069732074727574682c20747275746820626561757479";
const AAD0: &str = "436f756e742d30";

/// RFC 9180 A.1.1: DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-128-GCM, base mode.
pub const RFC9180_A1: HpkeVector = HpkeVector {
    ikm_e: "7268600d403fce431561aef583ee1613527cff655c1343f29812e66706df3234",
    sk_r: "4612c550263fc8ad58375df3f557aac531d26850903e55a9f23f21d8534e8ac8",
    pk_r: "3948cfe0ad1ddb695d780e59077195da6c56506b027329794ab02bca80815c4d",
    enc: "37fda3567bdbd628e88668c3c8d7e97d1d1253b6d4ea6d44c150f741f1bf4431",
    info: INFO,
    aad: AAD0,
    pt: PT,
    ct: "f938558b5d72f1a23810b4be2ab4f84331acc02fc97babc53a52ae8218a355a96d8770ac83d07bea87e13c512a",
};

/// RFC 9180 A.2.1: DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, ChaCha20Poly1305, base mode.
pub const RFC9180_A2: HpkeVector = HpkeVector {
    ikm_e: "909a9b35d3dc4713a5e72a4da274b55d3d3821a37e5d099e74a647db583a904b",
    sk_r: "8057991eef8f1f1af18f4a9491d16a1ce333f695d4db8e38da75975c4478e0fb",
    pk_r: "4310ee97d88cc1f088a5576c77ab0cf5c3ac797f3d95139c6c84b5429c59662a",
    enc: "1afa08d3dec047a643885163f1180476fa7ddb54c6a8029ea33f95796bf2ac4a",
    info: INFO,
    aad: AAD0,
    pt: PT,
    ct: "1c5250d8034ec2b784ba2cfd69dbdb8af406cfe3ff938e131f0def8c8b60b4db21993c62ce81883d2dd1b51a28",
};

/// RFC 9180 A.3.1: DHKEM(P-256, HKDF-SHA256), HKDF-SHA256, AES-128-GCM, base mode.
pub const RFC9180_A3: HpkeVector = HpkeVector {
    ikm_e: "4270e54ffd08d79d5928020af4686d8f6b7d35dbe470265f1f5aa22816ce860e",
    sk_r: "f3ce7fdae57e1a310d87f1ebbde6f328be0a99cdbcadf4d6589cf29de4b8ffd2",
    pk_r: "04fe8c19ce0905191ebc298a9245792531f26f0cece2460639e8bc39cb7f706a826a779b4cf969b8a0e539c7f62fb3d30ad6aa8f80e30f1d128aafd68a2ce72ea0",
    enc: "04a92719c6195d5085104f469a8b9814d5838ff72b60501e2c4466e5e67b325ac98536d7b61a1af4b78e5b7f951c0900be863c403ce65c9bfcb9382657222d18c4",
    info: INFO,
    aad: AAD0,
    pt: PT,
    ct: "5ad590bb8baa577f8619db35a36311226a896e7342a6d836d8b7bcd2f20b6c7f9076ac232e3ab2523f39513434",
};

/// RFC 9180 DeriveKeyPair known answers for X25519: (ikmE, skEm, pkEm) and (ikmR, skRm, pkRm)
/// of A.1 and A.2.
pub const X25519_DERIVE_KEY_PAIR: [(&str, &str, &str); 4] = [
    (
        "7268600d403fce431561aef583ee1613527cff655c1343f29812e66706df3234",
        "52c4a758a802cd8b936eceea314432798d5baf2d7e9235dc084ab1b9cfa2f736",
        "37fda3567bdbd628e88668c3c8d7e97d1d1253b6d4ea6d44c150f741f1bf4431",
    ),
    (
        "6db9df30aa07dd42ee5e8181afdb977e538f5e1fec8a06223f33f7013e525037",
        "4612c550263fc8ad58375df3f557aac531d26850903e55a9f23f21d8534e8ac8",
        "3948cfe0ad1ddb695d780e59077195da6c56506b027329794ab02bca80815c4d",
    ),
    (
        "909a9b35d3dc4713a5e72a4da274b55d3d3821a37e5d099e74a647db583a904b",
        "f4ec9b33b792c372c1d2c2063507b684ef925b8c75a42dbcbf57d63ccd381600",
        "1afa08d3dec047a643885163f1180476fa7ddb54c6a8029ea33f95796bf2ac4a",
    ),
    (
        "1ac01f181fdf9f352797655161c58b75c656a6cc2716dcb66372da835542e1df",
        "8057991eef8f1f1af18f4a9491d16a1ce333f695d4db8e38da75975c4478e0fb",
        "4310ee97d88cc1f088a5576c77ab0cf5c3ac797f3d95139c6c84b5429c59662a",
    ),
];

/// RFC 9180 DeriveKeyPair known answers for P-256 (rejection sampling with bitmask 0xFF): the
/// ephemeral and recipient key pairs of A.3 and A.4.
pub const P256_DERIVE_KEY_PAIR: [(&str, &str, &str); 4] = [
    (
        "4270e54ffd08d79d5928020af4686d8f6b7d35dbe470265f1f5aa22816ce860e",
        "4995788ef4b9d6132b249ce59a77281493eb39af373d236a1fe415cb0c2d7beb",
        "04a92719c6195d5085104f469a8b9814d5838ff72b60501e2c4466e5e67b325ac98536d7b61a1af4b78e5b7f951c0900be863c403ce65c9bfcb9382657222d18c4",
    ),
    (
        "668b37171f1072f3cf12ea8a236a45df23fc13b82af3609ad1e354f6ef817550",
        "f3ce7fdae57e1a310d87f1ebbde6f328be0a99cdbcadf4d6589cf29de4b8ffd2",
        "04fe8c19ce0905191ebc298a9245792531f26f0cece2460639e8bc39cb7f706a826a779b4cf969b8a0e539c7f62fb3d30ad6aa8f80e30f1d128aafd68a2ce72ea0",
    ),
    (
        "f1f1a3bc95416871539ecb51c3a8f0cf608afb40fbbe305c0a72819d35c33f1f",
        "7550253e1147aae48839c1f8af80d2770fb7a4c763afe7d0afa7e0f42a5b3689",
        "04c07836a0206e04e31d8ae99bfd549380b072a1b1b82e563c935c095827824fc1559eac6fb9e3c70cd3193968994e7fe9781aa103f5b50e934b5b2f387e381291",
    ),
    (
        "61092f3f56994dd424405899154a9918353e3e008171517ad576b900ddb275e7",
        "a4d1c55836aa30f9b3fbb6ac98d338c877c2867dd3a77396d13f68d3ab150d3b",
        "04a697bffde9405c992883c5c439d6cc358170b51af72812333b015621dc0f40bad9bb726f68a5c013806a790ec716ab8669f84f6b694596c2987cf35baba2a006",
    ),
];

/// `seal_base` with the vector's `ikmE` as the RNG's bytes gives exactly the vector's `enc` and
/// ciphertext, drawing exactly `Nsk` bytes; `open_base` with `skRm` recovers the plaintext.
pub fn hpke_vector<H: Hpke>(vector: &HpkeVector) {
    let mut rng = ReplayRng::new(&h(vector.ikm_e));
    let sealed = H::seal_base(
        &h(vector.pk_r),
        &h(vector.info),
        &h(vector.aad),
        &h(vector.pt),
        &mut rng,
    )
    .unwrap();
    assert_eq!(
        rng.drawn(),
        h(vector.ikm_e).len(),
        "seal_base draws Nsk bytes"
    );
    assert_eq!(sealed.kem_output, h(vector.enc));
    assert_eq!(sealed.ciphertext, h(vector.ct));
    let opened = H::open_base(
        &h(vector.sk_r),
        &h(vector.enc),
        &h(vector.info),
        &h(vector.aad),
        &h(vector.ct),
    )
    .unwrap();
    assert_eq!(opened, h(vector.pt));
}

/// `H` and artmls's generic `DhKemHpke<D, K, A>` give the same output for the same RNG bytes,
/// and each opens the other's ciphertexts.
pub fn hpke_matches_generic<H: Hpke, D: DhGroup, K: Kdf, A: Aead>() {
    for seed in 0..8u64 {
        let (private, public) = D::generate_key_pair(&mut seeded(100 + seed));
        let private = D::private_key_to_bytes(&private);
        let plaintext = vec![seed as u8; seed as usize * 7];
        let ours = H::seal_base(
            public.as_ref(),
            b"info",
            b"aad",
            &plaintext,
            &mut seeded(seed),
        )
        .unwrap();
        let generic = DhKemHpke::<D, K, A>::seal_base(
            public.as_ref(),
            b"info",
            b"aad",
            &plaintext,
            &mut seeded(seed),
        )
        .unwrap();
        assert_eq!(ours, generic, "seed {seed}");
        let opened = DhKemHpke::<D, K, A>::open_base(
            private.as_bytes(),
            &ours.kem_output,
            b"info",
            b"aad",
            &ours.ciphertext,
        )
        .unwrap();
        assert_eq!(opened, plaintext);
        let opened = H::open_base(
            private.as_bytes(),
            &generic.kem_output,
            b"info",
            b"aad",
            &generic.ciphertext,
        )
        .unwrap();
        assert_eq!(opened, plaintext);
    }
}

/// HPKE bad inputs give typed errors: a malformed recipient key or `enc`, a short or tampered
/// ciphertext, wrong info or aad, a wrong-length private key.
pub fn hpke_bad_inputs<H: Hpke, D: DhGroup>() {
    let (private, public) = D::generate_key_pair(&mut seeded(5));
    let private = D::private_key_to_bytes(&private);
    let sealed = H::seal_base(public.as_ref(), b"info", b"aad", b"secret", &mut seeded(6)).unwrap();

    assert_error(
        H::seal_base(&public.as_ref()[1..], b"info", b"aad", b"x", &mut seeded(6)),
        CryptoError::InvalidPublicKey(""),
    );
    assert_error(
        H::open_base(
            private.as_bytes(),
            &sealed.kem_output[1..],
            b"info",
            b"aad",
            &sealed.ciphertext,
        ),
        CryptoError::InvalidPublicKey(""),
    );
    assert_error(
        H::open_base(
            &private.as_bytes()[1..],
            &sealed.kem_output,
            b"info",
            b"aad",
            &sealed.ciphertext,
        ),
        CryptoError::InvalidPrivateKey(""),
    );
    for len in [0, 15] {
        assert_eq!(
            H::open_base(
                private.as_bytes(),
                &sealed.kem_output,
                b"info",
                b"aad",
                &sealed.ciphertext[..len],
            )
            .unwrap_err(),
            CryptoError::CiphertextTooShort
        );
    }
    let mut tampered = sealed.ciphertext.clone();
    *tampered.last_mut().unwrap() ^= 1;
    assert_eq!(
        H::open_base(
            private.as_bytes(),
            &sealed.kem_output,
            b"info",
            b"aad",
            &tampered
        )
        .unwrap_err(),
        CryptoError::AeadOpenFailed
    );
    assert_eq!(
        H::open_base(
            private.as_bytes(),
            &sealed.kem_output,
            b"other",
            b"aad",
            &sealed.ciphertext
        )
        .unwrap_err(),
        CryptoError::AeadOpenFailed
    );
    assert_eq!(
        H::open_base(
            private.as_bytes(),
            &sealed.kem_output,
            b"info",
            b"other",
            &sealed.ciphertext
        )
        .unwrap_err(),
        CryptoError::AeadOpenFailed
    );
}

/// X25519 HPKE: a low-order recipient key or `enc` is refused (as an invalid key, or as the
/// all-zero DH output, depending on where the implementation looks first).
pub fn hpke_x25519_low_order<H: Hpke>() {
    let zero = [0u8; 32];
    let refused = |error: CryptoError| {
        matches!(
            error,
            CryptoError::ZeroSharedSecret | CryptoError::InvalidPublicKey(_)
        )
    };
    let sealed = H::seal_base(&zero, b"", b"", b"x", &mut seeded(1)).unwrap_err();
    assert!(refused(sealed.clone()), "{sealed:?}");
    let opened = H::open_base(&[0x42; 32], &zero, b"", b"", &[0u8; 17]).unwrap_err();
    assert!(refused(opened.clone()), "{opened:?}");
}

/// P-256 HPKE: a compressed or off-curve recipient key or `enc` is `InvalidPublicKey`.
pub fn hpke_p256_bad_points<H: Hpke>() {
    let pk = h(RFC9180_A3.pk_r);
    let mut compressed = vec![0x02 | (pk[64] & 1)];
    compressed.extend_from_slice(&pk[1..33]);
    let mut off_curve = pk.clone();
    off_curve[64] ^= 1;
    for bad in [&compressed, &off_curve] {
        assert_error(
            H::seal_base(bad, b"", b"", b"x", &mut seeded(1)),
            CryptoError::InvalidPublicKey(""),
        );
        assert_error(
            H::open_base(&h(RFC9180_A3.sk_r), bad, b"", b"", &[0u8; 17]),
            CryptoError::InvalidPublicKey(""),
        );
    }
}
