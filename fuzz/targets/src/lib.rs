//! Fuzz targets for artmls.
//!
//! Each target is a function `fn(&[u8])` that must return normally for every input; it panics
//! only when an invariant of the library is broken, and that panic is what a fuzzer reports.
//! The same functions run under libFuzzer (the `fuzz/` package, nightly) and in the smoke test
//! (`tests/smoke.rs`, stable), which feeds them the committed corpus and deterministic
//! mutations of it. [`TARGETS`] lists them; `docs/security-fuzzing.md` describes each one.
//!
//! The stateful targets work on one fixed group ([`fixture`]), built once per process from a
//! fixed seed; the corpus (`make-corpus`) is made from the same group.

// Forbidden everywhere but in the allocator (`alloc`), which allows it for itself.
#![deny(unsafe_code)]
#![warn(missing_docs)]

pub mod alloc;
pub mod corpus;
pub mod decoders;
pub mod fixture;
pub mod group;
pub mod mutate;

pub use alloc::CountingAlloc;
pub use decoders::{
    decode_group_info, decode_key_package, decode_message, decode_ratchet_tree, decode_welcome,
};
pub use group::{group_from_bytes, join, process_message, process_message_structured};

/// A fuzz target: its name (the libFuzzer binary's and the corpus folder's) and its function.
#[derive(Debug, Clone, Copy)]
pub struct Target {
    /// The name.
    pub name: &'static str,
    /// The function.
    pub run: fn(&[u8]),
}

/// Every target.
pub const TARGETS: &[Target] = &[
    Target {
        name: "decode_message",
        run: decode_message,
    },
    Target {
        name: "decode_key_package",
        run: decode_key_package,
    },
    Target {
        name: "decode_welcome",
        run: decode_welcome,
    },
    Target {
        name: "decode_group_info",
        run: decode_group_info,
    },
    Target {
        name: "decode_ratchet_tree",
        run: decode_ratchet_tree,
    },
    Target {
        name: "group_from_bytes",
        run: group_from_bytes,
    },
    Target {
        name: "process_message",
        run: process_message,
    },
    Target {
        name: "process_message_structured",
        run: process_message_structured,
    },
    Target {
        name: "join",
        run: join,
    },
];
