//! Protocol properties of groups, generic over a suite: lifecycle, concurrent commits,
//! forward secrecy, post-compromise security, and random operation sequences in which every
//! rejected message leaves the rejecting member's state byte for byte as it was.
//!
//! The checks drive a [`GroupSimulation`]: every member's state, the ordering service and a
//! seeded RNG, with the steps of a group's life (commit, deliver, join, message) and the
//! agreement check after each. The same simulation runs typed groups ([`Typed`], what the
//! checks below use) and groups chosen at run time ([`Erased`], what `artmls demo` uses).

use std::marker::PhantomData;
use std::time::{Duration, Instant};

use artmls::group::{
    CommitSummary, Group, GroupConfig, GroupError, Identity, KeyPackageBundle, PendingCommit,
    Received,
};
use artmls::messages::{GroupContext, KeyPackage};
use artmls::ordering::{OrderingError, OrderingService};
use artmls::tree_math::LeafIndex;
use artmls::{
    AnyGroup, AnyGroupError, AnyIdentity, AnyKeyPackageBundle, AnyOrderingService,
    AnyPendingCommit, CipherSuite, Provider, Secret, SuiteId,
};
use rand::RngExt;
use rand::rngs::StdRng;

use crate::rng::seeded;

/// Why a simulated step failed: a member refused what it should take, or the members
/// disagree.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SimulationError {
    /// A member's group refused an operation.
    #[error("{what}: {source}")]
    Group {
        /// The operation.
        what: &'static str,
        /// The group's error.
        source: GroupError,
    },
    /// The erased layer refused an operation.
    #[error("{what}: {source}")]
    Erased {
        /// The operation.
        what: &'static str,
        /// The erased layer's error.
        source: AnyGroupError,
    },
    /// The ordering service refused a message.
    #[error("the ordering service refused the message: {0}")]
    Ordering(#[from] OrderingError),
    /// A member rejected a valid message.
    #[error("member at leaf {leaf} rejected a valid message: {source}")]
    Rejected {
        /// The member's leaf.
        leaf: u32,
        /// Its error.
        source: GroupError,
    },
    /// The members disagree, or a member saw something else than was sent.
    #[error("{0}")]
    Disagreement(String),
    /// A kind that keeps members or the log on disk could not read or write them.
    #[error("storage: {0}")]
    Storage(String),
}

impl SimulationError {
    /// Wraps a group error with what was being done: `.map_err(SimulationError::group("add"))`.
    pub fn group(what: &'static str) -> impl Fn(GroupError) -> SimulationError {
        move |source| SimulationError::Group { what, source }
    }
}

/// Wraps a group error with what was being done.
fn failed(what: &'static str) -> impl Fn(GroupError) -> SimulationError {
    SimulationError::group(what)
}

/// How a simulation makes and drives its members: typed groups of one suite ([`Typed`]) or
/// erased groups of a provider and suite chosen at run time ([`Erased`]). Each method is the
/// group's method of the same name.
pub trait GroupKind {
    /// A member's state.
    type Group: Send;
    /// A member's identity.
    type Identity;
    /// A KeyPackage with its private keys.
    type Bundle;
    /// A commit made, not yet merged.
    type Pending;
    /// The ordering service.
    type Service;

    /// A new identity named `name`.
    fn identity(&self, name: String, rng: &mut StdRng) -> Result<Self::Identity, SimulationError>;
    /// A fresh KeyPackage of `identity`.
    fn key_package(
        &self,
        identity: &Self::Identity,
        rng: &mut StdRng,
    ) -> Result<Self::Bundle, SimulationError>;
    /// The public KeyPackage of a bundle.
    fn public_key_package(bundle: &Self::Bundle) -> &KeyPackage;
    /// A one-member group.
    fn create(
        &self,
        identity: Self::Identity,
        group_id: Vec<u8>,
        rng: &mut StdRng,
    ) -> Result<Self::Group, SimulationError>;
    /// A group made with its first members in one commit, and the Welcome.
    fn initiate(
        &self,
        identity: Self::Identity,
        group_id: Vec<u8>,
        key_packages: &[KeyPackage],
        rng: &mut StdRng,
    ) -> Result<(Self::Group, Vec<u8>), SimulationError>;
    /// Joins from a Welcome.
    fn join(
        &self,
        welcome: &[u8],
        bundle: &Self::Bundle,
        identity: Self::Identity,
    ) -> Result<Self::Group, SimulationError>;
    /// An empty ordering service.
    fn service(&self) -> Result<Self::Service, SimulationError>;
    /// Registers a group at the service.
    fn register(service: &mut Self::Service, group_info: &[u8]) -> Result<(), OrderingError>;
    /// Submits a message to the service.
    fn submit(service: &mut Self::Service, message: &[u8]) -> Result<usize, OrderingError>;
    /// The messages the service accepted for a group, from `from` on.
    fn fetch<'a>(service: &'a Self::Service, group_id: &[u8], from: usize) -> &'a [Vec<u8>];

    /// The epoch.
    fn epoch(group: &Self::Group) -> u64;
    /// The epoch authenticator.
    fn epoch_authenticator(group: &Self::Group) -> &Secret;
    /// The GroupContext.
    fn context(group: &Self::Group) -> &GroupContext;
    /// The number of members.
    fn member_count(group: &Self::Group) -> usize;
    /// The member's leaf.
    fn own_leaf(group: &Self::Group) -> LeafIndex;
    /// Whether the member should update first.
    fn needs_update(group: &Self::Group) -> bool;
    /// The GroupInfo for the service.
    fn public_group_info(group: &Self::Group) -> Result<Vec<u8>, GroupError>;
    /// Processes a message.
    fn process_message(group: &mut Self::Group, message: &[u8]) -> Result<Received, GroupError>;
    /// An update commit.
    fn commit_update(group: &Self::Group, rng: &mut StdRng) -> Result<Self::Pending, GroupError>;
    /// An add commit.
    fn commit_add(
        group: &Self::Group,
        key_packages: &[KeyPackage],
        rng: &mut StdRng,
    ) -> Result<Self::Pending, GroupError>;
    /// A remove commit.
    fn commit_remove(
        group: &Self::Group,
        leaves: &[LeafIndex],
        rng: &mut StdRng,
    ) -> Result<Self::Pending, GroupError>;
    /// Merges the member's own commit.
    fn merge_pending_commit(
        group: &mut Self::Group,
        pending: Self::Pending,
    ) -> Result<CommitSummary, SimulationError>;
    /// Encrypts application data.
    fn encrypt_application(
        group: &mut Self::Group,
        data: &[u8],
        rng: &mut StdRng,
    ) -> Result<Vec<u8>, GroupError>;
    /// A pending commit's message.
    fn pending_message(pending: &Self::Pending) -> &[u8];
    /// A pending commit's Welcome.
    fn pending_welcome(pending: &Self::Pending) -> Option<&[u8]>;

    // What a kind that keeps its members in stores, and the service's log on disk, overrides.
    // The defaults are the in-memory simulation: positions are ignored, nothing is written.

    /// Submits a message (a commit with its Welcome, if it adds members) to the service: the
    /// delivery service accepts it, and a kind with a durable log writes it there before the
    /// sender learns its position. Returns the position in the group's log.
    fn submit_logged(
        service: &mut Self::Service,
        message: &[u8],
        welcome: Option<&[u8]>,
    ) -> Result<usize, SimulationError> {
        let _ = welcome;
        Ok(Self::submit(service, message)?)
    }
    /// Processes the log entry at `position` (a stored member writes its state and its read
    /// position in one transaction).
    fn process_message_at(
        group: &mut Self::Group,
        position: usize,
        message: &[u8],
    ) -> Result<Received, GroupError> {
        let _ = position;
        Self::process_message(group, message)
    }
    /// Merges the member's own commit, which the service put at `position`.
    fn merge_pending_commit_at(
        group: &mut Self::Group,
        position: usize,
        pending: Self::Pending,
    ) -> Result<CommitSummary, SimulationError> {
        let _ = position;
        Self::merge_pending_commit(group, pending)
    }
    /// The sender of the application message at `position` has read the log past it.
    fn sent_at(group: &mut Self::Group, position: usize) -> Result<(), SimulationError> {
        let _ = (group, position);
        Ok(())
    }
    /// A member removed from the group leaves the simulation: a stored one deletes its
    /// group from its store, so none of its secrets stay.
    fn retire(&self, group: Self::Group) -> Result<(), SimulationError> {
        drop(group);
        Ok(())
    }
}

