//! `Loop` and `Dispatcher`: an async-loop (`async_loop_t`) on one zxsim port.
//!
//! What it owns: the port, one kernel timer (for delayed tasks), the tables of pending waits
//! (by key), posted tasks (by deadline) and receivers (by key), the loop state and the count of
//! threads inside [`Loop::run`]. All of it sits behind one lock (`Core::shared`), which is also
//! held across every syscall that names the port or timer — except the `zx_port_wait` of the
//! threads in `run`, and teardown closes both only once no thread is left there — so they are
//! never closed under a caller.
//!
//! Invariants:
//! - **Keys.** One counter per loop hands out every wait, task and receiver key: unique, never 0
//!   (key 0 is the loop's own: control packets are user packets with key 0, the timer's signal
//!   packet is the signal packet with key 0). A wait may take back its own key only after a
//!   cancel that answered `OK` (RFC-0240: nothing with that key is left in the port).
//! - **The tables are the truth.** A packet is dispatched only if its key is still in a table
//!   when the dispatching thread looks it up under the lock; a packet for an unknown key is
//!   dropped (a cancelled receiver, say). Removing a wait from the table is what gives its
//!   handler to exactly one party: the dispatching thread, `cancel` (which then answers `OK` and
//!   the handler never runs) or teardown (which calls it with `CANCELED`).
//! - **Timer.** Exactly one `wait_async` on the timer (key 0) is pending or its packet in flight
//!   while the loop runs; the thread that takes the timer packet runs the due tasks and re-arms.
//! - **Synchronized loops** look keys up under the serial lock too, so a cancel made from one
//!   of their handlers wins against a packet another thread already took.
//! - **Executor wake-ups** never get lost: one waking on a thread in `run` goes to that thread's
//!   LIFO slot; one that does not fit in the port (4096 user packets) waits in a deferred queue
//!   that threads in `run` move into the port as it drains.
//! - **Teardown** runs once, on the last thread to leave `run` after shutdown began (or on the
//!   thread that began it, if none was running), with no lock held while it calls handlers.
//!
//! Lock order: `serial` (synchronized loops) → a wait's or receiver's handler lock → `shared` →
//! kernel locks. Handlers are called with neither `shared` nor any kernel lock held.

// loom's `thread_local!` takes no `const` initialiser, so this module's thread-local doesn't.
#![allow(clippy::missing_const_for_thread_local)]

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, HashMap, VecDeque};

use rustc_hash::FxBuildHasher;
use zxsim_syscalls::kernel::{BindGuard, Process};
use zxsim_syscalls::sys::*;
use zxsim_syscalls::zx::{self, Status};

use crate::receiver::ReceiverInner;
use crate::sync::{self, thread_local, Arc, AtomicUsize, Condvar, Mutex, Ordering};
use crate::wait::{Wait, WaitInner};

/// Keys are distinct counter values: Fx hashing spreads them at a fraction of SipHash's cost on
/// the dispatch path.
type KeyMap<V> = HashMap<u64, V, FxBuildHasher>;

/// The loop's own key: control packets (user type) and the timer's signal packet.
pub(crate) const CONTROL_KEY: u64 = 0;

/// How to build a [`Loop`].
#[derive(Clone, Debug, Default)]
pub struct LoopConfig {
    /// A *synchronized* dispatcher: its handlers never run concurrently, however many threads
    /// serve the loop (the driver runtime's synchronized dispatchers; what a client binding that
    /// is not thread-safe needs), and `Wait::cancel` / `cancel_task` / receiver removal called
    /// from one of its handlers always win against a dispatch not yet started. A concurrent loop
    /// (`false`, async-loop's behaviour) runs handlers of different waits in parallel.
    pub synchronized: bool,
}

impl LoopConfig {
    /// A synchronized loop: handlers run one at a time.
    pub fn synchronized() -> LoopConfig {
        LoopConfig { synchronized: true }
    }
}

/// `async_loop_state_t`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LoopState {
    /// Dispatching (or ready to).
    Runnable,
    /// `quit()` was called: `run` returns `CANCELED` until `reset_quit()`.
    Quit,
    /// Shutdown has begun (maybe not finished: see [`Loop::shutdown`]). Every new operation
    /// answers `BAD_STATE`.
    Shutdown,
}

impl LoopState {
    fn code(self) -> usize {
        self as usize
    }
    fn from_code(code: usize) -> LoopState {
        match code {
            0 => LoopState::Runnable,
            1 => LoopState::Quit,
            _ => LoopState::Shutdown,
        }
    }
}

/// A wait handler: the dispatcher, the wait, `OK` (with the signal packet) or `CANCELED`
/// (without, at shutdown).
pub(crate) type WaitHandler =
    Box<dyn FnMut(&Dispatcher, &Wait, Status, Option<&zx::SignalPacket>) + Send>;
/// A task handler: `OK` when it is due, `CANCELED` at shutdown.
pub(crate) type TaskHandler = Box<dyn FnOnce(&Dispatcher, Status) + Send>;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Teardown {
    NotStarted,
    Claimed,
    Done,
}

struct Shared {
    state: LoopState,
    /// The next fresh key: never 0, never handed out twice by this loop.
    next_key: u64,
    waits: KeyMap<Arc<WaitInner>>,
    tasks: BTreeMap<(zx_time_t, u64), TaskHandler>,
    task_deadlines: KeyMap<zx_time_t>,
    /// The deadline the timer is armed for (`None`: disarmed).
    timer_deadline: Option<zx_time_t>,
    receivers: KeyMap<Arc<ReceiverInner>>,
    /// Receiver keys whose wake-up did not fit in the port (see `wake_receiver`).
    deferred: VecDeque<u64>,
    /// Threads inside `run` (loop threads and callers of `run`/`run_until_idle`).
    running: usize,
    teardown: Teardown,
    on_complete: Vec<Box<dyn FnOnce() + Send>>,
    port_closed: bool,
}

