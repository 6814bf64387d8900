//! HPKE base mode from the `hpke` crate (rust-hpke), as an [`artmls_crypto::Hpke`] component.

use core::marker::PhantomData;

use artmls_crypto::{CryptoError, Hpke, HpkeCiphertext};
use hpke::aead::AeadTag;
use hpke::{Deserializable, HpkeError, Kem, OpModeR, OpModeS, Serializable};
use rand_core::CryptoRng;

/// HPKE base mode from rust-hpke over its KEM `K` and AEAD `A`, with HKDF-SHA256 as the KDF.
///
/// `K` and `A` are rust-hpke's types (`hpke::kem::X25519HkdfSha256`,
/// `hpke::kem::DhP256HkdfSha256`; `hpke::aead::AesGcm128`, `hpke::aead::ChaCha20Poly1305`), so
/// other backends reuse this with another KEM. The [`Hpke`] contract holds: rust-hpke's
/// `encap_with_rng` takes the ephemeral key pair from `gen_keypair_with_rng`, which is
/// `DeriveKeyPair(ikm)` of the first `Nsk` bytes drawn from the RNG, so the output equals
/// [`artmls_crypto::hpke::DhKemHpke`]'s for the same RNG bytes (this crate's tests check it).
///
/// Errors are mapped to the same [`CryptoError`]s as `DhKemHpke` gives: a malformed key is
/// `InvalidPublicKey` / `InvalidPrivateKey`, a DH failure (the all-zero X25519 output, the only
/// way DHKEM fails) is `ZeroSharedSecret`, a ciphertext shorter than the tag is
/// `CiphertextTooShort`, and a bad tag is `AeadOpenFailed`.
pub struct RustHpke<K, A>(PhantomData<fn() -> (K, A)>);

impl<K, A> core::fmt::Debug for RustHpke<K, A> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("RustHpke")
    }
}

fn map_error(error: HpkeError) -> CryptoError {
    match error {
        HpkeError::EncapError | HpkeError::DecapError => CryptoError::ZeroSharedSecret,
        HpkeError::OpenError => CryptoError::AeadOpenFailed,
        HpkeError::SealError => CryptoError::AeadSealFailed,
        HpkeError::MessageLimitReached => CryptoError::MessageLimitReached,
        HpkeError::KdfOutputTooLong => CryptoError::Hpke("KDF output too long"),
        HpkeError::ValidationError => CryptoError::Hpke("invalid input"),
        HpkeError::IncorrectInputLength(_, _) => CryptoError::Hpke("input of the wrong length"),
        HpkeError::InvalidPskBundle => CryptoError::Hpke("invalid PSK bundle"),
    }
}

/// RFC 9180 KEM id of DHKEM(X25519, HKDF-SHA256).
const X25519_KEM_ID: u16 = 0x0020;

/// rust-hpke takes any 32 bytes as an X25519 key. A received X25519 key (a recipient's init
/// key, a `kem_output`) goes through the policy of every artmls X25519 first (canonical, not
/// of small order: [`artmls_crypto::validate::x25519::check_public_key`]), so that this HPKE
/// refuses exactly the keys artmls's own HPKE over any X25519 refuses. Keys of other lengths
/// are left to rust-hpke, which refuses them.
fn check_received_key<K: Kem>(bytes: &[u8]) -> Result<(), CryptoError> {
    if K::KEM_ID == X25519_KEM_ID
        && let Ok(array) = <&[u8; 32]>::try_from(bytes)
    {
        artmls_crypto::validate::x25519::check_public_key(array)?;
    }
    Ok(())
}

impl<K, A> Hpke for RustHpke<K, A>
where
    K: Kem + 'static,
    A: hpke::aead::Aead + 'static,
{
    const NAME: &'static str = "rust-hpke";
    const KEM_ID: u16 = K::KEM_ID;
    // rust-hpke's single-shot calls below name HKDF-SHA256.
    const KDF_ID: u16 = 0x0001;
    const AEAD_ID: u16 = A::AEAD_ID;

    fn seal_base<R: CryptoRng + ?Sized>(
        recipient: &[u8],
        info: &[u8],
        aad: &[u8],
        plaintext: &[u8],
        rng: &mut R,
    ) -> Result<HpkeCiphertext, CryptoError> {
        check_received_key::<K>(recipient)?;
        let recipient = K::PublicKey::from_bytes(recipient)
            .map_err(|_| CryptoError::InvalidPublicKey("HPKE recipient key rejected"))?;
        // `&mut R` is a sized `CryptoRng` (rand_core's blanket impl for `DerefMut`).
        let mut rng = rng;
        let (encapped_key, ciphertext) =
            hpke::single_shot_seal_with_rng::<A, hpke::kdf::HkdfSha256, K>(
                &OpModeS::Base,
                &recipient,
                info,
                plaintext,
                aad,
                &mut rng,
            )
            .map_err(map_error)?;
        Ok(HpkeCiphertext {
            kem_output: encapped_key.to_bytes().to_vec(),
            ciphertext,
        })
    }

    fn open_base(
        private_key: &[u8],
        kem_output: &[u8],
        info: &[u8],
        aad: &[u8],
        ciphertext: &[u8],
    ) -> Result<Vec<u8>, CryptoError> {
        let private_key = K::PrivateKey::from_bytes(private_key)
            .map_err(|_| CryptoError::InvalidPrivateKey("HPKE private key rejected"))?;
        check_received_key::<K>(kem_output)?;
        let encapped_key = K::EncappedKey::from_bytes(kem_output)
            .map_err(|_| CryptoError::InvalidPublicKey("HPKE kem_output rejected"))?;
        if ciphertext.len() < AeadTag::<A>::size() {
            return Err(CryptoError::CiphertextTooShort);
        }
        hpke::single_shot_open::<A, hpke::kdf::HkdfSha256, K>(
            &OpModeR::Base,
            &private_key,
            &encapped_key,
            info,
            ciphertext,
            aad,
        )
        .map_err(map_error)
    }
}
