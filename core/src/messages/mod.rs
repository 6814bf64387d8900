//! The RFC 9420 wire structures that do not depend on the tree, unchanged (ART-MLS profile §6).
//!
//! Every structure is plain data with public fields, encoded and decoded with the checked
//! codec of [`crate::codec`] ([`Encode`](crate::codec::Encode),
//! [`Decode`](crate::codec::Decode)). Cipher suites are carried as `u16` data, so an RFC 9420
//! suite id (in the interop vectors) and an ART suite id (0xF001...) both pass through; the
//! operations that use a structure check the ids they care about.
//!
//! | module | structures |
//! |---|---|
//! | [`credential`] | `Credential` (basic, X.509) |
//! | [`key_package`] | `KeyPackage`, `LeafNode`, `Capabilities`, `Lifetime`, `LeafNodeSource` |
//! | [`group_info`] | `GroupContext`, `GroupInfo` |
//! | [`welcome`] | `Welcome`, `EncryptedGroupSecrets`, `GroupSecrets`, `PathSecret` |
//! | [`psk`] | `PreSharedKeyId` |
//! | [`proposal`] | `Proposal`, `ProposalOrRef`, `Commit`, `UpdatePath` |
//! | [`content`] | `FramedContent`, `AuthenticatedContent`, `PublicMessage`, `PrivateMessage`, `SenderData`, `MlsMessage` |

pub mod content;
pub mod credential;
pub mod group_info;
pub mod key_package;
pub mod proposal;
pub mod psk;
pub mod welcome;

pub use content::{
    AuthenticatedContent, CommitBody, Content, ContentType, FramedContent, FramedContentAuthData,
    MlsMessage, PrivateMessage, PublicMessage, Sender, SenderData,
};
pub use credential::{Certificate, Credential};
pub use group_info::{GroupContext, GroupInfo};
pub use key_package::{Capabilities, KeyPackage, LeafNode, LeafNodeSource, Lifetime};
pub use proposal::{
    Add, Commit, ExternalInit, Proposal, ProposalOrRef, ReInit, Remove, Update, UpdatePath,
    UpdatePathNode,
};
pub use psk::{PreSharedKeyId, Psk, ResumptionPskUsage};
pub use welcome::{EncryptedGroupSecrets, GroupSecrets, PathSecret, Welcome};

use crate::codec::{impl_codec_enum, impl_codec_struct};

/// `ProtocolVersion mls10`, the only version this library speaks.
pub const MLS10: u16 = 1;

/// `WireFormat`: what an `MLSMessage` carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u16)]
pub enum WireFormat {
    /// `mls_public_message`.
    PublicMessage = 1,
    /// `mls_private_message`.
    PrivateMessage = 2,
    /// `mls_welcome`.
    Welcome = 3,
    /// `mls_group_info`.
    GroupInfo = 4,
    /// `mls_key_package`.
    KeyPackage = 5,
}

impl_codec_enum!(WireFormat: u16, "wire format" {
    PublicMessage, PrivateMessage, Welcome, GroupInfo, KeyPackage
});

/// An `Extension`: a type and opaque data. Extensions are carried, not interpreted, by this
/// layer.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Extension {
    /// `ExtensionType`.
    pub extension_type: u16,
    /// `opaque extension_data<V>`.
    pub extension_data: Vec<u8>,
}

impl_codec_struct!(Extension {
    extension_type,
    extension_data
});

use thiserror::Error;

use crate::codec::CodecError;
use crate::error::CryptoError;

/// Why a signed structure (KeyPackage, LeafNode, GroupInfo) could not be signed or was
/// rejected. A rejected structure must not be used: drop it (and the message it came in).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum MessageError {
    /// The structure could not be encoded (a field longer than 2^30 - 1 bytes).
    #[error(transparent)]
    Codec(#[from] CodecError),
    /// The signature public key in the structure does not parse for the suite.
    #[error("invalid signature key: {0}")]
    InvalidSignatureKey(CryptoError),
    /// The signature does not verify.
    #[error("signature does not verify: {0}")]
    InvalidSignature(CryptoError),
    /// Signing failed (the signing key does not fit the suite).
    #[error("signing failed: {0}")]
    Signing(CryptoError),
    /// Another primitive failed (hashing a reference).
    #[error(transparent)]
    Crypto(CryptoError),
    /// A LeafNode from an update or commit is signed with its group id and leaf index, and
    /// they were not given.
    #[error("a leaf node from an update or commit needs its group id and leaf index")]
    MissingLeafContext,
    /// The protocol version is not mls10.
    #[error("unsupported protocol version {0}")]
    UnsupportedVersion(u16),
    /// A KeyPackage's leaf node does not have the source `key_package`.
    #[error("a key package's leaf node must have the source key_package")]
    WrongLeafNodeSource,
    /// A KeyPackage uses the same key as init key and leaf encryption key (RFC 9420 §10.1).
    #[error("the init key equals the leaf node's encryption key")]
    InitKeyReused,
}

