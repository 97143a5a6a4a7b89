//! Timer: asserts `ZX_TIMER_SIGNALED` when the kernel clock reaches its deadline (spec §9).
//!
//! State: the slack mode chosen at creation, the clock id, and — while armed — the deadline, the
//! slack and the clock entry that will fire it. Each arming gets a new generation; a firing whose
//! generation is no longer current does nothing, so after `set` or `cancel` returns, a stale
//! firing can never assert SIGNALED (the entry is also withdrawn, but a firing already running
//! on the advancing / service thread is stopped by the generation check under the timer lock).
//!
//! Signals: only `ZX_TIMER_SIGNALED`, which user code cannot set. Timers fire on the kernel
//! clock: on the virtual clock when a test advances time, in deadline order, on the advancing
//! thread; on the real clock on the kernel's single timer-service thread.
//!
//! Firing time: within the slack window — CENTER `[d−s, d+s]`, EARLY `[d−s, d]`, LATE
//! `[d, d+s]`. zxsim fires at the earliest instant that every mode's window allows and that
//! real-clock wake-up latency keeps inside the window: `d` for CENTER and LATE, `d − s` for EARLY.

use crate::clock::DeadlineId;
use crate::object::{Dispatcher, KernelObject};
use crate::signal::SignalState;
use crate::sync::{Arc, LockClass, Mutex};
use crate::types::{Koid, ObjType, Rights, Signals, Time};

pub const TIMER_SLACK_CENTER: u32 = 0;
pub const TIMER_SLACK_EARLY: u32 = 1;
pub const TIMER_SLACK_LATE: u32 = 2;
pub const CLOCK_MONOTONIC: u32 = 0;
pub const CLOCK_BOOT: u32 = 1;

struct Armed {
    deadline: Time,
    slack: i64,
    entry: Option<DeadlineId>,
}

struct TimerState {
    signals: SignalState,
    armed: Option<Armed>,
    generation: u64,
    /// The last handle is gone. A `zx_timer_set` that looked its handle up before a racing
    /// close can still arrive; it must not arm, since the clock entry would keep the object
    /// alive, handle-less, until its deadline.
    dead: bool,
}

pub struct Timer {
    options: u32,
    clock_id: u32,
    state: Mutex<TimerState>,
}

/// `ZX_INFO_TIMER`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TimerInfo {
    pub options: u32,
    pub clock_id: u32,
    pub deadline: Time,
    pub slack: i64,
}

impl Timer {
    /// `options` is the slack mode (validated by the syscall), `clock_id` MONOTONIC or BOOT.
    pub fn new(options: u32, clock_id: u32) -> Self {
        Timer {
            options,
            clock_id,
            state: Mutex::ranked(
                LockClass::Object,
                TimerState {
                    signals: SignalState::default(),
                    armed: None,
                    generation: 0,
                    dead: false,
                },
            ),
        }
    }

    fn fire_time(&self, deadline: Time, slack: i64) -> Time {
        match self.options {
            TIMER_SLACK_EARLY => deadline.saturating_sub(slack),
            _ => deadline,
        }
    }

    /// Clears SIGNALED, forgets the armed deadline and moves to a new generation. Returns the
    /// clock entry to withdraw (outside the timer lock).
    fn disarm(&self, state: &mut TimerState) -> Option<DeadlineId> {
        state.generation += 1;
        state.signals.update(Signals::TIMER_SIGNALED, Signals::NONE);
        state.armed.take().and_then(|armed| armed.entry)
    }

    fn fire(&self, koid: Koid, generation: u64) {
        let mut state = self.state.lock();
        if state.generation != generation || state.armed.is_none() {
            return;
        }
        tracing::trace!(
            target: "zxsim::flow",
            flow = "timer",
            phase = "f",
            a = koid,
            b = generation,
            "timer fired"
        );
        state.armed = None;
        state.signals.update(Signals::NONE, Signals::TIMER_SIGNALED);
    }

