//! Tasks: a spawned future, its scheduling state, and the [`Task`] join handle.
//!
//! Each spawned future lives in a `TaskCell` registered with the loop as a receiver: waking the
//! task queues one user packet with the cell's key, and the thread that dispatches it polls the
//! future. The state machine (`IDLE → SCHEDULED → RUNNING → IDLE | NOTIFIED | DONE`) guarantees
//! at most one packet in flight per task and that a future is never polled by two threads at
//! once. The receiver table owns the cell (through `CellOwner`); removing the receiver — when the
//! future completes, or at loop teardown — drops the future, even if wakers still hold the cell.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Wake, Waker};

use crate::dispatcher::Dispatcher;
use crate::receiver::ReceiverInner;
use crate::sync::{Arc, AtomicBool, AtomicU64, AtomicUsize, Mutex, Ordering};

use super::EHandle;

pub(crate) type BoxFuture = Pin<Box<dyn Future<Output = ()> + Send>>;

const IDLE: usize = 0;
const SCHEDULED: usize = 1;
const RUNNING: usize = 2;
const NOTIFIED: usize = 3;
const DONE: usize = 4;

pub(crate) struct TaskCell {
    dispatcher: Dispatcher,
    key: AtomicU64,
    state: AtomicUsize,
    cancelled: AtomicBool,
    future: Mutex<Option<BoxFuture>>,
}

/// The receiver table's reference to a cell: dropping it (receiver removed) drops the future.
struct CellOwner(Arc<TaskCell>);

impl Drop for CellOwner {
    fn drop(&mut self) {
        let future = self.0.future.lock().take();
        self.0.state.store(DONE, Ordering::Release);
        drop(future);
    }
}

impl TaskCell {
    /// Registers `future` with the dispatcher and schedules its first poll. If the loop is
    /// shutting down the future is dropped at once.
    pub(crate) fn spawn(dispatcher: &Dispatcher, future: BoxFuture) -> Arc<TaskCell> {
        let cell = Arc::new(TaskCell {
            dispatcher: dispatcher.clone(),
            key: AtomicU64::new(0),
            state: AtomicUsize::new(IDLE),
            cancelled: AtomicBool::new(false),
            future: Mutex::new(Some(future)),
        });
        let owner = CellOwner(cell.clone());
        let receiver = Arc::new(ReceiverInner::new(Box::new(move |_, _, _| owner.0.run())));
        match dispatcher.core.add_receiver(receiver) {
            Ok(key) => {
                cell.key.store(key, Ordering::Release);
                cell.schedule();
            }
            // The receiver (and with it the owner, and the future) is already dropped.
            Err(_) => cell.state.store(DONE, Ordering::Release),
        }
        cell
    }

    fn schedule(&self) {
        let mut state = self.state.load(Ordering::Acquire);
        loop {
            let next = match state {
                IDLE => SCHEDULED,
                RUNNING => NOTIFIED,
                _ => return,
            };
            match self
                .state
                .compare_exchange(state, next, Ordering::AcqRel, Ordering::Acquire)
            {
                Ok(_) => {
                    if next == SCHEDULED {
                        self.enqueue();
                    }
                    return;
                }
                Err(actual) => state = actual,
            }
        }
    }

    fn enqueue(&self) {
        self.dispatcher
            .core
            .wake_receiver(self.key.load(Ordering::Acquire));
    }

    /// Cancels the task: its future is dropped on its executor without being polled again.
    pub(crate) fn cancel(&self) {
        self.cancelled.store(true, Ordering::Release);
        self.schedule();
    }

    fn run(self: &Arc<Self>) {
        if self
            .state
            .compare_exchange(SCHEDULED, RUNNING, Ordering::AcqRel, Ordering::Acquire)
            .is_err()
        {
            return;
        }
        let mut slot = self.future.lock();
        let finished = match slot.as_mut() {
            None => true,
            Some(_) if self.cancelled.load(Ordering::Acquire) => true,
            Some(future) => {
                let waker = Waker::from(self.clone());
                let mut cx = Context::from_waker(&waker);
                // A panicking task ends like a cancelled one (its `Task` handle reports it when
                // awaited); the loop thread and every other task carry on.
                let polled = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    future.as_mut().poll(&mut cx)
                }));
                match polled {
                    Ok(poll) => poll.is_ready(),
                    Err(_) => {
                        tracing::error!(target: "zxsim::async", "a task panicked; it is dropped");
                        true
                    }
                }
            }
        };
        if finished {
            let future = slot.take();
            drop(slot);
            drop(future);
            self.state.store(DONE, Ordering::Release);
            // RUNNING: no packet of this task is queued, nothing to purge.
            self.dispatcher
                .core
                .remove_receiver(self.key.load(Ordering::Acquire), false);
            return;
        }
        drop(slot);
        if self
            .state
            .compare_exchange(RUNNING, IDLE, Ordering::AcqRel, Ordering::Acquire)
            .is_err()
        {
            // Woken while running.
            self.state.store(SCHEDULED, Ordering::Release);
            self.enqueue();
        }
    }
}