/// Typed groups of suite `S`: `Group<S>` and its values, monomorphised.
pub struct Typed<S>(PhantomData<fn() -> S>);

impl<S> Default for Typed<S> {
    fn default() -> Self {
        Typed(PhantomData)
    }
}

impl<S> core::fmt::Debug for Typed<S> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Typed")
    }
}

impl<S: CipherSuite> GroupKind for Typed<S> {
    type Group = Group<S>;
    type Identity = Identity<S>;
    type Bundle = KeyPackageBundle<S>;
    type Pending = PendingCommit<S>;
    type Service = OrderingService<S>;

    fn identity(&self, name: String, rng: &mut StdRng) -> Result<Identity<S>, SimulationError> {
        Ok(Identity::new_with_rng(name, rng))
    }

    fn key_package(
        &self,
        identity: &Identity<S>,
        rng: &mut StdRng,
    ) -> Result<KeyPackageBundle<S>, SimulationError> {
        identity
            .key_package_with_rng(rng)
            .map_err(failed("key package"))
    }

    fn public_key_package(bundle: &KeyPackageBundle<S>) -> &KeyPackage {
        bundle.key_package()
    }

    fn create(
        &self,
        identity: Identity<S>,
        group_id: Vec<u8>,
        rng: &mut StdRng,
    ) -> Result<Group<S>, SimulationError> {
        Group::create_with_rng(identity, group_id, GroupConfig::default(), rng)
            .map_err(failed("create"))
    }

    fn initiate(
        &self,
        identity: Identity<S>,
        group_id: Vec<u8>,
        key_packages: &[KeyPackage],
        rng: &mut StdRng,
    ) -> Result<(Group<S>, Vec<u8>), SimulationError> {
        Group::initiate_with_rng(
            identity,
            group_id,
            key_packages,
            GroupConfig::default(),
            rng,
        )
        .map_err(failed("create"))
    }

    fn join(
        &self,
        welcome: &[u8],
        bundle: &KeyPackageBundle<S>,
        identity: Identity<S>,
    ) -> Result<Group<S>, SimulationError> {
        Group::join(welcome, bundle, identity, GroupConfig::default()).map_err(failed("join"))
    }

    fn service(&self) -> Result<OrderingService<S>, SimulationError> {
        Ok(OrderingService::new())
    }

    fn register(service: &mut OrderingService<S>, group_info: &[u8]) -> Result<(), OrderingError> {
        service.create_group(group_info)
    }

    fn submit(service: &mut OrderingService<S>, message: &[u8]) -> Result<usize, OrderingError> {
        service.submit(message)
    }

    fn fetch<'a>(service: &'a OrderingService<S>, group_id: &[u8], from: usize) -> &'a [Vec<u8>] {
        service.fetch(group_id, from)
    }

    fn epoch(group: &Group<S>) -> u64 {
        group.epoch()
    }

    fn epoch_authenticator(group: &Group<S>) -> &Secret {
        group.epoch_authenticator()
    }

    fn context(group: &Group<S>) -> &GroupContext {
        group.context()
    }

    fn member_count(group: &Group<S>) -> usize {
        group.member_count()
    }

    fn own_leaf(group: &Group<S>) -> LeafIndex {
        group.own_leaf()
    }

    fn needs_update(group: &Group<S>) -> bool {
        group.needs_update()
    }

    fn public_group_info(group: &Group<S>) -> Result<Vec<u8>, GroupError> {
        group.public_group_info()
    }

    fn process_message(group: &mut Group<S>, message: &[u8]) -> Result<Received, GroupError> {
        group.process_message(message)
    }

    fn commit_update(group: &Group<S>, rng: &mut StdRng) -> Result<PendingCommit<S>, GroupError> {
        group.commit_update_with_rng(rng)
    }

    fn commit_add(
        group: &Group<S>,
        key_packages: &[KeyPackage],
        rng: &mut StdRng,
    ) -> Result<PendingCommit<S>, GroupError> {
        group.commit_add_with_rng(key_packages, rng)
    }

    fn commit_remove(
        group: &Group<S>,
        leaves: &[LeafIndex],
        rng: &mut StdRng,
    ) -> Result<PendingCommit<S>, GroupError> {
        group.commit_remove_with_rng(leaves, rng)
    }

    fn merge_pending_commit(
        group: &mut Group<S>,
        pending: PendingCommit<S>,
    ) -> Result<CommitSummary, SimulationError> {
        group
            .merge_pending_commit(pending)
            .map_err(failed("merge own commit"))
    }

    fn encrypt_application(
        group: &mut Group<S>,
        data: &[u8],
        rng: &mut StdRng,
    ) -> Result<Vec<u8>, GroupError> {
        group.encrypt_application_with_rng(data, rng)
    }

    fn pending_message(pending: &PendingCommit<S>) -> &[u8] {
        pending.message()
    }

    fn pending_welcome(pending: &PendingCommit<S>) -> Option<&[u8]> {
        pending.welcome()
    }
}

/// Erased groups of a provider and suite chosen at run time: [`AnyGroup`] and its values.
#[derive(Debug, Clone, Copy)]
pub struct Erased {
    /// The provider that makes the members.
    pub provider: &'static dyn Provider,
    /// The suite of the group.
    pub suite: SuiteId,
}

/// Wraps an erased-layer error with what was being done.
fn erased_failed(what: &'static str) -> impl Fn(AnyGroupError) -> SimulationError {
    move |source| SimulationError::Erased { what, source }
}

impl GroupKind for Erased {
    type Group = AnyGroup;
    type Identity = AnyIdentity;
    type Bundle = AnyKeyPackageBundle;
    type Pending = AnyPendingCommit;
    type Service = AnyOrderingService;

    fn identity(&self, name: String, rng: &mut StdRng) -> Result<AnyIdentity, SimulationError> {
        self.provider
            .identity(self.suite, name.as_bytes(), rng)
            .map_err(erased_failed("identity"))
    }

    fn key_package(
        &self,
        identity: &AnyIdentity,
        rng: &mut StdRng,
    ) -> Result<AnyKeyPackageBundle, SimulationError> {
        identity
            .key_package_with_rng(rng)
            .map_err(failed("key package"))
    }

    fn public_key_package(bundle: &AnyKeyPackageBundle) -> &KeyPackage {
        bundle.key_package()
    }

    fn create(
        &self,
        identity: AnyIdentity,
        group_id: Vec<u8>,
        rng: &mut StdRng,
    ) -> Result<AnyGroup, SimulationError> {
        AnyGroup::create_with_rng(identity, group_id, GroupConfig::default(), rng)
            .map_err(failed("create"))
    }

