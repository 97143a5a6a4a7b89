//! `Timer`: a future that resolves at a deadline on the kernel clock, as a posted loop task
//! (the loop's one kernel timer serves every `Timer`). On a virtual clock it fires only when
//! time is advanced ([`crate::TestExecutor::wake_next_timer`]). Dropping it cancels the task.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

use zxsim_syscalls::zx;

use crate::sync::{Arc, Mutex};
use crate::{Dispatcher, EHandle, PostedTask};

#[derive(Default)]
struct Slot {
    fired: bool,
    waker: Option<Waker>,
}

/// `fuchsia_async::Timer`.
#[must_use = "futures do nothing unless polled"]
pub struct Timer {
    deadline: zx::MonotonicInstant,
    posted: Option<(Dispatcher, PostedTask, Arc<Mutex<Slot>>)>,
}

impl Timer {
    /// Resolves once the kernel clock reaches `deadline`.
    pub fn new(deadline: zx::MonotonicInstant) -> Timer {
        Timer {
            deadline,
            posted: None,
        }
    }

    /// Resolves `duration` from now.
    pub fn after(duration: zx::MonotonicDuration) -> Timer {
        Timer::new(zx::MonotonicInstant::after(duration))
    }

    pub fn deadline(&self) -> zx::MonotonicInstant {
        self.deadline
    }
}

impl Future for Timer {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if let Some((_, _, slot)) = &self.posted {
            let mut slot = slot.lock();
            if slot.fired {
                return Poll::Ready(());
            }
            slot.waker = Some(cx.waker().clone());
            return Poll::Pending;
        }
        if zx::MonotonicInstant::get() >= self.deadline {
            return Poll::Ready(());
        }
        let dispatcher = EHandle::local().dispatcher().clone();
        let slot = Arc::new(Mutex::new(Slot {
            fired: false,
            waker: Some(cx.waker().clone()),
        }));
        let shared = slot.clone();
        // A timer cancelled by shutdown completes too: nothing is left to wait for.
        let posted = dispatcher.post_delayed_task(self.deadline, move |_, _| {
            let waker = {
                let mut slot = shared.lock();
                slot.fired = true;
                slot.waker.take()
            };
            if let Some(waker) = waker {
                waker.wake();
            }
        });
        match posted {
            Ok(task) => {
                self.posted = Some((dispatcher, task, slot));
                Poll::Pending
            }
            Err(_) => Poll::Ready(()),
        }
    }
}

impl Drop for Timer {
    fn drop(&mut self) {
        if let Some((dispatcher, task, _)) = &self.posted {
            let _ = dispatcher.cancel_task(task);
        }
    }
}
