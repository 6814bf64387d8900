//! [`AnyGroup`]: a [`Group<S>`] whose suite type is hidden behind a trait object.

use core::any::Any;
use core::fmt;
use std::sync::Arc;

use rand_core::CryptoRng;

use super::identity::mismatch;
use super::{AnyGroupError, AnyIdentity};
use crate::group::{
    CommitSummary, Group, GroupConfig, GroupError, IdentityPolicy, PendingCommit, Received,
    StagedCommit,
};
use crate::messages::{Credential, GroupContext, KeyPackage, LeafNode};
use crate::secret::Secret;
use crate::storage::SharedStorage;
use crate::suite::{CipherSuite, SuiteId};
use crate::tree_math::LeafIndex;

/// The object-safe face of [`Group<S>`]: one method per method of the typed group, with the
/// RNG as `&mut dyn CryptoRng` and the suite's own values erased.
trait DynGroup: Any + Send + Sync + fmt::Debug {
    fn suite(&self) -> SuiteId;
    fn group_id(&self) -> &[u8];
    fn epoch(&self) -> u64;
    fn context(&self) -> &GroupContext;
    fn own_leaf(&self) -> LeafIndex;
    fn credential(&self) -> &Credential;
    fn member_count(&self) -> usize;
    fn members(&self) -> Box<dyn Iterator<Item = (LeafIndex, &LeafNode)> + '_>;
    fn leaf_of(&self, name: &[u8]) -> Option<LeafIndex>;
    fn needs_update(&self) -> bool;
    fn adder_knows_leaf_key(&self) -> bool;
    fn tombstones(&self) -> Vec<(LeafIndex, LeafIndex)>;
    fn sponsored_tombstones(&self) -> Vec<LeafIndex>;
    fn set_identity_policy(&mut self, policy: Arc<dyn IdentityPolicy>);
    fn epoch_authenticator(&self) -> &Secret;
    fn membership_key(&self) -> &Secret;
    fn export_secret(
        &self,
        label: &str,
        context: &[u8],
        length: usize,
    ) -> Result<Secret, GroupError>;
    fn commit_update(&self, rng: &mut dyn CryptoRng) -> Result<AnyPendingCommit, GroupError>;
    fn commit_add(
        &self,
        key_packages: &[KeyPackage],
        rng: &mut dyn CryptoRng,
    ) -> Result<AnyPendingCommit, GroupError>;
    fn commit_remove(
        &self,
        leaves: &[LeafIndex],
        rng: &mut dyn CryptoRng,
    ) -> Result<AnyPendingCommit, GroupError>;
    fn public_group_info(&self) -> Result<Vec<u8>, GroupError>;
    fn merge_pending_commit(
        &mut self,
        pending: AnyPendingCommit,
    ) -> Result<CommitSummary, AnyGroupError>;
    fn encrypt_application(
        &mut self,
        data: &[u8],
        rng: &mut dyn CryptoRng,
    ) -> Result<Vec<u8>, GroupError>;
    fn process_message(&mut self, message: &[u8]) -> Result<Received, GroupError>;
    fn stage_commit(&self, message: &[u8]) -> Result<AnyStagedCommit, GroupError>;
    fn merge_staged_commit(&mut self, staged: AnyStagedCommit) -> Result<Received, AnyGroupError>;
    fn to_bytes(&self) -> Result<Secret, GroupError>;
    fn attach_storage(&mut self, storage: &SharedStorage) -> Result<(), GroupError>;
    fn log_position(&self) -> u64;
    fn storage_generation(&self) -> Option<u64>;
    fn process_message_at(&mut self, position: u64, message: &[u8])
    -> Result<Received, GroupError>;
    fn merge_pending_commit_at(
        &mut self,
        position: u64,
        pending: AnyPendingCommit,
    ) -> Result<CommitSummary, AnyGroupError>;
    fn set_log_position(&mut self, position: u64) -> Result<(), GroupError>;
}

