//! One fuzzing thread: picks a syscall and random arguments, makes the call through `sys`, and
//! checks the answer.
//!
//! Checks, per call: the status is in the syscall's row of [`crate::spec`]; a call on handle 0
//! (other than a close) never succeeds; handle values a successful create/duplicate/read returns
//! are well formed; and the consumed-handle rules of spec §12.1 — after `zx_channel_write`,
//! `zx_channel_call` and `zx_handle_close_many`, every handle value passed is invalid in the
//! caller's table whatever the status; after `zx_channel_write_etc`, every MOVE entry and every
//! entry with an unknown operation is; after `zx_handle_replace` answering OK or INVALID_ARGS, the
//! source is. And once a channel, socket or fifo read on a value answered PEER_CLOSED (nothing
//! left, peer gone), no later read on that value may return data — whichever thread of the
//! process reads. ("Invalid" is checked with `ZX_INFO_HANDLE_VALID`: a value a table has freed only
//! names a handle again after its slot's generation wraps, thousands of reuses later.)
//!
//! The thread keeps a pool of the values it believes it owns (from creations, duplicates and
//! reads), a ring of values it closed (stale values), and publishes some of its values to a
//! per-process ring that other threads and processes draw "foreign" values from.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, AtomicU64, AtomicU8, Ordering};
use std::sync::{Arc, Mutex};

use zxsim_kernel::Process;
use zxsim_syscalls::sys::*;

use crate::rng::Rng;
use crate::spec::{status_bucket, Op, STATUS_BUCKETS};

/// Handles a thread keeps before it closes some (bounds memory and keeps objects dying).
const POOL_CAP: usize = 48;
const STALE_CAP: usize = 32;
const RECENT_CAP: usize = 64;
/// Violations kept in full per thread (all are counted).
const KEPT_VIOLATIONS: usize = 20;
/// `InFlight::op` when the thread is between calls or done.
pub const IDLE: u8 = u8::MAX;

/// What the watchdog reads: the call a thread is making.
#[derive(Default)]
pub struct InFlight {
    pub op: AtomicU8,
    pub handle: AtomicU32,
    /// Calls finished so far.
    pub calls: AtomicU64,
    pub done: std::sync::atomic::AtomicBool,
}

/// Where a read saw an endpoint drained with its peer gone (named in a violation).
#[derive(Clone, Copy, Debug)]
pub struct Drained {
    pub thread: usize,
    pub call: u64,
    pub value: u32,
    /// The ticket taken right after that read returned.
    pub ended: u64,
}

/// Which endpoint a read surely reached, and when (tickets of the run's one counter, taken just
/// before and just after the call: a read whose `started` exceeds another's `ended` ran after it).
#[derive(Clone, Copy, Debug)]
pub struct Reached {
    pub koid: Option<u64>,
    pub value: u32,
    pub started: u64,
    pub ended: u64,
}

/// State shared by the threads of one run.
pub struct Shared {
    pub processes: Vec<Arc<Process>>,
    /// Per process: recently created handle values, for "foreign" handle arguments.
    pub recent: Vec<Mutex<Vec<u32>>>,
    /// Koids of endpoints a read found empty with the peer gone (PEER_CLOSED). Nothing may be
    /// read from them afterwards: a closed peer never reopens, and nothing reaches an endpoint
    /// after it observed PEER_CLOSED. Keyed by koid, not handle value: a value comes back after
    /// its slot's generation wraps (4 096 reuses), a koid never does.
    pub drained: Mutex<HashMap<u64, Drained>>,
    /// Orders reads across threads (see [`Reached`]).
    pub ticket: AtomicU64,
    pub in_flight: Vec<InFlight>,
}

/// A status outside the table, or a broken handle rule.
#[derive(Clone, Debug)]
pub struct Violation {
    pub thread: usize,
    /// 0-based index of the call in its thread.
    pub call: u64,
    pub op: &'static str,
    pub message: String,
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "thread {} call #{} {}: {}",
            self.thread, self.call, self.op, self.message
        )
    }
}

/// What one thread reports.
pub struct WorkerResult {
    pub calls: u64,
    pub histogram: Vec<[u64; STATUS_BUCKETS]>,
    pub violations: Vec<Violation>,
    pub violation_count: u64,
}

/// (op, weight): creations and closes keep the pools turning over; the rest are spread evenly.
const WEIGHTS: &[(Op, u32)] = &[
    (Op::HandleClose, 6),
    (Op::HandleCloseMany, 2),
    (Op::HandleCheckValid, 1),
    (Op::HandleDuplicate, 4),
    (Op::HandleReplace, 3),
    (Op::ObjectSignal, 4),
    (Op::ObjectSignalPeer, 3),
    (Op::ObjectGetInfo, 3),
    (Op::ObjectWaitOne, 3),
    (Op::ObjectWaitMany, 2),
    (Op::ObjectWaitAsync, 5),
    (Op::EventCreate, 3),
    (Op::EventpairCreate, 2),
    (Op::PortCreate, 2),
    (Op::PortQueue, 3),
    (Op::PortWait, 4),
    (Op::PortCancel, 2),
    (Op::PortCancelKey, 2),
    (Op::ChannelCreate, 4),
    (Op::ChannelWrite, 6),
    (Op::ChannelWriteEtc, 3),
    (Op::ChannelRead, 5),
    (Op::ChannelReadEtc, 2),
    (Op::ChannelCall, 1),
    (Op::SocketCreate, 2),
    (Op::SocketWrite, 3),
    (Op::SocketRead, 3),
    (Op::SocketSetDisposition, 2),
    (Op::ObjectGetProperty, 1),
    (Op::ObjectSetProperty, 1),
    (Op::FifoCreate, 2),
    (Op::FifoWrite, 2),
    (Op::FifoRead, 2),
    (Op::TimerCreate, 2),
    (Op::TimerSet, 2),
    (Op::TimerCancel, 1),
];