    fn initiate(
        &self,
        identity: AnyIdentity,
        group_id: Vec<u8>,
        key_packages: &[KeyPackage],
        rng: &mut StdRng,
    ) -> Result<(AnyGroup, Vec<u8>), SimulationError> {
        AnyGroup::initiate_with_rng(
            identity,
            group_id,
            key_packages,
            GroupConfig::default(),
            rng,
        )
        .map_err(failed("create"))
    }

    fn join(
        &self,
        welcome: &[u8],
        bundle: &AnyKeyPackageBundle,
        identity: AnyIdentity,
    ) -> Result<AnyGroup, SimulationError> {
        self.provider
            .join(welcome, bundle, identity, GroupConfig::default())
            .map_err(erased_failed("join"))
    }

    fn service(&self) -> Result<AnyOrderingService, SimulationError> {
        self.provider
            .ordering_service(self.suite)
            .map_err(erased_failed("ordering service"))
    }

    fn register(service: &mut AnyOrderingService, group_info: &[u8]) -> Result<(), OrderingError> {
        service.create_group(group_info)
    }

    fn submit(service: &mut AnyOrderingService, message: &[u8]) -> Result<usize, OrderingError> {
        service.submit(message)
    }

    fn fetch<'a>(service: &'a AnyOrderingService, group_id: &[u8], from: usize) -> &'a [Vec<u8>] {
        service.fetch(group_id, from)
    }

    fn epoch(group: &AnyGroup) -> u64 {
        group.epoch()
    }

    fn epoch_authenticator(group: &AnyGroup) -> &Secret {
        group.epoch_authenticator()
    }

    fn context(group: &AnyGroup) -> &GroupContext {
        group.context()
    }

    fn member_count(group: &AnyGroup) -> usize {
        group.member_count()
    }

    fn own_leaf(group: &AnyGroup) -> LeafIndex {
        group.own_leaf()
    }

    fn needs_update(group: &AnyGroup) -> bool {
        group.needs_update()
    }

    fn public_group_info(group: &AnyGroup) -> Result<Vec<u8>, GroupError> {
        group.public_group_info()
    }

    fn process_message(group: &mut AnyGroup, message: &[u8]) -> Result<Received, GroupError> {
        group.process_message(message)
    }

    fn commit_update(group: &AnyGroup, rng: &mut StdRng) -> Result<AnyPendingCommit, GroupError> {
        group.commit_update_with_rng(rng)
    }

    fn commit_add(
        group: &AnyGroup,
        key_packages: &[KeyPackage],
        rng: &mut StdRng,
    ) -> Result<AnyPendingCommit, GroupError> {
        group.commit_add_with_rng(key_packages, rng)
    }

    fn commit_remove(
        group: &AnyGroup,
        leaves: &[LeafIndex],
        rng: &mut StdRng,
    ) -> Result<AnyPendingCommit, GroupError> {
        group.commit_remove_with_rng(leaves, rng)
    }

    fn merge_pending_commit(
        group: &mut AnyGroup,
        pending: AnyPendingCommit,
    ) -> Result<CommitSummary, SimulationError> {
        group
            .merge_pending_commit(pending)
            .map_err(erased_failed("merge own commit"))
    }

    fn encrypt_application(
        group: &mut AnyGroup,
        data: &[u8],
        rng: &mut StdRng,
    ) -> Result<Vec<u8>, GroupError> {
        group.encrypt_application_with_rng(data, rng)
    }

    fn pending_message(pending: &AnyPendingCommit) -> &[u8] {
        pending.message()
    }

    fn pending_welcome(pending: &AnyPendingCommit) -> Option<&[u8]> {
        pending.welcome()
    }
}

/// How a simulated group is made: its id and its first members' names (`member-<n>`).
#[derive(Debug, Clone)]
pub struct Setup {
    /// The group id.
    pub group_id: Vec<u8>,
    /// The creator's name.
    pub creator: String,
    /// The number in the first joiner's name; later newcomers count on from there.
    pub first_number: u32,
}

/// What making the group cost.
#[derive(Debug, Clone)]
pub struct Creation {
    /// The creator's commit of all first members, Welcome included.
    pub create: Duration,
    /// The Welcome's length (0 for a group of one).
    pub welcome_len: usize,
    /// Each joiner's join.
    pub joins: Vec<Duration>,
}

/// What delivering a commit did and cost.
#[derive(Debug, Clone)]
pub struct Delivery {
    /// What the commit changed.
    pub summary: CommitSummary,
    /// Each receiver's processing of the commit.
    pub processed: Vec<Duration>,
    /// Each newcomer's join from the Welcome.
    pub joins: Vec<Duration>,
    /// The Welcome's length, for an add.
    pub welcome_len: Option<usize>,
}

/// What sending application data cost.
#[derive(Debug, Clone)]
pub struct MessageDelivery {
    /// Encrypting it.
    pub encrypt: Duration,
    /// The message's length on the wire.
    pub len: usize,
    /// Each receiver's decryption.
    pub processed: Vec<Duration>,
}

/// A simulated group: every member's state, the ordering service, and a seeded RNG.
pub struct GroupSimulation<K: GroupKind> {
    /// How members are made and driven.
    pub kind: K,
    /// The members, each with its own state.
    pub members: Vec<K::Group>,
    /// The ordering service.
    pub service: K::Service,
    /// The randomness of the run.
    pub rng: StdRng,
    /// Members in the tree whose state the simulation does not hold (a forked member, say).
    pub outside: usize,
    group_id: Vec<u8>,
    next_name: u32,
}

impl<K: GroupKind> core::fmt::Debug for GroupSimulation<K> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        // The members' states hold secrets; a summary is what a failing check needs.
        f.debug_struct("GroupSimulation")
            .field("group_id", &self.group_id)
            .field("members", &self.members.len())
            .field("outside", &self.outside)
            .finish_non_exhaustive()
    }
}

/// A simulated group of typed members of suite `S`, what the checks of this module use.
pub type Simulation<S> = GroupSimulation<Typed<S>>;

impl<S: CipherSuite> GroupSimulation<Typed<S>> {
    /// A group of `size` members made in one commit (Initiate); everyone joins from the Welcome.
    pub fn new(seed: u64, size: usize) -> Self {
        let setup = Setup {
            group_id: format!("group-{seed}").into_bytes(),
            creator: "member-0".into(),
            first_number: 1,
        };
        let (sim, _) = Self::build(Typed::default(), seeded(seed), setup, size)
            .unwrap_or_else(|error| panic!("making the group: {error}"));
        sim
    }
}

impl<K: GroupKind> GroupSimulation<K> {
    /// A group of `size` members made in one commit (Initiate; a lone creator for a size of
    /// one), everyone joined from the Welcome and registered at the service; the members agree.
    pub fn build(
        kind: K,
        mut rng: StdRng,
        setup: Setup,
        size: usize,
    ) -> Result<(Self, Creation), SimulationError> {
        let creator = kind.identity(setup.creator, &mut rng)?;
        let mut joiners = Vec::with_capacity(size.saturating_sub(1));
        for index in 1..size {
            let name = setup.first_number as usize + index - 1;
            let identity = kind.identity(format!("member-{name}"), &mut rng)?;
            let bundle = kind.key_package(&identity, &mut rng)?;
            joiners.push((identity, bundle));
        }
        let key_packages: Vec<_> = joiners
            .iter()
            .map(|(_, bundle)| K::public_key_package(bundle).clone())
            .collect();
        let started = Instant::now();
        let (creator, welcome) = if key_packages.is_empty() {
            let group = kind.create(creator, setup.group_id.clone(), &mut rng)?;
            (group, Vec::new())
        } else {
            kind.initiate(creator, setup.group_id.clone(), &key_packages, &mut rng)?
        };
        let create = started.elapsed();
        let mut service = kind.service()?;
        let group_info = K::public_group_info(&creator).map_err(failed("group info"))?;
        K::register(&mut service, &group_info)?;
        let mut members = Vec::with_capacity(size);
        members.push(creator);
        let mut joins = Vec::with_capacity(joiners.len());
        for (identity, bundle) in joiners {
            let started = Instant::now();
            members.push(kind.join(&welcome, &bundle, identity)?);
            joins.push(started.elapsed());
        }
        let sim = GroupSimulation {
            kind,
            members,
            service,
            rng,
            outside: 0,
            group_id: setup.group_id,
            next_name: setup.first_number + size.saturating_sub(1) as u32,
        };
        sim.check_agreement()?;
        let creation = Creation {
            create,
            welcome_len: welcome.len(),
            joins,
        };
        Ok((sim, creation))
    }