impl Wake for TaskCell {
    fn wake(self: Arc<Self>) {
        self.schedule();
    }
    fn wake_by_ref(self: &Arc<Self>) {
        self.schedule();
    }
}

struct JoinSlot<T> {
    result: Option<T>,
    waker: Option<Waker>,
    /// The future was dropped before completing (cancelled, or its executor shut down).
    dropped: bool,
}

pub(crate) struct JoinState<T> {
    slot: Mutex<JoinSlot<T>>,
}

/// Completes the join state when the wrapped future finishes, or marks it dropped.
struct Completion<T> {
    join: Arc<JoinState<T>>,
    done: bool,
}

impl<T> Completion<T> {
    fn complete(mut self, value: T) {
        self.done = true;
        let waker = {
            let mut slot = self.join.slot.lock();
            slot.result = Some(value);
            slot.waker.take()
        };
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

impl<T> Drop for Completion<T> {
    fn drop(&mut self) {
        if !self.done {
            let waker = {
                let mut slot = self.join.slot.lock();
                slot.dropped = true;
                slot.waker.take()
            };
            if let Some(waker) = waker {
                waker.wake();
            }
        }
    }
}

/// Wraps `future` so its output lands in a new join state.
pub(crate) fn with_join<F>(future: F) -> (impl Future<Output = ()>, Arc<JoinState<F::Output>>)
where
    F: Future,
{
    let join = Arc::new(JoinState {
        slot: Mutex::new(JoinSlot {
            result: None,
            waker: None,
            dropped: false,
        }),
    });
    let completion = Completion {
        join: join.clone(),
        done: false,
    };
    let wrapped = async move {
        let completion = completion;
        let value = future.await;
        completion.complete(value);
    };
    (wrapped, join)
}

/// `fuchsia_async::Task`: a spawned future and the handle to its result. Awaiting it gives the
/// output; **dropping it cancels the task** (its future is dropped on its executor without
/// another poll); [`Task::detach`] lets it run to completion unobserved.
///
/// Awaiting a task that panicked, or whose executor dropped it (shut down before it finished),
/// panics, loudly, rather than hanging.
#[must_use = "dropping a Task cancels it; use detach() to let it run"]
pub struct Task<T> {
    join: Arc<JoinState<T>>,
    cell: Option<Arc<TaskCell>>,
}

impl<T> Task<T> {
    pub(crate) fn new(join: Arc<JoinState<T>>, cell: Arc<TaskCell>) -> Task<T> {
        Task {
            join,
            cell: Some(cell),
        }
    }

    /// Runs `future` on the executor of this thread ([`EHandle::local`]), on any of its threads.
    pub fn spawn(future: impl Future<Output = T> + Send + 'static) -> Task<T>
    where
        T: Send + 'static,
    {
        EHandle::local().spawn(future)
    }

    /// Runs a `!Send` future on this thread's single-threaded executor ([`super::LocalExecutor`]
    /// or [`super::TestExecutor`]); polling it from another thread panics.
    pub fn local(future: impl Future<Output = T> + 'static) -> Task<T>
    where
        T: 'static,
    {
        EHandle::local().spawn_local(future)
    }

    /// Lets the task run to completion without a handle.
    pub fn detach(mut self) {
        self.cell = None;
    }

    /// Cancels the task (as dropping it does).
    pub fn cancel(self) {}
}

impl<T> Future for Task<T> {
    type Output = T;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        let mut slot = self.join.slot.lock();
        if let Some(value) = slot.result.take() {
            return Poll::Ready(value);
        }
        assert!(
            !slot.dropped,
            "awaited a Task that panicked, or that its executor dropped (shut down) first"
        );
        slot.waker = Some(cx.waker().clone());
        Poll::Pending
    }
}

impl<T> Drop for Task<T> {
    fn drop(&mut self) {
        if let Some(cell) = self.cell.take() {
            cell.cancel();
        }
    }
}
