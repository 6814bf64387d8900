//! Deterministic random sources, so that every check is reproducible and known answers that
//! depend on drawn bytes (RFC 9180's `ikmE`) can be replayed.

use core::convert::Infallible;

use rand::SeedableRng;
use rand::rngs::StdRng;
use rand_core::{TryCryptoRng, TryRng};

/// The seed [`verify_provider`](super::verify_provider) and the component checks use when none
/// is given.
pub const DEFAULT_SEED: u64 = 0x4152_542d_4d4c_5301;

/// A seeded cryptographic generator: the same seed gives the same bytes on every run.
pub fn seeded(seed: u64) -> StdRng {
    StdRng::seed_from_u64(seed)
}

/// Fills a 4- or 8-byte word from `fill`, for the `next_u32`/`next_u64` of the sources below.
fn word<const N: usize>(fill: impl FnOnce(&mut [u8])) -> [u8; N] {
    let mut bytes = [0u8; N];
    fill(&mut bytes);
    bytes
}

/// A "random" source that yields fixed bytes, then zeros.
///
/// Used to replay a known answer: an RFC 9180 vector's `ikmE` fed to `Hpke::seal_base` must give
/// the vector's `enc`, because the [`Hpke`](crate::Hpke) contract derives the ephemeral key from
/// the first `Nsk` bytes drawn. [`FixedRng::overrun`] tells whether more bytes were drawn than
/// given, so a check can report it instead of crashing.
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

/// Shows lengths only: the bytes may be key material of a test.
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
        Ok(u32::from_le_bytes(word(|b| self.fill(b))))
    }

    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        Ok(u64::from_le_bytes(word(|b| self.fill(b))))
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        self.fill(dst);
        Ok(())
    }
}

impl FixedRng {
    fn fill(&mut self, dst: &mut [u8]) {
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
    }
}

/// Marked cryptographic only so that it can stand in for a real generator in known-answer
/// tests; it is of course predictable.
impl TryCryptoRng for FixedRng {}

/// A source that hands out the given bytes and panics when asked for more: for tests where
/// drawing one byte too many is itself the failure.
///
/// Where a check should report rather than panic, use [`FixedRng`] and its
/// [`overrun`](FixedRng::overrun).
pub struct ReplayRng {
    bytes: Vec<u8>,
    position: usize,
}

impl ReplayRng {
    /// A source that yields exactly `bytes`.
    pub fn new(bytes: &[u8]) -> Self {
        ReplayRng {
            bytes: bytes.to_vec(),
            position: 0,
        }
    }

    /// How many bytes were drawn.
    pub fn drawn(&self) -> usize {
        self.position
    }
}

/// Shows lengths only: the bytes may be key material of a test.
impl core::fmt::Debug for ReplayRng {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ReplayRng")
            .field("len", &self.bytes.len())
            .field("position", &self.position)
            .finish()
    }
}

impl ReplayRng {
    fn fill(&mut self, dst: &mut [u8]) {
        let left = self.bytes.len() - self.position;
        assert!(
            dst.len() <= left,
            "ReplayRng exhausted: {} bytes asked, {left} left",
            dst.len()
        );
        let end = self.position + dst.len();
        dst.copy_from_slice(&self.bytes[self.position..end]);
        self.position = end;
    }
}

impl TryRng for ReplayRng {
    type Error = Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        Ok(u32::from_le_bytes(word(|b| self.fill(b))))
    }

    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        Ok(u64::from_le_bytes(word(|b| self.fill(b))))
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        self.fill(dst);
        Ok(())
    }
}

/// Predictable, like [`FixedRng`]; for known-answer tests only.
impl TryCryptoRng for ReplayRng {}

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

/// Shows how many draws were recorded, not their bytes.
impl<R> core::fmt::Debug for RecordingRng<'_, R> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("RecordingRng")
            .field("draws", &self.draws.len())
            .finish()
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
    fn replay_rng_replays_and_counts() {
        let mut rng = ReplayRng::new(&[1, 2, 3, 4, 5]);
        assert_eq!(rng.next_u32(), u32::from_le_bytes([1, 2, 3, 4]));
        assert_eq!(rng.drawn(), 4);
    }

    #[test]
    #[should_panic(expected = "ReplayRng exhausted")]
    fn replay_rng_panics_when_exhausted() {
        let mut rng = ReplayRng::new(&[1, 2, 3]);
        let mut out = [0u8; 4];
        rng.fill_bytes(&mut out);
    }

    #[test]
    fn recording_rng_keeps_every_draw() {
        let mut inner = FixedRng::new(&[9, 8, 7, 6, 5]);
        let mut rng = RecordingRng::new(&mut inner);
        let mut two = [0u8; 2];
        let mut three = [0u8; 3];
        rng.fill_bytes(&mut two);
        rng.fill_bytes(&mut three);
        assert_eq!(rng.into_draws(), vec![vec![9, 8], vec![7, 6, 5]]);
    }

    #[test]
    fn seeded_is_deterministic() {
        let mut a = seeded(7);
        let mut b = seeded(7);
        let mut c = seeded(8);
        let first = a.next_u64();
        assert_eq!(first, b.next_u64());
        assert_ne!(first, c.next_u64());
    }
}
