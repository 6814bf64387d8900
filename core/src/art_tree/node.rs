//! A node's secret and key pair, and the derivations between them (profile §4): from a leaf
//! secret, from a child's private key and its sibling's public key, and the `commit_secret`
//! from the root.

use crate::codec::write_opaque;
use crate::error::CryptoError;
use crate::labels::{derive_secret, expand_with_label};
use crate::secret::Secret;
use crate::suite::CipherSuite;
use crate::tree_math::NodeIndex;
use artmls_crypto::{DhGroup, Kdf};

use super::{PrivateKey, PublicKey};

/// The secret of a node and the private key derived from it.
pub struct NodeSecret<S: CipherSuite> {
    pub(super) secret: Secret,
    private_key: PrivateKey<S>,
}

impl<S: CipherSuite> Clone for NodeSecret<S> {
    fn clone(&self) -> Self {
        NodeSecret {
            secret: self.secret.clone(),
            private_key: self.private_key.clone(),
        }
    }
}

impl<S: CipherSuite> core::fmt::Debug for NodeSecret<S> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("NodeSecret([redacted])")
    }
}

impl<S: CipherSuite> NodeSecret<S> {
    /// `node_secret`, as the profile names it.
    pub fn secret(&self) -> &Secret {
        &self.secret
    }

    /// A node's secret and key pair from its `node_secret`: `DeriveKeyPair(node_secret)`.
    pub(super) fn from_secret(secret: Secret) -> Result<(Self, PublicKey<S>), CryptoError> {
        let (private_key, public_key) = S::Dh::derive_key_pair::<S::Kdf>(secret.as_bytes())?;
        Ok((
            NodeSecret {
                secret,
                private_key,
            },
            public_key,
        ))
    }

    /// A leaf's secret and key pair: `node_secret = DeriveSecret(leaf_secret, "node")`.
    pub fn from_leaf_secret(leaf_secret: &Secret) -> Result<(Self, PublicKey<S>), CryptoError> {
        Self::from_secret(derive_secret::<S>(leaf_secret.as_bytes(), "node")?)
    }

    /// The parent's secret and key pair from this child's private key and the other child's
    /// public key (profile §4).
    pub(super) fn parent(
        &self,
        parent: NodeIndex,
        other: &PublicKey<S>,
        left: &PublicKey<S>,
        right: &PublicKey<S>,
    ) -> Result<(Self, PublicKey<S>), CryptoError> {
        let dh = S::Dh::dh(&self.private_key, other)?;
        let prk = S::Kdf::extract(&[], dh.as_bytes());
        let mut context = Vec::with_capacity(4 + 2 * (left.as_ref().len() + 2));
        context.extend_from_slice(&parent.0.to_be_bytes());
        write_opaque(&mut context, left.as_ref())?;
        write_opaque(&mut context, right.as_ref())?;
        let secret =
            expand_with_label::<S>(prk.as_bytes(), "ART node", &context, S::Kdf::HASH_LEN)?;
        Self::from_secret(secret)
    }

    /// `commit_secret = DeriveSecret(node_secret(root), "ART commit")`.
    pub(super) fn commit_secret(&self) -> Result<Secret, CryptoError> {
        derive_secret::<S>(self.secret.as_bytes(), "ART commit")
    }
}
