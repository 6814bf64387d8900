//! Framing structures (RFC 9420 §6): `FramedContent`, its authentication, and the messages
//! that carry it. Protecting and opening messages is in the framing layer.

use crate::codec::{CodecError, Decode, Encode, Reader, impl_codec_enum, impl_codec_struct};
use crate::messages::{Commit, GroupInfo, KeyPackage, MLS10, Proposal, Welcome, WireFormat};
use crate::tree_math::LeafIndex;

/// `ContentType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum ContentType {
    /// `application`.
    Application = 1,
    /// `proposal`.
    Proposal = 2,
    /// `commit`.
    Commit = 3,
}

impl_codec_enum!(ContentType: u8, "content type" {
    Application, Proposal, Commit
});

impl Encode for LeafIndex {
    fn encode(&self, out: &mut Vec<u8>) -> Result<(), CodecError> {
        self.0.encode(out)
    }
}

/// A leaf index on the wire names a leaf of some tree, so it is below
/// [`MAX_LEAVES`](crate::tree_math::MAX_LEAVES); anything else is refused here, before tree
/// arithmetic could meet it.
impl Decode for LeafIndex {
    fn decode(reader: &mut Reader<'_>) -> Result<Self, CodecError> {
        let index = u32::decode(reader)?;
        if index >= crate::tree_math::MAX_LEAVES {
            return Err(CodecError::InvalidValue {
                what: "leaf index (at least 2^30, outside every tree)",
                value: u64::from(index),
            });
        }
        Ok(LeafIndex(index))
    }
}

/// Who sent a message (`Sender`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Sender {
    /// `member`: the member at this leaf.
    Member(LeafIndex),
    /// `external`: the external sender at this index of the group's external senders.
    External(u32),
    /// `new_member_proposal`.
    NewMemberProposal,
    /// `new_member_commit`.
    NewMemberCommit,
}

impl Encode for Sender {
    fn encode(&self, out: &mut Vec<u8>) -> Result<(), CodecError> {
        match self {
            Sender::Member(leaf) => {
                out.push(1);
                leaf.encode(out)
            }
            Sender::External(index) => {
                out.push(2);
                index.encode(out)
            }
            Sender::NewMemberProposal => {
                out.push(3);
                Ok(())
            }
            Sender::NewMemberCommit => {
                out.push(4);
                Ok(())
            }
        }
    }
}

impl Decode for Sender {
    fn decode(reader: &mut Reader<'_>) -> Result<Self, CodecError> {
        match u8::decode(reader)? {
            1 => Ok(Sender::Member(LeafIndex::decode(reader)?)),
            2 => Ok(Sender::External(u32::decode(reader)?)),
            3 => Ok(Sender::NewMemberProposal),
            4 => Ok(Sender::NewMemberCommit),
            other => Err(CodecError::InvalidValue {
                what: "sender type",
                value: u64::from(other),
            }),
        }
    }
}

/// What a commit carries: RFC 9420's [`Commit`] (the default, which the interop vectors use),
/// or an ART group's own commit body (`crate::group::ArtCommit`). Every framing structure is
/// generic over it, so one set of framing code serves both.
pub trait CommitBody: Encode + Decode + Clone + core::fmt::Debug + PartialEq + Eq {}

impl<T: Encode + Decode + Clone + core::fmt::Debug + PartialEq + Eq> CommitBody for T {}

/// The body of a `FramedContent`, selected by its content type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Content<C = Commit> {
    /// `opaque application_data<V>`.
    Application(Vec<u8>),
    /// A proposal.
    Proposal(Proposal),
    /// A commit (boxed: it is much larger than the other variants).
    Commit(Box<C>),
}

impl<C: CommitBody> Content<C> {
    /// The `ContentType` of this body.
    pub fn content_type(&self) -> ContentType {
        match self {
            Content::Application(_) => ContentType::Application,
            Content::Proposal(_) => ContentType::Proposal,
            Content::Commit(_) => ContentType::Commit,
        }
    }

    /// Appends the body alone (without the content type).
    pub fn encode_body(&self, out: &mut Vec<u8>) -> Result<(), CodecError> {
        match self {
            Content::Application(data) => data.encode(out),
            Content::Proposal(proposal) => proposal.encode(out),
            Content::Commit(commit) => commit.encode(out),
        }
    }

    /// Decodes a body of the given type.
    pub fn decode_body(
        reader: &mut Reader<'_>,
        content_type: ContentType,
    ) -> Result<Self, CodecError> {
        Ok(match content_type {
            ContentType::Application => Content::Application(Vec::decode(reader)?),
            ContentType::Proposal => Content::Proposal(Proposal::decode(reader)?),
            ContentType::Commit => Content::Commit(Box::decode(reader)?),
        })
    }
}

