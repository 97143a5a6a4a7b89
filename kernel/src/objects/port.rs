//! Port: a FIFO of packets, fed by `zx_port_queue` and by async waits (`zx_object_wait_async`).
//!
//! State: one FIFO shared by user and signal packets; the pending observers this port owns,
//! indexed by key so `zx_port_cancel_key` costs O(matching waits); counters for Zircon's limits.
//! Ports are not waitable (no WAIT right) and have no signals of their own.
//!
//! ## Observers and lock order
//! A [`PortObserver`] is one pending `wait_async`. It sits in two places: the observed object's
//! observer list (so a signal change can fire it) and this port's key index (so the port can
//! cancel it). **The key index is the source of truth:** an observer may deliver a packet only if
//! it is still in the index when it fires, and removal from the index always happens under the
//! port lock. Lock order is **object lock, then port lock** (`[object] -> [port]`):
//!
//! ```text
//!   fire / detach   : object lock ──> port lock   (remove from index; queue packet if it was there)
//!   cancel_key      : port lock (take from index) ; then, port lock released: object lock (detach)
//!   on_zero_handles : port lock (take all, drop packets) ; then object locks (detach)
//! ```
//!
//! Cancel is two-phase, as in Zircon: phase one removes the observer from the index under the
//! port lock — from then on a concurrent fire finds it missing and queues nothing — and phase two
//! detaches it from its object without holding the port lock. Each observer is owned by its
//! object's list and by the index; whoever removes the last of the two drops it.
//!
//! Limits (spec §6): more than 4096 queued *user* packets makes `queue` answer `SHOULD_WAIT`
//! (so the 4097th fits and the 4098th fails); signal packets never count. More than 50 000
//! pending observers raises `PORT_TOO_MANY_OBSERVERS` in the registering process, but the wait
//! is still registered. A kernel's fault plan may lower the first limit and fail a user packet's
//! allocation with `NO_MEMORY` (`crate::faults`).

use std::collections::{HashMap, VecDeque};

use crate::faults::{FaultSite, Faults};
use crate::handle::HandleId;
use crate::object::{Dispatcher, DispatcherRef, KernelObject};
use crate::signal::{AsyncObserver, Observer, ObserverKey, SignalState};
use crate::status::Status;
use crate::sync::{Arc, AtomicU64, AtomicUsize, Condvar, LockClass, Mutex, Ordering};
use crate::types::{Koid, ObjType, Rights, Signals, Time, TIME_INFINITE};

/// `ZX_PORT_BIND_TO_INTERRUPT`.
pub const PORT_BIND_TO_INTERRUPT: u32 = 1;
pub const PKT_TYPE_USER: u32 = 0x00;
pub const PKT_TYPE_SIGNAL_ONE: u32 = 0x01;
/// `ZX_WAIT_ASYNC_TIMESTAMP`, `ZX_WAIT_ASYNC_EDGE`, `ZX_WAIT_ASYNC_BOOT_TIMESTAMP`.
pub const WAIT_ASYNC_TIMESTAMP: u32 = 1;
pub const WAIT_ASYNC_EDGE: u32 = 2;
pub const WAIT_ASYNC_BOOT_TIMESTAMP: u32 = 4;
/// User packets that may be queued before `queue` refuses (`kMaxAllocatedPacketCountPerPort`).
pub const MAX_USER_PACKETS: usize = 4096;
/// Pending observers past which registration raises `PORT_TOO_MANY_OBSERVERS`.
pub const MAX_OBSERVERS: usize = 50_000;

/// A port packet with `zx_port_packet_t`'s fields; the 32-byte union is kept as four `u64`s.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct PortPacket {
    pub key: u64,
    pub packet_type: u32,
    pub status: i32,
    pub payload: [u64; 4],
}

impl PortPacket {
    /// A `ZX_PKT_TYPE_SIGNAL_ONE` packet: trigger, observed, count = 1, timestamp, reserved = 0.
    pub fn signal(key: u64, trigger: Signals, observed: Signals, timestamp: Time) -> PortPacket {
        PortPacket {
            key,
            packet_type: PKT_TYPE_SIGNAL_ONE,
            status: Status::OK.into_raw(),
            payload: [
                u64::from(trigger.bits()) | (u64::from(observed.bits()) << 32),
                1,
                timestamp as u64,
                0,
            ],
        }
    }