    /// `ZX_INFO_TIMER`: deadline and slack are 0 when not armed (also after firing).
    pub fn info(&self) -> TimerInfo {
        let state = self.state.lock();
        let (deadline, slack) = state
            .armed
            .as_ref()
            .map_or((0, 0), |armed| (armed.deadline, armed.slack));
        TimerInfo {
            options: self.options,
            clock_id: self.clock_id,
            deadline,
            slack,
        }
    }
}

impl Dispatcher<Timer> {
    /// `zx_timer_set` once arguments are checked: cancels any pending deadline, clears SIGNALED,
    /// then either signals at once (deadline 0 or already past) or arms; the clock entry holds the
    /// timer until it fires or is withdrawn.
    pub fn set(self: &Arc<Self>, deadline: Time, slack: i64) {
        let clock = self.kernel_shared().clock();
        let stale = {
            let mut state = self.state.lock();
            let stale = self.disarm(&mut state);
            if state.dead
                && !(self.kernel_shared().config)
                    .plants(crate::config::PlantedRace::TimerSetAfterClose)
            {
                // Ordered after the close: as if the set had run first and the close had then
                // disarmed it.
                stale
            } else if deadline == 0 || deadline <= clock.now() {
                state.signals.update(Signals::NONE, Signals::TIMER_SIGNALED);
                stale
            } else {
                let generation = state.generation;
                let target = self.clone();
                let fire_at = self.fire_time(deadline, slack);
                // Scheduling under the timer lock is safe: the clock never runs an action while
                // holding its own lock, and a virtual entry only runs when time is advanced.
                tracing::trace!(
                    target: "zxsim::flow",
                    flow = "timer",
                    phase = "s",
                    a = self.koid(),
                    b = generation,
                    deadline,
                    "timer armed"
                );
                let koid = self.koid();
                // A trace follows the firing onto whichever thread runs it (the real clock's
                // service thread has no subscriber of its own).
                let trace = tracing::enabled!(target: "zxsim::flow", tracing::Level::TRACE)
                    .then(|| tracing::dispatcher::get_default(Clone::clone));
                let entry = clock.schedule(
                    fire_at,
                    Box::new(move || match &trace {
                        Some(dispatch) => tracing::dispatcher::with_default(dispatch, || {
                            target.fire(koid, generation)
                        }),
                        None => target.fire(koid, generation),
                    }),
                );
                state.armed = Some(Armed {
                    deadline,
                    slack,
                    entry,
                });
                stale
            }
        };
        if let Some(entry) = stale {
            clock.cancel_deadline(entry);
        }
    }

    /// `zx_timer_cancel`: disarms and clears SIGNALED (even if it had fired).
    pub fn cancel(self: &Arc<Self>) {
        let stale = self.disarm(&mut self.state.lock());
        if let Some(entry) = stale {
            self.kernel_shared().clock().cancel_deadline(entry);
        }
    }
}

impl KernelObject for Timer {
    const TYPE: ObjType = ObjType::TIMER;
    /// BASIC | WRITE | SIGNAL (0xD00B): no READ.
    const DEFAULT_RIGHTS: Rights = Rights::BASIC.union(Rights::WRITE).union(Rights::SIGNAL);

    fn with_signals<R>(&self, f: impl FnOnce(&mut SignalState) -> R) -> R {
        f(&mut self.state.lock().signals)
    }

    /// The last handle is gone: disarm. The clock entry holds the object, so it is withdrawn
    /// here (it would otherwise keep the timer alive until its deadline).
    fn on_zero_handles(&self, object: &Dispatcher) {
        let entry = {
            let mut state = self.state.lock();
            state.dead = true;
            state.generation += 1;
            state.armed.take().and_then(|armed| armed.entry)
        };
        if let Some(entry) = entry {
            object.kernel_shared().clock().cancel_deadline(entry);
        }
    }
}
