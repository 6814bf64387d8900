//! Cipher suites: a suite is a type that names one implementation of each primitive.

use core::fmt;
use core::marker::PhantomData;

use crate::crypto::{Aead, DhGroup, Hash, Hpke, Kdf, Signature};

/// A cipher suite id as it appears on the wire (`CipherSuite` in RFC 9420).
///
/// ART groups use private-use ids (RFC 9420 reserves 0xF000-0xFFFF), so an ART group is never
/// mistaken for an RFC 9420 group.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SuiteId(pub u16);

impl SuiteId {
    /// ART_128_X25519_AES128GCM_SHA256_Ed25519 (primitives of RFC 9420 suite 1).
    pub const X25519_AES128GCM_SHA256_ED25519: SuiteId = SuiteId(0xF001);
    /// ART_128_P256_AES128GCM_SHA256_P256 (primitives of RFC 9420 suite 2).
    pub const P256_AES128GCM_SHA256_P256: SuiteId = SuiteId(0xF002);
    /// ART_128_X25519_CHACHA20POLY1305_SHA256_Ed25519 (primitives of RFC 9420 suite 3).
    pub const X25519_CHACHA20POLY1305_SHA256_ED25519: SuiteId = SuiteId(0xF003);

    /// Every suite this library defines, in id order.
    pub const ALL: [SuiteId; 3] = [
        Self::X25519_AES128GCM_SHA256_ED25519,
        Self::P256_AES128GCM_SHA256_P256,
        Self::X25519_CHACHA20POLY1305_SHA256_ED25519,
    ];

    /// The description of this suite, if the library defines it.
    pub fn info(self) -> Option<&'static SuiteInfo> {
        SUITES.iter().find(|info| info.id == self)
    }

    /// The ART suite whose primitives are those of RFC 9420 suite `mls_suite`.
    pub fn from_mls_suite(mls_suite: u16) -> Option<SuiteId> {
        SUITES
            .iter()
            .find(|info| info.mls_suite == mls_suite)
            .map(|info| info.id)
    }

    /// Parses a suite from its name (`ART_128_X25519_AES128GCM_SHA256_Ed25519`, case-insensitive,
    /// with or without the `ART_128_` prefix) or its id (`0xF001`, `61441`).
    pub fn parse(text: &str) -> Option<SuiteId> {
        let text = text.trim();
        let id = if let Some(hex) = text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
            u16::from_str_radix(hex, 16).ok()
        } else {
            text.parse::<u16>().ok()
        };
        if let Some(id) = id {
            return SuiteId(id).info().map(|info| info.id);
        }
        let upper = text.to_ascii_uppercase();
        SUITES
            .iter()
            .find(|info| {
                let name = info.name.to_ascii_uppercase();
                name == upper || name.strip_prefix("ART_128_") == Some(upper.as_str())
            })
            .map(|info| info.id)
    }
}

impl fmt::Debug for SuiteId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SuiteId({:#06x})", self.0)
    }
}

impl fmt::Display for SuiteId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.info() {
            Some(info) => f.write_str(info.name),
            None => write!(f, "{:#06x}", self.0),
        }
    }
}

/// What a suite is made of, by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SuiteInfo {
    /// The ART suite id.
    pub id: SuiteId,
    /// The suite name.
    pub name: &'static str,
    /// The RFC 9420 suite with the same primitives (its test vectors run against this suite).
    pub mls_suite: u16,
    /// The DH group, by [`DhGroup::NAME`].
    pub dh: &'static str,
    /// The AEAD, by [`Aead::NAME`].
    pub aead: &'static str,
    /// The hash, by [`Hash::NAME`].
    pub hash: &'static str,
    /// The signature scheme, by [`Signature::NAME`].
    pub signature: &'static str,
    /// RFC 9180 ids of the suite's HPKE: (KEM, KDF, AEAD).
    pub hpke_ids: (u16, u16, u16),
    /// TLS SignatureScheme of the signature.
    pub signature_scheme: u16,
}

/// The suites of the ART-MLS profile, §2.
pub const SUITES: [SuiteInfo; 3] = [
    SuiteInfo {
        id: SuiteId::X25519_AES128GCM_SHA256_ED25519,
        name: "ART_128_X25519_AES128GCM_SHA256_Ed25519",
        mls_suite: 1,
        dh: "X25519",
        aead: "AES-128-GCM",
        hash: "SHA-256",
        signature: "Ed25519",
        hpke_ids: (0x0020, 0x0001, 0x0001),
        signature_scheme: 0x0807,
    },
    SuiteInfo {
        id: SuiteId::P256_AES128GCM_SHA256_P256,
        name: "ART_128_P256_AES128GCM_SHA256_P256",
        mls_suite: 2,
        dh: "P-256",
        aead: "AES-128-GCM",
        hash: "SHA-256",
        signature: "ECDSA-P256-SHA256",
        hpke_ids: (0x0010, 0x0001, 0x0001),
        signature_scheme: 0x0403,
    },
    SuiteInfo {
        id: SuiteId::X25519_CHACHA20POLY1305_SHA256_ED25519,
        name: "ART_128_X25519_CHACHA20POLY1305_SHA256_Ed25519",
        mls_suite: 3,
        dh: "X25519",
        aead: "ChaCha20Poly1305",
        hash: "SHA-256",
        signature: "Ed25519",
        hpke_ids: (0x0020, 0x0001, 0x0003),
        signature_scheme: 0x0807,
    },
];