    /// For a signal packet: (trigger, observed, count, timestamp).
    pub fn signal_fields(&self) -> (Signals, Signals, u64, Time) {
        (
            Signals::from_bits_retain(self.payload[0] as u32),
            Signals::from_bits_retain((self.payload[0] >> 32) as u32),
            self.payload[1],
            self.payload[2] as i64,
        )
    }
}

/// Where a signal packet came from, for `zx_port_cancel`.
#[derive(Clone, Copy, Debug)]
struct Origin {
    koid: Koid,
    handle: HandleId,
}

struct Queued {
    packet: PortPacket,
    /// The packet's number on this port (counted from 0): the trace's key for the packet.
    seq: u64,
    /// `None` for user packets.
    origin: Option<Origin>,
}

#[derive(Default)]
struct PortState {
    /// False once the last handle is gone: nothing is queued any more.
    alive: bool,
    packets: VecDeque<Queued>,
    user_packets: usize,
    /// Packets ever queued: the next packet's `seq`.
    next_seq: u64,
    observers: HashMap<u64, KeyedObservers, KeyHash>,
    observer_count: usize,
    /// Threads blocked in `wait`.
    waiters: usize,
    /// Times a blocked waiter woke up (diagnostics: one packet must wake one waiter, not all).
    wakeups: u64,
    /// The OS-waitable descriptor, once an event loop asked for one.
    notifier: Option<Box<dyn PortNotifier>>,
    /// A notification was written and not yet re-armed: further packets write nothing.
    notify_pending: bool,
}

/// Something outside the kernel to wake when packets arrive: an OS descriptor an event loop
/// waits on (see `crate::os::notifier`), or a mock in models.
pub trait PortNotifier: Send + Sync {
    /// Make the descriptor readable.
    fn notify(&self);
    /// Make it quiet again.
    fn clear(&self);
    /// The descriptor, if there is one.
    fn raw_fd(&self) -> Option<i32>;
}

/// Hashes port keys for the observer index. The default SipHash costs more than the rest of an
/// index operation; a key is one `u64`, so one folded multiply (the high and low halves of a
/// 128-bit product by an odd constant, XORed) mixes every bit of it into the low bits hashbrown
/// indexes with and the high bits it tags with. Keys are chosen by user code; like the rest of
/// zxsim this does not defend against adversarial collisions.
#[derive(Clone, Copy, Default)]
struct KeyHash;

impl std::hash::BuildHasher for KeyHash {
    type Hasher = KeyHasher;

    fn build_hasher(&self) -> KeyHasher {
        KeyHasher(0)
    }
}

struct KeyHasher(u64);

impl KeyHasher {
    const MULTIPLIER: u64 = 0x9E37_79B9_7F4A_7C15;

    fn mix(value: u64) -> u64 {
        let product = u128::from(value) * u128::from(Self::MULTIPLIER);
        (product as u64) ^ ((product >> 64) as u64)
    }
}

impl std::hash::Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write_u64(&mut self, value: u64) {
        self.0 = Self::mix(self.0 ^ value);
    }

    /// Not used for `u64` keys; kept correct for any other input.
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(word));
        }
    }
}

/// The observers registered under one key; almost always exactly one, so no allocation for it.
enum KeyedObservers {
    One(Arc<PortObserver>),
    Many(Vec<Arc<PortObserver>>),
}

impl KeyedObservers {
    fn push(&mut self, observer: Arc<PortObserver>) {
        match self {
            KeyedObservers::One(first) => {
                let first = first.clone();
                *self = KeyedObservers::Many(vec![first, observer]);
            }
            KeyedObservers::Many(list) => list.push(observer),
        }
    }