impl Shared {
    /// A fresh key. Keys are handed out under the loop's lock, which every caller holds anyway,
    /// so a plain counter does: an atomic would add a read-modify-write to every `begin`.
    fn fresh_key(&mut self) -> u64 {
        let key = self.next_key;
        self.next_key += 1;
        key
    }
}

/// The loop's state, shared by the [`Loop`], every [`Dispatcher`], [`Wait`] and receiver.
pub(crate) struct Core {
    port: zx_handle_t,
    timer: zx_handle_t,
    process: Arc<Process>,
    /// `rfc0240`: cancel waits with `zx_port_cancel_key`; `zircon`: with `zx_port_cancel`.
    cancel_by_key: bool,
    synchronized: bool,
    /// Mirror of `Shared::state` for the lock-free check at the top of each dispatch.
    state_now: AtomicUsize,
    /// Mirror of `Shared::deferred.len()`, checked without the lock before each dispatch.
    deferred_len: AtomicUsize,
    shared: Mutex<Shared>,
    /// Signalled when teardown is done.
    changed: Condvar,
    /// Held around every handler call of a synchronized loop.
    serial: Mutex<()>,
}

/// One loop on this thread's stack: inside its `run` (`in_run`), or a teardown or executor poll.
struct Frame {
    core: Arc<Core>,
    in_run: bool,
    /// The LIFO slot: the last task woken by this thread while in `run`, which it runs next
    /// (0: empty). Keeps a task woken by a handler on the thread that woke it, as tokio's LIFO
    /// slot does, instead of a round trip through the port to whichever thread takes it.
    next: Cell<u64>,
    /// Inside a to-user call of this loop (under the serial lock, on a synchronized loop).
    in_handler: Cell<bool>,
}

thread_local! {
    /// The loops whose `run` (or teardown, or executor poll) is on this thread's stack,
    /// innermost last.
    static CURRENT: RefCell<Vec<Frame>> = RefCell::new(Vec::new());
}

/// Marks the calling thread as running `core` until dropped.
pub(crate) struct Enter(());

impl Enter {
    pub(crate) fn new(core: &Arc<Core>) -> Enter {
        Enter::push(core, false)
    }

    fn run(core: &Arc<Core>) -> Enter {
        Enter::push(core, true)
    }

    fn push(core: &Arc<Core>, in_run: bool) -> Enter {
        CURRENT.with(|current| {
            current.borrow_mut().push(Frame {
                core: core.clone(),
                in_run,
                next: Cell::new(0),
                in_handler: Cell::new(false),
            })
        });
        Enter(())
    }
}

impl Drop for Enter {
    fn drop(&mut self) {
        CURRENT.with(|current| current.borrow_mut().pop());
    }
}

/// Slot dispatches in a row before a thread goes back to the port (so a task that keeps waking
/// itself cannot starve the port's packets, quit or shutdown).
const LIFO_BUDGET: u32 = 16;

/// Calls `Core::leave` when dropped.
struct Leave<'a>(&'a Arc<Core>);

impl Drop for Leave<'_> {
    fn drop(&mut self) {
        self.0.leave();
    }
}

enum Step {
    Dispatched,
    /// Nothing for the caller: a stale control packet or a packet for an unknown key.
    Nothing,
    Stop(Status),
}

fn control_packet() -> zx_port_packet_t {
    zx_port_packet_t {
        key: CONTROL_KEY,
        packet_type: ZX_PKT_TYPE_USER,
        status: ZX_OK,
        union: [0; 32],
    }
}

impl Core {
    fn new(config: &LoopConfig) -> Result<Arc<Core>, Status> {
        let (mut port, mut timer) = (ZX_HANDLE_INVALID, ZX_HANDLE_INVALID);
        zx::ok(zx_port_create(0, &mut port))?;
        if let Err(status) = zx::ok(zx_timer_create(0, ZX_CLOCK_MONOTONIC, &mut timer)) {
            zx_handle_close(port);
            return Err(status);
        }
        let registered = zx::ok(zx_object_wait_async(
            timer,
            port,
            CONTROL_KEY,
            ZX_TIMER_SIGNALED,
            0,
        ));
        if let Err(status) = registered {
            zx_handle_close_many(&[port, timer]);
            return Err(status);
        }
        Ok(Arc::new(Core {
            port,
            timer,
            process: Process::current(),
            cancel_by_key: zxsim_semantics_profile() == ZXSIM_PROFILE_RFC0240,
            synchronized: config.synchronized,
            state_now: AtomicUsize::new(LoopState::Runnable.code()),
            deferred_len: AtomicUsize::new(0),
            shared: Mutex::new(Shared {
                state: LoopState::Runnable,
                next_key: 1,
                waits: KeyMap::default(),
                tasks: BTreeMap::new(),
                task_deadlines: KeyMap::default(),
                timer_deadline: None,
                receivers: KeyMap::default(),
                deferred: VecDeque::new(),
                running: 0,
                teardown: Teardown::NotStarted,
                on_complete: Vec::new(),
                port_closed: false,
            }),
            changed: Condvar::new(),
            serial: Mutex::new(()),
        }))
    }

