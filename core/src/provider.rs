//! Providers as values: a suite and a backend chosen at run time, with no generic code in
//! sight.
//!
//! A backend crate exports its provider as a constant (`artmls_dalek::PROVIDER`,
//! `artmls_aws_lc::PROVIDER`): a value of a type that implements
//! [`artmls_crypto::Backend`]. Every such value is a [`Provider`], so an application that read
//! a suite and a backend from its configuration holds a `&'static dyn Provider` and never
//! names a suite type: the provider makes identities and groups ([`crate::erased`]), and reads
//! the suite of a Welcome or a saved state from the bytes.
//!
//! Each entry point below crosses from the run-time suite id to the suite type once, through
//! one [`SuiteVisitor`]; everything after that runs in the typed, monomorphised group behind a
//! trait object.

use crate::group::GroupError;
use crate::storage::{RecordKey, RecordKind, SharedStorage, StoreError};
use core::fmt::Debug;

use artmls_crypto::{Backend, SuiteId, SuiteVisitor};
use rand_core::CryptoRng;

use crate::erased::{
    AnyGroup, AnyGroupError, AnyIdentity, AnyKeyPackageBundle, AnyOrderingService, AnyPublicGroup,
    CheckedKeyPackage, group_info_suite, key_package_from_message, state_suite, welcome_suite,
};
use crate::group::{Group, GroupConfig, Identity, PublicGroup};
use crate::messages::KeyPackage;
use crate::ordering::OrderingService;
use crate::suite::CipherSuite;

/// A crypto provider chosen at run time: the suites it serves, and the groups it makes.
///
/// Implemented for every [`Backend`]; use it as `&'static dyn Provider`
/// (`artmls-providers` lists the workspace's providers by name).
pub trait Provider: Send + Sync + Debug {
    /// Short name, as users type it (`"dalek"`, `"aws-lc"`).
    fn name(&self) -> &'static str;
    /// One line on where the primitives come from.
    fn description(&self) -> &'static str;
    /// The suites this provider serves.
    fn suites(&self) -> &'static [SuiteId];
    /// Whether this provider serves `suite`.
    fn serves(&self, suite: SuiteId) -> bool {
        self.suites().contains(&suite)
    }

    /// A new identity named `name` for `suite`, with a signature key from `rng`.
    fn identity(
        &self,
        suite: SuiteId,
        name: &[u8],
        rng: &mut dyn CryptoRng,
    ) -> Result<AnyIdentity, AnyGroupError>;

    /// An identity named `name` for `suite` from a signing key saved with
    /// [`AnyIdentity::signing_key_bytes`].
    fn identity_from_signing_key(
        &self,
        suite: SuiteId,
        name: &[u8],
        signing_key: &[u8],
    ) -> Result<AnyIdentity, AnyGroupError>;

    /// A one-member group of `suite` at epoch 0, its member a new identity named `name`.
    fn create(
        &self,
        suite: SuiteId,
        name: &[u8],
        group_id: &[u8],
        config: GroupConfig,
        rng: &mut dyn CryptoRng,
    ) -> Result<AnyGroup, AnyGroupError> {
        let identity = self.identity(suite, name, rng)?;
        Ok(AnyGroup::create_with_rng(
            identity,
            group_id.to_vec(),
            config,
            rng,
        )?)
    }

    /// Joins from a Welcome made for `key_package`, with the identity that made it (see
    /// [`Group::join`]). The suite is the Welcome's: refused with
    /// [`AnyGroupError::UnsupportedSuite`] if this provider does not serve it, and with
    /// [`AnyGroupError::SuiteMismatch`] if the key package or identity is of another suite.
    fn join(
        &self,
        welcome: &[u8],
        key_package: &AnyKeyPackageBundle,
        identity: AnyIdentity,
        config: GroupConfig,
    ) -> Result<AnyGroup, AnyGroupError>;

    /// Restores a member from [`AnyGroup::to_bytes`] (or [`Group::to_bytes`]). The suite is
    /// the one the state names: refused with [`AnyGroupError::UnsupportedSuite`] if this
    /// provider does not serve it.
    fn restore(&self, state: &[u8]) -> Result<AnyGroup, AnyGroupError>;

