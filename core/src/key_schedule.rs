//! The key schedule of RFC 9420 §8, unchanged (ART-MLS profile §6), with `commit_secret` as
//! its input: in an ART group it comes from the tree (profile §4), so this module never looks
//! at a tree.
//!
//! ```text
//!                  init_secret_[n-1]
//!                        |
//!  commit_secret --> KDF.Extract
//!                        |
//!              ExpandWithLabel(., "joiner", GroupContext_[n], Nh)
//!                        |
//!                   joiner_secret
//!                        |
//!   psk_secret --> KDF.Extract --> DeriveSecret(., "welcome") = welcome_secret
//!                        |
//!              ExpandWithLabel(., "epoch", GroupContext_[n], Nh)
//!                        |
//!                   epoch_secret --> sender data, encryption, exporter, external,
//!                        |           confirm, membership, resumption, authentication
//!                DeriveSecret(., "init")
//!                        |
//!                  init_secret_[n]
//! ```
//!
//! Also here: the PSK secret (§8.4), the exporter (§8.5), the transcript hashes (§8.2) and the
//! confirmation tag (§6.1). The membership tag is in [`crate::framing`].

use core::marker::PhantomData;

use thiserror::Error;

use crate::codec::{CodecError, Decode, Encode, Reader, write_varint};
use crate::error::CryptoError;
use crate::labels::{derive_secret, expand_with_label};
use crate::messages::{
    AuthenticatedContent, CommitBody, ContentType, GroupContext, PreSharedKeyId,
};
use crate::secret::{Secret, constant_time_eq};
use crate::suite::CipherSuite;
use artmls_crypto::{Aead, DhGroup, HashFunction, Kdf};

