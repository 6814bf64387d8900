//! The public side for a suite chosen at run time: a group's public state and the ordering
//! service that follows it.

use core::any::Any;
use core::fmt;
use std::sync::Arc;

use crate::group::{CommitSummary, GroupError, IdentityPolicy, PublicGroup};
use crate::messages::GroupContext;
use crate::ordering::{OrderingError, OrderingService};
use crate::suite::{CipherSuite, SuiteId};
use crate::tree_math::LeafIndex;

/// The object-safe face of [`PublicGroup<S>`].
trait DynPublicGroup: Any + Send + Sync + fmt::Debug {
    fn suite(&self) -> SuiteId;
    fn group_id(&self) -> &[u8];
    fn epoch(&self) -> u64;
    fn context(&self) -> &GroupContext;
    fn member_count(&self) -> usize;
    fn set_identity_policy(&mut self, policy: Arc<dyn IdentityPolicy>);
    fn process_commit(&mut self, message: &[u8]) -> Result<CommitSummary, GroupError>;
    fn is_member(&self, leaf: LeafIndex) -> bool;
    fn ratchet_tree_bytes(&self) -> Result<Vec<u8>, GroupError>;
}

impl<S: CipherSuite> DynPublicGroup for PublicGroup<S> {
    fn suite(&self) -> SuiteId {
        S::ID
    }

    fn group_id(&self) -> &[u8] {
        PublicGroup::group_id(self)
    }

    fn epoch(&self) -> u64 {
        PublicGroup::epoch(self)
    }

    fn context(&self) -> &GroupContext {
        PublicGroup::context(self)
    }

    fn member_count(&self) -> usize {
        PublicGroup::member_count(self)
    }

    fn set_identity_policy(&mut self, policy: Arc<dyn IdentityPolicy>) {
        PublicGroup::set_identity_policy(self, policy);
    }

    fn process_commit(&mut self, message: &[u8]) -> Result<CommitSummary, GroupError> {
        PublicGroup::process_commit(self, message)
    }

    fn is_member(&self, leaf: LeafIndex) -> bool {
        PublicGroup::is_member(self, leaf)
    }

    fn ratchet_tree_bytes(&self) -> Result<Vec<u8>, GroupError> {
        PublicGroup::ratchet_tree_bytes(self)
    }
}

/// A group's public state as a party outside it follows it, for a suite chosen at run time: a
/// [`PublicGroup<S>`] whose `S` is hidden. Made by
/// [`Provider::public_group`](crate::Provider::public_group).
#[derive(Debug)]
pub struct AnyPublicGroup {
    inner: Box<dyn DynPublicGroup>,
}

impl<S: CipherSuite> From<PublicGroup<S>> for AnyPublicGroup {
    fn from(public: PublicGroup<S>) -> Self {
        AnyPublicGroup {
            inner: Box::new(public),
        }
    }
}

impl AnyPublicGroup {
    /// The typed public group, if its suite type is `S`.
    pub fn downcast_ref<S: CipherSuite>(&self) -> Option<&PublicGroup<S>> {
        (&*self.inner as &dyn Any).downcast_ref()
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

    /// The number of members.
    pub fn member_count(&self) -> usize {
        self.inner.member_count()
    }

    /// Replaces the identity policy (see [`PublicGroup::set_identity_policy`]).
    pub fn set_identity_policy(&mut self, policy: Arc<dyn IdentityPolicy>) {
        self.inner.set_identity_policy(policy);
    }

    /// Checks a commit for the current epoch and follows it (see
    /// [`PublicGroup::process_commit`]). A refused commit changes nothing.
    pub fn process_commit(&mut self, message: &[u8]) -> Result<CommitSummary, GroupError> {
        self.inner.process_commit(message)
    }

    /// Whether `leaf` holds a member.
    pub fn is_member(&self, leaf: LeafIndex) -> bool {
        self.inner.is_member(leaf)
    }

    /// The public tree and LeafNodes in the encoding a Welcome carries them.
    pub fn ratchet_tree_bytes(&self) -> Result<Vec<u8>, GroupError> {
        self.inner.ratchet_tree_bytes()
    }
}

/// The object-safe face of [`OrderingService<S>`]. (No `Debug` bound: the typed service's
/// derived `Debug` asks one of the suite type, which suites need not have.)
trait DynOrderingService: Any + Send + Sync {
    fn suite(&self) -> SuiteId;
    fn create_group(&mut self, group_info: &[u8]) -> Result<(), OrderingError>;
    fn submit(&mut self, message: &[u8]) -> Result<usize, OrderingError>;
    fn fetch(&self, group_id: &[u8], from: usize) -> &[Vec<u8>];
    fn epoch(&self, group_id: &[u8]) -> Option<u64>;
}

impl<S: CipherSuite> DynOrderingService for OrderingService<S> {
    fn suite(&self) -> SuiteId {
        S::ID
    }

    fn create_group(&mut self, group_info: &[u8]) -> Result<(), OrderingError> {
        OrderingService::create_group(self, group_info)
    }

    fn submit(&mut self, message: &[u8]) -> Result<usize, OrderingError> {
        OrderingService::submit(self, message)
    }

    fn fetch(&self, group_id: &[u8], from: usize) -> &[Vec<u8>] {
        OrderingService::fetch(self, group_id, from)
    }

    fn epoch(&self, group_id: &[u8]) -> Option<u64> {
        OrderingService::epoch(self, group_id)
    }
}

/// The in-memory ordering service for the groups of one suite chosen at run time: an
/// [`OrderingService<S>`] whose `S` is hidden. Made by
/// [`Provider::ordering_service`](crate::Provider::ordering_service).
pub struct AnyOrderingService {
    inner: Box<dyn DynOrderingService>,
}

impl fmt::Debug for AnyOrderingService {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AnyOrderingService")
            .field("suite", &self.suite())
            .finish_non_exhaustive()
    }
}

impl<S: CipherSuite> From<OrderingService<S>> for AnyOrderingService {
    fn from(service: OrderingService<S>) -> Self {
        AnyOrderingService {
            inner: Box::new(service),
        }
    }
}

impl AnyOrderingService {
    /// The typed service, if its suite type is `S`.
    pub fn downcast_ref<S: CipherSuite>(&self) -> Option<&OrderingService<S>> {
        (&*self.inner as &dyn Any).downcast_ref()
    }

    /// The suite of the groups this service follows.
    pub fn suite(&self) -> SuiteId {
        self.inner.suite()
    }

    /// Registers a group from a member's GroupInfo (see [`OrderingService::create_group`]). A
    /// GroupInfo of another suite is refused.
    pub fn create_group(&mut self, group_info: &[u8]) -> Result<(), OrderingError> {
        self.inner.create_group(group_info)
    }

    /// Takes a message for its group (see [`OrderingService::submit`]); returns its position
    /// in the group's log.
    pub fn submit(&mut self, message: &[u8]) -> Result<usize, OrderingError> {
        self.inner.submit(message)
    }

    /// The group's messages from position `from` on, in the order they were accepted.
    pub fn fetch(&self, group_id: &[u8], from: usize) -> &[Vec<u8>] {
        self.inner.fetch(group_id, from)
    }

    /// The group's epoch at the service.
    pub fn epoch(&self, group_id: &[u8]) -> Option<u64> {
        self.inner.epoch(group_id)
    }
}
