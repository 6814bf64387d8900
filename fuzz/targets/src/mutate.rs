//! A small deterministic mutator for the stable-toolchain smoke test: the kinds of change a
//! coverage-guided fuzzer starts with, drawn from a seeded generator so that every run feeds
//! the same inputs.

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

/// Byte values that sit on the edges of the codec's length prefixes and enums.
const INTERESTING: [u8; 10] = [0x00, 0x01, 0x02, 0x03, 0x3f, 0x40, 0x7f, 0x80, 0xbf, 0xff];

/// Mutates inputs with a seeded generator.
#[derive(Debug)]
pub struct Mutator {
    rng: StdRng,
}

impl Mutator {
    /// A mutator whose sequence of mutations is fixed by `seed`.
    pub fn new(seed: u64) -> Self {
        Mutator {
            rng: StdRng::seed_from_u64(seed),
        }
    }

    /// A copy of `input` with one to four changes; `others` are other inputs to splice from.
    pub fn mutate(&mut self, input: &[u8], others: &[Vec<u8>]) -> Vec<u8> {
        let mut out = input.to_vec();
        let changes = self.rng.random_range(1..=4);
        for _ in 0..changes {
            self.change(&mut out, others);
        }
        out
    }

    fn position(&mut self, len: usize) -> usize {
        self.rng.random_range(0..=len)
    }

    fn change(&mut self, out: &mut Vec<u8>, others: &[Vec<u8>]) {
        let len = out.len();
        match self.rng.random_range(0..9u8) {
            // Flip one bit.
            0 if len > 0 => {
                let at = self.rng.random_range(0..len);
                out[at] ^= 1 << self.rng.random_range(0..8u8);
            }
            // Set a byte to a value on an edge.
            1 if len > 0 => {
                let at = self.rng.random_range(0..len);
                out[at] = INTERESTING[self.rng.random_range(0..INTERESTING.len())];
            }
            // Insert a few bytes.
            2 => {
                let at = self.position(len);
                let count = self.rng.random_range(1..=8);
                let bytes: Vec<u8> = (0..count).map(|_| self.rng.random()).collect();
                out.splice(at..at, bytes);
            }
            // Delete a range.
            3 if len > 0 => {
                let at = self.rng.random_range(0..len);
                let count = self.rng.random_range(1..=(len - at).min(16));
                out.drain(at..at + count);
            }
            // Truncate.
            4 => {
                let at = self.position(len);
                out.truncate(at);
            }
            // Change a length field: a byte that could be the first byte of a vector length
            // (MLS varint) moved up or down by one, or re-encoded with a longer prefix.
            5 if len > 0 => {
                let at = self.rng.random_range(0..len);
                match self.rng.random_range(0..4u8) {
                    0 => out[at] = out[at].wrapping_add(1),
                    1 => out[at] = out[at].wrapping_sub(1),
                    // A one-byte length as a (non-minimal) two-byte one.
                    2 if out[at] < 0x40 => {
                        let value = out[at];
                        out.splice(at..=at, [0x40, value]);
                    }
                    // Claim far more than is there.
                    _ => out.splice(at..=at, [0xbf, 0xff, 0xff, 0xff]).for_each(drop),
                }
            }
            // Duplicate a range in place (repeated elements of a vector).
            6 if len > 0 => {
                let at = self.rng.random_range(0..len);
                let count = self.rng.random_range(1..=(len - at).min(64));
                let copy = out[at..at + count].to_vec();
                out.splice(at..at, copy);
            }
            // Splice: this input's head with another input's tail.
            7 if !others.is_empty() => {
                let other = &others[self.rng.random_range(0..others.len())];
                let cut = self.position(len);
                let from = self.rng.random_range(0..=other.len());
                out.truncate(cut);
                out.extend_from_slice(&other[from..]);
            }
            // Overwrite a range with bytes from another input at the same offset.
            _ if !others.is_empty() && len > 0 => {
                let other = &others[self.rng.random_range(0..others.len())];
                let at = self.rng.random_range(0..len);
                for (mine, theirs) in out[at..].iter_mut().zip(other.iter().skip(at)).take(32) {
                    *mine = *theirs;
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_mutations() {
        let input = b"some input bytes".to_vec();
        let others = vec![b"another one".to_vec()];
        let mut a = Mutator::new(7);
        let mut b = Mutator::new(7);
        for _ in 0..100 {
            assert_eq!(a.mutate(&input, &others), b.mutate(&input, &others));
        }
    }
}
