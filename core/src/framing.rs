//! Message protection (RFC 9420 §6), unchanged (ART-MLS profile §6): signing content,
//! `PublicMessage` (signature and membership tag) and `PrivateMessage` (content under the
//! secret tree, sender data under the sender-data secret, with the reuse guard and padding).
//!
//! Sending: build a [`FramedContent`], sign it with [`sign_content`] (which gives an
//! [`AuthenticatedContent<C>`]), then [`protect_public`] or [`encrypt_private`].
//! Receiving: [`open_public`] or [`decrypt_private`]; both check the group, epoch, tags and
//! signature before handing out the content.
//!
//! Decryption never panics on any input. A PrivateMessage that fails anywhere (sender data,
//! key generation, AEAD, padding, signature) consumes no key: the secret tree is left exactly
//! as it was, so a forged message cannot burn a real one's key.

use rand_core::CryptoRng;
use thiserror::Error;
use zeroize::Zeroize;

use crate::codec::{CodecError, Decode, Encode, MAX_VECTOR_LEN, Reader};
use crate::error::CryptoError;
use crate::labels::{sign_with_label, verify_with_label};
use crate::messages::{
    AuthenticatedContent, CommitBody, Content, ContentType, FramedContent, FramedContentAuthData,
    GroupContext, MLS10, PrivateMessage, PublicMessage, Sender, SenderData, WireFormat,
};
use crate::secret::{Secret, constant_time_eq};
use crate::secret_tree::{
    RatchetKind, SecretTree, SecretTreeError, apply_reuse_guard, sender_data_key_nonce,
};
use crate::suite::CipherSuite;
use crate::tree_math::LeafIndex;
use artmls_crypto::{Aead, HashFunction, SignatureScheme};

type VerifyingKey<S> = <<S as CipherSuite>::Signature as SignatureScheme>::VerifyingKey;
type SigningKey<S> = <<S as CipherSuite>::Signature as SignatureScheme>::SigningKey;

