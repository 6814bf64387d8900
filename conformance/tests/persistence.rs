//! Persistence of a member's per-epoch secret state, on every backend and suite.
//!
//! - Secret tree: a tree used out of order (kept keys, stored node secrets, untouched leaves,
//!   sent keys) is written and restored; the restored tree gives the same keys and takes the
//!   same replay, window, jump, range and staleness decisions as the original over a long
//!   script of operations, re-encodes to the same bytes, and its keys match a fresh tree of
//!   the same epoch. Edge shapes (one leaf, a fresh tree, every leaf derived) round trip.
//! - Decoding checks: widths, node and leaf ranges and order, secret lengths, generations,
//!   kept generations outside the window, leaves covered twice or not at all, and list counts
//!   larger than the input (rejected without allocating from the count) give typed errors.
//! - Every truncation of an encoding is an error; removed or flipped bytes never panic.
//! - `EpochSecrets`: every field round trips, the taken `encryption_secret` too, wrong lengths
//!   are refused on both sides.
//! - `Debug` shows no secret bytes.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use artmls::codec::{CodecError, Reader};
use artmls::internals::key_schedule::EpochSecrets;
use artmls::internals::secret_tree::{
    MessageKey, RatchetKind, SecretTree, SecretTreeConfig, SecretTreeError,
};
use artmls::messages::GroupContext;
use artmls::tree_math::LeafIndex;
use artmls::{Aead, CipherSuite, Kdf, Secret, SuiteVisitor};
use artmls_providers::{all as providers, visit};

// ---------------------------------------------------------------------------------------------
// A global allocator that records, per thread and only while asked, the largest single
// allocation. Test-only; the library itself has no unsafe code.

struct Counting;

thread_local! {
    static TRACKING: Cell<bool> = const { Cell::new(false) };
    static LARGEST: Cell<usize> = const { Cell::new(0) };
}

fn note(size: usize) {
    let _ = TRACKING.try_with(|tracking| {
        if tracking.get() {
            let _ = LARGEST.try_with(|largest| largest.set(largest.get().max(size)));
        }
    });
}

// SAFETY: every call is forwarded unchanged to the system allocator; `note` only updates
// thread-local counters (const-initialised `Cell`s, which never allocate).
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note(layout.size());
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        note(layout.size());
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note(new_size);
        // SAFETY: same contract as the caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Runs `f` and returns its result with the largest single allocation on this thread meanwhile.
fn largest_allocation<T>(f: impl FnOnce() -> T) -> (T, usize) {
    LARGEST.with(|largest| largest.set(0));
    TRACKING.with(|tracking| tracking.set(true));
    let result = f();
    TRACKING.with(|tracking| tracking.set(false));
    (result, LARGEST.with(Cell::get))
}

// ---------------------------------------------------------------------------------------------
// Helpers.

fn on_every_suite<V: SuiteVisitor<Output = ()> + Copy>(visitor: V) {
    let mut ran = 0;
    for entry in providers() {
        for suite in entry.suites() {
            visit(entry.name(), *suite, visitor)
                .unwrap_or_else(|| panic!("{} does not visit {suite}", entry.name()));
            ran += 1;
        }
    }
    assert!(ran > 0);
}

fn nh<S: CipherSuite>() -> usize {
    S::Kdf::HASH_LEN
}

/// A recognisable secret of `len` bytes.
fn pattern(seed: u8, len: usize) -> Secret {
    Secret::new(
        (0..len)
            .map(|i| seed.wrapping_add((i as u8).wrapping_mul(7)))
            .collect(),
    )
}

fn encode_tree<S: CipherSuite>(tree: &SecretTree<S>) -> Vec<u8> {
    let mut out = Vec::new();
    tree.encode_state(&mut out).unwrap();
    out
}

/// Decodes a tree that must fill `bytes`.
fn decode_tree<S: CipherSuite>(bytes: &[u8]) -> Result<SecretTree<S>, CodecError> {
    let mut reader = Reader::new(bytes);
    let tree = SecretTree::<S>::decode_state(&mut reader)?;
    reader.finish()?;
    Ok(tree)
}

