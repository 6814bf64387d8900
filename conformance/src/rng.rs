//! Deterministic random sources, so that every check is reproducible.

use core::convert::Infallible;

use rand::SeedableRng;
use rand::rngs::StdRng;
use rand_core::{TryCryptoRng, TryRng};

/// The seed [`crate::verify_suite`] uses when none is given.
pub const DEFAULT_SEED: u64 = 0x4152_542d_4d4c_5301;

/// A seeded cryptographic generator: the same seed gives the same bytes on every run.
pub fn seeded(seed: u64) -> StdRng {
    StdRng::seed_from_u64(seed)
}

/// A "random" source that yields fixed bytes, then zeros.
///
/// Used to replay a known answer: an RFC 9180 vector's `ikmE` fed to `Hpke::seal_base` must give
/// the vector's `enc`, because the [`artmls::Hpke`] contract derives the ephemeral key from the
/// first `Nsk` bytes drawn. [`FixedRng::overrun`] tells whether more bytes were drawn than given.
#[derive(Clone)]
pub struct FixedRng {
    bytes: Vec<u8>,
    position: usize,
    overrun: bool,
}

impl FixedRng {
    /// A source that yields `bytes` first.
    pub fn new(bytes: &[u8]) -> Self {
        FixedRng {
            bytes: bytes.to_vec(),
            position: 0,
            overrun: false,
        }
    }

    /// How many bytes have been drawn.
    pub fn drawn(&self) -> usize {
        self.position
    }

    /// Whether more bytes were drawn than the source was given.
    pub fn overrun(&self) -> bool {
        self.overrun
    }
}

impl core::fmt::Debug for FixedRng {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("FixedRng")
            .field("len", &self.bytes.len())
            .field("position", &self.position)
            .finish()
    }
}

impl TryRng for FixedRng {
    type Error = Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        let mut word = [0u8; 4];
        self.try_fill_bytes(&mut word)?;
        Ok(u32::from_le_bytes(word))
    }

    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        let mut word = [0u8; 8];
        self.try_fill_bytes(&mut word)?;
        Ok(u64::from_le_bytes(word))
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        for byte in dst.iter_mut() {
            *byte = match self.bytes.get(self.position) {
                Some(value) => *value,
                None => {
                    self.overrun = true;
                    0
                }
            };
            self.position += 1;
        }
        Ok(())
    }
}

/// Marked cryptographic only so that it can stand in for a real generator in known-answer
/// tests; it is of course predictable.
impl TryCryptoRng for FixedRng {}

/// A generator that passes another's bytes through and keeps a copy of every draw: what a
/// dishonest member does when it logs its own randomness (the leaf secrets it draws for
/// tombstones and newcomers among it), so that tests can show what those secrets still open.
pub struct RecordingRng<'a, R> {
    inner: &'a mut R,
    draws: Vec<Vec<u8>>,
}

impl<'a, R: TryCryptoRng<Error = Infallible>> RecordingRng<'a, R> {
    /// Records the draws from `inner`.
    pub fn new(inner: &'a mut R) -> Self {
        RecordingRng {
            inner,
            draws: Vec::new(),
        }
    }

    /// Every byte string drawn, one per call, in order.
    pub fn into_draws(self) -> Vec<Vec<u8>> {
        self.draws
    }
}

impl<R: TryCryptoRng<Error = Infallible>> TryRng for RecordingRng<'_, R> {
    type Error = Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        let mut word = [0u8; 4];
        self.try_fill_bytes(&mut word)?;
        Ok(u32::from_le_bytes(word))
    }

    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        let mut word = [0u8; 8];
        self.try_fill_bytes(&mut word)?;
        Ok(u64::from_le_bytes(word))
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        self.inner.try_fill_bytes(dst)?;
        self.draws.push(dst.to_vec());
        Ok(())
    }
}

/// As cryptographic as the generator it records.
impl<R: TryCryptoRng<Error = Infallible>> TryCryptoRng for RecordingRng<'_, R> {}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_core::Rng;

    #[test]
    fn fixed_rng_replays_then_reports_overrun() {
        let mut rng = FixedRng::new(&[1, 2, 3]);
        let mut out = [0u8; 2];
        rng.fill_bytes(&mut out);
        assert_eq!(out, [1, 2]);
        assert!(!rng.overrun());
        rng.fill_bytes(&mut out);
        assert_eq!(out, [3, 0]);
        assert!(rng.overrun());
        assert_eq!(rng.drawn(), 4);
    }

    #[test]
    fn seeded_is_deterministic() {
        let mut a = seeded(7);
        let mut b = seeded(7);
        assert_eq!(a.next_u64(), b.next_u64());
    }
}