impl<S: CipherSuite> DynGroup for Group<S> {
    fn suite(&self) -> SuiteId {
        S::ID
    }

    fn group_id(&self) -> &[u8] {
        Group::group_id(self)
    }

    fn epoch(&self) -> u64 {
        Group::epoch(self)
    }

    fn context(&self) -> &GroupContext {
        Group::context(self)
    }

    fn own_leaf(&self) -> LeafIndex {
        Group::own_leaf(self)
    }

    fn credential(&self) -> &Credential {
        self.identity().credential()
    }

    fn member_count(&self) -> usize {
        Group::member_count(self)
    }

    fn members(&self) -> Box<dyn Iterator<Item = (LeafIndex, &LeafNode)> + '_> {
        Box::new(Group::members(self))
    }

    fn leaf_of(&self, name: &[u8]) -> Option<LeafIndex> {
        Group::leaf_of(self, name)
    }

    fn needs_update(&self) -> bool {
        Group::needs_update(self)
    }

    fn adder_knows_leaf_key(&self) -> bool {
        Group::adder_knows_leaf_key(self)
    }

    fn tombstones(&self) -> Vec<(LeafIndex, LeafIndex)> {
        Group::tombstones(self)
    }

    fn sponsored_tombstones(&self) -> Vec<LeafIndex> {
        Group::sponsored_tombstones(self)
    }

    fn set_identity_policy(&mut self, policy: Arc<dyn IdentityPolicy>) {
        Group::set_identity_policy(self, policy);
    }

    fn epoch_authenticator(&self) -> &Secret {
        Group::epoch_authenticator(self)
    }

    fn membership_key(&self) -> &Secret {
        Group::membership_key(self)
    }

    fn export_secret(
        &self,
        label: &str,
        context: &[u8],
        length: usize,
    ) -> Result<Secret, GroupError> {
        Group::export_secret(self, label, context, length)
    }

    fn commit_update(&self, rng: &mut dyn CryptoRng) -> Result<AnyPendingCommit, GroupError> {
        self.commit_update_with_rng(rng).map(AnyPendingCommit::from)
    }

    fn commit_add(
        &self,
        key_packages: &[KeyPackage],
        rng: &mut dyn CryptoRng,
    ) -> Result<AnyPendingCommit, GroupError> {
        self.commit_add_with_rng(key_packages, rng)
            .map(AnyPendingCommit::from)
    }

    fn commit_remove(
        &self,
        leaves: &[LeafIndex],
        rng: &mut dyn CryptoRng,
    ) -> Result<AnyPendingCommit, GroupError> {
        self.commit_remove_with_rng(leaves, rng)
            .map(AnyPendingCommit::from)
    }

    fn public_group_info(&self) -> Result<Vec<u8>, GroupError> {
        Group::public_group_info(self)
    }

    fn merge_pending_commit(
        &mut self,
        pending: AnyPendingCommit,
    ) -> Result<CommitSummary, AnyGroupError> {
        let pending = pending.into_typed::<S>()?;
        Ok(Group::merge_pending_commit(self, pending)?)
    }

    fn encrypt_application(
        &mut self,
        data: &[u8],
        rng: &mut dyn CryptoRng,
    ) -> Result<Vec<u8>, GroupError> {
        self.encrypt_application_with_rng(data, rng)
    }

    fn process_message(&mut self, message: &[u8]) -> Result<Received, GroupError> {
        Group::process_message(self, message)
    }

    fn stage_commit(&self, message: &[u8]) -> Result<AnyStagedCommit, GroupError> {
        Group::stage_commit(self, message).map(AnyStagedCommit::from)
    }

    fn merge_staged_commit(&mut self, staged: AnyStagedCommit) -> Result<Received, AnyGroupError> {
        let staged = staged.into_typed::<S>()?;
        Ok(Group::merge_staged_commit(self, staged)?)
    }

    fn to_bytes(&self) -> Result<Secret, GroupError> {
        Group::to_bytes(self)
    }

    fn attach_storage(&mut self, storage: &SharedStorage) -> Result<(), GroupError> {
        Group::attach_storage(self, storage)
    }

    fn log_position(&self) -> u64 {
        Group::log_position(self)
    }

    fn storage_generation(&self) -> Option<u64> {
        Group::storage_generation(self)
    }

    fn process_message_at(
        &mut self,
        position: u64,
        message: &[u8],
    ) -> Result<Received, GroupError> {
        Group::process_message_at(self, position, message)
    }

    fn merge_pending_commit_at(
        &mut self,
        position: u64,
        pending: AnyPendingCommit,
    ) -> Result<CommitSummary, AnyGroupError> {
        let pending = pending.into_typed::<S>()?;
        Ok(Group::merge_pending_commit_at(self, position, pending)?)
    }

    fn set_log_position(&mut self, position: u64) -> Result<(), GroupError> {
        Group::set_log_position(self, position)
    }
}