    /// Removes `observer`; returns (found, now empty).
    fn remove(&mut self, observer: &Arc<PortObserver>) -> (bool, bool) {
        match self {
            KeyedObservers::One(only) => {
                let found = Arc::ptr_eq(only, observer);
                (found, found)
            }
            KeyedObservers::Many(list) => {
                match list.iter().position(|o| Arc::ptr_eq(o, observer)) {
                    Some(position) => {
                        list.swap_remove(position);
                        (true, list.is_empty())
                    }
                    None => (false, list.is_empty()),
                }
            }
        }
    }

    fn into_vec(self) -> Vec<Arc<PortObserver>> {
        match self {
            KeyedObservers::One(only) => vec![only],
            KeyedObservers::Many(list) => list,
        }
    }

    fn drain_where(
        &mut self,
        mut doomed: impl FnMut(&PortObserver) -> bool,
    ) -> (Vec<Arc<PortObserver>>, bool) {
        match self {
            KeyedObservers::One(only) => {
                if doomed(only) {
                    (vec![only.clone()], true)
                } else {
                    (Vec::new(), false)
                }
            }
            KeyedObservers::Many(list) => {
                let (taken, kept): (Vec<_>, Vec<_>) = list.drain(..).partition(|o| doomed(o));
                *list = kept;
                (taken, list.is_empty())
            }
        }
    }
}

pub struct Port {
    options: u32,
    state: Mutex<PortState>,
    condvar: Condvar,
    /// Packets queued, readable without the lock so a waiter can spin before it blocks.
    queued: AtomicUsize,
    /// Ports have no signals; this empty state only makes the uniform object shape hold.
    no_signals: Mutex<SignalState>,
}

impl Port {
    pub fn new(options: u32) -> Self {
        Port {
            options,
            state: Mutex::ranked(
                LockClass::Port,
                PortState {
                    alive: true,
                    ..PortState::default()
                },
            ),
            condvar: Condvar::new(),
            queued: AtomicUsize::new(0),
            no_signals: Mutex::ranked(LockClass::Object, SignalState::default()),
        }
    }

    pub fn options(&self) -> u32 {
        self.options
    }

    fn push(&self, koid: Koid, state: &mut PortState, packet: PortPacket, origin: Option<Origin>) {
        let seq = state.next_seq;
        state.next_seq += 1;
        state.packets.push_back(Queued {
            packet,
            seq,
            origin,
        });
        tracing::trace!(
            target: "zxsim::flow",
            flow = "packet",
            phase = "s",
            a = koid,
            b = seq,
            port = koid,
            queued = state.packets.len(),
            "packet queued"
        );
        self.queued.store(state.packets.len(), Ordering::Release);
        Self::notify_os(state);
        if state.waiters > 0 {
            // One packet, one waiter (ports are thread-pool friendly, unlike object waits).
            self.condvar.notify_one();
        }
    }

    fn pop(&self, koid: Koid, state: &mut PortState) -> Option<PortPacket> {
        let queued = state.packets.pop_front()?;
        self.queued.store(state.packets.len(), Ordering::Release);
        if queued.origin.is_none() {
            state.user_packets -= 1;
        }
        tracing::trace!(
            target: "zxsim::flow",
            flow = "packet",
            phase = "f",
            a = koid,
            b = queued.seq,
            port = koid,
            queued = state.packets.len(),
            "packet dequeued"
        );
        Some(queued.packet)
    }

    fn index(&self, observer: Arc<PortObserver>) -> Result<usize, ()> {
        let mut state = self.state.lock();
        if !state.alive {
            return Err(());
        }
        match state.observers.entry(observer.key) {
            std::collections::hash_map::Entry::Occupied(mut entry) => {
                entry.get_mut().push(observer)
            }
            std::collections::hash_map::Entry::Vacant(entry) => {
                entry.insert(KeyedObservers::One(observer));
            }
        }
        state.observer_count += 1;
        Ok(state.observer_count)
    }

    fn unindex(state: &mut PortState, observer: &Arc<PortObserver>) -> bool {
        // One hash lookup whether or not the key's list empties.
        let std::collections::hash_map::Entry::Occupied(mut entry) =
            state.observers.entry(observer.key)
        else {
            return false;
        };
        let (found, empty) = entry.get_mut().remove(observer);
        if empty {
            entry.remove();
        }
        if found {
            state.observer_count -= 1;
        }
        found
    }

