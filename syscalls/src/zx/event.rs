//! Event: a waitable object with user-settable signals (`zx_event_create`).

use super::{impl_handle_based, ok, Handle};
use crate::sys;

/// A handle to an event. Default rights `BASIC | SIGNAL`; user-settable signals
/// `Signals::EVENT_SIGNALED` and `Signals::USER_ALL`.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(transparent)]
pub struct Event(Handle);
impl_handle_based!(Event);

impl Event {
    /// Creates an event. Wraps `zx_event_create`.
    ///
    /// # Panics
    ///
    /// If the kernel's handle arena is full (`NO_MEMORY`), as the real crate panics on OOM.
    pub fn create() -> Event {
        let mut out = sys::ZX_HANDLE_INVALID;
        ok(sys::zx_event_create(0, &mut out))
            .expect("event creation fails only when the handle arena is full");
        Event(Handle(out))
    }
}