/// Why a key schedule computation failed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum KeyScheduleError {
    /// A primitive failed: a KDF asked for too much output, or DeriveKeyPair gave up. With
    /// the suites of this library this means an input of the wrong size; fix the caller.
    #[error(transparent)]
    Crypto(#[from] CryptoError),
    /// A structure could not be encoded (a field longer than 2^30 - 1 bytes).
    #[error(transparent)]
    Codec(#[from] CodecError),
    /// More than 65535 PSKs (the PSK label counts them in a `uint16`).
    #[error("too many PSKs: {0}")]
    TooManyPsks(usize),
    /// A transcript hash was asked of content that is not a commit.
    #[error("the content is not a commit")]
    NotACommit,
    /// A commit has no confirmation tag.
    #[error("the commit has no confirmation tag")]
    MissingConfirmationTag,
    /// The confirmation tag does not match: the sender is not in the same epoch, or the
    /// transcript differs. Drop the commit (or the Welcome).
    #[error("confirmation tag mismatch")]
    ConfirmationTagMismatch,
}

/// `KDF.Extract(salt, ikm)` as a [`Secret`].
fn extract<S: CipherSuite>(salt: &[u8], ikm: &[u8]) -> Secret {
    S::Kdf::extract(salt, ikm)
}

/// The zero secret (`Nh` zero bytes), the default commit and PSK secret.
pub fn zero_secret<S: CipherSuite>() -> Secret {
    Secret::zero(S::Kdf::HASH_LEN)
}

/// `joiner_secret = ExpandWithLabel(KDF.Extract(init_secret, commit_secret), "joiner",
/// GroupContext_[n], Nh)`.
pub fn joiner_secret<S: CipherSuite>(
    init_secret: &Secret,
    commit_secret: &Secret,
    group_context: &GroupContext,
) -> Result<Secret, KeyScheduleError> {
    let prk = extract::<S>(init_secret.as_bytes(), commit_secret.as_bytes());
    let context = group_context.encode_to_vec()?;
    Ok(expand_with_label::<S>(
        prk.as_bytes(),
        "joiner",
        &context,
        S::Kdf::HASH_LEN,
    )?)
}

/// The intermediate `KDF.Extract(joiner_secret, psk_secret)`; `None` means no PSK (the zero
/// secret).
fn member_secret<S: CipherSuite>(joiner_secret: &Secret, psk_secret: Option<&Secret>) -> Secret {
    let zero;
    let psk = match psk_secret {
        Some(psk) => psk,
        None => {
            zero = zero_secret::<S>();
            &zero
        }
    };
    extract::<S>(joiner_secret.as_bytes(), psk.as_bytes())
}

/// `welcome_secret = DeriveSecret(KDF.Extract(joiner_secret, psk_secret), "welcome")`.
pub fn welcome_secret<S: CipherSuite>(
    joiner_secret: &Secret,
    psk_secret: Option<&Secret>,
) -> Result<Secret, KeyScheduleError> {
    let member = member_secret::<S>(joiner_secret, psk_secret);
    Ok(derive_secret::<S>(member.as_bytes(), "welcome")?)
}

/// The key and nonce that encrypt a Welcome's GroupInfo (RFC 9420 §12.4.3.1):
/// `ExpandWithLabel(welcome_secret, "key", "", Nk)` and `ExpandWithLabel(welcome_secret,
/// "nonce", "", Nn)`.
pub fn welcome_key_nonce<S: CipherSuite>(
    welcome_secret: &Secret,
) -> Result<(Secret, Secret), KeyScheduleError> {
    let key = expand_with_label::<S>(welcome_secret.as_bytes(), "key", &[], S::Aead::KEY_LEN)?;
    let nonce =
        expand_with_label::<S>(welcome_secret.as_bytes(), "nonce", &[], S::Aead::NONCE_LEN)?;
    Ok((key, nonce))
}

/// The name of `encryption_secret` in persistence errors; the one field that may be empty.
const ENCRYPTION_SECRET: &str = "encryption_secret length";

/// The secrets of one epoch (RFC 9420 §8, table 4), derived from its `joiner_secret`.
///
/// `epoch_secret` itself is not kept: everything is derived from it at once and it is erased.
/// Every field is a [`Secret`] (zeroized when dropped). Forward secrecy asks the holder to
/// drop an epoch's secrets as soon as the next epoch is entered; move `encryption_secret` out
/// (`core::mem::take`) into the secret tree, which erases it as it derives.
pub struct EpochSecrets<S> {
    /// `joiner_secret`.
    pub joiner_secret: Secret,
    /// `welcome_secret`: keys the Welcome's GroupInfo.
    pub welcome_secret: Secret,
    /// `sender_data_secret`: keys the sender data of PrivateMessages.
    pub sender_data_secret: Secret,
    /// `encryption_secret`: the root of the secret tree.
    pub encryption_secret: Secret,
    /// `exporter_secret`: see [`EpochSecrets::export`].
    pub exporter_secret: Secret,
    /// `epoch_authenticator`.
    pub epoch_authenticator: Secret,
    /// `external_secret`: see [`EpochSecrets::external_key_pair`].
    pub external_secret: Secret,
    /// `confirmation_key`: keys the confirmation tag.
    pub confirmation_key: Secret,
    /// `membership_key`: keys the membership tag of PublicMessages.
    pub membership_key: Secret,
    /// `resumption_psk`.
    pub resumption_psk: Secret,
    /// `init_secret` of this epoch: the input of the next one.
    pub init_secret: Secret,
    _suite: PhantomData<fn() -> S>,
}

impl<S> core::fmt::Debug for EpochSecrets<S> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("EpochSecrets([redacted])")
    }
}

impl<S: CipherSuite> EpochSecrets<S> {
    /// The next epoch: `init_secret` of the previous epoch (or a fresh random one for a new
    /// group), the `commit_secret` of the commit (from the ART tree), the PSK secret if the
    /// commit includes PSKs, and the new epoch's GroupContext.
    pub fn derive(
        init_secret: &Secret,
        commit_secret: &Secret,
        psk_secret: Option<&Secret>,
        group_context: &GroupContext,
    ) -> Result<Self, KeyScheduleError> {
        let joiner = joiner_secret::<S>(init_secret, commit_secret, group_context)?;
        Self::from_joiner_secret(joiner, psk_secret, group_context)
    }

