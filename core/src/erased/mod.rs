//! The type-erased layer: groups whose suite and backend were chosen at run time.
//!
//! [`Group<S>`](crate::group::Group) is generic over its suite, so every call is monomorphised
//! and costs nothing to dispatch; but the suite must be known when the code is compiled. An
//! application that reads its suite and backend from a configuration file holds a
//! `&dyn Provider` instead, and the provider hands out the values of this module: an
//! [`AnyGroup`] is a `Group<S>` behind a trait object, with the same methods. Each call costs
//! one indirect call on top of the typed one.
//!
//! Values made for one suite stay with it: a pending commit, a staged commit, a key package
//! bundle or an identity given to a group of another suite (or of another provider for the
//! same suite) is refused with [`AnyGroupError::SuiteMismatch`] or
//! [`AnyGroupError::OtherProvider`], and the group is left as it was.
//!
//! Whoever needs the typed group back (to reach [`Group::art`](crate::group::Group::art), say)
//! can have it: [`AnyGroup::downcast_ref`] and [`AnyGroup::downcast_mut`].

mod group;
mod identity;
mod public;

pub use crate::provider::Provider;
pub use group::{AnyGroup, AnyPendingCommit, AnyStagedCommit};
pub use identity::{AnyIdentity, AnyKeyPackageBundle};
pub use public::{AnyOrderingService, AnyPublicGroup};

use thiserror::Error;

use crate::codec::{CodecError, Decode, Reader};
use crate::group::GroupError;
use crate::messages::{KeyPackage, MLS10, MlsMessage, WireFormat};
use crate::ordering::OrderingError;
use crate::suite::SuiteId;