    /// A simulation of members made elsewhere (loaded from their stores, say), with the
    /// service that orders their group's messages; newcomers are named from `next_name` on.
    /// The members must agree.
    pub fn from_parts(
        kind: K,
        members: Vec<K::Group>,
        service: K::Service,
        rng: StdRng,
        group_id: Vec<u8>,
        next_name: u32,
    ) -> Result<Self, SimulationError> {
        if members.is_empty() {
            return Err(SimulationError::Disagreement(
                "a group of no members".into(),
            ));
        }
        let sim = GroupSimulation {
            kind,
            members,
            service,
            rng,
            outside: 0,
            group_id,
            next_name,
        };
        sim.check_agreement()?;
        Ok(sim)
    }

    /// The number in the next newcomer's name (`member-<n>`).
    pub fn next_name(&self) -> u32 {
        self.next_name
    }

    /// The index of the member at `leaf`.
    pub fn index_of(&self, leaf: LeafIndex) -> usize {
        self.members
            .iter()
            .position(|m| K::own_leaf(m) == leaf)
            .unwrap_or_else(|| panic!("no member at {leaf:?}"))
    }

    /// A new identity and KeyPackage.
    pub fn newcomer(&mut self) -> (K::Identity, K::Bundle) {
        self.try_newcomer()
            .unwrap_or_else(|error| panic!("newcomer: {error}"))
    }

    /// A new identity and KeyPackage, named after the members so far.
    pub fn try_newcomer(&mut self) -> Result<(K::Identity, K::Bundle), SimulationError> {
        let identity = self
            .kind
            .identity(format!("member-{}", self.next_name), &mut self.rng)?;
        self.next_name += 1;
        let bundle = self.kind.key_package(&identity, &mut self.rng)?;
        Ok((identity, bundle))
    }

    /// Submits `sender`'s pending commit; once accepted, the sender merges it, everyone else
    /// processes it, removed members leave, and newcomers join from the Welcome.
    ///
    /// Panics if anyone but the ordering service refuses (the service's refusal is returned).
    pub fn deliver(
        &mut self,
        sender: usize,
        pending: K::Pending,
        newcomers: Vec<(K::Identity, K::Bundle)>,
    ) -> Result<(), OrderingError> {
        match self.try_deliver(sender, pending, newcomers) {
            Ok(_) => Ok(()),
            Err(SimulationError::Ordering(error)) => Err(error),
            Err(error) => panic!("{error}"),
        }
    }

    /// [`GroupSimulation::deliver`], with every failure returned, and what it cost.
    ///
    /// The receivers process the commit on two threads (each member is its own state, so
    /// nothing is shared); each must report the sender's summary, or its own removal.
    pub fn try_deliver(
        &mut self,
        sender: usize,
        pending: K::Pending,
        newcomers: Vec<(K::Identity, K::Bundle)>,
    ) -> Result<Delivery, SimulationError> {
        let position = K::submit_logged(
            &mut self.service,
            K::pending_message(&pending),
            K::pending_welcome(&pending),
        )?;
        let message = K::pending_message(&pending).to_vec();
        let welcome = K::pending_welcome(&pending).map(<[u8]>::to_vec);
        let summary = K::merge_pending_commit_at(&mut self.members[sender], position, pending)?;
        let sender_leaf = K::own_leaf(&self.members[sender]);
        let outcomes = self.process_everywhere(sender_leaf, position, &message)?;
        let mut processed = Vec::with_capacity(outcomes.len());
        let mut removed = Vec::new();
        for (index, outcome) in outcomes.into_iter().enumerate() {
            let Some((time, received)) = outcome else {
                continue;
            };
            processed.push(time);
            match received {
                Received::Commit(received) if received == summary => {}
                Received::Removed { by }
                    if by == summary.sender
                        && summary.removed.contains(&K::own_leaf(&self.members[index])) =>
                {
                    removed.push(index);
                }
                other => {
                    return Err(SimulationError::Disagreement(format!(
                        "member at leaf {} saw {other:?}, the sender committed {summary:?}",
                        K::own_leaf(&self.members[index]).0
                    )));
                }
            }
        }
        for index in removed.into_iter().rev() {
            let mut gone = self.members.remove(index);
            if !matches!(
                K::process_message(&mut gone, &message),
                Err(GroupError::NotAMember)
            ) {
                return Err(SimulationError::Disagreement(
                    "a removed member still takes messages".into(),
                ));
            }
            self.kind.retire(gone)?;
        }
        let mut joins = Vec::new();
        if let Some(welcome) = &welcome {
            for (identity, bundle) in newcomers {
                let started = Instant::now();
                let joined = self.kind.join(welcome, &bundle, identity)?;
                joins.push(started.elapsed());
                if !K::needs_update(&joined) {
                    return Err(SimulationError::Disagreement(
                        "a newcomer's adder knows its leaf key, yet it need not update".into(),
                    ));
                }
                self.members.push(joined);
            }
        }
        self.check_agreement()?;
        Ok(Delivery {
            summary,
            processed,
            joins,
            welcome_len: welcome.map(|welcome| welcome.len()),
        })
    }

    /// Every member but the one at `sender` processes `message`, the log entry at
    /// `position`, on two threads: per member, the time it took and what it received (`None`
    /// for the sender).
    #[allow(clippy::type_complexity)]
    fn process_everywhere(
        &mut self,
        sender: LeafIndex,
        position: usize,
        message: &[u8],
    ) -> Result<Vec<Option<(Duration, Received)>>, SimulationError> {
        let half = self.members.len() / 2;
        let (left, right) = self.members.split_at_mut(half);
        let (mine, theirs) = std::thread::scope(|scope| {
            let other = scope.spawn(|| process_all::<K>(right, sender, position, message));
            let mine = process_all::<K>(left, sender, position, message);
            (mine, other.join())
        });
        let theirs =
            theirs.map_err(|_| SimulationError::Disagreement("a member thread panicked".into()))?;
        let mut outcomes = mine?;
        outcomes.extend(theirs?);
        Ok(outcomes)
    }

    /// Every member is at the same epoch with the same epoch authenticator and group context,
    /// and counts every member.
    pub fn check_agreement(&self) -> Result<(), SimulationError> {
        let first = &self.members[0];
        for member in &self.members {
            let what = if K::epoch(member) != K::epoch(first) {
                "epochs differ"
            } else if K::epoch_authenticator(member) != K::epoch_authenticator(first) {
                "epoch authenticators differ"
            } else if K::context(member) != K::context(first) {
                "group contexts differ"
            } else if K::member_count(member) != self.members.len() + self.outside {
                "member counts differ"
            } else {
                continue;
            };
            return Err(SimulationError::Disagreement(format!(
                "member at leaf {}: {what}",
                K::own_leaf(member).0
            )));
        }
        Ok(())
    }

