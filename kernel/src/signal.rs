//! The signal engine: an object's signal word and the observers waiting on it (spec §2.4).
//!
//! `SignalState` lives inside each object's lock. It keeps Zircon's rules exactly:
//! - `update(clear, set)` computes `(old & !clear) | set`;
//! - observers are examined **only** if some bit of `set` was inactive before — clearing, or
//!   setting an already-set bit, wakes nobody;
//! - when examined, every observer whose trigger intersects the **whole** current word fires once,
//!   receives that whole word as `observed`, and is removed (one-shot);
//! - observers fire **newest first**: the most recently registered matching observer fires
//!   first, as in Zircon, whose observer list is pushed at the front and walked from the front
//!   (upstream `PortTest.EventAsyncSignalWaitSingle` depends on it: the packets of several async
//!   waits satisfied by one signal are queued in reverse registration order). Cancellation walks
//!   in the same order, so every outcome is deterministic.
//!
//! Observers are data ([`Observer`]), not closures: firing one is a fixed, non-blocking action
//! (set a sync waiter's outcome, or queue a packet on a port), taken while the object lock is
//! held. Lock order: object lock, then port lock, then a sync waiter's lock — never the reverse.

use slotmap::{new_key_type, SlotMap};

use crate::blocking::Completion;
use crate::handle::HandleId;
use crate::sync::Arc;
use crate::types::{Koid, Signals};

new_key_type! {
    /// The slot of an observer in its object's observer list (O(1) detach).
    pub struct ObserverKey;
}

/// What ended a synchronous wait (`zx_object_wait_one`/`_many`): item `index` matched, or the
/// handle it waited through went away. `observed` is the object's whole signal word then.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SyncOutcome {
    Matched { index: usize, observed: Signals },
    Canceled { index: usize, observed: Signals },
}

/// The completion a thread in a synchronous wait blocks on: the first outcome wins.
pub type SyncWaiter = Completion<SyncOutcome>;

/// Where pending `zx_object_wait_async` registrations deliver: the port object type implements
/// it. A wait's bookkeeping (key, options, registering handle) lives with its port; the object's
/// list keeps only an [`Observer::Async`] naming it, so registering a wait allocates nothing of
/// its own and an observer slot is no larger than a synchronous waiter's.
pub trait AsyncSink: Send + Sync {
    /// Wait `wait` (whose trigger was `trigger`) matched: queue its packet, carrying `observed`,
    /// if it is still pending.
    fn on_match(&self, wait: u64, trigger: Signals, observed: Signals);

    /// Wait `wait` was removed without a match (its handle or object went away): no packet.
    fn on_detached(&self, wait: u64);

    /// The handle wait `wait` was registered through, while it is still pending in the sink
    /// (the `zircon` profile ends a wait with its handle).
    fn registering_handle(&self, wait: u64) -> Option<HandleId>;

    /// (port koid, key, `wait_async` options) of wait `wait` while it is still pending in the
    /// sink, for snapshots.
    fn destination(&self, wait: u64) -> Option<(Koid, u64, u32)>;
}

/// What a kernel snapshot shows of one observer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ObserverInfo {
    /// A thread blocked in `zx_object_wait_one` / `_many`.
    Sync { trigger: Signals },
    /// A pending `zx_object_wait_async`.
    Async {
        trigger: Signals,
        port: Koid,
        key: u64,
        options: u32,
    },
}

/// Something waiting for an object's signals.
pub enum Observer {
    /// A thread in `zx_object_wait_one` / `zx_object_wait_many` (item `index` of its wait).
    Sync {
        waiter: Arc<SyncWaiter>,
        index: usize,
        trigger: Signals,
        handle: HandleId,
    },
    /// A pending `zx_object_wait_async` registration: wait `wait` of port `sink`. (Fields, not
    /// a struct, so the variant's tag fits in the padding beside `trigger`.)
    Async {
        sink: Arc<dyn AsyncSink>,
        wait: u64,
        trigger: Signals,
    },
    /// Test-only: records every firing so the engine can be checked in isolation.
    #[cfg(all(test, not(zxsim_loom)))]
    Recording(Arc<tests::Recorder>),
}

impl Observer {
    fn trigger(&self) -> Signals {
        match self {
            Observer::Sync { trigger, .. } => *trigger,
            Observer::Async { trigger, .. } => *trigger,
            #[cfg(all(test, not(zxsim_loom)))]
            Observer::Recording(recorder) => recorder.trigger,
        }
    }