/// The op whose cumulative weight covers `roll` (0 ≤ roll < total weight).
fn op_for(roll: u32) -> Op {
    let mut left = roll;
    for &(op, weight) in WEIGHTS {
        if left < weight {
            return op;
        }
        left -= weight;
    }
    WEIGHTS[0].0
}

fn total_weight() -> u32 {
    WEIGHTS.iter().map(|&(_, weight)| weight).sum()
}

pub struct Worker {
    index: usize,
    process: usize,
    rng: Rng,
    shared: Arc<Shared>,
    pool: Vec<u32>,
    /// `ZX_OBJ_TYPE_*` of each pool entry (same index), 0 when unknown.
    pool_types: Vec<u32>,
    stale: Vec<u32>,
    histogram: Vec<[u64; STATUS_BUCKETS]>,
    violations: Vec<Violation>,
    violation_count: u64,
    call: u64,
    /// Extra percentage of picks from the process's shared ring (see `Options::share`).
    share: u32,
    /// Bytes to write and room to read (large enough for the biggest socket write).
    bytes: Vec<u8>,
    scratch: Vec<u8>,
}

impl Worker {
    pub fn new(index: usize, process: usize, seed: u64, shared: Arc<Shared>) -> Worker {
        let mut rng = Rng::for_thread(seed, index);
        let bytes = (0..300_000).map(|_| rng.next_u32() as u8).collect();
        Worker {
            index,
            process,
            rng,
            shared,
            pool: Vec::with_capacity(POOL_CAP + 8),
            pool_types: Vec::with_capacity(POOL_CAP + 8),
            stale: Vec::with_capacity(STALE_CAP),
            histogram: vec![[0; STATUS_BUCKETS]; Op::ALL.len()],
            violations: Vec::new(),
            violation_count: 0,
            call: 0,
            share: 0,
            bytes,
            scratch: vec![0; 300_000],
        }
    }

    pub fn with_share(mut self, share: u32) -> Worker {
        self.share = share.min(100);
        self
    }

    /// Makes `calls` calls, then closes what its pool still holds.
    pub fn run(mut self, calls: u64) -> WorkerResult {
        let total = total_weight();
        while self.call < calls {
            let op = op_for(self.rng.below(total as usize) as u32);
            self.step(op);
            self.call += 1;
            self.shared.in_flight[self.index]
                .calls
                .store(self.call, Ordering::Relaxed);
        }
        self.pool_types.clear();
        for value in std::mem::take(&mut self.pool) {
            zx_handle_close(value);
        }
        self.shared.in_flight[self.index]
            .done
            .store(true, Ordering::Release);
        WorkerResult {
            calls: self.call,
            histogram: self.histogram,
            violations: self.violations,
            violation_count: self.violation_count,
        }
    }

    fn violation(&mut self, op: Op, message: String) {
        self.violation_count += 1;
        if self.violations.len() < KEPT_VIOLATIONS {
            self.violations.push(Violation {
                thread: self.index,
                call: self.call,
                op: op.name(),
                message,
            });
        }
    }

    /// Marks `op` on `handle` as in flight (for the watchdog).
    fn begin(&self, op: Op, handle: u32) {
        let slot = &self.shared.in_flight[self.index];
        slot.handle.store(handle, Ordering::Relaxed);
        slot.op.store(op as u8, Ordering::Relaxed);
    }

    /// Records the answer and checks it against the table.
    fn check(&mut self, op: Op, status: zx_status_t) -> zx_status_t {
        self.shared.in_flight[self.index]
            .op
            .store(IDLE, Ordering::Relaxed);
        self.histogram[op.index()][status_bucket(status)] += 1;
        if !op.allowed().contains(&status) {
            let name = zxsim_kernel::Status::from_raw(status);
            self.violation(op, format!("status {name:?} is not one the spec allows"));
        }
        status
    }

    /// A call whose first argument is `handle` answered OK: if that handle is 0, it must not have.
    fn check_not_ok_on_zero(&mut self, op: Op, handle: u32, status: zx_status_t) {
        if handle == ZX_HANDLE_INVALID && status == ZX_OK {
            self.violation(op, "answered OK on handle 0".to_string());
        }
    }

    // ---- handle values ---------------------------------------------------------------------

