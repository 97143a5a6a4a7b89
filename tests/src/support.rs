//! The helpers every conformance module shares (the suite's `tests/util`): creating objects,
//! duplicating and closing handles, reading signals and `ZX_INFO_*`, draining ports, the kernel's
//! internal counts, and the bounded waits a case uses to let another thread block or finish.
//! Channel helpers sit in [`channel`].
//!
//! Each helper acts on the process bound to the calling thread and asserts that its own set-up
//! syscalls succeed, so a case states only the behaviour it checks. Waits on other threads never
//! spin without a bound: they give up after [`PATIENCE`] of real time and fail the case.

use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use zxsim_kernel::objects::port::Port;
use zxsim_kernel::{Config, DispatcherRef, Process};
use zxsim_syscalls::sys::*;

use crate::harness::Ctx;

// ---- objects ----

pub fn new_event() -> zx_handle_t {
    let mut event = ZX_HANDLE_INVALID;
    assert_eq!(zx_event_create(0, &mut event), ZX_OK, "zx_event_create");
    event
}

pub fn new_events<const N: usize>() -> [zx_handle_t; N] {
    std::array::from_fn(|_| new_event())
}

pub fn new_eventpair() -> (zx_handle_t, zx_handle_t) {
    let (mut a, mut b) = (ZX_HANDLE_INVALID, ZX_HANDLE_INVALID);
    assert_eq!(
        zx_eventpair_create(0, &mut a, &mut b),
        ZX_OK,
        "zx_eventpair_create"
    );
    (a, b)
}

pub fn new_port() -> zx_handle_t {
    let mut port = ZX_HANDLE_INVALID;
    assert_eq!(zx_port_create(0, &mut port), ZX_OK, "zx_port_create");
    port
}

pub fn new_channel() -> (zx_handle_t, zx_handle_t) {
    let (mut a, mut b) = (ZX_HANDLE_INVALID, ZX_HANDLE_INVALID);
    assert_eq!(
        zx_channel_create(0, &mut a, &mut b),
        ZX_OK,
        "zx_channel_create"
    );
    (a, b)
}

/// A kernel with room for only `max_handles` live handles (same profile, virtual clock). It
/// binds the calling thread until dropped.
pub fn small_kernel(ctx: &Ctx, max_handles: usize) -> Ctx {
    Ctx::with_config(
        Config::default()
            .with_profile(ctx.profile)
            .with_virtual_clock()
            .with_max_handles(max_handles),
    )
}

// ---- handles ----

/// A duplicate with `rights` (must succeed).
pub fn dup(handle: zx_handle_t, rights: zx_rights_t) -> zx_handle_t {
    let mut out = ZX_HANDLE_INVALID;
    assert_eq!(
        zx_handle_duplicate(handle, rights, &mut out),
        ZX_OK,
        "zx_handle_duplicate"
    );
    out
}

/// `zx_handle_replace` (must succeed).
pub fn replace(handle: zx_handle_t, rights: zx_rights_t) -> zx_handle_t {
    let mut out = ZX_HANDLE_INVALID;
    assert_eq!(
        zx_handle_replace(handle, rights, &mut out),
        ZX_OK,
        "zx_handle_replace"
    );
    out
}

#[track_caller]
pub fn close(handle: zx_handle_t) {
    assert_eq!(
        zx_handle_close(handle),
        ZX_OK,
        "zx_handle_close({handle:#x})"
    );
}

/// Closes every handle, one `zx_handle_close` each.
#[track_caller]
pub fn close_all(handles: &[zx_handle_t]) {
    for &handle in handles {
        close(handle);
    }
}

/// `ZX_INFO_HANDLE_VALID` as a bool.
pub fn is_valid(handle: zx_handle_t) -> bool {
    match zx_object_get_info(handle, ZX_INFO_HANDLE_VALID, &mut [], None, None) {
        ZX_OK => true,
        ZX_ERR_BAD_HANDLE => false,
        other => panic!("ZX_INFO_HANDLE_VALID answered {other}"),
    }
}

/// Every value is gone from the caller's table (consumed): `ZX_INFO_HANDLE_VALID` and
/// `zx_handle_close` both answer `BAD_HANDLE`.
#[track_caller]
pub fn assert_consumed(handles: &[zx_handle_t]) {
    for &handle in handles {
        assert!(
            !is_valid(handle),
            "handle {handle:#x} should have been consumed"
        );
        assert_eq!(
            zx_handle_close(handle),
            ZX_ERR_BAD_HANDLE,
            "closing consumed {handle:#x}"
        );
    }
}