/// One member's state in one group, for a suite and backend chosen at run time: a
/// [`Group<S>`] whose `S` is hidden. Every method is the typed group's method of the same name
/// (see there for what it does); a value of another suite or provider given back to it is
/// refused with a typed error, changing nothing.
///
/// Made by [`Provider::create`](crate::Provider::create), [`Provider::join`](crate::Provider::join),
/// [`Provider::restore`](crate::Provider::restore), [`AnyGroup::create_with_rng`],
/// [`AnyGroup::initiate_with_rng`], or from a typed group with `AnyGroup::from`.
///
/// Its `Debug` is the typed group's, which prints no secret.
#[derive(Debug)]
pub struct AnyGroup {
    inner: Box<dyn DynGroup>,
}

impl<S: CipherSuite> From<Group<S>> for AnyGroup {
    fn from(group: Group<S>) -> Self {
        AnyGroup {
            inner: Box::new(group),
        }
    }
}

impl AnyGroup {
    /// A one-member group at epoch 0 (see [`Group::create_with_rng`]), of the identity's
    /// suite.
    pub fn create_with_rng(
        identity: AnyIdentity,
        group_id: Vec<u8>,
        config: GroupConfig,
        rng: &mut dyn CryptoRng,
    ) -> Result<Self, GroupError> {
        identity.create(group_id, config, rng)
    }

    /// A group made with its initial members in one commit, and the one Welcome for all of
    /// them (see [`Group::initiate_with_rng`]).
    pub fn initiate_with_rng(
        identity: AnyIdentity,
        group_id: Vec<u8>,
        key_packages: &[KeyPackage],
        config: GroupConfig,
        rng: &mut dyn CryptoRng,
    ) -> Result<(Self, Vec<u8>), GroupError> {
        identity.initiate(group_id, key_packages, config, rng)
    }

    /// The typed group, if its suite type is `S` (the suite and the provider it was made by).
    pub fn downcast_ref<S: CipherSuite>(&self) -> Option<&Group<S>> {
        (&*self.inner as &dyn Any).downcast_ref()
    }

    /// The typed group, mutably, if its suite type is `S`.
    pub fn downcast_mut<S: CipherSuite>(&mut self) -> Option<&mut Group<S>> {
        (&mut *self.inner as &mut dyn Any).downcast_mut()
    }

    /// The cipher suite id.
    pub fn suite(&self) -> SuiteId {
        self.inner.suite()
    }

    /// The group id.
    pub fn group_id(&self) -> &[u8] {
        self.inner.group_id()
    }

    /// The current epoch.
    pub fn epoch(&self) -> u64 {
        self.inner.epoch()
    }

    /// The current GroupContext.
    pub fn context(&self) -> &GroupContext {
        self.inner.context()
    }

    /// This member's leaf.
    pub fn own_leaf(&self) -> LeafIndex {
        self.inner.own_leaf()
    }

