//! Application data: encrypted to the group, and decrypted from a member.

use rand_core::CryptoRng;

use super::{ArtCommit, Group, GroupError, Received};
use crate::codec::Encode;
use crate::framing::{decrypt_private, encrypt_private, sign_content};
use crate::messages::{
    Content, ContentType, FramedContent, MlsMessage, PrivateMessage, Sender, WireFormat,
};
use crate::suite::CipherSuite;

impl<S: CipherSuite> Group<S> {
    /// Encrypts application data for the group (a PrivateMessage, as an MLSMessage).
    pub fn encrypt_application_with_rng<R: CryptoRng + ?Sized>(
        &mut self,
        data: &[u8],
        rng: &mut R,
    ) -> Result<Vec<u8>, GroupError> {
        self.check_active()?;
        let content = FramedContent {
            group_id: self.context.group_id.clone(),
            epoch: self.context.epoch,
            sender: Sender::Member(self.own_leaf()),
            authenticated_data: Vec::new(),
            content: Content::<ArtCommit>::Application(data.to_vec()),
        };
        let signed = sign_content::<S, ArtCommit>(
            WireFormat::PrivateMessage,
            content,
            &self.context,
            self.identity.signing_key(),
            None,
        )?;
        let message = encrypt_private::<S, ArtCommit, R>(
            &signed,
            &mut self.secret_tree,
            &self.secrets.sender_data_secret,
            self.config.padding,
            rng,
        )?;
        Ok(MlsMessage::<ArtCommit>::PrivateMessage(message).encode_to_vec()?)
    }

    pub(super) fn process_private(
        &mut self,
        message: &PrivateMessage,
    ) -> Result<Received, GroupError> {
        self.check_epoch(&message.group_id, message.epoch)?;
        if message.content_type != ContentType::Application {
            return Err(GroupError::Unsupported(
                "handshake messages in a PrivateMessage",
            ));
        }
        let members = &self.members;
        let content = decrypt_private::<S, ArtCommit>(
            message,
            &mut self.secret_tree,
            &self.secrets.sender_data_secret,
            &self.context,
            |leaf| {
                members
                    .get(leaf.0 as usize)?
                    .as_ref()
                    .map(|m| m.verifying_key.clone())
            },
        )?;
        let Sender::Member(sender) = content.content.sender else {
            return Err(GroupError::Unsupported("a non-member sender"));
        };
        match content.content.content {
            Content::Application(data) => Ok(Received::Application { sender, data }),
            _ => Err(GroupError::Unsupported(
                "handshake messages in a PrivateMessage",
            )),
        }
    }
}
