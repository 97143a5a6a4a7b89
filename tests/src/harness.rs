//! The conformance harness: cases, profiles, the runner and the machine-readable report.
//!
//! A [`Case`] states one clause of Zircon's behaviour (spec section in `clause`) for one syscall
//! family (`syscall`), and says under which semantics profiles it [`Holds`]. Every case runs under
//! every selected profile, each run in a fresh kernel with a virtual clock and a bound process:
//! - under a profile where it holds, the run must pass;
//! - under a profile where it does not hold, the run must **fail** — that is how the suite proves
//!   a profile switch really changes the behaviour it claims to (a profile-specific case that
//!   passes everywhere would be a test that cannot fail). Such runs are reported as "differs".
//!   The failure must come from the case's *tagged* assertion — one written with [`rule!`] or
//!   [`rule_eq!`] — so a case cannot pass "differs" by crashing early in its set-up: any other
//!   panic under a profile where the case does not hold is a failure of the case.
//!
//! Selection: `ZXSIM_SEMANTICS=zircon|rfc0240` (or `--profile` through `cargo xtask
//! conformance`) restricts the runs to one profile. With `ZXSIM_CONFORMANCE_REPORT=<file>` every
//! run is appended to `<file>` as one JSON object per line (a `zxsim_conformance_report::Run`), which `cargo xtask conformance` turns
//! into the syscall × passed/failed table and the per-profile diff.

use std::io::Write;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

use libtest_mimic::{Arguments, Failed, Trial};
use zxsim_conformance_report::{Run, REPORT_ENV};
use zxsim_kernel::{BindGuard, Config, Kernel, Process, Profile};

/// Under which profiles a case's statement is true.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Holds {
    Both,
    ZirconOnly,
    Rfc0240Only,
}

impl Holds {
    pub fn holds_for(self, profile: Profile) -> bool {
        match self {
            Holds::Both => true,
            Holds::ZirconOnly => profile == Profile::Zircon,
            Holds::Rfc0240Only => profile == Profile::Rfc0240,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Holds::Both => "both",
            Holds::ZirconOnly => "zircon",
            Holds::Rfc0240Only => "rfc0240",
        }
    }
}

/// One statement of behaviour.
pub struct Case {
    /// The syscall (or family) the clause is about, e.g. `zx_handle_duplicate`.
    pub syscall: &'static str,
    /// A short snake_case name, unique within `syscall`.
    pub name: &'static str,
    /// The spec clause: section and the rule in a few words, e.g. `§3: SAME_RIGHTS copies rights`.
    pub clause: &'static str,
    pub holds: Holds,
    pub run: fn(&mut Ctx),
}

/// Builds a `Vec<Case>` for one module: `cases![syscall; (name, clause, holds), ...]` where each
/// `name` is also the function to run.
#[macro_export]
macro_rules! cases {
    ($syscall:literal; $(($name:ident, $clause:literal, $holds:ident)),* $(,)?) => {
        pub fn cases() -> Vec<$crate::harness::Case> {
            vec![$($crate::harness::Case {
                syscall: $syscall,
                name: stringify!($name),
                clause: $clause,
                holds: $crate::harness::Holds::$holds,
                run: $name,
            }),*]
        }
    };
}

/// The payload of a failed [`rule!`] / [`rule_eq!`]: the profile-specific statement of a case.
pub struct RuleBroken(pub String);

/// Fails the case's tagged, profile-specific statement (see [`rule!`]).
pub fn rule_broken(message: String) -> ! {
    std::panic::panic_any(RuleBroken(message))
}

/// `assert!` for the statement a profile-specific case is tagged for: under the profile where the
/// case does not hold, this — and only this — must fail.
#[macro_export]
macro_rules! rule {
    ($cond:expr $(,)?) => {
        $crate::rule!($cond, "")
    };
    ($cond:expr, $($message:tt)+) => {
        if !$cond {
            $crate::harness::rule_broken(format!(
                "rule failed: {}: {}", stringify!($cond), format!($($message)+)
            ));
        }
    };
}

/// `assert_eq!` for the statement a profile-specific case is tagged for (see [`rule!`]).
#[macro_export]
macro_rules! rule_eq {
    ($left:expr, $right:expr $(,)?) => {
        $crate::rule_eq!($left, $right, "")
    };
    ($left:expr, $right:expr, $($message:tt)+) => {
        match (&$left, &$right) {
            (left, right) => {
                if !(*left == *right) {
                    $crate::harness::rule_broken(format!(
                        "rule failed: {} == {}: left {:?}, right {:?}: {}",
                        stringify!($left), stringify!($right), left, right, format!($($message)+)
                    ));
                }
            }
        }
    };
}

/// What a case runs in: a fresh kernel (virtual clock at 0, the profile under test) and a
/// process bound to the running thread.
pub struct Ctx {
    pub kernel: Kernel,
    pub process: Arc<Process>,
    pub profile: Profile,
    _bound: BindGuard,
}

impl Ctx {
    pub fn new(profile: Profile) -> Ctx {
        Ctx::with_config(Config::default().with_profile(profile).with_virtual_clock())
    }