    /// This member's credential.
    pub fn credential(&self) -> &Credential {
        self.inner.credential()
    }

    /// The number of members.
    pub fn member_count(&self) -> usize {
        self.inner.member_count()
    }

    /// The members: leaf and LeafNode.
    pub fn members(&self) -> impl Iterator<Item = (LeafIndex, &LeafNode)> + '_ {
        self.inner.members()
    }

    /// The leaf of the member whose credential names `name`.
    pub fn leaf_of(&self, name: &[u8]) -> Option<LeafIndex> {
        self.inner.leaf_of(name)
    }

    /// Whether this member should commit an update soon (see [`Group::needs_update`]).
    pub fn needs_update(&self) -> bool {
        self.inner.needs_update()
    }

    /// Whether this member's leaf key is still the one its adder chose (see
    /// [`Group::adder_knows_leaf_key`]).
    pub fn adder_knows_leaf_key(&self) -> bool {
        self.inner.adder_knows_leaf_key()
    }

    /// The live tombstones, in leaf order, each with its owner (see [`Group::tombstones`]).
    pub fn tombstones(&self) -> Vec<(LeafIndex, LeafIndex)> {
        self.inner.tombstones()
    }

    /// The live tombstones whose sponsor this member is: its next Update seals them.
    pub fn sponsored_tombstones(&self) -> Vec<LeafIndex> {
        self.inner.sponsored_tombstones()
    }

    /// Replaces the identity policy (see [`Group::set_identity_policy`]).
    pub fn set_identity_policy(&mut self, policy: Arc<dyn IdentityPolicy>) {
        self.inner.set_identity_policy(policy);
    }

    /// The epoch authenticator: equal for all members of an epoch.
    pub fn epoch_authenticator(&self) -> &Secret {
        self.inner.epoch_authenticator()
    }

    /// This epoch's membership key (see [`Group::membership_key`]).
    pub fn membership_key(&self) -> &Secret {
        self.inner.membership_key()
    }

    /// `MLS-Exporter(label, context, length)` of the current epoch.
    pub fn export_secret(
        &self,
        label: &str,
        context: &[u8],
        length: usize,
    ) -> Result<Secret, GroupError> {
        self.inner.export_secret(label, context, length)
    }

    /// Prepares an update of this member's leaf (see [`Group::commit_update_with_rng`]).
    pub fn commit_update_with_rng(
        &self,
        rng: &mut dyn CryptoRng,
    ) -> Result<AnyPendingCommit, GroupError> {
        self.inner.commit_update(rng)
    }

    /// Prepares adding the members of `key_packages` (see [`Group::commit_add_with_rng`]). A
    /// KeyPackage of another suite is refused with [`GroupError::InvalidCommit`].
    pub fn commit_add_with_rng(
        &self,
        key_packages: &[KeyPackage],
        rng: &mut dyn CryptoRng,
    ) -> Result<AnyPendingCommit, GroupError> {
        self.inner.commit_add(key_packages, rng)
    }

    /// Prepares removing the members at `leaves` (see [`Group::commit_remove_with_rng`]).
    pub fn commit_remove_with_rng(
        &self,
        leaves: &[LeafIndex],
        rng: &mut dyn CryptoRng,
    ) -> Result<AnyPendingCommit, GroupError> {
        self.inner.commit_remove(leaves, rng)
    }

    /// This epoch's signed GroupInfo with the public tree (see [`Group::public_group_info`]).
    pub fn public_group_info(&self) -> Result<Vec<u8>, GroupError> {
        self.inner.public_group_info()
    }

    /// Applies this member's own commit, once the ordering service accepted it. A pending
    /// commit of another group's suite or provider is refused, changing nothing.
    pub fn merge_pending_commit(
        &mut self,
        pending: AnyPendingCommit,
    ) -> Result<CommitSummary, AnyGroupError> {
        self.inner.merge_pending_commit(pending)
    }

    /// Encrypts application data for the group (see [`Group::encrypt_application_with_rng`]).
    pub fn encrypt_application_with_rng(
        &mut self,
        data: &[u8],
        rng: &mut dyn CryptoRng,
    ) -> Result<Vec<u8>, GroupError> {
        self.inner.encrypt_application(data, rng)
    }

    /// Processes a message from the group (see [`Group::process_message`]). A rejected message
    /// leaves the group exactly as it was.
    pub fn process_message(&mut self, message: &[u8]) -> Result<Received, GroupError> {
        self.inner.process_message(message)
    }

    /// Checks a received commit without changing the group (see [`Group::stage_commit`]).
    pub fn stage_commit(&self, message: &[u8]) -> Result<AnyStagedCommit, GroupError> {
        self.inner.stage_commit(message)
    }

    /// Applies a commit staged by [`AnyGroup::stage_commit`]. A staged commit of another
    /// group's suite or provider is refused, changing nothing.
    pub fn merge_staged_commit(
        &mut self,
        staged: AnyStagedCommit,
    ) -> Result<Received, AnyGroupError> {
        self.inner.merge_staged_commit(staged)
    }

    /// Keeps this group in `storage` from now on (see [`Group::attach_storage`]).
    pub fn attach_storage(&mut self, storage: &SharedStorage) -> Result<(), GroupError> {
        self.inner.attach_storage(storage)
    }

    /// The position in the delivery service's log read up to (see [`Group::log_position`]).
    pub fn log_position(&self) -> u64 {
        self.inner.log_position()
    }

    /// How many transactions have written this group (see [`Group::storage_generation`]).
    pub fn storage_generation(&self) -> Option<u64> {
        self.inner.storage_generation()
    }

    /// Processes the log entry at `position`, state and position written in one
    /// transaction (see [`Group::process_message_at`]).
    pub fn process_message_at(
        &mut self,
        position: u64,
        message: &[u8],
    ) -> Result<Received, GroupError> {
        self.inner.process_message_at(position, message)
    }

    /// Merges this member's own commit, put at `position` in the log (see
    /// [`Group::merge_pending_commit_at`]).
    pub fn merge_pending_commit_at(
        &mut self,
        position: u64,
        pending: AnyPendingCommit,
    ) -> Result<CommitSummary, AnyGroupError> {
        self.inner.merge_pending_commit_at(position, pending)
    }

    /// Records the log as read up to `position` (see [`Group::set_log_position`]).
    pub fn set_log_position(&mut self, position: u64) -> Result<(), GroupError> {
        self.inner.set_log_position(position)
    }

    /// The whole state of this member, versioned (see [`Group::to_bytes`]); restore it with
    /// [`Provider::restore`](crate::Provider::restore). It holds every secret of the member.
    pub fn to_bytes(&self) -> Result<Secret, GroupError> {
        self.inner.to_bytes()
    }
}

