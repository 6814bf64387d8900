//! `deserialization`: the RFC 9420 variable-length integer that prefixes `opaque data<V>`.
//!
//! Each case gives a header and the length it encodes. The header must decode (with
//! `artmls::codec`, the library's checked codec) to that length using all of its bytes, and the
//! length must encode to exactly that header (so the header is the minimal encoding).

use artmls::codec::{Reader, write_varint};
use serde::Deserialize;

use crate::runner::FileRun;
use crate::runner::common::{CheckResult, expect_bytes, unhex};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    vlbytes_header: String,
    length: u64,
}

pub(crate) fn run(run: &mut FileRun<'_>, text: &str) -> Result<(), serde_json::Error> {
    let cases: Vec<Case> = serde_json::from_str(text)?;
    for (index, case) in cases.iter().enumerate() {
        run.run_local(index, "decodes and encodes", check(case));
    }
    Ok(())
}

fn check(case: &Case) -> CheckResult {
    let header = unhex("vlbytes_header", &case.vlbytes_header)?;
    let length = usize::try_from(case.length)
        .map_err(|_| format!("length {} does not fit in usize", case.length))?;

    let mut reader = Reader::new(&header);
    let decoded = reader
        .read_varint()
        .map_err(|error| format!("decoding header {}: {error}", hex::encode(&header)))?;
    if decoded != length {
        return Err(format!("header decodes to {decoded}, expected {length}"));
    }
    if !reader.is_empty() {
        return Err(format!(
            "decoding left {} of the header's {} bytes",
            reader.remaining().len(),
            header.len()
        ));
    }

    let mut encoded = Vec::new();
    write_varint(&mut encoded, length)
        .map_err(|error| format!("encoding length {length}: {error}"))?;
    expect_bytes("encoded header", &encoded, &header)
}
