//! A store in memory, for tests and for applications that keep nothing.

use std::collections::BTreeMap;

use super::{Operation, Record, RecordKey, RecordKind, Store, StoreError, StoreInfo, Transaction};

/// Records in a map in memory: gone when dropped. Transactions apply all at once, since
/// nothing can interrupt them.
#[derive(Debug, Default, Clone)]
pub struct MemoryStore {
    records: BTreeMap<RecordKey, Record>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        MemoryStore::default()
    }

    /// How many records it holds.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// Every record, by key: what a test that tampers with a store needs.
    pub fn records_mut(&mut self) -> &mut BTreeMap<RecordKey, Record> {
        &mut self.records
    }
}

impl Store for MemoryStore {
    fn get(&self, key: &RecordKey) -> Result<Option<Record>, StoreError> {
        Ok(self.records.get(key).cloned())
    }

    fn scan(&self, scope: &[u8], kind: RecordKind) -> Result<Vec<(u64, Record)>, StoreError> {
        let from = RecordKey::new(scope, kind, 0);
        let to = RecordKey::new(scope, kind, u64::MAX);
        Ok(self
            .records
            .range(from..=to)
            .map(|(key, record)| (key.index, record.clone()))
            .collect())
    }

    fn scopes(&self, kind: RecordKind) -> Result<Vec<Vec<u8>>, StoreError> {
        let mut scopes: Vec<Vec<u8>> = self
            .records
            .keys()
            .filter(|key| key.kind == kind)
            .map(|key| key.scope.clone())
            .collect();
        scopes.dedup();
        Ok(scopes)
    }

    fn apply(&mut self, transaction: &Transaction) -> Result<(), StoreError> {
        for operation in transaction.operations() {
            match operation {
                Operation::Put(key, record) => {
                    self.records.insert(key.clone(), record.clone());
                }
                Operation::Delete(key) => {
                    self.records.remove(key);
                }
                Operation::DeleteFrom { scope, kind, from } => {
                    let from = RecordKey::new(scope.as_slice(), *kind, *from);
                    let to = RecordKey::new(scope.as_slice(), *kind, u64::MAX);
                    let doomed: Vec<RecordKey> = self
                        .records
                        .range(from..=to)
                        .map(|(key, _)| key.clone())
                        .collect();
                    for key in doomed {
                        self.records.remove(&key);
                    }
                }
            }
        }
        Ok(())
    }

    fn info(&self) -> Result<StoreInfo, StoreError> {
        let size = self
            .records
            .iter()
            .map(|(key, record)| key.scope.len() + 8 + 1 + 18 + record.body.len())
            .sum::<usize>();
        Ok(StoreInfo::new("memory", 1, Some(size as u64)))
    }
}
