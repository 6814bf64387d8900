//! A secret tree's whole state, written and restored: every secret it still holds, the
//! ratchet positions, the kept keys and the window. The restored tree behaves exactly like the
//! original, and a state that no tree could have reached is refused.

use std::collections::{BTreeMap, HashMap};

use crate::codec::{CodecError, Decode, Encode, MAX_VECTOR_LEN, Reader, varint_len, write_varint};
use crate::secret::Secret;
use crate::suite::CipherSuite;
use crate::tree_math::{LeafIndex, NodeIndex, node_width};
use artmls_crypto::{Aead, Kdf};

use super::{GENERATION_LIMIT, LeafRatchets, MessageKey, Ratchet, SecretTree, SecretTreeConfig};

/// The encoded size of a secret of `len` bytes (`opaque secret<V>`).
fn secret_len(len: usize) -> usize {
    varint_len(len) + len
}

/// Fails unless `secret` is `expected` bytes long.
fn check_secret_len(
    secret: &Secret,
    expected: usize,
    what: &'static str,
) -> Result<(), CodecError> {
    if secret.len() == expected {
        Ok(())
    } else {
        Err(CodecError::InvalidValue {
            what,
            value: secret.len() as u64,
        })
    }
}

/// Reads an `opaque secret<V>` straight into a [`Secret`] and checks its length (a secret of
/// the wrong length is erased before the error is returned).
fn read_secret(
    reader: &mut Reader<'_>,
    expected: usize,
    what: &'static str,
) -> Result<Secret, CodecError> {
    let secret = Secret::decode(reader)?;
    check_secret_len(&secret, expected, what)?;
    Ok(secret)
}

/// Reads an element count and checks, before anything is allocated, that the remaining input
/// can hold that many elements of at least `min_element_len` bytes each.
fn read_count(reader: &mut Reader<'_>, min_element_len: usize) -> Result<usize, CodecError> {
    let count = reader.read_varint()?;
    let claimed = count.saturating_mul(min_element_len);
    let remaining = reader.remaining().len();
    if claimed > remaining {
        return Err(CodecError::LengthExceedsInput { claimed, remaining });
    }
    Ok(count)
}

/// Fails unless `index` is strictly greater than the previous index of its list (the lists of
/// the state are sorted and free of duplicates, so that one state has one encoding).
fn check_increasing(
    previous: &mut Option<u32>,
    index: u32,
    what: &'static str,
) -> Result<(), CodecError> {
    if previous.is_some_and(|previous| index <= previous) {
        return Err(CodecError::InvalidValue {
            what,
            value: u64::from(index),
        });
    }
    *previous = Some(index);
    Ok(())
}

impl<S: CipherSuite> SecretTree<S> {
    /// The encoded size of a ratchet of the state, after checking its secret lengths.
    fn ratchet_state_len(ratchet: &Ratchet) -> Result<usize, CodecError> {
        check_secret_len(
            &ratchet.secret,
            S::Kdf::HASH_LEN,
            "secret tree ratchet secret length",
        )?;
        for key in ratchet.skipped.values() {
            check_secret_len(&key.key, S::Aead::KEY_LEN, "secret tree kept key length")?;
            check_secret_len(
                &key.nonce,
                S::Aead::NONCE_LEN,
                "secret tree kept nonce length",
            )?;
        }
        let kept = ratchet.skipped.len();
        if kept > MAX_VECTOR_LEN {
            return Err(CodecError::VectorTooLong(kept));
        }
        Ok(8 + secret_len(S::Kdf::HASH_LEN) + varint_len(kept) + kept * Self::kept_key_len())
    }

    /// The encoded size of one kept key (generation, key, nonce).
    fn kept_key_len() -> usize {
        4 + secret_len(S::Aead::KEY_LEN) + secret_len(S::Aead::NONCE_LEN)
    }

    /// The smallest encoded size of a ratchet (no kept keys).
    fn min_ratchet_len() -> usize {
        8 + secret_len(S::Kdf::HASH_LEN) + 1
    }

    fn encode_ratchet(ratchet: &Ratchet, out: &mut Vec<u8>) -> Result<(), CodecError> {
        ratchet.next.encode(out)?;
        ratchet.secret.encode(out)?;
        write_varint(out, ratchet.skipped.len())?;
        // A `BTreeMap` iterates in increasing generation order.
        for (generation, key) in &ratchet.skipped {
            generation.encode(out)?;
            key.key.encode(out)?;
            key.nonce.encode(out)?;
        }
        Ok(())
    }

