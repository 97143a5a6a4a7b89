//! Event: a waitable object with no state but its signals (`zx_event_create`).
//!
//! Signals: `ZX_EVENT_SIGNALED` and the user signals, all set by user code. No peer; nothing to
//! do when the last handle goes beyond ending the waits on it.

use crate::object::KernelObject;
use crate::signal::SignalState;
use crate::sync::{LockClass, Mutex};
use crate::types::{ObjType, Rights, Signals};

pub struct Event {
    signals: Mutex<SignalState>,
}

impl Event {
    pub fn new() -> Self {
        Event {
            signals: Mutex::ranked(LockClass::Object, SignalState::new(Signals::NONE)),
        }
    }
}

impl Default for Event {
    fn default() -> Self {
        Self::new()
    }
}

impl KernelObject for Event {
    const TYPE: ObjType = ObjType::EVENT;
    /// BASIC | SIGNAL (0xD003): no SIGNAL_PEER.
    const DEFAULT_RIGHTS: Rights = Rights::BASIC.union(Rights::SIGNAL);
    const USER_SIGNALS: Signals = Signals::EVENT_SIGNALED;

    fn with_signals<R>(&self, f: impl FnOnce(&mut SignalState) -> R) -> R {
        f(&mut self.signals.lock())
    }
}