/// Why a message could not be protected, or was rejected. A rejected message must be dropped;
/// nothing in the group's state was changed by it.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum FramingError {
    /// The message (or its decrypted content) is not a valid encoding.
    #[error("malformed message: {0}")]
    Codec(#[from] CodecError),
    /// The message belongs to another group.
    #[error("the message is for another group")]
    WrongGroup,
    /// The message belongs to another epoch of the group (stale or from the future).
    #[error("the message is for epoch {got}, the group is at epoch {expected}")]
    WrongEpoch {
        /// The group's epoch.
        expected: u64,
        /// The message's epoch.
        got: u64,
    },
    /// The wire format does not fit the operation (e.g. encrypting content signed for a
    /// PublicMessage).
    #[error("content signed for wire format {0:?} cannot go in this message")]
    WrongWireFormat(WireFormat),
    /// Application data must be encrypted (RFC 9420 §6.2).
    #[error("application data cannot be sent as a PublicMessage")]
    ApplicationInPublicMessage,
    /// Only members send PrivateMessages.
    #[error("a PrivateMessage must come from a member")]
    SenderNotMember,
    /// A commit without a confirmation tag, or other content with one.
    #[error("the confirmation tag must be present exactly for commits")]
    ConfirmationTagPresence,
    /// The sender is not known (no verifying key for its leaf).
    #[error("unknown sender {0:?}")]
    UnknownSender(LeafIndex),
    /// The signature does not verify.
    #[error("invalid signature: {0}")]
    InvalidSignature(CryptoError),
    /// A member's PublicMessage has no membership tag, or a non-member's has one.
    #[error("membership tag missing or unexpected")]
    MembershipTagPresence,
    /// The membership tag does not match: the sender does not hold this epoch's membership key.
    #[error("membership tag mismatch")]
    MembershipTagMismatch,
    /// The sender data does not decrypt (wrong epoch, tampered, or not for this group).
    #[error("sender data does not decrypt")]
    SenderDataDecryption,
    /// The content does not decrypt with the key of the sender's generation.
    #[error("content does not decrypt")]
    ContentDecryption,
    /// The padding of a decrypted content has a nonzero byte.
    #[error("nonzero padding")]
    NonZeroPadding,
    /// The secret tree refused the generation (replay, too old, too far ahead, bad leaf).
    #[error(transparent)]
    SecretTree(#[from] SecretTreeError),
    /// Signing or another primitive failed on the sending side.
    #[error(transparent)]
    Crypto(#[from] CryptoError),
}

/// How much padding to add to a PrivateMessage's content (RFC 9420 §6.3.1): padding hides
/// the exact length of the content from the delivery service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Padding {
    /// No padding.
    #[default]
    None,
    /// Pad the encoded content with zeros up to a multiple of this many bytes (0 and 1 mean
    /// no padding).
    Multiple(usize),
}

impl Padding {
    fn amount(self, len: usize) -> usize {
        match self {
            Padding::None | Padding::Multiple(0) => 0,
            Padding::Multiple(block) => (block - len % block) % block,
        }
    }
}

/// The encoded `FramedContentTBS`: version, wire format, content, and the GroupContext when
/// the sender is a member or a new member committing.
pub fn framed_content_tbs<C: CommitBody>(
    wire_format: WireFormat,
    content: &FramedContent<C>,
    group_context: &GroupContext,
) -> Result<Vec<u8>, CodecError> {
    let mut out = Vec::new();
    MLS10.encode(&mut out)?;
    wire_format.encode(&mut out)?;
    content.encode(&mut out)?;
    if matches!(content.sender, Sender::Member(_) | Sender::NewMemberCommit) {
        group_context.encode(&mut out)?;
    }
    Ok(out)
}

/// Signs content for the given wire format: `SignWithLabel(key, "FramedContentTBS",
/// FramedContentTBS)`. A commit needs its `confirmation_tag`; other content must have none.
pub fn sign_content<S: CipherSuite, C: CommitBody>(
    wire_format: WireFormat,
    content: FramedContent<C>,
    group_context: &GroupContext,
    signing_key: &SigningKey<S>,
    confirmation_tag: Option<Vec<u8>>,
) -> Result<AuthenticatedContent<C>, FramingError> {
    if confirmation_tag.is_some() != (content.content.content_type() == ContentType::Commit) {
        return Err(FramingError::ConfirmationTagPresence);
    }
    let tbs = framed_content_tbs(wire_format, &content, group_context)?;
    let signature = sign_with_label::<S>(signing_key, "FramedContentTBS", &tbs)?;
    Ok(AuthenticatedContent {
        wire_format,
        content,
        auth: FramedContentAuthData {
            signature,
            confirmation_tag,
        },
    })
}

/// Verifies the signature of authenticated content under the sender's verifying key.
pub fn verify_content<S: CipherSuite, C: CommitBody>(
    content: &AuthenticatedContent<C>,
    group_context: &GroupContext,
    verifying_key: &VerifyingKey<S>,
) -> Result<(), FramingError> {
    let tbs = framed_content_tbs(content.wire_format, &content.content, group_context)?;
    verify_with_label::<S>(
        verifying_key,
        "FramedContentTBS",
        &tbs,
        &content.auth.signature,
    )
    .map_err(FramingError::InvalidSignature)
}

/// `membership_tag = MAC(membership_key, AuthenticatedContentTBM)` with
/// `AuthenticatedContentTBM = { FramedContentTBS content_tbs; FramedContentAuthData auth; }`.
pub fn membership_tag<S: CipherSuite, C: CommitBody>(
    content: &AuthenticatedContent<C>,
    group_context: &GroupContext,
    membership_key: &Secret,
) -> Result<Vec<u8>, FramingError> {
    let mut tbm = framed_content_tbs(content.wire_format, &content.content, group_context)?;
    content
        .auth
        .encode_for(&mut tbm, content.content.content.content_type())?;
    Ok(S::Hash::mac(membership_key.as_bytes(), &tbm))
}

fn check_epoch(
    group_id: &[u8],
    epoch: u64,
    group_context: &GroupContext,
) -> Result<(), FramingError> {
    if group_id != group_context.group_id.as_slice() {
        return Err(FramingError::WrongGroup);
    }
    if epoch != group_context.epoch {
        return Err(FramingError::WrongEpoch {
            expected: group_context.epoch,
            got: epoch,
        });
    }
    Ok(())
}

/// Wraps signed content (wire format `PublicMessage`) in a PublicMessage, with the membership
/// tag for a member sender.
pub fn protect_public<S: CipherSuite, C: CommitBody>(
    content: AuthenticatedContent<C>,
    group_context: &GroupContext,
    membership_key: &Secret,
) -> Result<PublicMessage<C>, FramingError> {
    if content.wire_format != WireFormat::PublicMessage {
        return Err(FramingError::WrongWireFormat(content.wire_format));
    }
    if content.content.content.content_type() == ContentType::Application {
        return Err(FramingError::ApplicationInPublicMessage);
    }
    content
        .auth
        .check_for(content.content.content.content_type())
        .map_err(|_| FramingError::ConfirmationTagPresence)?;
    let membership_tag = match content.content.sender {
        Sender::Member(_) => Some(membership_tag::<S, C>(
            &content,
            group_context,
            membership_key,
        )?),
        _ => None,
    };
    Ok(PublicMessage {
        content: content.content,
        auth: content.auth,
        membership_tag,
    })
}

/// Checks a received PublicMessage: group and epoch, the membership tag of a member sender
/// (in constant time), and the signature under `verifying_key` (the sender's, which the caller
/// looks up from `message.content.sender`). Returns the authenticated content.
pub fn open_public<S: CipherSuite, C: CommitBody>(
    message: &PublicMessage<C>,
    group_context: &GroupContext,
    membership_key: &Secret,
    verifying_key: &VerifyingKey<S>,
) -> Result<AuthenticatedContent<C>, FramingError> {
    check_epoch(
        &message.content.group_id,
        message.content.epoch,
        group_context,
    )?;
    if message.content.content.content_type() == ContentType::Application {
        return Err(FramingError::ApplicationInPublicMessage);
    }
    message
        .auth
        .check_for(message.content.content.content_type())
        .map_err(|_| FramingError::ConfirmationTagPresence)?;
    let content = AuthenticatedContent {
        wire_format: WireFormat::PublicMessage,
        content: message.content.clone(),
        auth: message.auth.clone(),
    };
    match (&message.content.sender, &message.membership_tag) {
        (Sender::Member(_), Some(tag)) => {
            let expected = membership_tag::<S, C>(&content, group_context, membership_key)?;
            if !constant_time_eq(&expected, tag) {
                return Err(FramingError::MembershipTagMismatch);
            }
        }
        (Sender::Member(_), None) | (_, Some(_)) => {
            return Err(FramingError::MembershipTagPresence);
        }
        (_, None) => {}
    }
    verify_content::<S, C>(&content, group_context, verifying_key)?;
    Ok(content)
}

fn ratchet_kind(content_type: ContentType) -> RatchetKind {
    match content_type {
        ContentType::Application => RatchetKind::Application,
        ContentType::Proposal | ContentType::Commit => RatchetKind::Handshake,
    }
}

/// `SenderDataAAD = { opaque group_id<V>; uint64 epoch; ContentType content_type; }`.
fn sender_data_aad(
    group_id: &[u8],
    epoch: u64,
    content_type: ContentType,
) -> Result<Vec<u8>, CodecError> {
    let mut aad = Vec::new();
    group_id.to_vec().encode(&mut aad)?;
    epoch.encode(&mut aad)?;
    content_type.encode(&mut aad)?;
    Ok(aad)
}

/// `PrivateContentAAD = { opaque group_id<V>; uint64 epoch; ContentType content_type;
/// opaque authenticated_data<V>; }`.
fn private_content_aad(
    group_id: &[u8],
    epoch: u64,
    content_type: ContentType,
    authenticated_data: &[u8],
) -> Result<Vec<u8>, CodecError> {
    let mut aad = sender_data_aad(group_id, epoch, content_type)?;
    authenticated_data.to_vec().encode(&mut aad)?;
    Ok(aad)
}

/// Encrypts signed content (wire format `PrivateMessage`, sender a member) with the next key
/// of the sender's ratchet: the key is consumed at once. `rng` draws the reuse guard.
pub fn encrypt_private<S: CipherSuite, C: CommitBody, R: CryptoRng + ?Sized>(
    content: &AuthenticatedContent<C>,
    secret_tree: &mut SecretTree<S>,
    sender_data_secret: &Secret,
    padding: Padding,
    rng: &mut R,
) -> Result<PrivateMessage, FramingError> {
    if content.wire_format != WireFormat::PrivateMessage {
        return Err(FramingError::WrongWireFormat(content.wire_format));
    }
    let Sender::Member(leaf) = content.content.sender else {
        return Err(FramingError::SenderNotMember);
    };
    let content_type = content.content.content.content_type();
    content
        .auth
        .check_for(content_type)
        .map_err(|_| FramingError::ConfirmationTagPresence)?;

    // PrivateMessageContent: the body, the auth data, then zero padding.
    let mut plaintext = Vec::new();
    content.content.content.encode_body(&mut plaintext)?;
    content.auth.encode_for(&mut plaintext, content_type)?;
    // The ciphertext (plaintext, padding and tag) must fit in an `opaque ciphertext<V>`;
    // checked before the padding is allocated, whatever block size the caller chose.
    let padded_len = plaintext
        .len()
        .checked_add(padding.amount(plaintext.len()))
        .filter(|len| *len <= MAX_VECTOR_LEN.saturating_sub(S::Aead::TAG_LEN))
        .ok_or(CodecError::VectorTooLong(plaintext.len()))?;
    plaintext.resize(padded_len, 0);

    let group_id = &content.content.group_id;
    let epoch = content.content.epoch;
    let aad = private_content_aad(
        group_id,
        epoch,
        content_type,
        &content.content.authenticated_data,
    )?;

    let key = secret_tree.next_send_key(leaf, ratchet_kind(content_type))?;
    let mut reuse_guard = [0u8; 4];
    rng.fill_bytes(&mut reuse_guard);
    let nonce = apply_reuse_guard(key.nonce(), reuse_guard);
    let sealed = S::Aead::seal(key.key().as_bytes(), nonce.as_bytes(), &aad, &plaintext);
    plaintext.zeroize();
    let ciphertext = sealed?;

    let sender_data = SenderData {
        leaf_index: leaf,
        generation: key.generation(),
        reuse_guard,
    }
    .encode_to_vec()?;
    let (sd_key, sd_nonce) = sender_data_key_nonce::<S>(sender_data_secret, &ciphertext)?;
    let sd_aad = sender_data_aad(group_id, epoch, content_type)?;
    let encrypted_sender_data = S::Aead::seal(
        sd_key.as_bytes(),
        sd_nonce.as_bytes(),
        &sd_aad,
        &sender_data,
    )?;

    Ok(PrivateMessage {
        group_id: group_id.clone(),
        epoch,
        content_type,
        authenticated_data: content.content.authenticated_data.clone(),
        encrypted_sender_data,
        ciphertext,
    })
}

/// Decodes a `PrivateMessageContent` of the given type: body, auth data, and padding that
/// must be all zeros.
fn decode_private_content<C: CommitBody>(
    plaintext: &[u8],
    content_type: ContentType,
) -> Result<(Content<C>, FramedContentAuthData), FramingError> {
    let mut reader = Reader::new(plaintext);
    let content = Content::decode_body(&mut reader, content_type)?;
    let auth = FramedContentAuthData::decode_for(&mut reader, content_type)?;
    let nonzero = reader.remaining().iter().fold(0u8, |acc, byte| acc | byte);
    if nonzero != 0 {
        return Err(FramingError::NonZeroPadding);
    }
    Ok((content, auth))
}

/// Decrypts and authenticates a PrivateMessage: group and epoch, sender data, the key of the
/// sender's generation, the content, its padding, and its signature under the key that
/// `verifying_key_of` gives for the sender's leaf. The key is consumed in the secret tree only
/// if all of that succeeds; on any error the tree is unchanged.
pub fn decrypt_private<S: CipherSuite, C: CommitBody>(
    message: &PrivateMessage,
    secret_tree: &mut SecretTree<S>,
    sender_data_secret: &Secret,
    group_context: &GroupContext,
    verifying_key_of: impl FnOnce(LeafIndex) -> Option<VerifyingKey<S>>,
) -> Result<AuthenticatedContent<C>, FramingError> {
    check_epoch(&message.group_id, message.epoch, group_context)?;
    let content_type = message.content_type;

    let (sd_key, sd_nonce) = sender_data_key_nonce::<S>(sender_data_secret, &message.ciphertext)?;
    let sd_aad = sender_data_aad(&message.group_id, message.epoch, content_type)?;
    let sender_data = S::Aead::open(
        sd_key.as_bytes(),
        sd_nonce.as_bytes(),
        &sd_aad,
        &message.encrypted_sender_data,
    )
    .map_err(|_| FramingError::SenderDataDecryption)?;
    let sender_data = SenderData::decode_exact(&sender_data)?;
    let leaf = sender_data.leaf_index;

    let pending = secret_tree.prepare(leaf, ratchet_kind(content_type), sender_data.generation)?;
    let nonce = apply_reuse_guard(pending.key().nonce(), sender_data.reuse_guard);
    let aad = private_content_aad(
        &message.group_id,
        message.epoch,
        content_type,
        &message.authenticated_data,
    )?;
    let mut plaintext = S::Aead::open(
        pending.key().key().as_bytes(),
        nonce.as_bytes(),
        &aad,
        &message.ciphertext,
    )
    .map_err(|_| FramingError::ContentDecryption)?;
    let decoded = decode_private_content(&plaintext, content_type);
    plaintext.zeroize();
    let (content, auth) = decoded?;

    let authenticated = AuthenticatedContent {
        wire_format: WireFormat::PrivateMessage,
        content: FramedContent {
            group_id: message.group_id.clone(),
            epoch: message.epoch,
            sender: Sender::Member(leaf),
            authenticated_data: message.authenticated_data.clone(),
            content,
        },
        auth,
    };
    let verifying_key = verifying_key_of(leaf).ok_or(FramingError::UnknownSender(leaf))?;
    verify_content::<S, C>(&authenticated, group_context, &verifying_key)?;
    secret_tree.commit(pending)?;
    Ok(authenticated)
}
