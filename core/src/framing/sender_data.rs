//! The sender data of a PrivateMessage (RFC 9420 §6.3.2): its key and nonce, taken from the
//! sender-data secret and a sample of the content ciphertext, its AAD, and the reuse guard
//! that the content nonce carries.

use crate::codec::{CodecError, Encode};
use crate::labels::expand_with_label;
use crate::messages::ContentType;
use crate::secret::Secret;
use crate::secret_tree::SecretTreeError;
use crate::suite::CipherSuite;
use artmls_crypto::{Aead, Kdf};

/// `SenderDataAAD = { opaque group_id<V>; uint64 epoch; ContentType content_type; }`.
pub(super) fn sender_data_aad(
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

/// The sender-data key and nonce of a PrivateMessage (RFC 9420 §6.3.2): from the first `Nh`
/// bytes of the content ciphertext (all of it if shorter),
/// `ExpandWithLabel(sender_data_secret, "key", sample, Nk)` and
/// `ExpandWithLabel(sender_data_secret, "nonce", sample, Nn)`.
pub fn sender_data_key_nonce<S: CipherSuite>(
    sender_data_secret: &Secret,
    ciphertext: &[u8],
) -> Result<(Secret, Secret), SecretTreeError> {
    let sample = &ciphertext[..ciphertext.len().min(S::Kdf::HASH_LEN)];
    let key = expand_with_label::<S>(
        sender_data_secret.as_bytes(),
        "key",
        sample,
        S::Aead::KEY_LEN,
    )?;
    let nonce = expand_with_label::<S>(
        sender_data_secret.as_bytes(),
        "nonce",
        sample,
        S::Aead::NONCE_LEN,
    )?;
    Ok((key, nonce))
}

/// The nonce with the reuse guard XORed into its first four bytes (RFC 9420 §6.3.1).
pub fn apply_reuse_guard(nonce: &Secret, reuse_guard: [u8; 4]) -> Secret {
    let mut guarded = nonce.clone();
    for (byte, guard) in guarded.as_mut_bytes().iter_mut().zip(reuse_guard) {
        *byte ^= guard;
    }
    guarded
}
