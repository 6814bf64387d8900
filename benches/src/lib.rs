//! Helpers shared by the criterion benches: labels that name backend and suite, and the list
//! of every (backend, suite) pair the workspace ships.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

use artmls::SuiteId;

/// A short label for a suite in benchmark ids: `F001-X25519-AES128GCM`.
pub fn suite_label(suite: SuiteId) -> String {
    let name = suite.info().map_or("unknown", |info| info.name);
    let short = name.trim_start_matches("ART_128_");
    let parts: Vec<&str> = short.split('_').take(2).collect();
    format!("{:04X}-{}", suite.0, parts.join("-"))
}

/// Every (provider, suite) pair of `artmls_providers::all`, restricted to `suites` when that is
/// not empty.
pub fn backend_suites(suites: &[SuiteId]) -> Vec<(&'static str, SuiteId)> {
    artmls_providers::all()
        .iter()
        .flat_map(|provider| {
            provider
                .suites()
                .iter()
                .map(move |suite| (provider.name(), *suite))
        })
        .filter(|(_, suite)| suites.is_empty() || suites.contains(suite))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_name_the_suite() {
        assert_eq!(suite_label(SuiteId(0xF001)), "F001-X25519-AES128GCM");
        assert_eq!(suite_label(SuiteId(0xF002)), "F002-P256-AES128GCM");
    }
}
