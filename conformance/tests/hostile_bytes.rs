//! Memory amplification before authentication: what an attacker's bytes can make a receiver
//! allocate before any signature is checked, measured with a counting global allocator.
//!
//! - A Welcome sealed to a real KeyPackage (anyone holding the KeyPackage can make one: the
//!   attacker picks the joiner secret) whose GroupInfo carries an ART ratchet tree declaring
//!   2^20 leaves, every one absent: one byte each on the wire, a few hundred bytes each in
//!   memory. The join must fail, with the heap's peak growth under 32 times the Welcome's size
//!   plus 4 MiB.
//! - A commit whose tree change carries 2^21 empty parent keys (a vector of empty vectors: one
//!   byte each on the wire, 24 in memory), to a member's `process_message`. It must fail, with
//!   the peak growth under the codec's documented allocation bound (16 times the input plus
//!   256 KiB) plus 1 MiB for everything else.
//!
//! This file holds only these measurements: the allocator counts every thread of the test
//! binary, so nothing else may run beside them (they also take a lock against each other).

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use artmls::codec::{CodecError, Encode, allocation_budget};
use artmls::group::{
    ART_RATCHET_TREE_EXTENSION, ArtCommit, ArtRatchetTree, Group, GroupConfig, GroupError, Identity,
};
use artmls::internals::art_tree::{LeafKind, TreeChange};
use artmls::internals::welcome::{NewMember, seal_welcome};
use artmls::messages::{
    Content, Extension, FramedContent, FramedContentAuthData, GroupContext, GroupInfo, MlsMessage,
    PublicMessage, Sender,
};
use artmls::tree_math::LeafIndex;
use artmls::{CipherSuite, Secret};
use artmls_dalek::X25519Aes128GcmSha256Ed25519 as Suite;
use rand::SeedableRng;
use rand::rngs::StdRng;

fn seeded(seed: u64) -> StdRng {
    StdRng::seed_from_u64(seed)
}

// ---------------------------------------------------------------------------------------------
// A global allocator that tracks the bytes currently allocated and their peak.

struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(size: usize) {
    let now = CURRENT.fetch_add(size, Ordering::SeqCst) + size;
    PEAK.fetch_max(now, Ordering::SeqCst);
}

fn shrank(size: usize) {
    CURRENT.fetch_sub(size, Ordering::SeqCst);
}

// SAFETY: every call is forwarded unchanged to the system allocator; the counters are atomics,
// which never allocate. A failed allocation is not counted.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: same contract as the caller's.
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            grew(layout.size());
        }
        ptr
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: same contract as the caller's.
        let ptr = unsafe { System.alloc_zeroed(layout) };
        if !ptr.is_null() {
            grew(layout.size());
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) };
        shrank(layout.size());
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // Counted as the allocation of the new block before the old one is freed, which is
        // what a moving reallocation costs at its peak.
        // SAFETY: same contract as the caller's.
        let new = unsafe { System.realloc(ptr, layout, new_size) };
        if !new.is_null() {
            grew(new_size);
            shrank(layout.size());
        }
        new
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// The measurements of this file, one at a time.
static SERIAL: Mutex<()> = Mutex::new(());

/// Runs `f` and returns its result with the peak growth of the heap over what was allocated
/// when it started.
fn peak_growth<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let base = CURRENT.load(Ordering::SeqCst);
    PEAK.store(base, Ordering::SeqCst);
    let result = f();
    (result, PEAK.load(Ordering::SeqCst).saturating_sub(base))
}

const MIB: usize = 1 << 20;

// ---------------------------------------------------------------------------------------------