    /// Every member is at the same epoch with the same epoch authenticator and tree hash.
    pub fn assert_agreement(&self, when: &str) {
        if let Err(error) = self.check_agreement() {
            panic!("{when}: {error}");
        }
    }

    /// A member updates (and, if it is new, that is what it must do first).
    pub fn update(&mut self, sender: usize) {
        let pending = K::commit_update(&self.members[sender], &mut self.rng).expect("update");
        self.deliver(sender, pending, Vec::new()).expect("accepted");
    }

    /// A member adds `count` newcomers.
    pub fn add(&mut self, sender: usize, count: usize) {
        if K::needs_update(&self.members[sender]) {
            self.update(sender);
        }
        let newcomers: Vec<_> = (0..count).map(|_| self.newcomer()).collect();
        let key_packages: Vec<_> = newcomers
            .iter()
            .map(|(_, bundle)| K::public_key_package(bundle).clone())
            .collect();
        let pending =
            K::commit_add(&self.members[sender], &key_packages, &mut self.rng).expect("add");
        self.deliver(sender, pending, newcomers).expect("accepted");
    }

    /// A member removes another.
    pub fn remove(&mut self, sender: usize, victim: usize) {
        if K::needs_update(&self.members[sender]) {
            self.update(sender);
        }
        let leaf = K::own_leaf(&self.members[victim]);
        let sender_leaf = K::own_leaf(&self.members[sender]);
        let sender = self.index_of(sender_leaf);
        let pending =
            K::commit_remove(&self.members[sender], &[leaf], &mut self.rng).expect("remove");
        self.deliver(sender, pending, Vec::new()).expect("accepted");
    }

    /// `sender` sends application data; every other member decrypts it.
    pub fn message(&mut self, sender: usize, data: &[u8]) {
        if let Err(error) = self.try_message(sender, data) {
            panic!("{error}");
        }
    }

    /// [`GroupSimulation::message`], with every failure returned, and what it cost.
    pub fn try_message(
        &mut self,
        sender: usize,
        data: &[u8],
    ) -> Result<MessageDelivery, SimulationError> {
        let started = Instant::now();
        let bytes = K::encrypt_application(&mut self.members[sender], data, &mut self.rng)
            .map_err(failed("encrypt"))?;
        let encrypt = started.elapsed();
        let position = K::submit_logged(&mut self.service, &bytes, None)?;
        K::sent_at(&mut self.members[sender], position)?;
        let sender_leaf = K::own_leaf(&self.members[sender]);
        let outcomes = self.process_everywhere(sender_leaf, position, &bytes)?;
        let mut processed = Vec::with_capacity(outcomes.len());
        for (time, received) in outcomes.into_iter().flatten() {
            match received {
                Received::Application {
                    sender,
                    data: received,
                } if sender == sender_leaf && received == data => processed.push(time),
                other => {
                    return Err(SimulationError::Disagreement(format!(
                        "expected the application data, got {other:?}"
                    )));
                }
            }
        }
        Ok(MessageDelivery {
            encrypt,
            len: bytes.len(),
            processed,
        })
    }

    /// The group id.
    pub fn group_id(&self) -> &[u8] {
        &self.group_id
    }

    /// The messages the service accepted for the group, from `from` on.
    pub fn log(&self, from: usize) -> &[Vec<u8>] {
        K::fetch(&self.service, &self.group_id, from)
    }
}

/// Each member but the sender processes `message`: the time it took and what it received
/// (`None` for the sender).
#[allow(clippy::type_complexity)]
fn process_all<K: GroupKind>(
    members: &mut [K::Group],
    sender: LeafIndex,
    position: usize,
    message: &[u8],
) -> Result<Vec<Option<(Duration, Received)>>, SimulationError> {
    members
        .iter_mut()
        .map(|member| {
            let leaf = K::own_leaf(member);
            if leaf == sender {
                return Ok(None);
            }
            let started = Instant::now();
            let received = K::process_message_at(member, position, message).map_err(|source| {
                SimulationError::Rejected {
                    leaf: leaf.0,
                    source,
                }
            })?;
            Ok(Some((started.elapsed(), received)))
        })
        .collect()
}

/// The same life as [`verify_lifecycle`], on erased groups of a provider and suite chosen at
/// run time: create, updates, adds, removes, messages.
pub fn verify_erased_lifecycle(provider: &'static dyn Provider, suite: SuiteId, seed: u64) {
    let setup = Setup {
        group_id: format!("erased-{seed}").into_bytes(),
        creator: "member-0".into(),
        first_number: 1,
    };
    let (mut sim, _) = GroupSimulation::build(Erased { provider, suite }, seeded(seed), setup, 3)
        .unwrap_or_else(|error| panic!("making the group: {error}"));
    assert!(sim.members.iter().all(|member| member.suite() == suite));
    sim.update(1);
    sim.update(2);
    sim.message(0, b"hello");
    sim.add(1, 2);
    sim.message(4, b"I am new");
    sim.remove(0, 2);
    sim.message(1, b"one fewer");
    let exported: Vec<_> = sim
        .members
        .iter()
        .map(|m| m.export_secret("test", b"ctx", 32).expect("export"))
        .collect();
    assert!(
        exported.windows(2).all(|pair| pair[0] == pair[1]),
        "exporters differ"
    );
}

/// Create, add, update, remove, messages, and a removed member rejoining.
pub fn verify_lifecycle<S: CipherSuite>(seed: u64) {
    let mut sim = Simulation::<S>::new(seed, 3);
    // The newcomers update first; other commits are refused until then.
    let newcomer = 1;
    assert!(sim.members[newcomer].needs_update());
    let newcomer_leaf = sim.members[newcomer].own_leaf();
    assert!(matches!(
        sim.members[newcomer].commit_remove_with_rng(&[LeafIndex(0)], &mut sim.rng),
        Err(GroupError::UpdateRequired)
    ));
    sim.update(newcomer);
    assert!(!sim.members[sim.index_of(newcomer_leaf)].needs_update());
    sim.update(2);
    sim.message(0, b"hello");
    sim.message(1, b"hi");
    sim.add(0, 2);
    sim.message(4, b"I am new");
    let carol_leaf = sim.members[2].own_leaf();
    let carol_name = sim.members[2].identity().name().to_vec();
    sim.remove(0, 2);
    assert!(sim.members.iter().all(|m| m.own_leaf() != carol_leaf));
    sim.message(1, b"carol is gone");
    // Carol rejoins with a new KeyPackage: she takes her old slot (the leftmost tombstone).
    let identity = Identity::<S>::new_with_rng(carol_name, &mut sim.rng);
    let bundle = identity
        .key_package_with_rng(&mut sim.rng)
        .expect("key package");
    let key_package = bundle.key_package().clone();
    let pending = sim.members[1]
        .commit_add_with_rng(&[key_package], &mut sim.rng)
        .expect("add carol");
    assert_eq!(pending.summary().added, vec![carol_leaf]);
    sim.deliver(1, pending, vec![(identity, bundle)])
        .expect("accepted");
    let carol = sim.members.len() - 1;
    sim.update(carol);
    sim.message(carol, b"I am back");
    let exported: Vec<_> = sim
        .members
        .iter()
        .map(|m| m.export_secret("test", b"ctx", 32).expect("export"))
        .collect();
    assert!(
        exported.windows(2).all(|pair| pair[0] == pair[1]),
        "exporters differ"
    );
}

