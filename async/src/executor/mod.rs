//! Executors shaped like `fuchsia-async`, on a [`Loop`]: [`LocalExecutor`] (one thread, `!Send`
//! futures allowed), [`SendExecutor`] (a pool of loop threads), [`TestExecutor`] (one thread,
//! driven step by step on the kernel's virtual clock), and [`EHandle`].
//!
//! A task is a loop receiver (see `task.rs`); the futures of `async_` register loop waits and
//! tasks. So every executor inherits the loop's guarantees: a wait registered by a future is
//! cancelled by key when the future is dropped, a packet for a dropped future finds no key and
//! is dropped, and shutting the executor down drops every task's future after the last poll.

mod local;
mod task;

use std::future::Future;
use std::marker::PhantomData;
use std::pin::pin;
use std::task::{Context, Poll, Wake, Waker};

use zxsim_syscalls::kernel::Process;
use zxsim_syscalls::sys::*;
use zxsim_syscalls::zx::{self, Status};

use crate::dispatcher::{Dispatcher, Enter, Loop, LoopConfig};
use crate::receiver::Receiver;
use crate::sync::{Arc, AtomicBool, Condvar, Mutex, Ordering};

pub use task::Task;
use task::{with_join, TaskCell};

/// `fuchsia_async::EHandle`: a handle to the executor running on this thread, to spawn on it.
#[derive(Clone, Debug)]
pub struct EHandle {
    dispatcher: Dispatcher,
}

impl EHandle {
    /// The executor (or loop) running on this thread. Panics if there is none, as in
    /// `fuchsia-async`; see [`EHandle::try_local`].
    pub fn local() -> EHandle {
        EHandle::try_local().expect("no executor is running on this thread")
    }

    /// The executor (or loop) running on this thread, if any: inside a task, a handler, or a
    /// `run_*` call of an executor.
    pub fn try_local() -> Option<EHandle> {
        Dispatcher::current().map(|dispatcher| EHandle { dispatcher })
    }

    /// The loop dispatcher under the executor (to use [`crate::Wait`] and friends directly).
    pub fn dispatcher(&self) -> &Dispatcher {
        &self.dispatcher
    }

    /// Spawns `future` and lets it run unobserved.
    pub fn spawn_detached(&self, future: impl Future<Output = ()> + Send + 'static) {
        self.spawn(future).detach();
    }

    pub(crate) fn spawn<T: Send + 'static>(
        &self,
        future: impl Future<Output = T> + Send + 'static,
    ) -> Task<T> {
        let (wrapped, join) = with_join(future);
        let cell = TaskCell::spawn(&self.dispatcher, Box::pin(wrapped));
        Task::new(join, cell)
    }

    pub(crate) fn spawn_local<T: 'static>(
        &self,
        future: impl Future<Output = T> + 'static,
    ) -> Task<T> {
        let (wrapped, join) = with_join(future);
        let cell = TaskCell::spawn(&self.dispatcher, Box::pin(local::LocalFuture::new(wrapped)));
        Task::new(join, cell)
    }
}

/// Wakes the thread driving a main future: sets a flag and queues a packet so a blocked
/// `run(once)` returns.
struct MainWaker {
    woken: AtomicBool,
    receiver: Receiver,
}

impl Wake for MainWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }
    fn wake_by_ref(self: &Arc<Self>) {
        if !self.woken.swap(true, Ordering::AcqRel) {
            // BAD_STATE: the executor is gone; nobody is left to wake.
            let _ = self
                .receiver
                .queue_packet(Status::OK, zx::UserPacket::default());
        }
    }
}

/// The single-threaded core of [`LocalExecutor`] and [`TestExecutor`].
struct SingleThreaded {
    main: Arc<MainWaker>,
    main_waker: Waker,
    event_loop: Loop,
}