const KINDS: [RatchetKind; 2] = [RatchetKind::Handshake, RatchetKind::Application];

/// Everything the public API shows of a tree's state.
#[derive(Debug, PartialEq, Eq)]
struct Observed {
    n_leaves: u32,
    config: SecretTreeConfig,
    stored_node_secrets: usize,
    ratchets: Vec<(u32, RatchetKind, Option<u64>, Vec<u32>)>,
}

fn observe<S: CipherSuite>(tree: &SecretTree<S>) -> Observed {
    let mut ratchets = Vec::new();
    for leaf in 0..tree.n_leaves() {
        for kind in KINDS {
            ratchets.push((
                leaf,
                kind,
                tree.next_generation(LeafIndex(leaf), kind),
                tree.kept_generations(LeafIndex(leaf), kind),
            ));
        }
    }
    Observed {
        n_leaves: tree.n_leaves(),
        config: tree.config(),
        stored_node_secrets: tree.stored_node_secrets(),
        ratchets,
    }
}

#[derive(Debug, Clone, Copy)]
enum Op {
    /// A received message's key.
    Take(u32, RatchetKind, u32),
    /// A key to send with.
    Send(u32, RatchetKind),
}

use RatchetKind::{Application as App, Handshake as Hs};

fn apply<S: CipherSuite>(tree: &mut SecretTree<S>, op: Op) -> Result<MessageKey, SecretTreeError> {
    match op {
        Op::Take(leaf, kind, generation) => tree.take_key(LeafIndex(leaf), kind, generation),
        Op::Send(leaf, kind) => tree.next_send_key(LeafIndex(leaf), kind),
    }
}

/// The key of a generation from a fresh tree of the same epoch: the ground truth.
fn fresh_key<S: CipherSuite>(
    root: &Secret,
    n_leaves: u32,
    leaf: u32,
    kind: RatchetKind,
    generation: u32,
) -> MessageKey {
    let config = SecretTreeConfig {
        out_of_order_window: 0,
        max_forward_jump: SecretTreeConfig::MAX_FORWARD_JUMP,
    };
    let mut fresh = SecretTree::<S>::with_config(root.clone(), n_leaves, config).unwrap();
    fresh.take_key(LeafIndex(leaf), kind, generation).unwrap()
}

// ---------------------------------------------------------------------------------------------
// Secret tree: round trip and identical behaviour.

#[derive(Clone, Copy)]
struct TreeRoundTrip;

impl SuiteVisitor for TreeRoundTrip {
    type Output = ();

