//! Simulated processes, their handle tables, and the binding of OS threads to them.
//!
//! Every syscall acts on the process bound to the calling thread. A thread binds with
//! [`Process::bind`], which returns a guard that restores the previous binding when dropped; a
//! thread that never bound one uses the default kernel's default process. [`Process::spawn`]
//! starts an OS thread already bound to a process.
//!
//! A process also records the policy exceptions Zircon would raise in it (e.g.
//! `PORT_TOO_MANY_PACKETS`): zxsim does not kill the process, it keeps a log tests can read.
// loom's `thread_local!` takes no `const` initialiser, so this module's thread-locals don't either.
#![allow(clippy::missing_const_for_thread_local)]

use std::cell::RefCell;

use crate::handle::{Handle, HandleTable, HandleValue};
use crate::kernel::Kernel;
use crate::object::{Expected, KernelObject};
use crate::status::Status;
use crate::sync::{thread, thread_local, Arc, LockClass, Mutex};
use crate::types::{Koid, Rights};

/// `ZX_EXCP_POLICY_CODE_*` values of the policy exceptions zxsim records (spec §1.10).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u32)]
pub enum PolicyException {
    BadHandle = 0,
    WrongObject = 1,
    NewChannel = 5,
    NewEvent = 6,
    NewEventPair = 7,
    NewPort = 8,
    NewSocket = 9,
    NewFifo = 10,
    NewTimer = 11,
    ChannelFullWrite = 16,
    PortTooManyPackets = 17,
    BadSyscall = 18,
    PortTooManyObservers = 19,
    HandleLeak = 20,
}

pub struct Process {
    koid: Koid,
    kernel: Kernel,
    handles: HandleTable,
    exceptions: Mutex<Vec<PolicyException>>,
    /// The handle `zx_process_self()` answers, made on first request.
    self_handle: Mutex<Option<HandleValue>>,
}

impl Process {
    pub(crate) fn new(kernel: Kernel) -> Arc<Process> {
        let koid = kernel.allocate_koid();
        let secret = random_secret(koid);
        Arc::new(Process {
            koid,
            kernel,
            handles: HandleTable::new(secret),
            exceptions: Mutex::ranked(LockClass::Leaf, Vec::new()),
            self_handle: Mutex::ranked(LockClass::ProcessSelf, None),
        })
    }

    pub fn koid(&self) -> Koid {
        self.koid
    }

    pub fn kernel(&self) -> &Kernel {
        &self.kernel
    }

    pub fn handles(&self) -> &HandleTable {
        &self.handles
    }

    /// Installs a handle and returns its value in this process.
    pub fn add_handle(&self, handle: Handle) -> HandleValue {
        handle.object().installed(self.koid);
        self.handles.add(handle)
    }

    /// Installs several handles under one acquisition of the table's writer lock (the handles of
    /// a message read); returns their values in order.
    pub fn add_handles(&self, handles: Vec<Handle>) -> Vec<HandleValue> {
        if handles.is_empty() {
            return Vec::new();
        }
        for handle in &handles {
            handle.object().installed(self.koid);
        }
        let mut table = self.handles.write();
        handles
            .into_iter()
            .map(|handle| table.add(handle))
            .collect()
    }

    /// Makes a new object of type `T` and installs one handle to it with the default rights.
    pub fn create_object<T: KernelObject>(&self, object: T) -> Result<HandleValue, Status> {
        let object = self.kernel.new_object(object);
        let rights = object.default_rights();
        Ok(self.add_handle(Handle::adopt(object, rights)?))
    }

    /// Makes both endpoints of a peered object (each needs the other's koid, so `make` gets the
    /// two koids) and installs one handle to each with the default rights.
    pub fn create_pair<T: KernelObject>(
        &self,
        make: impl FnOnce([Koid; 2]) -> (T, T),
    ) -> Result<(HandleValue, HandleValue), Status> {
        let koids = [self.kernel.allocate_koid(), self.kernel.allocate_koid()];
        let (a, b) = make(koids);
        // Each end goes straight into its object: the ends can be large, and an array of them
        // (to map over) would copy both once more.
        let adopt = |koid: Koid, object: T| {
            let object = self.kernel.new_object_with_koid(koid, object);
            let rights = object.default_rights();
            Handle::adopt(object, rights)
        };
        let a = adopt(koids[0], a);
        let b = adopt(koids[1], b);
        let (a, b) = (a?, b?);
        Ok((self.add_handle(a), self.add_handle(b)))
    }

    /// The typed lookup every syscall uses, in Zircon's order: `BAD_HANDLE` (not in this table),
    /// `WRONG_TYPE` (not a `T`), `ACCESS_DENIED` (missing `rights`). `T` is an object type, or
    /// [`AnyObject`] for calls that take any type.
    pub fn get_object<T: Expected>(
        &self,
        value: HandleValue,
        rights: Rights,
    ) -> Result<T::Ref, Status> {
        self.handles.get::<T>(value, rights)
    }