    /// Writes the OS notification on the quiet → pending transition only (coalescing).
    fn notify_os(state: &mut PortState) {
        if let Some(notifier) = &state.notifier {
            if !state.notify_pending {
                state.notify_pending = true;
                notifier.notify();
            }
        }
    }

    /// Gives the port an OS-waitable descriptor (made by `make` on first use) and returns it.
    /// Packets already queued notify at once, so none is missed by a late subscriber.
    pub fn attach_notifier(
        &self,
        make: impl FnOnce() -> Result<Box<dyn PortNotifier>, Status>,
    ) -> Result<Option<i32>, Status> {
        let mut state = self.state.lock();
        if !state.alive {
            return Err(Status::BAD_HANDLE);
        }
        if state.notifier.is_none() {
            state.notifier = Some(make()?);
            if !state.packets.is_empty() {
                Self::notify_os(&mut state);
            }
        }
        Ok(state
            .notifier
            .as_ref()
            .and_then(|notifier| notifier.raw_fd()))
    }

    /// The consumer drained what it wanted: quiet the descriptor, and notify again at once if
    /// packets are still queued. `BAD_STATE` if the port has no descriptor.
    pub fn rearm(&self) -> Result<(), Status> {
        let mut state = self.state.lock();
        let Some(notifier) = &state.notifier else {
            return Err(Status::BAD_STATE);
        };
        notifier.clear();
        state.notify_pending = false;
        if !state.packets.is_empty() {
            Self::notify_os(&mut state);
        }
        Ok(())
    }

    /// Pending observers (diagnostics and the 50 000 policy).
    pub fn observer_count(&self) -> usize {
        self.state.lock().observer_count
    }

    /// Threads blocked in `zx_port_wait` now.
    pub fn blocked_waiters(&self) -> usize {
        self.state.lock().waiters
    }

    /// How often a blocked waiter has woken up so far (a diagnostic counter: a queued packet
    /// wakes one waiter, a deadline wakes them all to check their own).
    pub fn wakeups(&self) -> u64 {
        self.state.lock().wakeups
    }

    /// Queued packets.
    pub fn queued_packets(&self) -> usize {
        self.state.lock().packets.len()
    }

    /// The queued packets, oldest first, each with the koid of the object whose signal made it
    /// (`None` for user packets) — a snapshot's view.
    pub fn queued(&self) -> Vec<(PortPacket, Option<Koid>)> {
        let state = self.state.lock();
        state
            .packets
            .iter()
            .map(|queued| (queued.packet, queued.origin.map(|origin| origin.koid)))
            .collect()
    }

    /// `zx_port_cancel_key`: ends every pending wait with `key` and removes every queued packet
    /// with `key`, user packets included. `true` if anything was cancelled or removed.
    pub fn cancel_key(&self, key: u64) -> bool {
        let (cancelled, removed) = {
            let mut state = self.state.lock();
            let cancelled = state
                .observers
                .remove(&key)
                .map(KeyedObservers::into_vec)
                .unwrap_or_default();
            state.observer_count -= cancelled.len();
            let removed = self.remove_packets(&mut state, |queued| queued.packet.key == key);
            (cancelled, removed)
        };
        let any = !cancelled.is_empty() || removed > 0;
        detach_all(cancelled);
        any
    }

    /// `zx_port_cancel`: ends the waits with `key` made on `object_koid`, and removes their queued
    /// packets. With `handle` (the `zircon` profile) only those registered through that exact
    /// handle match. User packets never match.
    pub fn cancel_source(&self, object_koid: Koid, handle: Option<HandleId>, key: u64) -> bool {
        let matches = |koid: Koid, registering: HandleId| {
            koid == object_koid && handle.is_none_or(|handle| handle == registering)
        };
        let (cancelled, removed) = {
            let mut state = self.state.lock();
            let mut cancelled = Vec::new();
            if let Some(list) = state.observers.get_mut(&key) {
                let (taken, empty) = list.drain_where(|o| matches(o.object.koid(), o.handle));
                cancelled = taken;
                if empty {
                    state.observers.remove(&key);
                }
            }
            state.observer_count -= cancelled.len();
            let removed = self.remove_packets(&mut state, |queued| {
                queued.packet.key == key && queued.origin.is_some_and(|o| matches(o.koid, o.handle))
            });
            (cancelled, removed)
        };
        let any = !cancelled.is_empty() || removed > 0;
        detach_all(cancelled);
        any
    }