/// What an [`AnyPendingCommit`] needs of the commit it hides.
trait DynPendingCommit: Any + Send + Sync + fmt::Debug {
    fn suite(&self) -> SuiteId;
    fn message(&self) -> &[u8];
    fn welcome(&self) -> Option<&[u8]>;
    fn summary(&self) -> &CommitSummary;
    fn epoch_authenticator(&self) -> &Secret;
}

impl<S: CipherSuite> DynPendingCommit for PendingCommit<S> {
    fn suite(&self) -> SuiteId {
        S::ID
    }

    fn message(&self) -> &[u8] {
        PendingCommit::message(self)
    }

    fn welcome(&self) -> Option<&[u8]> {
        PendingCommit::welcome(self)
    }

    fn summary(&self) -> &CommitSummary {
        PendingCommit::summary(self)
    }

    fn epoch_authenticator(&self) -> &Secret {
        PendingCommit::epoch_authenticator(self)
    }
}

/// A commit made by this member, not yet applied: a [`PendingCommit<S>`] whose `S` is
/// hidden. Give it back to [`AnyGroup::merge_pending_commit`] of the group that made it.
/// Dropping it erases the secrets it holds; its `Debug` prints none.
#[derive(Debug)]
pub struct AnyPendingCommit {
    inner: Box<dyn DynPendingCommit>,
}