    /// Loads the group `group_id` from `storage`, in the suite its state record names (see
    /// [`Group::load`]): refused with [`AnyGroupError::UnsupportedSuite`] if this provider
    /// does not serve it.
    fn load(&self, storage: &SharedStorage, group_id: &[u8]) -> Result<AnyGroup, AnyGroupError>;

    /// Joins from a Welcome made for a KeyPackage kept in `storage`, and keeps the group there
    /// (see [`Group::join_from_storage`]). The suite is the Welcome's.
    fn join_from_storage(
        &self,
        storage: &SharedStorage,
        welcome: &[u8],
        config: GroupConfig,
    ) -> Result<AnyGroup, AnyGroupError>;

    /// A group's public state from a member's GroupInfo (see [`PublicGroup::from_group_info`]),
    /// in the GroupInfo's suite.
    fn public_group(&self, group_info: &[u8]) -> Result<AnyPublicGroup, AnyGroupError>;

    /// An empty in-memory ordering service for groups of `suite`.
    fn ordering_service(&self, suite: SuiteId) -> Result<AnyOrderingService, AnyGroupError>;

    /// Checks a published KeyPackage (an MLSMessage) as a delivery service can before it
    /// hands it out: it decodes, is of a suite this provider serves, and both its signatures
    /// (LeafNode and KeyPackage) verify under the key its LeafNode carries. Returns what the
    /// service files it under, with its reference, which names it in a Welcome.
    fn check_key_package(&self, message: &[u8]) -> Result<CheckedKeyPackage, AnyGroupError>;
}