    fn decode_ratchet(
        reader: &mut Reader<'_>,
        config: SecretTreeConfig,
    ) -> Result<Ratchet, CodecError> {
        let next = u64::decode(reader)?;
        if next > GENERATION_LIMIT {
            return Err(CodecError::InvalidValue {
                what: "secret tree ratchet generation",
                value: next,
            });
        }
        let secret = read_secret(
            reader,
            S::Kdf::HASH_LEN,
            "secret tree ratchet secret length",
        )?;
        let count = read_count(reader, Self::kept_key_len())?;
        // The invariant `commit` keeps: only generations in [next - window - 1, next) are kept.
        let oldest_kept = next.saturating_sub(u64::from(config.out_of_order_window) + 1);
        // A B-tree's nodes hold up to about twice its entries: paid before inserting.
        reader.charge_for::<(u32, MessageKey)>(count.saturating_mul(2))?;
        let mut skipped = BTreeMap::new();
        let mut previous = None;
        for _ in 0..count {
            let generation = u32::decode(reader)?;
            check_increasing(
                &mut previous,
                generation,
                "secret tree kept generation (out of order or repeated)",
            )?;
            let wanted = u64::from(generation);
            if wanted >= next || wanted < oldest_kept {
                return Err(CodecError::InvalidValue {
                    what: "secret tree kept generation (outside the window)",
                    value: wanted,
                });
            }
            let key = read_secret(reader, S::Aead::KEY_LEN, "secret tree kept key length")?;
            let nonce = read_secret(reader, S::Aead::NONCE_LEN, "secret tree kept nonce length")?;
            skipped.insert(
                generation,
                MessageKey {
                    generation,
                    key,
                    nonce,
                },
            );
        }
        Ok(Ratchet {
            secret,
            next,
            skipped,
        })
    }

    /// Appends the whole state of the tree to `out`, to be restored with
    /// [`SecretTree::decode_state`] (after a restart, say). The restored tree gives the same
    /// keys and takes the same replay, window and staleness decisions as this one.
    ///
    /// The bytes hold every secret the tree still holds (node secrets, ratchet secrets, the
    /// kept keys of skipped generations): store them encrypted, and erase them (e.g. with
    /// `zeroize`) once written. Nothing is written if an error is returned. `out` is grown
    /// once, before anything is written, so no reallocation leaves copies of secrets behind.
    ///
    /// # Format
    ///
    /// Integers are big-endian; `opaque x<V>` is an RFC 9420 variable-length vector; a list
    /// is an RFC 9420 variable-length integer counting its *elements* (at most 2^30 - 1),
    /// then the elements. Versioning is left to the caller (the format of a member's state
    /// starts with a version byte).
    ///
    /// ```text
    /// uint32 n_leaves;                       // a power of two, at most 2^30
    /// uint32 out_of_order_window;
    /// uint32 max_forward_jump;
    /// uint64 version;                        // bumped by every commit (stale PendingKeys)
    /// list of (node secrets not yet split, increasing node index):
    ///     uint32 node; opaque secret<V>;     // Nh bytes
    /// list of (leaves whose ratchets exist, increasing leaf index):
    ///     uint32 leaf; Ratchet handshake; Ratchet application;
    /// Ratchet:
    ///     uint64 next;                       // next generation, at most 2^32 (exhausted)
    ///     opaque secret<V>;                  // ratchet secret of `next`, Nh bytes
    ///     list of (kept keys of skipped generations, increasing generation):
    ///         uint32 generation; opaque key<V>; opaque nonce<V>;   // Nk and Nn bytes
    /// ```
    ///
    /// Fails with [`CodecError::InvalidValue`] if a secret does not have the length of the
    /// suite (a tree built on an `encryption_secret` that is not `Nh` bytes), and with
    /// [`CodecError::VectorTooLong`] if a list has 2^30 elements or more.
    pub fn encode_state(&self, out: &mut Vec<u8>) -> Result<(), CodecError> {
        let mut nodes: Vec<(&NodeIndex, &Secret)> = self.nodes.iter().collect();
        nodes.sort_unstable_by_key(|(index, _)| **index);
        let mut leaves: Vec<(&LeafIndex, &LeafRatchets)> = self.leaves.iter().collect();
        leaves.sort_unstable_by_key(|(index, _)| **index);

        // Check every length and size the output first, so that an error writes nothing.
        for (_, secret) in &nodes {
            check_secret_len(secret, S::Kdf::HASH_LEN, "secret tree node secret length")?;
        }
        for count in [nodes.len(), leaves.len()] {
            if count > MAX_VECTOR_LEN {
                return Err(CodecError::VectorTooLong(count));
            }
        }
        let mut len = 4 + 4 + 4 + 8;
        len += varint_len(nodes.len()) + nodes.len() * (4 + secret_len(S::Kdf::HASH_LEN));
        len += varint_len(leaves.len());
        for (_, ratchets) in &leaves {
            len += 4
                + Self::ratchet_state_len(&ratchets.handshake)?
                + Self::ratchet_state_len(&ratchets.application)?;
        }
        out.reserve(len);

        self.n_leaves.encode(out)?;
        self.config.out_of_order_window.encode(out)?;
        self.config.max_forward_jump.encode(out)?;
        self.version.encode(out)?;
        write_varint(out, nodes.len())?;
        for (index, secret) in nodes {
            index.0.encode(out)?;
            secret.encode(out)?;
        }
        write_varint(out, leaves.len())?;
        for (index, ratchets) in leaves {
            index.0.encode(out)?;
            Self::encode_ratchet(&ratchets.handshake, out)?;
            Self::encode_ratchet(&ratchets.application, out)?;
        }
        Ok(())
    }

