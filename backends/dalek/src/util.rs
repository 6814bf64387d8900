//! Small helpers shared by the modules of this crate.

use core::fmt;

/// Writes `bytes` as lower-case hex (for the `Debug` of public values only).
pub(crate) fn write_hex(f: &mut fmt::Formatter<'_>, bytes: &[u8]) -> fmt::Result {
    for byte in bytes {
        write!(f, "{byte:02x}")?;
    }
    Ok(())
}
