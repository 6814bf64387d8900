//! The Welcome (RFC 9420 §12.4.3), unchanged (ART-MLS profile §5-§6): sealing it for the
//! newcomers, and joining from it.
//!
//! ```text
//! psk_secret         = PSK secret of the epoch's PSKs (zero if none)
//! welcome_secret     = DeriveSecret(KDF.Extract(joiner_secret, psk_secret), "welcome")
//! welcome_key, nonce = ExpandWithLabel(welcome_secret, "key" | "nonce", "", Nk | Nn)
//! encrypted_group_info    = AEAD.Seal(welcome_key, welcome_nonce, "", GroupInfo)
//! encrypted_group_secrets = EncryptWithLabel(init_key, "Welcome", encrypted_group_info, GroupSecrets)
//! ```
//!
//! In an ART group, `GroupSecrets.path_secret` carries the newcomer's `leaf_secret` (chosen
//! by the adder) and the GroupInfo carries the public tree in an extension.

use rand_core::CryptoRng;
use thiserror::Error;

use crate::codec::{CodecError, Decode, Encode};
use crate::error::CryptoError;
use crate::key_schedule::{
    EpochSecrets, KeyScheduleError, psk_secret, welcome_key_nonce, welcome_secret,
};
use crate::labels::{decrypt_with_label, encrypt_with_label_many};
use crate::messages::{
    EncryptedGroupSecrets, GroupInfo, GroupSecrets, KeyPackage, MessageError, PathSecret,
    PreSharedKeyId, Welcome,
};
use crate::secret::{Secret, constant_time_eq};
use crate::suite::{CipherSuite, SuiteId};
use artmls_crypto::{Aead, SignatureScheme};

type VerifyingKey<S> = <<S as CipherSuite>::Signature as SignatureScheme>::VerifyingKey;