/// A cipher suite: one implementation of each primitive, and the id it goes by.
///
/// Everything in this crate is generic over a `CipherSuite`. Backends define suites as
/// [`Composed`] types; nothing stops a suite from taking its DH from one backend and its AEAD
/// from another.
pub trait CipherSuite: 'static + Send + Sync {
    /// The suite id on the wire.
    const ID: SuiteId;
    /// The DH group of the tree and of HPKE.
    type Dh: DhGroup;
    /// The KDF of the key schedule (also the KEM's KDF).
    type Kdf: Kdf;
    /// The hash of transcripts, references and MACs.
    type Hash: Hash;
    /// The AEAD of message protection and HPKE.
    type Aead: Aead;
    /// The signature scheme of credentials and messages.
    type Signature: Signature;
    /// HPKE base mode, for `EncryptWithLabel`.
    type Hpke: Hpke;
}

/// A suite composed of the given components, with id `ID`.
///
/// `Composed<X25519, HkdfSha256, Sha256, Aes128Gcm, Ed25519, MyHpke, 0xF001>` is a complete
/// suite; [`check_composition`] tells whether its components match the primitives its id
/// stands for.
pub struct Composed<D, K, H, A, S, P, const ID: u16>(PhantomData<Components<D, K, H, A, S, P>>);

/// A marker that owns nothing, so a suite is `Send`, `Sync` and `'static` whatever its parts.
type Components<D, K, H, A, S, P> = fn() -> (D, K, H, A, S, P);

impl<D, K, H, A, S, P, const ID: u16> CipherSuite for Composed<D, K, H, A, S, P, ID>
where
    D: DhGroup,
    K: Kdf,
    H: Hash,
    A: Aead,
    S: Signature,
    P: Hpke,
{
    const ID: SuiteId = SuiteId(ID);
    type Dh = D;
    type Kdf = K;
    type Hash = H;
    type Aead = A;
    type Signature = S;
    type Hpke = P;
}

/// Checks that the components of `S` are the primitives its id stands for, by name and id.
pub fn check_composition<S: CipherSuite>() -> Result<(), String> {
    let info = S::ID
        .info()
        .ok_or_else(|| format!("unknown suite id {:#06x}", S::ID.0))?;
    let checks = [
        ("DH group", info.dh, S::Dh::NAME),
        ("AEAD", info.aead, S::Aead::NAME),
        ("hash", info.hash, S::Hash::NAME),
        ("signature", info.signature, S::Signature::NAME),
    ];
    for (what, expected, got) in checks {
        if expected != got {
            return Err(format!(
                "{}: {what} is {got}, expected {expected}",
                info.name
            ));
        }
    }
    let ids = (S::Dh::KEM_ID, S::Kdf::KDF_ID, S::Aead::AEAD_ID);
    if ids != info.hpke_ids {
        return Err(format!(
            "{}: HPKE ids {ids:?}, expected {:?}",
            info.name, info.hpke_ids
        ));
    }
    if S::Signature::SCHEME != info.signature_scheme {
        return Err(format!(
            "{}: signature scheme {:#06x}",
            info.name,
            S::Signature::SCHEME
        ));
    }
    if S::Kdf::HASH_LEN != S::Hash::OUTPUT_LEN {
        return Err(format!("{}: KDF and hash lengths differ", info.name));
    }
    Ok(())
}

/// Code that runs for one suite chosen at run time.
///
/// A backend maps a [`SuiteId`] to one of its suite types and calls `visit` with it, so generic
/// code runs on a suite that a user picked by name (see `artmls-conformance`'s backend
/// registry).
pub trait SuiteVisitor {
    /// What the visit returns.
    type Output;
    /// Runs with `S` as the suite.
    fn visit<S: CipherSuite>(self) -> Self::Output;
}

/// A crypto backend: a named set of suites it serves.
///
/// A backend crate implements this on a unit type. Its `visit` maps a suite id to the
/// backend's type for that suite, which lets code pick a backend and a suite at run time and
/// still run fully monomorphised generic code.
pub trait Backend {
    /// Short name, as users type it (`"dalek"`, `"aws-lc"`).
    const NAME: &'static str;
    /// One line on where the primitives come from.
    const DESCRIPTION: &'static str;
    /// The suites this backend serves.
    const SUITES: &'static [SuiteId];

    /// Runs `visitor` with this backend's type for `suite`, or returns `None` if the backend does
    /// not serve it.
    fn visit<V: SuiteVisitor>(suite: SuiteId, visitor: V) -> Option<V::Output>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_accepts_names_and_ids() {
        let suite1 = SuiteId::X25519_AES128GCM_SHA256_ED25519;
        assert_eq!(SuiteId::parse("0xF001"), Some(suite1));
        assert_eq!(SuiteId::parse("61441"), Some(suite1));
        assert_eq!(
            SuiteId::parse("ART_128_X25519_AES128GCM_SHA256_Ed25519"),
            Some(suite1)
        );
        assert_eq!(
            SuiteId::parse("x25519_aes128gcm_sha256_ed25519"),
            Some(suite1)
        );
        assert_eq!(SuiteId::parse("0xF004"), None);
        assert_eq!(SuiteId::parse("nonsense"), None);
        assert_eq!(
            SuiteId::from_mls_suite(2),
            Some(SuiteId::P256_AES128GCM_SHA256_P256)
        );
        assert_eq!(SuiteId::from_mls_suite(4), None);
    }
}