    /// `zx_process_self()`: this process's handle to its own process object (same koid), made
    /// with the default process rights on first request and the same value afterwards.
    pub fn self_handle(&self) -> Result<HandleValue, Status> {
        let mut slot = self.self_handle.lock();
        if let Some(value) = *slot {
            return Ok(value);
        }
        let object = self
            .kernel
            .new_object_with_koid(self.koid, crate::objects::process::ProcessObject::new());
        let rights = object.default_rights();
        let value = self.add_handle(Handle::adopt(object, rights)?);
        *slot = Some(value);
        Ok(value)
    }

    /// `zx_thread_self()`: the calling OS thread's handle in this process (see
    /// [`crate::objects::thread::thread_self`]).
    pub fn thread_self(&self) -> Result<HandleValue, Status> {
        crate::objects::thread::thread_self(self.kernel.shared(), self.koid, |handle| {
            self.add_handle(handle)
        })
    }

    /// Records a policy exception (Zircon would deliver it to the process's exception channel).
    pub fn raise_policy_exception(&self, exception: PolicyException) {
        tracing::warn!(process = self.koid, ?exception, "policy exception");
        self.exceptions.lock().push(exception);
    }

    /// The policy exceptions raised in this process so far.
    pub fn policy_exceptions(&self) -> Vec<PolicyException> {
        self.exceptions.lock().clone()
    }

    /// Closes every handle of the process (what process death does).
    pub fn close_all_handles(&self) {
        self.handles.clear();
    }

    /// Binds the calling thread to this process until the guard is dropped.
    pub fn bind(self: &Arc<Self>) -> BindGuard {
        let previous = CURRENT.with(|current| current.borrow_mut().replace(self.clone()));
        let trace = self
            .kernel
            .trace_dispatch()
            .map(tracing::dispatcher::set_default);
        BindGuard {
            previous,
            _trace: trace,
        }
    }

    /// Starts an OS thread bound to this process for its whole life.
    pub fn spawn<F, T>(self: &Arc<Self>, f: F) -> thread::JoinHandle<T>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let process = self.clone();
        thread::spawn(move || {
            let _bound = process.bind();
            f()
        })
    }

    /// Runs `f` with the process bound to the calling thread (or the default process).
    #[inline]
    pub fn with_current<R>(f: impl FnOnce(&Arc<Process>) -> R) -> R {
        let mut f = Some(f);
        let bound = CURRENT.with(|current| {
            current
                .borrow()
                .as_ref()
                .map(|process| (f.take().expect("once"))(process))
        });
        match bound {
            Some(result) => result,
            None => with_default_process(f.take().expect("not yet called")),
        }
    }

    /// The process bound to the calling thread (or the default process).
    pub fn current() -> Arc<Process> {
        Process::with_current(|process| process.clone())
    }

    /// The koid of the process bound to the calling thread, if one is (never makes the default
    /// process; answers `None` while the binding itself is being changed).
    pub fn bound_koid() -> Option<Koid> {
        CURRENT
            .try_with(|current| {
                current
                    .try_borrow()
                    .ok()
                    .and_then(|process| process.as_ref().map(|process| process.koid))
            })
            .ok()
            .flatten()
    }
}

#[cfg(not(any(zxsim_loom, zxsim_shuttle)))]
fn with_default_process<R>(f: impl FnOnce(&Arc<Process>) -> R) -> R {
    f(crate::kernel::default_process())
}

#[cfg(any(zxsim_loom, zxsim_shuttle))]
fn with_default_process<R>(_f: impl FnOnce(&Arc<Process>) -> R) -> R {
    panic!("zxsim under loom or shuttle: bind a process (Process::bind) in every model thread");
}

impl std::fmt::Debug for Process {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Process")
            .field("koid", &self.koid)
            .field("handles", &self.handles.len())
            .finish()
    }
}

thread_local! {
    static CURRENT: RefCell<Option<Arc<Process>>> = RefCell::new(None);
}

/// Restores the thread's previous process binding when dropped.
#[must_use = "the binding ends when the guard is dropped"]
pub struct BindGuard {
    previous: Option<Arc<Process>>,
    /// A traced kernel's subscriber, the thread's default while bound.
    _trace: Option<tracing::dispatcher::DefaultGuard>,
}

impl Drop for BindGuard {
    fn drop(&mut self) {
        let previous = self.previous.take();
        CURRENT.with(|current| *current.borrow_mut() = previous);
    }
}

/// A per-process XOR secret: random across processes and runs, with the two low bits clear so
/// encoded values keep their fixed bits.
fn random_secret(koid: Koid) -> u32 {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u64(koid);
    (hasher.finish() as u32) & !crate::handle::HANDLE_FIXED_BITS_MASK
}