impl SingleThreaded {
    fn new() -> SingleThreaded {
        let event_loop = Loop::new(LoopConfig::default()).expect("creating the executor's port");
        let receiver = Receiver::new(event_loop.dispatcher(), |_, _, _| {})
            .expect("a new loop accepts receivers");
        let main = Arc::new(MainWaker {
            woken: AtomicBool::new(false),
            receiver,
        });
        let main_waker = Waker::from(main.clone());
        SingleThreaded {
            main,
            main_waker,
            event_loop,
        }
    }

    fn ehandle(&self) -> EHandle {
        EHandle {
            dispatcher: self.event_loop.dispatcher().clone(),
        }
    }

    /// Polls `main` once with this executor current; clears the wake flag first.
    fn poll_main<F: Future + ?Sized>(&self, main: std::pin::Pin<&mut F>) -> Poll<F::Output> {
        self.main.woken.store(false, Ordering::Release);
        let _enter = Enter::new(&self.event_loop.dispatcher().core);
        main.poll(&mut Context::from_waker(&self.main_waker))
    }

    fn woken(&self) -> bool {
        self.main.woken.load(Ordering::Acquire)
    }

    fn run_until_idle(&self) {
        if let Err(status) = self.event_loop.run_until_idle() {
            panic!("the executor's loop stopped: {status:?}");
        }
    }
}

/// `fuchsia_async::LocalExecutor`: runs futures on the calling thread only (`!Send` futures
/// welcome, through [`Task::local`]). Dropping it drops every task's future, on this thread.
pub struct LocalExecutor {
    inner: SingleThreaded,
    _not_send: PhantomData<*const ()>,
}

impl LocalExecutor {
    /// An executor with its own port in the calling thread's process.
    pub fn new() -> LocalExecutor {
        LocalExecutor {
            inner: SingleThreaded::new(),
            _not_send: PhantomData,
        }
    }

    pub fn ehandle(&self) -> EHandle {
        self.inner.ehandle()
    }

    /// Runs `main` (and every task spawned meanwhile) until `main` completes; blocks in
    /// `zx_port_wait` while nothing is ready.
    pub fn run_singlethreaded<F: Future>(&mut self, main: F) -> F::Output {
        let mut main = pin!(main);
        loop {
            if let Poll::Ready(value) = self.inner.poll_main(main.as_mut()) {
                return value;
            }
            while !self.inner.woken() {
                if let Err(status) = self
                    .inner
                    .event_loop
                    .run(zx::MonotonicInstant::INFINITE, true)
                {
                    panic!("the executor's loop stopped: {status:?}");
                }
            }
        }
    }
}

impl Default for LocalExecutor {
    fn default() -> Self {
        LocalExecutor::new()
    }
}

/// `fuchsia_async::TestExecutor`: a single-threaded executor stepped by the test, on the bound
/// process's kernel clock. With a virtual clock, time moves only through
/// [`TestExecutor::wake_next_timer`] / [`TestExecutor::advance_to`], and jumps are instant.
pub struct TestExecutor {
    inner: SingleThreaded,
    _not_send: PhantomData<*const ()>,
}

impl TestExecutor {
    pub fn new() -> TestExecutor {
        TestExecutor {
            inner: SingleThreaded::new(),
            _not_send: PhantomData,
        }
    }

    pub fn ehandle(&self) -> EHandle {
        self.inner.ehandle()
    }

    /// The kernel clock.
    pub fn now() -> zx::MonotonicInstant {
        zx::MonotonicInstant::from_nanos(zx_clock_get_monotonic())
    }

    /// Polls `main` and runs every task until nothing can make progress without time passing
    /// or an outside event: `Ready` with `main`'s output, or `Pending` when stalled.
    pub fn run_until_stalled<F: Future + Unpin + ?Sized>(
        &mut self,
        main: &mut F,
    ) -> Poll<F::Output> {
        loop {
            if let Poll::Ready(value) = self.inner.poll_main(std::pin::Pin::new(&mut *main)) {
                return Poll::Ready(value);
            }
            self.inner.run_until_idle();
            if !self.inner.woken() {
                return Poll::Pending;
            }
        }
    }

