//! `cargo xtask loom` (being written).

#[derive(clap::Args)]
pub struct Args {}

pub fn run(_args: Args) -> Result<(), String> {
    Err("not written yet".into())
}
