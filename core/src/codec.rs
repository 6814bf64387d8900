//! Small encoding helpers on top of `tls_codec`, for the structures that are only ever built
//! to be hashed, signed or fed to a KDF (KDFLabel, SignContent, ARTNodeContext, ...).

use tls_codec::{Serialize, VLByteSlice};

use crate::error::CryptoError;

/// Appends `bytes` as an RFC 9420 `opaque data<V>`: a variable-length-integer length, then the bytes.
pub fn write_opaque(out: &mut Vec<u8>, bytes: &[u8]) -> Result<(), CryptoError> {
    VLByteSlice(bytes)
        .tls_serialize(out)
        .map(|_| ())
        .map_err(|_| CryptoError::Encoding("vector longer than 2^30 bytes"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_use_the_mls_varint() {
        for (len, header) in [
            (0usize, vec![0x00]),
            (63, vec![0x3f]),
            (64, vec![0x40, 0x40]),
            (16383, vec![0x7f, 0xff]),
            (16384, vec![0x80, 0x00, 0x40, 0x00]),
        ] {
            let mut out = Vec::new();
            write_opaque(&mut out, &vec![7u8; len]).unwrap();
            assert_eq!(&out[..header.len()], header.as_slice(), "length {len}");
            assert_eq!(out.len(), header.len() + len);
        }
    }
}
