//! Builds zxsim's own C and C++ ABI tests (`tests/c/`) with the system compiler against
//! `libzxsim_capi.a` and runs them; plus the header cross-check (see `layout.rs`).
//!
//! Only gcc/g++ (or `CC`/`CXX`) are needed: no network, no Fuchsia checkout.

mod layout;

use std::path::{Path, PathBuf};
use std::process::Command;

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `libzxsim_capi.a`, which cargo builds beside this test in `target/<profile>/deps/` (and
/// copies up to `target/<profile>/` only when the library itself is a build root, e.g. after
/// `cargo build`: a fresh `cargo test` leaves it in `deps/`).
fn staticlib() -> PathBuf {
    let exe = std::env::current_exe().expect("test executable path");
    let deps = exe.parent().expect("target/<profile>/deps/<test>");
    let candidates = [
        deps.to_path_buf(),
        deps.parent().map(Path::to_path_buf).unwrap_or_default(),
    ];
    candidates
        .iter()
        .map(|dir| dir.join("libzxsim_capi.a"))
        .find(|lib| lib.exists())
        .unwrap_or_else(|| panic!("libzxsim_capi.a was not built in {}", deps.display()))
}

fn compiler(cxx: bool) -> String {
    let (var, default) = if cxx { ("CXX", "g++") } else { ("CC", "gcc") };
    std::env::var(var).unwrap_or_else(|_| default.to_string())
}

/// Compiles `sources` (paths under `tests/c/` or absolute) into an executable and returns it.
pub fn build(name: &str, sources: &[PathBuf], cxx: bool, link: bool) -> PathBuf {
    build_with(name, sources, cxx, link, &[])
}

fn build_with(name: &str, sources: &[PathBuf], cxx: bool, link: bool, extra: &[&str]) -> PathBuf {
    let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let mut cmd = Command::new(compiler(cxx));
    cmd.arg(if cxx { "-std=c++17" } else { "-std=c11" })
        .args(extra)
        .args(["-Wall", "-Wextra", "-Werror", "-g"])
        .arg("-I")
        .arg(manifest_dir().join("include"))
        .arg("-I")
        .arg(manifest_dir().join("tests/c"))
        .args(sources);
    if link {
        cmd.arg(staticlib())
            .args(["-lpthread", "-ldl", "-lm"])
            .arg("-o")
            .arg(&out);
    } else {
        cmd.arg("-fsyntax-only");
    }
    let output = cmd.output().expect("running the C compiler");
    assert!(
        output.status.success(),
        "compiling {name} failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    out
}

fn run(binary: &Path) {
    let output = Command::new(binary)
        .env_remove("ZXSIM_SEMANTICS")
        .output()
        .expect("running the test program");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    println!("{stdout}{stderr}");
    assert!(
        output.status.success(),
        "{} failed ({}):\n{stdout}{stderr}",
        binary.display(),
        output.status
    );
}

#[test]
fn c_syscalls_test() {
    let binary = build(
        "syscalls_test",
        &[manifest_dir().join("tests/c/syscalls_test.c")],
        false,
        true,
    );
    run(&binary);
}

#[test]
fn cxx_threads_test() {
    let binary = build(
        "threads_test",
        &[manifest_dir().join("tests/c/threads_test.cc")],
        true,
        true,
    );
    run(&binary);
}

/// The core-tests harness: one passing TEST, a TEST_F, a failing test whose streamed and
/// printf-style messages both appear, a skip, and the gtest filter.
#[test]
fn zxtest_harness() {
    let core = manifest_dir().join("core-tests");
    let harness_include = format!("-I{}", core.join("include").display());
    let object = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("harness_main.o");
    let status = Command::new(compiler(false))
        .args(["-std=gnu11", "-Wall", "-Werror", "-c"])
        .arg(format!("-I{}", manifest_dir().join("include").display()))
        .arg(&harness_include)
        .arg(core.join("harness/main.c"))
        .arg("-o")
        .arg(&object)
        .status()
        .expect("running the C compiler");
    assert!(status.success(), "compiling the harness runner failed");
    let binary = build_with(
        "harness_test",
        &[manifest_dir().join("tests/c/harness_test.cc"), object],
        true,
        true,
        &["-std=gnu++20", &harness_include],
    );
    let output = Command::new(&binary)
        .output()
        .expect("running the harness test");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        !output.status.success(),
        "a failing test must fail the run:\n{stdout}"
    );
    for expected in [
        "[       OK ] Fixture.UsesSetUp",
        "[       OK ] Harness.Passes",
        "[  FAILED  ] Harness.FailsWithMessages",
        "printf 7",
        "streamed 42",
        "[  SKIPPED ] Harness.Skips",
        "skipped on purpose",
        "5 tests ran, 1 failed, 1 skipped",
    ] {
        assert!(
            stdout.contains(expected),
            "missing {expected:?} in:\n{stdout}"
        );
    }
    assert!(
        !stdout.contains("not reached"),
        "code after a fatal failure ran:\n{stdout}"
    );
    let filtered = Command::new(&binary)
        .arg("--gtest_filter=Harness.*-*Fails*")
        .output()
        .expect("running the harness test");
    let stdout = String::from_utf8_lossy(&filtered.stdout);
    assert!(filtered.status.success(), "{stdout}");
    assert!(
        stdout.contains("2 tests ran, 0 failed, 1 skipped"),
        "{stdout}"
    );
}

/// The program shown in docs/c-abi.md builds and runs as documented.
#[test]
fn documented_example() {
    let binary = build(
        "hello",
        &[manifest_dir().join("examples/hello.c")],
        false,
        true,
    );
    let output = Command::new(&binary).output().expect("running the example");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}");
    assert!(stdout.contains("port_wait: ZX_OK, key 7"), "{stdout}");
    assert!(
        stdout.contains("channel_read: ZX_OK, \"hello\" + 1 handle"),
        "{stdout}"
    );
}
