//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// The vector folder: `$ARTMLS_VECTORS`, else `../shared/vectors` from the workspace root.
pub(crate) fn vectors_dir() -> PathBuf {
    match std::env::var_os("ARTMLS_VECTORS") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/vectors"),
    }
}

/// Whether this is a CI run (`CI=true`), where a missing vector file is a failure.
pub(crate) fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|value| value == "true")
}

/// The vector file `relative` (to the vector folder), or `None` after printing a note when it
/// is missing outside CI. Panics when it is missing in CI.
pub(crate) fn vector_file(relative: &str) -> Option<PathBuf> {
    let path = vectors_dir().join(relative);
    if path.is_file() {
        return Some(path);
    }
    if in_ci() {
        panic!("vector file {} is missing (CI=true)", path.display());
    }
    eprintln!(
        "note: skipping, vector file {} not found (set ARTMLS_VECTORS)",
        path.display()
    );
    None
}

/// A fresh, empty scratch folder for one test.
pub(crate) fn scratch_dir(test: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("artmls-conformance-{}-{test}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create scratch folder");
    dir
}