/// Two members commit for the same epoch: the first one the service sees wins; the other is
/// refused as stale by the service and by the members, and succeeds after rebuilding.
pub fn verify_concurrent_commits<S: CipherSuite>(seed: u64) {
    let mut sim = Simulation::<S>::new(seed, 4);
    for index in 1..4 {
        sim.update(index);
    }
    let epoch = sim.members[0].epoch();
    let first = sim.members[1]
        .commit_update_with_rng(&mut sim.rng)
        .expect("update");
    let second = sim.members[2]
        .commit_update_with_rng(&mut sim.rng)
        .expect("update");
    let losing = second.message().to_vec();
    sim.deliver(1, first, Vec::new())
        .expect("the first commit wins");
    assert!(matches!(
        sim.service.submit(&losing),
        Err(OrderingError::StaleEpoch { current, got }) if current == epoch + 1 && got == epoch
    ));
    // A member that sees the losing commit anyway rejects it as stale and stays as it was.
    let before = sim.members[3].epoch_authenticator().clone();
    assert!(matches!(
        sim.members[3].process_message(&losing),
        Err(GroupError::StaleEpoch { current, got }) if current == epoch + 1 && got == epoch
    ));
    assert_eq!(sim.members[3].epoch_authenticator(), &before);
    // The loser's pending commit cannot be merged any more; it rebuilds on the new epoch.
    assert!(matches!(
        sim.members[2].merge_pending_commit(second),
        Err(GroupError::StalePendingCommit)
    ));
    let rebuilt = sim.members[2]
        .commit_update_with_rng(&mut sim.rng)
        .expect("rebuild");
    sim.deliver(2, rebuilt, Vec::new())
        .expect("the rebuilt commit is accepted");
    sim.message(2, b"made it");
}

/// Forward secrecy: a message key is gone once used, and an epoch's keys are gone once the
/// member moved on, so the member's state cannot decrypt earlier messages.
pub fn verify_forward_secrecy<S: CipherSuite>(seed: u64) {
    let mut sim = Simulation::<S>::new(seed, 3);
    sim.update(1);
    sim.update(2);
    let old = sim.members[0]
        .encrypt_application_with_rng(b"before", &mut sim.rng)
        .expect("encrypt");
    assert!(matches!(
        sim.members[1].process_message(&old),
        Ok(Received::Application { .. })
    ));
    // Used once: the key is deleted.
    assert!(
        sim.members[1].process_message(&old).is_err(),
        "a consumed key decrypted again"
    );
    let unread = sim.members[0]
        .encrypt_application_with_rng(b"never read in time", &mut sim.rng)
        .expect("encrypt");
    // The group moves on. Within the window of past epochs kept (`GroupConfig::past_epochs`)
    // a late message still decrypts, once.
    let window = GroupConfig::default().past_epochs;
    for _ in 0..window {
        sim.update(0);
    }
    if window > 0 {
        assert!(matches!(
            sim.members[2].process_message(&old),
            Ok(Received::Application { .. })
        ));
        assert!(
            sim.members[2].process_message(&old).is_err(),
            "a late message decrypted twice"
        );
    }
    // One epoch more and the epoch has left the window: its keys are deleted.
    sim.update(0);
    assert!(matches!(
        sim.members[2].process_message(&unread),
        Err(GroupError::StaleEpoch { .. })
    ));
}

/// Post-compromise security: a copy of a member's state taken before its update cannot follow
/// the group after that update and one more commit.
pub fn verify_post_compromise_security<S: CipherSuite>(seed: u64) {
    let mut sim = Simulation::<S>::new(seed, 3);
    sim.update(1);
    sim.update(2);
    let stolen = Group::<S>::from_bytes(sim.members[1].to_bytes().expect("serialize").as_bytes())
        .expect("restore");
    let mut stolen = stolen;
    assert_eq!(
        stolen.epoch_authenticator(),
        sim.members[1].epoch_authenticator()
    );
    // The victim heals by updating; then someone else commits.
    let heal = sim.members[1]
        .commit_update_with_rng(&mut sim.rng)
        .expect("update");
    let heal_message = heal.message().to_vec();
    sim.deliver(1, heal, Vec::new()).expect("accepted");
    let next = sim.members[0]
        .commit_update_with_rng(&mut sim.rng)
        .expect("update");
    let next_message = next.message().to_vec();
    sim.deliver(0, next, Vec::new()).expect("accepted");
    // The stolen state cannot process the victim's update (it lacks the new leaf secret) nor
    // what follows, and it never holds the group's new epoch secrets.
    assert!(stolen.process_message(&heal_message).is_err());
    assert!(stolen.process_message(&next_message).is_err());
    for member in &sim.members {
        assert_ne!(stolen.epoch_authenticator(), member.epoch_authenticator());
    }
    let message = sim.members[0]
        .encrypt_application_with_rng(b"secret", &mut sim.rng)
        .expect("encrypt");
    assert!(
        stolen.process_message(&message).is_err(),
        "the stolen state read a later message"
    );
}

/// Random operation sequences with up to `max_members` members: after every step all members
/// agree on the epoch authenticator, and every rejected message (a damaged, replayed, stale or
/// foreign one) leaves the rejecting member's serialized state byte-identical.
pub fn verify_random_operations<S: CipherSuite>(seed: u64, steps: usize, max_members: usize) {
    let mut sim = Simulation::<S>::new(seed, 2);
    let mut old_commits: Vec<Vec<u8>> = Vec::new();
    let foreign = Simulation::<S>::new(seed ^ 0x5a5a, 2);
    let mut foreign = foreign;
    let foreign_commit = foreign.members[1]
        .commit_update_with_rng(&mut foreign.rng)
        .expect("update");
    for step in 0..steps {
        let size = sim.members.len();
        let sender = sim.rng.random_range(0..size);
        let roll: u32 = sim.rng.random_range(0..10);
        let before_len = sim.service.fetch(sim.group_id(), 0).len();
        if roll < 3 && size < max_members {
            let count = sim.rng.random_range(1..=4.min(max_members - size));
            sim.add(sender, count);
        } else if roll < 5 && size > 2 {
            let mut victim = sim.rng.random_range(0..size - 1);
            if victim >= sender {
                victim += 1;
            }
            sim.remove(sender, victim);
        } else if roll < 8 {
            // Before the real update goes out, damaged copies of it (for the current epoch) reach
            // another member: each is rejected and leaves that member's state as it was.
            let pending = sim.members[sender]
                .commit_update_with_rng(&mut sim.rng)
                .expect("update");
            if size > 1 {
                let receiver = (sender + 1) % size;
                for _ in 0..4 {
                    let mut damaged = pending.message().to_vec();
                    let position = sim.rng.random_range(0..damaged.len());
                    damaged[position] ^= 1 << sim.rng.random_range(0..8);
                    assert_rejected_without_change(
                        &mut sim.members[receiver],
                        &damaged,
                        format!("step {step}"),
                    );
                }
            }
            sim.deliver(sender, pending, Vec::new()).expect("accepted");
        } else {
            sim.message(sender, format!("step {step}").as_bytes());
        }
        let log = sim.service.fetch(sim.group_id(), before_len).to_vec();
        old_commits.extend(log.into_iter().filter(|m| {
            artmls::ordering::MessageHeader::read(m)
                .map(|h| h.is_commit)
                .unwrap_or(false)
        }));

        // Bad messages for a random member: each must be rejected with the state unchanged.
        let victim = sim.rng.random_range(0..sim.members.len());
        let mut bad: Vec<Vec<u8>> = vec![
            foreign_commit.message().to_vec(),
            vec![0, 1, 0, 1],
            Vec::new(),
        ];
        if let Some(last) = old_commits.last() {
            bad.push(last.clone());
            let mut damaged = last.clone();
            let position = sim.rng.random_range(0..damaged.len());
            damaged[position] ^= 1 << sim.rng.random_range(0..8);
            bad.push(damaged);
            bad.push(last[..last.len() / 2].to_vec());
        }
        for message in bad {
            assert_rejected_without_change(
                &mut sim.members[victim],
                &message,
                format!("step {step}"),
            );
        }
        sim.assert_agreement(&format!("step {step}"));
    }
}

