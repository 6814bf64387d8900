//! The MLS layers around the tree (codec, secret tree, framing, Welcome) on every backend and
//! suite.
//!
//! - Decoders: every decoder, on truncated input, on input with trailing garbage, with a length
//!   prefix claiming 2^30 - 1 bytes spliced in at every offset, with non-minimal and `0b11`
//!   lengths, and under random byte flips: a typed [`CodecError`], never a panic, and never an
//!   allocation sized by a claimed length (measured with a counting global allocator).
//! - Secret tree: in-order and out-of-order keys, the window, the forward-jump bound, replay
//!   rejection, erasure of node secrets, two-phase prepare/commit.
//! - Framing: a PrivateMessage that fails (tampered content or sender data, bad signature,
//!   unknown sender, nonzero padding, wrong epoch) leaves the secret tree unchanged, and the
//!   genuine message still decrypts afterwards; PublicMessage tag checks; padding.
//! - Welcome: a full round trip with a fresh key package and a PSK, and its failure modes.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use artmls::codec::{CodecError, Decode, Encode, Reader};
use artmls::framing::{
    FramingError, Padding, apply_reuse_guard, decrypt_private, encrypt_private, open_public,
    protect_public, sender_data_key_nonce, sign_content,
};
use artmls::key_schedule::{EpochSecrets, KeyScheduleError, zero_secret};
use artmls::messages::{
    Add, AuthenticatedContent, Capabilities, Commit, Content, ContentType, Credential,
    EncryptedGroupSecrets, Extension, ExternalInit, FramedContent, GroupContext, GroupInfo,
    GroupSecrets, KeyPackage, LeafNode, LeafNodeSource, Lifetime, MLS10, MlsMessage,
    PreSharedKeyId, PrivateMessage, Proposal, ProposalOrRef, PublicMessage, ReInit, Remove, Sender,
    SenderData, UpdatePath, UpdatePathNode, Welcome, WireFormat,
};
use artmls::secret_tree::{RatchetKind, SecretTree, SecretTreeConfig, SecretTreeError};
use artmls::tree_math::LeafIndex;
use artmls::welcome::{NewMember, WelcomeError, join, seal_welcome};
use artmls::{Aead, CipherSuite, DhGroup, HpkeCiphertext, Secret, SignatureScheme, SuiteVisitor};
use artmls_conformance::rng::seeded;
use artmls_conformance::{backends, visit};
use rand::RngExt;

// ---------------------------------------------------------------------------------------------
// A global allocator that records, per thread and only while asked, the largest single
// allocation and the total allocated. Test-only; the library itself has no unsafe code.

struct Counting;

thread_local! {
    static TRACKING: Cell<bool> = const { Cell::new(false) };
    static LARGEST: Cell<usize> = const { Cell::new(0) };
    static TOTAL: Cell<usize> = const { Cell::new(0) };
}

