//! A member's identity and key package, for a suite chosen at run time.

use crate::storage::Storage;
use core::any::Any;
use core::fmt;

use rand_core::CryptoRng;

use super::{AnyGroup, AnyGroupError};
use crate::group::{GroupConfig, GroupError, Identity, KeyPackageBundle};
use crate::messages::{Credential, KeyPackage};
use crate::secret::Secret;
use crate::suite::{CipherSuite, SuiteId};

/// What an [`AnyIdentity`] does with the suite type it hides.
trait DynIdentity: Any + Send + Sync + fmt::Debug {
    fn suite(&self) -> SuiteId;
    fn name(&self) -> &[u8];
    fn credential(&self) -> &Credential;
    fn signature_public_key(&self) -> &[u8];
    fn signing_key_bytes(&self) -> Secret;
    fn key_package(&self, rng: &mut dyn CryptoRng) -> Result<AnyKeyPackageBundle, GroupError>;
    fn create(
        self: Box<Self>,
        group_id: Vec<u8>,
        config: GroupConfig,
        rng: &mut dyn CryptoRng,
    ) -> Result<AnyGroup, GroupError>;
    fn initiate(
        self: Box<Self>,
        group_id: Vec<u8>,
        key_packages: &[KeyPackage],
        config: GroupConfig,
        rng: &mut dyn CryptoRng,
    ) -> Result<(AnyGroup, Vec<u8>), GroupError>;
}

impl<S: CipherSuite> DynIdentity for Identity<S> {
    fn suite(&self) -> SuiteId {
        S::ID
    }

    fn name(&self) -> &[u8] {
        Identity::name(self)
    }

    fn credential(&self) -> &Credential {
        Identity::credential(self)
    }

    fn signature_public_key(&self) -> &[u8] {
        Identity::signature_public_key(self)
    }

    fn signing_key_bytes(&self) -> Secret {
        Identity::signing_key_bytes(self)
    }

    fn key_package(&self, rng: &mut dyn CryptoRng) -> Result<AnyKeyPackageBundle, GroupError> {
        self.key_package_with_rng(rng)
            .map(AnyKeyPackageBundle::from)
    }

    fn create(
        self: Box<Self>,
        group_id: Vec<u8>,
        config: GroupConfig,
        rng: &mut dyn CryptoRng,
    ) -> Result<AnyGroup, GroupError> {
        crate::group::Group::create_with_rng(*self, group_id, config, rng).map(AnyGroup::from)
    }

    fn initiate(
        self: Box<Self>,
        group_id: Vec<u8>,
        key_packages: &[KeyPackage],
        config: GroupConfig,
        rng: &mut dyn CryptoRng,
    ) -> Result<(AnyGroup, Vec<u8>), GroupError> {
        crate::group::Group::initiate_with_rng(*self, group_id, key_packages, config, rng)
            .map(|(group, welcome)| (AnyGroup::from(group), welcome))
    }
}

/// Who a member is (signature key pair and basic credential), for a suite chosen at run time:
/// an [`Identity<S>`] whose `S` is hidden. Made by [`Provider::identity`](crate::Provider::identity).
///
/// Its `Debug` shows the credential only, never the signing key.
#[derive(Debug)]
pub struct AnyIdentity {
    inner: Box<dyn DynIdentity>,
}

impl<S: CipherSuite> From<Identity<S>> for AnyIdentity {
    fn from(identity: Identity<S>) -> Self {
        AnyIdentity {
            inner: Box::new(identity),
        }
    }
}

impl AnyIdentity {
    /// The cipher suite of the signature key.
    pub fn suite(&self) -> SuiteId {
        self.inner.suite()
    }

    /// The name in the credential (empty for other credential types).
    pub fn name(&self) -> &[u8] {
        self.inner.name()
    }

    /// The credential.
    pub fn credential(&self) -> &Credential {
        self.inner.credential()
    }

    /// The public half of the signature key, in wire form.
    pub fn signature_public_key(&self) -> &[u8] {
        self.inner.signature_public_key()
    }

    /// The serialized signing key (to persist the identity).
    pub fn signing_key_bytes(&self) -> Secret {
        self.inner.signing_key_bytes()
    }

    /// A fresh KeyPackage with its private keys (see [`Identity::key_package_with_rng`]).
    pub fn key_package_with_rng(
        &self,
        rng: &mut dyn CryptoRng,
    ) -> Result<AnyKeyPackageBundle, GroupError> {
        self.inner.key_package(rng)
    }

    /// The typed identity, if its suite type is `S` (the suite and the provider it was made
    /// by). Consumed either way, as [`Group::join`](crate::group::Group::join) consumes it.
    pub fn into_typed<S: CipherSuite>(self) -> Result<Identity<S>, AnyGroupError> {
        let got = self.suite();
        let any: Box<dyn Any> = self.inner;
        any.downcast::<Identity<S>>()
            .map(|identity| *identity)
            .map_err(|_| mismatch("the identity", S::ID, got))
    }

