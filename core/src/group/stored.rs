//! A group kept in a [`Storage`]: loaded by its id, and written after every change, as one
//! transaction, with only what changed.
//!
//! A group is three kinds of records (see [`crate::storage::RecordKind`]):
//! - its state: context, own path secrets, epoch secrets, secret tree, signing key,
//!   settings, log position, and the list of its past-epoch records (`persist` module);
//! - one record per node of its public tree, a leaf's holding the member's LeafNode:
//!
//!   ```text
//!   leaf:   LeafKind kind; optional<HPKEPublicKey> key; optional<LeafNode> leaf_node;
//!   parent: optional<HPKEPublicKey> key;
//!   ```
//! - one record per past epoch kept (`past` module).
//!
//! A commit changes the sender's path and a few leaves, so a write compares the tree with
//! the nodes as last written (a comparison of bytes per node, no encoding) and writes only
//! those that differ: O(log n) records for an update, not n.
//!
//! On load every record must open with the storage key under its own key and metadata; the
//! state names the write that last wrote each past epoch; the nodes must hash to the tree
//! hash of the state's context. A record changed, moved to another group or key, or rolled
//! back alone is refused.

use std::collections::BTreeSet;

use super::past::PastEpoch;
use super::persist::{PastRef, persisted_reader};
use super::{
    ArtRatchetTree, CommitSummary, CurrentView, Group, GroupConfig, GroupError, Identity,
    KeyPackageBundle, PendingCommit, Received, TreeView,
};
use crate::art_tree::LeafKind;
use crate::codec::{CodecError, Decode, Encode, write_varint};
use crate::crypto::SignatureScheme;
use crate::messages::{KeyPackage, LeafNode, MlsMessage};
use crate::secret::Secret;
use crate::storage::{
    Operation, RecordKey, RecordKind, SharedStorage, Storage, StoreError, Transaction, hex,
};
use crate::suite::CipherSuite;
use crate::tree_math::{LeafIndex, NodeIndex, node_width};

/// What a group keeps of its store.
pub(super) struct Persistence {
    storage: SharedStorage,
    /// The tree as the store holds it, node by node (`None`: not written yet).
    written: Vec<Option<StoredNode>>,
    /// The nodes merged commits changed since the last write: the only ones a write looks
    /// at, besides those never written.
    changed: BTreeSet<u32>,
    /// The past-epoch records in the store.
    past_written: Vec<PastRef>,
    /// The write counter of the last transaction.
    generation: u64,
    /// The epoch of the last transaction.
    epoch: u64,
    /// A write failed: the store holds an older state than memory.
    unsynced: bool,
}

/// One node of the tree as a record holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct StoredNode {
    /// The leaf's kind, for a leaf.
    kind: Option<LeafKind>,
    key: Option<Vec<u8>>,
    leaf_node: Option<LeafNode>,
}

/// One node of the tree as it is now, borrowed.
struct NodeView<'a> {
    kind: Option<LeafKind>,
    key: Option<&'a [u8]>,
    leaf_node: Option<&'a LeafNode>,
}

impl<'a> NodeView<'a> {
    fn of(view: &'a impl TreeView, node: NodeIndex) -> Self {
        if node.is_leaf() {
            let leaf = LeafIndex(node.0 / 2);
            NodeView {
                kind: Some(view.leaf_kind(leaf)),
                key: view.public_key(node),
                leaf_node: view.leaf_node(leaf),
            }
        } else {
            NodeView {
                kind: None,
                key: view.public_key(node),
                leaf_node: None,
            }
        }
    }

    fn is_stored_as(&self, stored: &StoredNode) -> bool {
        self.kind == stored.kind
            && self.key == stored.key.as_deref()
            && self.leaf_node == stored.leaf_node.as_ref()
    }

    fn to_stored(&self) -> StoredNode {
        StoredNode {
            kind: self.kind,
            key: self.key.map(<[u8]>::to_vec),
            leaf_node: self.leaf_node.cloned(),
        }
    }

