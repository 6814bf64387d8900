#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

pub mod api;
pub mod client;
pub mod server;
#[cfg(feature = "testing")]
pub mod testing;

pub use client::{ClientError, DeliveryClient};
