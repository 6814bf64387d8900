//! The decoder targets: every top-level structure that arrives from the network.
//!
//! Invariants, for any input:
//!
//! - decoding returns (a value or a typed error) and does not panic;
//! - a decoded value re-encodes to exactly the input: the codec is canonical, so two
//!   different byte strings never decode to the same value (what signatures and transcript
//!   hashes over re-encoded values rely on);
//! - while decoding, the heap grows by at most `64 * input length + 1 MiB`: a small input
//!   cannot make the decoder reserve a large amount of memory.

use artmls::codec::{Decode, Encode};
use artmls::group::{ArtCommit, ArtRatchetTree};
use artmls::messages::{GroupInfo, KeyPackage, MlsMessage, Welcome};

use crate::alloc::measure_peak;

/// The heap a decode of `input_len` bytes may take at its peak.
pub fn heap_budget(input_len: usize) -> usize {
    input_len.saturating_mul(64).saturating_add(1 << 20)
}

/// Decodes `data` as a `T` and checks the invariants above.
fn check_decoder<T: Decode + Encode + core::fmt::Debug>(what: &str, data: &[u8]) {
    let (decoded, peak) = measure_peak(|| T::decode_exact(data));
    if let Some(peak) = peak {
        let budget = heap_budget(data.len());
        assert!(
            peak <= budget,
            "{what}: decoding {} bytes took {peak} bytes of heap at its peak (budget {budget})",
            data.len()
        );
    }
    let Ok(value) = decoded else {
        return;
    };
    match value.encode_to_vec() {
        Ok(encoded) => assert!(
            encoded == data,
            "{what}: not canonical: {} input bytes re-encode to {} different bytes\n\
             input:      {}\nre-encoded: {}\nvalue: {value:?}",
            data.len(),
            encoded.len(),
            hex(data),
            hex(&encoded),
        ),
        Err(error) => panic!("{what}: a decoded value does not re-encode: {error}"),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// `MlsMessage<ArtCommit>`: what `Group::process_message` and `Group::join` decode first.
pub fn decode_message(data: &[u8]) {
    check_decoder::<MlsMessage<ArtCommit>>("MlsMessage<ArtCommit>", data);
}

/// A bare `KeyPackage`.
pub fn decode_key_package(data: &[u8]) {
    check_decoder::<KeyPackage>("KeyPackage", data);
}

/// A bare `Welcome`.
pub fn decode_welcome(data: &[u8]) {
    check_decoder::<Welcome>("Welcome", data);
}

/// A bare `GroupInfo` (what a Welcome's encrypted_group_info holds).
pub fn decode_group_info(data: &[u8]) {
    check_decoder::<GroupInfo>("GroupInfo", data);
}

/// An `ArtRatchetTree` (the GroupInfo extension a joiner builds its tree from).
pub fn decode_ratchet_tree(data: &[u8]) {
    check_decoder::<ArtRatchetTree>("ArtRatchetTree", data);
}