    fn encode(&self) -> Result<Vec<u8>, CodecError> {
        let mut out = Vec::new();
        if let Some(kind) = self.kind {
            kind.encode(&mut out)?;
        }
        match self.key {
            None => 0u8.encode(&mut out)?,
            Some(key) => {
                1u8.encode(&mut out)?;
                write_varint(&mut out, key.len())?;
                out.extend_from_slice(key);
            }
        }
        if self.kind.is_some() {
            self.leaf_node.cloned().encode(&mut out)?;
        }
        Ok(out)
    }
}

impl StoredNode {
    fn decode(node: NodeIndex, bytes: &[u8]) -> Result<Self, CodecError> {
        let mut reader = persisted_reader(bytes);
        let kind = if node.is_leaf() {
            Some(LeafKind::decode(&mut reader)?)
        } else {
            None
        };
        let key = Option::<Vec<u8>>::decode(&mut reader)?;
        let leaf_node = if node.is_leaf() {
            Option::<LeafNode>::decode(&mut reader)?
        } else {
            None
        };
        reader.finish()?;
        Ok(StoredNode {
            kind,
            key,
            leaf_node,
        })
    }
}

impl Persistence {
    /// Notes nodes a merged commit changed, for the next write.
    pub(super) fn mark_changed(&mut self, nodes: impl IntoIterator<Item = NodeIndex>) {
        self.changed.extend(nodes.into_iter().map(|node| node.0));
    }
}

fn inconsistent(group_id: &[u8], reason: &'static str) -> StoreError {
    StoreError::Inconsistent {
        scope: hex(group_id),
        reason,
    }
}

/// A KeyPackage record:
/// `KeyPackage key_package; opaque init_private_key<V>; opaque signing_key<V>; opaque name<V>`.
fn encode_key_package<S: CipherSuite>(
    bundle: &KeyPackageBundle<S>,
    identity: &Identity<S>,
) -> Result<Secret, CodecError> {
    let key_package = bundle.key_package().encode_to_vec()?;
    let name = identity.name().to_vec().encode_to_vec()?;
    let init = bundle.init_private_key();
    let signing = identity.signing_key_bytes();
    let len = key_package.len() + init.len() + signing.len() + name.len() + 16;
    Secret::write_exact(len, |out| {
        out.extend_from_slice(&key_package);
        init.encode(out)?;
        signing.encode(out)?;
        out.extend_from_slice(&name);
        Ok(())
    })
}

fn decode_key_package<S: CipherSuite>(
    bytes: &[u8],
) -> Result<(KeyPackageBundle<S>, Identity<S>), GroupError> {
    let mut reader = persisted_reader(bytes);
    let key_package = KeyPackage::decode(&mut reader)?;
    let init_private_key = Secret::decode(&mut reader)?;
    let signing_key = Secret::decode(&mut reader)?;
    let name = Vec::<u8>::decode(&mut reader)?;
    reader.finish()?;
    let signing_key = S::Signature::signing_key_from_bytes(signing_key.as_bytes())?;
    let identity = Identity::from_signing_key(name, signing_key);
    Ok((
        KeyPackageBundle::from_parts(key_package, init_private_key),
        identity,
    ))
}

impl Storage {
    /// Keeps a KeyPackage's private keys, and the identity that made it, until a Welcome for
    /// it arrives: [`Group::join_from_storage`] uses them once and deletes them in the
    /// transaction that writes the new group.
    pub fn save_key_package<S: CipherSuite>(
        &mut self,
        bundle: &KeyPackageBundle<S>,
        identity: &Identity<S>,
    ) -> Result<(), GroupError> {
        let reference = bundle.key_package().reference::<S>()?;
        let key = RecordKey::new(reference, RecordKind::KeyPackage, 0);
        let plaintext = encode_key_package(bundle, identity)?;
        let record = self
            .key()
            .sealer::<S>()?
            .seal(&key, 0, 0, plaintext.as_bytes())?;
        let mut transaction = Transaction::new();
        transaction.put(key, record);
        self.apply(&transaction)?;
        Ok(())
    }