/// `message` is rejected, and the member's serialized state is byte for byte what it was.
/// Returns the error.
pub fn assert_rejected_without_change<S: CipherSuite>(
    member: &mut Group<S>,
    message: &[u8],
    what: impl core::fmt::Display,
) -> GroupError {
    let before = member.to_bytes().expect("serialize");
    let error = match member.process_message(message) {
        Ok(received) => panic!("{what}: a bad message was accepted: {received:?}"),
        Err(error) => error,
    };
    let after = member.to_bytes().expect("serialize");
    assert_eq!(
        before.as_bytes(),
        after.as_bytes(),
        "{what}: a rejected message changed the state"
    );
    error
}

/// A commit whose confirmation tag, membership tag or signature was damaged on the way, or that
/// names another group or epoch, is rejected with a typed error, and the receiver stays as it
/// was. (The membership tag covers the signature and confirmation tag, so damage to those shows
/// as a membership tag mismatch; the signature and confirmation checks themselves are covered by
/// the framing tests and the transcript-hash vectors.)
pub fn verify_commit_rejections<S: CipherSuite>(seed: u64) {
    use artmls::codec::{Decode, Encode};
    use artmls::group::ArtCommit;
    use artmls::messages::MlsMessage;

    let mut sim = Simulation::<S>::new(seed, 3);
    sim.update(1);
    sim.update(2);
    let pending = sim.members[1]
        .commit_update_with_rng(&mut sim.rng)
        .expect("update");
    let decode = |bytes: &[u8]| match MlsMessage::<ArtCommit>::decode_exact(bytes) {
        Ok(MlsMessage::PublicMessage(message)) => message,
        other => panic!("not a PublicMessage: {other:?}"),
    };
    let encode = |message| {
        MlsMessage::<ArtCommit>::PublicMessage(message)
            .encode_to_vec()
            .expect("encode")
    };
    let good = decode(pending.message());

    let mut tag = good.clone();
    if let Some(tag) = tag.auth.confirmation_tag.as_mut() {
        tag[0] ^= 1;
    }
    let mut membership = good.clone();
    if let Some(tag) = membership.membership_tag.as_mut() {
        tag[0] ^= 1;
    }
    let mut signature = good.clone();
    signature.auth.signature[0] ^= 1;
    let mut group = good.clone();
    group.content.group_id.push(0);
    let mut future = good.clone();
    future.content.epoch += 1;
    let cases = [
        ("confirmation tag", encode(tag)),
        ("membership tag", encode(membership)),
        ("signature", encode(signature)),
        ("group id", encode(group)),
        ("epoch", encode(future)),
    ];
    for (what, message) in cases {
        let error = assert_rejected_without_change(&mut sim.members[0], &message, what);
        let expected = match what {
            // The membership tag covers the confirmation tag, so a tag damaged in transit is
            // caught there first.
            "confirmation tag" => matches!(
                error,
                GroupError::Framing(
                    artmls::internals::framing::FramingError::MembershipTagMismatch
                )
            ),
            "membership tag" => matches!(
                error,
                GroupError::Framing(
                    artmls::internals::framing::FramingError::MembershipTagMismatch
                )
            ),
            "signature" => matches!(
                error,
                GroupError::Framing(
                    artmls::internals::framing::FramingError::MembershipTagMismatch
                )
            ),
            "group id" => matches!(error, GroupError::WrongGroup),
            _ => matches!(error, GroupError::FutureEpoch { .. }),
        };
        assert!(expected, "{what}: unexpected error {error:?}");
    }
    sim.deliver(1, pending, Vec::new())
        .expect("the genuine commit still goes through");
}

/// A member's state survives serialization: the restored member follows the group and
/// serializes to the same bytes.
pub fn verify_persistence<S: CipherSuite>(seed: u64) {
    let mut sim = Simulation::<S>::new(seed, 4);
    sim.update(1);
    sim.message(0, b"one");
    sim.message(2, b"two");
    let bytes = sim.members[3].to_bytes().expect("serialize");
    let restored = Group::<S>::from_bytes(bytes.as_bytes()).expect("restore");
    assert_eq!(
        restored.to_bytes().expect("serialize").as_bytes(),
        bytes.as_bytes()
    );
    sim.members[3] = restored;
    sim.update(3);
    sim.message(3, b"after a restart");
    sim.add(0, 1);
    // Damaged state is refused, never a panic.
    for cut in [0, 5, bytes.len() / 2, bytes.len() - 1] {
        assert!(Group::<S>::from_bytes(&bytes.as_bytes()[..cut]).is_err());
    }
    let mut version = bytes.as_bytes().to_vec();
    version[12] = 99;
    assert!(matches!(
        Group::<S>::from_bytes(&version),
        Err(GroupError::InvalidState(_))
    ));
}

/// A dishonest member forges commits. It holds the epoch's membership key, so every forgery
/// carries a valid membership tag (and, where the forger can, a valid signature): only the
/// deeper checks catch it. Each is rejected with its own typed error and leaves the receiver's
/// state byte for byte as it was; the honest commit then goes through.
pub fn verify_insider_forgeries<S: CipherSuite>(seed: u64) {
    use artmls::SignatureScheme as _;
    use artmls::codec::{Decode, Encode};
    use artmls::group::ArtCommit;
    use artmls::internals::framing::{FramingError, protect_public, sign_content};
    use artmls::internals::key_schedule::KeyScheduleError;
    use artmls::messages::{Content, FramedContent, MessageError, MlsMessage, WireFormat};

    let mut sim = Simulation::<S>::new(seed, 4);
    for member in 1..4 {
        sim.update(member);
    }
    let insider = 2;
    let pending = sim.members[insider]
        .commit_update_with_rng(&mut sim.rng)
        .expect("update");
    let Ok(MlsMessage::PublicMessage(genuine)) =
        MlsMessage::<ArtCommit>::decode_exact(pending.message())
    else {
        panic!("a commit is a PublicMessage");
    };
    let forger = &sim.members[insider];
    let context = forger.context().clone();
    // Signs `content` as the forger, optionally damages the signature, and adds a valid
    // membership tag.
    let forge = |content: FramedContent<ArtCommit>, tag: Vec<u8>, damage_signature: bool| {
        let mut signed = sign_content::<S, ArtCommit>(
            WireFormat::PublicMessage,
            content,
            &context,
            forger.identity().signing_key(),
            Some(tag),
        )
        .expect("sign");
        if damage_signature {
            signed.auth.signature[0] ^= 1;
        }
        let message = protect_public::<S, ArtCommit>(signed, &context, forger.membership_key())
            .expect("membership tag");
        MlsMessage::<ArtCommit>::PublicMessage(message)
            .encode_to_vec()
            .expect("encode")
    };
    let genuine_tag = genuine
        .auth
        .confirmation_tag
        .clone()
        .expect("a commit has a confirmation tag");
    let with_commit = |change: &dyn Fn(&mut ArtCommit)| {
        let mut content = genuine.content.clone();
        let Content::Commit(commit) = &mut content.content else {
            panic!("not a commit");
        };
        change(commit);
        content
    };
    // Another valid public key of the tree, to splice into the path.
    let stray_key = sim.members[0]
        .art()
        .tree()
        .public_key(LeafIndex(0).node())
        .expect("leaf 0 has a key")
        .as_ref()
        .to_vec();

    let mut wrong_tag = genuine_tag.clone();
    wrong_tag[0] ^= 1;
    let cases: Vec<(&str, Vec<u8>)> = vec![
        (
            "confirmation tag",
            forge(genuine.content.clone(), wrong_tag, false),
        ),
        (
            "signature",
            forge(genuine.content.clone(), genuine_tag.clone(), true),
        ),
        (
            "path",
            forge(
                with_commit(&|commit| commit.tree_change.parent_keys[0] = stray_key.clone()),
                genuine_tag.clone(),
                false,
            ),
        ),
        (
            "leaf node signature",
            forge(
                with_commit(&|commit| {
                    if let Some(leaf_node) = commit.leaf_node.as_mut() {
                        leaf_node.signature[0] ^= 1;
                    }
                }),
                genuine_tag.clone(),
                false,
            ),
        ),
    ];
    // The forging itself is faithful: where signatures are deterministic, re-framing the
    // genuine commit gives back its exact bytes, so each rejection below is due to its damage.
    // (ring's and aws-lc's ECDSA draw a fresh nonce for every signature.)
    let signing_key = forger.identity().signing_key();
    let probe = |message: &[u8]| S::Signature::sign(signing_key, message).expect("sign");
    if probe(b"probe") == probe(b"probe") {
        let control = forge(genuine.content.clone(), genuine_tag.clone(), false);
        assert_eq!(control, pending.message(), "re-framing changed the commit");
    }

    for (what, message) in cases {
        let error = assert_rejected_without_change(&mut sim.members[0], &message, what);
        let expected = match what {
            "confirmation tag" => matches!(
                error,
                GroupError::KeySchedule(KeyScheduleError::ConfirmationTagMismatch)
            ),
            "signature" => matches!(
                error,
                GroupError::Framing(FramingError::InvalidSignature(_))
            ),
            "leaf node signature" => matches!(
                error,
                GroupError::Message(MessageError::InvalidSignature(_))
            ),
            // The receiver derives the path above its common ancestor with the sender and
            // finds a key the sender did not derive; if it did not look, the confirmation tag
            // would differ.
            _ => matches!(
                error,
                GroupError::Tree(_)
                    | GroupError::KeySchedule(KeyScheduleError::ConfirmationTagMismatch)
            ),
        };
        assert!(expected, "{what}: unexpected error {error:?}");
    }
    sim.deliver(insider, pending, Vec::new())
        .expect("the genuine commit still goes through");
}

