//! How a kernel is built: its semantics profile, clock, handle cap and trace file.

use std::path::PathBuf;

use crate::clock::ClockKind;
use crate::faults::FaultPlan;

/// Which async-wait semantics a kernel implements (spec §13, §16).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Profile {
    /// The shipping kernel: async waits are bound to the registering handle (spec §13.1),
    /// plus `zx_port_cancel_key`.
    Zircon,
    /// RFC-0240 as written, with the decisions of spec §13.3: async waits are on objects.
    #[default]
    Rfc0240,
}

impl Profile {
    pub const ALL: [Profile; 2] = [Profile::Zircon, Profile::Rfc0240];

    pub fn name(self) -> &'static str {
        match self {
            Profile::Zircon => "zircon",
            Profile::Rfc0240 => "rfc0240",
        }
    }

    /// Parses `zircon` or `rfc0240` (as `ZXSIM_SEMANTICS` and `--profile` spell them).
    pub fn from_name(name: &str) -> Option<Profile> {
        match name.trim().to_ascii_lowercase().as_str() {
            "zircon" => Some(Profile::Zircon),
            "rfc0240" | "rfc-0240" => Some(Profile::Rfc0240),
            _ => None,
        }
    }

    /// The profile named by `ZXSIM_SEMANTICS`, or the default.
    pub fn from_env() -> Profile {
        std::env::var("ZXSIM_SEMANTICS")
            .ok()
            .and_then(|name| Profile::from_name(&name))
            .unwrap_or_default()
    }
}

impl std::fmt::Display for Profile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// How to build a kernel.
#[derive(Clone, Debug)]
pub struct Config {
    pub profile: Profile,
    pub clock: ClockKind,
    /// Live handles allowed in the whole kernel; Zircon's arena is 256 × 1024. Values above that
    /// are clamped (a handle value has 18 index bits).
    pub max_handles: usize,
    /// Faults to inject (`NO_MEMORY` answers, smaller limits); none by default.
    pub faults: Option<FaultPlan>,
    /// A known race put back into this kernel, so the shuttle scenarios can show they catch it
    /// (shuttle builds only: no other build can plant one).
    #[cfg(zxsim_shuttle)]
    pub planted_race: Option<PlantedRace>,
    /// Where to write a Chrome JSON trace of this kernel's syscalls (see `docs/observability.md`);
    /// `None`: no trace, and the trace points cost one disabled `tracing` check each.
    pub trace: Option<PathBuf>,
}

/// Races the kernel once had, each fixed since: a shuttle build can put one back into one kernel
/// ([`Config::with_planted_race`]) to check that the scenarios find it and replay it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlantedRace {
    /// `zx_timer_set` that looked its handle up before the timer's last handle closed re-arms the
    /// handle-less timer: its clock entry keeps it alive until the deadline.
    TimerSetAfterClose,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            profile: Profile::default(),
            clock: ClockKind::Real,
            max_handles: crate::handle::MAX_HANDLES_PER_TABLE,
            faults: None,
            #[cfg(zxsim_shuttle)]
            planted_race: None,
            trace: None,
        }
    }
}

impl Config {
    pub fn with_profile(mut self, profile: Profile) -> Self {
        self.profile = profile;
        self
    }

    /// A virtual clock starting at time 0.
    pub fn with_virtual_clock(mut self) -> Self {
        self.clock = ClockKind::Virtual { start: 0 };
        self
    }

    pub fn with_max_handles(mut self, max_handles: usize) -> Self {
        self.max_handles = max_handles;
        self
    }

    /// Injects the faults of `plan` (see [`crate::faults`]): chosen allocations answer
    /// `NO_MEMORY`, `zx_port_queue`'s capacity and the observer limit shrink.
    pub fn with_faults(mut self, plan: FaultPlan) -> Self {
        self.faults = Some(plan);
        self
    }

    /// Puts `race` back into the kernel (shuttle builds only).
    #[cfg(zxsim_shuttle)]
    pub fn with_planted_race(mut self, race: PlantedRace) -> Self {
        self.planted_race = Some(race);
        self
    }

    /// Whether `race` is planted: always false outside shuttle builds.
    #[inline(always)]
    pub fn plants(&self, _race: PlantedRace) -> bool {
        #[cfg(zxsim_shuttle)]
        return self.planted_race == Some(_race);
        #[cfg(not(zxsim_shuttle))]
        return false;
    }

    /// Writes a trace of the kernel's syscalls, with flow arrows from cause to effect, to `path`
    /// (Chrome JSON: the Perfetto UI and `chrome://tracing` open it).
    pub fn with_trace(mut self, path: impl Into<PathBuf>) -> Self {
        self.trace = Some(path.into());
        self
    }

    /// The default configuration with what the environment asks for: the profile named by
    /// `ZXSIM_SEMANTICS` and the trace file named by `ZXSIM_TRACE` (the default kernel's
    /// configuration; examples use it too).
    pub fn from_env() -> Self {
        let config = Config::default().with_profile(Profile::from_env());
        match std::env::var_os("ZXSIM_TRACE") {
            Some(path) if !path.is_empty() => config.with_trace(path),
            _ => config,
        }
    }
}