    /// Deletes every record of a group: what a member does once it has been removed, or
    /// leaves, so no secret of it stays on the device.
    pub fn delete_group(&mut self, group_id: &[u8]) -> Result<(), StoreError> {
        let mut transaction = Transaction::new();
        for kind in [
            RecordKind::GroupState,
            RecordKind::TreeNode,
            RecordKind::PastEpoch,
        ] {
            transaction.delete_from(group_id, kind, 0);
        }
        transaction.scrub_replaced();
        self.apply(&transaction)
    }
}

impl<S: CipherSuite> Group<S> {
    /// Refuses work once a write has failed: memory is then ahead of the store.
    pub(super) fn check_synced(&self) -> Result<(), GroupError> {
        match &self.persistence {
            Some(persistence) if persistence.unsynced => Err(StoreError::Unsynced.into()),
            _ => Ok(()),
        }
    }

    /// Keeps this group in `storage` from now on: writes its whole state at once, then what
    /// changes with every commit merged, message processed or sent, each as one transaction.
    /// A group already in the store is refused ([`StoreError::AlreadyStored`]): load it.
    pub fn attach_storage(&mut self, storage: &SharedStorage) -> Result<(), GroupError> {
        self.attach_with(storage, Transaction::new())
    }

    fn attach_with(
        &mut self,
        storage: &SharedStorage,
        transaction: Transaction,
    ) -> Result<(), GroupError> {
        if self.persistence.is_some() {
            return Err(GroupError::InvalidState(
                "the group is kept in a store already",
            ));
        }
        let state_key = RecordKey::new(self.group_id(), RecordKind::GroupState, 0);
        if storage.lock()?.store().get(&state_key)?.is_some() {
            return Err(StoreError::AlreadyStored.into());
        }
        self.persistence = Some(Box::new(Persistence {
            storage: storage.clone(),
            written: Vec::new(),
            changed: BTreeSet::new(),
            past_written: Vec::new(),
            generation: 0,
            epoch: self.context.epoch,
            unsynced: false,
        }));
        let written = self.persist_with(transaction);
        if written.is_err() {
            // Nothing was written: the group is as it was, kept nowhere.
            self.persistence = None;
        }
        written
    }

