#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

pub mod api;
pub mod client;
pub mod server;

pub use client::{ClientError, DeliveryClient};