    /// A handle argument: mostly our own, sometimes stale, 0, random, or another thread's or
    /// process's value.
    fn pick(&mut self) -> u32 {
        // (No draw at all when `share` is 0, so a seed replays the same calls as without it.)
        if self.share > 0 && self.rng.percent(self.share) {
            let recent = self.shared.recent[self.process]
                .lock()
                .expect("recent ring");
            if !recent.is_empty() {
                return recent[self.rng.below(recent.len())];
            }
        }
        let roll = self.rng.below(100);
        if roll < 70 && !self.pool.is_empty() {
            return self.pool[self.rng.below(self.pool.len())];
        }
        if roll < 77 && !self.stale.is_empty() {
            return self.stale[self.rng.below(self.stale.len())];
        }
        if roll < 81 {
            return ZX_HANDLE_INVALID;
        }
        if roll < 85 {
            return self.rng.next_u32();
        }
        let processes = self.shared.processes.len();
        let from = if roll < 90 {
            self.rng.below(processes)
        } else {
            self.process
        };
        let recent = self.shared.recent[from].lock().expect("recent ring");
        if recent.is_empty() {
            return self.rng.next_u32() | ZX_HANDLE_FIXED_BITS_MASK;
        }
        recent[self.rng.below(recent.len())]
    }

    /// Half the time, one of our handles of type `obj_type` (if we have one); otherwise [`pick`].
    fn pick_of(&mut self, obj_type: zx_obj_type_t) -> u32 {
        if self.rng.percent(50) {
            let mut chosen = None;
            let mut seen = 0;
            for (index, &t) in self.pool_types.iter().enumerate() {
                if t == obj_type {
                    seen += 1;
                    if self.rng.below(seen) == 0 {
                        chosen = Some(index);
                    }
                }
            }
            if let Some(index) = chosen {
                return self.pool[index];
            }
        }
        self.pick()
    }

    /// The type of our handle `value` (0 if it is not ours or unknown).
    fn type_of(&self, value: u32) -> zx_obj_type_t {
        self.pool
            .iter()
            .position(|&v| v == value)
            .map_or(0, |index| self.pool_types[index])
    }

    /// A value a call gave us: keep it (closing a random one when the pool is full).
    fn adopt(&mut self, op: Op, value: u32, obj_type: zx_obj_type_t) {
        if value == ZX_HANDLE_INVALID
            || value & ZX_HANDLE_FIXED_BITS_MASK != ZX_HANDLE_FIXED_BITS_MASK
        {
            self.violation(op, format!("returned a malformed handle value {value:#x}"));
            return;
        }
        if self.rng.percent(50) {
            let mut recent = self.shared.recent[self.process]
                .lock()
                .expect("recent ring");
            if recent.len() < RECENT_CAP {
                recent.push(value);
            } else {
                let slot = self.rng.below(RECENT_CAP);
                recent[slot] = value;
            }
        }
        self.pool.push(value);
        self.pool_types.push(obj_type);
        if self.pool.len() > POOL_CAP {
            let index = self.rng.below(self.pool.len());
            self.pool_types.swap_remove(index);
            let victim = self.pool.swap_remove(index);
            self.begin(Op::HandleClose, victim);
            let status = zx_handle_close(victim);
            self.check(Op::HandleClose, status);
            self.retire(victim);
        }
    }

    /// A value we no longer own (closed, consumed, or found invalid).
    fn forget(&mut self, value: u32) {
        if let Some(position) = self.pool.iter().position(|&v| v == value) {
            self.pool.swap_remove(position);
            self.pool_types.swap_remove(position);
            self.retire(value);
        }
    }

    fn retire(&mut self, value: u32) {
        if self.stale.len() < STALE_CAP {
            self.stale.push(value);
        } else {
            let slot = self.rng.below(STALE_CAP);
            self.stale[slot] = value;
        }
    }

    /// `value` was consumed by `op`: it must be invalid in our table now.
    fn check_consumed(&mut self, op: Op, value: u32) {
        self.forget(value);
        if value == ZX_HANDLE_INVALID {
            return;
        }
        if zx_object_get_info(value, ZX_INFO_HANDLE_VALID, &mut [], None, None) == ZX_OK {
            self.violation(
                op,
                format!("handle {value:#x} is still valid after the call consumed it"),
            );
        }
    }

    /// The koid of the object `value` names now, if it names one.
    fn koid_of(value: u32) -> Option<u64> {
        let mut info = [0u8; 32];
        (zx_object_get_info(value, ZX_INFO_HANDLE_BASIC, &mut info, None, None) == ZX_OK)
            .then(|| u64::from_le_bytes(info[..8].try_into().expect("8 bytes")))
    }

    /// A read through a value that named `koid` both before and after the call (so the read
    /// reached that object) answered `status` with `got_data`: keep the PEER_CLOSED rule.
    fn check_after_peer_closed(
        &mut self,
        op: Op,
        reached: Reached,
        status: zx_status_t,
        got_data: bool,
        what: impl FnOnce() -> String,
    ) {
        let Reached {
            koid: Some(koid),
            value,
            started,
            ended,
        } = reached
        else {
            return;
        };
        if status == ZX_ERR_PEER_CLOSED {
            let drained = Drained {
                thread: self.index,
                call: self.call,
                value,
                ended,
            };
            let mut map = self.shared.drained.lock().expect("drained set");
            let entry = map.entry(koid).or_insert(drained);
            if drained.ended < entry.ended {
                *entry = drained;
            }
        } else if status == ZX_OK && got_data {
            let drained = self
                .shared
                .drained
                .lock()
                .expect("drained set")
                .get(&koid)
                .copied()
                // Only a PEER_CLOSED that was over before this read began counts: a read that
                // overlapped it may have taken the last message first.
                .filter(|drained| drained.ended < started);
            if let Some(drained) = drained {
                self.violation(
                    op,
                    format!(
                        "read {} from koid {koid} through {value:#x} after a read of it \
                         answered PEER_CLOSED (thread {} call #{} through {:#x}): data reached \
                         an endpoint whose peer was already gone",
                        what(),
                        drained.thread,
                        drained.call,
                        drained.value
                    ),
                );
            }
        }
    }