#[cfg(test)]
mod tests {
    //! Codec tests that need no cryptography: round trips, truncation, trailing bytes and
    //! unknown values, on structures filled with arbitrary bytes.

    use artmls_crypto::SuiteId;

    use super::*;
    use crate::codec::{Decode, Encode};
    use crate::secret::Secret;
    use crate::tree_math::LeafIndex;
    use artmls_crypto::HpkeCiphertext;

    fn leaf_node(source: LeafNodeSource) -> LeafNode {
        LeafNode {
            encryption_key: vec![1; 32],
            signature_key: vec![2; 32],
            credential: Credential::X509 {
                certificates: vec![
                    Certificate {
                        cert_data: vec![3; 70],
                    },
                    Certificate { cert_data: vec![] },
                ],
            },
            capabilities: Capabilities {
                versions: vec![MLS10],
                cipher_suites: vec![SuiteId(0xF001), SuiteId(1)],
                extensions: vec![5],
                proposals: vec![],
                credentials: vec![1, 2],
            },
            leaf_node_source: source,
            extensions: vec![Extension {
                extension_type: 9,
                extension_data: vec![4; 3],
            }],
            signature: vec![5; 64],
        }
    }

    fn key_package() -> KeyPackage {
        KeyPackage {
            version: MLS10,
            cipher_suite: SuiteId(0xF001),
            init_key: vec![6; 32],
            leaf_node: leaf_node(LeafNodeSource::KeyPackage(Lifetime {
                not_before: 1,
                not_after: u64::MAX,
            })),
            extensions: vec![],
            signature: vec![7; 64],
        }
    }

    fn group_context() -> GroupContext {
        GroupContext::new(
            SuiteId(0xF001),
            b"group".to_vec(),
            42,
            vec![8; 32],
            vec![9; 32],
        )
    }

    fn commit() -> Commit {
        Commit {
            proposals: vec![
                ProposalOrRef::Proposal(Proposal::Add(Box::new(Add {
                    key_package: key_package(),
                }))),
                ProposalOrRef::Proposal(Proposal::Update(Box::new(Update {
                    leaf_node: leaf_node(LeafNodeSource::Update),
                }))),
                ProposalOrRef::Proposal(Proposal::Remove(Remove { removed: 3 })),
                ProposalOrRef::Proposal(Proposal::PreSharedKey(PreSharedKeyId {
                    psk: Psk::Resumption {
                        usage: ResumptionPskUsage::Branch,
                        psk_group_id: b"g".to_vec(),
                        psk_epoch: 7,
                    },
                    psk_nonce: vec![1; 32],
                })),
                ProposalOrRef::Proposal(Proposal::ReInit(ReInit {
                    group_id: b"new".to_vec(),
                    version: MLS10,
                    cipher_suite: SuiteId(0xF002),
                    extensions: vec![],
                })),
                ProposalOrRef::Proposal(Proposal::ExternalInit(ExternalInit {
                    kem_output: vec![2; 32],
                })),
                ProposalOrRef::Proposal(Proposal::GroupContextExtensions(vec![])),
                ProposalOrRef::Reference(vec![3; 32]),
            ],
            path: Some(UpdatePath {
                leaf_node: leaf_node(LeafNodeSource::Commit(vec![4; 32])),
                nodes: vec![UpdatePathNode {
                    encryption_key: vec![5; 32],
                    encrypted_path_secret: vec![HpkeCiphertext {
                        kem_output: vec![6; 32],
                        ciphertext: vec![7; 48],
                    }],
                }],
            }),
        }
    }

    fn framed(content: Content, sender: Sender) -> FramedContent {
        FramedContent {
            group_id: b"group".to_vec(),
            epoch: 42,
            sender,
            authenticated_data: b"aad".to_vec(),
            content,
        }
    }

    type Check = fn(&[u8]) -> Result<(), CodecError>;

