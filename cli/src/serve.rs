//! `artmls serve` (being written).

/// The arguments of `artmls serve`.
#[derive(clap::Args)]
pub(crate) struct ServeArgs {}

pub(crate) fn run(_args: &ServeArgs) -> Result<(), String> {
    Err("not yet".into())
}
