//! `PreSharedKeyID` (RFC 9420 §8.4).

use crate::codec::{CodecError, Decode, Encode, Reader, impl_codec_enum};

/// `ResumptionPSKUsage`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum ResumptionPskUsage {
    /// `application`.
    Application = 1,
    /// `reinit`.
    Reinit = 2,
    /// `branch`.
    Branch = 3,
}

impl_codec_enum!(ResumptionPskUsage: u8, "resumption PSK usage" {
    Application, Reinit, Branch
});

/// Which PSK (`PSKType` and the fields it selects).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Psk {
    /// `external`: a PSK the members got out of band.
    External {
        /// `opaque psk_id<V>`.
        psk_id: Vec<u8>,
    },
    /// `resumption`: the `resumption_psk` of an earlier epoch of a group.
    Resumption {
        /// How the PSK is used.
        usage: ResumptionPskUsage,
        /// `opaque psk_group_id<V>`.
        psk_group_id: Vec<u8>,
        /// `uint64 psk_epoch`.
        psk_epoch: u64,
    },
}

/// `PreSharedKeyID`: names a PSK and carries a fresh nonce.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PreSharedKeyId {
    /// The PSK.
    pub psk: Psk,
    /// `opaque psk_nonce<V>`.
    pub psk_nonce: Vec<u8>,
}

impl PreSharedKeyId {
    /// An external PSK id.
    pub fn external(psk_id: Vec<u8>, psk_nonce: Vec<u8>) -> Self {
        PreSharedKeyId {
            psk: Psk::External { psk_id },
            psk_nonce,
        }
    }
}

impl Encode for PreSharedKeyId {
    fn encode(&self, out: &mut Vec<u8>) -> Result<(), CodecError> {
        match &self.psk {
            Psk::External { psk_id } => {
                out.push(1);
                psk_id.encode(out)?;
            }
            Psk::Resumption {
                usage,
                psk_group_id,
                psk_epoch,
            } => {
                out.push(2);
                usage.encode(out)?;
                psk_group_id.encode(out)?;
                psk_epoch.encode(out)?;
            }
        }
        self.psk_nonce.encode(out)
    }
}

impl Decode for PreSharedKeyId {
    fn decode(reader: &mut Reader<'_>) -> Result<Self, CodecError> {
        let psk = match u8::decode(reader)? {
            1 => Psk::External {
                psk_id: Decode::decode(reader)?,
            },
            2 => Psk::Resumption {
                usage: Decode::decode(reader)?,
                psk_group_id: Decode::decode(reader)?,
                psk_epoch: Decode::decode(reader)?,
            },
            other => {
                return Err(CodecError::InvalidValue {
                    what: "PSK type",
                    value: u64::from(other),
                });
            }
        };
        Ok(PreSharedKeyId {
            psk,
            psk_nonce: Decode::decode(reader)?,
        })
    }
}