    /// Loads the group `group_id` from `storage`, and keeps it there. Every record is opened
    /// and checked (see the module documentation); a record tampered with, moved from another
    /// group, or rolled back alone is refused.
    pub fn load(storage: &SharedStorage, group_id: &[u8]) -> Result<Self, GroupError> {
        let guard = storage.lock()?;
        let store = guard.store();
        let sealer = guard.key().sealer::<S>()?;
        let state_key = RecordKey::new(group_id, RecordKind::GroupState, 0);
        let state_record = store
            .get(&state_key)?
            .ok_or(StoreError::NotFound("no group with this id"))?;
        if state_record.suite != S::ID.0 {
            return Err(GroupError::InvalidState(
                "the stored group is of another cipher suite",
            ));
        }
        let state = sealer.open(&state_key, &state_record)?;
        let (parts, past_refs) = Self::decode_state_record(state.as_bytes())?;
        if parts.context.group_id != group_id || parts.context.epoch != state_record.epoch {
            return Err(inconsistent(group_id, "the state record's group or epoch").into());
        }
        let generation = state_record.generation;

        // The tree, node by node: every node from 0 to the width, none newer than the state.
        let nodes = store.scan(group_id, RecordKind::TreeNode)?;
        let width = u32::try_from(nodes.len())
            .map_err(|_| inconsistent(group_id, "too many tree nodes"))?;
        let n_leaves = width.div_ceil(2);
        if width == 0 || node_width(n_leaves) != width {
            return Err(inconsistent(group_id, "the number of tree nodes").into());
        }
        let mut written = Vec::with_capacity(nodes.len());
        for (position, (index, record)) in nodes.iter().enumerate() {
            if *index != position as u64 {
                return Err(inconsistent(group_id, "a tree node is missing").into());
            }
            if record.generation > generation || record.epoch > state_record.epoch {
                return Err(inconsistent(group_id, "a tree node is newer than the state").into());
            }
            let key = RecordKey::new(group_id, RecordKind::TreeNode, *index);
            let plaintext = sealer.open(&key, record)?;
            written.push(StoredNode::decode(
                NodeIndex(*index as u32),
                plaintext.as_bytes(),
            )?);
        }
        let ratchet_tree = ArtRatchetTree {
            leaf_kinds: written
                .iter()
                .step_by(2)
                .map(|node| node.kind.unwrap_or(LeafKind::Blank))
                .collect(),
            keys: written.iter().map(|node| node.key.clone()).collect(),
            leaf_nodes: written
                .iter()
                .step_by(2)
                .map(|node| node.leaf_node.clone().map(Box::new))
                .collect(),
        };

        // The past epochs: exactly those the state names, each as last written.
        let past_records = store.scan(group_id, RecordKind::PastEpoch)?;
        if past_records.len() != past_refs.len() {
            return Err(
                inconsistent(group_id, "the past epochs differ from the state's list").into(),
            );
        }
        let mut past = Vec::with_capacity(past_records.len());
        for ((epoch, record), reference) in past_records.iter().zip(&past_refs) {
            if *epoch != reference.epoch
                || record.epoch != reference.epoch
                || record.generation != reference.generation
            {
                return Err(inconsistent(
                    group_id,
                    "a past epoch is not the one the state names (rolled back?)",
                )
                .into());
            }
            let key = RecordKey::new(group_id, RecordKind::PastEpoch, *epoch);
            let plaintext = sealer.open(&key, record)?;
            let mut reader = persisted_reader(plaintext.as_bytes());
            let epoch = PastEpoch::<S>::decode(&mut reader)?;
            reader.finish()?;
            if epoch.epoch() != reference.epoch {
                return Err(inconsistent(group_id, "a past epoch's number").into());
            }
            past.push(epoch);
        }
        drop(guard);

        let mut group = match Self::assemble(parts, ratchet_tree, past) {
            Err(GroupError::TreeHashMismatch) => {
                return Err(inconsistent(
                    group_id,
                    "the tree nodes do not hash to the state's tree hash (a node changed or rolled back)",
                )
                .into());
            }
            // Every record opened, so they are this store's: they just do not belong together.
            Err(GroupError::Tree(_) | GroupError::InvalidState(_)) => {
                return Err(inconsistent(
                    group_id,
                    "the tree nodes do not fit the state's own path (a node changed or rolled back)",
                )
                .into());
            }
            other => other?,
        };
        group.persistence = Some(Box::new(Persistence {
            storage: storage.clone(),
            written: written.into_iter().map(Some).collect(),
            changed: BTreeSet::new(),
            past_written: past_refs,
            generation,
            epoch: state_record.epoch,
            unsynced: false,
        }));
        Ok(group)
    }

    /// Joins from a Welcome made for one of the KeyPackages kept in `storage` (see
    /// [`Storage::save_key_package`]), and keeps the new group there. The KeyPackage's
    /// private keys are deleted in the same transaction that writes the group: a KeyPackage
    /// opens one Welcome only. If the join fails, the KeyPackage stays.
    pub fn join_from_storage(
        storage: &SharedStorage,
        welcome: &[u8],
        config: GroupConfig,
    ) -> Result<Self, GroupError> {
        let MlsMessage::<super::ArtCommit>::Welcome(parsed) =
            MlsMessage::<super::ArtCommit>::decode_exact(welcome)?
        else {
            return Err(GroupError::Unsupported("expected a Welcome"));
        };
        if parsed.cipher_suite != S::ID {
            return Err(GroupError::InvalidState(
                "the Welcome is of another cipher suite",
            ));
        }
        let (key, bundle, identity) = {
            let guard = storage.lock()?;
            let sealer = guard.key().sealer::<S>()?;
            let mut found = None;
            for secrets in &parsed.secrets {
                let key = RecordKey::new(secrets.new_member.as_slice(), RecordKind::KeyPackage, 0);
                if let Some(record) = guard.store().get(&key)? {
                    let plaintext = sealer.open(&key, &record)?;
                    let (bundle, identity) = decode_key_package::<S>(plaintext.as_bytes())?;
                    found = Some((key, bundle, identity));
                    break;
                }
            }
            found.ok_or(StoreError::NotFound("a KeyPackage this Welcome is for"))?
        };
        let mut group = Self::join(welcome, &bundle, identity, config)?;
        let mut transaction = Transaction::new();
        transaction.delete(key);
        transaction.scrub_replaced();
        group.attach_with(storage, transaction)?;
        Ok(group)
    }

