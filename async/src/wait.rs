//! `Wait`: `async_wait_t` — one asynchronous wait for signals on an object, dispatched to a
//! handler on the loop.
//!
//! A `Wait` is a cloneable handle to shared state (an `Arc`): the dispatcher holds a clone while
//! the wait is pending or its handler runs, so the handler and everything it captured stay alive
//! for as long as it can be called, whoever dropped their clone. That rules out, by
//! construction, the use-after-free that async-loop leaves to its users (freeing an
//! `async_wait_t` after `cancel` answered `NOT_FOUND` while its handler is about to run): in Rust
//! the "storage" is reference-counted and the handler owns what it uses ('static + Send).
//! What the types cannot rule out — that a handler still runs after `cancel` answered
//! `NOT_FOUND` — is G3, and a synchronized loop or two-phase shutdown orders it.

use zxsim_syscalls::sys::*;
use zxsim_syscalls::zx::{self, AsHandleRef, Status};

use crate::dispatcher::{Dispatcher, WaitHandler};
use crate::sync::{Arc, AtomicU64, Mutex, Ordering};

/// `async_wait_t`: waits for `trigger` on `object` and calls its handler on the dispatcher.
///
/// - **G1 — exactly once.** Every `begin` that answered `OK` is followed by exactly one handler
///   call — `OK` with the signal packet, or `CANCELED` without one at shutdown — unless
///   [`Wait::cancel`] answered `OK`.
/// - **G2 — cancel `OK` means never.** See [`Wait::cancel`].
/// - **G3 — cancel `NOT_FOUND` means maybe running.** See [`Wait::cancel`].
///
/// A wait is one-shot: its handler may `begin` it again. The handler of one wait never runs
/// concurrently with itself (it sits behind a lock); handlers of different waits do on a
/// concurrent loop with several threads. The object is named by its raw handle value, which
/// the caller keeps open while the wait is pending — under the `zircon` profile, **cancel
/// before closing the handle** (closing it silently ends the kernel wait: the handler then runs
/// only at shutdown, with `CANCELED`, and `cancel` answers `BAD_HANDLE`). Under `rfc0240` the
/// wait is on the object: it survives the close while other handles exist, and `cancel` works
/// on the key alone.
#[derive(Clone)]
pub struct Wait {
    pub(crate) inner: Arc<WaitInner>,
}

pub(crate) struct WaitInner {
    dispatcher: Dispatcher,
    pub(crate) object: zx_handle_t,
    pub(crate) trigger: zx_signals_t,
    pub(crate) options: u32,
    /// The key of the pending registration, 0 if none. Written under the loop's lock.
    pub(crate) pending: AtomicU64,
    /// A key a cancel answered `OK` for: nothing with it is left in the port, so the next
    /// `begin` reuses it (RFC-0240's rule). Written under the loop's lock.
    pub(crate) reusable: AtomicU64,
    handler: Mutex<WaitHandler>,
}

impl WaitInner {
    /// Calls the handler with the dispatcher's reference to the wait (taken from its table).
    pub(crate) fn call(
        this: Arc<WaitInner>,
        dispatcher: &Dispatcher,
        status: Status,
        signal: Option<&zx::SignalPacket>,
    ) {
        let wait = Wait { inner: this };
        let mut handler = wait.inner.handler.lock();
        (handler)(dispatcher, &wait, status, signal);
    }
}

impl Wait {
    /// A wait on `object` for any of `trigger`, not yet begun.
    pub fn new<H: AsHandleRef>(
        dispatcher: &Dispatcher,
        object: &H,
        trigger: zx::Signals,
        options: zx::WaitAsyncOpts,
        handler: impl FnMut(&Dispatcher, &Wait, Status, Option<&zx::SignalPacket>) + Send + 'static,
    ) -> Wait {
        Wait::from_raw(
            dispatcher,
            object.raw_handle(),
            trigger,
            options,
            Box::new(handler),
        )
    }

    pub(crate) fn from_raw(
        dispatcher: &Dispatcher,
        object: zx_handle_t,
        trigger: zx::Signals,
        options: zx::WaitAsyncOpts,
        handler: WaitHandler,
    ) -> Wait {
        Wait {
            inner: Arc::new(WaitInner {
                dispatcher: dispatcher.clone(),
                object,
                trigger: trigger.bits(),
                options: options.bits(),
                pending: AtomicU64::new(0),
                reusable: AtomicU64::new(0),
                handler: Mutex::new(handler),
            }),
        }
    }

    /// `async_begin_wait`: registers `zx_object_wait_async` on the loop's port under a fresh
    /// key (or the key of the last cancel that answered `OK`). `BAD_STATE` once shutdown began,
    /// `ALREADY_EXISTS` while pending, or the `zx_object_wait_async` error.
    pub fn begin(&self) -> Result<(), Status> {
        self.inner.dispatcher.core.begin_wait(&self.inner)
    }

    /// `async_cancel_wait`: `zx_port_cancel_key(port, 0, key)` under `rfc0240`,
    /// `zx_port_cancel(port, object, key)` under `zircon`.
    ///
    /// - **G2:** `Ok(())` — the wait was pending and its packet not yet taken: the handler will
    ///   never run, and the dispatcher has let go of it.
    /// - **G3:** `Err(NOT_FOUND)` — the wait is not pending: it never began, its handler already
    ///   ran, or its packet was taken and the handler is about to run or running on another
    ///   thread. Whatever the handler uses, it owns, so nothing can be freed under it; code
    ///   that must know when it has returned uses a synchronized loop (and cancels from a
    ///   handler) or two-phase shutdown.
    /// - **On a synchronized loop, from one of its handlers**, cancel of a pending wait always
    ///   answers `OK`: every dispatch looks its key up under the loop's serial lock, so a packet
    ///   another thread already took finds the key gone and is dropped (the driver runtime's
    ///   rule, which client bindings rely on to tear down synchronously).
    /// - Under `zircon` with the handle already closed: `Err(BAD_HANDLE)`, and the wait stays
    ///   registered with the loop (its handler gets `CANCELED` at shutdown).
    pub fn cancel(&self) -> Result<(), Status> {
        self.inner.dispatcher.core.cancel_wait(&self.inner)
    }

    /// Whether the wait is registered and its handler not yet taken by a dispatching thread.
    pub fn is_pending(&self) -> bool {
        self.inner.pending.load(Ordering::Relaxed) != 0
    }

    /// The port key of the pending registration (0 if none).
    pub fn key(&self) -> u64 {
        self.inner.pending.load(Ordering::Relaxed)
    }

    /// The raw handle value the wait is on.
    pub fn object(&self) -> zx_handle_t {
        self.inner.object
    }

    pub fn dispatcher(&self) -> &Dispatcher {
        &self.inner.dispatcher
    }
}

impl std::fmt::Debug for Wait {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Wait")
            .field("object", &self.inner.object)
            .field("trigger", &self.inner.trigger)
            .field("key", &self.key())
            .finish()
    }
}