/// Why a Welcome could not be sealed or joined. A Welcome that fails to open cannot be used:
/// the joiner stays outside the group (and may ask for a new Welcome).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum WelcomeError {
    /// A structure is malformed (decoding) or too long (encoding).
    #[error(transparent)]
    Codec(#[from] CodecError),
    /// A key package or the GroupInfo was rejected (bad signature, bad key).
    #[error(transparent)]
    Message(#[from] MessageError),
    /// The key schedule failed, or the GroupInfo's confirmation tag does not match the
    /// epoch derived from the Welcome's secrets.
    #[error(transparent)]
    KeySchedule(#[from] KeyScheduleError),
    /// Sealing failed (a newcomer's init key does not parse, for instance).
    #[error(transparent)]
    Crypto(#[from] CryptoError),
    /// The Welcome, a key package and the GroupInfo name different cipher suites.
    #[error("cipher suite mismatch: welcome {welcome}, {other_what} {other}")]
    SuiteMismatch {
        /// The Welcome's suite.
        welcome: SuiteId,
        /// What disagrees with it.
        other_what: &'static str,
        /// Its suite.
        other: SuiteId,
    },
    /// The Welcome has no entry for this key package.
    #[error("the Welcome has no entry for this key package")]
    NotForThisKeyPackage,
    /// The GroupSecrets do not decrypt with this init key.
    #[error("the group secrets do not decrypt: {0}")]
    GroupSecretsDecryption(CryptoError),
    /// The GroupInfo does not decrypt (wrong joiner secret or PSKs, or tampering).
    #[error("the group info does not decrypt")]
    GroupInfoDecryption,
    /// The GroupSecrets name a PSK the joiner does not hold.
    #[error("unknown PSK {0:?}")]
    UnknownPsk(Box<PreSharedKeyId>),
    /// The joiner cannot find the verifying key of the GroupInfo's signer.
    #[error("unknown GroupInfo signer (leaf {0})")]
    UnknownSigner(u32),
}

/// A newcomer of a Welcome.
#[derive(Debug, Clone)]
pub struct NewMember<'a> {
    /// Its key package (checked by the caller with [`KeyPackage::verify`]).
    pub key_package: &'a KeyPackage,
    /// Its path secret (in an ART group: its `leaf_secret`).
    pub path_secret: Option<Secret>,
}

/// Seals a Welcome for `new_members`: the GroupInfo (already signed) under the welcome key
/// derived from `joiner_secret` and the PSK secret of `psks`, and each newcomer's GroupSecrets
/// to its init key. `rng` draws the HPKE ephemeral keys.
pub fn seal_welcome<S: CipherSuite, R: CryptoRng + ?Sized>(
    group_info: &GroupInfo,
    joiner_secret: &Secret,
    psks: &[(PreSharedKeyId, Secret)],
    new_members: &[NewMember<'_>],
    rng: &mut R,
) -> Result<Welcome, WelcomeError> {
    let cipher_suite = group_info.group_context.cipher_suite;
    let psk = psk_secret::<S>(psks)?;
    let welcome = welcome_secret::<S>(joiner_secret, Some(&psk))?;
    let (key, nonce) = welcome_key_nonce::<S>(&welcome)?;
    let encrypted_group_info = S::Aead::seal(
        key.as_bytes(),
        nonce.as_bytes(),
        &[],
        &group_info.encode_to_vec()?,
    )?;
    let psk_ids: Vec<PreSharedKeyId> = psks.iter().map(|(id, _)| id.clone()).collect();
    let mut plaintexts = Vec::with_capacity(new_members.len());
    for member in new_members {
        if member.key_package.cipher_suite != cipher_suite {
            return Err(WelcomeError::SuiteMismatch {
                welcome: cipher_suite,
                other_what: "key package",
                other: member.key_package.cipher_suite,
            });
        }
        let group_secrets = GroupSecrets {
            joiner_secret: joiner_secret.clone(),
            path_secret: member
                .path_secret
                .clone()
                .map(|path_secret| PathSecret { path_secret }),
            psks: psk_ids.clone(),
        };
        plaintexts.push(group_secrets.encode_to_secret()?);
    }
    // Every newcomer's GroupSecrets is sealed with the encrypted GroupInfo as context, which
    // the HPKE key schedule hashes: sealing them together hashes it once, not once each.
    let init_keys: Vec<&[u8]> = new_members
        .iter()
        .map(|member| member.key_package.init_key.as_slice())
        .collect();
    let plaintext_refs: Vec<&[u8]> = plaintexts.iter().map(Secret::as_bytes).collect();
    let sealed = encrypt_with_label_many::<S, R>(
        &init_keys,
        "Welcome",
        &encrypted_group_info,
        &plaintext_refs,
        rng,
    )?;
    // Each reference hashes a whole KeyPackage: for many newcomers, on all cores.
    let references =
        crate::parallel::try_map(new_members, |member| member.key_package.reference::<S>())?;
    let secrets = references
        .into_iter()
        .zip(sealed)
        .map(
            |(new_member, encrypted_group_secrets)| EncryptedGroupSecrets {
                new_member,
                encrypted_group_secrets,
            },
        )
        .collect();
    Ok(Welcome {
        cipher_suite,
        secrets,
        encrypted_group_info,
    })
}

/// Finds this key package's entry in the Welcome and decrypts its GroupSecrets with the
/// private key of the key package's init key.
pub fn decrypt_group_secrets<S: CipherSuite>(
    welcome: &Welcome,
    key_package: &KeyPackage,
    init_private_key: &Secret,
) -> Result<GroupSecrets, WelcomeError> {
    if key_package.cipher_suite != welcome.cipher_suite {
        return Err(WelcomeError::SuiteMismatch {
            welcome: welcome.cipher_suite,
            other_what: "key package",
            other: key_package.cipher_suite,
        });
    }
    let reference = key_package.reference::<S>()?;
    let entry = welcome
        .secrets
        .iter()
        .find(|entry| constant_time_eq(&entry.new_member, &reference))
        .ok_or(WelcomeError::NotForThisKeyPackage)?;
    let plaintext = decrypt_with_label::<S>(
        init_private_key.as_bytes(),
        "Welcome",
        &welcome.encrypted_group_info,
        &entry.encrypted_group_secrets.kem_output,
        &entry.encrypted_group_secrets.ciphertext,
    )
    .map_err(WelcomeError::GroupSecretsDecryption)?;
    let plaintext = Secret::new(plaintext);
    Ok(GroupSecrets::decode_exact(plaintext.as_bytes())?)
}

/// Decrypts the Welcome's GroupInfo with the welcome key of `joiner_secret` and the PSK
/// secret (`None`: no PSKs). The GroupInfo is not verified yet.
pub fn decrypt_group_info<S: CipherSuite>(
    welcome: &Welcome,
    joiner_secret: &Secret,
    psk_secret: Option<&Secret>,
) -> Result<GroupInfo, WelcomeError> {
    let welcome_secret = welcome_secret::<S>(joiner_secret, psk_secret)?;
    let (key, nonce) = welcome_key_nonce::<S>(&welcome_secret)?;
    let plaintext = S::Aead::open(
        key.as_bytes(),
        nonce.as_bytes(),
        &[],
        &welcome.encrypted_group_info,
    )
    .map_err(|_| WelcomeError::GroupInfoDecryption)?;
    let group_info = GroupInfo::decode_exact(&plaintext)?;
    if group_info.group_context.cipher_suite != welcome.cipher_suite {
        return Err(WelcomeError::SuiteMismatch {
            welcome: welcome.cipher_suite,
            other_what: "group info",
            other: group_info.group_context.cipher_suite,
        });
    }
    Ok(group_info)
}

/// What a joiner has after a Welcome: the verified GroupInfo, its GroupSecrets (with the
/// path secret), and the secrets of the epoch it enters.
pub struct Joined<S> {
    /// The GroupInfo (signature and confirmation tag verified).
    pub group_info: GroupInfo,
    /// The GroupSecrets.
    pub group_secrets: GroupSecrets,
    /// The epoch's secrets.
    pub epoch_secrets: EpochSecrets<S>,
}

impl<S> core::fmt::Debug for Joined<S> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Joined")
            .field("group_info", &self.group_info)
            .field("group_secrets", &self.group_secrets)
            .field("epoch_secrets", &self.epoch_secrets)
            .finish()
    }
}

/// A Welcome opened with a key package's init key: its GroupSecrets and its GroupInfo,
/// decrypted, the GroupInfo not verified yet. [`OpenedWelcome::verify`] finishes the join;
/// [`join`] does both steps.
pub struct OpenedWelcome {
    /// The GroupSecrets.
    pub group_secrets: GroupSecrets,
    /// The GroupInfo, not verified: trust nothing in it before [`OpenedWelcome::verify`].
    pub group_info: GroupInfo,
    psk: Secret,
}

impl core::fmt::Debug for OpenedWelcome {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("OpenedWelcome")
            .field("group_secrets", &self.group_secrets)
            .field("group_info", &self.group_info)
            .finish_non_exhaustive()
    }
}