    /// The epoch a joiner enters, from the `joiner_secret` of its Welcome.
    pub fn from_joiner_secret(
        joiner_secret: Secret,
        psk_secret: Option<&Secret>,
        group_context: &GroupContext,
    ) -> Result<Self, KeyScheduleError> {
        let member = member_secret::<S>(&joiner_secret, psk_secret);
        let welcome_secret = derive_secret::<S>(member.as_bytes(), "welcome")?;
        let context = group_context.encode_to_vec()?;
        let epoch = expand_with_label::<S>(member.as_bytes(), "epoch", &context, S::Kdf::HASH_LEN)?;
        drop(member);
        let derive = |label: &str| derive_secret::<S>(epoch.as_bytes(), label);
        Ok(EpochSecrets {
            joiner_secret,
            welcome_secret,
            sender_data_secret: derive("sender data")?,
            encryption_secret: derive("encryption")?,
            exporter_secret: derive("exporter")?,
            epoch_authenticator: derive("authentication")?,
            external_secret: derive("external")?,
            confirmation_key: derive("confirm")?,
            membership_key: derive("membership")?,
            resumption_psk: derive("resumption")?,
            init_secret: derive("init")?,
            _suite: PhantomData,
        })
    }

    /// `MLS-Exporter(label, context, length) = ExpandWithLabel(DeriveSecret(exporter_secret,
    /// label), "exported", Hash(context), length)`.
    pub fn export(
        &self,
        label: &str,
        context: &[u8],
        length: usize,
    ) -> Result<Secret, KeyScheduleError> {
        let derived = derive_secret::<S>(self.exporter_secret.as_bytes(), label)?;
        Ok(expand_with_label::<S>(
            derived.as_bytes(),
            "exported",
            &S::Hash::hash(context),
            length,
        )?)
    }

    /// The external key pair `DeriveKeyPair(external_secret)` (its public key is the
    /// `external_pub` extension of RFC 9420 §12.4.3.2).
    #[allow(clippy::type_complexity)]
    pub fn external_key_pair(
        &self,
    ) -> Result<
        (
            <S::Dh as DhGroup>::PrivateKey,
            <S::Dh as DhGroup>::PublicKey,
        ),
        KeyScheduleError,
    > {
        Ok(S::Dh::derive_key_pair::<S::Kdf>(
            self.external_secret.as_bytes(),
        )?)
    }

    /// The confirmation tag of this epoch: `MAC(confirmation_key, confirmed_transcript_hash)`.
    pub fn confirmation_tag(&self, confirmed_transcript_hash: &[u8]) -> Vec<u8> {
        confirmation_tag::<S>(&self.confirmation_key, confirmed_transcript_hash)
    }

    /// Checks a received confirmation tag in constant time.
    pub fn verify_confirmation_tag(
        &self,
        confirmed_transcript_hash: &[u8],
        tag: &[u8],
    ) -> Result<(), KeyScheduleError> {
        verify_confirmation_tag::<S>(&self.confirmation_key, confirmed_transcript_hash, tag)
    }

    /// The key and nonce of the Welcome's GroupInfo.
    pub fn welcome_key_nonce(&self) -> Result<(Secret, Secret), KeyScheduleError> {
        welcome_key_nonce::<S>(&self.welcome_secret)
    }