/// A dishonest adder seals a Welcome whose tree carries a LeafNode with a bad signature, under
/// a GroupInfo it signs itself: the newcomer checks every LeafNode and refuses to join.
pub fn verify_welcome_with_forged_leaf_node<S: CipherSuite>(seed: u64) {
    use artmls::SignatureScheme as _;
    use artmls::codec::{Decode, Encode};
    use artmls::group::{ART_RATCHET_TREE_EXTENSION, ArtCommit, ArtRatchetTree};
    use artmls::internals::key_schedule::psk_secret;
    use artmls::internals::welcome::{
        NewMember, decrypt_group_info, decrypt_group_secrets, seal_welcome,
    };
    use artmls::messages::{GroupInfo, MessageError, MlsMessage};

    let mut sim = Simulation::<S>::new(seed, 3);
    let (identity, bundle) = sim.newcomer();
    let adder = &sim.members[0];
    let pending = adder
        .commit_add_with_rng(&[bundle.key_package().clone()], &mut sim.rng)
        .expect("add");
    let Ok(MlsMessage::Welcome(welcome)) =
        MlsMessage::<ArtCommit>::decode_exact(pending.welcome().expect("a Welcome"))
    else {
        panic!("not a Welcome");
    };
    // What the adder knows: the joiner secret, the newcomer's leaf secret, the GroupInfo.
    let secrets =
        decrypt_group_secrets::<S>(&welcome, bundle.key_package(), bundle.init_private_key())
            .expect("group secrets");
    let psk = psk_secret::<S>(&[]).expect("no PSKs");
    let group_info =
        decrypt_group_info::<S>(&welcome, &secrets.joiner_secret, Some(&psk)).expect("info");
    let mut rng = seeded(seed ^ 0x5eed);
    let mut reseal = |mut group_info: GroupInfo| {
        group_info
            .sign::<S>(adder.identity().signing_key())
            .expect("sign");
        let newcomer = NewMember {
            key_package: bundle.key_package(),
            path_secret: secrets.path_secret.as_ref().map(|p| p.path_secret.clone()),
        };
        let welcome = seal_welcome::<S, _>(
            &group_info,
            &secrets.joiner_secret,
            &[],
            &[newcomer],
            &mut rng,
        )
        .expect("seal");
        MlsMessage::<ArtCommit>::Welcome(welcome)
            .encode_to_vec()
            .expect("encode")
    };
    let same_identity = || {
        let key = S::Signature::signing_key_from_bytes(identity.signing_key_bytes().as_bytes())
            .expect("key");
        Identity::<S>::from_signing_key(identity.name(), key)
    };

    // The adder's resealing itself is sound: the untouched GroupInfo joins.
    let honest = reseal(group_info.clone());
    Group::join(&honest, &bundle, same_identity(), GroupConfig::default())
        .expect("a resealed honest Welcome joins");

    let mut forged = group_info;
    let extension = forged
        .extensions
        .iter_mut()
        .find(|e| e.extension_type == ART_RATCHET_TREE_EXTENSION)
        .expect("the GroupInfo carries the tree");
    let mut tree = ArtRatchetTree::decode_exact(&extension.extension_data).expect("tree");
    // Leaf 1 is another member, not the adder (the GroupInfo's signer) nor the newcomer.
    tree.leaf_nodes[1]
        .as_mut()
        .expect("leaf 1 is a member")
        .signature[0] ^= 1;
    extension.extension_data = tree.encode_to_vec().expect("encode tree");
    let forged = reseal(forged);
    let Err(error) = Group::join(&forged, &bundle, identity, GroupConfig::default()) else {
        panic!("a tree with a forged LeafNode was accepted");
    };
    assert!(
        matches!(
            error,
            GroupError::Message(MessageError::InvalidSignature(_))
        ),
        "unexpected error {error:?}"
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn erased_groups_live_the_same_life_on_every_provider_and_suite() {
        let mut ran = 0;
        for provider in artmls_providers::all() {
            for suite in provider.suites() {
                verify_erased_lifecycle(*provider, *suite, 0x7000 + u64::from(suite.0));
                ran += 1;
            }
        }
        assert!(ran >= artmls_providers::all().len(), "every provider ran");
    }

    #[test]
    fn typed_and_erased_simulations_of_one_seed_are_one_run() {
        type Suite = artmls_dalek::X25519Aes128GcmSha256Ed25519;
        let setup = || Setup {
            group_id: b"same".to_vec(),
            creator: "member-creator".into(),
            first_number: 0,
        };
        let (mut typed, _) =
            GroupSimulation::build(Typed::<Suite>::default(), seeded(9), setup(), 4)
                .expect("typed");
        let erased = Erased {
            provider: &artmls_dalek::PROVIDER,
            suite: SuiteId::X25519_AES128GCM_SHA256_ED25519,
        };
        let (mut erased, _) =
            GroupSimulation::build(erased, seeded(9), setup(), 4).expect("erased");
        for sim_step in 0..3 {
            typed.update(sim_step + 1);
            erased.update(sim_step + 1);
        }
        typed.add(0, 1);
        erased.add(0, 1);
        // The same seed draws the same bytes through `&mut dyn CryptoRng` as through the
        // typed RNG, so the two runs are the same group.
        assert_eq!(
            typed.members[0].epoch_authenticator(),
            erased.members[0].epoch_authenticator()
        );
        assert_eq!(typed.log(0), erased.log(0));
    }
}
