//! Port: a FIFO of packets, fed by `zx_port_queue` and by async waits (`zx_object_wait_async`).
//!
//! State: one FIFO shared by user and signal packets; the pending waits this port owns, in a slot
//! map recycled from wait to wait and indexed by key so `zx_port_cancel_key` costs O(matching
//! waits); counters for Zircon's limits. Ports are not waitable (no WAIT right) and have no
//! signals of their own.
//!
//! ## Observers and lock order
//! One pending `wait_async` sits in two places: its [`PendingWait`] in this port (so the port can
//! cancel it) and an [`Observer::Async`] in the observed object's observer list (so a signal
//! change can fire it), which names the pending wait by its slot. **The port's slot map is the source of
//! truth:** a wait may deliver a packet only if its slot still holds it when it fires (slot keys
//! are versioned, so a recycled slot never answers for an ended wait), and removal from the port
//! always happens under the port lock. Lock order is **object lock, then port lock**
//! (`[object] -> [port]`):
//!
//! ```text
//!   fire / detach   : object lock ──> port lock   (end it in the port; queue a packet if it was
//!                                                  still pending there)
//!   cancel_key      : port lock (end the key's waits) ; then, port lock released: object lock
//!                     (detach)
//!   on_zero_handles : port lock (end all, drop packets) ; then object locks (detach)
//! ```
//!
//! Cancel is two-phase, as in Zircon: phase one ends the wait in the port under the port lock —
//! from then on a concurrent fire finds its slot empty and queues nothing — and phase two
//! detaches it from its object without holding the port lock.
//!
//! Limits (spec §6): more than 4096 queued *user* packets makes `queue` answer `SHOULD_WAIT`
//! (so the 4097th fits and the 4098th fails); signal packets never count. More than 50 000
//! pending observers raises `PORT_TOO_MANY_OBSERVERS` in the registering process, but the wait
//! is still registered. A kernel's fault plan may lower the first limit and fail a user packet's
//! allocation with `NO_MEMORY` (`crate::faults`).

use std::collections::{HashMap, VecDeque};

use crate::faults::{FaultSite, Faults};
use crate::handle::HandleId;
use rustc_hash::FxBuildHasher;
use slotmap::{new_key_type, Key, KeyData, SlotMap};

use crate::object::{Dispatcher, DispatcherRef, KernelObject};
use crate::signal::{AsyncSink, Observer, ObserverKey, SignalState};
use crate::status::Status;
use crate::sync::{Arc, AtomicUsize, Condvar, LockClass, Mutex, Ordering};
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
    /// The pending waits; a slot freed by one wait is reused by a later one.
    waits: SlotMap<WaitKey, PendingWait>,
    /// The pending waits by port key. Fx hashing: SipHash would cost more than the rest of an
    /// index operation; keys come from user code, and zxsim does not defend against adversarial
    /// collisions.
    by_key: HashMap<u64, KeyedWaits, FxBuildHasher>,
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

new_key_type! {
    /// The slot of a pending wait in its port.
    struct WaitKey;
}

/// One pending `zx_object_wait_async`, as its port keeps it.
struct PendingWait {
    /// The observed object: a cancel detaches the wait from it after releasing the port lock.
    object: DispatcherRef,
    key: u64,
    options: u32,
    handle: HandleId,
    /// The wait's slot in `object`'s observer list.
    object_slot: ObserverKey,
}

impl PendingWait {
    fn origin(&self) -> Origin {
        Origin {
            koid: self.object.koid(),
            handle: self.handle,
        }
    }
}

/// The waits registered under one key; almost always exactly one, so no allocation for it.
enum KeyedWaits {
    One(WaitKey),
    Many(Vec<WaitKey>),
}

impl KeyedWaits {
    fn push(&mut self, wait: WaitKey) {
        match self {
            KeyedWaits::One(first) => *self = KeyedWaits::Many(vec![*first, wait]),
            KeyedWaits::Many(list) => list.push(wait),
        }
    }

    /// Removes `wait`; answers whether the key has no wait left.
    fn remove(&mut self, wait: WaitKey) -> bool {
        match self {
            KeyedWaits::One(only) => *only == wait,
            KeyedWaits::Many(list) => {
                if let Some(position) = list.iter().position(|w| *w == wait) {
                    list.swap_remove(position);
                }
                list.is_empty()
            }
        }
    }

