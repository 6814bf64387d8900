//! Writes the seed corpus of every target to `fuzz/corpus/<target>/` (or under the folder
//! given as the only argument), replacing what was there. The output depends only on the
//! fixture's seed, so running it twice gives the same files.
//!
//! ```text
//! cargo run -p artmls-fuzz-targets --bin make-corpus
//! ```

use std::path::PathBuf;
use std::process::ExitCode;

use artmls_fuzz_targets::{TARGETS, corpus};

fn main() -> ExitCode {
    let root = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../corpus"));
    match write_all(&root) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("make-corpus: {error}");
            ExitCode::FAILURE
        }
    }
}

fn write_all(root: &std::path::Path) -> std::io::Result<()> {
    for target in TARGETS {
        let dir = root.join(target.name);
        // Replace, not merge: files of an older message format must not linger.
        if dir.exists() {
            std::fs::remove_dir_all(&dir)?;
        }
        std::fs::create_dir_all(&dir)?;
        let seeds = corpus::seeds(target.name);
        let bytes: usize = seeds.iter().map(|(_, data)| data.len()).sum();
        for (name, data) in &seeds {
            std::fs::write(dir.join(name), data)?;
        }
        println!(
            "{:<28} {:>3} files {:>8} bytes",
            target.name,
            seeds.len(),
            bytes
        );
    }
    Ok(())
}
