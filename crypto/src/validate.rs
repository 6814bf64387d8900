//! The key and signature checks every backend applies the same way, on top of its library, so
//! that all backends accept exactly the same keys and signatures. None of them needs curve
//! arithmetic: they are checks on encodings.

pub mod ecdsa_der;
pub mod ed25519;
pub mod x25519;