    /// The observed condition matched: deliver `observed` (the whole current word).
    fn on_match(self, observed: Signals) {
        match self {
            Observer::Sync { waiter, index, .. } => {
                // A later outcome (another item matching) is refused: the first one wins.
                let _ = waiter.settle(SyncOutcome::Matched { index, observed });
            }
            Observer::Async {
                sink,
                wait,
                trigger,
            } => sink.on_match(wait, trigger, observed),
            #[cfg(all(test, not(zxsim_loom)))]
            Observer::Recording(recorder) => {
                recorder.note();
                recorder.fired.lock().push(observed)
            }
        }
    }

    /// The observer is being removed without a match (its handle or object went away).
    fn on_cancel(self, current: Signals) {
        match self {
            Observer::Sync { waiter, index, .. } => {
                let _ = waiter.settle(SyncOutcome::Canceled {
                    index,
                    observed: current | Signals::HANDLE_CLOSED,
                });
            }
            Observer::Async { sink, wait, .. } => sink.on_detached(wait),
            #[cfg(all(test, not(zxsim_loom)))]
            Observer::Recording(recorder) => {
                recorder.note();
                *recorder.cancelled.lock() += 1
            }
        }
    }
}

/// An object's signal word and observer list. Always accessed under the object's lock.
pub struct SignalState {
    signals: Signals,
    /// Each observer with its registration number: slots are reused, so slot order says
    /// nothing about age; the number gives the newest-first firing order.
    observers: SlotMap<ObserverKey, (u64, Observer)>,
    next_registration: u64,
}

impl Default for SignalState {
    fn default() -> Self {
        SignalState::new(Signals::NONE)
    }
}

impl SignalState {
    pub fn new(initial: Signals) -> Self {
        SignalState {
            signals: initial,
            observers: SlotMap::with_key(),
            next_registration: 0,
        }
    }

    pub fn signals(&self) -> Signals {
        self.signals
    }

    pub fn observer_count(&self) -> usize {
        self.observers.len()
    }

    /// The observers, oldest registration first (a snapshot's view).
    pub fn observers(&self) -> Vec<ObserverInfo> {
        // A wait already ended in its port (a cancel between its two phases) is not shown.
        let mut found: Vec<(u64, ObserverInfo)> = self
            .observers
            .values()
            .filter_map(|(registration, observer)| {
                let info = match observer {
                    Observer::Sync { trigger, .. } => ObserverInfo::Sync { trigger: *trigger },
                    Observer::Async {
                        sink,
                        wait,
                        trigger,
                    } => {
                        let (port, key, options) = sink.destination(*wait)?;
                        ObserverInfo::Async {
                            trigger: *trigger,
                            port,
                            key,
                            options,
                        }
                    }
                    #[cfg(all(test, not(zxsim_loom)))]
                    Observer::Recording(recorder) => ObserverInfo::Sync {
                        trigger: recorder.trigger,
                    },
                };
                Some((*registration, info))
            })
            .collect();
        found.sort_unstable_by_key(|(registration, _)| *registration);
        found.into_iter().map(|(_, info)| info).collect()
    }

    /// `UpdateState(clear, set)`: clear first, then set; fire observers only if a bit of `set`
    /// became newly active. Returns the new word.
    pub fn update(&mut self, clear: Signals, set: Signals) -> Signals {
        let previous = self.signals;
        let current = (previous & !clear) | set;
        self.signals = current;
        if !(set & !previous).is_empty() && !self.observers.is_empty() {
            self.notify(current);
        }
        current
    }

    fn notify(&mut self, current: Signals) {
        // Matches are collected first (firing needs ownership, which removal gives); the common
        // case of a few matches stays on the stack, so firing allocates nothing.
        const INLINE: usize = 8;
        let mut inline = [(0u64, ObserverKey::default()); INLINE];
        let mut count = 0;
        let mut overflow = Vec::new();
        for (key, (registration, observer)) in &self.observers {
            if observer.trigger().intersects(current) {
                if count < INLINE {
                    inline[count] = (*registration, key);
                    count += 1;
                } else {
                    overflow.push((*registration, key));
                }
            }
        }
        let matched: &mut [(u64, ObserverKey)] = if overflow.is_empty() {
            &mut inline[..count]
        } else {
            overflow.extend_from_slice(&inline[..count]);
            &mut overflow
        };
        newest_first(matched);
        for (_, key) in matched.iter() {
            if let Some((_, observer)) = self.observers.remove(*key) {
                observer.on_match(current);
            }
        }
    }