/// A value that was valid once in this process and is now closed.
pub fn stale_handle() -> zx_handle_t {
    let event = new_event();
    close(event);
    event
}

/// Moves the handle `value` from `from`'s table into `to`'s, as a process launcher would hand a
/// handle over, and returns its value in `to`.
pub fn give(from: &Process, to: &Process, value: zx_handle_t) -> zx_handle_t {
    let handle = from.handles().remove(value).expect("a live handle to give");
    to.add_handle(handle)
}

// ---- signals and information ----

/// The current signal word, read the way Zircon's core tests do: `signals == 0` with a past
/// deadline (needs WAIT on `handle`).
pub fn signals(handle: zx_handle_t) -> zx_signals_t {
    let mut observed = 0xDEAD_BEEF;
    assert_eq!(
        zx_object_wait_one(handle, 0, ZX_TIME_INFINITE_PAST, Some(&mut observed)),
        ZX_ERR_TIMED_OUT,
        "reading the signal word"
    );
    observed
}

/// Whether `signal` is active on the object behind `handle`.
pub fn has(handle: zx_handle_t, signal: zx_signals_t) -> bool {
    signals(handle) & signal != 0
}

/// `ZX_INFO_HANDLE_BASIC` of `handle` (must succeed).
pub fn basic(handle: zx_handle_t) -> zx_info_handle_basic_t {
    let mut info = zx_info_handle_basic_t::default();
    assert_eq!(
        zx_object_get_info(
            handle,
            ZX_INFO_HANDLE_BASIC,
            info.as_bytes_mut(),
            None,
            None
        ),
        ZX_OK,
        "ZX_INFO_HANDLE_BASIC"
    );
    info
}

pub fn koid(handle: zx_handle_t) -> zx_koid_t {
    basic(handle).koid
}

pub fn rights(handle: zx_handle_t) -> zx_rights_t {
    basic(handle).rights
}

/// `ZX_INFO_HANDLE_COUNT` of `handle` (needs INSPECT; must succeed).
pub fn handle_count(handle: zx_handle_t) -> u32 {
    let mut info = zx_info_handle_count_t::default();
    assert_eq!(
        zx_object_get_info(
            handle,
            ZX_INFO_HANDLE_COUNT,
            info.as_bytes_mut(),
            None,
            None
        ),
        ZX_OK,
        "ZX_INFO_HANDLE_COUNT"
    );
    info.handle_count
}

// ---- ports ----

/// A user packet whose payload is derived from `key`.
pub fn user_packet(key: u64) -> zx_port_packet_t {
    zx_port_packet_t::new_user(
        key,
        0,
        zx_packet_user_t {
            u64: [key, !key, 0, 1],
        },
    )
}

/// `zx_port_wait` with a past deadline: `Ok(packet)` or the status.
pub fn poll(port: zx_handle_t) -> Result<zx_port_packet_t, zx_status_t> {
    let mut packet = zx_port_packet_t::default();
    match zx_port_wait(port, 0, &mut packet) {
        ZX_OK => Ok(packet),
        status => Err(status),
    }
}

/// Every packet queued on `port` right now, oldest first.
pub fn drain(port: zx_handle_t) -> Vec<zx_port_packet_t> {
    let mut out = Vec::new();
    while let Ok(packet) = poll(port) {
        out.push(packet);
    }
    out
}

pub fn keys(packets: &[zx_port_packet_t]) -> Vec<u64> {
    packets.iter().map(|p| p.key).collect()
}

// ---- the kernel's view ----

/// The object behind `handle` in `process`'s table.
pub fn object_of(process: &Process, handle: zx_handle_t) -> DispatcherRef {
    process
        .handles()
        .with(handle, |h| h.object().to_ref())
        .expect("a live handle")
}

/// Pending observers (sync and async waits) on the object behind `handle`.
pub fn observers(ctx: &Ctx, handle: zx_handle_t) -> usize {
    object_of(&ctx.process, handle).with_signals(|state| state.observer_count())
}

/// Pending async waits the port behind `port` owns.
pub fn port_observers(ctx: &Ctx, port: zx_handle_t) -> usize {
    object_of(&ctx.process, port)
        .downcast::<Port>()
        .expect("a port")
        .observer_count()
}

/// Objects and handles alive in the case's kernel.
pub fn live(ctx: &Ctx) -> (usize, usize) {
    (ctx.kernel.live_objects(), ctx.kernel.live_handles())
}