    fn visit<S: CipherSuite>(self) {
        let root = pattern(0x31, nh::<S>());
        let config = SecretTreeConfig {
            out_of_order_window: 4,
            max_forward_jump: 40,
        };
        let mut original = SecretTree::<S>::with_config(root.clone(), 8, config).unwrap();

        // Out-of-order use: this member (leaf 0) sends, others' messages arrive late.
        let setup = [
            Op::Send(0, App),
            Op::Send(0, App),
            Op::Send(0, App),
            Op::Send(0, Hs),
            Op::Take(2, App, 10),
            Op::Take(2, App, 7),
            Op::Take(2, App, 9),
            Op::Take(2, Hs, 2),
            Op::Take(5, App, 0),
            Op::Take(5, App, 30),
            Op::Take(5, App, 27),
        ];
        for op in setup {
            apply(&mut original, op).unwrap_or_else(|e| panic!("{op:?}: {e}"));
        }
        assert_eq!(original.kept_generations(LeafIndex(2), App), vec![6, 8]);
        assert_eq!(original.kept_generations(LeafIndex(2), Hs), vec![0, 1]);
        assert_eq!(
            original.kept_generations(LeafIndex(5), App),
            vec![26, 28, 29]
        );
        assert_eq!(original.stored_node_secrets(), 4, "nodes 2, 6, 8, 13");

        // A key prepared (not committed) before the snapshot changes nothing.
        let prepared = original.prepare(LeafIndex(7), App, 3).unwrap();

        let bytes = encode_tree(&original);
        let mut restored = decode_tree::<S>(&bytes).unwrap();
        assert_eq!(observe(&restored), observe(&original));
        assert_eq!(encode_tree(&restored), bytes, "one state, one encoding");

        // The staleness counter carries over: a key prepared on the original before the
        // snapshot commits on the restored tree (same state), and on the original.
        let prepared_too = original.prepare(LeafIndex(7), App, 3).unwrap();
        restored.commit(prepared).unwrap();
        original.commit(prepared_too).unwrap();
        assert_eq!(observe(&restored), observe(&original));
        assert_eq!(encode_tree(&restored), encode_tree(&original));

        // The same script on both: same keys, same errors, same state after every step.
        let script = [
            Op::Take(2, App, 6),   // kept
            Op::Take(2, App, 6),   // replay
            Op::Take(2, App, 7),   // consumed before the snapshot
            Op::Take(2, App, 5),   // expired before the snapshot
            Op::Take(2, App, 8),   // kept
            Op::Take(2, App, 11),  // next
            Op::Take(2, App, 100), // too far ahead
            Op::Take(2, App, 50),  // a jump: keeps 46..49
            Op::Take(2, App, 46),  // kept
            Op::Take(2, App, 45),  // out of the window
            Op::Take(2, App, 12),  // out of the window
            Op::Take(2, Hs, 0),    // kept
            Op::Take(2, Hs, 1),    // kept
            Op::Take(2, Hs, 1),    // replay
            Op::Take(2, Hs, 3),
            Op::Send(0, App),
            Op::Send(0, App),
            Op::Send(0, Hs),
            Op::Take(0, App, 0), // own key, already used
            Op::Take(0, App, 3), // own key, already used
            Op::Take(5, App, 26),
            Op::Take(5, App, 27),
            Op::Take(5, App, 31),
            Op::Take(5, App, 25),
            Op::Take(1, App, 0),  // derived from stored node 2
            Op::Take(7, Hs, 3),   // derived (from node 13) by the commit across the snapshot
            Op::Take(7, App, 3),  // committed across the snapshot
            Op::Take(7, App, 2),  // kept
            Op::Take(4, App, 0),  // derived from stored node 8
            Op::Take(3, App, 2),  // derived from stored node 6
            Op::Take(6, App, 40), // derived from stored node 12, the largest jump
            Op::Take(6, App, 82), // just beyond the jump
            Op::Take(6, App, 81), // the largest jump
            Op::Take(6, App, 0),  // expired
            Op::Take(8, App, 0),  // outside the tree
            Op::Send(9, Hs),      // outside the tree
        ];
        let mut oks = 0;
        for op in script {
            let from_original = apply(&mut original, op);
            let from_restored = apply(&mut restored, op);
            assert_eq!(from_restored, from_original, "{op:?}");
            assert_eq!(observe(&restored), observe(&original), "after {op:?}");
            if let (Ok(key), Op::Take(leaf, kind, generation)) = (&from_restored, op) {
                assert_eq!(
                    key,
                    &fresh_key::<S>(&root, 8, leaf, kind, generation),
                    "{op:?}"
                );
                oks += 1;
            }
        }
        assert!(
            oks >= 15,
            "the script exercises keys, not only errors ({oks})"
        );
        assert_eq!(
            restored.stored_node_secrets(),
            0,
            "every leaf derived by now"
        );
        assert_eq!(encode_tree(&restored), encode_tree(&original));

        // Two-phase on both: prepare, commit something else, then the prepared key is stale.
        for tree in [&mut original, &mut restored] {
            let pending = tree.prepare(LeafIndex(3), Hs, 0).unwrap();
            tree.take_key(LeafIndex(3), Hs, 1).unwrap();
            assert_eq!(
                tree.commit(pending).unwrap_err(),
                SecretTreeError::StalePendingKey
            );
        }
        assert_eq!(encode_tree(&restored), encode_tree(&original));

        // A second restart, from the restored tree.
        let again = decode_tree::<S>(&encode_tree(&restored)).unwrap();
        assert_eq!(observe(&again), observe(&original));

        // Edge shapes: fresh trees of several widths, and a one-leaf tree once used.
        for n_leaves in [1u32, 2, 4, 64] {
            let fresh = SecretTree::<S>::new(root.clone(), n_leaves).unwrap();
            let bytes = encode_tree(&fresh);
            let mut back = decode_tree::<S>(&bytes).unwrap();
            assert_eq!(observe(&back), observe(&fresh));
            let last = n_leaves - 1;
            assert_eq!(
                back.take_key(LeafIndex(last), App, 3).unwrap(),
                fresh_key::<S>(&root, n_leaves, last, App, 3)
            );
        }
        let mut single = SecretTree::<S>::new(root.clone(), 1).unwrap();
        single.next_send_key(LeafIndex(0), Hs).unwrap();
        assert_eq!(single.stored_node_secrets(), 0);
        let mut back = decode_tree::<S>(&encode_tree(&single)).unwrap();
        assert_eq!(
            back.next_send_key(LeafIndex(0), Hs),
            single.next_send_key(LeafIndex(0), Hs)
        );

        // A tree on an encryption secret of the wrong size cannot be written (it could not
        // be read back), and the error writes nothing.
        let odd = SecretTree::<S>::new(pattern(1, nh::<S>() - 1), 4).unwrap();
        let mut out = vec![0xee];
        assert_eq!(
            odd.encode_state(&mut out),
            Err(CodecError::InvalidValue {
                what: "secret tree node secret length",
                value: nh::<S>() as u64 - 1,
            })
        );
        assert_eq!(out, [0xee]);
        // `encode_state` appends: what was in `out` before is kept.
        let mut out = vec![0xee];
        original.encode_state(&mut out).unwrap();
        assert_eq!(out[0], 0xee);
        assert_eq!(&out[1..], encode_tree(&original));

        // Debug never shows secrets.
        let key = fresh_key::<S>(&root, 8, 2, App, 51);
        let pending = original.prepare(LeafIndex(2), App, 51).unwrap();
        assert_eq!(pending.key(), &key);
        let shown = format!("{original:?} {restored:?} {pending:?} {key:?}");
        for secret in [&root, key.key(), key.nonce()] {
            assert!(
                !shown.contains(&format!("{:?}", secret.as_bytes())),
                "{shown}"
            );
            assert!(!shown.contains(&hex::encode(secret.as_bytes())), "{shown}");
        }
    }
}