    fn remove_packets(
        &self,
        state: &mut PortState,
        mut doomed: impl FnMut(&Queued) -> bool,
    ) -> usize {
        let before = state.packets.len();
        let mut user_removed = 0;
        state.packets.retain(|queued| {
            let remove = doomed(queued);
            if remove && queued.origin.is_none() {
                user_removed += 1;
            }
            !remove
        });
        state.user_packets -= user_removed;
        self.queued.store(state.packets.len(), Ordering::Release);
        before - state.packets.len()
    }
}

/// Phase two of a cancel: with no port lock held, take each observer off its object.
fn detach_all(observers: Vec<Arc<PortObserver>>) {
    for observer in observers {
        observer.trace_end("wait cancelled");
        let key = observer.object_slot();
        observer.object.with_signals(|state| {
            if let Some(Observer::Async(found)) = state.remove_observer(key) {
                debug_assert!(std::ptr::addr_eq(
                    Arc::as_ptr(&found),
                    Arc::as_ptr(&observer)
                ));
            }
        });
    }
}

impl Dispatcher<Port> {
    /// `zx_port_queue`: the kernel forces the type to USER. `Err(SHOULD_WAIT)` when full (the
    /// caller raises the policy exception); `Err(BAD_HANDLE)` if the port is already dead.
    pub fn queue_user(&self, mut packet: PortPacket, faults: &Faults) -> Result<(), Status> {
        packet.packet_type = PKT_TYPE_USER;
        let mut state = self.state.lock();
        if !state.alive {
            return Err(Status::BAD_HANDLE);
        }
        if state.user_packets > faults.port_capacity(MAX_USER_PACKETS) {
            return Err(Status::SHOULD_WAIT);
        }
        faults.check(FaultSite::PortPacket)?;
        state.user_packets += 1;
        self.push(self.koid(), &mut state, packet, None);
        Ok(())
    }

    /// The oldest packet if one is queued, without blocking (`zx_port_wait`'s fast path, which
    /// the syscall layer takes under the handle-table lock without cloning the port's `Arc`).
    pub fn try_take(&self) -> Option<PortPacket> {
        if self.queued.load(Ordering::Acquire) == 0 {
            // Only a hint: `wait` takes the lock before it concludes anything.
            return None;
        }
        self.pop(self.koid(), &mut self.state.lock())
    }

    /// Queues a signal packet for a fired observer, if it is still pending (in the index).
    fn deliver(&self, observer: &Arc<PortObserver>, observed: Signals) {
        let mut state = self.state.lock();
        if !Port::unindex(&mut state, observer) {
            return; // cancelled (or the port died): a cancelled observer never queues anything
        }
        observer.trace_end("wait fired");
        let packet = observer.packet(observed);
        self.push(self.koid(), &mut state, packet, Some(observer.origin()));
    }

    /// Queues the packet of a level-mode wait that matched at registration.
    fn deliver_immediately(&self, packet: PortPacket, origin: Origin) {
        let mut state = self.state.lock();
        if state.alive {
            self.push(self.koid(), &mut state, packet, Some(origin));
        }
    }

