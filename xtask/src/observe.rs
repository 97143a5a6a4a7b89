//! `cargo xtask trace <example> [-- ARGS]` and `cargo xtask snapshot <example> [-- ARGS]`: run an
//! example of the workspace with a trace file (`ZXSIM_TRACE`) or a snapshot request
//! (`ZXSIM_SNAPSHOT`) set, then say where the files are and how to open them (see
//! `docs/observability.md`). Output goes to `target/zxsim/`.

use std::path::{Path, PathBuf};
use std::process::Command;

#[derive(clap::Args)]
pub struct Args {
    /// The example's name (`tour`, `echo_server`, `echo_fidl`, ...), in any workspace package.
    example: String,
    /// Arguments for the example (after `--`).
    #[arg(last = true)]
    example_args: Vec<String>,
}

/// The packages whose `examples/` are searched, with their folders.
const PACKAGES: &[(&str, &str)] = &[
    ("zxsim-syscalls", "syscalls"),
    ("zxsim-async", "async"),
    ("zxsim-bindings", "bindings"),
];

fn package_of(root: &Path, example: &str) -> Result<&'static str, String> {
    PACKAGES
        .iter()
        .find(|(_, folder)| {
            let examples = root.join(folder).join("examples");
            examples.join(format!("{example}.rs")).is_file()
                || examples.join(example).join("main.rs").is_file()
        })
        .map(|(package, _)| *package)
        .ok_or_else(|| {
            format!(
                "no example named `{example}` in {}",
                PACKAGES
                    .iter()
                    .map(|(_, folder)| format!("{folder}/examples"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })
}

fn run_example(args: &Args, variable: &str, value: &Path) -> Result<(), String> {
    let root = crate::workspace_root();
    let package = package_of(&root, &args.example)?;
    let status = Command::new(env!("CARGO"))
        .current_dir(&root)
        .args(["run", "--locked", "-q", "-p", package, "--example"])
        .arg(&args.example)
        .arg("--")
        .args(&args.example_args)
        .env(variable, value)
        .status()
        .map_err(|error| format!("cannot run cargo: {error}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("the example failed ({status})"))
    }
}

fn output_dir() -> Result<PathBuf, String> {
    let dir = crate::workspace_root().join("target").join("zxsim");
    std::fs::create_dir_all(&dir)
        .map_err(|error| format!("cannot create {}: {error}", dir.display()))?;
    Ok(dir)
}

pub fn trace(args: Args) -> Result<(), String> {
    let path = output_dir()?.join(format!("{}.trace.json", args.example));
    let _ = std::fs::remove_file(&path);
    run_example(&args, "ZXSIM_TRACE", &path)?;
    if !path.is_file() {
        return Err(format!(
            "the example wrote no trace: does it make its kernel with `Config::from_env()` \
             (or use the default kernel)? expected {}",
            path.display()
        ));
    }
    println!("trace: {}", path.display());
    println!(
        "open it in the Perfetto UI (https://ui.perfetto.dev, \"Open trace file\") or in Chrome's \
         chrome://tracing (\"Load\"): one track per simulated process and thread, a slice per \
         syscall (click it for its arguments and status), arrows from cause to effect (select a \
         slice to see its flows), counters on the \"kernel\" process"
    );
    Ok(())
}

pub fn snapshot(args: Args) -> Result<(), String> {
    let stem = output_dir()?.join(format!("{}.snapshot", args.example));
    let (json, dot) = (
        stem.with_extension("snapshot.json"),
        stem.with_extension("snapshot.dot"),
    );
    for file in [&json, &dot] {
        let _ = std::fs::remove_file(file);
    }
    run_example(&args, "ZXSIM_SNAPSHOT", &stem)?;
    if !json.is_file() || !dot.is_file() {
        return Err(format!(
            "the example wrote no snapshot: does it call `kernel.snapshot_if_requested()` at \
             its end? expected {} and {}",
            json.display(),
            dot.display()
        ));
    }
    println!("snapshot: {}", json.display());
    println!("graph:    {}", dot.display());
    println!(
        "draw it:  dot -Tsvg {} -o {}",
        dot.display(),
        stem.with_extension("snapshot.svg").display()
    );
    Ok(())
}