#[test]
fn a_restored_secret_tree_behaves_like_the_original() {
    on_every_suite(TreeRoundTrip);
}

// ---------------------------------------------------------------------------------------------
// Secret tree: what decoding refuses.

/// Writes states by hand, following the documented format.
#[derive(Clone, Default)]
struct State(Vec<u8>);

impl State {
    fn u32(mut self, value: u32) -> Self {
        self.0.extend_from_slice(&value.to_be_bytes());
        self
    }

    fn u64(mut self, value: u64) -> Self {
        self.0.extend_from_slice(&value.to_be_bytes());
        self
    }

    /// A small count or length (one-byte varint).
    fn count(mut self, count: u8) -> Self {
        assert!(count < 64);
        self.0.push(count);
        self
    }

    fn raw(mut self, bytes: &[u8]) -> Self {
        self.0.extend_from_slice(bytes);
        self
    }

    /// An `opaque secret<V>` of `len` bytes.
    fn secret(mut self, len: usize) -> Self {
        if len < 64 {
            self.0.push(len as u8);
        } else {
            self.0
                .extend_from_slice(&(0x4000 | len as u16).to_be_bytes());
        }
        self.raw(&vec![0x5a; len])
    }

    /// Width, window 4, jump 10, version 0.
    fn header(n_leaves: u32) -> Self {
        State::default().u32(n_leaves).u32(4).u32(10).u64(0)
    }
}

/// One ratchet with the given generation and kept generations.
fn ratchet<S: CipherSuite>(state: State, next: u64, kept: &[u32]) -> State {
    let mut state = state.u64(next).secret(nh::<S>()).count(kept.len() as u8);
    for generation in kept {
        state = state
            .u32(*generation)
            .secret(S::Aead::KEY_LEN)
            .secret(S::Aead::NONCE_LEN);
    }
    state
}