    /// Moves the bits of `mask` to their values in `target`, leaving other bits alone: newly set
    /// bits fire observers, cleared bits wake nobody. Objects whose signals are derived from
    /// their state (sockets, fifos) recompute a target after each operation and assign it.
    pub fn assign(&mut self, mask: Signals, target: Signals) -> Signals {
        let target = target & mask;
        let current = self.signals & mask;
        if current == target {
            return self.signals;
        }
        self.update(current & !target, target & !current)
    }

    /// Adds an observer and returns its slot.
    pub fn add_observer(&mut self, observer: Observer) -> ObserverKey {
        let registration = self.next_registration;
        self.next_registration += 1;
        self.observers.insert((registration, observer))
    }

    /// Removes an observer without firing or cancelling it (its owner is tearing it down).
    pub fn remove_observer(&mut self, key: ObserverKey) -> Option<Observer> {
        self.observers.remove(key).map(|(_, observer)| observer)
    }

    /// A handle was deleted: sync waits through it end with `CANCELED`; with
    /// `end_async_waits` (the `zircon` profile) async waits registered through it end silently.
    pub fn cancel_by_handle(&mut self, handle: HandleId, end_async_waits: bool) {
        if self.observers.is_empty() {
            return;
        }
        let current = self.signals;
        let mut doomed: Vec<(u64, ObserverKey)> = self
            .observers
            .iter()
            .filter(|(_, (_, observer))| match observer {
                Observer::Sync { handle: h, .. } => *h == handle,
                Observer::Async { sink, wait, .. } => {
                    end_async_waits && sink.registering_handle(*wait) == Some(handle)
                }
                #[cfg(all(test, not(zxsim_loom)))]
                Observer::Recording(recorder) => recorder.handle == Some(handle),
            })
            .map(|(key, (registration, _))| (*registration, key))
            .collect();
        newest_first(&mut doomed);
        for (_, key) in doomed {
            if let Some((_, observer)) = self.observers.remove(key) {
                observer.on_cancel(current);
            }
        }
    }

    /// The object's last handle is gone: every remaining wait ends, with no packet.
    pub fn cancel_all(&mut self) {
        let current = self.signals;
        let mut observers: Vec<(u64, Observer)> = std::mem::take(&mut self.observers)
            .into_iter()
            .map(|(_, entry)| entry)
            .collect();
        observers.sort_unstable_by_key(|entry| std::cmp::Reverse(entry.0));
        for (_, observer) in observers {
            observer.on_cancel(current);
        }
    }
}

/// Orders `(registration, key)` pairs newest first (small slices sort in place, no allocation).
fn newest_first(entries: &mut [(u64, ObserverKey)]) {
    entries.sort_unstable_by_key(|entry| std::cmp::Reverse(entry.0));
}

#[cfg(all(test, not(zxsim_loom)))]
pub(crate) mod tests {
    use super::*;
    use crate::sync::Mutex;

    /// Every object with signals keeps a slot map of these, allocated even while empty: an
    /// async wait's entry must stay as small as a synchronous waiter's.
    #[test]
    fn an_observer_is_four_words() {
        assert!(std::mem::size_of::<Observer>() <= 32);
    }

    pub struct Recorder {
        pub trigger: Signals,
        pub handle: Option<HandleId>,
        pub fired: Mutex<Vec<Signals>>,
        pub cancelled: Mutex<usize>,
        /// Shared by several recorders: each appends its `id` when it fires or is cancelled.
        pub log: Option<(usize, Arc<Mutex<Vec<usize>>>)>,
    }

    impl Recorder {
        pub(crate) fn note(&self) {
            if let Some((id, log)) = &self.log {
                log.lock().push(*id);
            }
        }
    }

    fn recorder(trigger: Signals) -> Arc<Recorder> {
        Arc::new(Recorder {
            trigger,
            handle: None,
            fired: Mutex::new(Vec::new()),
            cancelled: Mutex::new(0),
            log: None,
        })
    }

