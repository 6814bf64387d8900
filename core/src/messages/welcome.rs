//! `Welcome` and what it carries (RFC 9420 §12.4.3). The sealing and opening are in
//! the welcome layer.

use crate::codec::{CodecError, Encode, impl_codec_struct, varint_len};
use crate::messages::PreSharedKeyId;
use crate::secret::Secret;
use artmls_crypto::HpkeCiphertext;
use artmls_crypto::SuiteId;

impl_codec_struct!(HpkeCiphertext {
    kem_output,
    ciphertext
});

/// `PathSecret`. In an ART group it carries the newcomer's `leaf_secret` (profile §5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathSecret {
    /// `opaque path_secret<V>`.
    pub path_secret: Secret,
}

impl_codec_struct!(PathSecret { path_secret });

/// The secrets a newcomer needs (`GroupSecrets`), HPKE-encrypted to its init key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupSecrets {
    /// `opaque joiner_secret<V>`.
    pub joiner_secret: Secret,
    /// `optional<PathSecret> path_secret`.
    pub path_secret: Option<PathSecret>,
    /// `PreSharedKeyID psks<V>`: the PSKs of the epoch, which the newcomer must hold.
    pub psks: Vec<PreSharedKeyId>,
}

impl_codec_struct!(GroupSecrets {
    joiner_secret,
    path_secret,
    psks
});

impl GroupSecrets {
    /// The encoding, as a [`Secret`]: written into a buffer sized before the secrets are
    /// written, so no reallocation leaves a copy of them behind, and erased when dropped.
    pub fn encode_to_secret(&self) -> Result<Secret, CodecError> {
        let opaque_len = |secret: &Secret| varint_len(secret.len()) + secret.len();
        // The PSK ids are not secret: their encoding is measured by writing it.
        let psks_len = self.psks.encode_to_vec()?.len();
        let len = opaque_len(&self.joiner_secret)
            + 1
            + self
                .path_secret
                .as_ref()
                .map_or(0, |path| opaque_len(&path.path_secret))
            + psks_len;
        Secret::write_exact(len, |out| self.encode(out))
    }
}

/// One newcomer's entry of a Welcome (`EncryptedGroupSecrets`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncryptedGroupSecrets {
    /// `KeyPackageRef new_member`.
    pub new_member: Vec<u8>,
    /// `HPKECiphertext encrypted_group_secrets`.
    pub encrypted_group_secrets: HpkeCiphertext,
}

impl_codec_struct!(EncryptedGroupSecrets {
    new_member,
    encrypted_group_secrets
});

/// `Welcome`: how newcomers join.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Welcome {
    /// `CipherSuite cipher_suite`.
    pub cipher_suite: SuiteId,
    /// One entry per newcomer.
    pub secrets: Vec<EncryptedGroupSecrets>,
    /// `opaque encrypted_group_info<V>`: the GroupInfo under the welcome key and nonce.
    pub encrypted_group_info: Vec<u8>,
}

impl_codec_struct!(Welcome {
    cipher_suite,
    secrets,
    encrypted_group_info
});
