//! `PublicMessage`: signed content with the membership tag of a member sender (RFC 9420
//! §6.2).

use crate::messages::{
    AuthenticatedContent, CommitBody, ContentType, GroupContext, PublicMessage, Sender, WireFormat,
};
use crate::secret::{Secret, constant_time_eq};
use crate::suite::CipherSuite;
use artmls_crypto::HashFunction;

use super::{FramingError, VerifyingKey, framed_content_tbs, verify_content};

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

pub(super) fn check_epoch(
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