    /// Binds the loop's process on a thread bound to another process, or to none: the port's
    /// handle value means this port only there, and wakers, cancels and posts may come from any
    /// thread. A thread already bound to it (every loop thread) pays one thread-local read.
    fn bind_if_foreign(&self) -> Option<BindGuard> {
        if Process::with_current(|current| Arc::ptr_eq(current, &self.process)) {
            None
        } else {
            Some(self.process.bind())
        }
    }

    fn state(&self) -> LoopState {
        LoopState::from_code(self.state_now.load(Ordering::Acquire))
    }

    fn set_state(&self, shared: &mut Shared, state: LoopState) {
        shared.state = state;
        self.state_now.store(state.code(), Ordering::Release);
    }

    /// `BAD_STATE` once shutdown began: no new wait, task, receiver or packet.
    fn check_open(shared: &Shared) -> Result<(), Status> {
        if shared.state == LoopState::Shutdown {
            Err(Status::BAD_STATE)
        } else {
            Ok(())
        }
    }

    /// Wakes one thread in `run` (it passes the wake-up on, see `on_control`).
    fn queue_control(&self, shared: &Shared) {
        if !shared.port_closed {
            let status = zx_port_queue(self.port, &control_packet());
            debug_assert_eq!(status, ZX_OK, "queueing a control packet");
        }
    }

    pub(crate) fn is_current(self: &Arc<Core>) -> bool {
        CURRENT.with(|current| {
            current
                .borrow()
                .iter()
                .any(|frame| Arc::ptr_eq(&frame.core, self))
        })
    }

    pub(crate) fn is_synchronized(&self) -> bool {
        self.synchronized
    }