    /// The position in the delivery service's log this member has read up to: the next
    /// entry it expects. It is written with the state, in the same transaction.
    pub fn log_position(&self) -> u64 {
        self.log_position
    }

    /// How many transactions have written this group, when it is kept in a store. An
    /// application that must notice its whole store being rolled back (a file restored from
    /// a backup) keeps this number somewhere monotonic and compares after loading.
    pub fn storage_generation(&self) -> Option<u64> {
        self.persistence.as_ref().map(|p| p.generation)
    }

    /// Whether this group is kept in a store.
    pub fn is_stored(&self) -> bool {
        self.persistence.is_some()
    }

    /// [`Group::process_message`] for the log entry at `position`: the group's state and
    /// its read position (`position + 1`) are written in one transaction, so after a crash
    /// the message is either applied and read, or neither. A position below
    /// [`Group::log_position`] was processed already and is refused
    /// ([`GroupError::AlreadyProcessed`]); a rejected message changes nothing, not even the
    /// position (skip it with [`Group::set_log_position`]).
    pub fn process_message_at(
        &mut self,
        position: u64,
        message: &[u8],
    ) -> Result<Received, GroupError> {
        let before = self.advance_position(position)?;
        let result = self.process_message(message);
        if result.is_err() && !self.is_unsynced() {
            self.log_position = before;
        }
        result
    }

    /// [`Group::merge_pending_commit`] for this member's own commit, which the delivery
    /// service put at `position` in the log: merged and read in one transaction.
    pub fn merge_pending_commit_at(
        &mut self,
        position: u64,
        pending: PendingCommit<S>,
    ) -> Result<CommitSummary, GroupError> {
        let before = self.advance_position(position)?;
        let result = self.merge_pending_commit(pending);
        if result.is_err() && !self.is_unsynced() {
            self.log_position = before;
        }
        result
    }

    /// Records that the log has been read up to `position` (the next entry expected), for
    /// entries skipped: a rejected message, or one for another member. Written at once.
    pub fn set_log_position(&mut self, position: u64) -> Result<(), GroupError> {
        self.check_synced()?;
        if position < self.log_position {
            return Err(GroupError::AlreadyProcessed {
                position,
                next: self.log_position,
            });
        }
        let before = self.log_position;
        self.log_position = position;
        let written = self.persist();
        if written.is_err() && !self.is_unsynced() {
            self.log_position = before;
        }
        written
    }

    fn advance_position(&mut self, position: u64) -> Result<u64, GroupError> {
        self.check_synced()?;
        if position < self.log_position {
            return Err(GroupError::AlreadyProcessed {
                position,
                next: self.log_position,
            });
        }
        let next = position
            .checked_add(1)
            .ok_or(GroupError::InvalidState("log position overflow"))?;
        Ok(core::mem::replace(&mut self.log_position, next))
    }

    fn is_unsynced(&self) -> bool {
        self.persistence.as_ref().is_some_and(|p| p.unsynced)
    }

    /// Writes what changed since the last write, as one transaction (nothing when the group
    /// is kept in no store). A failed write leaves the group refusing work until it is
    /// loaded again: the store still holds the state before this change.
    pub(super) fn persist(&mut self) -> Result<(), GroupError> {
        self.persist_with(Transaction::new())
    }

    fn persist_with(&mut self, transaction: Transaction) -> Result<(), GroupError> {
        let Some(mut persistence) = self.persistence.take() else {
            return Ok(());
        };
        let written = self.write(&mut persistence, transaction);
        if written.is_err() {
            persistence.unsynced = true;
        }
        self.persistence = Some(persistence);
        written
    }

