//! The kernel clock: the single source of time for every deadline in the kernel.
//!
//! A kernel runs on either the **real** monotonic clock (nanoseconds since the kernel was made) or
//! a **virtual** clock that only moves when a test calls [`Clock::advance`]. Blocking waits never
//! call a timed OS primitive directly: they go through [`Clock::block`], which on the real clock
//! is a timed condvar wait and on the virtual clock an untimed one, paired with a deadline entry
//! ([`Clock::on_deadline`]) that `advance` fires. That is what lets loom models (no clock in
//! loom) and tests (no sleeping) drive timeouts explicitly and deterministically.
//!
//! Timers need more than waits: on the real clock a deadline must fire with nobody blocked on it.
//! [`Clock::schedule`] covers both clocks: on the virtual clock it is a deadline entry, on the
//! real clock it goes to the kernel's **one** timer-service thread (started on first use, stopped
//! when the clock is dropped), so 10 000 armed timers cost one thread.
//!
//! Invariants:
//! - virtual time never goes backwards;
//! - `advance` stores the new time *before* running deadline entries, and a sleeper re-reads the
//!   time under its own lock before it blocks, so an expiry is never missed;
//! - deadline entries run in (deadline, registration) order, on the advancing thread, with no
//!   clock lock held.

use std::collections::BTreeMap;

use crate::sync::{Arc, AtomicI64, AtomicU64, Condvar, LockClass, Mutex, MutexGuard, Ordering};
use crate::types::{Time, TIME_INFINITE};

/// Which clock a kernel uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ClockKind {
    /// The host's monotonic clock; time 0 is the kernel's creation.
    #[default]
    Real,
    /// A clock that starts at the given time and moves only when advanced by hand.
    Virtual { start: Time },
}

/// A callback run when virtual time reaches a deadline. It must not block.
pub type DeadlineAction = Box<dyn FnOnce() + Send>;

/// Identifies a registered deadline entry so it can be withdrawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct DeadlineId {
    deadline: Time,
    sequence: u64,
}

pub struct Clock {
    inner: Inner,
}

enum Inner {
    Real {
        epoch: std::time::Instant,
        next_sequence: AtomicU64,
        service: Arc<TimerService>,
    },
    Virtual {
        now: AtomicI64,
        next_sequence: AtomicU64,
        entries: Mutex<BTreeMap<DeadlineId, DeadlineAction>>,
    },
}

impl Clock {
    pub fn new(kind: ClockKind) -> Self {
        let inner = match kind {
            ClockKind::Real => Inner::Real {
                epoch: std::time::Instant::now(),
                next_sequence: AtomicU64::new(0),
                service: Arc::new(TimerService::default()),
            },
            ClockKind::Virtual { start } => Inner::Virtual {
                now: AtomicI64::new(start),
                next_sequence: AtomicU64::new(0),
                entries: Mutex::ranked(LockClass::Clock, BTreeMap::new()),
            },
        };
        Clock { inner }
    }

    pub fn is_virtual(&self) -> bool {
        matches!(self.inner, Inner::Virtual { .. })
    }

    /// The current monotonic time in nanoseconds.
    pub fn now(&self) -> Time {
        match &self.inner {
            Inner::Real { epoch, .. } => {
                i64::try_from(epoch.elapsed().as_nanos()).unwrap_or(TIME_INFINITE)
            }
            Inner::Virtual { now, .. } => now.load(Ordering::SeqCst),
        }
    }

    /// Moves virtual time forward by `nanos` and runs every deadline entry that has expired, in
    /// deadline order. Returns the new time. On the real clock this does nothing and returns
    /// `Err(NOT_SUPPORTED)`-like `None`.
    pub fn advance(&self, nanos: i64) -> Option<Time> {
        let target = self.now().saturating_add(nanos.max(0));
        self.advance_to(target)
    }

    /// Moves virtual time to `target` (never backwards) and runs the expired deadline entries.
    pub fn advance_to(&self, target: Time) -> Option<Time> {
        let Inner::Virtual { now, entries, .. } = &self.inner else {
            return None;
        };
        let reached = now.fetch_max(target, Ordering::SeqCst).max(target);
        // Entries run one at a time with no clock lock held: an action may register new entries
        // (a timer re-arming), and those must be seen if they are already due.
        loop {
            let due = {
                let mut entries = entries.lock();
                match entries.first_key_value() {
                    Some((id, _)) if id.deadline <= reached => entries.pop_first(),
                    _ => None,
                }
            };
            match due {
                Some((_, action)) => action(),
                None => break,
            }
        }
        Some(reached)
    }

