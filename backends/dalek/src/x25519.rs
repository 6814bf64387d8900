//! X25519 (RFC 7748) from `x25519-dalek`.

use core::fmt;

use artmls_crypto::validate::x25519::check_public_key;
use artmls_crypto::{CryptoError, DhGroup, Secret};
use x25519_dalek::{PublicKey, StaticSecret};

use crate::util::write_hex;

/// X25519 as the DH group of DHKEM(X25519, HKDF-SHA256), from `x25519-dalek`.
///
/// Private keys are any 32 bytes (clamping happens inside the scalar multiplication, so
/// [`DhGroup::private_key_to_bytes`] gives back exactly the bytes that went in, as the RFC 9180
/// vectors expect). A received public key is checked with
/// [`artmls_crypto::validate::x25519::check_public_key`] (ART-MLS profile revision 2 §2): it
/// must be canonical (u below p = 2^255 - 19, top bit clear) and not of small order. RFC 7748 itself would take any 32 bytes (masking the top bit, reducing mod p), but a
/// receiver never does DH with the keys below its common ancestor with the sender, so a key
/// that only some implementations would refuse must be refused by all of them when it is
/// parsed, or the members' trees diverge. [`DhGroup::dh`] rejects the all-zero output too.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct X25519;

/// An X25519 private key with its public key, computed once when the key is parsed.
///
/// The secret scalar is zeroized on drop (by `x25519_dalek::StaticSecret`), and `Debug` prints
/// only the public key.
#[derive(Clone)]
pub struct X25519PrivateKey {
    secret: StaticSecret,
    public: X25519PublicKey,
}

impl X25519PrivateKey {
    /// The public key of this private key.
    pub fn public_key(&self) -> &X25519PublicKey {
        &self.public
    }
}

impl fmt::Debug for X25519PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("X25519PrivateKey")
            .field("secret", &"[redacted]")
            .field("public", &self.public)
            .finish()
    }
}

/// An X25519 public key: its 32-byte wire form is the key (`as_ref()`).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct X25519PublicKey(PublicKey);

impl X25519PublicKey {
    /// The 32-byte wire form.
    pub fn as_bytes(&self) -> &[u8; 32] {
        self.0.as_bytes()
    }
}

impl AsRef<[u8]> for X25519PublicKey {
    fn as_ref(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

impl fmt::Debug for X25519PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("X25519PublicKey(")?;
        write_hex(f, self.0.as_bytes())?;
        f.write_str(")")
    }
}

fn to_array(bytes: &[u8]) -> Option<[u8; 32]> {
    <[u8; 32]>::try_from(bytes).ok()
}

impl DhGroup for X25519 {
    const NAME: &'static str = "X25519";
    const KEM_ID: u16 = 0x0020;
    const PRIVATE_KEY_LEN: usize = 32;
    const PUBLIC_KEY_LEN: usize = 32;
    const SHARED_SECRET_LEN: usize = 32;
    const DERIVE_KEY_PAIR_BITMASK: Option<u8> = None;

    type PrivateKey = X25519PrivateKey;
    type PublicKey = X25519PublicKey;

    fn private_key_from_bytes(bytes: &[u8]) -> Result<Self::PrivateKey, CryptoError> {
        let mut array = to_array(bytes).ok_or(CryptoError::InvalidPrivateKey(
            "X25519 private keys are 32 bytes",
        ))?;
        let secret = StaticSecret::from(array);
        zeroize::Zeroize::zeroize(&mut array);
        let public = X25519PublicKey(PublicKey::from(&secret));
        Ok(X25519PrivateKey { secret, public })
    }

    fn private_key_to_bytes(key: &Self::PrivateKey) -> Secret {
        Secret::from_slice(key.secret.as_bytes())
    }

    fn public_key(key: &Self::PrivateKey) -> Self::PublicKey {
        key.public
    }

    fn public_key_from_bytes(bytes: &[u8]) -> Result<Self::PublicKey, CryptoError> {
        let array = to_array(bytes).ok_or(CryptoError::InvalidPublicKey(
            "X25519 public keys are 32 bytes",
        ))?;
        check_public_key(&array)?;
        Ok(X25519PublicKey(PublicKey::from(array)))
    }

    fn dh(private: &Self::PrivateKey, public: &Self::PublicKey) -> Result<Secret, CryptoError> {
        let shared = private.secret.diffie_hellman(&public.0);
        // `was_contributory` is false exactly when the output is all zero (a low-order peer
        // key), and it is computed in constant time.
        if !shared.was_contributory() {
            return Err(CryptoError::ZeroSharedSecret);
        }
        Ok(Secret::from_slice(shared.as_bytes()))
    }
}