    /// Runs `f` — a dispatch: the table lookup and the to-user call. On a synchronized loop it
    /// runs under the serial lock, with this thread marked as inside a handler. Doing the
    /// lookup under the lock too is what lets a handler's `cancel` win against a packet another
    /// thread already took: that thread waits here and then finds the key gone.
    fn serialized<R>(&self, f: impl FnOnce() -> R) -> R {
        if !self.synchronized {
            // The in-handler mark only matters to a synchronized loop's cancel.
            return f();
        }
        let _serial = self.serial.lock();
        let previous = self.set_in_handler(true);
        struct Restore<'a>(&'a Core, Option<bool>);
        impl Drop for Restore<'_> {
            fn drop(&mut self) {
                if let Some(previous) = self.1 {
                    self.0.set_in_handler(previous);
                }
            }
        }
        let _restore = Restore(self, previous);
        f()
    }

    /// Sets the in-handler flag of this thread's innermost frame for this loop; the old value.
    fn set_in_handler(&self, value: bool) -> Option<bool> {
        CURRENT.with(|current| {
            current
                .borrow()
                .iter()
                .rev()
                .find(|frame| std::ptr::eq(Arc::as_ptr(&frame.core), self))
                .map(|frame| frame.in_handler.replace(value))
        })
    }

    /// Whether this thread is inside one of this loop's handlers.
    fn in_own_handler(&self) -> bool {
        CURRENT.with(|current| {
            current
                .borrow()
                .iter()
                .any(|frame| std::ptr::eq(Arc::as_ptr(&frame.core), self) && frame.in_handler.get())
        })
    }

    // ---- run ----------------------------------------------------------------------------

    pub(crate) fn run(self: &Arc<Core>, deadline: zx_time_t, once: bool) -> Result<(), Status> {
        // G5: a handler that ran the loop would nest handlers inside itself.
        let nested = CURRENT.with(|current| {
            current
                .borrow()
                .iter()
                .any(|frame| frame.in_run && Arc::ptr_eq(&frame.core, self))
        });
        if nested {
            return Err(Status::BAD_STATE);
        }
        {
            let mut shared = self.shared.lock();
            match shared.state {
                LoopState::Shutdown => return Err(Status::BAD_STATE),
                LoopState::Quit => return Err(Status::CANCELED),
                LoopState::Runnable => shared.running += 1,
            }
        }
        // Leaves on unwinding too (a panicking handler), so shutdown never waits for a dead
        // thread.
        let _leave = Leave(self);
        {
            let _enter = Enter::run(self);
            // One reference for every handler call of this `run`.
            let dispatcher = Dispatcher { core: self.clone() };
            let mut budget = 0;
            let result = loop {
                if self.deferred_len.load(Ordering::Relaxed) > 0 {
                    self.drain_deferred();
                }
                let next = self.take_next();
                if next != 0 {
                    if budget < LIFO_BUDGET && self.state() == LoopState::Runnable {
                        budget += 1;
                        if self.dispatch_receiver(&dispatcher, next) && once {
                            break Ok(());
                        }
                        continue;
                    }
                    self.queue_wake(next);
                }
                budget = 0;
                match self.run_once(&dispatcher, deadline) {
                    Step::Dispatched if once => break Ok(()),
                    Step::Dispatched | Step::Nothing => {}
                    Step::Stop(status) => break Err(status),
                }
            };
            // A wake-up left in the slot goes back to the port for whoever runs next.
            let next = self.take_next();
            if next != 0 {
                self.queue_wake(next);
            }
            result
        }
    }

    /// Takes this thread's LIFO slot for this loop (0 if empty or not in `run`).
    fn take_next(&self) -> u64 {
        CURRENT.with(|current| {
            current
                .borrow()
                .last()
                .filter(|frame| frame.in_run && std::ptr::eq(Arc::as_ptr(&frame.core), self))
                .map_or(0, |frame| frame.next.replace(0))
        })
    }

    /// Runs receiver `key`'s handler as if its packet had arrived; `false` if it is gone.
    fn dispatch_receiver(&self, dispatcher: &Dispatcher, key: u64) -> bool {
        self.serialized(|| {
            let Some(receiver) = self.shared.lock().receivers.get(&key).cloned() else {
                return false;
            };
            receiver.call(dispatcher, Status::OK, &zx::UserPacket::default());
            true
        })
    }

    fn run_once(&self, dispatcher: &Dispatcher, deadline: zx_time_t) -> Step {
        match self.state() {
            LoopState::Runnable => {}
            LoopState::Quit => return Step::Stop(Status::CANCELED),
            LoopState::Shutdown => return Step::Stop(Status::BAD_STATE),
        }
        let mut raw = zx_port_packet_t::default();
        let status = zx_port_wait(self.port, deadline, &mut raw);
        if status != ZX_OK {
            return Step::Stop(Status::from_raw(status));
        }
        if raw.key == CONTROL_KEY {
            if raw.packet_type == ZX_PKT_TYPE_USER {
                return self.on_control();
            }
            self.dispatch_timer(dispatcher);
            return Step::Dispatched;
        }
        self.dispatch(dispatcher, &raw)
    }

    /// A control packet: stop if the loop quit or shut down, passing the wake-up on to the
    /// next thread in `run`; a stale one (left by an earlier quit) is ignored.
    fn on_control(&self) -> Step {
        let shared = self.shared.lock();
        let stop = match shared.state {
            LoopState::Runnable => return Step::Nothing,
            LoopState::Quit => Status::CANCELED,
            LoopState::Shutdown => Status::BAD_STATE,
        };
        if shared.running > 1 {
            self.queue_control(&shared);
        }
        Step::Stop(stop)
    }

    fn dispatch(&self, dispatcher: &Dispatcher, raw: &zx_port_packet_t) -> Step {
        enum Target {
            Wait(Arc<WaitInner>),
            Receiver(Arc<ReceiverInner>),
        }
        self.serialized(|| {
            let target = {
                let mut shared = self.shared.lock();
                if let Some(wait) = shared.waits.remove(&raw.key) {
                    wait.pending.store(0, Ordering::Relaxed);
                    Target::Wait(wait)
                } else if let Some(receiver) = shared.receivers.get(&raw.key) {
                    Target::Receiver(receiver.clone())
                } else {
                    tracing::trace!(target: "zxsim::async", key = raw.key, "packet for an unknown key dropped");
                    return Step::Nothing;
                }
            };
            let packet = zx::Packet::from_raw(*raw);
            let status = Status::from_raw(raw.status);
            match (target, packet.contents()) {
                (Target::Wait(wait), zx::PacketContents::SignalOne(signal)) => {
                    WaitInner::call(wait, dispatcher, status, Some(&signal))
                }
                (Target::Wait(wait), _) => WaitInner::call(wait, dispatcher, status, None),
                (Target::Receiver(receiver), zx::PacketContents::User(user)) => {
                    receiver.call(dispatcher, status, &user)
                }
                (Target::Receiver(_), _) => {}
            }
            Step::Dispatched
        })
    }

    /// The timer fired: runs the tasks due now, one at a time (each taken from the table under
    /// the serial lock, like a packet), then re-arms. Tasks posted meanwhile wait for the next
    /// timer packet, so a task that keeps re-posting itself cannot hold this thread forever.
    fn dispatch_timer(&self, dispatcher: &Dispatcher) {
        let now = zx_clock_get_monotonic();
        let first_new_key = self.shared.lock().next_key;
        loop {
            let ran = self.serialized(|| {
                let handler = {
                    let mut shared = self.shared.lock();
                    if shared.state == LoopState::Shutdown {
                        // Teardown calls the pending tasks with CANCELED.
                        return None;
                    }
                    match shared.tasks.first_entry() {
                        Some(entry) if entry.key().0 <= now && entry.key().1 < first_new_key => {
                            let ((_, key), handler) = entry.remove_entry();
                            shared.task_deadlines.remove(&key);
                            handler
                        }
                        _ => return Some(false),
                    }
                };
                handler(dispatcher, Status::OK);
                Some(true)
            });
            match ran {
                Some(true) => {}
                Some(false) => break,
                None => return,
            }
        }
        let mut shared = self.shared.lock();
        if shared.state != LoopState::Shutdown {
            self.rearm_timer(&mut shared);
        }
    }

    /// Arms the timer for the earliest task (or disarms it) and registers the next timer wait.
    fn rearm_timer(&self, shared: &mut Shared) {
        let next = shared
            .tasks
            .first_key_value()
            .map(|((deadline, _), _)| *deadline);
        let status = match next {
            Some(deadline) => zx_timer_set(self.timer, deadline, 0),
            None => zx_timer_cancel(self.timer),
        };
        debug_assert_eq!(status, ZX_OK);
        shared.timer_deadline = next;
        let status = zx_object_wait_async(self.timer, self.port, CONTROL_KEY, ZX_TIMER_SIGNALED, 0);
        debug_assert_eq!(status, ZX_OK);
    }

    fn leave(self: &Arc<Core>) {
        let claim = {
            let mut shared = self.shared.lock();
            shared.running -= 1;
            let claim = shared.running == 0
                && shared.state == LoopState::Shutdown
                && shared.teardown == Teardown::NotStarted;
            if claim {
                shared.teardown = Teardown::Claimed;
            }
            claim
        };
        if claim {
            self.teardown();
        }
    }

    // ---- quit / shutdown ----------------------------------------------------------------

    pub(crate) fn quit(&self) {
        let _bound = self.bind_if_foreign();
        let mut shared = self.shared.lock();
        if shared.state == LoopState::Runnable {
            self.set_state(&mut shared, LoopState::Quit);
            if shared.running > 0 {
                self.queue_control(&shared);
            }
        }
    }

    pub(crate) fn reset_quit(&self) -> Result<(), Status> {
        let mut shared = self.shared.lock();
        match shared.state {
            LoopState::Shutdown => Err(Status::BAD_STATE),
            _ if shared.running > 0 => Err(Status::BAD_STATE),
            _ => {
                self.set_state(&mut shared, LoopState::Runnable);
                Ok(())
            }
        }
    }

    pub(crate) fn shutdown_async(self: &Arc<Core>, on_complete: Option<Box<dyn FnOnce() + Send>>) {
        let _bound = self.bind_if_foreign();
        let mut run_now = None;
        let claim = {
            let mut shared = self.shared.lock();
            if shared.teardown == Teardown::Done {
                run_now = on_complete;
                false
            } else {
                shared.on_complete.extend(on_complete);
                if shared.state != LoopState::Shutdown {
                    self.set_state(&mut shared, LoopState::Shutdown);
                    if shared.running > 0 {
                        self.queue_control(&shared);
                    }
                }
                let claim = shared.running == 0 && shared.teardown == Teardown::NotStarted;
                if claim {
                    shared.teardown = Teardown::Claimed;
                }
                claim
            }
        };
        if let Some(on_complete) = run_now {
            on_complete();
        }
        if claim {
            self.teardown();
        }
    }

    /// Shutdown steps 3–4 (see [`Loop::shutdown`]): every pending wait and task handler once
    /// with `CANCELED`, receivers dropped, port and timer closed, then the `on_complete`
    /// callbacks — the last to-user calls.
    fn teardown(self: &Arc<Core>) {
        let _bound = self.process.bind();
        let _enter = Enter::new(self);
        let dispatcher = Dispatcher { core: self.clone() };
        loop {
            // A CANCELED handler cannot add work (BAD_STATE), but take everything in rounds
            // anyway so nothing registered concurrently with the state change is missed.
            let (waits, tasks) = {
                let mut shared = self.shared.lock();
                let waits: Vec<_> = shared.waits.drain().map(|(_, wait)| wait).collect();
                for wait in &waits {
                    wait.pending.store(0, Ordering::Relaxed);
                }
                shared.task_deadlines.clear();
                let tasks = std::mem::take(&mut shared.tasks);
                (waits, tasks)
            };
            if waits.is_empty() && tasks.is_empty() {
                break;
            }
            for wait in waits {
                self.serialized(|| WaitInner::call(wait, &dispatcher, Status::CANCELED, None));
            }
            for (_, handler) in tasks {
                self.serialized(|| handler(&dispatcher, Status::CANCELED));
            }
        }
        let receivers = {
            let mut shared = self.shared.lock();
            shared.port_closed = true;
            zx_handle_close_many(&[self.port, self.timer]);
            std::mem::take(&mut shared.receivers)
        };
        // Outside the lock: a receiver's handler may own futures whose drop calls back in.
        drop(receivers);
        drop(dispatcher);
        loop {
            let callbacks = {
                let mut shared = self.shared.lock();
                if shared.on_complete.is_empty() {
                    shared.teardown = Teardown::Done;
                    self.changed.notify_all();
                    break;
                }
                std::mem::take(&mut shared.on_complete)
            };
            for callback in callbacks {
                callback();
            }
        }
    }

    fn wait_for_teardown(&self) {
        let mut shared = self.shared.lock();
        while shared.teardown != Teardown::Done {
            shared = self.changed.wait(shared);
        }
    }

    // ---- waits --------------------------------------------------------------------------

    pub(crate) fn begin_wait(&self, wait: &Arc<WaitInner>) -> Result<(), Status> {
        let _bound = self.bind_if_foreign();
        let mut shared = self.shared.lock();
        Self::check_open(&shared)?;
        if wait.pending.load(Ordering::Relaxed) != 0 {
            return Err(Status::ALREADY_EXISTS);
        }
        // `reusable` is written only under the loop's lock, held here: a load and a store do,
        // where a swap would be one more read-modify-write on every `begin`.
        let key = match wait.reusable.load(Ordering::Relaxed) {
            0 => shared.fresh_key(),
            key => {
                wait.reusable.store(0, Ordering::Relaxed);
                key
            }
        };
        zx::ok(zx_object_wait_async(
            wait.object,
            self.port,
            key,
            wait.trigger,
            wait.options,
        ))?;
        wait.pending.store(key, Ordering::Relaxed);
        shared.waits.insert(key, wait.clone());
        Ok(())
    }

    pub(crate) fn cancel_wait(&self, wait: &WaitInner) -> Result<(), Status> {
        let _bound = self.bind_if_foreign();
        let mut shared = self.shared.lock();
        let key = wait.pending.load(Ordering::Relaxed);
        if key == 0 || shared.port_closed {
            return Err(Status::NOT_FOUND);
        }
        let status = if self.cancel_by_key {
            zx_port_cancel_key(self.port, 0, key)
        } else {
            zx_port_cancel(self.port, wait.object, key)
        };
        // On a synchronized loop, a handler excludes every other dispatch: a packet another
        // thread already took waits for the serial lock and will find its key gone. So cancel
        // from a handler always wins there (the driver runtime's rule).
        let taken_but_not_looked_up =
            status == ZX_ERR_NOT_FOUND && self.synchronized && self.in_own_handler();
        if status != ZX_OK && !taken_but_not_looked_up {
            return Err(Status::from_raw(status));
        }
        shared.waits.remove(&key);
        wait.pending.store(0, Ordering::Relaxed);
        if status == ZX_OK {
            // Nothing with this key is left in the port: the wait may take it back.
            wait.reusable.store(key, Ordering::Relaxed);
        }
        Ok(())
    }

    // ---- tasks --------------------------------------------------------------------------

    fn post_task(&self, deadline: zx_time_t, handler: TaskHandler) -> Result<PostedTask, Status> {
        let _bound = self.bind_if_foreign();
        let mut shared = self.shared.lock();
        Self::check_open(&shared)?;
        let key = shared.fresh_key();
        shared.tasks.insert((deadline, key), handler);
        shared.task_deadlines.insert(key, deadline);
        if shared.timer_deadline.is_none_or(|armed| deadline < armed) {
            zx::ok(zx_timer_set(self.timer, deadline, 0))?;
            shared.timer_deadline = Some(deadline);
        }
        Ok(PostedTask { key, deadline })
    }

    fn cancel_task(&self, task: &PostedTask) -> Result<(), Status> {
        let mut shared = self.shared.lock();
        match shared.task_deadlines.remove(&task.key) {
            Some(deadline) => {
                shared.tasks.remove(&(deadline, task.key));
                Ok(())
            }
            None => Err(Status::NOT_FOUND),
        }
    }

    /// The earliest pending task's deadline.
    pub(crate) fn next_task_deadline(&self) -> Option<zx_time_t> {
        let shared = self.shared.lock();
        shared
            .tasks
            .first_key_value()
            .map(|((deadline, _), _)| *deadline)
    }

    // ---- receivers ----------------------------------------------------------------------

    pub(crate) fn add_receiver(&self, receiver: Arc<ReceiverInner>) -> Result<u64, Status> {
        let mut shared = self.shared.lock();
        Self::check_open(&shared)?;
        let key = shared.fresh_key();
        shared.receivers.insert(key, receiver);
        Ok(key)
    }

    pub(crate) fn queue_packet(
        &self,
        key: u64,
        status: Status,
        data: &zx::UserPacket,
    ) -> Result<(), Status> {
        let _bound = self.bind_if_foreign();
        let shared = self.shared.lock();
        Self::check_open(&shared)?;
        if !shared.receivers.contains_key(&key) {
            return Err(Status::NOT_FOUND);
        }
        let packet = zx::Packet::from_user_packet(key, status.into_raw(), *data);
        zx::ok(zx_port_queue(self.port, packet.raw_packet()))
    }

    /// Unregisters the receiver and drops its queued packets. Its handler is dropped here,
    /// outside the lock, unless a dispatching thread is calling it right now.
    /// With `purge` false the caller knows no packet of this receiver is queued (an executor
    /// task finishing while it runs), which saves the `zx_port_cancel_key`.
    pub(crate) fn remove_receiver(&self, key: u64, purge: bool) -> bool {
        let _bound = self.bind_if_foreign();
        let removed = {
            let mut shared = self.shared.lock();
            let removed = shared.receivers.remove(&key);
            if removed.is_some() && purge && !shared.port_closed {
                // NOT_FOUND (nothing queued) is the common case.
                let _ = zx_port_cancel_key(self.port, 0, key);
            }
            if !shared.deferred.is_empty() {
                shared.deferred.retain(|deferred| *deferred != key);
                self.deferred_len
                    .store(shared.deferred.len(), Ordering::Relaxed);
            }
            removed
        };
        removed.is_some()
    }

    /// Wakes an executor task: a user packet for receiver `key`, or — if the port already holds
    /// its maximum of user packets — a place in the deferred queue, which the loop's threads
    /// move into the port as room frees up. A wake-up is never lost; after shutdown began (or
    /// once the receiver is gone) there is nothing left to wake and it is dropped.
    pub(crate) fn wake_receiver(&self, key: u64) {
        // On a thread in this loop's `run`: into the LIFO slot; a displaced wake-up goes to
        // the port.
        let displaced = CURRENT.with(|current| {
            let frames = current.borrow();
            match frames.last() {
                Some(frame) if frame.in_run && std::ptr::eq(Arc::as_ptr(&frame.core), self) => {
                    Some(frame.next.replace(key))
                }
                _ => None,
            }
        });
        match displaced {
            Some(0) => {}
            Some(previous) => self.queue_wake(previous),
            None => self.queue_wake(key),
        }
    }

    fn queue_wake(&self, key: u64) {
        let _bound = self.bind_if_foreign();
        let mut shared = self.shared.lock();
        if shared.state == LoopState::Shutdown || !shared.receivers.contains_key(&key) {
            return;
        }
        let packet = zx::Packet::from_user_packet(key, ZX_OK, zx::UserPacket::default());
        if !shared.deferred.is_empty() || zx_port_queue(self.port, packet.raw_packet()) != ZX_OK {
            shared.deferred.push_back(key);
            self.deferred_len
                .store(shared.deferred.len(), Ordering::Relaxed);
        }
    }

    /// Moves deferred wake-ups into the port while it has room (a packet was just taken).
    fn drain_deferred(&self) {
        let mut shared = self.shared.lock();
        while let Some(&key) = shared.deferred.front() {
            if shared.receivers.contains_key(&key) && !shared.port_closed {
                let packet = zx::Packet::from_user_packet(key, ZX_OK, zx::UserPacket::default());
                if zx_port_queue(self.port, packet.raw_packet()) != ZX_OK {
                    break;
                }
            }
            shared.deferred.pop_front();
        }
        self.deferred_len
            .store(shared.deferred.len(), Ordering::Relaxed);
    }
}

