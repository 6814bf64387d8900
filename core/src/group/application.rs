//! Application data: encrypted to the group, and decrypted from a member.

use rand_core::CryptoRng;

use super::{ArtCommit, Group, GroupError, Received};
use crate::codec::Encode;
use crate::framing::{decrypt_private, encrypt_private, sign_content};
use crate::messages::{
    Content, ContentType, FramedContent, MlsMessage, PrivateMessage, Sender, WireFormat,
};
use crate::suite::CipherSuite;
use crate::tree_math::LeafIndex;

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
        let message = MlsMessage::<ArtCommit>::PrivateMessage(message).encode_to_vec()?;
        // The generation this message used is spent in the store before the message leaves:
        // a member restored after a crash never encrypts twice under one key and nonce.
        self.persist()?;
        Ok(message)
    }

    pub(super) fn process_private(
        &mut self,
        message: &PrivateMessage,
    ) -> Result<Received, GroupError> {
        if message.content_type != ContentType::Application {
            return Err(GroupError::Unsupported(
                "handshake messages in a PrivateMessage",
            ));
        }
        let members = &self.members;
        // A sender is checked against its leaf as it is now: a message of a past epoch from a
        // leaf that has since been removed, or taken by another member, does not verify.
        let verifying_key = |leaf: LeafIndex| {
            members
                .get(leaf.0 as usize)?
                .as_ref()
                .map(|m| m.verifying_key.clone())
        };
        let content = match self.check_epoch(&message.group_id, message.epoch) {
            Ok(()) => decrypt_private::<S, ArtCommit>(
                message,
                &mut self.secret_tree,
                &self.secrets.sender_data_secret,
                &self.context,
                verifying_key,
            )?,
            Err(GroupError::StaleEpoch { current, got }) => {
                let past = self
                    .past
                    .iter_mut()
                    .find(|past| past.epoch() == got)
                    .ok_or(GroupError::StaleEpoch { current, got })?;
                let content = decrypt_private::<S, ArtCommit>(
                    message,
                    &mut past.secret_tree,
                    &past.sender_data_secret,
                    &past.context,
                    verifying_key,
                )?;
                past.touched = true;
                content
            }
            Err(error) => return Err(error),
        };
        // The key is spent in the store before the data is handed over.
        self.persist()?;
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