    /// Runs a read through `value` and returns its status and the koid it surely reached (the
    /// value named that koid before and after the call).
    fn read_reaching(
        &mut self,
        value: u32,
        read: impl FnOnce(&mut Self) -> zx_status_t,
    ) -> (zx_status_t, Reached) {
        let before = Self::koid_of(value);
        let started = self.shared.ticket.fetch_add(1, Ordering::SeqCst);
        let status = read(self);
        let ended = self.shared.ticket.fetch_add(1, Ordering::SeqCst);
        let after = before.and_then(|_| Self::koid_of(value));
        let reached = Reached {
            koid: before.filter(|_| before == after),
            value,
            started,
            ended,
        };
        (status, reached)
    }

    // ---- argument shapes -------------------------------------------------------------------

    fn deadline(&mut self) -> zx_time_t {
        match self.rng.below(10) {
            0..=5 => ZX_TIME_INFINITE_PAST,
            6 => 0,
            _ => zx_deadline_after(self.rng.below(20_000) as i64),
        }
    }

    fn rights(&mut self) -> zx_rights_t {
        match self.rng.below(6) {
            0..=2 => ZX_RIGHT_SAME_RIGHTS,
            3 => ZX_RIGHT_NONE,
            4 => self.rng.pick(&[
                ZX_RIGHTS_BASIC,
                ZX_RIGHT_TRANSFER | ZX_RIGHT_READ | ZX_RIGHT_WRITE,
                ZX_RIGHT_WAIT | ZX_RIGHT_TRANSFER,
                ZX_RIGHT_DUPLICATE | ZX_RIGHT_TRANSFER | ZX_RIGHT_WAIT | ZX_RIGHT_SIGNAL,
            ]),
            _ => self.rng.next_u32(),
        }
    }

    fn signals(&mut self) -> zx_signals_t {
        match self.rng.below(6) {
            0 => 0,
            1 => ZX_USER_SIGNAL_0,
            2 => ZX_EVENT_SIGNALED,
            3 => ZX_USER_SIGNAL_ALL,
            4 => ZX_CHANNEL_READABLE | ZX_CHANNEL_PEER_CLOSED,
            _ => self.rng.next_u32(),
        }
    }

    /// Options: usually valid (`valid`), sometimes random bits.
    fn options(&mut self, valid: &[u32]) -> u32 {
        if self.rng.percent(90) {
            self.rng.pick(valid)
        } else {
            self.rng.next_u32()
        }
    }

    fn key(&mut self) -> u64 {
        self.rng.below(8) as u64
    }

    fn handle_list(&mut self) -> Vec<u32> {
        let count = match self.rng.below(100) {
            0..=39 => 0,
            40..=69 => 1,
            70..=89 => 2,
            90..=98 => 3,
            _ => 65,
        };
        (0..count).map(|_| self.pick()).collect()
    }

    fn channel_bytes(&mut self) -> usize {
        match self.rng.below(100) {
            0..=19 => 0,
            20..=29 => 3,
            30..=59 => 4,
            60..=89 => 16,
            90..=98 => 200,
            _ => self.rng.pick(&[65_536, 65_537]),
        }
    }

    // ---- the calls -------------------------------------------------------------------------