impl Drop for Core {
    fn drop(&mut self) {
        // Only a forgotten `Loop` gets here without teardown; its handles close with it.
        if !self.shared.lock().port_closed {
            let _bound = self.process.bind();
            zx_handle_close_many(&[self.port, self.timer]);
        }
    }
}

/// A posted task (`async_task_t`): its key and deadline, to cancel it with
/// [`Dispatcher::cancel_task`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PostedTask {
    key: u64,
    deadline: zx_time_t,
}

impl PostedTask {
    pub fn key(&self) -> u64 {
        self.key
    }

    pub fn deadline(&self) -> zx::MonotonicInstant {
        zx::MonotonicInstant::from_nanos(self.deadline)
    }
}

/// `async_dispatcher_t`: a cheap, cloneable, `Send + Sync` reference to a loop, through which
/// waits, tasks and receivers are registered.
///
/// **G5 — no nesting.** Every to-user call (wait, task and receiver handlers, `shutdown_async`
/// callbacks) is made by the dispatcher from a thread inside [`Loop::run`] (a loop thread or a
/// caller of `run`/`run_until_idle`), never from inside another user call such as `begin`,
/// `cancel`, `post_task` or `quit` — those only register or unregister. The one exception is
/// teardown, which may complete on the thread that began shutdown, with no lock held.
/// [`Dispatcher::current`] names the dispatcher whose handler is running on this thread.
#[derive(Clone)]
pub struct Dispatcher {
    pub(crate) core: Arc<Core>,
}