    fn write(
        &mut self,
        persistence: &mut Persistence,
        mut transaction: Transaction,
    ) -> Result<(), GroupError> {
        let generation = persistence.generation + 1;
        let epoch = self.context.epoch;
        let group_id = self.context.group_id.clone();
        let storage = persistence.storage.clone();
        let mut storage = storage.lock()?;
        let sealer = storage.key().sealer::<S>()?;

        // The nodes that differ from the store's. Only those merged commits changed, and
        // those never written, can: looking at them alone keeps a write O(log n) for an
        // update. (Test builds compare every node, to check that no change goes unmarked.)
        let view = CurrentView {
            tree: self.tree.tree(),
            members: &self.members,
        };
        let width = node_width(view.n_leaves());
        let never_written = (persistence.written.len() as u32).min(width)..width;
        let candidates: Vec<u32> = persistence
            .changed
            .iter()
            .copied()
            .filter(|node| *node < width)
            .chain(never_written)
            .collect();
        #[cfg(debug_assertions)]
        for node in 0..width {
            let stored = persistence
                .written
                .get(node as usize)
                .and_then(Option::as_ref);
            let now = NodeView::of(&view, NodeIndex(node));
            debug_assert!(
                stored.is_some_and(|stored| now.is_stored_as(stored)) || candidates.contains(&node),
                "node {node} changed but was not marked"
            );
        }
        let mut changed = Vec::new();
        for node in candidates {
            let now = NodeView::of(&view, NodeIndex(node));
            let stored = persistence
                .written
                .get(node as usize)
                .and_then(Option::as_ref);
            if stored.is_some_and(|stored| now.is_stored_as(stored)) {
                continue;
            }
            let key = RecordKey::new(group_id.as_slice(), RecordKind::TreeNode, u64::from(node));
            let record = sealer.seal(&key, epoch, generation, &now.encode()?)?;
            transaction.put(key, record);
            changed.push((node as usize, now.to_stored()));
        }
        if (width as usize) < persistence.written.len() {
            transaction.delete_from(&group_id, RecordKind::TreeNode, u64::from(width));
        }

        // The past epochs: new ones and those a late message moved are written; those that
        // left the window are deleted (and, in an engine that overwrites what it deletes,
        // gone from the disk).
        let mut past_refs = Vec::with_capacity(self.past.len());
        for past in &self.past {
            let stored = persistence
                .past_written
                .iter()
                .find(|reference| reference.epoch == past.epoch());
            match stored {
                Some(reference) if !past.touched => past_refs.push(*reference),
                _ => {
                    let key =
                        RecordKey::new(group_id.as_slice(), RecordKind::PastEpoch, past.epoch());
                    let plaintext = past.encode()?;
                    transaction.put(
                        key.clone(),
                        sealer.seal(&key, past.epoch(), generation, plaintext.as_bytes())?,
                    );
                    past_refs.push(PastRef {
                        epoch: past.epoch(),
                        generation,
                    });
                }
            }
        }
        for reference in &persistence.past_written {
            if !past_refs.iter().any(|kept| kept.epoch == reference.epoch) {
                transaction.delete(RecordKey::new(
                    group_id.as_slice(),
                    RecordKind::PastEpoch,
                    reference.epoch,
                ));
            }
        }

        // Secrets leave for good when the epoch changes (the old epoch's key schedule, and its
        // path secrets where they were replaced) and when a past epoch leaves the window: the
        // engine scrubs them now. Within an epoch, a spent message key is scrubbed with the
        // next epoch change.
        if epoch != persistence.epoch
            || self.removed
            || transaction
                .operations()
                .iter()
                .any(|operation| !matches!(operation, Operation::Put(..)))
        {
            transaction.scrub_replaced();
        }
        let state = self.encode_state_record(&past_refs)?;
        let key = RecordKey::new(group_id.as_slice(), RecordKind::GroupState, 0);
        let record = sealer.seal(&key, epoch, generation, state.as_bytes())?;
        transaction.put(key, record);
        storage.apply(&transaction)?;
        drop(storage);

        // Written: the store now holds this.
        persistence.written.resize(width as usize, None);
        for (node, stored) in changed {
            persistence.written[node] = Some(stored);
        }
        persistence.changed.clear();
        persistence.past_written = past_refs;
        persistence.generation = generation;
        persistence.epoch = epoch;
        for past in &mut self.past {
            past.touched = false;
        }
        Ok(())
    }
}