    /// Encodings of one value of each top-level structure.
    fn samples() -> Vec<(&'static str, Vec<u8>, Check)> {
        fn check<T: Decode + Encode + PartialEq + core::fmt::Debug>(
            bytes: &[u8],
        ) -> Result<(), CodecError> {
            let value = T::decode_exact(bytes)?;
            assert_eq!(value.encode_to_vec().unwrap(), bytes, "round trip");
            Ok(())
        }
        let public = MlsMessage::<Commit>::PublicMessage(PublicMessage {
            content: framed(
                Content::Commit(Box::new(commit())),
                Sender::Member(LeafIndex(1)),
            ),
            auth: FramedContentAuthData {
                signature: vec![1; 64],
                confirmation_tag: Some(vec![2; 32]),
            },
            membership_tag: Some(vec![3; 32]),
        });
        let external = MlsMessage::<Commit>::PublicMessage(PublicMessage {
            content: framed(
                Content::Proposal(Proposal::Remove(Remove { removed: 1 })),
                Sender::External(2),
            ),
            auth: FramedContentAuthData {
                signature: vec![1; 64],
                confirmation_tag: None,
            },
            membership_tag: None,
        });
        let private = MlsMessage::<Commit>::PrivateMessage(PrivateMessage {
            group_id: b"group".to_vec(),
            epoch: 42,
            content_type: ContentType::Application,
            authenticated_data: vec![],
            encrypted_sender_data: vec![1; 28],
            ciphertext: vec![2; 300],
        });
        let welcome = MlsMessage::<Commit>::Welcome(Welcome {
            cipher_suite: SuiteId(0xF001),
            secrets: vec![EncryptedGroupSecrets {
                new_member: vec![1; 32],
                encrypted_group_secrets: HpkeCiphertext {
                    kem_output: vec![2; 32],
                    ciphertext: vec![3; 100],
                },
            }],
            encrypted_group_info: vec![4; 200],
        });
        let group_info = GroupInfo {
            group_context: group_context(),
            extensions: vec![Extension {
                extension_type: 2,
                extension_data: vec![1; 100],
            }],
            confirmation_tag: vec![2; 32],
            signer: 3,
            signature: vec![4; 64],
        };
        let group_secrets = GroupSecrets {
            joiner_secret: Secret::from_slice(&[1; 32]),
            path_secret: Some(PathSecret {
                path_secret: Secret::from_slice(&[2; 32]),
            }),
            psks: vec![PreSharedKeyId::external(vec![3; 5], vec![4; 32])],
        };
        let authenticated = AuthenticatedContent {
            wire_format: WireFormat::PrivateMessage,
            content: framed(
                Content::Application(vec![5; 10]),
                Sender::Member(LeafIndex(0)),
            ),
            auth: FramedContentAuthData {
                signature: vec![6; 64],
                confirmation_tag: None,
            },
        };
        vec![
            (
                "MLSMessage(PublicMessage)",
                public.encode_to_vec().unwrap(),
                check::<MlsMessage>,
            ),
            (
                "MLSMessage(external)",
                external.encode_to_vec().unwrap(),
                check::<MlsMessage>,
            ),
            (
                "MLSMessage(PrivateMessage)",
                private.encode_to_vec().unwrap(),
                check::<MlsMessage>,
            ),
            (
                "MLSMessage(Welcome)",
                welcome.encode_to_vec().unwrap(),
                check::<MlsMessage>,
            ),
            (
                "MLSMessage(KeyPackage)",
                MlsMessage::<Commit>::KeyPackage(key_package())
                    .encode_to_vec()
                    .unwrap(),
                check::<MlsMessage>,
            ),
            (
                "MLSMessage(GroupInfo)",
                MlsMessage::<Commit>::GroupInfo(group_info.clone())
                    .encode_to_vec()
                    .unwrap(),
                check::<MlsMessage>,
            ),
            (
                "GroupInfo",
                group_info.encode_to_vec().unwrap(),
                check::<GroupInfo>,
            ),
            (
                "GroupContext",
                group_context().encode_to_vec().unwrap(),
                check::<GroupContext>,
            ),
            (
                "GroupSecrets",
                group_secrets.encode_to_vec().unwrap(),
                check::<GroupSecrets>,
            ),
            ("Commit", commit().encode_to_vec().unwrap(), check::<Commit>),
            (
                "AuthenticatedContent",
                authenticated.encode_to_vec().unwrap(),
                check::<AuthenticatedContent>,
            ),
            (
                "SenderData",
                SenderData {
                    leaf_index: LeafIndex(7),
                    generation: 9,
                    reuse_guard: [1, 2, 3, 4],
                }
                .encode_to_vec()
                .unwrap(),
                check::<SenderData>,
            ),
        ]
    }

    #[test]
    fn structures_round_trip() {
        for (name, bytes, check) in samples() {
            check(&bytes).unwrap_or_else(|error| panic!("{name}: {error}"));
        }
    }

    #[test]
    fn every_truncation_is_a_typed_error() {
        for (name, bytes, check) in samples() {
            for len in 0..bytes.len() {
                let error = check(&bytes[..len]).expect_err(name);
                assert!(
                    matches!(
                        error,
                        CodecError::Truncated { .. } | CodecError::LengthExceedsInput { .. }
                    ),
                    "{name} cut at {len}: {error:?}"
                );
            }
        }
    }

