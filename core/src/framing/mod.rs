//! Message protection (RFC 9420 §6), unchanged (ART-MLS profile §6): signing content,
//! `PublicMessage` (signature and membership tag) and `PrivateMessage` (content under the
//! secret tree, sender data under the sender-data secret, with the reuse guard and padding).
//!
//! Sending: build a [`FramedContent`](crate::messages::FramedContent), sign it with
//! [`sign_content`] (which gives an
//! [`AuthenticatedContent<C>`](crate::messages::AuthenticatedContent)), then
//! [`protect_public`] or [`encrypt_private`].
//! Receiving: [`open_public`] or [`decrypt_private`]; both check the group, epoch, tags and
//! signature before handing out the content.
//!
//! Decryption never panics on any input. A PrivateMessage that fails anywhere (sender data,
//! key generation, AEAD, padding, signature) consumes no key: the secret tree is left exactly
//! as it was, so a forged message cannot burn a real one's key.
//!
//! The sender data of a PrivateMessage has its own keys, from the epoch's sender-data secret
//! ([`sender_data_key_nonce`]).

mod content;
mod error;
mod private;
mod public;
mod sender_data;

use crate::suite::CipherSuite;
use artmls_crypto::SignatureScheme;

pub use content::{framed_content_tbs, sign_content, verify_content};
pub use error::FramingError;
pub use private::{Padding, decrypt_private, encrypt_private};
pub use public::{membership_tag, open_public, protect_public};
pub use sender_data::{apply_reuse_guard, sender_data_key_nonce};

// The items the submodules share, so that each names them from one place.
use public::check_epoch;
use sender_data::sender_data_aad;

type VerifyingKey<S> = <<S as CipherSuite>::Signature as SignatureScheme>::VerifyingKey;
type SigningKey<S> = <<S as CipherSuite>::Signature as SignatureScheme>::SigningKey;