    fn step(&mut self, op: Op) {
        match op {
            Op::HandleClose => {
                let value = self.pick();
                self.begin(op, value);
                let status = self.check(op, zx_handle_close(value));
                if value == ZX_HANDLE_INVALID && status != ZX_OK {
                    self.violation(op, "closing handle 0 must answer OK".to_string());
                }
                if status == ZX_OK {
                    self.check_consumed(op, value);
                } else {
                    self.forget(value);
                }
            }
            Op::HandleCloseMany => {
                let values: Vec<u32> = (0..self.rng.below(5)).map(|_| self.pick()).collect();
                self.begin(op, values.first().copied().unwrap_or(0));
                self.check(op, zx_handle_close_many(&values));
                for value in values {
                    self.check_consumed(op, value);
                }
            }
            Op::HandleCheckValid => {
                let value = self.pick();
                self.begin(op, value);
                let status = self.check(op, zx_handle_check_valid(value));
                let expected = if value == ZX_HANDLE_INVALID {
                    Some(ZX_ERR_INVALID_ARGS)
                } else if value & 0x3 != 0x3 {
                    Some(ZX_ERR_OUT_OF_RANGE)
                } else {
                    None // OK or NOT_FOUND: another thread may close or create it meanwhile
                };
                if expected.is_some_and(|expected| expected != status) {
                    self.violation(
                        op,
                        format!("{value:#x} answered {status}, not {expected:?}"),
                    );
                }
            }
            Op::HandleDuplicate => {
                let (value, rights) = (self.pick(), self.rights());
                let obj_type = self.type_of(value);
                let mut out = 0;
                self.begin(op, value);
                let status = self.check(op, zx_handle_duplicate(value, rights, &mut out));
                self.check_not_ok_on_zero(op, value, status);
                if status == ZX_OK {
                    self.adopt(op, out, obj_type);
                }
            }
            Op::HandleReplace => {
                let (value, rights) = (self.pick(), self.rights());
                let obj_type = self.type_of(value);
                let mut out = 0;
                self.begin(op, value);
                let status = self.check(op, zx_handle_replace(value, rights, &mut out));
                self.check_not_ok_on_zero(op, value, status);
                if status == ZX_OK || status == ZX_ERR_INVALID_ARGS {
                    self.check_consumed(op, value);
                }
                if status == ZX_OK {
                    self.adopt(op, out, obj_type);
                }
            }
            Op::ObjectSignal | Op::ObjectSignalPeer => {
                let value = if op == Op::ObjectSignalPeer {
                    self.pick_of(ZX_OBJ_TYPE_EVENTPAIR)
                } else {
                    self.pick()
                };
                let (clear, set) = (self.signals(), self.signals());
                self.begin(op, value);
                let status = if op == Op::ObjectSignal {
                    zx_object_signal(value, clear, set)
                } else {
                    zx_object_signal_peer(value, clear, set)
                };
                let status = self.check(op, status);
                self.check_not_ok_on_zero(op, value, status);
            }
            Op::ObjectGetInfo => {
                let value = self.pick();
                let topic = self.rng.pick(&[
                    ZX_INFO_HANDLE_VALID,
                    ZX_INFO_HANDLE_BASIC,
                    ZX_INFO_HANDLE_COUNT,
                    ZX_INFO_SOCKET,
                    ZX_INFO_TIMER,
                    999,
                ]);
                let size = self.rng.pick(&[0usize, 4, 32, 64]);
                let (mut actual, mut avail) = (0, 0);
                self.begin(op, value);
                let status = zx_object_get_info(
                    value,
                    topic,
                    &mut self.scratch[..size],
                    Some(&mut actual),
                    Some(&mut avail),
                );
                let status = self.check(op, status);
                self.check_not_ok_on_zero(op, value, status);
            }
            Op::ObjectWaitOne => {
                let (value, signals, deadline) = (self.pick(), self.signals(), self.deadline());
                let mut observed = 0;
                self.begin(op, value);
                let status = zx_object_wait_one(value, signals, deadline, Some(&mut observed));
                let status = self.check(op, status);
                self.check_not_ok_on_zero(op, value, status);
            }
            Op::ObjectWaitMany => {
                let count = if self.rng.percent(2) {
                    65
                } else {
                    self.rng.below(4)
                };
                let mut items: Vec<zx_wait_item_t> = (0..count)
                    .map(|_| zx_wait_item_t {
                        handle: self.pick(),
                        waitfor: self.signals(),
                        pending: 0,
                    })
                    .collect();
                let deadline = self.deadline();
                self.begin(op, items.first().map_or(0, |item| item.handle));
                self.check(op, zx_object_wait_many(&mut items, deadline));
            }
            Op::ObjectWaitAsync => {
                let (value, port, key, signals) = (
                    self.pick(),
                    self.pick_of(ZX_OBJ_TYPE_PORT),
                    self.key(),
                    self.signals(),
                );
                let options = self.options(&[0, ZX_WAIT_ASYNC_EDGE, ZX_WAIT_ASYNC_TIMESTAMP, 3]);
                self.begin(op, value);
                let status = zx_object_wait_async(value, port, key, signals, options);
                let status = self.check(op, status);
                self.check_not_ok_on_zero(op, value, status);
            }
            Op::EventCreate => {
                let options = self.options(&[0]);
                let mut out = 0;
                self.begin(op, 0);
                if self.check(op, zx_event_create(options, &mut out)) == ZX_OK {
                    self.adopt(op, out, ZX_OBJ_TYPE_EVENT);
                }
            }
            Op::PortCreate => {
                let options = self.options(&[0, ZX_PORT_BIND_TO_INTERRUPT]);
                let mut out = 0;
                self.begin(op, 0);
                if self.check(op, zx_port_create(options, &mut out)) == ZX_OK {
                    self.adopt(op, out, ZX_OBJ_TYPE_PORT);
                }
            }
            Op::TimerCreate => {
                let options = self.options(&[0, 1, 2]);
                let clock = self.options(&[ZX_CLOCK_MONOTONIC]);
                let mut out = 0;
                self.begin(op, 0);
                if self.check(op, zx_timer_create(options, clock, &mut out)) == ZX_OK {
                    self.adopt(op, out, ZX_OBJ_TYPE_TIMER);
                }
            }
            Op::EventpairCreate | Op::ChannelCreate | Op::SocketCreate | Op::FifoCreate => {
                self.create_pair(op)
            }
            Op::PortQueue => {
                let value = self.pick_of(ZX_OBJ_TYPE_PORT);
                let packet = zx_port_packet_t {
                    key: self.key(),
                    packet_type: self.rng.next_u32(),
                    status: self.rng.next_u32() as i32,
                    ..Default::default()
                };
                self.begin(op, value);
                let status = self.check(op, zx_port_queue(value, &packet));
                self.check_not_ok_on_zero(op, value, status);
            }
            Op::PortWait => {
                let (value, deadline) = (self.pick_of(ZX_OBJ_TYPE_PORT), self.deadline());
                let mut packet = zx_port_packet_t::default();
                self.begin(op, value);
                let status = self.check(op, zx_port_wait(value, deadline, &mut packet));
                self.check_not_ok_on_zero(op, value, status);
            }
            Op::PortCancel => {
                let (port, source, key) = (self.pick_of(ZX_OBJ_TYPE_PORT), self.pick(), self.key());
                self.begin(op, port);
                let status = self.check(op, zx_port_cancel(port, source, key));
                self.check_not_ok_on_zero(op, port, status);
            }
            Op::PortCancelKey => {
                let (port, key) = (self.pick_of(ZX_OBJ_TYPE_PORT), self.key());
                let options = self.options(&[0]);
                self.begin(op, port);
                let status = self.check(op, zx_port_cancel_key(port, options, key));
                self.check_not_ok_on_zero(op, port, status);
            }
            Op::ChannelWrite => {
                let (channel, size) = (self.pick_of(ZX_OBJ_TYPE_CHANNEL), self.channel_bytes());
                let options = self.options(&[0]);
                let handles = self.handle_list();
                self.begin(op, channel);
                let status = zx_channel_write(channel, options, &self.bytes[..size], &handles);
                let status = self.check(op, status);
                self.check_not_ok_on_zero(op, channel, status);
                for value in handles {
                    self.check_consumed(op, value);
                }
            }
            Op::ChannelWriteEtc => {
                let (channel, size) = (self.pick_of(ZX_OBJ_TYPE_CHANNEL), self.channel_bytes());
                let options = self.options(&[0]);
                let mut dispositions: Vec<zx_handle_disposition_t> = self
                    .handle_list()
                    .into_iter()
                    .map(|handle| zx_handle_disposition_t {
                        operation: self.rng.pick(&[
                            ZX_HANDLE_OP_MOVE,
                            ZX_HANDLE_OP_MOVE,
                            ZX_HANDLE_OP_DUPLICATE,
                            7,
                        ]),
                        handle,
                        type_: self.rng.pick(&[
                            ZX_OBJ_TYPE_NONE,
                            ZX_OBJ_TYPE_NONE,
                            ZX_OBJ_TYPE_EVENT,
                            ZX_OBJ_TYPE_CHANNEL,
                        ]),
                        rights: self.rights(),
                        result: ZX_OK,
                    })
                    .collect();
                let moved: Vec<u32> = dispositions
                    .iter()
                    .filter(|d| d.operation != ZX_HANDLE_OP_DUPLICATE)
                    .map(|d| d.handle)
                    .collect();
                self.begin(op, channel);
                let status =
                    zx_channel_write_etc(channel, options, &self.bytes[..size], &mut dispositions);
                let status = self.check(op, status);
                self.check_not_ok_on_zero(op, channel, status);
                for value in moved {
                    self.check_consumed(op, value);
                }
            }
            Op::ChannelRead | Op::ChannelReadEtc => self.channel_read(op),
            Op::ChannelCall => {
                let channel = self.pick_of(ZX_OBJ_TYPE_CHANNEL);
                let size = self.rng.pick(&[0usize, 3, 4, 16, 64]);
                let handles = self.handle_list();
                let mut reply_handles = [0u32; 4];
                // Up to 100 µs, long enough for another thread's read to reply sometimes.
                let deadline = if self.rng.percent(50) {
                    self.deadline()
                } else {
                    zx_deadline_after(self.rng.below(100_000) as i64)
                };
                let options = self.options(&[0]);
                let (mut actual_bytes, mut actual_handles) = (0, 0);
                self.begin(op, channel);
                let status = {
                    let (write, read) = (&self.bytes[..size], &mut self.scratch[..64]);
                    let mut args = zx_channel_call_args_t {
                        wr_bytes: write,
                        wr_handles: &handles,
                        rd_bytes: read,
                        rd_handles: &mut reply_handles,
                    };
                    zx_channel_call(
                        channel,
                        options,
                        deadline,
                        &mut args,
                        &mut actual_bytes,
                        &mut actual_handles,
                    )
                };
                let status = self.check(op, status);
                self.check_not_ok_on_zero(op, channel, status);
                for value in handles {
                    self.check_consumed(op, value);
                }
                if status == ZX_OK {
                    for &value in &reply_handles[..actual_handles as usize] {
                        self.adopt(op, value, 0);
                    }
                }
            }
            Op::SocketWrite => {
                let value = self.pick_of(ZX_OBJ_TYPE_SOCKET);
                let size = self.rng.pick(&[0usize, 1, 100, 4096, 4096, 300_000]);
                let options = self.options(&[0]);
                let mut actual = 0;
                self.begin(op, value);
                let status =
                    zx_socket_write(value, options, &self.bytes[..size], Some(&mut actual));
                let status = self.check(op, status);
                self.check_not_ok_on_zero(op, value, status);
            }
            Op::SocketRead => {
                let value = self.pick_of(ZX_OBJ_TYPE_SOCKET);
                let size = self.rng.pick(&[0usize, 1, 100, 4096, 65_536]);
                let options = self.options(&[0, ZX_SOCKET_PEEK]);
                let mut actual = 0;
                self.begin(op, value);
                let (status, reached) = self.read_reaching(value, |this| {
                    zx_socket_read(value, options, &mut this.scratch[..size], Some(&mut actual))
                });
                let status = self.check(op, status);
                self.check_not_ok_on_zero(op, value, status);
                self.check_after_peer_closed(op, reached, status, actual > 0, || {
                    format!("{actual} byte(s)")
                });
            }
            Op::SocketSetDisposition => {
                let value = self.pick_of(ZX_OBJ_TYPE_SOCKET);
                let (mine, peer) = (self.rng.below(4) as u32, self.rng.below(4) as u32);
                self.begin(op, value);
                let status = self.check(op, zx_socket_set_disposition(value, mine, peer));
                if mine != 0 || peer != 0 {
                    self.check_not_ok_on_zero(op, value, status);
                }
            }
            Op::ObjectGetProperty | Op::ObjectSetProperty => {
                let value = self.pick_of(ZX_OBJ_TYPE_SOCKET);
                let property = self.rng.pick(&[
                    ZX_PROP_SOCKET_RX_THRESHOLD,
                    ZX_PROP_SOCKET_TX_THRESHOLD,
                    ZX_PROP_NAME,
                    12_345,
                ]);
                let size = self.rng.pick(&[0usize, 4, 8, 8]);
                let threshold = self.rng.pick(&[0u64, 1, 100, 1 << 30]);
                self.scratch[..8].copy_from_slice(&threshold.to_le_bytes());
                self.begin(op, value);
                let status = if op == Op::ObjectGetProperty {
                    zx_object_get_property(value, property, &mut self.scratch[..size])
                } else {
                    zx_object_set_property(value, property, &self.scratch[..size])
                };
                let status = self.check(op, status);
                self.check_not_ok_on_zero(op, value, status);
            }
            Op::FifoWrite | Op::FifoRead => {
                let value = self.pick_of(ZX_OBJ_TYPE_FIFO);
                let elem_size = self.rng.pick(&[1usize, 8, 16, 16]);
                let count = self.rng.pick(&[0usize, 1, 4, 16]);
                let mut actual = 0;
                self.begin(op, value);
                if op == Op::FifoWrite {
                    let status = zx_fifo_write(
                        value,
                        elem_size,
                        &self.bytes[..elem_size * count],
                        count,
                        Some(&mut actual),
                    );
                    let status = self.check(op, status);
                    self.check_not_ok_on_zero(op, value, status);
                } else {
                    let (status, reached) = self.read_reaching(value, |this| {
                        zx_fifo_read(
                            value,
                            elem_size,
                            &mut this.scratch[..elem_size * count],
                            count,
                            Some(&mut actual),
                        )
                    });
                    let status = self.check(op, status);
                    self.check_not_ok_on_zero(op, value, status);
                    self.check_after_peer_closed(op, reached, status, actual > 0, || {
                        format!("{actual} byte(s)")
                    });
                }
            }
            Op::TimerSet => {
                let value = self.pick_of(ZX_OBJ_TYPE_TIMER);
                // A far deadline (one minute) too: a timer that outlives its last handle armed
                // would still be alive at the final check.
                let deadline = match self.rng.below(6) {
                    0 => 0,
                    1 => ZX_TIME_INFINITE,
                    2 => zx_clock_get_monotonic() - 1,
                    3 => zx_deadline_after(60_000_000_000),
                    _ => zx_deadline_after(self.rng.below(1_000_000) as i64),
                };
                let slack = self.rng.pick(&[0i64, 0, 10, 1_000, -1]);
                self.begin(op, value);
                let status = self.check(op, zx_timer_set(value, deadline, slack));
                self.check_not_ok_on_zero(op, value, status);
            }
            Op::TimerCancel => {
                let value = self.pick_of(ZX_OBJ_TYPE_TIMER);
                self.begin(op, value);
                let status = self.check(op, zx_timer_cancel(value));
                self.check_not_ok_on_zero(op, value, status);
            }
        }
    }

