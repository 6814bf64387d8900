//! Cipher suites: a suite is a type that names one implementation of each primitive.

use core::fmt;
use core::marker::PhantomData;

use crate::traits::{Aead, DhGroup, HashFunction, Hpke, Kdf, SignatureScheme};

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
    /// with or without the `ART_128_` prefix) or its id (`0xF001`, `61441`). The same as
    /// `text.parse::<SuiteId>().ok()`.
    pub fn parse(text: &str) -> Option<SuiteId> {
        text.parse().ok()
    }
}

/// A suite name or id that names no suite of this library.
///
/// What to do: use one of the names or ids the message lists (they are those of
/// [`SuiteId::ALL`]); `artmls suites` prints them with the backends that serve each.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown cipher suite {given:?}; known suites: {}", known_suites())]
#[non_exhaustive]
pub struct UnknownSuite {
    /// The text that was given.
    pub given: String,
}

fn known_suites() -> String {
    SUITES
        .iter()
        .map(|info| format!("{:#06x} ({})", info.id.0, info.name))
        .collect::<Vec<_>>()
        .join(", ")
}

impl core::str::FromStr for SuiteId {
    type Err = UnknownSuite;

    fn from_str(text: &str) -> Result<SuiteId, UnknownSuite> {
        let trimmed = text.trim();
        let unknown = || UnknownSuite {
            given: text.to_owned(),
        };
        let id = if let Some(hex) = trimmed
            .strip_prefix("0x")
            .or_else(|| trimmed.strip_prefix("0X"))
        {
            Some(u16::from_str_radix(hex, 16).map_err(|_| unknown())?)
        } else {
            trimmed.parse::<u16>().ok()
        };
        if let Some(id) = id {
            return SuiteId(id).info().map(|info| info.id).ok_or_else(unknown);
        }
        let upper = trimmed.to_ascii_uppercase();
        SUITES
            .iter()
            .find(|info| {
                let name = info.name.to_ascii_uppercase();
                name == upper || name.strip_prefix("ART_128_") == Some(upper.as_str())
            })
            .map(|info| info.id)
            .ok_or_else(unknown)
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
    /// The hash, by [`HashFunction::NAME`].
    pub hash: &'static str,
    /// The signature scheme, by [`SignatureScheme::NAME`].
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
    type Hash: HashFunction;
    /// The AEAD of message protection and HPKE.
    type Aead: Aead;
    /// The signature scheme of credentials and messages.
    type Signature: SignatureScheme;
    /// HPKE base mode, for `EncryptWithLabel`.
    type Hpke: Hpke;
}

/// A suite composed of the given components, with id `ID`.
///
/// `Composed<X25519, HkdfSha256, Sha256, Aes128Gcm, Ed25519, MyHpke, 0xF001>` is a complete
/// suite. What can be checked at compile time is: a suite whose HPKE is not built on the suite's
/// own DH group, KDF and AEAD (by their RFC 9180 ids), or whose KDF and hash disagree on the
/// output length, does not compile. [`check_composition`] checks the rest at run time: that
/// the components are the primitives the suite id stands for.
pub struct Composed<D, K, H, A, S, P, const ID: u16>(PhantomData<Components<D, K, H, A, S, P>>);

impl<D, K, H, A, S, P, const ID: u16> fmt::Debug for Composed<D, K, H, A, S, P, ID> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Composed({:?})", SuiteId(ID))
    }
}

/// A marker that owns nothing, so a suite is `Send`, `Sync` and `'static` whatever its parts.
type Components<D, K, H, A, S, P> = fn() -> (D, K, H, A, S, P);

impl<D, K, H, A, S, P, const ID: u16> CipherSuite for Composed<D, K, H, A, S, P, ID>
where
    D: DhGroup,
    K: Kdf,
    H: HashFunction,
    A: Aead,
    S: SignatureScheme,
    P: Hpke,
{
    const ID: SuiteId = {
        // Evaluated wherever the suite is used, so a mismatched suite fails to build.
        #[allow(clippy::let_unit_value)]
        let () = Self::COMPONENTS_AGREE;
        SuiteId(ID)
    };
    type Dh = D;
    type Kdf = K;
    type Hash = H;
    type Aead = A;
    type Signature = S;
    type Hpke = P;
}

impl<D, K, H, A, S, P, const ID: u16> Composed<D, K, H, A, S, P, ID>
where
    D: DhGroup,
    K: Kdf,
    H: HashFunction,
    A: Aead,
    S: SignatureScheme,
    P: Hpke,
{
    /// The compile-time part of the composition check (see [`Composed`]).
    const COMPONENTS_AGREE: () = {
        assert!(
            P::KEM_ID == D::KEM_ID,
            "the suite's HPKE uses another DH group than the suite"
        );
        assert!(
            P::KDF_ID == K::KDF_ID,
            "the suite's HPKE uses another KDF than the suite"
        );
        assert!(
            P::AEAD_ID == A::AEAD_ID,
            "the suite's HPKE uses another AEAD than the suite"
        );
        assert!(
            K::HASH_LEN == H::OUTPUT_LEN,
            "the suite's KDF and hash differ in output length"
        );
    };
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

/// Code that runs for one suite chosen at run time: the bridge from a [`SuiteId`] to a type.
///
/// Applications do not write visitors: `artmls::Provider` turns a provider value and a suite id
/// into a group. A [`Backend`] implementation calls `visit` with its type for the suite, and
/// the few places that must instantiate generic code per suite (the provider layer, the test
/// suite) implement this trait.
pub trait SuiteVisitor {
    /// What the visit returns.
    type Output;
    /// Runs with `S` as the suite.
    fn visit<S: CipherSuite>(self) -> Self::Output;
}

/// A provider of crypto: a named set of suites, each a type composed of components.
///
/// A provider is a value of a unit type that implements this trait, exported as a constant
/// (`artmls_dalek::PROVIDER`, `artmls_aws_lc::PROVIDER`); `artmls` turns any such value into
/// groups (`artmls::Provider`), and `test_suite::verify_provider` checks it. `visit` maps a
/// suite id to the provider's type for that suite, so a suite picked at run time still runs
/// fully monomorphised code. A provider may compose components of several crates.
pub trait Backend: Copy + Send + Sync + fmt::Debug + 'static {
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
        assert_eq!("0xf002".parse(), Ok(SuiteId::P256_AES128GCM_SHA256_P256));
    }

    #[test]
    fn unknown_suites_are_a_typed_error_listing_the_known_ones() {
        for text in ["0xF004", "0xZZ", "", "nonsense", "70000"] {
            let error = text.parse::<SuiteId>().unwrap_err();
            assert_eq!(error.given, text);
            let message = error.to_string();
            for info in SUITES {
                assert!(message.contains(info.name), "{message}");
            }
        }
    }
}
