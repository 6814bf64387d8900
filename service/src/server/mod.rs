//! The server (to be written).