    /// Moves the virtual clock to the earliest pending timer (loop task) and returns its
    /// deadline; `None` if no timer is pending. The expired timers fire on the next
    /// `run_until_stalled`.
    pub fn wake_next_timer(&mut self) -> Option<zx::MonotonicInstant> {
        let deadline = self.inner.event_loop.dispatcher().next_task_deadline()?;
        self.advance_to(zx::MonotonicInstant::from_nanos(deadline));
        Some(zx::MonotonicInstant::from_nanos(deadline))
    }

    /// Moves the clock to `time` (never backwards). On a real clock this sleeps until then.
    pub fn advance_to(&mut self, time: zx::MonotonicInstant) {
        let advanced =
            Process::with_current(|process| process.kernel().clock().advance_to(time.into_nanos()));
        if advanced.is_none() {
            zx_nanosleep(time.into_nanos());
        }
    }

    /// Runs `main` to completion, jumping the virtual clock to the next timer whenever every
    /// task is stalled. Panics if everything is stalled and no timer is pending (a real
    /// executor would hang).
    pub fn run_singlethreaded<F: Future>(&mut self, main: F) -> F::Output {
        let mut main = std::pin::pin!(main);
        loop {
            if let Poll::Ready(value) = self.run_until_stalled(&mut main) {
                return value;
            }
            assert!(
                self.wake_next_timer().is_some(),
                "TestExecutor::run_singlethreaded: stalled with no pending timer"
            );
        }
    }
}

impl Default for TestExecutor {
    fn default() -> Self {
        TestExecutor::new()
    }
}

/// `fuchsia_async::SendExecutor`: `Send` futures on a pool of loop threads.
pub struct SendExecutor {
    event_loop: Loop,
    threads: usize,
}

impl SendExecutor {
    /// An executor that runs on `threads` loop threads (at least one) in the calling thread's
    /// process.
    pub fn new(threads: usize) -> SendExecutor {
        SendExecutor {
            event_loop: Loop::new(LoopConfig::default()).expect("creating the executor's port"),
            threads: threads.max(1),
        }
    }

    pub fn ehandle(&self) -> EHandle {
        EHandle {
            dispatcher: self.event_loop.dispatcher().clone(),
        }
    }

    /// Runs `main` on the pool and blocks the calling thread until it completes; the loop
    /// threads are then stopped (tasks still pending stay, for the next `run` or the drop).
    pub fn run<F>(&mut self, main: F) -> F::Output
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let done = Arc::new(Done {
            value: Mutex::new(None),
            changed: Condvar::new(),
        });
        let finished = Finished {
            done: done.clone(),
            sent: false,
        };
        self.ehandle().spawn_detached(async move {
            let value = main.await;
            finished.send(Some(value));
        });
        for index in 0..self.threads {
            self.event_loop
                .start_thread(&format!("zxsim-send-executor-{index}"))
                .expect("starting an executor thread");
        }
        let value = {
            let mut slot = done.value.lock();
            loop {
                if let Some(value) = slot.take() {
                    break value;
                }
                slot = done.changed.wait(slot);
            }
        };
        self.event_loop.quit();
        self.event_loop.join_threads();
        self.event_loop
            .reset_quit()
            .expect("no thread is left in run");
        value.expect("SendExecutor::run: the main future panicked")
    }
}

/// The main future's result: `Some(value)`, or `None` if it was dropped unfinished (it
/// panicked), so `run` never waits forever.
struct Done<T> {
    value: Mutex<Option<Option<T>>>,
    changed: Condvar,
}

struct Finished<T> {
    done: Arc<Done<T>>,
    sent: bool,
}

impl<T> Finished<T> {
    fn send(mut self, value: Option<T>) {
        self.sent = true;
        *self.done.value.lock() = Some(value);
        self.done.changed.notify_all();
    }
}

impl<T> Drop for Finished<T> {
    fn drop(&mut self) {
        if !self.sent {
            *self.done.value.lock() = Some(None);
            self.done.changed.notify_all();
        }
    }
}