    #[test]
    fn trailing_bytes_are_rejected() {
        for (name, mut bytes, check) in samples() {
            bytes.push(0);
            assert_eq!(check(&bytes), Err(CodecError::TrailingBytes(1)), "{name}");
        }
    }

    #[test]
    fn unknown_values_are_rejected() {
        let private = MlsMessage::<Commit>::PrivateMessage(PrivateMessage {
            group_id: vec![],
            epoch: 0,
            content_type: ContentType::Proposal,
            authenticated_data: vec![],
            encrypted_sender_data: vec![],
            ciphertext: vec![],
        })
        .encode_to_vec()
        .unwrap();
        // version, wire format, then group_id<V>, epoch, content type at offset 13.
        let mut bad_version = private.clone();
        bad_version[1] = 2;
        let mut bad_wire_format = private.clone();
        bad_wire_format[3] = 6;
        let mut bad_content_type = private.clone();
        bad_content_type[13] = 0;
        for (name, bytes, what) in [
            ("version", bad_version, "protocol version"),
            ("wire format", bad_wire_format, "wire format"),
            ("content type", bad_content_type, "content type"),
        ] {
            assert!(
                matches!(
                    MlsMessage::<Commit>::decode_exact(&bytes),
                    Err(CodecError::InvalidValue { what: got, .. }) if got == what
                ),
                "{name}"
            );
        }
        assert!(matches!(
            Proposal::decode_exact(&[0, 8, 0, 0, 0, 1]),
            Err(CodecError::InvalidValue {
                what: "proposal type",
                value: 8
            })
        ));
        assert!(matches!(
            Credential::decode_exact(&[0, 3, 0]),
            Err(CodecError::InvalidValue {
                what: "credential type",
                value: 3
            })
        ));
        assert!(matches!(
            Sender::decode_exact(&[5]),
            Err(CodecError::InvalidValue {
                what: "sender type",
                value: 5
            })
        ));
        assert!(matches!(
            LeafNodeSource::decode_exact(&[0]),
            Err(CodecError::InvalidValue {
                what: "leaf node source",
                value: 0
            })
        ));
    }

    /// A leaf index names a leaf of a tree of at most 2^30 leaves: larger ones (whose node
    /// index would overflow) are refused when decoded, wherever they appear.
    #[test]
    fn leaf_indices_beyond_every_tree_are_rejected() {
        for index in [1u32 << 30, 1 << 31, u32::MAX] {
            let bytes = index.to_be_bytes();
            assert!(
                matches!(
                    LeafIndex::decode_exact(&bytes),
                    Err(CodecError::InvalidValue { value, .. }) if value == u64::from(index)
                ),
                "{index}"
            );
            let mut sender = vec![1];
            sender.extend_from_slice(&bytes);
            assert!(Sender::decode_exact(&sender).is_err(), "{index}");
            let mut sender_data = bytes.to_vec();
            sender_data.extend_from_slice(&[0, 0, 0, 9, 1, 2, 3, 4]);
            assert!(SenderData::decode_exact(&sender_data).is_err(), "{index}");
        }
        let largest = (1u32 << 30) - 1;
        assert_eq!(
            LeafIndex::decode_exact(&largest.to_be_bytes()),
            Ok(LeafIndex(largest))
        );
    }

    #[test]
    fn group_secrets_encode_to_the_same_bytes_as_a_secret() {
        for path_secret in [None, Some(vec![2; 32])] {
            let group_secrets = GroupSecrets {
                joiner_secret: Secret::from_slice(&[1; 32]),
                path_secret: path_secret.map(|bytes| PathSecret {
                    path_secret: Secret::new(bytes),
                }),
                psks: vec![PreSharedKeyId::external(vec![3; 5], vec![4; 32])],
            };
            assert_eq!(
                group_secrets.encode_to_secret().unwrap().as_bytes(),
                group_secrets.encode_to_vec().unwrap()
            );
        }
    }

    #[test]
    fn tag_presence_is_checked_when_encoding() {
        let mut message = PublicMessage {
            content: framed(
                Content::Commit(Box::new(commit())),
                Sender::Member(LeafIndex(0)),
            ),
            auth: FramedContentAuthData {
                signature: vec![],
                confirmation_tag: None,
            },
            membership_tag: Some(vec![]),
        };
        assert!(
            message.encode_to_vec().is_err(),
            "commit without confirmation tag"
        );
        message.auth.confirmation_tag = Some(vec![1]);
        message.membership_tag = None;
        assert!(
            message.encode_to_vec().is_err(),
            "member without membership tag"
        );
        message.membership_tag = Some(vec![2]);
        assert!(message.encode_to_vec().is_ok());
    }
}