    /// `zx_port_wait`: the oldest packet, blocking until one arrives or the kernel clock reaches
    /// `deadline`.
    pub fn wait(self: &Arc<Self>, deadline: Time) -> Result<PortPacket, Status> {
        let koid = self.koid();
        if let Some(packet) = self.pop(koid, &mut self.state.lock()) {
            return Ok(packet);
        }
        let clock = self.kernel_shared().clock();
        // An infinite deadline never passes: skip reading the clock (~20 ns) on the way in.
        let finite = deadline != TIME_INFINITE;
        if finite && clock.now() >= deadline {
            return Err(Status::TIMED_OUT);
        }
        let _blocked = crate::objects::thread::Blocked::enter(
            crate::objects::thread::THREAD_STATE_BLOCKED_PORT,
        );
        let waker = self.clone();
        crate::blocking::wait_until(
            clock,
            deadline,
            (&self.state, &self.condvar),
            |state| self.pop(koid, state),
            || self.queued.load(Ordering::Acquire) > 0,
            move || {
                let _state = waker.state.lock();
                waker.condvar.notify_all();
            },
        )
        .ok_or(Status::TIMED_OUT)
    }
}

impl crate::blocking::WaitState for PortState {
    fn blocking(&mut self) {
        self.waiters += 1;
    }

    fn woken(&mut self) {
        self.waiters -= 1;
        self.wakeups += 1;
    }

    /// A waiter that leaves with a packet still queued passes the wake-up on, so a notify_one
    /// that raced its timeout is never lost.
    fn leaving(&mut self, condvar: &Condvar) {
        if !self.packets.is_empty() && self.waiters > 0 {
            condvar.notify_one();
        }
    }
}

impl KernelObject for Port {
    const TYPE: ObjType = ObjType::PORT;
    /// (BASIC minus WAIT) | IO = 0x800F: ports are neither waitable nor signalable.
    const DEFAULT_RIGHTS: Rights = Rights::TRANSFER
        .union(Rights::DUPLICATE)
        .union(Rights::INSPECT)
        .union(Rights::IO);

    fn with_signals<R>(&self, f: impl FnOnce(&mut SignalState) -> R) -> R {
        f(&mut self.no_signals.lock())
    }

    /// Frees every queued packet and ends every pending wait (no packets). Threads blocked in
    /// `wait` are not woken: they run to their deadline, as in Zircon.
    fn on_zero_handles(&self, _object: &Dispatcher) {
        let (observers, packets) = {
            let mut state = self.state.lock();
            state.alive = false;
            state.observer_count = 0;
            state.user_packets = 0;
            self.queued.store(0, Ordering::Release);
            let observers: Vec<Arc<PortObserver>> = state
                .observers
                .drain()
                .flat_map(|(_, list)| list.into_vec())
                .collect();
            let notifier = state.notifier.take();
            (observers, (std::mem::take(&mut state.packets), notifier))
        };
        drop(packets);
        detach_all(observers);
    }
}

/// One pending `zx_object_wait_async`: lives on the observed object and in its port's index.
pub struct PortObserver {
    port: Arc<Dispatcher<Port>>,
    object: DispatcherRef,
    key: u64,
    trigger: Signals,
    options: u32,
    handle: HandleId,
    /// The observer's slot in `object`'s list (an `ObserverKey`), written under the object lock.
    slot: AtomicU64,
}

impl PortObserver {
    fn origin(&self) -> Origin {
        Origin {
            koid: self.object.koid(),
            handle: self.handle,
        }
    }

    fn object_slot(&self) -> ObserverKey {
        ObserverKey::from(slotmap::KeyData::from_ffi(
            self.slot.load(Ordering::Relaxed),
        ))
    }

    /// The trace's key for this wait: its address, unique while it is pending.
    fn trace_key(&self) -> u64 {
        std::ptr::from_ref(self) as usize as u64
    }

    /// The wait ended (fired, cancelled or detached): the end of its flow in a trace.
    fn trace_end(&self, what: &'static str) {
        tracing::trace!(
            target: "zxsim::flow",
            flow = "wait",
            phase = "f",
            a = self.trace_key(),
            b = 0u64,
            object = self.object.koid(),
            key = self.key,
            "{}",
            what
        );
    }

    fn packet(&self, observed: Signals) -> PortPacket {
        let timestamp = if self.options & (WAIT_ASYNC_TIMESTAMP | WAIT_ASYNC_BOOT_TIMESTAMP) != 0 {
            self.object.kernel_shared().clock().now()
        } else {
            0
        };
        PortPacket::signal(self.key, self.trigger, observed, timestamp)
    }
}