impl std::fmt::Debug for Dispatcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Dispatcher")
            .field("port", &self.core.port)
            .field("state", &self.core.state())
            .field("synchronized", &self.core.synchronized)
            .finish()
    }
}

impl Dispatcher {
    /// The dispatcher running on this thread: the innermost `run`, handler or teardown.
    pub fn current() -> Option<Dispatcher> {
        CURRENT.with(|current| {
            current.borrow().last().map(|frame| Dispatcher {
                core: frame.core.clone(),
            })
        })
    }

    /// Whether this thread is running this dispatcher (inside its `run` or one of its handlers).
    /// Bindings that must be used on their dispatcher check this.
    pub fn is_current(&self) -> bool {
        self.core.is_current()
    }

    /// Whether handlers of this dispatcher never run concurrently.
    pub fn is_synchronized(&self) -> bool {
        self.core.is_synchronized()
    }

    pub fn state(&self) -> LoopState {
        self.core.state()
    }

    /// `async_now`: the kernel's monotonic clock (virtual in tests).
    pub fn now(&self) -> zx::MonotonicInstant {
        zx::MonotonicInstant::from_nanos(zx_clock_get_monotonic())
    }

    /// `async_post_task`: runs `handler` once, as soon as possible, with `OK` — or with
    /// `CANCELED` at shutdown (G1). `BAD_STATE` once shutdown began.
    pub fn post_task(
        &self,
        handler: impl FnOnce(&Dispatcher, Status) + Send + 'static,
    ) -> Result<PostedTask, Status> {
        self.post_delayed_task(zx::MonotonicInstant::INFINITE_PAST, handler)
    }