// ---- other threads: bounded waits ----

/// How long a case waits (in real time) for another thread to block or finish before declaring
/// the kernel stuck. Never reached when the kernel is right.
pub const PATIENCE: Duration = Duration::from_secs(10);

/// Spins (yielding the CPU) until `done()` holds; fails the case with "gave up waiting for
/// `what`" once [`PATIENCE`] of real time has passed. The one loop every wait below goes through.
#[track_caller]
pub fn await_condition(what: impl std::fmt::Display, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(
            start.elapsed() < PATIENCE,
            "gave up after {PATIENCE:?} waiting for {what}"
        );
        std::thread::yield_now();
    }
}

/// Waits (in real time, without advancing the virtual clock) until some thread has registered a
/// virtual-clock deadline — i.e. a wait or sleep with a finite deadline has done its
/// registration and is about to block.
#[track_caller]
pub fn await_blocked(ctx: &Ctx) {
    await_condition("another thread to block on a deadline", || {
        ctx.kernel.clock().next_deadline().is_some()
    });
}

/// Waits (in real time) until the earliest virtual-clock deadline registered is `at` — i.e. the
/// wait or sleep with that deadline is about to block.
#[track_caller]
pub fn await_deadline(ctx: &Ctx, at: zx_time_t) {
    await_condition(format_args!("a thread to block until {at}"), || {
        ctx.kernel.clock().next_deadline() == Some(at)
    });
}

/// Waits (in real time) until the object behind `handle` has `n` pending observers — i.e. `n`
/// waits (of any kind, on any thread) are registered on it.
#[track_caller]
pub fn await_observers(ctx: &Ctx, handle: zx_handle_t, n: usize) {
    await_condition(format_args!("{n} waits registered"), || {
        observers(ctx, handle) >= n
    });
}

/// Gives a spawned thread a moment to (wrongly) finish; used to show it is still blocked.
pub fn still_running<T>(thread: &JoinHandle<T>) -> bool {
    for _ in 0..200 {
        if thread.is_finished() {
            return false;
        }
        std::thread::yield_now();
    }
    std::thread::sleep(Duration::from_millis(2));
    !thread.is_finished()
}

/// Joins a spawned thread. If it does not finish in time, the virtual clock is pushed to the
/// far future (so it cannot stay blocked) and the case fails.
pub fn join<T>(ctx: &Ctx, thread: JoinHandle<T>) -> T {
    let start = Instant::now();
    while !thread.is_finished() {
        if start.elapsed() > PATIENCE {
            // Release a finite-deadline wait so the thread does not outlive the case
            // blocked; an infinite one is left behind (the case fails either way).
            ctx.kernel.clock().advance_to(ZX_TIME_INFINITE - 1);
            panic!("the other thread stayed blocked: it was never woken");
        }
        std::thread::sleep(Duration::from_micros(200));
    }
    thread.join().expect("the other thread panicked")
}

/// Channel helpers: messages as `(bytes, handles)`, dispositions, and `zx_channel_call`.
pub mod channel {
    use zxsim_kernel::objects::channel::Channel;
    use zxsim_syscalls::sys::*;

    use super::object_of;
    use crate::harness::Ctx;

    /// A message read back: its bytes and handle values.
    pub type Received = (Vec<u8>, Vec<zx_handle_t>);

    /// A status no syscall answers, to show an out-parameter was left alone.
    pub const SENTINEL: zx_status_t = 0x5EAD;

    /// A deadline far enough away that only `advance_clock` reaches it.
    pub const FAR: zx_time_t = 1_000_000_000;

    pub fn write(channel: zx_handle_t, bytes: &[u8], handles: &[zx_handle_t]) -> zx_status_t {
        zx_channel_write(channel, 0, bytes, handles)
    }

    /// Reads one message with room for anything.
    pub fn read(channel: zx_handle_t) -> Result<Received, zx_status_t> {
        read_with(channel, 0, ZX_CHANNEL_MAX_MSG_BYTES as usize)
    }

    pub fn read_with(
        channel: zx_handle_t,
        options: u32,
        max_bytes: usize,
    ) -> Result<Received, zx_status_t> {
        let mut bytes = vec![0u8; max_bytes];
        let mut handles = [ZX_HANDLE_INVALID; ZX_CHANNEL_MAX_MSG_HANDLES as usize];
        let (mut nb, mut nh) = (0u32, 0u32);
        match zx_channel_read(
            channel,
            options,
            &mut bytes,
            &mut handles,
            Some(&mut nb),
            Some(&mut nh),
        ) {
            ZX_OK => {
                bytes.truncate(nb as usize);
                Ok((bytes, handles[..nh as usize].to_vec()))
            }
            status => Err(status),
        }
    }

