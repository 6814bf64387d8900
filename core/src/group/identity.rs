//! A member's identity (signature key and credential) and its KeyPackage, the first draft's
//! PreKey.

use core::fmt;

use rand_core::CryptoRng;

use crate::codec::Encode;
use crate::group::GroupError;
use crate::messages::{
    Capabilities, Credential, KeyPackage, LeafNode, LeafNodeSource, Lifetime, MLS10,
};
use crate::secret::Secret;
use crate::suite::CipherSuite;
use artmls_crypto::{DhGroup, SignatureScheme};

type SigningKey<S> = <<S as CipherSuite>::Signature as SignatureScheme>::SigningKey;

/// Who a member is: a signature key pair and a basic credential naming it.
pub struct Identity<S: CipherSuite> {
    signing_key: SigningKey<S>,
    signature_public_key: Vec<u8>,
    credential: Credential,
}

impl<S: CipherSuite> fmt::Debug for Identity<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Identity")
            .field("credential", &self.credential)
            .finish_non_exhaustive()
    }
}

impl<S: CipherSuite> Identity<S> {
    /// A new identity named `name`, with a signature key from `rng`.
    pub fn new_with_rng<R: CryptoRng + ?Sized>(name: impl Into<Vec<u8>>, rng: &mut R) -> Self {
        Self::from_signing_key(name, S::Signature::generate_signing_key(rng))
    }

    /// An identity from an existing signing key.
    pub fn from_signing_key(name: impl Into<Vec<u8>>, signing_key: SigningKey<S>) -> Self {
        let verifying_key = S::Signature::verifying_key(&signing_key);
        Identity {
            signature_public_key: S::Signature::verifying_key_to_bytes(&verifying_key),
            signing_key,
            credential: Credential::basic(name),
        }
    }

    /// The signing key.
    pub fn signing_key(&self) -> &SigningKey<S> {
        &self.signing_key
    }

    /// The serialized signing key (to persist the identity).
    pub fn signing_key_bytes(&self) -> Secret {
        S::Signature::signing_key_to_bytes(&self.signing_key)
    }

    /// The public half of the signature key, in wire form.
    pub fn signature_public_key(&self) -> &[u8] {
        &self.signature_public_key
    }

    /// The credential.
    pub fn credential(&self) -> &Credential {
        &self.credential
    }

    /// The name in the credential (empty for other credential types).
    pub fn name(&self) -> &[u8] {
        match &self.credential {
            Credential::Basic { identity } => identity,
            Credential::X509 { .. } => &[],
        }
    }

    /// What this member supports: protocol mls10, its suite, basic credentials.
    pub(crate) fn capabilities() -> Capabilities {
        Capabilities {
            versions: vec![MLS10],
            cipher_suites: vec![S::ID],
            extensions: Vec::new(),
            proposals: Vec::new(),
            credentials: vec![1],
        }
    }

    /// A LeafNode for this identity with the given encryption key and source, signed.
    pub(crate) fn leaf_node(
        &self,
        encryption_key: Vec<u8>,
        source: LeafNodeSource,
        group: Option<(&[u8], crate::tree_math::LeafIndex)>,
    ) -> Result<LeafNode, GroupError> {
        let mut leaf_node = LeafNode {
            encryption_key,
            signature_key: self.signature_public_key.clone(),
            credential: self.credential.clone(),
            capabilities: Self::capabilities(),
            leaf_node_source: source,
            extensions: Vec::new(),
            signature: Vec::new(),
        };
        leaf_node.sign::<S>(&self.signing_key, group)?;
        Ok(leaf_node)
    }

    /// A fresh KeyPackage (the first draft's PreKey) with its private keys. Publish
    /// [`KeyPackageBundle::key_package`]; keep the bundle to join with.
    pub fn key_package_with_rng<R: CryptoRng + ?Sized>(
        &self,
        rng: &mut R,
    ) -> Result<KeyPackageBundle<S>, GroupError> {
        let (init_private, init_public) = S::Dh::generate_key_pair(rng);
        let (_, encryption_public) = S::Dh::generate_key_pair(rng);
        let leaf_node = self.leaf_node(
            encryption_public.as_ref().to_vec(),
            LeafNodeSource::KeyPackage(Lifetime {
                not_before: 0,
                not_after: u64::MAX,
            }),
            None,
        )?;
        let mut key_package = KeyPackage {
            version: MLS10,
            cipher_suite: S::ID,
            init_key: init_public.as_ref().to_vec(),
            leaf_node,
            extensions: Vec::new(),
            signature: Vec::new(),
        };
        key_package.sign::<S>(&self.signing_key)?;
        Ok(KeyPackageBundle {
            key_package,
            init_private_key: S::Dh::private_key_to_bytes(&init_private),
            _suite: core::marker::PhantomData,
        })
    }
}

/// A KeyPackage and the private init key that opens a Welcome made for it.
pub struct KeyPackageBundle<S: CipherSuite> {
    key_package: KeyPackage,
    init_private_key: Secret,
    _suite: core::marker::PhantomData<fn() -> S>,
}

impl<S: CipherSuite> fmt::Debug for KeyPackageBundle<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyPackageBundle")
            .field("key_package", &self.key_package)
            .finish_non_exhaustive()
    }
}

impl<S: CipherSuite> KeyPackageBundle<S> {
    /// A bundle from a KeyPackage and its private init key (as a store kept them).
    pub(crate) fn from_parts(key_package: KeyPackage, init_private_key: Secret) -> Self {
        KeyPackageBundle {
            key_package,
            init_private_key,
            _suite: core::marker::PhantomData,
        }
    }

    /// The KeyPackage to publish.
    pub fn key_package(&self) -> &KeyPackage {
        &self.key_package
    }

    /// The KeyPackage as an MLSMessage, ready to publish.
    pub fn key_package_message(&self) -> Result<Vec<u8>, GroupError> {
        Ok(
            crate::messages::MlsMessage::<crate::group::ArtCommit>::KeyPackage(
                self.key_package.clone(),
            )
            .encode_to_vec()?,
        )
    }

    /// The private key of the KeyPackage's init key: what opens a Welcome's GroupSecrets, for
    /// callers of the lower-level `welcome::join`.
    pub fn init_private_key(&self) -> &Secret {
        &self.init_private_key
    }
}