    /// `async_post_task` with a deadline on the kernel clock: with a virtual clock the task
    /// becomes due only when the test advances time. Tasks run in (deadline, post) order.
    pub fn post_delayed_task(
        &self,
        deadline: zx::MonotonicInstant,
        handler: impl FnOnce(&Dispatcher, Status) + Send + 'static,
    ) -> Result<PostedTask, Status> {
        self.core
            .post_task(deadline.into_nanos(), Box::new(handler))
    }

    /// `async_cancel_task`. `OK`: the handler will never run and has been dropped (G2).
    /// `NOT_FOUND`: it already ran, is running now, or was cancelled (G3).
    pub fn cancel_task(&self, task: &PostedTask) -> Result<(), Status> {
        self.core.cancel_task(task)
    }

    /// Makes every `run` return `CANCELED` (see [`Loop::quit`]).
    pub fn quit(&self) {
        self.core.quit()
    }

    /// Begins shutdown from any thread — a handler of this dispatcher included — and returns at
    /// once; `on_complete` runs exactly once, after the last to-user call of the loop (see
    /// [`Loop::shutdown_async`]).
    pub fn shutdown_async(&self, on_complete: impl FnOnce() + Send + 'static) {
        self.core.shutdown_async(Some(Box::new(on_complete)))
    }

    pub(crate) fn next_task_deadline(&self) -> Option<zx_time_t> {
        self.core.next_task_deadline()
    }

    /// The loop's port, for diagnostics and tests (e.g. queueing a packet for an unknown key).
    /// Waiting on it would steal the loop's packets.
    pub fn port_handle(&self) -> zx_handle_t {
        self.core.port
    }
}