impl<B: Backend> Provider for B {
    fn name(&self) -> &'static str {
        B::NAME
    }

    fn description(&self) -> &'static str {
        B::DESCRIPTION
    }

    fn suites(&self) -> &'static [SuiteId] {
        B::SUITES
    }

    fn identity(
        &self,
        suite: SuiteId,
        name: &[u8],
        rng: &mut dyn CryptoRng,
    ) -> Result<AnyIdentity, AnyGroupError> {
        struct NewIdentity<'a> {
            name: &'a [u8],
            rng: &'a mut dyn CryptoRng,
        }
        impl SuiteVisitor for NewIdentity<'_> {
            type Output = AnyIdentity;
            fn visit<S: CipherSuite>(self) -> AnyIdentity {
                Identity::<S>::new_with_rng(self.name, self.rng).into()
            }
        }
        visit::<B, _>(suite, NewIdentity { name, rng })
    }

    fn identity_from_signing_key(
        &self,
        suite: SuiteId,
        name: &[u8],
        signing_key: &[u8],
    ) -> Result<AnyIdentity, AnyGroupError> {
        struct FromKey<'a> {
            name: &'a [u8],
            signing_key: &'a [u8],
        }
        impl SuiteVisitor for FromKey<'_> {
            type Output = Result<AnyIdentity, AnyGroupError>;
            fn visit<S: CipherSuite>(self) -> Self::Output {
                use artmls_crypto::SignatureScheme as _;
                let key = S::Signature::signing_key_from_bytes(self.signing_key)
                    .map_err(GroupError::from)?;
                Ok(Identity::<S>::from_signing_key(self.name, key).into())
            }
        }
        visit::<B, _>(suite, FromKey { name, signing_key })?
    }

    fn join(
        &self,
        welcome: &[u8],
        key_package: &AnyKeyPackageBundle,
        identity: AnyIdentity,
        config: GroupConfig,
    ) -> Result<AnyGroup, AnyGroupError> {
        struct Join<'a> {
            welcome: &'a [u8],
            key_package: &'a AnyKeyPackageBundle,
            identity: AnyIdentity,
            config: GroupConfig,
        }
        impl SuiteVisitor for Join<'_> {
            type Output = Result<AnyGroup, AnyGroupError>;
            fn visit<S: CipherSuite>(self) -> Self::Output {
                let key_package = self.key_package.expect_suite::<S>()?;
                let identity = self.identity.into_typed::<S>()?;
                Ok(Group::join(self.welcome, key_package, identity, self.config)?.into())
            }
        }
        let suite = welcome_suite(welcome)?;
        let join = Join {
            welcome,
            key_package,
            identity,
            config,
        };
        visit::<B, _>(suite, join)?
    }

    fn restore(&self, state: &[u8]) -> Result<AnyGroup, AnyGroupError> {
        struct Restore<'a>(&'a [u8]);
        impl SuiteVisitor for Restore<'_> {
            type Output = Result<AnyGroup, AnyGroupError>;
            fn visit<S: CipherSuite>(self) -> Self::Output {
                Ok(Group::<S>::from_bytes(self.0)?.into())
            }
        }
        visit::<B, _>(state_suite(state)?, Restore(state))?
    }

    fn load(&self, storage: &SharedStorage, group_id: &[u8]) -> Result<AnyGroup, AnyGroupError> {
        struct Load<'a>(&'a SharedStorage, &'a [u8]);
        impl SuiteVisitor for Load<'_> {
            type Output = Result<AnyGroup, AnyGroupError>;
            fn visit<S: CipherSuite>(self) -> Self::Output {
                Ok(Group::<S>::load(self.0, self.1)?.into())
            }
        }
        let key = RecordKey::new(group_id, RecordKind::GroupState, 0);
        let record = storage
            .lock()
            .map_err(GroupError::from)?
            .store()
            .get(&key)
            .map_err(GroupError::from)?
            .ok_or(GroupError::Storage(StoreError::NotFound(
                "no group with this id",
            )))?;
        visit::<B, _>(SuiteId(record.suite), Load(storage, group_id))?
    }

    fn join_from_storage(
        &self,
        storage: &SharedStorage,
        welcome: &[u8],
        config: GroupConfig,
    ) -> Result<AnyGroup, AnyGroupError> {
        struct Join<'a>(&'a SharedStorage, &'a [u8], GroupConfig);
        impl SuiteVisitor for Join<'_> {
            type Output = Result<AnyGroup, AnyGroupError>;
            fn visit<S: CipherSuite>(self) -> Self::Output {
                Ok(Group::<S>::join_from_storage(self.0, self.1, self.2)?.into())
            }
        }
        visit::<B, _>(welcome_suite(welcome)?, Join(storage, welcome, config))?
    }

    fn public_group(&self, group_info: &[u8]) -> Result<AnyPublicGroup, AnyGroupError> {
        struct FromGroupInfo<'a>(&'a [u8]);
        impl SuiteVisitor for FromGroupInfo<'_> {
            type Output = Result<AnyPublicGroup, AnyGroupError>;
            fn visit<S: CipherSuite>(self) -> Self::Output {
                Ok(PublicGroup::<S>::from_group_info(self.0)?.into())
            }
        }
        visit::<B, _>(group_info_suite(group_info)?, FromGroupInfo(group_info))?
    }

    fn check_key_package(&self, message: &[u8]) -> Result<CheckedKeyPackage, AnyGroupError> {
        struct Check(KeyPackage);
        impl SuiteVisitor for Check {
            type Output = Result<CheckedKeyPackage, AnyGroupError>;
            fn visit<S: CipherSuite>(self) -> Self::Output {
                let key_package = self.0;
                key_package.verify::<S>().map_err(GroupError::from)?;
                let reference = key_package.reference::<S>().map_err(GroupError::from)?;
                Ok(CheckedKeyPackage {
                    suite: S::ID,
                    reference,
                    key_package,
                })
            }
        }
        let key_package = key_package_from_message(message)?;
        visit::<B, _>(key_package.cipher_suite, Check(key_package))?
    }

    fn ordering_service(&self, suite: SuiteId) -> Result<AnyOrderingService, AnyGroupError> {
        struct NewService;
        impl SuiteVisitor for NewService {
            type Output = AnyOrderingService;
            fn visit<S: CipherSuite>(self) -> AnyOrderingService {
                OrderingService::<S>::new().into()
            }
        }
        visit::<B, _>(suite, NewService)
    }
}

/// Runs `visitor` with `B`'s type for `suite`, or says that `B` does not serve it.
fn visit<B: Backend, V: SuiteVisitor>(
    suite: SuiteId,
    visitor: V,
) -> Result<V::Output, AnyGroupError> {
    B::visit(suite, visitor).ok_or(AnyGroupError::UnsupportedSuite {
        provider: B::NAME,
        suite,
    })
}