/// 2^20 declared leaves, every key and LeafNode absent: a 3 MiB Welcome, sealed to a real
/// KeyPackage.
#[test]
fn welcome_with_a_huge_absent_tree_fails_within_bounded_memory() {
    let _serial = SERIAL
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let mut rng = seeded(7);
    let joiner = Identity::<Suite>::new_with_rng("joiner", &mut rng);
    let bundle = joiner.key_package_with_rng(&mut rng).expect("key package");

    let leaves = 1usize << 20;
    let tree = ArtRatchetTree {
        leaf_kinds: vec![LeafKind::Blank; leaves],
        keys: vec![None; 2 * leaves - 1],
        leaf_nodes: vec![None; leaves],
    };
    let group_info = GroupInfo {
        group_context: GroupContext::new(
            Suite::ID,
            b"attack".to_vec(),
            1,
            vec![0; 32],
            vec![0; 32],
        ),
        extensions: vec![Extension {
            extension_type: ART_RATCHET_TREE_EXTENSION,
            extension_data: tree.encode_to_vec().expect("encode tree"),
        }],
        confirmation_tag: vec![0; 32],
        signer: 0,
        signature: vec![0; 64],
    };
    drop(tree);
    // The attacker chooses the joiner secret: nothing it needs is secret to it.
    let welcome = seal_welcome::<Suite, _>(
        &group_info,
        &Secret::new(vec![0x5a; 32]),
        &[],
        &[NewMember {
            key_package: bundle.key_package(),
            path_secret: Some(Secret::new(vec![0x17; 32])),
        }],
        &mut rng,
    )
    .expect("seal");
    drop(group_info);
    let welcome = MlsMessage::<ArtCommit>::Welcome(welcome)
        .encode_to_vec()
        .expect("encode welcome");

    let (result, peak) = peak_growth(|| {
        Group::<Suite>::join(&welcome, &bundle, joiner, GroupConfig::default()).map(drop)
    });
    let bound = 32 * welcome.len() + 4 * MIB;
    println!(
        "Welcome of {} bytes: join failed with {:?}; peak heap growth {} bytes ({:.1} x the \
         Welcome), bound {bound}",
        welcome.len(),
        result.as_ref().err(),
        peak,
        peak as f64 / welcome.len() as f64
    );
    assert!(result.is_err(), "the join must fail");
    assert!(
        peak <= bound,
        "peak heap growth {peak} for a Welcome of {} bytes, above {bound}",
        welcome.len()
    );
}

/// A commit whose tree change declares 2^21 empty parent keys (2 MiB on the wire).
#[test]
fn commit_of_nested_empty_vectors_fails_within_bounded_memory() {
    let _serial = SERIAL
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let mut rng = seeded(8);
    let identity = Identity::<Suite>::new_with_rng("member", &mut rng);
    let mut group = Group::<Suite>::create_with_rng(
        identity,
        b"group".to_vec(),
        GroupConfig::default(),
        &mut rng,
    )
    .expect("group");

    let commit = ArtCommit {
        tree_change: TreeChange {
            parent_keys: vec![Vec::new(); 1 << 21],
            ..TreeChange::default()
        },
        key_packages: Vec::new(),
        leaf_node: None,
    };
    let message = MlsMessage::<ArtCommit>::PublicMessage(PublicMessage {
        content: FramedContent {
            group_id: b"group".to_vec(),
            epoch: group.epoch(),
            sender: Sender::Member(LeafIndex(0)),
            authenticated_data: Vec::new(),
            content: Content::Commit(Box::new(commit)),
        },
        auth: FramedContentAuthData {
            signature: vec![0; 64],
            confirmation_tag: Some(vec![0; 32]),
        },
        membership_tag: Some(vec![0; 32]),
    })
    .encode_to_vec()
    .expect("encode");

    let (result, peak) = peak_growth(|| group.process_message(&message).map(drop));
    let bound = allocation_budget(message.len()) + MIB;
    println!(
        "message of {} bytes: process_message failed with {:?}; peak heap growth {} bytes \
         ({:.1} x the message), bound {bound}",
        message.len(),
        result.as_ref().err(),
        peak,
        peak as f64 / message.len() as f64
    );
    assert!(
        matches!(
            result,
            Err(GroupError::Codec(
                CodecError::AllocationBudgetExceeded { .. }
            ))
        ),
        "{result:?}"
    );
    assert!(
        peak <= bound,
        "peak heap growth {peak} for a message of {} bytes, above {bound}",
        message.len()
    );
}