/// A one-leaf tree whose leaf has the given application ratchet.
fn one_leaf<S: CipherSuite>(next: u64, kept: &[u32]) -> State {
    let state = State::header(1).count(0).count(1).u32(0);
    let state = ratchet::<S>(state, 0, &[]);
    ratchet::<S>(state, next, kept)
}

fn invalid(what: &'static str, value: u64) -> CodecError {
    CodecError::InvalidValue { what, value }
}

#[derive(Clone, Copy)]
struct TreeRejections;

impl SuiteVisitor for TreeRejections {
    type Output = ();

    fn visit<S: CipherSuite>(self) {
        let nh = nh::<S>();
        let decode = |state: &State| decode_tree::<S>(&state.0).map(drop);

        // Sanity: the hand-written states are valid when they should be.
        let two = State::header(2).count(1).u32(1).secret(nh).count(0);
        decode(&two).unwrap();
        decode(&one_leaf::<S>(7, &[2, 3, 6])).unwrap();
        decode(&one_leaf::<S>(1 << 32, &[])).unwrap();
        let both = State::header(2).count(1).u32(0).secret(nh).count(1).u32(1);
        decode(&ratchet::<S>(ratchet::<S>(both, 0, &[]), 0, &[])).unwrap();

        let cases: Vec<(&str, State, CodecError)> = vec![
            (
                "width 3",
                State::header(3).count(0).count(0),
                invalid("secret tree width", 3),
            ),
            (
                "width 0",
                State::header(0).count(0).count(0),
                invalid("secret tree width", 0),
            ),
            (
                "width 2^31",
                State::header(1 << 31).count(0).count(0),
                invalid("secret tree width", 1 << 31),
            ),
            (
                "node outside the tree",
                State::header(2).count(1).u32(3).secret(nh).count(0),
                invalid("secret tree node index (outside the tree)", 3),
            ),
            (
                "nodes out of order",
                State::header(2)
                    .count(2)
                    .u32(2)
                    .secret(nh)
                    .u32(0)
                    .secret(nh)
                    .count(0),
                invalid("secret tree node index (out of order or repeated)", 0),
            ),
            (
                "node repeated",
                State::header(2)
                    .count(2)
                    .u32(0)
                    .secret(nh)
                    .u32(0)
                    .secret(nh)
                    .count(0),
                invalid("secret tree node index (out of order or repeated)", 0),
            ),
            (
                "short node secret",
                State::header(2).count(1).u32(1).secret(nh - 1).count(0),
                invalid("secret tree node secret length", nh as u64 - 1),
            ),
            (
                "long node secret",
                State::header(2).count(1).u32(1).secret(nh + 1).count(0),
                invalid("secret tree node secret length", nh as u64 + 1),
            ),
            (
                "nothing covers the leaves",
                State::header(2).count(0).count(0),
                invalid(
                    "secret tree state (a leaf is covered twice or not at all)",
                    0,
                ),
            ),
            (
                "a leaf not covered",
                State::header(4).count(1).u32(1).secret(nh).count(0),
                invalid(
                    "secret tree state (a leaf is covered twice or not at all)",
                    2,
                ),
            ),
            (
                "a leaf covered twice",
                ratchet::<S>(
                    ratchet::<S>(
                        State::header(2).count(1).u32(1).secret(nh).count(1).u32(1),
                        0,
                        &[],
                    ),
                    0,
                    &[],
                ),
                invalid(
                    "secret tree state (a leaf is covered twice or not at all)",
                    1,
                ),
            ),
            (
                "leaf outside the tree",
                ratchet::<S>(
                    ratchet::<S>(State::header(1).count(0).count(1).u32(1), 0, &[]),
                    0,
                    &[],
                ),
                invalid("secret tree leaf index (outside the tree)", 1),
            ),
            (
                "generation beyond 2^32",
                one_leaf::<S>((1 << 32) + 1, &[]),
                invalid("secret tree ratchet generation", (1 << 32) + 1),
            ),
            (
                "kept generation not yet reached",
                one_leaf::<S>(7, &[7]),
                invalid("secret tree kept generation (outside the window)", 7),
            ),
            (
                "kept generation older than the window",
                one_leaf::<S>(7, &[1]),
                invalid("secret tree kept generation (outside the window)", 1),
            ),
            (
                "kept generations out of order",
                one_leaf::<S>(7, &[5, 4]),
                invalid("secret tree kept generation (out of order or repeated)", 4),
            ),
            (
                "kept generation repeated",
                one_leaf::<S>(7, &[5, 5]),
                invalid("secret tree kept generation (out of order or repeated)", 5),
            ),
            (
                "short ratchet secret",
                State::header(1)
                    .count(0)
                    .count(1)
                    .u32(0)
                    .u64(0)
                    .secret(nh - 1)
                    .count(0)
                    .raw(&[0; 200]),
                invalid("secret tree ratchet secret length", nh as u64 - 1),
            ),
            (
                "short kept key",
                State::header(1)
                    .count(0)
                    .count(1)
                    .u32(0)
                    .u64(2)
                    .secret(nh)
                    .count(1)
                    .u32(1)
                    .secret(S::Aead::KEY_LEN - 1)
                    .secret(S::Aead::NONCE_LEN)
                    .raw(&[0; 200]),
                invalid("secret tree kept key length", S::Aead::KEY_LEN as u64 - 1),
            ),
            (
                "long kept nonce",
                State::header(1)
                    .count(0)
                    .count(1)
                    .u32(0)
                    .u64(2)
                    .secret(nh)
                    .count(1)
                    .u32(1)
                    .secret(S::Aead::KEY_LEN)
                    .secret(S::Aead::NONCE_LEN + 1)
                    .raw(&[0; 200]),
                invalid(
                    "secret tree kept nonce length",
                    S::Aead::NONCE_LEN as u64 + 1,
                ),
            ),
            (
                "non-minimal count",
                State::header(2)
                    .raw(&[0x40, 0x01])
                    .u32(1)
                    .secret(nh)
                    .count(0),
                CodecError::NonMinimalLength(1),
            ),
            (
                "reserved count prefix",
                State::header(2).raw(&[0xc0, 0, 0, 0, 0, 0, 0, 1]),
                CodecError::ReservedLengthPrefix,
            ),
        ];
        for (name, state, error) in cases {
            assert_eq!(decode(&state), Err(error), "{name}");
        }

        // Trailing bytes are left in the reader (decode_state consumes exactly its state).
        let mut padded = two.0.clone();
        padded.push(0x99);
        let mut reader = Reader::new(&padded);
        SecretTree::<S>::decode_state(&mut reader).unwrap();
        assert_eq!(reader.remaining(), [0x99]);

        // Counts claiming more elements than the input holds: refused before any
        // allocation sized by the count.
        let huge = [0xbf, 0xff, 0xff, 0xff];
        let node_claim = State::header(2).raw(&huge).u32(1).secret(nh).count(0);
        let leaf_claim = State::header(2).count(1).u32(1).secret(nh).raw(&huge);
        let kept_claim = State::header(1)
            .count(0)
            .count(1)
            .u32(0)
            .u64(5)
            .secret(nh)
            .raw(&huge)
            .raw(&[0; 100]);
        // 40 elements of a node claimed, 39 present.
        let mut forty = State::header(64).count(40);
        for node in 0..39 {
            forty = forty.u32(node * 2).secret(nh);
        }
        for (name, state) in [
            ("nodes", node_claim),
            ("leaves", leaf_claim),
            ("kept keys", kept_claim),
            ("forty nodes", forty),
        ] {
            let (result, largest) = largest_allocation(|| decode(&state));
            assert!(
                matches!(result, Err(CodecError::LengthExceedsInput { .. })),
                "{name}: {result:?}"
            );
            assert!(largest <= 64 * 1024, "{name}: allocated {largest} bytes");
        }
    }
}