/// `FramedContent`: a message's content and its framing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FramedContent<C = Commit> {
    /// `opaque group_id<V>`.
    pub group_id: Vec<u8>,
    /// `uint64 epoch`.
    pub epoch: u64,
    /// The sender.
    pub sender: Sender,
    /// `opaque authenticated_data<V>`: authenticated, not encrypted.
    pub authenticated_data: Vec<u8>,
    /// The content (its type is the `content_type` field on the wire).
    pub content: Content<C>,
}

impl<C: CommitBody> Encode for FramedContent<C> {
    fn encode(&self, out: &mut Vec<u8>) -> Result<(), CodecError> {
        self.group_id.encode(out)?;
        self.epoch.encode(out)?;
        self.sender.encode(out)?;
        self.authenticated_data.encode(out)?;
        self.content.content_type().encode(out)?;
        self.content.encode_body(out)
    }
}

impl<C: CommitBody> Decode for FramedContent<C> {
    fn decode(reader: &mut Reader<'_>) -> Result<Self, CodecError> {
        let group_id = Vec::decode(reader)?;
        let epoch = u64::decode(reader)?;
        let sender = Sender::decode(reader)?;
        let authenticated_data = Vec::decode(reader)?;
        let content_type = ContentType::decode(reader)?;
        let content = Content::decode_body(reader, content_type)?;
        Ok(FramedContent {
            group_id,
            epoch,
            sender,
            authenticated_data,
            content,
        })
    }
}

/// `FramedContentAuthData`: the signature, and for a commit the confirmation tag.
///
/// Its encoding depends on the content type, so it is decoded with
/// [`FramedContentAuthData::decode_for`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FramedContentAuthData {
    /// `opaque signature<V>`: `SignWithLabel(., "FramedContentTBS", FramedContentTBS)`.
    pub signature: Vec<u8>,
    /// `MAC confirmation_tag`: present exactly for commits.
    pub confirmation_tag: Option<Vec<u8>>,
}

impl FramedContentAuthData {
    /// Checks that the confirmation tag is present exactly for a commit.
    pub fn check_for(&self, content_type: ContentType) -> Result<(), CodecError> {
        if self.confirmation_tag.is_some() == (content_type == ContentType::Commit) {
            Ok(())
        } else {
            Err(CodecError::InvalidValue {
                what: "confirmation tag presence for content type",
                value: content_type as u64,
            })
        }
    }

    /// Appends the encoding for content of type `content_type`.
    pub fn encode_for(
        &self,
        out: &mut Vec<u8>,
        content_type: ContentType,
    ) -> Result<(), CodecError> {
        self.check_for(content_type)?;
        self.signature.encode(out)?;
        if let Some(tag) = &self.confirmation_tag {
            tag.encode(out)?;
        }
        Ok(())
    }

    /// Decodes the auth data of content of type `content_type`.
    pub fn decode_for(
        reader: &mut Reader<'_>,
        content_type: ContentType,
    ) -> Result<Self, CodecError> {
        let signature = Vec::decode(reader)?;
        let confirmation_tag = match content_type {
            ContentType::Commit => Some(Vec::decode(reader)?),
            _ => None,
        };
        Ok(FramedContentAuthData {
            signature,
            confirmation_tag,
        })
    }
}

/// `AuthenticatedContent`: signed content with its wire format (what transcript hashes and
/// proposal references are computed over).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthenticatedContent<C = Commit> {
    /// How the content travels (public or private message).
    pub wire_format: WireFormat,
    /// The content.
    pub content: FramedContent<C>,
    /// Its signature and confirmation tag.
    pub auth: FramedContentAuthData,
}

impl<C: CommitBody> Encode for AuthenticatedContent<C> {
    fn encode(&self, out: &mut Vec<u8>) -> Result<(), CodecError> {
        self.wire_format.encode(out)?;
        self.content.encode(out)?;
        self.auth
            .encode_for(out, self.content.content.content_type())
    }
}

impl<C: CommitBody> Decode for AuthenticatedContent<C> {
    fn decode(reader: &mut Reader<'_>) -> Result<Self, CodecError> {
        let wire_format = WireFormat::decode(reader)?;
        let content = FramedContent::decode(reader)?;
        let auth = FramedContentAuthData::decode_for(reader, content.content.content_type())?;
        Ok(AuthenticatedContent {
            wire_format,
            content,
            auth,
        })
    }
}

/// `PublicMessage`: signed, not encrypted; a member's carries a membership tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicMessage<C = Commit> {
    /// The content.
    pub content: FramedContent<C>,
    /// Its signature and confirmation tag.
    pub auth: FramedContentAuthData,
    /// `MAC membership_tag`: present exactly when the sender is a member.
    pub membership_tag: Option<Vec<u8>>,
}

