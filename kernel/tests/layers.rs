//! The kernel's layers import downwards only (see `docs/design.md`, "Layers"):
//! - the **core** — synchronisation, types, status, clock, configuration, the blocking wait, the
//!   signal engine and observers, handles and tables, the dispatcher base, the registry and the
//!   shared kernel state — names no object type, no process and no kernel value;
//! - the **object types** (`objects/`, and the OS-backed endpoints in `os/`) name the core and
//!   each other, never a process or the kernel value;
//! - **processes and the kernel value** (`kernel`, `process`, `wait`, `leak`, and the trace
//!   writer and snapshots, `trace` and `snapshot`) sit on top.
//!
//! Every source file must belong to a layer, so a new file is placed on purpose. Unit-test
//! modules (from `mod tests` on) may reach any layer.

use std::fs;
use std::path::{Path, PathBuf};

const CORE: &[&str] = &[
    "sync", "types", "status", "clock", "config", "faults", "blocking", "budget", "signal",
    "handle", "object", "registry", "shared",
];
const OBJECT_TYPES: &[&str] = &["objects", "os"];
const TOP: &[&str] = &["kernel", "process", "wait", "leak", "trace", "snapshot"];

fn sources(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).expect("kernel/src is readable") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            sources(&path, found);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            found.push(path);
        }
    }
}

/// The top-level module a `src/` file belongs to (`objects/port.rs` → `objects`).
fn module_of(src: &Path, path: &Path) -> String {
    let relative = path.strip_prefix(src).expect("under src");
    let first = relative.components().next().expect("a component");
    first
        .as_os_str()
        .to_string_lossy()
        .trim_end_matches(".rs")
        .to_string()
}

/// The modules a file names as `crate::<module>`, outside comments and unit-test modules.
fn crate_imports(text: &str) -> Vec<(usize, String)> {
    let mut imports = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let code = line.trim_start();
        if code.starts_with("mod tests") || code.contains("mod tests {") {
            break;
        }
        if code.starts_with("//") {
            continue;
        }
        let code = code.split("//").next().unwrap_or_default();
        let mut rest = code;
        while let Some(at) = rest.find("crate::") {
            rest = &rest[at + "crate::".len()..];
            let module: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            imports.push((number + 1, module));
        }
    }
    imports
}

#[test]
fn layers_import_downwards_only() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    files.sort();
    let mut violations = Vec::new();
    let mut checked = 0;
    for path in &files {
        let module = module_of(&src, path);
        if module == "lib" {
            continue;
        }
        let (layer, allowed): (&str, Vec<&str>) = if CORE.contains(&module.as_str()) {
            ("core", CORE.to_vec())
        } else if OBJECT_TYPES.contains(&module.as_str()) {
            (
                "object-type",
                CORE.iter().chain(OBJECT_TYPES).copied().collect(),
            )
        } else if TOP.contains(&module.as_str()) {
            (
                "top",
                CORE.iter()
                    .chain(OBJECT_TYPES)
                    .chain(TOP)
                    .copied()
                    .collect(),
            )
        } else {
            violations.push(format!("{}: in no layer", path.display()));
            continue;
        };
        let text = fs::read_to_string(path).expect("a readable source file");
        for (line, imported) in crate_imports(&text) {
            // `crate::Kernel`-style paths name the crate root's re-exports: a layer of their own.
            let root_item = imported.chars().next().is_some_and(char::is_uppercase);
            if root_item && !CORE.contains(&module.as_str()) {
                continue;
            }
            if !allowed.contains(&imported.as_str()) {
                violations.push(format!(
                    "{}:{line}: the {layer} layer imports crate::{imported}",
                    path.strip_prefix(&src).expect("under src").display()
                ));
            }
        }
        checked += 1;
    }
    assert!(checked > 20, "only {checked} files checked");
    assert!(violations.is_empty(), "{}", violations.join("\n"));
}

#[test]
fn the_import_scanner_sees_imports_and_skips_comments_and_tests() {
    let text = "use crate::objects::port::Port;\n// crate::process in a comment\n\
                let x = crate::kernel::Kernel::new(); // crate::wait\n\
                mod tests {\n    use crate::leak;\n}\n";
    let modules: Vec<String> = crate_imports(text).into_iter().map(|(_, m)| m).collect();
    assert_eq!(modules, ["objects", "kernel"]);
}
