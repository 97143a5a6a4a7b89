//! Synchronous waits: `zx_object_wait_one`, `zx_object_wait_many` and `zx_nanosleep`.
//!
//! A waiting thread owns one [`SyncWaiter`] and registers one [`Observer::Sync`] per item on the
//! items' objects, each tagged with the handle it came through. Registration happens under the
//! process's handle-table lock, as in Zircon, so a racing `zx_handle_close` either removes the
//! handle first (the wait answers `BAD_HANDLE`) or finds the observer and cancels it (the wait
//! answers `CANCELED`): the waiter never misses its cancellation.
//!
//! The outcome is decided only after every observer has been detached, so a match that races the
//! deadline is never half-reported: whatever fired first wins, and `TIMED_OUT` means nothing did.

use crate::blocking::Completion;
use crate::handle::HandleValue;
use crate::kernel::Kernel;
use crate::object::DispatcherRef;
use crate::objects::thread::{
    Blocked, THREAD_STATE_BLOCKED_SLEEPING, THREAD_STATE_BLOCKED_WAIT_MANY,
    THREAD_STATE_BLOCKED_WAIT_ONE,
};
use crate::process::Process;
use crate::signal::{Observer, ObserverKey, SyncOutcome, SyncWaiter};
use crate::status::Status;
use crate::sync::Arc;
use crate::types::{Rights, Signals, Time};

/// Maximum number of items in `zx_object_wait_many` (`ZX_WAIT_MANY_MAX_ITEMS`).
pub const WAIT_MANY_MAX_ITEMS: usize = 64;

/// Blocks `waiter`'s thread until it is settled or the kernel clock reaches `deadline`; the
/// thread reports `state` (a `THREAD_STATE_BLOCKED_*`) meanwhile.
fn block(waiter: &Arc<SyncWaiter>, kernel: &Kernel, deadline: Time, state: u32) {
    let _blocked = Blocked::enter(state);
    waiter.wait_until(kernel.clock(), deadline);
}

/// One item of `zx_object_wait_many` (`zx_wait_item_t` in kernel terms).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WaitItem {
    pub handle: HandleValue,
    pub waitfor: Signals,
    pub pending: Signals,
}

struct Registration {
    object: DispatcherRef,
    key: Option<ObserverKey>,
}

/// Registers item `index` on the object behind `value`, checking in Zircon's order:
/// `BAD_HANDLE`, `ACCESS_DENIED` (no WAIT), `NOT_SUPPORTED` (not waitable). If the item already
/// matches, the waiter is settled at once and no observer is left behind.
fn register(
    process: &Process,
    waiter: &Arc<SyncWaiter>,
    index: usize,
    value: HandleValue,
    trigger: Signals,
) -> Result<Registration, Status> {
    process.handles().with(value, |handle| {
        if !handle.has_rights(Rights::WAIT) {
            return Err(Status::ACCESS_DENIED);
        }
        let object = handle.object();
        if !object.is_waitable() {
            return Err(Status::NOT_SUPPORTED);
        }
        let key = object.with_signals(|state| {
            let current = state.signals();
            if trigger.intersects(current) {
                let _ = waiter.settle(SyncOutcome::Matched {
                    index,
                    observed: current,
                });
                None
            } else {
                object.note_observer_added();
                Some(state.add_observer(Observer::Sync {
                    waiter: waiter.clone(),
                    index,
                    trigger,
                    handle: handle.id(),
                }))
            }
        });
        Ok(Registration {
            object: object.to_ref(),
            key,
        })
    })?
}

fn unregister(registrations: Vec<Registration>) {
    for registration in registrations {
        if let Some(key) = registration.key {
            registration
                .object
                .with_signals(|state| state.remove_observer(key));
        }
    }
}

/// `zx_object_wait_one` once its arguments are known: returns the status and the `observed`
/// signals to report.
pub fn wait_one(
    process: &Process,
    value: HandleValue,
    signals: Signals,
    deadline: Time,
) -> (Status, Signals) {
    // Fast path: no allocation when the signal is already active or the call only polls.
    let quick = process.handles().with(value, |handle| {
        if !handle.has_rights(Rights::WAIT) {
            return Err(Status::ACCESS_DENIED);
        }
        if !handle.object().is_waitable() {
            return Err(Status::NOT_SUPPORTED);
        }
        let current = handle.object().signals();
        if signals.intersects(current) {
            Ok(Some((Status::OK, current)))
        } else if process.kernel().clock().now() >= deadline {
            Ok(Some((Status::TIMED_OUT, current)))
        } else {
            Ok(None)
        }
    });
    match quick {
        Err(status) | Ok(Err(status)) => return (status, Signals::NONE),
        Ok(Ok(Some(result))) => return result,
        Ok(Ok(None)) => {}
    }
    let mut items = [WaitItem {
        handle: value,
        waitfor: signals,
        pending: Signals::NONE,
    }];
    match wait_items(process, &mut items, deadline, THREAD_STATE_BLOCKED_WAIT_ONE) {
        Ok(()) => (Status::OK, items[0].pending),
        Err(status @ (Status::TIMED_OUT | Status::CANCELED)) => (status, items[0].pending),
        Err(status) => (status, Signals::NONE),
    }
}

/// `zx_object_wait_many` once the item count is validated (1..=64). Fills every item's
/// `pending` on `OK`, `TIMED_OUT` and `CANCELED`.
pub fn wait_many(process: &Process, items: &mut [WaitItem], deadline: Time) -> Result<(), Status> {
    wait_items(process, items, deadline, THREAD_STATE_BLOCKED_WAIT_MANY)
}

/// The wait behind both `wait_one` and `wait_many`; `state` is what the thread reports while
/// it blocks.
fn wait_items(
    process: &Process,
    items: &mut [WaitItem],
    deadline: Time,
    state: u32,
) -> Result<(), Status> {
    let waiter = Completion::new();
    let mut registrations = Vec::with_capacity(items.len());
    for (index, item) in items.iter().enumerate() {
        match register(process, &waiter, index, item.handle, item.waitfor) {
            Ok(registration) => registrations.push(registration),
            Err(status) => {
                unregister(registrations);
                return Err(status);
            }
        }
    }
    if !waiter.is_settled() {
        block(&waiter, process.kernel(), deadline, state);
    }
    // Detach first, then read the outcome: nothing can settle the waiter after this point.
    let objects: Vec<DispatcherRef> = registrations.iter().map(|r| r.object.clone()).collect();
    unregister(registrations);
    let outcome = waiter.peek(|outcome| outcome.copied());
    for (index, item) in items.iter_mut().enumerate() {
        item.pending = match outcome {
            Some(SyncOutcome::Matched { index: i, observed })
            | Some(SyncOutcome::Canceled { index: i, observed })
                if i == index =>
            {
                observed
            }
            _ => objects[index].signals(),
        };
    }
    match outcome {
        Some(SyncOutcome::Matched { .. }) => Ok(()),
        Some(SyncOutcome::Canceled { .. }) => Err(Status::CANCELED),
        None => Err(Status::TIMED_OUT),
    }
}

/// Blocks until the kernel clock reaches `deadline` (`zx_nanosleep`, and `zx_object_wait_many`
/// with no items).
pub fn sleep_until(kernel: &Kernel, deadline: Time) {
    block(
        &Completion::new(),
        kernel,
        deadline,
        THREAD_STATE_BLOCKED_SLEEPING,
    );
}