    fn as_slice(&self) -> &[WaitKey] {
        match self {
            KeyedWaits::One(only) => std::slice::from_ref(only),
            KeyedWaits::Many(list) => list,
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

    /// Ends pending wait `wait` in the port: out of the slot map and the key index. `None` if it
    /// had already ended (fired, cancelled, or the port died).
    fn unindex(state: &mut PortState, wait: WaitKey) -> Option<PendingWait> {
        let pending = state.waits.remove(wait)?;
        // One hash lookup whether or not the key's list empties.
        if let std::collections::hash_map::Entry::Occupied(mut entry) =
            state.by_key.entry(pending.key)
        {
            if entry.get_mut().remove(wait) {
                entry.remove();
            }
        }
        Some(pending)
    }

    /// Ends every pending wait with `key` that `doomed` picks, in the port only (phase one of a
    /// cancel). One pass over the key's waits, however many there are.
    fn unindex_key(
        state: &mut PortState,
        key: u64,
        mut doomed: impl FnMut(&PendingWait) -> bool,
    ) -> Vec<(WaitKey, PendingWait)> {
        let Some(list) = state.by_key.remove(&key) else {
            return Vec::new();
        };
        let mut ended = Vec::new();
        let mut kept = Vec::new();
        for &wait in list.as_slice() {
            match state.waits.get(wait) {
                Some(pending) if doomed(pending) => {
                    ended.extend(state.waits.remove(wait).map(|pending| (wait, pending)));
                }
                Some(_) => kept.push(wait),
                None => {}
            }
        }
        match kept[..] {
            [] => {}
            [only] => {
                state.by_key.insert(key, KeyedWaits::One(only));
            }
            _ => {
                state.by_key.insert(key, KeyedWaits::Many(kept));
            }
        }
        ended
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
        self.state.lock().waits.len()
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

/// Phase two of a cancel: with no port lock held, take each wait off its object.
fn detach_all(port: Koid, waits: Vec<(WaitKey, PendingWait)>) {
    for (key, wait) in waits {
        trace_end(port, key, &wait, "wait cancelled");
        // The slot may already be empty (a firing took the wait out first) or, being versioned,
        // can no longer name a later observer: removal is exact either way.
        let removed = wait
            .object
            .with_signals(|state| state.remove_observer(wait.object_slot));
        // The removed entry holds a reference to the port: dropped outside the object lock.
        drop(removed);
    }
}

/// A wait ended (fired, cancelled or detached): the end of its flow in a trace. Always inlined,
/// for the reason given at `trace_wait`.
#[inline(always)]
fn trace_end(port: Koid, wait: WaitKey, pending: &PendingWait, what: &'static str) {
    trace_wait("f", port, wait, pending.object.koid(), pending.key, what);
}

/// One end (`phase` "s" or "f") of a wait's flow in a trace, whose key is the wait's slot in its
/// port and the port's koid. Always inlined: the disabled check then comes first, and the
/// arguments (one a load through the object's pointer) are only computed when tracing is on.
/// Called out of line it cost the fire path about 8 %.
#[inline(always)]
fn trace_wait(phase: &str, port: Koid, wait: WaitKey, object: Koid, key: u64, what: &str) {
    tracing::trace!(
        target: "zxsim::flow",
        flow = "wait",
        phase,
        a = wait.data().as_ffi(),
        b = port,
        object,
        key,
        "{}",
        what
    );
}

impl Dispatcher<Port> {
    /// `zx_port_cancel_key`: ends every pending wait with `key` and removes every queued packet
    /// with `key`, user packets included. `true` if anything was cancelled or removed.
    pub fn cancel_key(&self, key: u64) -> bool {
        self.cancel(key, |_| true, |queued| queued.packet.key == key)
    }

    /// `zx_port_cancel`: ends the waits with `key` made on `object_koid`, and removes their queued
    /// packets. With `handle` (the `zircon` profile) only those registered through that exact
    /// handle match. User packets never match.
    pub fn cancel_source(&self, object_koid: Koid, handle: Option<HandleId>, key: u64) -> bool {
        let matches = |origin: Origin| {
            origin.koid == object_koid && handle.is_none_or(|handle| handle == origin.handle)
        };
        self.cancel(
            key,
            |wait| matches(wait.origin()),
            |queued| queued.packet.key == key && queued.origin.is_some_and(matches),
        )
    }

    /// A cancel in two phases: under the port lock, end the chosen waits with `key` and remove
    /// the chosen packets; then, with the port lock released, detach the waits from their objects.
    fn cancel(
        &self,
        key: u64,
        waits: impl FnMut(&PendingWait) -> bool,
        packets: impl FnMut(&Queued) -> bool,
    ) -> bool {
        let (cancelled, removed) = {
            let mut state = self.state.lock();
            let cancelled = Port::unindex_key(&mut state, key, waits);
            let removed = self.remove_packets(&mut state, packets);
            (cancelled, removed)
        };
        let any = !cancelled.is_empty() || removed > 0;
        detach_all(self.koid(), cancelled);
        any
    }

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

    /// The signal packet of a wait (`key`, `trigger`, `options`) that matched when the object's
    /// signals were `observed`.
    fn packet(&self, key: u64, trigger: Signals, options: u32, observed: Signals) -> PortPacket {
        let timestamp = if options & (WAIT_ASYNC_TIMESTAMP | WAIT_ASYNC_BOOT_TIMESTAMP) != 0 {
            self.kernel_shared().clock().now()
        } else {
            0
        };
        PortPacket::signal(key, trigger, observed, timestamp)
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
    fn on_zero_handles(&self, object: &Dispatcher) {
        let (waits, packets) = {
            let mut state = self.state.lock();
            state.alive = false;
            state.user_packets = 0;
            self.queued.store(0, Ordering::Release);
            state.by_key.clear();
            let waits: Vec<(WaitKey, PendingWait)> = state.waits.drain().collect();
            let notifier = state.notifier.take();
            (waits, (std::mem::take(&mut state.packets), notifier))
        };
        drop(packets);
        detach_all(object.koid(), waits);
    }
}

impl AsyncSink for Dispatcher<Port> {
    /// Fired (under the object lock): queue the packet if the wait is still pending.
    fn on_match(&self, wait: u64, trigger: Signals, observed: Signals) {
        let key = WaitKey::from(KeyData::from_ffi(wait));
        let ended = {
            let mut state = self.state.lock();
            // Gone: cancelled, or the port died. A cancelled wait never queues anything.
            let pending = Port::unindex(&mut state, key);
            if let Some(pending) = &pending {
                trace_end(self.koid(), key, pending, "wait fired");
                let packet = self.packet(pending.key, trigger, pending.options, observed);
                self.push(self.koid(), &mut state, packet, Some(pending.origin()));
            }
            pending
        };
        // Its reference to the object goes outside the port lock.
        drop(ended);
    }

    /// Removed from the object without a match (handle or object gone): end it in the port.
    fn on_detached(&self, wait: u64) {
        let key = WaitKey::from(KeyData::from_ffi(wait));
        let ended = Port::unindex(&mut self.state.lock(), key);
        if let Some(pending) = &ended {
            trace_end(self.koid(), key, pending, "wait detached");
        }
    }

    fn registering_handle(&self, wait: u64) -> Option<HandleId> {
        let key = WaitKey::from(KeyData::from_ffi(wait));
        self.state
            .lock()
            .waits
            .get(key)
            .map(|pending| pending.handle)
    }

    fn destination(&self, wait: u64) -> Option<(Koid, u64, u32)> {
        let key = WaitKey::from(KeyData::from_ffi(wait));
        let state = self.state.lock();
        let pending = state.waits.get(key)?;
        Some((self.koid(), pending.key, pending.options))
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
    port: &Dispatcher<Port>,
    key: u64,
    signals: Signals,
    options: u32,
) -> WaitAsyncOutcome {
    object.with_signals(|state| {
        let current = state.signals();
        let koid = port.koid();
        let mut port_state = port.state.lock();
        if !port_state.alive {
            // The port died after the caller looked it up: the wait can never deliver.
            return WaitAsyncOutcome::Pending(0);
        }
        if options & WAIT_ASYNC_EDGE == 0 && signals.intersects(current) {
            let origin = Origin {
                koid: object.koid(),
                handle,
            };
            let packet = port.packet(key, signals, options, current);
            port.push(koid, &mut port_state, packet, Some(origin));
            return WaitAsyncOutcome::Queued;
        }
        object.note_observer_added();
        let slot = port_state.waits.insert(PendingWait {
            object: object.to_ref(),
            key,
            options,
            handle,
            object_slot: ObserverKey::null(),
        });
        trace_wait("s", koid, slot, object.koid(), key, "wait registered");
        port_state.waits[slot].object_slot = state.add_observer(Observer::Async {
            sink: port.to_arc(),
            wait: slot.data().as_ffi(),
            trigger: signals,
        });
        match port_state.by_key.entry(key) {
            std::collections::hash_map::Entry::Occupied(mut entry) => entry.get_mut().push(slot),
            std::collections::hash_map::Entry::Vacant(entry) => {
                entry.insert(KeyedWaits::One(slot));
            }
        }
        WaitAsyncOutcome::Pending(port_state.waits.len())
    })
}

#[cfg(all(test, not(zxsim_loom)))]
mod tests {
    use super::*;
    use crate::kernel::{Config, Kernel};
    use crate::objects::event::Event;

    /// A port and an event with one handle, in a kernel of their own (fields drop in order: the
    /// handle first, the kernel last).
    struct Setup {
        _handle: crate::handle::Handle,
        event: Arc<Dispatcher<Event>>,
        port: Arc<Dispatcher<Port>>,
        _kernel: Kernel,
    }

    impl Setup {
        fn new() -> Setup {
            let kernel = Kernel::new(Config::default().with_virtual_clock());
            let port = kernel.new_object(Port::new(0));
            let event = kernel.new_object(Event::new());
            let handle = crate::handle::Handle::new(event.base(), Rights::BASIC).expect("a handle");
            Setup {
                _handle: handle,
                event,
                port,
                _kernel: kernel,
            }
        }
    }

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
        let Setup { port, event, .. } = &Setup::new();
        wait_async(event.base(), HandleId(1), port, 5, Signals::USER_0, 0);
        let port_ref: &Port = port;
        assert_eq!(port_ref.observer_count(), 1);
        assert!(port.cancel_key(5));
        event.update_signals(Signals::NONE, Signals::USER_0);
        assert_eq!(port_ref.queued_packets(), 0);
        assert_eq!(event.with_signals(|s| s.observer_count()), 0);
        assert!(!port.cancel_key(5));
    }

    /// A firing that lost the race to a cancel carries the ended wait's name; by then its slot
    /// may hold a newer wait, which must neither fire nor be ended by the stale name.
    #[test]
    fn a_recycled_slot_never_answers_for_an_ended_wait() {
        let Setup { port, event, .. } = &Setup::new();
        let only_wait = |port: &Dispatcher<Port>| {
            let state = port.state.lock();
            assert_eq!(state.waits.len(), 1);
            state.waits.keys().next().expect("one pending wait")
        };
        wait_async(event.base(), HandleId(1), port, 5, Signals::USER_0, 0);
        let ended = only_wait(port);
        assert!(port.cancel_key(5));
        wait_async(event.base(), HandleId(1), port, 6, Signals::USER_0, 0);
        let newer = only_wait(port);
        assert_eq!(
            ended.data().as_ffi() as u32,
            newer.data().as_ffi() as u32,
            "slot reused"
        );
        assert_ne!(ended, newer);
        let stale = ended.data().as_ffi();
        port.on_match(stale, Signals::USER_0, Signals::USER_0);
        port.on_detached(stale);
        assert_eq!(port.registering_handle(stale), None);
        assert_eq!(port.destination(stale), None);
        assert_eq!(
            port.destination(newer.data().as_ffi()),
            Some((port.koid(), 6, 0))
        );
        let port_ref: &Port = port;
        assert_eq!(
            (port_ref.queued_packets(), port_ref.observer_count()),
            (0, 1)
        );
        event.update_signals(Signals::NONE, Signals::USER_0);
        assert_eq!(port.try_take().map(|packet| packet.key), Some(6));
    }

    /// Waits that come and go reuse the port's slots: after the first, a thousand more waits, one
    /// at a time and each under a key of its own, grow nothing, and leave no key behind.
    #[test]
    fn pending_wait_slots_are_recycled() {
        let Setup { port, event, .. } = &Setup::new();
        let mut first_capacity = None;
        for round in 0..=1000u64 {
            let (awaited, previous) = if round % 2 == 0 {
                (Signals::USER_0, Signals::USER_1)
            } else {
                (Signals::USER_1, Signals::USER_0)
            };
            wait_async(event.base(), HandleId(1), port, round, awaited, 0);
            event.update_signals(previous, awaited);
            assert_eq!(port.try_take().map(|packet| packet.key), Some(round));
            first_capacity.get_or_insert(port.state.lock().waits.capacity());
        }
        assert_eq!(Some(port.state.lock().waits.capacity()), first_capacity);
        assert!(port.state.lock().by_key.is_empty());
        // A cancel that ends every wait of a key (one, then two) leaves no entry for it either.
        for waits in 1..=2 {
            for _ in 0..waits {
                wait_async(event.base(), HandleId(1), port, 7, Signals::USER_2, 0);
            }
            assert!(port.cancel_key(7));
            assert!(port.state.lock().by_key.is_empty());
        }
    }
}