/// The first step of [`join`]: decrypts this key package's GroupSecrets, computes the PSK
/// secret from the PSKs it names (`psk_of` gives each one's value, `None` if unknown) and
/// decrypts the GroupInfo.
pub fn open_welcome<S: CipherSuite>(
    welcome: &Welcome,
    key_package: &KeyPackage,
    init_private_key: &Secret,
    mut psk_of: impl FnMut(&PreSharedKeyId) -> Option<Secret>,
) -> Result<OpenedWelcome, WelcomeError> {
    let group_secrets = decrypt_group_secrets::<S>(welcome, key_package, init_private_key)?;
    let mut psks = Vec::with_capacity(group_secrets.psks.len());
    for id in &group_secrets.psks {
        let value = psk_of(id).ok_or_else(|| WelcomeError::UnknownPsk(Box::new(id.clone())))?;
        psks.push((id.clone(), value));
    }
    let psk = psk_secret::<S>(&psks)?;
    let group_info = decrypt_group_info::<S>(welcome, &group_secrets.joiner_secret, Some(&psk))?;
    Ok(OpenedWelcome {
        group_secrets,
        group_info,
        psk,
    })
}

impl OpenedWelcome {
    /// The second step of [`join`]: verifies the GroupInfo's signature under `signer_key`,
    /// derives the epoch's secrets and checks the confirmation tag.
    pub fn verify<S: CipherSuite>(
        self,
        signer_key: &VerifyingKey<S>,
    ) -> Result<Joined<S>, WelcomeError> {
        let OpenedWelcome {
            group_secrets,
            group_info,
            psk,
        } = self;
        group_info.verify::<S>(signer_key)?;
        let epoch_secrets = EpochSecrets::<S>::from_joiner_secret(
            group_secrets.joiner_secret.clone(),
            Some(&psk),
            &group_info.group_context,
        )?;
        epoch_secrets.verify_confirmation_tag(
            &group_info.group_context.confirmed_transcript_hash,
            &group_info.confirmation_tag,
        )?;
        Ok(Joined {
            group_info,
            group_secrets,
            epoch_secrets,
        })
    }
}

/// Joins from a Welcome (RFC 9420 §12.4.3.1): decrypts this key package's GroupSecrets,
/// computes the PSK secret from the PSKs it names (`psk_of` gives each one's value, `None` if
/// unknown), decrypts the GroupInfo, verifies its signature under the key `signer_key_of`
/// finds for it (in an ART group: from the tree in the GroupInfo), derives the epoch's
/// secrets and checks the confirmation tag. Whether the suite is the one the joiner expects
/// is the caller's check (`welcome.cipher_suite`).
pub fn join<S: CipherSuite>(
    welcome: &Welcome,
    key_package: &KeyPackage,
    init_private_key: &Secret,
    psk_of: impl FnMut(&PreSharedKeyId) -> Option<Secret>,
    signer_key_of: impl FnOnce(&GroupInfo) -> Option<VerifyingKey<S>>,
) -> Result<Joined<S>, WelcomeError> {
    let opened = open_welcome::<S>(welcome, key_package, init_private_key, psk_of)?;
    let signer_key = signer_key_of(&opened.group_info)
        .ok_or(WelcomeError::UnknownSigner(opened.group_info.signer))?;
    opened.verify::<S>(&signer_key)
}
