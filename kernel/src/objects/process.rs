//! Process: the kernel object behind `zx_process_self()`. It shares its koid with the simulated
//! [`crate::Process`] it stands for, and is made the first time that process asks for its own
//! handle ([`crate::Process::self_handle`]).
//!
//! zxsim runs no separate address spaces, so the object has no state besides its signals; it
//! never asserts `ZX_PROCESS_TERMINATED` (a simulated process does not exit). No peer, nothing
//! to do when the last handle goes beyond ending the waits on it.

use crate::object::KernelObject;
use crate::signal::SignalState;
use crate::sync::{LockClass, Mutex};
use crate::types::{ObjType, Rights, Signals};

pub struct ProcessObject {
    signals: Mutex<SignalState>,
}

impl ProcessObject {
    pub fn new() -> Self {
        ProcessObject {
            signals: Mutex::ranked(LockClass::Object, SignalState::new(Signals::NONE)),
        }
    }
}

impl Default for ProcessObject {
    fn default() -> Self {
        Self::new()
    }
}

impl KernelObject for ProcessObject {
    const TYPE: ObjType = ObjType::PROCESS;
    /// `ZX_DEFAULT_PROCESS_RIGHTS`: BASIC | IO | PROPERTY | ENUMERATE | DESTROY | SIGNAL |
    /// MANAGE_PROCESS | MANAGE_THREAD.
    const DEFAULT_RIGHTS: Rights = Rights::BASIC
        .union(Rights::IO)
        .union(Rights::PROPERTY)
        .union(Rights::ENUMERATE)
        .union(Rights::DESTROY)
        .union(Rights::SIGNAL)
        .union(Rights::MANAGE_PROCESS)
        .union(Rights::MANAGE_THREAD);

    fn with_signals<R>(&self, f: impl FnOnce(&mut SignalState) -> R) -> R {
        f(&mut self.signals.lock())
    }
}
