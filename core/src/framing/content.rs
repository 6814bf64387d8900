//! Signing content: the `FramedContentTBS` and its signature, made and checked (RFC 9420
//! §6.1).

use crate::codec::{CodecError, Encode};
use crate::labels::{sign_with_label, verify_with_label};
use crate::messages::{
    AuthenticatedContent, CommitBody, ContentType, FramedContent, FramedContentAuthData,
    GroupContext, MLS10, Sender, WireFormat,
};
use crate::suite::CipherSuite;

use super::{FramingError, SigningKey, VerifyingKey};

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