    /// Restores a tree written by [`SecretTree::encode_state`], consuming exactly its
    /// encoding from `reader` (what follows is left for the caller).
    ///
    /// Every field is checked: the width is a power of two of at most 2^30 leaves, node and
    /// leaf indices lie inside the tree and are strictly increasing, every secret has the
    /// suite's length (`Nh`, `Nk`, `Nn`), a ratchet's generation is at most 2^32 and its kept
    /// generations are strictly increasing, below it and inside the window, and the stored
    /// node secrets and derived leaves together cover every leaf exactly once (so that every
    /// leaf's keys can still be derived, from one place only). A list's claimed length is
    /// checked against the remaining input before anything is allocated. Failures are typed
    /// [`CodecError`]s; decoding never panics. Secrets decoded before a failure are erased.
    pub fn decode_state(reader: &mut Reader<'_>) -> Result<Self, CodecError> {
        let n_leaves = u32::decode(reader)?;
        if !n_leaves.is_power_of_two() || n_leaves > 1 << 30 {
            return Err(CodecError::InvalidValue {
                what: "secret tree width",
                value: u64::from(n_leaves),
            });
        }
        let config = SecretTreeConfig {
            out_of_order_window: u32::decode(reader)?,
            max_forward_jump: u32::decode(reader)?,
        };
        // The same limits as a tree built with `with_config`: a damaged or forged state must
        // not restore a tree that lets one message cost 2^32 derivations.
        config.check().map_err(|_| CodecError::InvalidValue {
            what: "secret tree bounds (out-of-order window or forward jump above its limit)",
            value: u64::from(config.out_of_order_window.max(config.max_forward_jump)),
        })?;
        let version = u64::decode(reader)?;

        let width = node_width(n_leaves);
        let node_count = read_count(reader, 4 + secret_len(S::Kdf::HASH_LEN))?;
        // A hash table of n entries holds up to about twice n buckets: paid before allocating.
        reader.charge_for::<(NodeIndex, Secret)>(node_count.saturating_mul(2))?;
        let mut nodes = HashMap::with_capacity(node_count);
        let mut previous = None;
        for _ in 0..node_count {
            let index = u32::decode(reader)?;
            if index >= width {
                return Err(CodecError::InvalidValue {
                    what: "secret tree node index (outside the tree)",
                    value: u64::from(index),
                });
            }
            check_increasing(
                &mut previous,
                index,
                "secret tree node index (out of order or repeated)",
            )?;
            let secret = read_secret(reader, S::Kdf::HASH_LEN, "secret tree node secret length")?;
            nodes.insert(NodeIndex(index), secret);
        }

        let leaf_count = read_count(reader, 4 + 2 * Self::min_ratchet_len())?;
        reader.charge_for::<(LeafIndex, LeafRatchets)>(leaf_count.saturating_mul(2))?;
        let mut leaves = HashMap::with_capacity(leaf_count);
        let mut previous = None;
        for _ in 0..leaf_count {
            let index = u32::decode(reader)?;
            if index >= n_leaves {
                return Err(CodecError::InvalidValue {
                    what: "secret tree leaf index (outside the tree)",
                    value: u64::from(index),
                });
            }
            check_increasing(
                &mut previous,
                index,
                "secret tree leaf index (out of order or repeated)",
            )?;
            let handshake = Self::decode_ratchet(reader, config)?;
            let application = Self::decode_ratchet(reader, config)?;
            leaves.insert(
                LeafIndex(index),
                LeafRatchets {
                    handshake,
                    application,
                },
            );
        }

        check_coverage(n_leaves, nodes.keys().copied(), leaves.keys().copied())?;
        Ok(SecretTree {
            n_leaves,
            config,
            nodes,
            leaves,
            version,
            _suite: core::marker::PhantomData,
        })
    }
}

/// Checks the invariant every tree keeps: each leaf is covered by exactly one stored node
/// secret (a leaf's own, or an ancestor's) or by its derived ratchets. Node indices are
/// already known to lie in the tree, leaf indices among its leaves.
fn check_coverage(
    n_leaves: u32,
    nodes: impl Iterator<Item = NodeIndex>,
    leaves: impl Iterator<Item = LeafIndex>,
) -> Result<(), CodecError> {
    // The leaves below a node of level k: 2^k of them, starting at (index >> (k + 1)) << k.
    let mut spans: Vec<(u64, u64)> = nodes
        .map(|node| {
            let level = node.level();
            let first = (u64::from(node.0) >> (level + 1)) << level;
            (first, 1u64 << level)
        })
        .chain(leaves.map(|leaf| (u64::from(leaf.0), 1)))
        .collect();
    spans.sort_unstable();
    let mut covered = 0u64;
    for (first, count) in spans {
        if first != covered {
            return Err(CodecError::InvalidValue {
                what: "secret tree state (a leaf is covered twice or not at all)",
                value: first.min(covered),
            });
        }
        covered = first + count;
    }
    if covered != u64::from(n_leaves) {
        return Err(CodecError::InvalidValue {
            what: "secret tree state (a leaf is covered twice or not at all)",
            value: covered,
        });
    }
    Ok(())
}