impl<S: CipherSuite> From<PendingCommit<S>> for AnyPendingCommit {
    fn from(pending: PendingCommit<S>) -> Self {
        AnyPendingCommit {
            inner: Box::new(pending),
        }
    }
}

impl AnyPendingCommit {
    /// The cipher suite of the group that made it.
    pub fn suite(&self) -> SuiteId {
        self.inner.suite()
    }

    /// The commit, an MLSMessage to send to the group.
    pub fn message(&self) -> &[u8] {
        self.inner.message()
    }

    /// The Welcome for the newcomers (an MLSMessage), for an add.
    pub fn welcome(&self) -> Option<&[u8]> {
        self.inner.welcome()
    }

    /// What the commit does.
    pub fn summary(&self) -> &CommitSummary {
        self.inner.summary()
    }

    /// The epoch authenticator of the epoch the commit leads to.
    pub fn epoch_authenticator(&self) -> &Secret {
        self.inner.epoch_authenticator()
    }

    /// The typed pending commit, if its suite type is `S`.
    pub fn into_typed<S: CipherSuite>(self) -> Result<PendingCommit<S>, AnyGroupError> {
        let got = self.suite();
        let any: Box<dyn Any> = self.inner;
        any.downcast::<PendingCommit<S>>()
            .map(|pending| *pending)
            .map_err(|_| mismatch("the pending commit", S::ID, got))
    }
}

/// What an [`AnyStagedCommit`] needs of the commit it hides.
trait DynStagedCommit: Any + Send + Sync + fmt::Debug {
    fn suite(&self) -> SuiteId;
    fn summary(&self) -> Option<&CommitSummary>;
    fn epoch_authenticator(&self) -> Option<&Secret>;
}

impl<S: CipherSuite> DynStagedCommit for StagedCommit<S> {
    fn suite(&self) -> SuiteId {
        S::ID
    }

    fn summary(&self) -> Option<&CommitSummary> {
        StagedCommit::summary(self)
    }

    fn epoch_authenticator(&self) -> Option<&Secret> {
        StagedCommit::epoch_authenticator(self)
    }
}

/// A received commit, checked, not yet applied: a [`StagedCommit<S>`] whose `S` is hidden.
/// Give it back to [`AnyGroup::merge_staged_commit`] of the group that staged it.
#[derive(Debug)]
pub struct AnyStagedCommit {
    inner: Box<dyn DynStagedCommit>,
}

impl<S: CipherSuite> From<StagedCommit<S>> for AnyStagedCommit {
    fn from(staged: StagedCommit<S>) -> Self {
        AnyStagedCommit {
            inner: Box::new(staged),
        }
    }
}

impl AnyStagedCommit {
    /// The cipher suite of the group that staged it.
    pub fn suite(&self) -> SuiteId {
        self.inner.suite()
    }

    /// What the commit does, unless it removes this member.
    pub fn summary(&self) -> Option<&CommitSummary> {
        self.inner.summary()
    }

    /// The epoch authenticator of the epoch the commit leads to (`None` if it removes this
    /// member).
    pub fn epoch_authenticator(&self) -> Option<&Secret> {
        self.inner.epoch_authenticator()
    }

    /// The typed staged commit, if its suite type is `S`.
    pub fn into_typed<S: CipherSuite>(self) -> Result<StagedCommit<S>, AnyGroupError> {
        let got = self.suite();
        let any: Box<dyn Any> = self.inner;
        any.downcast::<StagedCommit<S>>()
            .map(|staged| *staged)
            .map_err(|_| mismatch("the staged commit", S::ID, got))
    }
}