    /// On the virtual clock, arranges for `action` to run when time reaches `deadline`, and
    /// returns its id. Returns `None` on the real clock (timed waits need no help there) and for
    /// an infinite deadline.
    pub fn on_deadline(&self, deadline: Time, action: DeadlineAction) -> Option<DeadlineId> {
        let Inner::Virtual {
            next_sequence,
            entries,
            ..
        } = &self.inner
        else {
            return None;
        };
        if deadline == TIME_INFINITE {
            return None;
        }
        let id = DeadlineId {
            deadline,
            sequence: next_sequence.fetch_add(1, Ordering::Relaxed),
        };
        entries.lock().insert(id, action);
        Some(id)
    }

    /// Runs `action` once the clock reaches `deadline`, on either clock: on the virtual clock
    /// when time is advanced past it, on the real clock on the kernel's timer-service thread.
    /// `None` only for an infinite deadline.
    pub fn schedule(&self, deadline: Time, action: DeadlineAction) -> Option<DeadlineId> {
        match &self.inner {
            Inner::Virtual { .. } => self.on_deadline(deadline, action),
            Inner::Real {
                epoch,
                next_sequence,
                service,
            } => {
                if deadline == TIME_INFINITE {
                    return None;
                }
                let id = DeadlineId {
                    deadline,
                    sequence: next_sequence.fetch_add(1, Ordering::Relaxed),
                };
                service.insert(*epoch, id, action);
                Some(id)
            }
        }
    }

    /// Withdraws a deadline entry; returns whether it was still pending.
    pub fn cancel_deadline(&self, id: DeadlineId) -> bool {
        match &self.inner {
            Inner::Virtual { entries, .. } => entries.lock().remove(&id).is_some(),
            Inner::Real { service, .. } => service.state.lock().entries.remove(&id).is_some(),
        }
    }

    /// Threads the clock runs (the real clock's timer service, once started).
    pub fn service_threads(&self) -> usize {
        match &self.inner {
            Inner::Real { service, .. } => usize::from(service.state.lock().started),
            Inner::Virtual { .. } => 0,
        }
    }

    /// The earliest pending virtual deadline, if any (lets a test "run until idle").
    pub fn next_deadline(&self) -> Option<Time> {
        match &self.inner {
            Inner::Virtual { entries, .. } => {
                entries.lock().first_key_value().map(|(id, _)| id.deadline)
            }
            Inner::Real { .. } => None,
        }
    }

    /// One blocking step of a deadline wait: waits on `condvar` until notified or, on the real
    /// clock, until `deadline`. Callers loop, re-checking their predicate and
    /// `self.now() >= deadline` under the guard; on the virtual clock they must have registered
    /// an [`on_deadline`](Self::on_deadline) entry that notifies `condvar` under the same mutex.
    pub fn block<'a, T>(
        &self,
        condvar: &Condvar,
        guard: MutexGuard<'a, T>,
        deadline: Time,
    ) -> MutexGuard<'a, T> {
        match &self.inner {
            Inner::Real { epoch, .. } if deadline != TIME_INFINITE => {
                let offset = std::time::Duration::from_nanos(deadline.max(0) as u64);
                match epoch.checked_add(offset) {
                    Some(instant) => condvar.wait_until(guard, instant),
                    None => condvar.wait(guard),
                }
            }
            _ => condvar.wait(guard),
        }
    }
}

impl Drop for Clock {
    fn drop(&mut self) {
        if let Inner::Real { service, .. } = &self.inner {
            let mut state = service.state.lock();
            state.shutdown = true;
            // Pending actions may hold objects; drop them outside the lock.
            let entries = std::mem::take(&mut state.entries);
            drop(state);
            service.condvar.notify_all();
            drop(entries);
        }
    }
}

/// The real clock's timer service: one thread that sleeps until the earliest deadline.
struct TimerService {
    state: Mutex<ServiceState>,
    condvar: Condvar,
}

impl Default for TimerService {
    fn default() -> Self {
        TimerService {
            state: Mutex::ranked(LockClass::Clock, ServiceState::default()),
            condvar: Condvar::new(),
        }
    }
}