    fn create_pair(&mut self, op: Op) {
        let (mut a, mut b) = (0, 0);
        self.begin(op, 0);
        let status = match op {
            Op::EventpairCreate => {
                let options = self.options(&[0]);
                zx_eventpair_create(options, &mut a, &mut b)
            }
            Op::ChannelCreate => {
                let options = self.options(&[0]);
                zx_channel_create(options, &mut a, &mut b)
            }
            Op::SocketCreate => {
                let options = self.options(&[ZX_SOCKET_STREAM, ZX_SOCKET_DATAGRAM]);
                zx_socket_create(options, &mut a, &mut b)
            }
            _ => {
                let count = self.rng.pick(&[0usize, 1, 4, 16, 16, 5_000]);
                let size = self.rng.pick(&[0usize, 1, 8, 16, 16, 4_096]);
                let options = self.options(&[0]);
                zx_fifo_create(count, size, options, &mut a, &mut b)
            }
        };
        if self.check(op, status) == ZX_OK {
            let obj_type = match op {
                Op::EventpairCreate => ZX_OBJ_TYPE_EVENTPAIR,
                Op::ChannelCreate => ZX_OBJ_TYPE_CHANNEL,
                Op::SocketCreate => ZX_OBJ_TYPE_SOCKET,
                _ => ZX_OBJ_TYPE_FIFO,
            };
            self.adopt(op, a, obj_type);
            self.adopt(op, b, obj_type);
        }
    }