/// `async_loop_t`: a dispatcher on one port, served by the threads that call [`Loop::run`] and
/// the loop threads started with [`Loop::start_thread`].
///
/// **G4 — shutdown.** [`Loop::shutdown`] (and dropping the loop) follows async-loop's order:
/// 1. the state becomes [`LoopState::Shutdown`]: every new `begin`, `post_task`, receiver or
///    `queue_packet` answers `BAD_STATE`, and every `run` returns `BAD_STATE`;
/// 2. the threads in `run` are woken (a control packet each) and the loop threads joined;
/// 3. once the last thread has left `run` — so no handler is in flight — every still-pending
///    wait and task handler is called exactly once with `CANCELED` (waits first), and the
///    receivers are dropped;
/// 4. the port and the timer are closed, then `shutdown_async` callbacks run.
///
/// When `shutdown` returns, all four steps are done (tested by `shutdown_order` in
/// `tests/loop.rs` and the loom model `shutdown_vs_in_flight_handler`).
pub struct Loop {
    dispatcher: Dispatcher,
    threads: Mutex<Vec<sync::thread::JoinHandle<()>>>,
}

impl Loop {
    /// `async_loop_create`: a port and a timer in the calling thread's process. Loop threads
    /// are bound to the same process.
    pub fn new(config: LoopConfig) -> Result<Loop, Status> {
        Ok(Loop {
            dispatcher: Dispatcher {
                core: Core::new(&config)?,
            },
            threads: Mutex::new(Vec::new()),
        })
    }

    /// `async_loop_get_dispatcher`.
    pub fn dispatcher(&self) -> &Dispatcher {
        &self.dispatcher
    }

    /// `async_loop_run`: dispatches until `deadline` (`TIMED_OUT`), `quit` (`CANCELED`) or
    /// shutdown (`BAD_STATE`); with `once`, returns `Ok` after the first dispatch. Handlers run
    /// on the calling thread. Called from one of this loop's own handlers it answers
    /// `BAD_STATE` at once (G5: handlers never nest).
    pub fn run(&self, deadline: zx::MonotonicInstant, once: bool) -> Result<(), Status> {
        self.dispatcher.core.run(deadline.into_nanos(), once)
    }

    /// `async_loop_run_until_idle`: dispatches everything already due (packets queued, tasks
    /// whose deadline passed) and returns `Ok` when nothing is left.
    pub fn run_until_idle(&self) -> Result<(), Status> {
        match self
            .dispatcher
            .core
            .run(zx::MonotonicInstant::INFINITE_PAST.into_nanos(), false)
        {
            Err(Status::TIMED_OUT) => Ok(()),
            other => other,
        }
    }

    /// `async_loop_quit`: every thread in `run` returns `CANCELED` after its current handler;
    /// new calls to `run` return at once, until [`Loop::reset_quit`].
    pub fn quit(&self) {
        self.dispatcher.quit()
    }

    /// `async_loop_reset_quit`: back to `Runnable`. `BAD_STATE` while a thread is still in
    /// `run` (join the loop threads first) or after shutdown.
    pub fn reset_quit(&self) -> Result<(), Status> {
        self.dispatcher.core.reset_quit()
    }

    pub fn state(&self) -> LoopState {
        self.dispatcher.state()
    }

    /// `async_loop_start_thread`: a loop thread bound to the loop's process, running `run` until
    /// quit or shutdown. `BAD_STATE` after shutdown began.
    pub fn start_thread(&self, name: &str) -> Result<(), Status> {
        let core = self.dispatcher.core.clone();
        if core.state() == LoopState::Shutdown {
            return Err(Status::BAD_STATE);
        }
        let process = core.process.clone();
        let handle = sync::spawn_bound(&process, name, move || {
            let _ = core.run(ZX_TIME_INFINITE, false);
        });
        self.threads.lock().push(handle);
        Ok(())
    }

    /// `async_loop_join_threads`: waits for the loop threads to leave `run` (after `quit` or
    /// shutdown). A loop thread that panicked is reported by panicking here.
    pub fn join_threads(&self) {
        let threads = std::mem::take(&mut *self.threads.lock());
        for thread in threads {
            thread.join().expect("a loop thread panicked");
        }
    }

    /// `async_loop_shutdown`: the four steps of shutdown (G4), all done when it returns. Must
    /// not be called from one of the loop's own handlers (it would wait for itself): that
    /// panics; use [`Loop::shutdown_async`] there. Idempotent.
    pub fn shutdown(&self) {
        assert!(
            !self.dispatcher.core.is_current(),
            "Loop::shutdown called from the loop's own thread; use shutdown_async"
        );
        self.dispatcher.core.shutdown_async(None);
        self.join_threads();
        self.dispatcher.core.wait_for_teardown();
    }

    /// Two-phase shutdown, phase one: begins shutdown from any thread (a handler of this loop
    /// included) and returns at once. Phase two — steps 3 and 4 of [`Loop::shutdown`] — runs on
    /// the last thread to leave `run` (or here, if none is in it); `on_complete` runs exactly
    /// once, after the last to-user call. Called after teardown finished, it runs
    /// `on_complete` at once.
    pub fn shutdown_async(&self, on_complete: impl FnOnce() + Send + 'static) {
        self.dispatcher.shutdown_async(on_complete)
    }
}

impl Drop for Loop {
    /// Dropping a loop shuts it down ([`Loop::shutdown`]).
    fn drop(&mut self) {
        if self.dispatcher.core.is_current() {
            // Dropped by one of its own handlers: it cannot wait for itself.
            self.dispatcher.core.shutdown_async(None);
        } else {
            self.shutdown();
        }
    }
}

impl std::fmt::Debug for Loop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Loop")
            .field("dispatcher", &self.dispatcher)
            .finish()
    }
}