    pub fn with_config(config: Config) -> Ctx {
        let profile = config.profile;
        let kernel = Kernel::new(config);
        let process = kernel.create_process();
        let bound = process.bind();
        Ctx {
            kernel,
            process,
            profile,
            _bound: bound,
        }
    }

    /// A second process in the same kernel (not bound; use `bind` or `spawn` on it).
    pub fn other_process(&self) -> Arc<Process> {
        self.kernel.create_process()
    }

    /// Asserts the kernel holds no object and no handle (call after closing everything).
    pub fn assert_clean(&self) {
        assert_eq!(
            (self.kernel.live_objects(), self.kernel.live_handles()),
            (0, 0),
            "objects/handles leaked"
        );
    }
}

/// How one run of a case ended.
enum RunOutcome {
    Passed,
    /// Its tagged statement ([`rule!`] / [`rule_eq!`]) failed.
    RuleBroken(String),
    /// Anything else panicked.
    Panicked(String),
}

fn run_case(case: &Case, profile: Profile) -> RunOutcome {
    let result = catch_unwind(AssertUnwindSafe(|| {
        let mut ctx = Ctx::new(profile);
        (case.run)(&mut ctx);
    }));
    match result {
        Ok(()) => RunOutcome::Passed,
        Err(payload) => {
            if let Some(RuleBroken(message)) = payload.downcast_ref::<RuleBroken>() {
                return RunOutcome::RuleBroken(message.clone());
            }
            let message = payload
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "panicked".to_string());
            RunOutcome::Panicked(message)
        }
    }
}

/// Appends one run's record to the report file, if one was asked for.
fn report(
    case: &Case,
    profile: Profile,
    expected_to_hold: bool,
    passed: bool,
    ok: bool,
    message: String,
) {
    let Ok(path) = std::env::var(REPORT_ENV) else {
        return;
    };
    let run = Run {
        syscall: case.syscall.to_string(),
        name: case.name.to_string(),
        clause: case.clause.to_string(),
        holds: case.holds.name().to_string(),
        profile: profile.name().to_string(),
        expected_to_hold,
        statement_passed: passed,
        ok,
        message,
    };
    // One `write` per record on an O_APPEND file, so records from parallel runs never interleave.
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .expect("open report");
    file.write_all(run.to_line().as_bytes())
        .expect("write report");
}

/// Runs every case of `modules` under the selected profiles through libtest-mimic.
pub fn main(modules: Vec<Vec<Case>>) {
    let args = Arguments::from_args();
    let profiles: Vec<Profile> = match std::env::var("ZXSIM_SEMANTICS") {
        Ok(name) if !name.trim().is_empty() => {
            vec![Profile::from_name(&name)
                .unwrap_or_else(|| panic!("ZXSIM_SEMANTICS={name}: expected zircon or rfc0240"))]
        }
        _ => Profile::ALL.to_vec(),
    };
    // Silence the default panic message: a failing statement under a profile where it is not
    // expected to hold is the normal "differs" outcome, and real failures are reported by the
    // runner with their message.
    std::panic::set_hook(Box::new(|_| {}));
    let cases: Vec<Arc<Case>> = modules.into_iter().flatten().map(Arc::new).collect();
    let mut trials = Vec::new();
    for profile in profiles {
        for case in &cases {
            let case = case.clone();
            let kind = case.syscall;
            let expected = case.holds.holds_for(profile);
            let suffix = if expected { "" } else { " (differs)" };
            let name = format!(
                "{}::{}::{}{}",
                profile.name(),
                case.syscall,
                case.name,
                suffix
            );
            trials.push(
                Trial::test(name, move || {
                    let outcome = run_case(&case, profile);
                    let (passed, message) = match &outcome {
                        RunOutcome::Passed => (true, String::new()),
                        RunOutcome::RuleBroken(m) | RunOutcome::Panicked(m) => (false, m.clone()),
                    };
                    let verdict = match (expected, outcome) {
                        (true, RunOutcome::Passed) | (false, RunOutcome::RuleBroken(_)) => Ok(()),
                        (true, RunOutcome::RuleBroken(m) | RunOutcome::Panicked(m)) => {
                            Err(format!("{}\n  clause: {}", m, case.clause))
                        }
                        (false, RunOutcome::Panicked(m)) => Err(format!(
                            "expected its tagged rule to fail under {}, but it failed elsewhere first: {}\n  clause: {}",
                            profile.name(),
                            m,
                            case.clause
                        )),
                        (false, RunOutcome::Passed) => Err(format!(
                            "holds under {} too, but is tagged {:?}: the profiles do not differ here\n  clause: {}",
                            profile.name(),
                            case.holds,
                            case.clause
                        )),
                    };
                    let ok = verdict.is_ok();
                    report(&case, profile, expected, passed, ok, message);
                    verdict.map_err(Failed::from)
                })
                .with_kind(kind),
            );
        }
    }
    libtest_mimic::run(&args, trials).exit();
}