#[derive(Default)]
struct ServiceState {
    entries: BTreeMap<DeadlineId, DeadlineAction>,
    started: bool,
    shutdown: bool,
}

impl TimerService {
    fn insert(self: &Arc<Self>, epoch: std::time::Instant, id: DeadlineId, action: DeadlineAction) {
        let mut state = self.state.lock();
        let earliest = state
            .entries
            .first_key_value()
            .is_none_or(|(first, _)| id < *first);
        state.entries.insert(id, action);
        if !state.started {
            state.started = true;
            let service = self.clone();
            crate::sync::thread::spawn(move || service.run(epoch));
        } else if earliest {
            self.condvar.notify_all();
        }
    }

    fn run(&self, epoch: std::time::Instant) {
        let now = || i64::try_from(epoch.elapsed().as_nanos()).unwrap_or(TIME_INFINITE);
        let mut state = self.state.lock();
        loop {
            if state.shutdown {
                return;
            }
            let next = state.entries.first_key_value().map(|(id, _)| id.deadline);
            match next {
                None => state = self.condvar.wait(state),
                Some(deadline) if deadline <= now() => {
                    let (_, action) = state.entries.pop_first().expect("non-empty");
                    drop(state);
                    action();
                    state = self.state.lock();
                }
                Some(deadline) => {
                    let offset = std::time::Duration::from_nanos(deadline.max(0) as u64);
                    state = match epoch.checked_add(offset) {
                        Some(instant) => self.condvar.wait_until(state, instant),
                        None => self.condvar.wait(state),
                    };
                }
            }
        }
    }
}

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = if self.is_virtual() { "virtual" } else { "real" };
        f.debug_struct("Clock")
            .field("kind", &kind)
            .field("now", &self.now())
            .finish()
    }
}

#[cfg(all(test, not(zxsim_loom)))]
mod tests {
    use super::*;
    use crate::sync::Arc;

    #[test]
    fn virtual_clock_runs_entries_in_deadline_order_and_only_when_due() {
        let clock = Clock::new(ClockKind::Virtual { start: 0 });
        let log = Arc::new(Mutex::new(Vec::new()));
        for deadline in [30, 10, 20, 10] {
            let log = log.clone();
            clock.on_deadline(deadline, Box::new(move || log.lock().push(deadline)));
        }
        clock.advance(5);
        assert!(log.lock().is_empty());
        clock.advance(15);
        assert_eq!(*log.lock(), vec![10, 10, 20]);
        assert_eq!(clock.next_deadline(), Some(30));
        clock.advance_to(10); // never backwards
        assert_eq!(clock.now(), 20);
    }

    #[test]
    fn cancelled_entries_never_run() {
        let clock = Clock::new(ClockKind::Virtual { start: 0 });
        let ran = Arc::new(Mutex::new(false));
        let flag = ran.clone();
        let id = clock
            .on_deadline(5, Box::new(move || *flag.lock() = true))
            .unwrap();
        assert!(clock.cancel_deadline(id));
        clock.advance(10);
        assert!(!*ran.lock());
    }

    #[test]
    #[allow(clippy::disallowed_methods)] // the test really waits on the host clock
    fn real_clock_moves_forward() {
        let clock = Clock::new(ClockKind::Real);
        let a = clock.now();
        std::thread::sleep(std::time::Duration::from_millis(1));
        assert!(clock.now() > a);
        assert!(clock.advance(1).is_none());
    }

    #[test]
    fn real_clock_runs_many_scheduled_actions_on_one_thread() {
        let clock = Clock::new(ClockKind::Real);
        let fired = Arc::new(crate::sync::AtomicUsize::new(0));
        let start = clock.now();
        for i in 0..1_000 {
            let fired = fired.clone();
            clock.schedule(
                start + 1_000_000 + i * 1_000,
                Box::new(move || {
                    fired.fetch_add(1, Ordering::SeqCst);
                }),
            );
        }
        let cancelled = clock.schedule(start + 50_000_000_000, Box::new(|| panic!("cancelled")));
        assert!(clock.cancel_deadline(cancelled.unwrap()));
        let give_up = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while fired.load(Ordering::SeqCst) < 1_000 && std::time::Instant::now() < give_up {
            std::thread::yield_now();
        }
        assert_eq!(fired.load(Ordering::SeqCst), 1_000);
        assert_eq!(clock.service_threads(), 1);
    }
}