    fn logged_recorder(trigger: Signals, id: usize, log: &Arc<Mutex<Vec<usize>>>) -> Arc<Recorder> {
        Arc::new(Recorder {
            trigger,
            handle: None,
            fired: Mutex::new(Vec::new()),
            cancelled: Mutex::new(0),
            log: Some((id, log.clone())),
        })
    }

    #[test]
    fn observers_fire_newest_first_even_in_reused_slots() {
        let mut state = object();
        let log = Arc::new(Mutex::new(Vec::new()));
        // Free some early slots so later registrations reuse them: slot order != age.
        let early: Vec<_> = (0..4)
            .map(|_| state.add_observer(Observer::Recording(recorder(Signals::USER_7))))
            .collect();
        for key in &early[..2] {
            state.remove_observer(*key);
        }
        for id in 0..12 {
            state.add_observer(Observer::Recording(logged_recorder(
                Signals::USER_0,
                id,
                &log,
            )));
        }
        state.update(Signals::NONE, Signals::USER_0);
        assert_eq!(*log.lock(), (0..12).rev().collect::<Vec<_>>());
    }

    #[test]
    fn cancellation_is_newest_first_too() {
        let mut state = object();
        let log = Arc::new(Mutex::new(Vec::new()));
        for id in 0..5 {
            state.add_observer(Observer::Recording(logged_recorder(
                Signals::USER_0,
                id,
                &log,
            )));
        }
        state.cancel_all();
        assert_eq!(*log.lock(), vec![4, 3, 2, 1, 0]);
    }

    /// A tiny object for the engine alone: just a signal state.
    fn object() -> SignalState {
        SignalState::new(Signals::NONE)
    }

    #[test]
    fn fires_once_with_the_whole_word_and_is_removed() {
        let mut state = object();
        state.update(Signals::NONE, Signals::USER_1);
        let r = recorder(Signals::USER_0);
        state.add_observer(Observer::Recording(r.clone()));
        state.update(Signals::NONE, Signals::USER_0);
        assert_eq!(*r.fired.lock(), vec![Signals::USER_0 | Signals::USER_1]);
        assert_eq!(state.observer_count(), 0);
        state.update(Signals::USER_0, Signals::NONE);
        state.update(Signals::NONE, Signals::USER_0);
        assert_eq!(r.fired.lock().len(), 1, "one-shot: never fires twice");
    }

    #[test]
    fn clearing_or_resetting_an_active_bit_wakes_nobody() {
        let mut state = object();
        state.update(Signals::NONE, Signals::USER_0);
        let r = recorder(Signals::USER_0);
        state.add_observer(Observer::Recording(r.clone()));
        state.update(Signals::NONE, Signals::USER_0); // already active: not examined
        state.update(Signals::USER_0, Signals::NONE); // clearing: never examined
        assert!(r.fired.lock().is_empty());
        assert_eq!(state.observer_count(), 1);
    }

    #[test]
    fn edge_quirk_an_already_active_bit_matches_when_another_bit_rises() {
        let mut state = object();
        state.update(Signals::NONE, Signals::USER_0);
        let r = recorder(Signals::USER_0);
        state.add_observer(Observer::Recording(r.clone()));
        state.update(Signals::NONE, Signals::USER_5);
        assert_eq!(*r.fired.lock(), vec![Signals::USER_0 | Signals::USER_5]);
    }

    #[test]
    fn every_matching_observer_fires_and_others_stay() {
        let mut state = object();
        let a = recorder(Signals::USER_0);
        let b = recorder(Signals::USER_0 | Signals::USER_2);
        let c = recorder(Signals::USER_3);
        for r in [&a, &b, &c] {
            state.add_observer(Observer::Recording(r.clone()));
        }
        state.update(Signals::NONE, Signals::USER_0);
        assert_eq!(a.fired.lock().len(), 1);
        assert_eq!(b.fired.lock().len(), 1);
        assert!(c.fired.lock().is_empty());
        assert_eq!(state.observer_count(), 1);
        state.cancel_all();
        assert_eq!(*c.cancelled.lock(), 1);
        assert!(c.fired.lock().is_empty());
    }

    #[test]
    fn update_is_clear_then_set() {
        let mut state = object();
        let now = state.update(Signals::NONE, Signals::USER_0 | Signals::USER_1);
        assert_eq!(now, Signals::USER_0 | Signals::USER_1);
        let now = state.update(Signals::USER_0 | Signals::USER_1, Signals::USER_1);
        assert_eq!(now, Signals::USER_1);
    }
}