/// Why a run-time selected operation failed.
///
/// The variants of its own are about combining values that do not belong together (a suite
/// the provider lacks, a pending commit from a group of another suite); everything else is the
/// typed layer's error, passed through unchanged, so `GroupError::StaleEpoch` means here what
/// it means there.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum AnyGroupError {
    /// The provider does not serve the suite the caller named or the bytes carry: pick a
    /// provider whose [`suites`](crate::Provider::suites) list it.
    #[error("provider {provider} does not serve the cipher suite {suite}")]
    UnsupportedSuite {
        /// The provider's name.
        provider: &'static str,
        /// The suite asked for.
        suite: SuiteId,
    },
    /// A value of one suite was given where another suite is needed (a pending commit of
    /// another group, a key package for a Welcome of another suite). Nothing changed.
    #[error("{what} is for the cipher suite {got}, expected {expected}")]
    SuiteMismatch {
        /// What was given.
        what: &'static str,
        /// The suite needed.
        expected: SuiteId,
        /// The suite of the value given.
        got: SuiteId,
    },
    /// A value of the right suite, made by another provider: a provider's values work only
    /// with that provider's groups. Nothing changed.
    #[error("{what} was made by another provider than the one used here")]
    OtherProvider {
        /// What was given.
        what: &'static str,
    },
    /// The bytes are not what the call takes (not a Welcome, not a saved group state, ...).
    #[error("not {expected}")]
    Malformed {
        /// What the bytes should have been.
        expected: &'static str,
    },
    /// The group layer refused the operation.
    #[error(transparent)]
    Group(#[from] GroupError),
    /// The ordering service refused the message.
    #[error(transparent)]
    Ordering(#[from] OrderingError),
}

impl From<CodecError> for AnyGroupError {
    fn from(error: CodecError) -> Self {
        AnyGroupError::Group(GroupError::Codec(error))
    }
}

// The header every persisted group state starts with (see `Group::to_bytes`): a magic string
// and a format version byte, then the suite id. Only the suite is read here; the typed restore
// checks the rest.
use crate::group::STATE_MAGIC;

/// The suite a saved group state is for, read from its clear header (nothing secret is read).
pub(crate) fn state_suite(state: &[u8]) -> Result<SuiteId, AnyGroupError> {
    let expected = "a saved artmls group state";
    let mut reader = Reader::new(state);
    if reader
        .read_bytes(STATE_MAGIC.len())
        .map_err(malformed(expected))?
        != STATE_MAGIC
    {
        return Err(AnyGroupError::Malformed { expected });
    }
    u8::decode(&mut reader).map_err(malformed(expected))?;
    SuiteId::decode(&mut reader).map_err(malformed(expected))
}

/// Turns a decoding error of a header into [`AnyGroupError::Malformed`]: the header is too
/// short to be what it should be.
fn malformed(expected: &'static str) -> impl Fn(CodecError) -> AnyGroupError {
    move |_| AnyGroupError::Malformed { expected }
}

/// Reads an MLSMessage's protocol version and wire format, refusing any other format than
/// `wire_format`.
fn read_message_header(
    reader: &mut Reader<'_>,
    wire_format: WireFormat,
    expected: &'static str,
) -> Result<(), AnyGroupError> {
    if u16::decode(reader).map_err(malformed(expected))? != MLS10
        || WireFormat::decode(reader).map_err(malformed(expected))? != wire_format
    {
        return Err(AnyGroupError::Malformed { expected });
    }
    Ok(())
}

/// The suite of a Welcome (an MLSMessage), from its `cipher_suite` field: only the header is
/// read here; the join decodes and checks the whole.
pub(crate) fn welcome_suite(welcome: &[u8]) -> Result<SuiteId, AnyGroupError> {
    let expected = "a Welcome (an MLSMessage)";
    let mut reader = Reader::new(welcome);
    read_message_header(&mut reader, WireFormat::Welcome, expected)?;
    SuiteId::decode(&mut reader).map_err(malformed(expected))
}

/// The suite of a GroupInfo (an MLSMessage), from its group context: only the header is read
/// (to pick the provider that checks the whole, say).
pub fn group_info_suite(group_info: &[u8]) -> Result<SuiteId, AnyGroupError> {
    let expected = "a GroupInfo (an MLSMessage)";
    let mut reader = Reader::new(group_info);
    read_message_header(&mut reader, WireFormat::GroupInfo, expected)?;
    // The GroupContext's version, then its cipher_suite.
    u16::decode(&mut reader).map_err(malformed(expected))?;
    SuiteId::decode(&mut reader).map_err(malformed(expected))
}

/// A KeyPackage from its MLSMessage, as [`AnyKeyPackageBundle::key_package_message`] (or
/// [`KeyPackageBundle::key_package_message`](crate::group::KeyPackageBundle::key_package_message))
/// publishes it. Its signature is checked when a commit adds it.
pub fn key_package_from_message(message: &[u8]) -> Result<KeyPackage, AnyGroupError> {
    match MlsMessage::<crate::group::ArtCommit>::decode_exact(message)? {
        MlsMessage::KeyPackage(key_package) => Ok(key_package),
        _ => Err(AnyGroupError::Malformed {
            expected: "a KeyPackage (an MLSMessage)",
        }),
    }
}

/// A KeyPackage whose signatures checked out ([`Provider::check_key_package`]).
#[derive(Debug, Clone)]
pub struct CheckedKeyPackage {
    /// Its cipher suite.
    pub suite: SuiteId,
    /// Its `KeyPackageRef`: a Welcome names its newcomers by these.
    pub reference: Vec<u8>,
    /// The KeyPackage.
    pub key_package: KeyPackage,
}

impl CheckedKeyPackage {
    /// The credential's identity, if it is a basic credential.
    pub fn identity(&self) -> Option<&[u8]> {
        match &self.key_package.leaf_node.credential {
            crate::messages::Credential::Basic { identity } => Some(identity),
            _ => None,
        }
    }

    /// The public key that signed it (and signs its owner's LeafNodes).
    pub fn signature_key(&self) -> &[u8] {
        &self.key_package.leaf_node.signature_key
    }
}

/// The references of the KeyPackages a Welcome (an MLSMessage) is for, one per newcomer
/// (compare [`CheckedKeyPackage::reference`]); with its suite. Everything else in a Welcome is
/// encrypted.
pub fn welcome_recipients(welcome: &[u8]) -> Result<(SuiteId, Vec<Vec<u8>>), AnyGroupError> {
    match MlsMessage::<crate::group::ArtCommit>::decode_exact(welcome)? {
        MlsMessage::Welcome(welcome) => Ok((
            welcome.cipher_suite,
            welcome
                .secrets
                .into_iter()
                .map(|secrets| secrets.new_member)
                .collect(),
        )),
        _ => Err(AnyGroupError::Malformed {
            expected: "a Welcome (an MLSMessage)",
        }),
    }
}
