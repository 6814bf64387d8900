//! The figures `artmls bench` measures, saved as JSON so that `artmls choose` (and
//! `artmls bench --report`) can use them without measuring again.
//!
//! The file is `$ARTMLS_BENCH_FILE` when set, else `$XDG_CACHE_HOME/artmls/bench.json`, else
//! `$HOME/.cache/artmls/bench.json`, else `artmls-bench.json` in the current directory.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// The version of the file's layout; a file of another version is refused with a clear error.
pub(crate) const FIGURES_VERSION: u32 = 1;

/// Everything one `artmls bench` run measured.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct BenchFigures {
    /// [`FIGURES_VERSION`].
    pub version: u32,
    /// Seconds since the Unix epoch when the run ended.
    pub created_unix: u64,
    /// Whether it was a `--quick` run.
    pub quick: bool,
    /// The plaintext length of the measured application messages, in bytes.
    pub message_len: usize,
    /// One entry per (backend, suite) measured.
    pub pairs: Vec<PairFigures>,
}

/// One backend serving one suite.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct PairFigures {
    /// The provider's name (`artmls suites`).
    pub backend: String,
    /// The suite's number.
    pub suite: u16,
    /// Primitive costs in microseconds, by name ("DH", "DeriveKeyPair", "sign", "verify",
    /// "HPKE seal").
    pub primitives: Vec<(String, f64)>,
    /// Group operations at each size measured, by increasing n.
    pub sizes: Vec<SizeFigures>,
}

/// The cost of each group operation at one group size. Times are medians in microseconds,
/// bytes are the message as it travels (an MLSMessage).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct SizeFigures {
    /// Members in the group.
    pub n: u32,
    /// Making and merging an update commit (the sender).
    pub update_us: f64,
    /// Processing someone else's update commit (a receiver).
    pub receive_us: f64,
    /// Making and merging a commit that adds one member, Welcome included (the adder).
    pub add_us: f64,
    /// Processing someone else's add commit (a receiver).
    pub receive_add_us: f64,
    /// Joining from a Welcome (the newcomer: every member's LeafNode signature is checked).
    pub join_us: f64,
    /// Encrypting one application message of `message_len` bytes.
    pub encrypt_us: f64,
    /// Decrypting one.
    pub decrypt_us: f64,
    /// An update commit's size.
    pub update_bytes: u64,
    /// An add commit's size.
    pub add_bytes: u64,
    /// The Welcome's size for one newcomer.
    pub welcome_bytes: u64,
    /// An application message's size.
    pub message_bytes: u64,
}

impl BenchFigures {
    /// The pair's figures, if measured.
    pub(crate) fn pair(&self, backend: &str, suite: u16) -> Option<&PairFigures> {
        self.pairs
            .iter()
            .find(|pair| pair.backend == backend && pair.suite == suite)
    }

    /// Reads a saved file. The errors say what is wrong and what to do.
    pub(crate) fn load(path: &Path) -> Result<BenchFigures, String> {
        let bytes = std::fs::read(path).map_err(|e| {
            format!(
                "no saved bench figures at {} ({e}): run `artmls bench` first",
                path.display()
            )
        })?;
        let figures: BenchFigures = serde_json::from_slice(&bytes).map_err(|e| {
            format!(
                "the saved bench figures at {} are damaged ({e}): run `artmls bench` again",
                path.display()
            )
        })?;
        if figures.version != FIGURES_VERSION {
            return Err(format!(
                "the saved bench figures at {} have layout version {}, this artmls reads {}: run `artmls bench` again",
                path.display(),
                figures.version,
                FIGURES_VERSION
            ));
        }
        Ok(figures)
    }

    /// Writes the file, replacing any old one only once the new one is complete.
    pub(crate) fn save(&self, path: &Path) -> Result<(), String> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)
                .map_err(|e| format!("creating {}: {e}", parent.display()))?;
        }
        let json = serde_json::to_vec_pretty(self).map_err(|e| e.to_string())?;
        let mut temporary = path.as_os_str().to_owned();
        temporary.push(".tmp");
        let temporary = PathBuf::from(temporary);
        std::fs::write(&temporary, json)
            .and_then(|()| std::fs::rename(&temporary, path))
            .map_err(|e| format!("writing {}: {e}", path.display()))
    }
}

/// Where bench figures are saved and looked for (see the module documentation).
pub(crate) fn default_path() -> PathBuf {
    if let Some(file) = std::env::var_os("ARTMLS_BENCH_FILE") {
        return PathBuf::from(file);
    }
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cache")));
    match cache {
        Some(cache) => cache.join("artmls").join("bench.json"),
        None => PathBuf::from("artmls-bench.json"),
    }
}
