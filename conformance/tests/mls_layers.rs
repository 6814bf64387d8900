//! The MLS layers around the tree (secret tree, framing, Welcome) on every backend and suite.
//!
//! - Secret tree: in-order and out-of-order keys, the window, the forward-jump bound, replay
//!   rejection, erasure of node secrets, two-phase prepare/commit.
//! - Framing: a PrivateMessage that fails (tampered content or sender data, bad signature,
//!   unknown sender, nonzero padding, wrong epoch) leaves the secret tree unchanged, and the
//!   genuine message still decrypts afterwards; PublicMessage tag checks; padding.
//! - Welcome: a full round trip with a fresh key package and a PSK, and its failure modes.

use artmls::codec::{CodecError, Decode, Encode};
use artmls::internals::framing::{
    FramingError, Padding, apply_reuse_guard, decrypt_private, encrypt_private, open_public,
    protect_public, sender_data_key_nonce, sign_content,
};
use artmls::internals::key_schedule::{EpochSecrets, KeyScheduleError, zero_secret};
use artmls::internals::secret_tree::{RatchetKind, SecretTree, SecretTreeConfig, SecretTreeError};
use artmls::internals::welcome::{NewMember, WelcomeError, join, seal_welcome};
use artmls::messages::{
    AuthenticatedContent, Capabilities, Commit, Content, ContentType, Credential, Extension,
    FramedContent, GroupContext, GroupInfo, KeyPackage, LeafNode, LeafNodeSource, Lifetime, MLS10,
    MlsMessage, PreSharedKeyId, PrivateMessage, Proposal, ProposalOrRef, PublicMessage, Remove,
    Sender, SenderData, WireFormat,
};
use artmls::tree_math::LeafIndex;
use artmls::{Aead, CipherSuite, DhGroup, Secret, SignatureScheme, SuiteVisitor};
use artmls_conformance::rng::seeded;
use artmls_providers::{all as providers, visit};

// ---------------------------------------------------------------------------------------------
// Running generic checks on every backend and suite.

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
            &GroupContext::new(S::ID, b"group".to_vec(), 3, vec![4; 32], vec![5; 32]),
        )
        .unwrap();
        let signing_key = S::Signature::generate_signing_key(&mut rng);
        let verifying_key = S::Signature::verifying_key(&signing_key);
        let other_key = S::Signature::verifying_key(&S::Signature::generate_signing_key(&mut rng));
        Group {
            context: GroupContext::new(S::ID, b"group".to_vec(), 3, vec![4; 32], vec![5; 32]),
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

/// A LeafNode with placeholder keys and signature, for the Welcome's KeyPackage to fill in.
fn leaf_node(source: LeafNodeSource) -> LeafNode {
    LeafNode {
        encryption_key: vec![0x11; 32],
        signature_key: vec![0x22; 32],
        credential: Credential::basic(b"alice".to_vec()),
        capabilities: Capabilities {
            versions: vec![MLS10],
            cipher_suites: artmls::SuiteId::ALL.to_vec(),
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
            cipher_suite: S::ID,
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
        let psk_secret = artmls::internals::key_schedule::psk_secret::<S>(&psks).unwrap();
        assert_ne!(psk_secret, zero_secret::<S>());
        let context = GroupContext::new(S::ID, b"art group".to_vec(), 1, vec![1; 32], vec![2; 32]);
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
        let welcome = match MlsMessage::<Commit>::decode_exact(
            &MlsMessage::<Commit>::Welcome(welcome)
                .encode_to_vec()
                .unwrap(),
        )
        .unwrap()
        {
            MlsMessage::<Commit>::Welcome(welcome) => welcome,
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
