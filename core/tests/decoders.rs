//! The decoders on hostile input: every decoder, on truncated input, on input with trailing
//! garbage, with a length prefix claiming 2^30 - 1 bytes spliced in at every offset, with
//! non-minimal and `0b11` lengths, and under random byte flips: a typed [`CodecError`], never
//! a panic, and never an allocation sized by a claimed length (measured with a counting global
//! allocator, which is why these checks are a test binary of their own).

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use artmls::SuiteId;
use artmls::codec::{CodecError, Decode, Encode, Reader};
use artmls::messages::{
    Add, AuthenticatedContent, Capabilities, Commit, Content, ContentType, Credential,
    EncryptedGroupSecrets, Extension, ExternalInit, FramedContent, GroupContext, GroupInfo,
    GroupSecrets, KeyPackage, LeafNode, LeafNodeSource, Lifetime, MLS10, MlsMessage,
    PreSharedKeyId, PrivateMessage, Proposal, ProposalOrRef, PublicMessage, ReInit, Remove, Sender,
    SenderData, UpdatePath, UpdatePathNode, Welcome, WireFormat,
};
use artmls::tree_math::LeafIndex;
use artmls::{HpkeCiphertext, Secret};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

fn seeded(seed: u64) -> StdRng {
    StdRng::seed_from_u64(seed)
}

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
            cipher_suites: SuiteId::ALL.to_vec(),
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
        cipher_suite: SuiteId(0xF001),
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
                cipher_suite: SuiteId(0xF003),
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
    let group_context = GroupContext::new(
        SuiteId(0xF001),
        b"group-id".to_vec(),
        7,
        vec![6; 32],
        vec![7; 32],
    );
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
        cipher_suite: SuiteId(0xF001),
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
            &MlsMessage::<Commit>::PublicMessage(public.clone()),
        ),
        sample(
            "MLSMessage(PrivateMessage)",
            &MlsMessage::<Commit>::PrivateMessage(private.clone()),
        ),
        sample(
            "MLSMessage(Welcome)",
            &MlsMessage::<Commit>::Welcome(welcome.clone()),
        ),
        sample(
            "MLSMessage(GroupInfo)",
            &MlsMessage::<Commit>::GroupInfo(group_info.clone()),
        ),
        sample(
            "MLSMessage(KeyPackage)",
            &MlsMessage::<Commit>::KeyPackage(raw_key_package()),
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
        let per_element = size_of::<T>();
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
