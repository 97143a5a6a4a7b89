//! The kernel value: the state its objects share ([`KernelShared`]), its processes, and its OS
//! readiness reactor.
//!
//! A [`Kernel`] is an ordinary value: tests make as many isolated kernels as they like, and
//! nothing in one is visible from another. The only global is the lazily created default kernel
//! (with its default process) that serves threads which never bound a process, so a quick
//! prototype "just works".
//!
//! Accounting invariant: `live_objects()` and `live_handles()` return to their previous values
//! once every handle a program created has been closed — nothing is leaked.

use crate::clock::Clock;
pub use crate::config::{Config, PlantedRace, Profile};
use crate::object::{Dispatcher, KernelObject};
use crate::os::Reactor;
use crate::process::Process;
pub(crate) use crate::shared::KernelShared;
use crate::status::Status;
use crate::sync::{Arc, LockClass, Mutex, Ordering};
use crate::types::Koid;

/// A simulated Zircon kernel. Cloning gives another reference to the same kernel.
#[derive(Clone)]
pub struct Kernel {
    shared: Arc<KernelShared>,
    /// What only the kernel value needs (one pointer: a `Kernel` sits in every process).
    local: Arc<KernelLocal>,
}

struct KernelLocal {
    /// The OS readiness reactor, started on first use (or installed by a test).
    reactor: Mutex<Option<Arc<dyn Reactor>>>,
    /// The trace subscriber (`Config::with_trace`): threads bound to this kernel's processes
    /// report to it.
    trace: Option<tracing::Dispatch>,
    /// The processes made so far, not kept alive by the kernel (a snapshot lists the live
    /// ones). Nothing synchronises through these references, so loom's lack of `Weak` does not
    /// matter here.
    #[allow(clippy::disallowed_types)]
    processes: Mutex<Vec<std::sync::Weak<Process>>>,
}

impl Kernel {
    pub fn new(config: Config) -> Kernel {
        let shared = Arc::new(KernelShared::new(config));
        let trace = open_trace(&shared);
        Kernel {
            shared,
            local: Arc::new(KernelLocal {
                reactor: Mutex::ranked(LockClass::Leaf, None),
                trace,
                processes: Mutex::ranked(LockClass::Leaf, Vec::new()),
            }),
        }
    }

    /// The trace subscriber, if the kernel was configured with a trace file.
    pub fn trace_dispatch(&self) -> Option<&tracing::Dispatch> {
        self.local.trace.as_ref()
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

    /// The fault plan's running state: where syscalls consult it, and what it injected.
    pub fn faults(&self) -> &crate::faults::Faults {
        &self.shared.faults
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
        let mut slot = self.local.reactor.lock();
        if let Some(reactor) = slot.as_ref() {
            return Ok(reactor.clone());
        }
        let reactor = start_reactor()?;
        *slot = Some(reactor.clone());
        Ok(reactor)
    }

    /// Installs a reactor (a mock, in models and tests) before anything starts the real one.
    pub fn set_reactor(&self, reactor: Arc<dyn Reactor>) {
        *self.local.reactor.lock() = Some(reactor);
    }

    /// Makes a kernel object owned by nobody yet (no handles).
    pub fn new_object<T: KernelObject>(&self, object: T) -> Arc<Dispatcher<T>> {
        let koid = self.allocate_koid();
        Dispatcher::new(self.shared(), koid, object)
    }

    /// Makes a kernel object whose koid was allocated earlier (peered objects need each other's
    /// koid before either exists).
    pub fn new_object_with_koid<T: KernelObject>(
        &self,
        koid: Koid,
        object: T,
    ) -> Arc<Dispatcher<T>> {
        Dispatcher::new(self.shared(), koid, object)
    }

    /// Creates a new simulated process with an empty handle table.
    pub fn create_process(&self) -> Arc<Process> {
        let process = Process::new(self.clone());
        let mut processes = self.local.processes.lock();
        if processes.len().is_power_of_two() {
            // Forget the dead ones now and then: the list stays within twice the live count.
            processes.retain(|process| process.strong_count() > 0);
        }
        processes.push(Arc::downgrade(&process));
        process
    }

    /// The processes alive now, oldest first.
    pub fn processes(&self) -> Vec<Arc<Process>> {
        let processes = self.local.processes.lock();
        processes
            .iter()
            .filter_map(|process| process.upgrade())
            .collect()
    }

    /// Objects alive in this kernel (including ones only the kernel still references).
    pub fn live_objects(&self) -> usize {
        self.shared.live_objects.load(Ordering::Acquire)
    }

    /// Handles alive in this kernel: in process tables and in messages in flight.
    pub fn live_handles(&self) -> usize {
        self.shared.live_handles()
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

#[cfg(not(any(zxsim_loom, zxsim_shuttle)))]
fn open_trace(shared: &Arc<KernelShared>) -> Option<tracing::Dispatch> {
    let path = shared.config.trace.as_ref()?;
    match crate::trace::open(path, shared.clone()) {
        Ok(dispatch) => Some(dispatch),
        Err(error) => {
            // A kernel cannot fail to start; the user asked for a file, so say why there is none.
            eprintln!("zxsim: cannot write the trace {}: {error}", path.display());
            None
        }
    }
}

/// Loom models and shuttle scenarios are never traced.
#[cfg(any(zxsim_loom, zxsim_shuttle))]
fn open_trace(_shared: &Arc<KernelShared>) -> Option<tracing::Dispatch> {
    None
}

#[cfg(all(unix, not(any(zxsim_loom, zxsim_shuttle))))]
fn start_reactor() -> Result<Arc<dyn Reactor>, Status> {
    let reactor: Arc<dyn Reactor> = crate::os::mio_reactor::MioReactor::start()?;
    Ok(reactor)
}

/// Under loom or shuttle (and off unix) there is no OS poller: install a mock with `set_reactor`.
#[cfg(not(all(unix, not(any(zxsim_loom, zxsim_shuttle)))))]
fn start_reactor() -> Result<Arc<dyn Reactor>, Status> {
    Err(Status::NOT_SUPPORTED)
}

/// The lazily created default kernel and its default process, used by threads that never bound
/// a process. Its configuration comes from the environment ([`Config::from_env`]: the profile
/// from `ZXSIM_SEMANTICS`, a trace file from `ZXSIM_TRACE`, which then records every thread that
/// is bound to no other traced kernel). Not available under loom or shuttle: models and scenarios always
/// bind their own processes.
#[cfg(not(any(zxsim_loom, zxsim_shuttle)))]
pub fn default_process() -> &'static Arc<Process> {
    use crate::sync::OnceLock;
    static DEFAULT: OnceLock<Arc<Process>> = OnceLock::new();
    DEFAULT.get_or_init(|| {
        let kernel = Kernel::new(Config::from_env());
        if let Some(dispatch) = kernel.trace_dispatch() {
            // Unbound threads never bind: the default kernel's trace is the program's default
            // subscriber (unless the program installed its own first).
            let _ = tracing::dispatcher::set_global_default(dispatch.clone());
        }
        kernel.create_process()
    })
}
