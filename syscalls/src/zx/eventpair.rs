//! Event pair: two peered events (`zx_eventpair_create`).

use super::{impl_handle_based, ok, Handle, Peered};
use crate::sys;

/// A handle to one end of an event pair. Default rights `BASIC | SIGNAL | SIGNAL_PEER`. When the
/// other end's last handle closes, this end gains `Signals::EVENTPAIR_PEER_CLOSED` and
/// [`Peered::signal_peer`] answers `PEER_CLOSED`.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(transparent)]
pub struct EventPair(Handle);
impl_handle_based!(EventPair);
impl Peered for EventPair {}

impl EventPair {
    /// Creates both ends. Wraps `zx_eventpair_create`.
    ///
    /// # Panics
    ///
    /// If the kernel's handle arena is full (`NO_MEMORY`), as the real crate panics on OOM.
    pub fn create() -> (EventPair, EventPair) {
        let (mut out0, mut out1) = (sys::ZX_HANDLE_INVALID, sys::ZX_HANDLE_INVALID);
        ok(sys::zx_eventpair_create(0, &mut out0, &mut out1))
            .expect("event pair creation fails only when the handle arena is full");
        (EventPair(Handle(out0)), EventPair(Handle(out1)))
    }
}