#[test]
fn decoding_a_secret_tree_checks_every_field() {
    on_every_suite(TreeRejections);
}

// ---------------------------------------------------------------------------------------------
// Truncation and corruption.

/// Every proper prefix fails with a typed error; removing or flipping any byte never panics,
/// and whatever still decodes re-encodes to something that decodes to the same state.
fn check_damage<T>(
    bytes: &[u8],
    decode: impl Fn(&mut Reader<'_>) -> Result<T, CodecError>,
    encode: impl Fn(&T) -> Vec<u8>,
) {
    let mut reader = Reader::new(bytes);
    decode(&mut reader).unwrap();
    assert!(reader.is_empty());
    for len in 0..bytes.len() {
        let mut reader = Reader::new(&bytes[..len]);
        match decode(&mut reader) {
            Err(CodecError::Truncated { .. } | CodecError::LengthExceedsInput { .. }) => {}
            Err(other) => panic!("prefix of {len} bytes: unexpected {other:?}"),
            Ok(_) => panic!("prefix of {len} bytes decoded"),
        }
    }
    for at in 0..bytes.len() {
        let mut removed = bytes.to_vec();
        removed.remove(at);
        for damaged in [removed, {
            let mut flipped = bytes.to_vec();
            flipped[at] ^= 0x81;
            flipped
        }] {
            let mut reader = Reader::new(&damaged);
            if let Ok(value) = decode(&mut reader) {
                let again = encode(&value);
                let mut reader = Reader::new(&again);
                let value_again = decode(&mut reader).unwrap();
                assert_eq!(encode(&value_again), again);
            }
        }
    }
}

#[derive(Clone, Copy)]
struct TreeDamage;

impl SuiteVisitor for TreeDamage {
    type Output = ();

    fn visit<S: CipherSuite>(self) {
        let config = SecretTreeConfig {
            out_of_order_window: 3,
            max_forward_jump: 20,
        };
        let mut tree = SecretTree::<S>::with_config(pattern(9, nh::<S>()), 4, config).unwrap();
        tree.take_key(LeafIndex(1), App, 5).unwrap();
        tree.take_key(LeafIndex(1), App, 3).unwrap();
        tree.take_key(LeafIndex(1), Hs, 1).unwrap();
        tree.next_send_key(LeafIndex(0), App).unwrap();
        let bytes = encode_tree(&tree);
        check_damage(
            &bytes,
            |reader| SecretTree::<S>::decode_state(reader),
            |tree| encode_tree(tree),
        );
    }
}

#[test]
fn every_truncation_of_a_secret_tree_is_an_error() {
    on_every_suite(TreeDamage);
}

// ---------------------------------------------------------------------------------------------
// Epoch secrets.

fn epoch<S: CipherSuite>() -> EpochSecrets<S> {
    let context = GroupContext::new(S::ID, b"persisted".to_vec(), 9, vec![3; 32], vec![4; 32]);
    EpochSecrets::<S>::from_joiner_secret(pattern(0x77, nh::<S>()), None, &context).unwrap()
}

fn fields<S>(secrets: &EpochSecrets<S>) -> [&Secret; 11] {
    [
        &secrets.joiner_secret,
        &secrets.welcome_secret,
        &secrets.sender_data_secret,
        &secrets.encryption_secret,
        &secrets.exporter_secret,
        &secrets.epoch_authenticator,
        &secrets.external_secret,
        &secrets.confirmation_key,
        &secrets.membership_key,
        &secrets.resumption_psk,
        &secrets.init_secret,
    ]
}

fn encode_epoch<S: CipherSuite>(secrets: &EpochSecrets<S>) -> Vec<u8> {
    let mut out = Vec::new();
    secrets.encode_state(&mut out).unwrap();
    out
}

fn decode_epoch<S: CipherSuite>(bytes: &[u8]) -> Result<EpochSecrets<S>, CodecError> {
    let mut reader = Reader::new(bytes);
    let secrets = EpochSecrets::<S>::decode_state(&mut reader)?;
    reader.finish()?;
    Ok(secrets)
}

#[derive(Clone, Copy)]
struct EpochRoundTrip;

impl SuiteVisitor for EpochRoundTrip {
    type Output = ();

    fn visit<S: CipherSuite>(self) {
        let nh = nh::<S>();
        let original = epoch::<S>();
        let bytes = encode_epoch(&original);
        assert_eq!(bytes.len(), 11 * (1 + nh), "eleven opaque<V> of Nh bytes");
        let restored = decode_epoch::<S>(&bytes).unwrap();
        for (index, (a, b)) in fields(&original)
            .into_iter()
            .zip(fields(&restored))
            .enumerate()
        {
            assert_eq!(a, b, "field {index}");
            assert_eq!(a.len(), nh);
        }
        // Fields are distinct secrets, in declaration order.
        for (index, field) in fields(&original).into_iter().enumerate() {
            let at = index * (1 + nh);
            assert_eq!(bytes[at] as usize, nh);
            assert_eq!(
                &bytes[at + 1..at + 1 + nh],
                field.as_bytes(),
                "field {index}"
            );
        }
        assert_eq!(encode_epoch(&restored), bytes);
        assert_eq!(
            restored.export("label", b"context", 40).unwrap(),
            original.export("label", b"context", 40).unwrap()
        );
        assert_eq!(
            restored.confirmation_tag(b"transcript"),
            original.confirmation_tag(b"transcript")
        );

        // The encryption secret moved into the secret tree round trips as empty.
        let mut taken = epoch::<S>();
        let encryption = core::mem::take(&mut taken.encryption_secret);
        assert_eq!(encryption, original.encryption_secret);
        let bytes_taken = encode_epoch(&taken);
        assert_eq!(bytes_taken.len(), 10 * (1 + nh) + 1);
        let restored_taken = decode_epoch::<S>(&bytes_taken).unwrap();
        assert!(restored_taken.encryption_secret.is_empty());
        assert_eq!(restored_taken.init_secret, original.init_secret);
        assert_eq!(encode_epoch(&restored_taken), bytes_taken);

        // Wrong lengths are refused when writing (nothing written) and when reading.
        let mut odd = epoch::<S>();
        odd.exporter_secret = Secret::zero(nh - 1);
        let mut out = vec![1, 2];
        assert_eq!(
            odd.encode_state(&mut out),
            Err(CodecError::InvalidValue {
                what: "exporter_secret length",
                value: nh as u64 - 1
            })
        );
        assert_eq!(out, [1, 2]);
        let mut empty = epoch::<S>();
        empty.init_secret = Secret::default();
        assert!(matches!(
            empty.encode_state(&mut Vec::new()),
            Err(CodecError::InvalidValue {
                what: "init_secret length",
                value: 0
            })
        ));
        for (field, what) in [
            (0usize, "joiner_secret length"),
            (3, "encryption_secret length"),
            (10, "init_secret length"),
        ] {
            for len in [0, nh - 1, nh + 1] {
                if field == 3 && len == 0 {
                    continue;
                }
                let mut state = State::default();
                for index in 0..11 {
                    state = state.secret(if index == field { len } else { nh });
                }
                assert_eq!(
                    decode_epoch::<S>(&state.0).map(drop),
                    Err(CodecError::InvalidValue {
                        what,
                        value: len as u64
                    }),
                    "field {field}, {len} bytes"
                );
            }
        }

        // Truncation and corruption.
        check_damage(
            &bytes,
            |reader| EpochSecrets::<S>::decode_state(reader),
            |secrets| encode_epoch(secrets),
        );
        check_damage(
            &bytes_taken,
            |reader| EpochSecrets::<S>::decode_state(reader),
            |secrets| encode_epoch(secrets),
        );

        // Debug never shows secrets.
        let shown = format!("{original:?} {restored:?}");
        for field in fields(&original) {
            assert!(!shown.contains(&format!("{:?}", field.as_bytes())));
            assert!(!shown.contains(&hex::encode(field.as_bytes())));
        }
    }
}

#[test]
fn epoch_secrets_round_trip() {
    on_every_suite(EpochRoundTrip);
}