    pub fn read_etc(channel: zx_handle_t) -> Result<(Vec<u8>, Vec<zx_handle_info_t>), zx_status_t> {
        let mut bytes = vec![0u8; ZX_CHANNEL_MAX_MSG_BYTES as usize];
        let mut handles = [zx_handle_info_t::default(); ZX_CHANNEL_MAX_MSG_HANDLES as usize];
        let (mut nb, mut nh) = (0u32, 0u32);
        match zx_channel_read_etc(
            channel,
            0,
            &mut bytes,
            &mut handles,
            Some(&mut nb),
            Some(&mut nh),
        ) {
            ZX_OK => {
                bytes.truncate(nb as usize);
                Ok((bytes, handles[..nh as usize].to_vec()))
            }
            status => Err(status),
        }
    }

    /// Reads one message, waiting for it (or for the peer to close).
    pub fn read_blocking(channel: zx_handle_t) -> Result<Received, zx_status_t> {
        loop {
            match read(channel) {
                Err(ZX_ERR_SHOULD_WAIT) => {
                    let status = zx_object_wait_one(
                        channel,
                        ZX_CHANNEL_READABLE | ZX_CHANNEL_PEER_CLOSED,
                        ZX_TIME_INFINITE,
                        None,
                    );
                    assert_eq!(status, ZX_OK, "waiting to read");
                }
                other => return other,
            }
        }
    }

    pub fn txid_of(bytes: &[u8]) -> u32 {
        u32::from_le_bytes(bytes[..4].try_into().expect("4 bytes"))
    }

    /// A reply to a request: the request's txid followed by `payload`.
    pub fn reply_to(request: &[u8], payload: &[u8]) -> Vec<u8> {
        let mut reply = request[..4].to_vec();
        reply.extend_from_slice(payload);
        reply
    }

    pub fn disposition(
        operation: u32,
        handle: zx_handle_t,
        type_: zx_obj_type_t,
        rights: zx_rights_t,
    ) -> zx_handle_disposition_t {
        zx_handle_disposition_t {
            operation,
            handle,
            type_,
            rights,
            result: ZX_OK,
        }
    }

    pub fn moved(handle: zx_handle_t) -> zx_handle_disposition_t {
        disposition(
            ZX_HANDLE_OP_MOVE,
            handle,
            ZX_OBJ_TYPE_NONE,
            ZX_RIGHT_SAME_RIGHTS,
        )
    }

    pub fn duplicated(handle: zx_handle_t) -> zx_handle_disposition_t {
        disposition(
            ZX_HANDLE_OP_DUPLICATE,
            handle,
            ZX_OBJ_TYPE_NONE,
            ZX_RIGHT_SAME_RIGHTS,
        )
    }

    /// Messages waiting on the endpoint `handle` names (in `ctx`'s process).
    pub fn queued(ctx: &Ctx, handle: zx_handle_t) -> usize {
        object_of(&ctx.process, handle)
            .downcast::<Channel>()
            .expect("a channel")
            .queued_messages()
    }

    /// `zx_channel_call` with reply buffers of the given sizes: the status, the reply's bytes and
    /// handles (truncated to the actual sizes on success), and the raw `(actual_bytes,
    /// actual_handles)`.
    pub fn call_bytes(
        channel: zx_handle_t,
        deadline: zx_time_t,
        request: &[u8],
        handles: &[zx_handle_t],
        rd_bytes: usize,
        rd_handles: usize,
    ) -> (zx_status_t, Vec<u8>, Vec<zx_handle_t>, (u32, u32)) {
        let mut rd = vec![0u8; rd_bytes];
        let mut rh = vec![ZX_HANDLE_INVALID; rd_handles];
        let (mut nb, mut nh) = (u32::MAX, u32::MAX);
        let mut args = zx_channel_call_args_t {
            wr_bytes: request,
            wr_handles: handles,
            rd_bytes: &mut rd,
            rd_handles: &mut rh,
        };
        let status = zx_channel_call(channel, 0, deadline, &mut args, &mut nb, &mut nh);
        if status == ZX_OK {
            rd.truncate(nb as usize);
            rh.truncate(nh as usize);
        }
        (status, rd, rh, (nb, nh))
    }
}
