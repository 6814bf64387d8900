//! `artmls load` (being written).

/// The arguments of `artmls load`.
#[derive(clap::Args)]
pub(crate) struct LoadArgs {}

pub(crate) fn run(_args: &LoadArgs) -> Result<(), String> {
    Err("not yet".into())
}
