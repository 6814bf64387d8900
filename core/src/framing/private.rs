//! `PrivateMessage`: content encrypted under the secret tree, padded, with its sender data
//! encrypted apart (RFC 9420 §6.3).

use rand_core::CryptoRng;
use zeroize::Zeroize;

use crate::codec::{CodecError, Decode, Encode, MAX_VECTOR_LEN, Reader};
use crate::messages::{
    AuthenticatedContent, CommitBody, Content, ContentType, FramedContent, FramedContentAuthData,
    GroupContext, PrivateMessage, Sender, SenderData, WireFormat,
};
use crate::secret::Secret;
use crate::secret_tree::{RatchetKind, SecretTree};
use crate::suite::CipherSuite;
use crate::tree_math::LeafIndex;
use artmls_crypto::Aead;

use super::{
    FramingError, VerifyingKey, apply_reuse_guard, check_epoch, sender_data_aad,
    sender_data_key_nonce, verify_content,
};

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

fn ratchet_kind(content_type: ContentType) -> RatchetKind {
    match content_type {
        ContentType::Application => RatchetKind::Application,
        ContentType::Proposal | ContentType::Commit => RatchetKind::Handshake,
    }
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