fn note(size: usize) {
    let _ = TRACKING.try_with(|tracking| {
        if tracking.get() {
            let _ = LARGEST.try_with(|largest| largest.set(largest.get().max(size)));
            let _ = TOTAL.try_with(|total| total.set(total.get() + size));
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

/// Runs `f` and returns its result with the largest single allocation and the total
/// allocated on this thread meanwhile.
fn measure<T>(f: impl FnOnce() -> T) -> (T, usize, usize) {
    LARGEST.with(|largest| largest.set(0));
    TOTAL.with(|total| total.set(0));
    TRACKING.with(|tracking| tracking.set(true));
    let result = f();
    TRACKING.with(|tracking| tracking.set(false));
    (result, LARGEST.with(Cell::get), TOTAL.with(Cell::get))
}

// ---------------------------------------------------------------------------------------------
// Decoders and sample encodings.

type DecodeFn = fn(&[u8]) -> Result<(), CodecError>;

fn decode_as<T: Decode>(bytes: &[u8]) -> Result<(), CodecError> {
    T::decode_exact(bytes).map(drop)
}

/// `AuthenticatedContent` and `FramedContentAuthData` need the content type; PublicMessage
/// is decoded on its own too.
fn decode_auth_data_of_commit(bytes: &[u8]) -> Result<(), CodecError> {
    let mut reader = Reader::new(bytes);
    artmls::messages::FramedContentAuthData::decode_for(&mut reader, ContentType::Commit)?;
    reader.finish()
}

struct Sample {
    name: &'static str,
    bytes: Vec<u8>,
    decode: DecodeFn,
}

fn sample<T: Encode + Decode>(name: &'static str, value: &T) -> Sample {
    let bytes = value.encode_to_vec().expect("encode sample");
    decode_as::<T>(&bytes).unwrap_or_else(|error| panic!("{name} does not round-trip: {error}"));
    Sample {
        name,
        bytes,
        decode: decode_as::<T>,
    }
}

fn leaf_node(source: LeafNodeSource) -> LeafNode {
    LeafNode {
        encryption_key: vec![0x11; 32],
        signature_key: vec![0x22; 32],
        credential: Credential::basic(b"alice".to_vec()),
        capabilities: Capabilities {
            versions: vec![MLS10],
            cipher_suites: vec![0xF001, 0xF002, 0xF003],
            extensions: vec![],
            proposals: vec![],
            credentials: vec![1],
        },
        leaf_node_source: source,
        extensions: vec![Extension {
            extension_type: 0xff00,
            extension_data: vec![1, 2, 3],
        }],
        signature: vec![0x33; 64],
    }
}

fn raw_key_package() -> KeyPackage {
    KeyPackage {
        version: MLS10,
        cipher_suite: 0xF001,
        init_key: vec![0x44; 32],
        leaf_node: leaf_node(LeafNodeSource::KeyPackage(Lifetime {
            not_before: 0,
            not_after: u64::MAX,
        })),
        extensions: vec![],
        signature: vec![0x55; 64],
    }
}

fn big_commit() -> Commit {
    Commit {
        proposals: vec![
            ProposalOrRef::Proposal(Proposal::Add(Box::new(Add {
                key_package: raw_key_package(),
            }))),
            ProposalOrRef::Proposal(Proposal::Remove(Remove { removed: 5 })),
            ProposalOrRef::Proposal(Proposal::PreSharedKey(PreSharedKeyId::external(
                b"psk".to_vec(),
                vec![7; 32],
            ))),
            ProposalOrRef::Proposal(Proposal::ReInit(ReInit {
                group_id: b"g2".to_vec(),
                version: MLS10,
                cipher_suite: 0xF003,
                extensions: vec![],
            })),
            ProposalOrRef::Proposal(Proposal::ExternalInit(ExternalInit {
                kem_output: vec![8; 32],
            })),
            ProposalOrRef::Reference(vec![9; 32]),
        ],
        path: Some(UpdatePath {
            leaf_node: leaf_node(LeafNodeSource::Commit(vec![0x66; 32])),
            nodes: vec![UpdatePathNode {
                encryption_key: vec![0x77; 32],
                encrypted_path_secret: vec![HpkeCiphertext {
                    kem_output: vec![0x88; 32],
                    ciphertext: vec![0x99; 48],
                }],
            }],
        }),
    }
}

fn framed(content: Content) -> FramedContent {
    FramedContent {
        group_id: b"group-id".to_vec(),
        epoch: 7,
        sender: Sender::Member(LeafIndex(1)),
        authenticated_data: b"ad".to_vec(),
        content,
    }
}

fn samples() -> Vec<Sample> {
    let commit_auth = artmls::messages::FramedContentAuthData {
        signature: vec![1; 64],
        confirmation_tag: Some(vec![2; 32]),
    };
    let public = PublicMessage {
        content: framed(Content::Commit(Box::new(big_commit()))),
        auth: commit_auth.clone(),
        membership_tag: Some(vec![3; 32]),
    };
    let private = PrivateMessage {
        group_id: b"group-id".to_vec(),
        epoch: 7,
        content_type: ContentType::Application,
        authenticated_data: vec![],
        encrypted_sender_data: vec![4; 28],
        ciphertext: vec![5; 200],
    };
    let group_context =
        GroupContext::new(0xF001, b"group-id".to_vec(), 7, vec![6; 32], vec![7; 32]);
    let group_info = GroupInfo {
        group_context: group_context.clone(),
        extensions: vec![Extension {
            extension_type: 0xff01,
            extension_data: vec![8; 100],
        }],
        confirmation_tag: vec![9; 32],
        signer: 0,
        signature: vec![10; 64],
    };
    let encrypted_secrets = EncryptedGroupSecrets {
        new_member: vec![11; 32],
        encrypted_group_secrets: HpkeCiphertext {
            kem_output: vec![12; 32],
            ciphertext: vec![13; 90],
        },
    };
    let welcome = Welcome {
        cipher_suite: 0xF001,
        secrets: vec![encrypted_secrets.clone(), encrypted_secrets.clone()],
        encrypted_group_info: vec![14; 180],
    };
    let group_secrets = GroupSecrets {
        joiner_secret: Secret::from_slice(&[15; 32]),
        path_secret: Some(artmls::messages::PathSecret {
            path_secret: Secret::from_slice(&[16; 32]),
        }),
        psks: vec![PreSharedKeyId::external(b"psk".to_vec(), vec![17; 32])],
    };
    let authenticated = AuthenticatedContent {
        wire_format: WireFormat::PublicMessage,
        content: framed(Content::Commit(Box::new(big_commit()))),
        auth: commit_auth.clone(),
    };
    let mut out = vec![
        sample(
            "MLSMessage(PublicMessage)",
            &MlsMessage::<artmls::messages::Commit>::PublicMessage(public.clone()),
        ),
        sample(
            "MLSMessage(PrivateMessage)",
            &MlsMessage::<artmls::messages::Commit>::PrivateMessage(private.clone()),
        ),
        sample(
            "MLSMessage(Welcome)",
            &MlsMessage::<artmls::messages::Commit>::Welcome(welcome.clone()),
        ),
        sample(
            "MLSMessage(GroupInfo)",
            &MlsMessage::<artmls::messages::Commit>::GroupInfo(group_info.clone()),
        ),
        sample(
            "MLSMessage(KeyPackage)",
            &MlsMessage::<artmls::messages::Commit>::KeyPackage(raw_key_package()),
        ),
        sample("PublicMessage", &public),
        sample("PrivateMessage", &private),
        sample("Welcome", &welcome),
        sample("GroupInfo", &group_info),
        sample("GroupContext", &group_context),
        sample("GroupSecrets", &group_secrets),
        sample("EncryptedGroupSecrets", &encrypted_secrets),
        sample("KeyPackage", &raw_key_package()),
        sample("LeafNode", &leaf_node(LeafNodeSource::Update)),
        sample(
            "Capabilities",
            &leaf_node(LeafNodeSource::Update).capabilities,
        ),
        sample("Credential", &Credential::basic(b"bob".to_vec())),
        sample(
            "Extension",
            &Extension {
                extension_type: 1,
                extension_data: vec![1; 10],
            },
        ),
        sample(
            "Lifetime",
            &Lifetime {
                not_before: 1,
                not_after: 2,
            },
        ),
        sample("FramedContent", &framed(Content::Application(vec![18; 40]))),
        sample("AuthenticatedContent", &authenticated),
        sample(
            "SenderData",
            &SenderData {
                leaf_index: LeafIndex(3),
                generation: 4,
                reuse_guard: [1, 2, 3, 4],
            },
        ),
        sample(
            "Proposal",
            &Proposal::Add(Box::new(Add {
                key_package: raw_key_package(),
            })),
        ),
        sample("ProposalOrRef", &ProposalOrRef::Reference(vec![19; 32])),
        sample("Commit", &big_commit()),
        sample("UpdatePath", &big_commit().path.expect("path")),
        sample(
            "PreSharedKeyId",
            &PreSharedKeyId::external(vec![20; 8], vec![21; 32]),
        ),
        sample("opaque<V>", &vec![22u8; 100]),
    ];
    let auth_bytes = {
        let mut bytes = Vec::new();
        commit_auth
            .encode_for(&mut bytes, ContentType::Commit)
            .expect("encode auth");
        bytes
    };
    out.push(Sample {
        name: "FramedContentAuthData(commit)",
        bytes: auth_bytes,
        decode: decode_auth_data_of_commit,
    });
    out
}

/// Whether a sample has a vector length in it (all but the fixed-size structures).
fn has_lengths(sample: &Sample) -> bool {
    !matches!(sample.name, "Lifetime" | "SenderData")
}

/// What a decoder may allocate for an input of `len` bytes: byte strings are copied from the
/// input (at most `len`), and vectors of structures grow with what was actually decoded, so
/// a small multiple of the input, never the lengths the input claims.
fn allocation_bound(len: usize) -> usize {
    16 * len + 512
}

#[test]
fn truncated_input_is_a_typed_error() {
    for sample in samples() {
        for len in 0..sample.bytes.len() {
            let input = &sample.bytes[..len];
            let (result, largest, _) = measure(|| (sample.decode)(input));
            let error = result.expect_err(sample.name);
            assert!(
                matches!(
                    error,
                    CodecError::Truncated { .. } | CodecError::LengthExceedsInput { .. }
                ),
                "{} cut at {len}: {error:?}",
                sample.name
            );
            assert!(
                largest <= allocation_bound(len),
                "{} cut at {len}: allocated {largest} bytes at once",
                sample.name
            );
        }
    }
}

#[test]
fn trailing_garbage_is_rejected() {
    for sample in samples() {
        for garbage in [&[0u8][..], &[0xff, 0xff], &[0x01, 0x00, 0x00]] {
            let mut input = sample.bytes.clone();
            input.extend_from_slice(garbage);
            assert_eq!(
                (sample.decode)(&input),
                Err(CodecError::TrailingBytes(garbage.len())),
                "{}",
                sample.name
            );
        }
    }
}

/// A length prefix claiming 2^30 - 1 bytes (`bf ff ff ff`), spliced in at every offset of
/// every sample, followed by at most 6 bytes: decoding must fail or succeed without ever
/// allocating according to the claim, and at some offsets it must be the length check that
/// fails.
#[test]
fn oversized_lengths_error_without_allocating() {
    const CLAIM: [u8; 4] = [0xbf, 0xff, 0xff, 0xff];
    for sample in samples().into_iter().filter(has_lengths) {
        let mut length_checks = 0;
        for offset in 0..=sample.bytes.len() {
            let mut input = sample.bytes[..offset].to_vec();
            input.extend_from_slice(&CLAIM);
            input.extend(sample.bytes[offset..].iter().take(6));
            let (result, largest, _) = measure(|| (sample.decode)(&input));
            assert!(
                largest <= allocation_bound(input.len()),
                "{} with the claim at {offset}: allocated {largest} bytes at once for {} input bytes",
                sample.name,
                input.len()
            );
            if let Err(CodecError::LengthExceedsInput { claimed, remaining }) = result {
                assert!(remaining < input.len(), "{}", sample.name);
                if claimed == (1 << 30) - 1 {
                    length_checks += 1;
                }
            }
        }
        assert!(
            length_checks > 0,
            "{}: no offset hit a length field",
            sample.name
        );
    }
}

/// The case of the brief, literally: a 10-byte input whose first length claims 2^30 - 1 bytes
/// errors without allocating anything, for every decoder whose encoding starts with a length.
#[test]
fn a_gigabyte_claim_on_ten_bytes_allocates_nothing() {
    let input = [0xbf, 0xff, 0xff, 0xff, 1, 2, 3, 4, 5, 6];
    let starts_with_a_length: [(&str, DecodeFn); 8] = [
        ("opaque<V>", decode_as::<Vec<u8>>),
        ("Extension<V>", decode_as::<Vec<Extension>>),
        ("GroupSecrets", decode_as::<GroupSecrets>),
        ("EncryptedGroupSecrets", decode_as::<EncryptedGroupSecrets>),
        ("LeafNode", decode_as::<LeafNode>),
        ("FramedContent", decode_as::<FramedContent>),
        ("PrivateMessage", decode_as::<PrivateMessage>),
        ("Commit", decode_as::<Commit>),
    ];
    for (name, decode) in starts_with_a_length {
        let (result, largest, total) = measure(|| decode(&input));
        assert_eq!(
            result,
            Err(CodecError::LengthExceedsInput {
                claimed: (1 << 30) - 1,
                remaining: 6
            }),
            "{name}"
        );
        assert_eq!((largest, total), (0, 0), "{name} allocated");
    }
}

/// Re-encodes a one-byte length as two bytes, or puts the reserved `0b11` prefix in its
/// place, at every offset: somewhere in each sample this must hit a length field and be
/// rejected as such (structures enforce the varint rules, not just the bare codec).
#[test]
fn non_minimal_and_reserved_lengths_are_rejected_inside_structures() {
    for sample in samples().into_iter().filter(has_lengths) {
        let (mut non_minimal, mut reserved) = (0, 0);
        for offset in 0..sample.bytes.len() {
            let byte = sample.bytes[offset];
            // A one-byte length written with two bytes, or a two-byte one with four.
            let rewritten = match byte >> 6 {
                0 => Some((vec![0x40, byte], 1, usize::from(byte))),
                1 if offset + 1 < sample.bytes.len() => {
                    let low = sample.bytes[offset + 1];
                    let value = usize::from(byte & 0x3f) << 8 | usize::from(low);
                    Some((vec![0x80, 0, byte & 0x3f, low], 2, value))
                }
                _ => None,
            };
            if let Some((header, replaced, value)) = rewritten {
                let mut input = sample.bytes[..offset].to_vec();
                input.extend_from_slice(&header);
                input.extend_from_slice(&sample.bytes[offset + replaced..]);
                if (sample.decode)(&input) == Err(CodecError::NonMinimalLength(value)) {
                    non_minimal += 1;
                }
            }
            let mut input = sample.bytes.clone();
            input[offset] |= 0xc0;
            if (sample.decode)(&input) == Err(CodecError::ReservedLengthPrefix) {
                reserved += 1;
            }
        }
        assert!(
            non_minimal > 0,
            "{}: no non-minimal length rejected",
            sample.name
        );
        assert!(reserved > 0, "{}: no reserved prefix rejected", sample.name);
    }
}

/// Vectors of many minimal elements: memory grows with the elements actually decoded (the
/// in-memory form of a structure is larger than its wire form, so this is linear in the input,
/// by a factor of at most `size_of::<T>() / minimal encoding`, and never driven by a claim).
#[test]
fn many_tiny_elements_grow_linearly() {
    fn check<T: Decode>(name: &str, element: &[u8], count: usize) {
        let body = element.repeat(count);
        let mut input = Vec::new();
        artmls::codec::write_varint(&mut input, body.len()).unwrap();
        input.extend_from_slice(&body);
        let (result, largest, _) = measure(|| Vec::<T>::decode_exact(&input).map(|v| v.len()));
        assert_eq!(result, Ok(count), "{name}");
        let per_element = std::mem::size_of::<T>();
        assert!(
            largest <= 2 * count * per_element,
            "{name}: largest allocation {largest} for {count} elements of {per_element} bytes"
        );
    }
    check::<Extension>("Extension", &[0, 1, 0], 2000);
    check::<ProposalOrRef>("ProposalOrRef::Reference", &[2, 0], 2000);
    check::<Credential>("Credential::Basic", &[0, 1, 0], 2000);
    check::<PreSharedKeyId>("PreSharedKeyId", &[1, 0, 0], 2000);
    check::<u16>("u16", &[0, 1], 2000);
}

#[test]
fn random_corruption_never_panics() {
    let mut rng = seeded(0x5eed);
    for sample in samples() {
        for _ in 0..300 {
            let mut input = sample.bytes.clone();
            let flips = rng.random_range(1..=4);
            for _ in 0..flips {
                let at = rng.random_range(0..input.len());
                input[at] = rng.random();
            }
            if rng.random_bool(0.3) {
                input.truncate(rng.random_range(0..=input.len()));
            }
            let (_, largest, _) = measure(|| (sample.decode)(&input));
            assert!(largest <= allocation_bound(input.len()), "{}", sample.name);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Running generic checks on every backend and suite.

fn on_every_suite<V: SuiteVisitor<Output = ()> + Copy>(visitor: V) {
    let mut ran = 0;
    for entry in backends() {
        for suite in entry.suites {
            visit(entry.name, *suite, visitor)
                .unwrap_or_else(|| panic!("{} does not visit {suite}", entry.name));
            ran += 1;
        }
    }
    assert!(ran > 0);
}

fn secret(byte: u8, len: usize) -> Secret {
    Secret::new(vec![byte; len])
}

// ---------------------------------------------------------------------------------------------
// Secret tree.

#[derive(Clone, Copy)]
struct SecretTreeBehaviour;

impl SuiteVisitor for SecretTreeBehaviour {
    type Output = ();

    fn visit<S: CipherSuite>(self) {
        let leaf = LeafIndex(2);
        let kind = RatchetKind::Application;
        let root = secret(1, 32);

        // In order, then a replay.
        let mut tree = SecretTree::<S>::new(root.clone(), 4).unwrap();
        let mut keys = Vec::new();
        for generation in 0..5 {
            keys.push(tree.take_key(leaf, kind, generation).unwrap());
        }
        assert_eq!(tree.next_generation(leaf, kind), Some(5));
        assert_eq!(
            tree.take_key(leaf, kind, 3).unwrap_err(),
            SecretTreeError::GenerationConsumed(3)
        );
        // The other ratchet and the other leaves are independent.
        let handshake = tree.take_key(leaf, RatchetKind::Handshake, 0).unwrap();
        assert_ne!(handshake.key(), keys[0].key());
        let other_leaf = tree.take_key(LeafIndex(3), kind, 0).unwrap();
        assert_ne!(other_leaf.key(), keys[0].key());

        // Out of order: a fresh tree of the same epoch gives the same keys in any order.
        let mut late = SecretTree::<S>::new(root.clone(), 4).unwrap();
        let k4 = late.take_key(leaf, kind, 4).unwrap();
        assert_eq!(k4, keys[4]);
        assert_eq!(late.kept_generations(leaf, kind), vec![0, 1, 2, 3]);
        assert_eq!(late.take_key(leaf, kind, 1).unwrap(), keys[1]);
        assert_eq!(late.kept_generations(leaf, kind), vec![0, 2, 3]);
        assert_eq!(
            late.take_key(leaf, kind, 1).unwrap_err(),
            SecretTreeError::GenerationConsumed(1)
        );
        assert_eq!(
            late.take_key(leaf, kind, 4).unwrap_err(),
            SecretTreeError::GenerationConsumed(4)
        );

        // The window: 4 back. After generation 20, keys 16..19 are kept, older ones erased.
        let config = SecretTreeConfig {
            out_of_order_window: 4,
            max_forward_jump: 100,
        };
        let mut windowed = SecretTree::<S>::with_config(root.clone(), 4, config).unwrap();
        windowed.take_key(leaf, kind, 0).unwrap();
        windowed.take_key(leaf, kind, 20).unwrap();
        assert_eq!(windowed.kept_generations(leaf, kind), vec![16, 17, 18, 19]);
        assert!(matches!(
            windowed.take_key(leaf, kind, 15).unwrap_err(),
            SecretTreeError::GenerationExpired { generation: 15, .. }
        ));
        windowed.take_key(leaf, kind, 17).unwrap();
        // Moving on evicts what falls out of the window.
        windowed.take_key(leaf, kind, 22).unwrap();
        assert_eq!(windowed.kept_generations(leaf, kind), vec![18, 19, 21]);
        // A window of zero keeps nothing.
        let strict = SecretTreeConfig {
            out_of_order_window: 0,
            max_forward_jump: 100,
        };
        let mut strict_tree = SecretTree::<S>::with_config(root.clone(), 4, strict).unwrap();
        strict_tree.take_key(leaf, kind, 5).unwrap();
        assert!(strict_tree.kept_generations(leaf, kind).is_empty());
        assert!(matches!(
            strict_tree.take_key(leaf, kind, 4).unwrap_err(),
            SecretTreeError::GenerationExpired { .. }
        ));

        // The forward jump bound (default 1024 past the next generation).
        let mut jumpy = SecretTree::<S>::new(root.clone(), 4).unwrap();
        assert!(matches!(
            jumpy.take_key(leaf, kind, 1025).unwrap_err(),
            SecretTreeError::GenerationTooFarAhead {
                generation: 1025,
                next: 0,
                max_jump: 1024
            }
        ));
        assert_eq!(jumpy.next_generation(leaf, kind), Some(0));
        jumpy.take_key(leaf, kind, 1024).unwrap();
        assert_eq!(
            jumpy.kept_generations(leaf, kind).len(),
            32,
            "default window"
        );

        // Bad leaves and widths.
        assert!(matches!(
            jumpy.take_key(LeafIndex(4), kind, 0).unwrap_err(),
            SecretTreeError::LeafOutOfRange { .. }
        ));
        assert_eq!(
            SecretTree::<S>::new(root.clone(), 3).unwrap_err(),
            SecretTreeError::InvalidWidth(3)
        );
        assert_eq!(
            SecretTree::<S>::new(root.clone(), 0).unwrap_err(),
            SecretTreeError::InvalidWidth(0)
        );

        // Forward secrecy: deriving a leaf erases every node secret on its path and keeps
        // only the siblings; once every leaf is derived, no node secret is left.
        let mut erasing = SecretTree::<S>::new(root.clone(), 8).unwrap();
        assert_eq!(erasing.stored_node_secrets(), 1);
        erasing.take_key(LeafIndex(0), kind, 0).unwrap();
        assert_eq!(
            erasing.stored_node_secrets(),
            3,
            "siblings of nodes 0, 1, 3"
        );
        for leaf in 1..8 {
            erasing.take_key(LeafIndex(leaf), kind, 0).unwrap();
        }
        assert_eq!(erasing.stored_node_secrets(), 0);

        // Two phases: a prepared key changes nothing until committed, and a key prepared on
        // an older state is refused.
        let mut two_phase = SecretTree::<S>::new(root.clone(), 4).unwrap();
        let pending = two_phase.prepare(leaf, kind, 3).unwrap();
        assert_eq!(pending.key(), &keys[3]);
        assert_eq!(two_phase.next_generation(leaf, kind), Some(0));
        assert_eq!(two_phase.stored_node_secrets(), 1);
        let other = two_phase.prepare(leaf, kind, 0).unwrap();
        two_phase.commit(pending).unwrap();
        assert_eq!(two_phase.next_generation(leaf, kind), Some(4));
        assert_eq!(
            two_phase.commit(other).unwrap_err(),
            SecretTreeError::StalePendingKey
        );
        assert_eq!(two_phase.take_key(leaf, kind, 0).unwrap(), keys[0]);

        // Sending uses the next generation and consumes it.
        let mut sender = SecretTree::<S>::new(root, 4).unwrap();
        assert_eq!(sender.next_send_key(leaf, kind).unwrap(), keys[0]);
        assert_eq!(sender.next_send_key(leaf, kind).unwrap(), keys[1]);
        assert_eq!(
            sender.take_key(leaf, kind, 1).unwrap_err(),
            SecretTreeError::GenerationConsumed(1)
        );

        // The reuse guard touches the first four bytes only.
        let nonce = secret(0xaa, S::Aead::NONCE_LEN);
        let guarded = apply_reuse_guard(&nonce, [1, 2, 3, 4]);
        assert_eq!(&guarded.as_bytes()[..4], &[0xab, 0xa8, 0xa9, 0xae]);
        assert_eq!(&guarded.as_bytes()[4..], &nonce.as_bytes()[4..]);

        // Debug output shows no key material.
        let shown = format!("{:?} {:?}", keys[0], sender);
        assert!(!shown.contains(&format!("{:?}", keys[0].key().as_bytes())));
    }
}

#[test]
fn secret_tree_window_replay_and_forward_secrecy() {
    on_every_suite(SecretTreeBehaviour);
}

// ---------------------------------------------------------------------------------------------
// Framing.

struct Group<S: CipherSuite> {
    context: GroupContext,
    encryption_secret: Secret,
    sender_data_secret: Secret,
    membership_key: Secret,
    signing_key: <S::Signature as SignatureScheme>::SigningKey,
    verifying_key: <S::Signature as SignatureScheme>::VerifyingKey,
    other_key: <S::Signature as SignatureScheme>::VerifyingKey,
}

impl<S: CipherSuite> Group<S> {
    fn new(seed: u64) -> Self {
        let mut rng = seeded(seed);
        let epoch = EpochSecrets::<S>::derive(
            &secret(1, 32),
            &secret(2, 32),
            None,
            &GroupContext::new(S::ID.0, b"group".to_vec(), 3, vec![4; 32], vec![5; 32]),
        )
        .unwrap();
        let signing_key = S::Signature::generate_signing_key(&mut rng);
        let verifying_key = S::Signature::verifying_key(&signing_key);
        let other_key = S::Signature::verifying_key(&S::Signature::generate_signing_key(&mut rng));
        Group {
            context: GroupContext::new(S::ID.0, b"group".to_vec(), 3, vec![4; 32], vec![5; 32]),
            encryption_secret: epoch.encryption_secret.clone(),
            sender_data_secret: epoch.sender_data_secret.clone(),
            membership_key: epoch.membership_key.clone(),
            signing_key,
            verifying_key,
            other_key,
        }
    }

    fn tree(&self) -> SecretTree<S> {
        SecretTree::new(self.encryption_secret.clone(), 4).unwrap()
    }

    fn content(&self, content: Content) -> FramedContent {
        FramedContent {
            group_id: self.context.group_id.clone(),
            epoch: self.context.epoch,
            sender: Sender::Member(LeafIndex(1)),
            authenticated_data: b"visible".to_vec(),
            content,
        }
    }

    fn signed(&self, wire_format: WireFormat, content: Content) -> AuthenticatedContent {
        let tag = matches!(content, Content::Commit(_)).then(|| vec![0x42; 32]);
        sign_content::<S, _>(
            wire_format,
            self.content(content),
            &self.context,
            &self.signing_key,
            tag,
        )
        .unwrap()
    }

    fn decrypt(
        &self,
        tree: &mut SecretTree<S>,
        message: &PrivateMessage,
    ) -> Result<AuthenticatedContent, FramingError> {
        decrypt_private::<S, Commit>(
            message,
            tree,
            &self.sender_data_secret,
            &self.context,
            |leaf| (leaf == LeafIndex(1)).then(|| self.verifying_key.clone()),
        )
    }
}

/// What a receiver's tree looks like for the sender's leaf: enough to tell "unchanged".
fn snapshot<S: CipherSuite>(tree: &SecretTree<S>) -> (Option<u64>, Option<u64>, Vec<u32>, usize) {
    let leaf = LeafIndex(1);
    (
        tree.next_generation(leaf, RatchetKind::Application),
        tree.next_generation(leaf, RatchetKind::Handshake),
        tree.kept_generations(leaf, RatchetKind::Application),
        tree.stored_node_secrets(),
    )
}

#[derive(Clone, Copy)]
struct FramingBehaviour;

impl SuiteVisitor for FramingBehaviour {
    type Output = ();

    fn visit<S: CipherSuite>(self) {
        let group = Group::<S>::new(u64::from(S::ID.0));
        let mut rng = seeded(9);
        let mut sender_tree = group.tree();
        let application = |text: &[u8]| {
            group.signed(
                WireFormat::PrivateMessage,
                Content::Application(text.to_vec()),
            )
        };
        let first = encrypt_private::<S, _, _>(
            &application(b"first"),
            &mut sender_tree,
            &group.sender_data_secret,
            Padding::None,
            &mut rng,
        )
        .unwrap();
        let second = encrypt_private::<S, _, _>(
            &application(b"second"),
            &mut sender_tree,
            &group.sender_data_secret,
            Padding::Multiple(64),
            &mut rng,
        )
        .unwrap();
        assert_eq!(
            (second.ciphertext.len() - S::Aead::TAG_LEN) % 64,
            0,
            "padded to a multiple of 64"
        );

        // An absurd padding block is refused before anything is allocated or consumed.
        let next = sender_tree.next_generation(LeafIndex(1), RatchetKind::Application);
        assert!(matches!(
            encrypt_private::<S, _, _>(
                &application(b"huge"),
                &mut sender_tree,
                &group.sender_data_secret,
                Padding::Multiple(usize::MAX),
                &mut rng,
            ),
            Err(FramingError::Codec(CodecError::VectorTooLong(_)))
        ));
        assert_eq!(
            sender_tree.next_generation(LeafIndex(1), RatchetKind::Application),
            next
        );

        let mut receiver = group.tree();
        let before = snapshot(&receiver);
        let rejected = |receiver: &SecretTree<S>, what: &str| {
            assert_eq!(snapshot(receiver), before, "{what} changed the secret tree");
        };

        // Tampered content.
        let mut tampered = first.clone();
        let last = tampered.ciphertext.len() - 1;
        tampered.ciphertext[last] ^= 1;
        assert!(matches!(
            group.decrypt(&mut receiver, &tampered),
            Err(FramingError::SenderDataDecryption | FramingError::ContentDecryption)
        ));
        rejected(&receiver, "tampered content");
        // Tampered authenticated data (bound to the content AEAD, not to the sender data).
        let mut tampered = first.clone();
        tampered.authenticated_data.push(0);
        assert_eq!(
            group.decrypt(&mut receiver, &tampered).unwrap_err(),
            FramingError::ContentDecryption
        );
        rejected(&receiver, "tampered authenticated data");
        // Tampered sender data.
        let mut tampered = first.clone();
        tampered.encrypted_sender_data[0] ^= 1;
        assert_eq!(
            group.decrypt(&mut receiver, &tampered).unwrap_err(),
            FramingError::SenderDataDecryption
        );
        rejected(&receiver, "tampered sender data");
        // Garbage in every field.
        let garbage = PrivateMessage {
            group_id: group.context.group_id.clone(),
            epoch: group.context.epoch,
            content_type: ContentType::Application,
            authenticated_data: vec![],
            encrypted_sender_data: vec![1; 3],
            ciphertext: vec![],
        };
        assert!(group.decrypt(&mut receiver, &garbage).is_err());
        rejected(&receiver, "garbage");
        // Wrong epoch and group.
        let mut wrong = first.clone();
        wrong.epoch += 1;
        assert!(matches!(
            group.decrypt(&mut receiver, &wrong).unwrap_err(),
            FramingError::WrongEpoch { .. }
        ));
        wrong = first.clone();
        wrong.group_id.push(0);
        assert_eq!(
            group.decrypt(&mut receiver, &wrong).unwrap_err(),
            FramingError::WrongGroup
        );
        // Bad signature: the AEAD opens, but the signature is checked before the key is
        // consumed.
        let bad_signer = decrypt_private::<S, Commit>(
            &first,
            &mut receiver,
            &group.sender_data_secret,
            &group.context,
            |_| Some(group.other_key.clone()),
        );
        assert!(matches!(bad_signer, Err(FramingError::InvalidSignature(_))));
        rejected(&receiver, "bad signature");
        let unknown = decrypt_private::<S, Commit>(
            &first,
            &mut receiver,
            &group.sender_data_secret,
            &group.context,
            |_| None,
        );
        assert_eq!(
            unknown.unwrap_err(),
            FramingError::UnknownSender(LeafIndex(1))
        );
        rejected(&receiver, "unknown sender");

        // Nonzero padding, from a message built by hand with the same keys.
        let padded = hand_made::<S>(&group, &application(b"pad"), &[0, 0, 1]);
        assert_eq!(
            group.decrypt(&mut receiver, &padded).unwrap_err(),
            FramingError::NonZeroPadding
        );
        rejected(&receiver, "nonzero padding");
        let zero_padded = hand_made::<S>(&group, &application(b"pad"), &[0, 0, 0]);

        // After all that, the genuine messages decrypt, out of order, once each.
        let opened = group.decrypt(&mut receiver, &second).unwrap();
        assert_eq!(
            opened.content.content,
            Content::Application(b"second".to_vec())
        );
        assert_eq!(opened.wire_format, WireFormat::PrivateMessage);
        assert_eq!(opened.content.authenticated_data, b"visible");
        let opened = group.decrypt(&mut receiver, &first).unwrap();
        assert_eq!(
            opened.content.content,
            Content::Application(b"first".to_vec())
        );
        assert_eq!(
            group.decrypt(&mut receiver, &first).unwrap_err(),
            FramingError::SecretTree(SecretTreeError::GenerationConsumed(0))
        );
        let mut fresh = group.tree();
        let opened = group.decrypt(&mut fresh, &zero_padded).unwrap();
        assert_eq!(
            opened.content.content,
            Content::Application(b"pad".to_vec())
        );

        // Handshake messages use the handshake ratchet, and a commit keeps its tag.
        let commit = group.signed(
            WireFormat::PrivateMessage,
            Content::Commit(Box::new(Commit {
                proposals: vec![ProposalOrRef::Proposal(Proposal::Remove(Remove {
                    removed: 0,
                }))],
                path: None,
            })),
        );
        let sealed = encrypt_private::<S, _, _>(
            &commit,
            &mut sender_tree,
            &group.sender_data_secret,
            Padding::None,
            &mut rng,
        )
        .unwrap();
        assert_eq!(sealed.content_type, ContentType::Commit);
        let opened = group.decrypt(&mut receiver, &sealed).unwrap();
        assert_eq!(opened, commit);
        assert_eq!(
            receiver.next_generation(LeafIndex(1), RatchetKind::Handshake),
            Some(1)
        );

        // Content signed for one wire format cannot go in the other.
        assert!(matches!(
            encrypt_private::<S, _, _>(
                &group.signed(WireFormat::PublicMessage, Content::Application(vec![])),
                &mut sender_tree,
                &group.sender_data_secret,
                Padding::None,
                &mut rng,
            ),
            Err(FramingError::WrongWireFormat(WireFormat::PublicMessage))
        ));

        // PublicMessage: round trip, membership tag and signature checks.
        let proposal = group.signed(
            WireFormat::PublicMessage,
            Content::Proposal(Proposal::Remove(Remove { removed: 2 })),
        );
        let public =
            protect_public::<S, _>(proposal.clone(), &group.context, &group.membership_key)
                .unwrap();
        let open = |message: &PublicMessage,
                    key: &<S::Signature as SignatureScheme>::VerifyingKey| {
            open_public::<S, _>(message, &group.context, &group.membership_key, key)
        };
        assert_eq!(open(&public, &group.verifying_key).unwrap(), proposal);
        let mut bad_tag = public.clone();
        if let Some(tag) = bad_tag.membership_tag.as_mut() {
            tag[0] ^= 1;
        }
        assert_eq!(
            open(&bad_tag, &group.verifying_key).unwrap_err(),
            FramingError::MembershipTagMismatch
        );
        let mut no_tag = public.clone();
        no_tag.membership_tag = None;
        assert_eq!(
            open(&no_tag, &group.verifying_key).unwrap_err(),
            FramingError::MembershipTagPresence
        );
        assert!(matches!(
            open(&public, &group.other_key).unwrap_err(),
            FramingError::InvalidSignature(_)
        ));
        let mut bad_signature = public.clone();
        bad_signature.auth.signature[0] ^= 1;
        assert!(open(&bad_signature, &group.verifying_key).is_err());
        assert_eq!(
            protect_public::<S, _>(
                group.signed(WireFormat::PublicMessage, Content::Application(vec![1])),
                &group.context,
                &group.membership_key,
            )
            .unwrap_err(),
            FramingError::ApplicationInPublicMessage
        );
        // A commit needs its confirmation tag; other content must not have one.
        assert_eq!(
            sign_content::<S, _>(
                WireFormat::PublicMessage,
                group.content(Content::Application(vec![])),
                &group.context,
                &group.signing_key,
                Some(vec![1]),
            )
            .unwrap_err(),
            FramingError::ConfirmationTagPresence
        );
    }
}

/// A PrivateMessage built from public pieces, with the given padding bytes after the content.
fn hand_made<S: CipherSuite>(
    group: &Group<S>,
    content: &AuthenticatedContent,
    padding: &[u8],
) -> PrivateMessage {
    let content_type = content.content.content.content_type();
    let mut plaintext = Vec::new();
    content.content.content.encode_body(&mut plaintext).unwrap();
    content
        .auth
        .encode_for(&mut plaintext, content_type)
        .unwrap();
    plaintext.extend_from_slice(padding);
    // Generation 5 of leaf 1, from a separate tree of the same epoch.
    let key = group
        .tree()
        .take_key(LeafIndex(1), RatchetKind::Application, 5)
        .unwrap();
    let reuse_guard = [9, 8, 7, 6];
    let nonce = apply_reuse_guard(key.nonce(), reuse_guard);
    let mut aad = Vec::new();
    content.content.group_id.encode(&mut aad).unwrap();
    content.content.epoch.encode(&mut aad).unwrap();
    content_type.encode(&mut aad).unwrap();
    let sender_data_aad = aad.clone();
    content.content.authenticated_data.encode(&mut aad).unwrap();
    let ciphertext =
        S::Aead::seal(key.key().as_bytes(), nonce.as_bytes(), &aad, &plaintext).unwrap();
    let sender_data = SenderData {
        leaf_index: LeafIndex(1),
        generation: 5,
        reuse_guard,
    }
    .encode_to_vec()
    .unwrap();
    let (sd_key, sd_nonce) =
        sender_data_key_nonce::<S>(&group.sender_data_secret, &ciphertext).unwrap();
    let encrypted_sender_data = S::Aead::seal(
        sd_key.as_bytes(),
        sd_nonce.as_bytes(),
        &sender_data_aad,
        &sender_data,
    )
    .unwrap();
    PrivateMessage {
        group_id: content.content.group_id.clone(),
        epoch: content.content.epoch,
        content_type,
        authenticated_data: content.content.authenticated_data.clone(),
        encrypted_sender_data,
        ciphertext,
    }
}

#[test]
fn failed_decryption_leaves_the_secret_tree_unchanged() {
    on_every_suite(FramingBehaviour);
}

// ---------------------------------------------------------------------------------------------
// Welcome.

#[derive(Clone, Copy)]
struct WelcomeRoundTrip;

impl SuiteVisitor for WelcomeRoundTrip {
    type Output = ();

    fn visit<S: CipherSuite>(self) {
        let mut rng = seeded(u64::from(S::ID.0) + 100);
        // The newcomer's key package.
        let (init_private, init_public) = S::Dh::generate_key_pair(&mut rng);
        let (_, leaf_public) = S::Dh::generate_key_pair(&mut rng);
        let newcomer_key = S::Signature::generate_signing_key(&mut rng);
        let mut leaf = leaf_node(LeafNodeSource::KeyPackage(Lifetime {
            not_before: 0,
            not_after: u64::MAX,
        }));
        leaf.encryption_key = leaf_public.as_ref().to_vec();
        leaf.signature_key =
            S::Signature::verifying_key_to_bytes(&S::Signature::verifying_key(&newcomer_key));
        leaf.sign::<S>(&newcomer_key, None).unwrap();
        let mut key_package = KeyPackage {
            version: MLS10,
            cipher_suite: S::ID.0,
            init_key: init_public.as_ref().to_vec(),
            leaf_node: leaf,
            extensions: vec![],
            signature: vec![],
        };
        key_package.sign::<S>(&newcomer_key).unwrap();
        key_package.verify::<S>().unwrap();
        let mut forged = key_package.clone();
        forged.init_key = forged.leaf_node.encryption_key.clone();
        assert!(forged.verify::<S>().is_err());

        // The adder's epoch, with one PSK.
        let adder_key = S::Signature::generate_signing_key(&mut rng);
        let adder_public = S::Signature::verifying_key(&adder_key);
        let psk_id = PreSharedKeyId::external(b"shared".to_vec(), vec![3; 32]);
        let psk_value = secret(0x77, 32);
        let psks = vec![(psk_id.clone(), psk_value.clone())];
        let psk_secret = artmls::key_schedule::psk_secret::<S>(&psks).unwrap();
        assert_ne!(psk_secret, zero_secret::<S>());
        let context =
            GroupContext::new(S::ID.0, b"art group".to_vec(), 1, vec![1; 32], vec![2; 32]);
        let epoch =
            EpochSecrets::<S>::derive(&secret(4, 32), &secret(5, 32), Some(&psk_secret), &context)
                .unwrap();
        let mut group_info = GroupInfo {
            confirmation_tag: epoch.confirmation_tag(&context.confirmed_transcript_hash),
            group_context: context,
            extensions: vec![],
            signer: 0,
            signature: vec![],
        };
        group_info.sign::<S>(&adder_key).unwrap();
        let leaf_secret = secret(0x5a, 32);
        let welcome = seal_welcome::<S, _>(
            &group_info,
            &epoch.joiner_secret,
            &psks,
            &[NewMember {
                key_package: &key_package,
                path_secret: Some(leaf_secret.clone()),
            }],
            &mut rng,
        )
        .unwrap();
        let welcome = match MlsMessage::<artmls::messages::Commit>::decode_exact(
            &MlsMessage::<artmls::messages::Commit>::Welcome(welcome)
                .encode_to_vec()
                .unwrap(),
        )
        .unwrap()
        {
            MlsMessage::<artmls::messages::Commit>::Welcome(welcome) => welcome,
            other => panic!("decoded {:?}", other.wire_format()),
        };

        let init_secret = S::Dh::private_key_to_bytes(&init_private);
        let psk_of = |id: &PreSharedKeyId| (id == &psk_id).then(|| psk_value.clone());
        let joined = join::<S>(&welcome, &key_package, &init_secret, psk_of, |info| {
            (info.signer == 0).then(|| adder_public.clone())
        })
        .unwrap();
        assert_eq!(joined.group_info, group_info);
        assert_eq!(
            joined
                .group_secrets
                .path_secret
                .as_ref()
                .map(|p| &p.path_secret),
            Some(&leaf_secret),
            "the ART leaf secret reaches the newcomer"
        );
        assert_eq!(
            joined.epoch_secrets.epoch_authenticator,
            epoch.epoch_authenticator
        );
        assert_eq!(
            joined.epoch_secrets.encryption_secret,
            epoch.encryption_secret
        );

        // Failure modes.
        let no_psk = join::<S>(
            &welcome,
            &key_package,
            &init_secret,
            |_| None,
            |_| Some(adder_public.clone()),
        );
        assert!(matches!(no_psk, Err(WelcomeError::UnknownPsk(_))));
        let wrong_psk = join::<S>(
            &welcome,
            &key_package,
            &init_secret,
            |_| Some(secret(0x78, 32)),
            |_| Some(adder_public.clone()),
        );
        assert_eq!(wrong_psk.unwrap_err(), WelcomeError::GroupInfoDecryption);
        let (other_private, _) = S::Dh::generate_key_pair(&mut rng);
        let wrong_init = join::<S>(
            &welcome,
            &key_package,
            &S::Dh::private_key_to_bytes(&other_private),
            psk_of,
            |_| Some(adder_public.clone()),
        );
        assert!(matches!(
            wrong_init,
            Err(WelcomeError::GroupSecretsDecryption(_))
        ));
        let wrong_signer = join::<S>(&welcome, &key_package, &init_secret, psk_of, |_| {
            Some(S::Signature::verifying_key(&newcomer_key))
        });
        assert!(matches!(wrong_signer, Err(WelcomeError::Message(_))));
        let unknown_signer = join::<S>(&welcome, &key_package, &init_secret, psk_of, |_| None);
        assert_eq!(unknown_signer.unwrap_err(), WelcomeError::UnknownSigner(0));
        let mut other_package = key_package.clone();
        other_package.extensions.push(Extension {
            extension_type: 1,
            extension_data: vec![],
        });
        let not_ours = join::<S>(&welcome, &other_package, &init_secret, psk_of, |_| {
            Some(adder_public.clone())
        });
        assert_eq!(not_ours.unwrap_err(), WelcomeError::NotForThisKeyPackage);
        let mut tampered = welcome.clone();
        let last = tampered.encrypted_group_info.len() - 1;
        tampered.encrypted_group_info[last] ^= 1;
        // The group info is the HPKE context of the group secrets, so those fail first.
        assert!(
            join::<S>(&tampered, &key_package, &init_secret, psk_of, |_| {
                Some(adder_public.clone())
            })
            .is_err()
        );
        // A wrong confirmation tag is caught after the signature.
        let mut bad_tag = group_info.clone();
        bad_tag.confirmation_tag[0] ^= 1;
        bad_tag.sign::<S>(&adder_key).unwrap();
        let welcome = seal_welcome::<S, _>(
            &bad_tag,
            &epoch.joiner_secret,
            &psks,
            &[NewMember {
                key_package: &key_package,
                path_secret: None,
            }],
            &mut rng,
        )
        .unwrap();
        let result = join::<S>(&welcome, &key_package, &init_secret, psk_of, |_| {
            Some(adder_public.clone())
        });
        assert_eq!(
            result.unwrap_err(),
            WelcomeError::KeySchedule(KeyScheduleError::ConfirmationTagMismatch)
        );
    }
}

#[test]
fn welcome_round_trip_and_failures() {
    on_every_suite(WelcomeRoundTrip);
}