impl AsyncObserver for PortObserver {
    fn trigger(&self) -> Signals {
        self.trigger
    }

    fn registering_handle(&self) -> HandleId {
        self.handle
    }

    /// Fired (under the object lock): queue the packet if still pending.
    fn on_match(self: Arc<Self>, observed: Signals) {
        self.port.deliver(&self, observed);
    }

    fn destination(&self) -> (Koid, u64, u32) {
        (self.port.koid(), self.key, self.options)
    }

    /// Removed from the object without a match (handle or object gone): leave the index.
    fn on_detached(self: Arc<Self>) {
        let mut state = self.port.state.lock();
        if Port::unindex(&mut state, &self) {
            self.trace_end("wait detached");
        }
    }
}

/// What registering an async wait did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WaitAsyncOutcome {
    /// Level mode and already active: the packet was queued during the call.
    Queued,
    /// An observer is pending; the value is the port's pending-observer count after it.
    Pending(usize),
}

/// `zx_object_wait_async` once arguments, rights and waitability are checked. The caller holds
/// the handle-table lock of `handle` (so a racing close of it is ordered with this).
pub fn wait_async(
    object: &Dispatcher,
    handle: HandleId,
    port: Arc<Dispatcher<Port>>,
    key: u64,
    signals: Signals,
    options: u32,
) -> WaitAsyncOutcome {
    let observer = Arc::new(PortObserver {
        port,
        object: object.to_ref(),
        key,
        trigger: signals,
        options,
        handle,
        slot: AtomicU64::new(0),
    });
    object.with_signals(|state| {
        let current = state.signals();
        if options & WAIT_ASYNC_EDGE == 0 && signals.intersects(current) {
            observer
                .port
                .deliver_immediately(observer.packet(current), observer.origin());
            return WaitAsyncOutcome::Queued;
        }
        object.note_observer_added();
        tracing::trace!(
            target: "zxsim::flow",
            flow = "wait",
            phase = "s",
            a = observer.trace_key(),
            b = 0u64,
            object = object.koid(),
            key,
            "wait registered"
        );
        let slot = state.add_observer(Observer::Async(observer.clone()));
        observer
            .slot
            .store(slotmap::Key::data(&slot).as_ffi(), Ordering::Relaxed);
        let port = observer.port.clone();
        match port.index(observer) {
            Ok(count) => WaitAsyncOutcome::Pending(count),
            Err(()) => {
                // The port died after the caller looked it up: the wait can never deliver.
                state.remove_observer(slot);
                WaitAsyncOutcome::Pending(0)
            }
        }
    })
}

#[cfg(all(test, not(zxsim_loom)))]
mod tests {
    use super::*;
    use crate::kernel::{Config, Kernel};
    use crate::objects::event::Event;

    #[test]
    fn packet_layout_fields_round_trip() {
        let packet = PortPacket::signal(
            7,
            Signals::READABLE,
            Signals::READABLE | Signals::WRITABLE,
            99,
        );
        let (trigger, observed, count, timestamp) = packet.signal_fields();
        assert_eq!(
            (trigger, observed, count, timestamp),
            (
                Signals::READABLE,
                Signals::READABLE | Signals::WRITABLE,
                1,
                99
            )
        );
        assert_eq!(packet.payload[3], 0);
    }

    #[test]
    fn a_cancelled_observer_never_queues() {
        let kernel = Kernel::new(Config::default().with_virtual_clock());
        let port = kernel.new_object(Port::new(0));
        let event = kernel.new_object(Event::new());
        let _h = crate::handle::Handle::new(event.base(), Rights::BASIC);
        wait_async(
            event.base(),
            HandleId(1),
            port.clone(),
            5,
            Signals::USER_0,
            0,
        );
        let port_ref: &Port = &port;
        assert_eq!(port_ref.observer_count(), 1);
        assert!(port_ref.cancel_key(5));
        event.update_signals(Signals::NONE, Signals::USER_0);
        assert_eq!(port_ref.queued_packets(), 0);
        assert_eq!(event.with_signals(|s| s.observer_count()), 0);
        assert!(!port_ref.cancel_key(5));
    }
}
