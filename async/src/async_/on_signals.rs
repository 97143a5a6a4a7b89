//! `OnSignals`: a future that resolves when any of some signals is active on an object.
//!
//! It checks the current signals first (no wait at all if one is already active), then begins
//! a loop [`Wait`] whose handler stores the observed signals in shared state and wakes the task.
//! Dropping it cancels the wait (by key under `rfc0240`); `NOT_FOUND` — the packet was taken
//! and the handler is running or about to — is benign, since the handler only touches the
//! shared state it owns, never the dropped future.

use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

use zxsim_syscalls::sys::*;
use zxsim_syscalls::zx::{self, AsHandleRef, Status};

use crate::sync::{Arc, Mutex};
use crate::{EHandle, Wait};

#[derive(Default)]
struct Slot {
    result: Option<Result<zx::Signals, Status>>,
    waker: Option<Waker>,
}

/// `fuchsia_async::OnSignals`: resolves to the observed signals once any of `signals` is active
/// on the object, or to an error (`CANCELED` if the executor shut down first, or the error of
/// `zx_object_wait_async`). The object's handle must stay open while it is pending.
#[must_use = "futures do nothing unless polled"]
pub struct OnSignals<'a> {
    object: zx_handle_t,
    signals: zx::Signals,
    /// Skip the first check of the current signals: the caller has just seen `SHOULD_WAIT`,
    /// and a level-triggered `wait_async` fires at once for a signal raised since.
    checked: bool,
    registered: Option<(Wait, Arc<Mutex<Slot>>)>,
    /// The handler ran (its result was returned): nothing is left to cancel.
    done: bool,
    _handle: PhantomData<&'a ()>,
}

impl<'a> OnSignals<'a> {
    pub fn new<H: AsHandleRef>(handle: &'a H, signals: zx::Signals) -> OnSignals<'a> {
        OnSignals::from_raw(handle.raw_handle(), signals)
    }

    /// For wrappers that own the handle and keep the future beside it (dropped first).
    pub(crate) fn from_raw(object: zx_handle_t, signals: zx::Signals) -> OnSignals<'a> {
        OnSignals {
            object,
            signals,
            checked: false,
            registered: None,
            done: false,
            _handle: PhantomData,
        }
    }

    /// For the wrappers' read/write paths, right after the call answered `SHOULD_WAIT`.
    pub(crate) fn after_should_wait(object: zx_handle_t, signals: zx::Signals) -> OnSignals<'a> {
        let mut future = OnSignals::from_raw(object, signals);
        future.checked = true;
        future
    }

    /// The port key of the pending wait (0 if none is registered or it already fired).
    pub fn key(&self) -> u64 {
        self.registered.as_ref().map_or(0, |(wait, _)| wait.key())
    }

    fn register(&mut self, waker: &Waker) -> Poll<Result<zx::Signals, Status>> {
        if !self.checked {
            let mut observed = 0;
            match zx_object_wait_one(
                self.object,
                self.signals.bits(),
                ZX_TIME_INFINITE_PAST,
                Some(&mut observed),
            ) {
                ZX_OK => {
                    return Poll::Ready(Ok(zx::Signals::from_bits_retain(observed)));
                }
                ZX_ERR_TIMED_OUT => {}
                error => return Poll::Ready(Err(Status::from_raw(error))),
            }
        }
        let slot = Arc::new(Mutex::new(Slot {
            result: None,
            waker: Some(waker.clone()),
        }));
        let shared = slot.clone();
        let wait = Wait::from_raw(
            EHandle::local().dispatcher(),
            self.object,
            self.signals,
            zx::WaitAsyncOpts::empty(),
            Box::new(move |_, _, status, packet| {
                let waker = {
                    let mut slot = shared.lock();
                    slot.result = Some(match packet {
                        Some(packet) if status == Status::OK => Ok(packet.observed()),
                        _ if status == Status::OK => Err(Status::INTERNAL),
                        _ => Err(status),
                    });
                    slot.waker.take()
                };
                if let Some(waker) = waker {
                    waker.wake();
                }
            }),
        );
        if let Err(status) = wait.begin() {
            return Poll::Ready(Err(status));
        }
        self.registered = Some((wait, slot));
        Poll::Pending
    }
}

impl Future for OnSignals<'_> {
    type Output = Result<zx::Signals, Status>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let Some((_, slot)) = &self.registered else {
            return self.register(cx.waker());
        };
        let mut slot = slot.lock();
        match slot.result.take() {
            Some(result) => {
                drop(slot);
                self.done = true;
                Poll::Ready(result)
            }
            None => {
                if !slot.waker.as_ref().is_some_and(|w| w.will_wake(cx.waker())) {
                    slot.waker = Some(cx.waker().clone());
                }
                Poll::Pending
            }
        }
    }
}

impl Drop for OnSignals<'_> {
    fn drop(&mut self) {
        match &self.registered {
            Some((wait, _)) if !self.done => {
                // NOT_FOUND: the handler already ran or is running; it owns all it touches.
                let _ = wait.cancel();
            }
            _ => {}
        }
    }
}

impl std::fmt::Debug for OnSignals<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OnSignals")
            .field("object", &self.object)
            .field("signals", &self.signals)
            .field("key", &self.key())
            .finish()
    }
}
