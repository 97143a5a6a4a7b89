//! The kernel value: configuration, clock, koid allocator and accounting.
//!
//! A [`Kernel`] is an ordinary value: tests make as many isolated kernels as they like, and
//! nothing in one is visible from another. The only global is the lazily created default kernel
//! (with its default process) that serves threads which never bound a process, so a quick
//! prototype "just works".
//!
//! Accounting invariant: `live_objects()` and `live_handles()` return to their previous values
//! once every handle a program created has been closed — nothing is leaked.

use crate::clock::{Clock, ClockKind};
use crate::os::Reactor;
use crate::process::Process;
use crate::status::Status;
use crate::sync::{Arc, AtomicU64, AtomicUsize, Mutex, Ordering};
use crate::types::{Koid, KOID_FIRST};

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
}

impl Default for Config {
    fn default() -> Self {
        Config {
            profile: Profile::default(),
            clock: ClockKind::Real,
            max_handles: crate::handle::MAX_HANDLES_PER_TABLE,
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
}

/// State shared by everything in one kernel.
pub struct KernelShared {
    pub(crate) config: Config,
    pub(crate) clock: Clock,
    next_koid: AtomicU64,
    pub(crate) next_handle_id: AtomicU64,
    pub(crate) live_objects: AtomicUsize,
    pub(crate) live_handles: AtomicUsize,
    pub(crate) max_handles: usize,
    /// Channel endpoints holding handles and the count of objects holding handles, for the leak
    /// report (see [`crate::leak`]).
    pub(crate) registry: crate::leak::Registry,
    /// The OS readiness reactor, started on first use (or installed by a test).
    reactor: Mutex<Option<Arc<dyn Reactor>>>,
}

impl KernelShared {
    pub(crate) fn allocate_koid(&self) -> Koid {
        self.next_koid.fetch_add(1, Ordering::Relaxed)
    }

    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    pub fn profile(&self) -> Profile {
        self.config.profile
    }
}

/// A simulated Zircon kernel. Cloning gives another reference to the same kernel.
#[derive(Clone)]
pub struct Kernel {
    shared: Arc<KernelShared>,
}

impl Kernel {
    pub fn new(config: Config) -> Kernel {
        let max_handles = config.max_handles.min(crate::handle::MAX_HANDLES_PER_TABLE);
        let clock = Clock::new(config.clock);
        Kernel {
            shared: Arc::new(KernelShared {
                config,
                clock,
                next_koid: AtomicU64::new(KOID_FIRST),
                next_handle_id: AtomicU64::new(1),
                live_objects: AtomicUsize::new(0),
                live_handles: AtomicUsize::new(0),
                max_handles,
                registry: crate::leak::Registry::new(),
                reactor: Mutex::new(None),
            }),
        }
    }

    pub(crate) fn shared(&self) -> &Arc<KernelShared> {
        &self.shared
    }

    pub fn config(&self) -> &Config {
        &self.shared.config
    }

    pub fn profile(&self) -> Profile {
        self.shared.config.profile
    }

    pub fn clock(&self) -> &Clock {
        &self.shared.clock
    }

    /// Advances a virtual clock (see [`Clock::advance`]); `None` on the real clock.
    pub fn advance_clock(&self, nanos: i64) -> Option<i64> {
        self.shared.clock.advance(nanos)
    }

    /// The kernel's OS readiness reactor: one thread owning the OS poller, started on first use.
    pub fn reactor(&self) -> Result<Arc<dyn Reactor>, Status> {
        let mut slot = self.shared.reactor.lock();
        if let Some(reactor) = slot.as_ref() {
            return Ok(reactor.clone());
        }
        let reactor = start_reactor()?;
        *slot = Some(reactor.clone());
        Ok(reactor)
    }

    /// Installs a reactor (a mock, in models and tests) before anything starts the real one.
    pub fn set_reactor(&self, reactor: Arc<dyn Reactor>) {
        *self.shared.reactor.lock() = Some(reactor);
    }

    /// Creates a new simulated process with an empty handle table.
    pub fn create_process(&self) -> Arc<Process> {
        Process::new(self.clone())
    }

    /// Objects alive in this kernel (including ones only the kernel still references).
    pub fn live_objects(&self) -> usize {
        self.shared.live_objects.load(Ordering::Acquire)
    }

    /// Handles alive in this kernel: in process tables and in messages in flight.
    pub fn live_handles(&self) -> usize {
        self.shared.live_handles.load(Ordering::Acquire)
    }

    pub(crate) fn allocate_koid(&self) -> Koid {
        self.shared.allocate_koid()
    }

    pub fn ptr_eq(&self, other: &Kernel) -> bool {
        Arc::ptr_eq(&self.shared, &other.shared)
    }
}

impl std::fmt::Debug for Kernel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Kernel")
            .field("profile", &self.profile())
            .field("clock", self.clock())
            .field("live_objects", &self.live_objects())
            .field("live_handles", &self.live_handles())
            .finish()
    }
}

#[cfg(all(unix, not(zxsim_loom)))]
fn start_reactor() -> Result<Arc<dyn Reactor>, Status> {
    let reactor: Arc<dyn Reactor> = crate::os::mio_reactor::MioReactor::start()?;
    Ok(reactor)
}

/// Under loom (and off unix) there is no OS poller: install a mock with `set_reactor`.
#[cfg(not(all(unix, not(zxsim_loom))))]
fn start_reactor() -> Result<Arc<dyn Reactor>, Status> {
    Err(Status::NOT_SUPPORTED)
}

/// The lazily created default kernel and its default process, used by threads that never bound
/// a process. Its profile comes from `ZXSIM_SEMANTICS`. Not available under loom: models always
/// bind their own processes.
#[cfg(not(zxsim_loom))]
pub fn default_process() -> &'static Arc<Process> {
    use crate::sync::OnceLock;
    static DEFAULT: OnceLock<Arc<Process>> = OnceLock::new();
    DEFAULT.get_or_init(|| {
        Kernel::new(Config::default().with_profile(Profile::from_env())).create_process()
    })
}
