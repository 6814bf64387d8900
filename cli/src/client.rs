//! `artmls client` (being written).

/// The arguments of `artmls client`.
#[derive(clap::Args)]
pub(crate) struct ClientArgs {}

pub(crate) fn run(_args: &ClientArgs) -> Result<(), String> {
    Err("not yet".into())
}