    pub(crate) fn create(
        self,
        group_id: Vec<u8>,
        config: GroupConfig,
        rng: &mut dyn CryptoRng,
    ) -> Result<AnyGroup, GroupError> {
        self.inner.create(group_id, config, rng)
    }

    pub(crate) fn initiate(
        self,
        group_id: Vec<u8>,
        key_packages: &[KeyPackage],
        config: GroupConfig,
        rng: &mut dyn CryptoRng,
    ) -> Result<(AnyGroup, Vec<u8>), GroupError> {
        self.inner.initiate(group_id, key_packages, config, rng)
    }
}

/// The error for an erased value (`what`) whose suite type is not the one expected: another
/// suite, or the same suite from another provider.
pub(crate) fn mismatch(what: &'static str, expected: SuiteId, got: SuiteId) -> AnyGroupError {
    if expected == got {
        AnyGroupError::OtherProvider { what }
    } else {
        AnyGroupError::SuiteMismatch {
            what,
            expected,
            got,
        }
    }
}

/// What an [`AnyKeyPackageBundle`] needs of the bundle it hides.
trait DynKeyPackageBundle: Any + Send + Sync + fmt::Debug {
    fn suite(&self) -> SuiteId;
    fn save(&self, storage: &mut Storage, identity: &AnyIdentity) -> Result<(), AnyGroupError>;
    fn key_package(&self) -> &KeyPackage;
    fn key_package_message(&self) -> Result<Vec<u8>, GroupError>;
}

impl<S: CipherSuite> DynKeyPackageBundle for KeyPackageBundle<S> {
    fn suite(&self) -> SuiteId {
        S::ID
    }

    fn save(&self, storage: &mut Storage, identity: &AnyIdentity) -> Result<(), AnyGroupError> {
        let any: &dyn Any = identity.inner.as_ref();
        let identity = any
            .downcast_ref::<Identity<S>>()
            .ok_or_else(|| mismatch("the identity", S::ID, identity.suite()))?;
        Ok(storage.save_key_package(self, identity)?)
    }

    fn key_package(&self) -> &KeyPackage {
        KeyPackageBundle::key_package(self)
    }

    fn key_package_message(&self) -> Result<Vec<u8>, GroupError> {
        KeyPackageBundle::key_package_message(self)
    }
}

/// A KeyPackage and the private init key that opens a Welcome made for it, for a suite chosen
/// at run time: a [`KeyPackageBundle<S>`] whose `S` is hidden. Publish
/// [`AnyKeyPackageBundle::key_package_message`]; keep the bundle to join with
/// ([`Provider::join`](crate::Provider::join)).
///
/// Its `Debug` shows the public KeyPackage only.
#[derive(Debug)]
pub struct AnyKeyPackageBundle {
    inner: Box<dyn DynKeyPackageBundle>,
}

impl<S: CipherSuite> From<KeyPackageBundle<S>> for AnyKeyPackageBundle {
    fn from(bundle: KeyPackageBundle<S>) -> Self {
        AnyKeyPackageBundle {
            inner: Box::new(bundle),
        }
    }
}

impl AnyKeyPackageBundle {
    /// Keeps the KeyPackage's private keys, and the identity that made it, in `storage`
    /// until a Welcome for it arrives (see [`Storage::save_key_package`]).
    pub fn save_to(
        &self,
        storage: &mut Storage,
        identity: &AnyIdentity,
    ) -> Result<(), AnyGroupError> {
        self.inner.save(storage, identity)
    }

    /// The cipher suite of the KeyPackage.
    pub fn suite(&self) -> SuiteId {
        self.inner.suite()
    }

    /// The KeyPackage, to give to [`AnyGroup::commit_add_with_rng`].
    pub fn key_package(&self) -> &KeyPackage {
        self.inner.key_package()
    }

    /// The KeyPackage as an MLSMessage, ready to publish (read it back with
    /// [`key_package_from_message`](super::key_package_from_message)).
    pub fn key_package_message(&self) -> Result<Vec<u8>, GroupError> {
        self.inner.key_package_message()
    }

    /// The typed bundle, if its suite type is `S`.
    pub fn downcast_ref<S: CipherSuite>(&self) -> Option<&KeyPackageBundle<S>> {
        (&*self.inner as &dyn Any).downcast_ref()
    }

    /// The typed bundle for a Welcome of suite `S`, or the error that says why not.
    pub(crate) fn expect_suite<S: CipherSuite>(
        &self,
    ) -> Result<&KeyPackageBundle<S>, AnyGroupError> {
        self.downcast_ref::<S>()
            .ok_or_else(|| mismatch("the key package bundle", S::ID, self.suite()))
    }
}