    /// The fields in the order of the persisted state, with their names (for errors).
    fn fields(&self) -> [(&'static str, &Secret); 11] {
        [
            ("joiner_secret length", &self.joiner_secret),
            ("welcome_secret length", &self.welcome_secret),
            ("sender_data_secret length", &self.sender_data_secret),
            (ENCRYPTION_SECRET, &self.encryption_secret),
            ("exporter_secret length", &self.exporter_secret),
            ("epoch_authenticator length", &self.epoch_authenticator),
            ("external_secret length", &self.external_secret),
            ("confirmation_key length", &self.confirmation_key),
            ("membership_key length", &self.membership_key),
            ("resumption_psk length", &self.resumption_psk),
            ("init_secret length", &self.init_secret),
        ]
    }

    /// Whether a field may have `len` bytes: `Nh`, or 0 for `encryption_secret` once it was
    /// moved into the secret tree.
    fn valid_len(what: &str, len: usize) -> bool {
        len == S::Kdf::HASH_LEN || (len == 0 && what == ENCRYPTION_SECRET)
    }

    /// Appends every secret of the epoch to `out`, to be restored with
    /// [`EpochSecrets::decode_state`] (after a restart, say).
    ///
    /// The bytes are the epoch's secrets in the clear: store them encrypted and erase them
    /// once written. Nothing is written if an error is returned, and `out` is grown once,
    /// before anything is written.
    ///
    /// # Format
    ///
    /// The eleven fields in declaration order, each an `opaque secret<V>` (an RFC 9420
    /// variable-length length, then the bytes); versioning is left to the caller:
    ///
    /// ```text
    /// joiner_secret, welcome_secret, sender_data_secret, encryption_secret, exporter_secret,
    /// epoch_authenticator, external_secret, confirmation_key, membership_key,
    /// resumption_psk, init_secret
    /// ```
    ///
    /// Every field is `Nh` bytes, except that `encryption_secret` may be empty: the holder is
    /// asked to move it into the secret tree (`core::mem::take`), which persists its own state
    /// ([`crate::secret_tree::SecretTree::encode_state`]). Any other length fails with
    /// [`CodecError::InvalidValue`].
    pub fn encode_state(&self, out: &mut Vec<u8>) -> Result<(), CodecError> {
        let fields = self.fields();
        let mut len = 0;
        for (what, secret) in fields {
            if !Self::valid_len(what, secret.len()) {
                return Err(CodecError::InvalidValue {
                    what,
                    value: secret.len() as u64,
                });
            }
            len += 1 + secret.len();
        }
        // Nh is at most 64 bytes: a two-byte length at most.
        out.reserve(len + fields.len());
        for (_, secret) in fields {
            secret.encode(out)?;
        }
        Ok(())
    }

    /// Restores the secrets written by [`EpochSecrets::encode_state`], consuming exactly
    /// their encoding from `reader`. Each field must be `Nh` bytes (`encryption_secret` may
    /// also be empty); otherwise, or on truncated input, a typed [`CodecError`] is returned
    /// and the secrets already read are erased. Never panics.
    pub fn decode_state(reader: &mut Reader<'_>) -> Result<Self, CodecError> {
        let mut read = |what: &'static str| -> Result<Secret, CodecError> {
            let secret = Secret::decode(reader)?;
            if Self::valid_len(what, secret.len()) {
                Ok(secret)
            } else {
                Err(CodecError::InvalidValue {
                    what,
                    value: secret.len() as u64,
                })
            }
        };
        Ok(EpochSecrets {
            joiner_secret: read("joiner_secret length")?,
            welcome_secret: read("welcome_secret length")?,
            sender_data_secret: read("sender_data_secret length")?,
            encryption_secret: read(ENCRYPTION_SECRET)?,
            exporter_secret: read("exporter_secret length")?,
            epoch_authenticator: read("epoch_authenticator length")?,
            external_secret: read("external_secret length")?,
            confirmation_key: read("confirmation_key length")?,
            membership_key: read("membership_key length")?,
            resumption_psk: read("resumption_psk length")?,
            init_secret: read("init_secret length")?,
            _suite: PhantomData,
        })
    }
}

