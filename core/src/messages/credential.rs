//! `Credential` (RFC 9420 §5.3): who a member is.

use crate::codec::{CodecError, Decode, Encode, Reader, impl_codec_struct};

/// `CredentialType basic`.
pub const CREDENTIAL_BASIC: u16 = 1;
/// `CredentialType x509`.
pub const CREDENTIAL_X509: u16 = 2;

/// One DER certificate of an X.509 chain.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Certificate {
    /// `opaque cert_data<V>`.
    pub cert_data: Vec<u8>,
}

impl_codec_struct!(Certificate { cert_data });

/// A member's credential. The library checks that it decodes; whether it identifies the
/// member is the application's (or its authentication service's) decision.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Credential {
    /// `basic`: an identity the application interprets.
    Basic {
        /// `opaque identity<V>`.
        identity: Vec<u8>,
    },
    /// `x509`: a certificate chain, leaf first.
    X509 {
        /// `Certificate certificates<V>`.
        certificates: Vec<Certificate>,
    },
}

impl Credential {
    /// A basic credential.
    pub fn basic(identity: impl Into<Vec<u8>>) -> Self {
        Credential::Basic {
            identity: identity.into(),
        }
    }

    /// The `CredentialType`.
    pub fn credential_type(&self) -> u16 {
        match self {
            Credential::Basic { .. } => CREDENTIAL_BASIC,
            Credential::X509 { .. } => CREDENTIAL_X509,
        }
    }
}

impl Encode for Credential {
    fn encode(&self, out: &mut Vec<u8>) -> Result<(), CodecError> {
        self.credential_type().encode(out)?;
        match self {
            Credential::Basic { identity } => identity.encode(out),
            Credential::X509 { certificates } => certificates.encode(out),
        }
    }
}

impl Decode for Credential {
    fn decode(reader: &mut Reader<'_>) -> Result<Self, CodecError> {
        match u16::decode(reader)? {
            CREDENTIAL_BASIC => Ok(Credential::Basic {
                identity: Decode::decode(reader)?,
            }),
            CREDENTIAL_X509 => Ok(Credential::X509 {
                certificates: Decode::decode(reader)?,
            }),
            other => Err(CodecError::InvalidValue {
                what: "credential type",
                value: u64::from(other),
            }),
        }
    }
}
