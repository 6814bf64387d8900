//! The checks every provider runs with one call, and the deterministic RNGs tests use.