    fn channel_read(&mut self, op: Op) {
        let value = self.pick_of(ZX_OBJ_TYPE_CHANNEL);
        let options = self.options(&[0, 0, ZX_CHANNEL_READ_MAY_DISCARD]);
        let byte_room = self.rng.pick(&[0usize, 16, 256, 65_536]);
        let handle_room = self.rng.pick(&[0usize, 1, 4, 64]);
        let (mut actual_bytes, mut actual_handles) = (0u32, 0u32);
        let mut received = Vec::new();
        self.begin(op, value);
        let (status, reached) = self.read_reaching(value, |this| {
            if op == Op::ChannelRead {
                let mut handles = [0u32; 64];
                let status = zx_channel_read(
                    value,
                    options,
                    &mut this.scratch[..byte_room],
                    &mut handles[..handle_room],
                    Some(&mut actual_bytes),
                    Some(&mut actual_handles),
                );
                if status == ZX_OK {
                    received.extend(handles[..actual_handles as usize].iter().map(|&h| (h, 0)));
                }
                status
            } else {
                let mut handles = [zx_handle_info_t::default(); 64];
                let status = zx_channel_read_etc(
                    value,
                    options,
                    &mut this.scratch[..byte_room],
                    &mut handles[..handle_room],
                    Some(&mut actual_bytes),
                    Some(&mut actual_handles),
                );
                if status == ZX_OK {
                    received.extend(
                        handles[..actual_handles as usize]
                            .iter()
                            .map(|h| (h.handle, h.ty)),
                    );
                }
                status
            }
        });
        let status = self.check(op, status);
        self.check_not_ok_on_zero(op, value, status);
        let head = self.scratch[..(actual_bytes as usize).min(4)].to_vec();
        let handles = received.len();
        self.check_after_peer_closed(op, reached, status, true, || {
            format!("a message of {actual_bytes} byte(s) and {handles} handle(s), head {head:02x?}")
        });
        if status == ZX_OK && (actual_bytes as usize > byte_room || received.len() > handle_room) {
            self.violation(op, "read more than the buffers hold".to_string());
        }
        for (handle, obj_type) in received {
            self.adopt(op, handle, obj_type);
        }
        // Sometimes act as a server: echo a message that carries a txid back to its sender, which
        // completes a `zx_channel_call` waiting on the other end.
        if status == ZX_OK && actual_bytes >= 4 && self.rng.percent(50) {
            let reply = self.scratch[..actual_bytes as usize].to_vec();
            self.begin(Op::ChannelWrite, value);
            let status = self.check(Op::ChannelWrite, zx_channel_write(value, 0, &reply, &[]));
            self.check_not_ok_on_zero(Op::ChannelWrite, value, status);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use zxsim_kernel::{Config, Kernel};

    fn worker() -> Worker {
        let process = Kernel::new(Config::default()).create_process();
        let shared = Arc::new(Shared {
            processes: vec![process],
            recent: vec![Mutex::new(Vec::new())],
            drained: Mutex::new(HashMap::new()),
            ticket: AtomicU64::new(0),
            in_flight: vec![InFlight::default()],
        });
        Worker::new(0, 0, 1, shared)
    }

    #[test]
    fn a_status_outside_the_row_is_a_violation() {
        let mut worker = worker();
        worker.check(Op::EventCreate, ZX_OK);
        worker.check(Op::HandleClose, ZX_ERR_BAD_HANDLE);
        assert_eq!(worker.violation_count, 0);
        worker.check(Op::EventCreate, ZX_ERR_BAD_HANDLE);
        worker.check(Op::HandleClose, ZX_ERR_INTERNAL);
        assert_eq!(worker.violation_count, 2);
        assert!(worker.violations[0].message.contains("BAD_HANDLE"));
    }

    #[test]
    fn a_consumed_handle_still_valid_is_a_violation() {
        let mut worker = worker();
        let process = worker.shared.processes[0].clone();
        let _bound = process.bind();
        let mut event = 0;
        assert_eq!(zx_event_create(0, &mut event), ZX_OK);
        worker.check_consumed(Op::ChannelWrite, event);
        assert_eq!(worker.violation_count, 1);
        assert_eq!(zx_handle_close(event), ZX_OK);
        worker.check_consumed(Op::ChannelWrite, event);
        assert_eq!(worker.violation_count, 1);
    }

    #[test]
    fn data_after_peer_closed_is_a_violation() {
        let mut worker = worker();
        let at = |started, ended, koid| Reached {
            koid,
            value: 3,
            started,
            ended,
        };
        let what = String::new;
        let (op, koid) = (Op::SocketRead, Some(1234));
        worker.check_after_peer_closed(op, at(0, 1, koid), ZX_OK, true, what);
        worker.check_after_peer_closed(op, at(10, 11, koid), ZX_ERR_PEER_CLOSED, false, what);
        // A read that began before the PEER_CLOSED read ended may have taken the last message.
        worker.check_after_peer_closed(op, at(9, 12, koid), ZX_OK, true, what);
        worker.check_after_peer_closed(op, at(12, 13, koid), ZX_OK, false, what);
        worker.check_after_peer_closed(op, at(12, 13, None), ZX_OK, true, what);
        assert_eq!(worker.violation_count, 0);
        worker.check_after_peer_closed(op, at(12, 13, koid), ZX_OK, true, what);
        assert_eq!(worker.violation_count, 1);
    }

    #[test]
    fn op_weights_cover_every_syscall() {
        for &op in Op::ALL {
            assert!(
                WEIGHTS.iter().any(|&(o, w)| o == op && w > 0),
                "{}",
                op.name()
            );
        }
        assert_eq!(op_for(0), WEIGHTS[0].0);
        assert_eq!(op_for(total_weight() - 1), WEIGHTS[WEIGHTS.len() - 1].0);
    }
}