impl<C: CommitBody> Encode for PublicMessage<C> {
    fn encode(&self, out: &mut Vec<u8>) -> Result<(), CodecError> {
        self.content.encode(out)?;
        self.auth
            .encode_for(out, self.content.content.content_type())?;
        let member = matches!(self.content.sender, Sender::Member(_));
        match (&self.membership_tag, member) {
            (Some(tag), true) => tag.encode(out),
            (None, false) => Ok(()),
            _ => Err(CodecError::InvalidValue {
                what: "membership tag presence for sender type",
                value: u64::from(member),
            }),
        }
    }
}

impl<C: CommitBody> Decode for PublicMessage<C> {
    fn decode(reader: &mut Reader<'_>) -> Result<Self, CodecError> {
        let content = FramedContent::decode(reader)?;
        let auth = FramedContentAuthData::decode_for(reader, content.content.content_type())?;
        let membership_tag = match content.sender {
            Sender::Member(_) => Some(Vec::decode(reader)?),
            _ => None,
        };
        Ok(PublicMessage {
            content,
            auth,
            membership_tag,
        })
    }
}

/// `PrivateMessage`: content encrypted under the secret tree, sender data encrypted under the
/// sender-data secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrivateMessage {
    /// `opaque group_id<V>`.
    pub group_id: Vec<u8>,
    /// `uint64 epoch`.
    pub epoch: u64,
    /// The type of the encrypted content.
    pub content_type: ContentType,
    /// `opaque authenticated_data<V>`.
    pub authenticated_data: Vec<u8>,
    /// `opaque encrypted_sender_data<V>`.
    pub encrypted_sender_data: Vec<u8>,
    /// `opaque ciphertext<V>`: the encrypted `PrivateMessageContent`.
    pub ciphertext: Vec<u8>,
}

impl_codec_struct!(PrivateMessage {
    group_id,
    epoch,
    content_type,
    authenticated_data,
    encrypted_sender_data,
    ciphertext
});

/// `SenderData`: who sent a PrivateMessage, with which key generation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SenderData {
    /// `uint32 leaf_index`.
    pub leaf_index: LeafIndex,
    /// `uint32 generation`.
    pub generation: u32,
    /// `opaque reuse_guard[4]`.
    pub reuse_guard: [u8; 4],
}

impl_codec_struct!(SenderData {
    leaf_index,
    generation,
    reuse_guard
});

/// `MLSMessage`: the envelope of everything sent (version mls10).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MlsMessage<C = Commit> {
    /// `mls_public_message`.
    PublicMessage(PublicMessage<C>),
    /// `mls_private_message`.
    PrivateMessage(PrivateMessage),
    /// `mls_welcome`.
    Welcome(Welcome),
    /// `mls_group_info`.
    GroupInfo(GroupInfo),
    /// `mls_key_package`.
    KeyPackage(KeyPackage),
}

impl<C: CommitBody> MlsMessage<C> {
    /// The wire format of the message.
    pub fn wire_format(&self) -> WireFormat {
        match self {
            MlsMessage::PublicMessage(_) => WireFormat::PublicMessage,
            MlsMessage::PrivateMessage(_) => WireFormat::PrivateMessage,
            MlsMessage::Welcome(_) => WireFormat::Welcome,
            MlsMessage::GroupInfo(_) => WireFormat::GroupInfo,
            MlsMessage::KeyPackage(_) => WireFormat::KeyPackage,
        }
    }
}

impl<C: CommitBody> Encode for MlsMessage<C> {
    fn encode(&self, out: &mut Vec<u8>) -> Result<(), CodecError> {
        MLS10.encode(out)?;
        self.wire_format().encode(out)?;
        match self {
            MlsMessage::PublicMessage(message) => message.encode(out),
            MlsMessage::PrivateMessage(message) => message.encode(out),
            MlsMessage::Welcome(welcome) => welcome.encode(out),
            MlsMessage::GroupInfo(group_info) => group_info.encode(out),
            MlsMessage::KeyPackage(key_package) => key_package.encode(out),
        }
    }
}

impl<C: CommitBody> Decode for MlsMessage<C> {
    /// Rejects any version but mls10: the body's format is defined for that version only.
    fn decode(reader: &mut Reader<'_>) -> Result<Self, CodecError> {
        let version = u16::decode(reader)?;
        if version != MLS10 {
            return Err(CodecError::InvalidValue {
                what: "protocol version",
                value: u64::from(version),
            });
        }
        Ok(match WireFormat::decode(reader)? {
            WireFormat::PublicMessage => MlsMessage::PublicMessage(Decode::decode(reader)?),
            WireFormat::PrivateMessage => MlsMessage::PrivateMessage(Decode::decode(reader)?),
            WireFormat::Welcome => MlsMessage::Welcome(Decode::decode(reader)?),
            WireFormat::GroupInfo => MlsMessage::GroupInfo(Decode::decode(reader)?),
            WireFormat::KeyPackage => MlsMessage::KeyPackage(Decode::decode(reader)?),
        })
    }
}