/// The PSK secret of RFC 9420 §8.4 over `(id, psk)` pairs, in order; the zero secret for no
/// PSKs.
///
/// ```text
/// psk_extracted_[i] = KDF.Extract(0, psk_[i])
/// psk_input_[i]     = ExpandWithLabel(psk_extracted_[i], "derived psk", PSKLabel_[i], Nh)
/// psk_secret_[i]    = KDF.Extract(psk_input_[i-1], psk_secret_[i-1]),  psk_secret_[0] = 0
/// PSKLabel          = struct { PreSharedKeyID id; uint16 index; uint16 count; }
/// ```
pub fn psk_secret<S: CipherSuite>(
    psks: &[(PreSharedKeyId, Secret)],
) -> Result<Secret, KeyScheduleError> {
    let count = u16::try_from(psks.len()).map_err(|_| KeyScheduleError::TooManyPsks(psks.len()))?;
    let mut secret = zero_secret::<S>();
    for (index, (id, psk)) in (0u16..).zip(psks) {
        let extracted = extract::<S>(&[], psk.as_bytes());
        let mut label = id.encode_to_vec()?;
        index.encode(&mut label)?;
        count.encode(&mut label)?;
        let input = expand_with_label::<S>(
            extracted.as_bytes(),
            "derived psk",
            &label,
            S::Kdf::HASH_LEN,
        )?;
        secret = extract::<S>(input.as_bytes(), secret.as_bytes());
    }
    Ok(secret)
}

/// `confirmed_transcript_hash_[n] = Hash(interim_transcript_hash_[n-1] ||
/// ConfirmedTranscriptHashInput_[n])`, with `ConfirmedTranscriptHashInput = { WireFormat
/// wire_format; FramedContent content; opaque signature<V>; }` taken from the commit.
pub fn confirmed_transcript_hash<S: CipherSuite, C: CommitBody>(
    interim_transcript_hash: &[u8],
    commit: &AuthenticatedContent<C>,
) -> Result<Vec<u8>, KeyScheduleError> {
    if commit.content.content.content_type() != ContentType::Commit {
        return Err(KeyScheduleError::NotACommit);
    }
    let mut input = interim_transcript_hash.to_vec();
    commit.wire_format.encode(&mut input)?;
    commit.content.encode(&mut input)?;
    commit.auth.signature.encode(&mut input)?;
    Ok(S::Hash::hash(&input))
}

/// `interim_transcript_hash_[n] = Hash(confirmed_transcript_hash_[n] || InterimTranscriptHashInput_[n])`,
/// with `InterimTranscriptHashInput = { MAC confirmation_tag; }`.
pub fn interim_transcript_hash<S: CipherSuite>(
    confirmed_transcript_hash: &[u8],
    confirmation_tag: &[u8],
) -> Result<Vec<u8>, KeyScheduleError> {
    let mut input = confirmed_transcript_hash.to_vec();
    write_varint(&mut input, confirmation_tag.len())?;
    input.extend_from_slice(confirmation_tag);
    Ok(S::Hash::hash(&input))
}

/// Both transcript hashes after a commit: its confirmed hash from the previous interim hash,
/// then the new interim hash from its confirmation tag.
pub fn transcript_hashes_after<S: CipherSuite, C: CommitBody>(
    interim_transcript_hash_before: &[u8],
    commit: &AuthenticatedContent<C>,
) -> Result<(Vec<u8>, Vec<u8>), KeyScheduleError> {
    let confirmed = confirmed_transcript_hash::<S, C>(interim_transcript_hash_before, commit)?;
    let tag = commit
        .auth
        .confirmation_tag
        .as_deref()
        .ok_or(KeyScheduleError::MissingConfirmationTag)?;
    let interim = interim_transcript_hash::<S>(&confirmed, tag)?;
    Ok((confirmed, interim))
}

/// `confirmation_tag = MAC(confirmation_key, confirmed_transcript_hash)`.
pub fn confirmation_tag<S: CipherSuite>(
    confirmation_key: &Secret,
    confirmed_transcript_hash: &[u8],
) -> Vec<u8> {
    S::Hash::mac(confirmation_key.as_bytes(), confirmed_transcript_hash)
}

/// Checks a confirmation tag in constant time.
pub fn verify_confirmation_tag<S: CipherSuite>(
    confirmation_key: &Secret,
    confirmed_transcript_hash: &[u8],
    tag: &[u8],
) -> Result<(), KeyScheduleError> {
    let expected = confirmation_tag::<S>(confirmation_key, confirmed_transcript_hash);
    if constant_time_eq(&expected, tag) {
        Ok(())
    } else {
        Err(KeyScheduleError::ConfirmationTagMismatch)
    }
}
