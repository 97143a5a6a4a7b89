//! Thread: the kernel object behind `zx_thread_self()` — one per (OS thread, process) pair,
//! made the first time that OS thread asks for its own handle in that process.
//!
//! What it owns: the OS thread's [`RunState`] (shared with the thread itself, which updates it),
//! its process's koid (the `related_koid` of `ZX_INFO_HANDLE_BASIC`) and its signals.
//!
//! Invariants: the run state reads `ZX_THREAD_STATE_BLOCKED_*` exactly while the thread is inside
//! one of the kernel's blocking waits (a [`Blocked`] guard is alive), `RUNNING` otherwise, and
//! `DEAD` once the OS thread has exited — at which point `ZX_THREAD_TERMINATED` is asserted on
//! every thread object made for it. Marking costs nothing for a thread that never asked for its
//! handle (there is no object to report to).
//!
//! The OS thread keeps a kernel reference to each of its thread objects until it exits (so the
//! exit can signal them); handles still decide when the object is "open".
// loom's `thread_local!` takes no `const` initialiser, so this module's thread-locals don't either.
#![allow(clippy::missing_const_for_thread_local)]

use std::cell::RefCell;

use crate::handle::{Handle, HandleValue};
use crate::object::{Dispatcher, KernelObject};
use crate::shared::KernelShared;
use crate::signal::SignalState;
use crate::status::Status;
use crate::sync::{thread_local, Arc, AtomicU32, LockClass, Mutex, Ordering};
use crate::types::{Koid, ObjType, Rights, Signals};

/// `ZX_THREAD_STATE_*` values of `zx_info_thread_t::state`.
pub const THREAD_STATE_NEW: u32 = 0x0000;
pub const THREAD_STATE_RUNNING: u32 = 0x0001;
pub const THREAD_STATE_SUSPENDED: u32 = 0x0002;
pub const THREAD_STATE_BLOCKED: u32 = 0x0003;
pub const THREAD_STATE_DYING: u32 = 0x0004;
pub const THREAD_STATE_DEAD: u32 = 0x0005;
pub const THREAD_STATE_BLOCKED_EXCEPTION: u32 = 0x0103;
pub const THREAD_STATE_BLOCKED_SLEEPING: u32 = 0x0203;
pub const THREAD_STATE_BLOCKED_FUTEX: u32 = 0x0303;
pub const THREAD_STATE_BLOCKED_PORT: u32 = 0x0403;
pub const THREAD_STATE_BLOCKED_CHANNEL: u32 = 0x0503;
pub const THREAD_STATE_BLOCKED_WAIT_ONE: u32 = 0x0603;
pub const THREAD_STATE_BLOCKED_WAIT_MANY: u32 = 0x0703;
pub const THREAD_STATE_BLOCKED_INTERRUPT: u32 = 0x0803;
pub const THREAD_STATE_BLOCKED_PAGER: u32 = 0x0903;

/// What an OS thread is doing, as `ZX_INFO_THREAD` reports it.
#[derive(Debug)]
pub struct RunState(AtomicU32);

impl RunState {
    pub fn get(&self) -> u32 {
        self.0.load(Ordering::Acquire)
    }

    fn set(&self, state: u32) -> u32 {
        self.0.swap(state, Ordering::AcqRel)
    }
}

pub struct Thread {
    signals: Mutex<SignalState>,
    run: Arc<RunState>,
    process: Koid,
}

impl Thread {
    /// `ZX_THREAD_STATE_*` right now.
    pub fn state(&self) -> u32 {
        self.run.get()
    }

    /// The koid of the process this thread object belongs to.
    pub fn process_koid(&self) -> Koid {
        self.process
    }
}

impl KernelObject for Thread {
    const TYPE: ObjType = ObjType::THREAD;
    /// `ZX_DEFAULT_THREAD_RIGHTS`: BASIC | IO | PROPERTY | SIGNAL | MANAGE_THREAD.
    const DEFAULT_RIGHTS: Rights = Rights::BASIC
        .union(Rights::IO)
        .union(Rights::PROPERTY)
        .union(Rights::SIGNAL)
        .union(Rights::MANAGE_THREAD);

    fn with_signals<R>(&self, f: impl FnOnce(&mut SignalState) -> R) -> R {
        f(&mut self.signals.lock())
    }

    fn peer_koid(&self) -> Koid {
        self.process
    }
}

/// The calling OS thread's side: its run state and the thread objects made for it.
struct Local {
    run: Arc<RunState>,
    /// (process koid, handle value in that process, the object) — one per process asked in.
    selves: Vec<(Koid, HandleValue, Arc<Dispatcher<Thread>>)>,
}

impl Drop for Local {
    fn drop(&mut self) {
        self.run.set(THREAD_STATE_DEAD);
        for (_, _, object) in self.selves.drain(..) {
            object.update_signals(Signals::NONE, Signals::SIGNALED);
        }
    }
}

thread_local! {
    static LOCAL: RefCell<Option<Local>> = RefCell::new(None);
}

/// `zx_thread_self()`: the calling OS thread's handle in process `process` of `kernel`, made
/// (with the default thread rights, and installed by `install`) on first request and the same
/// value afterwards.
pub fn thread_self(
    kernel: &Arc<KernelShared>,
    process: Koid,
    install: impl FnOnce(Handle) -> HandleValue,
) -> Result<HandleValue, Status> {
    LOCAL.with(|local| {
        let mut local = local.borrow_mut();
        let local = local.get_or_insert_with(|| Local {
            run: Arc::new(RunState(AtomicU32::new(THREAD_STATE_RUNNING))),
            selves: Vec::new(),
        });
        // Koids restart in every kernel, so an entry matches on the kernel too (the entry's
        // object keeps its kernel alive, so the pointer cannot be reused meanwhile).
        if let Some((_, value, _)) = local.selves.iter().find(|(koid, _, object)| {
            *koid == process && Arc::ptr_eq(object.kernel_shared(), kernel)
        }) {
            return Ok(*value);
        }
        let thread = Thread {
            signals: Mutex::ranked(LockClass::Object, SignalState::new(Signals::NONE)),
            run: local.run.clone(),
            process,
        };
        let object = Dispatcher::new(kernel, kernel.allocate_koid(), thread);
        let rights = object.default_rights();
        let value = install(Handle::new(object.base(), rights)?);
        local.selves.push((process, value, object));
        Ok(value)
    })
}

/// Marks the calling thread blocked in `state` (a `THREAD_STATE_BLOCKED_*`) until dropped.
#[must_use = "the thread counts as blocked only while the guard lives"]
pub struct Blocked {
    run: Option<(Arc<RunState>, u32)>,
}

impl Blocked {
    pub fn enter(state: u32) -> Blocked {
        let run = LOCAL
            .try_with(|local| local.borrow().as_ref().map(|local| local.run.clone()))
            .ok()
            .flatten()
            .map(|run| {
                let previous = run.set(state);
                (run, previous)
            });
        Blocked { run }
    }
}

impl Drop for Blocked {
    fn drop(&mut self) {
        if let Some((run, previous)) = self.run.take() {
            run.set(previous);
        }
    }
}
