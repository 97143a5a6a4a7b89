//! Conformance cases for channels (spec §2.2, §2.3, §7, §12.1, §13.4, §15 items 2, 8, 9, 12):
//! `zx_channel_create`, `zx_channel_write`, `zx_channel_write_etc`, `zx_channel_read`,
//! `zx_channel_read_etc`, `zx_channel_call`, `zx_channel_call_etc`, and the "channel lifecycle"
//! family (peer-closed, destruction of unread messages, single owner). One sub-module per family
//! so each gets its own row in the conformance report.
//!
//! "Consumed" is checked two ways: the writer's value is gone (`ZX_INFO_HANDLE_VALID` and
//! `zx_handle_close` answer `BAD_HANDLE`), and the object died when that was its only handle
//! (the kernel's live-object count).
//!
//! The profile cases of §13.4 that involve channels (an async wait registered through a handle
//! that is then moved through a channel) sit with the syscall that ends the wait under `zircon`:
//! the read (`zx_channel_read`), the reduced-rights move (`zx_channel_write_etc`), and the
//! destruction of an unread message ("channel lifecycle").

use std::sync::mpsc;
use std::sync::Arc;
use std::time::Duration;

use zxsim_kernel::objects::channel::Channel;
use zxsim_kernel::objects::port::Port;
use zxsim_kernel::{Object, PolicyException, Process};
use zxsim_syscalls::sys::*;

use crate::harness::{Case, Ctx};

pub fn cases() -> Vec<Case> {
    [
        create::cases(),
        write::cases(),
        write_etc::cases(),
        read::cases(),
        read_etc::cases(),
        call::cases(),
        call_etc::cases(),
        lifecycle::cases(),
    ]
    .into_iter()
    .flatten()
    .collect()
}

// ---- helpers shared by the sub-modules ----

fn channel() -> (zx_handle_t, zx_handle_t) {
    let (mut a, mut b) = (ZX_HANDLE_INVALID, ZX_HANDLE_INVALID);
    assert_eq!(
        zx_channel_create(0, &mut a, &mut b),
        ZX_OK,
        "zx_channel_create"
    );
    (a, b)
}

fn new_event() -> zx_handle_t {
    let mut event = ZX_HANDLE_INVALID;
    assert_eq!(zx_event_create(0, &mut event), ZX_OK, "zx_event_create");
    event
}

fn new_events<const N: usize>() -> [zx_handle_t; N] {
    std::array::from_fn(|_| new_event())
}

fn new_port() -> zx_handle_t {
    let mut port = ZX_HANDLE_INVALID;
    assert_eq!(zx_port_create(0, &mut port), ZX_OK, "zx_port_create");
    port
}

fn dup(handle: zx_handle_t, rights: zx_rights_t) -> zx_handle_t {
    let mut out = ZX_HANDLE_INVALID;
    assert_eq!(
        zx_handle_duplicate(handle, rights, &mut out),
        ZX_OK,
        "zx_handle_duplicate"
    );
    out
}

fn replace(handle: zx_handle_t, rights: zx_rights_t) -> zx_handle_t {
    let mut out = ZX_HANDLE_INVALID;
    assert_eq!(
        zx_handle_replace(handle, rights, &mut out),
        ZX_OK,
        "zx_handle_replace"
    );
    out
}

fn close(handles: &[zx_handle_t]) {
    for &handle in handles {
        assert_eq!(
            zx_handle_close(handle),
            ZX_OK,
            "zx_handle_close({handle:#x})"
        );
    }
}

fn valid(handle: zx_handle_t) -> bool {
    match zx_object_get_info(handle, ZX_INFO_HANDLE_VALID, &mut [], None, None) {
        ZX_OK => true,
        ZX_ERR_BAD_HANDLE => false,
        other => panic!("ZX_INFO_HANDLE_VALID answered {other}"),
    }
}

/// Every value is gone from the caller's table (consumed).
#[track_caller]
fn assert_consumed(handles: &[zx_handle_t]) {
    for &handle in handles {
        assert!(
            !valid(handle),
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
fn stale_handle() -> zx_handle_t {
    let event = new_event();
    close(&[event]);
    event
}

/// The object's current signals (`wait_one` for nothing with a past deadline).
fn signals(handle: zx_handle_t) -> zx_signals_t {
    let mut observed = 0;
    assert_eq!(
        zx_object_wait_one(handle, 0, 0, Some(&mut observed)),
        ZX_ERR_TIMED_OUT
    );
    observed
}

fn basic(handle: zx_handle_t) -> zx_info_handle_basic_t {
    let mut info = zx_info_handle_basic_t::default();
    assert_eq!(
        zx_object_get_info(
            handle,
            ZX_INFO_HANDLE_BASIC,
            info.as_bytes_mut(),
            None,
            None
        ),
        ZX_OK
    );
    info
}

fn handle_count(handle: zx_handle_t) -> u32 {
    let mut info = zx_info_handle_count_t::default();
    assert_eq!(
        zx_object_get_info(
            handle,
            ZX_INFO_HANDLE_COUNT,
            info.as_bytes_mut(),
            None,
            None
        ),
        ZX_OK
    );
    info.handle_count
}

fn write(channel: zx_handle_t, bytes: &[u8], handles: &[zx_handle_t]) -> zx_status_t {
    zx_channel_write(channel, 0, bytes, handles)
}

type Received = (Vec<u8>, Vec<zx_handle_t>);

/// Reads one message with room for anything.
fn read(channel: zx_handle_t) -> Result<Received, zx_status_t> {
    read_with(channel, 0, ZX_CHANNEL_MAX_MSG_BYTES as usize)
}

fn read_with(
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

fn read_etc(channel: zx_handle_t) -> Result<(Vec<u8>, Vec<zx_handle_info_t>), zx_status_t> {
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
fn read_blocking(channel: zx_handle_t) -> Result<Received, zx_status_t> {
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

fn txid_of(bytes: &[u8]) -> u32 {
    u32::from_le_bytes(bytes[..4].try_into().expect("4 bytes"))
}

/// A reply to a request: the request's txid followed by `payload`.
fn reply_to(request: &[u8], payload: &[u8]) -> Vec<u8> {
    let mut reply = request[..4].to_vec();
    reply.extend_from_slice(payload);
    reply
}

const SENTINEL: zx_status_t = 0x5EAD;

fn disposition(
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

fn moved(handle: zx_handle_t) -> zx_handle_disposition_t {
    disposition(
        ZX_HANDLE_OP_MOVE,
        handle,
        ZX_OBJ_TYPE_NONE,
        ZX_RIGHT_SAME_RIGHTS,
    )
}

fn duplicated(handle: zx_handle_t) -> zx_handle_disposition_t {
    disposition(
        ZX_HANDLE_OP_DUPLICATE,
        handle,
        ZX_OBJ_TYPE_NONE,
        ZX_RIGHT_SAME_RIGHTS,
    )
}

fn object_of(process: &Process, handle: zx_handle_t) -> Arc<Object> {
    process
        .handles()
        .with(handle, |h| h.object().clone())
        .expect("a live handle")
}

/// Messages waiting on the endpoint `handle` names (in `ctx`'s process).
fn queued(ctx: &Ctx, handle: zx_handle_t) -> usize {
    object_of(&ctx.process, handle)
        .downcast::<Channel>()
        .expect("a channel")
        .queued_messages()
}

/// Pending async waits the port behind `port` owns.
fn port_observers(ctx: &Ctx, port: zx_handle_t) -> usize {
    object_of(&ctx.process, port)
        .downcast::<Port>()
        .expect("a port")
        .observer_count()
}

fn poll(port: zx_handle_t) -> Result<zx_port_packet_t, zx_status_t> {
    let mut packet = zx_port_packet_t::default();
    match zx_port_wait(port, 0, &mut packet) {
        ZX_OK => Ok(packet),
        status => Err(status),
    }
}

/// Moves the handle `value` from `from`'s table into `to`'s, as a process launcher would hand a
/// handle over, and returns its value in `to`.
fn give(from: &Process, to: &Process, value: zx_handle_t) -> zx_handle_t {
    let handle = from.handles().remove(value).expect("a live handle to give");
    to.add_handle(handle)
}

/// Spins until some thread has registered a virtual-clock deadline (it is about to block).
fn await_blocked(ctx: &Ctx) {
    while ctx.kernel.clock().next_deadline().is_none() {
        std::thread::yield_now();
    }
}

/// A deadline far enough away that only `advance_clock` reaches it.
const FAR: zx_time_t = 1_000_000_000;

fn call_bytes(
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

// ---- zx_channel_create ----

mod create {
    use super::*;

    cases!["zx_channel_create";
        (options_must_be_zero, "§7 zx_channel_create: options ≠ 0 ⇒ ZX_ERR_INVALID_ARGS, no handle or object made", Both),
        (rights_0xf00e_type_channel, "§1.4/§7 zx_channel_create: both handles have rights 0xF00E (no DUPLICATE) and type CHANNEL", Both),
        (endpoints_related_koids, "§2.3: each endpoint's related_koid is the other's koid, and stays after the peer dies", Both),
        (both_start_writable_only, "§7 zx_channel_create: both endpoints start with ZX_CHANNEL_WRITABLE only", Both),
    ];

    fn options_must_be_zero(ctx: &mut Ctx) {
        for options in [1, 2, 0x8000_0000, u32::MAX] {
            let (mut a, mut b) = (0x1234_5677, 0x7654_3213);
            assert_eq!(
                zx_channel_create(options, &mut a, &mut b),
                ZX_ERR_INVALID_ARGS,
                "options {options:#x}"
            );
            assert_eq!(
                (a, b),
                (0x1234_5677, 0x7654_3213),
                "outs untouched on failure"
            );
        }
        assert_eq!(ctx.kernel.live_objects(), 0);
        ctx.assert_clean();
    }

    fn rights_0xf00e_type_channel(ctx: &mut Ctx) {
        let (a, b) = channel();
        assert_ne!(a, b);
        for end in [a, b] {
            assert_eq!(end & ZX_HANDLE_FIXED_BITS_MASK, ZX_HANDLE_FIXED_BITS_MASK);
            let info = basic(end);
            assert_eq!(info.rights, 0xF00E);
            assert_eq!(info.rights, ZX_DEFAULT_CHANNEL_RIGHTS);
            assert_eq!(info.rights & ZX_RIGHT_DUPLICATE, 0);
            assert_eq!(info.type_, ZX_OBJ_TYPE_CHANNEL);
        }
        assert_eq!(ctx.kernel.live_objects(), 2);
        close(&[a, b]);
        ctx.assert_clean();
    }

    fn endpoints_related_koids(ctx: &mut Ctx) {
        let (a, b) = channel();
        let (ia, ib) = (basic(a), basic(b));
        assert_ne!(ia.koid, ib.koid);
        assert_eq!(ia.related_koid, ib.koid);
        assert_eq!(ib.related_koid, ia.koid);
        close(&[b]);
        assert_eq!(
            basic(a).related_koid,
            ib.koid,
            "related_koid survives the peer"
        );
        close(&[a]);
        ctx.assert_clean();
    }

    fn both_start_writable_only(ctx: &mut Ctx) {
        let (a, b) = channel();
        assert_eq!(signals(a), ZX_CHANNEL_WRITABLE);
        assert_eq!(signals(b), ZX_CHANNEL_WRITABLE);
        close(&[a, b]);
        ctx.assert_clean();
    }
}

// ---- zx_channel_write ----

mod write {
    use super::*;

    cases!["zx_channel_write";
        (empty_message_allowed, "§7 zx_channel_write: a message with no bytes and no handles is allowed", Both),
        (success_moves_handles, "§7 zx_channel_write: on success the handles leave the writer's table and travel in the message; the peer becomes READABLE", Both),
        (bad_options_consume_handles, "§7/§12.1/§15.2 zx_channel_write: options other than USE_IOVEC ⇒ INVALID_ARGS (first), every handle consumed", Both),
        (bad_channel_consumes_handles, "§7/§12.1/§15.2 zx_channel_write: channel BAD_HANDLE / WRONG_TYPE / ACCESS_DENIED (no WRITE) ⇒ every handle consumed", Both),
        (sixty_five_handles_out_of_range, "§7/§15.2 zx_channel_write: 65 handles ⇒ OUT_OF_RANGE with all 65 closed; 64 fit", Both),
        (too_many_bytes_out_of_range, "§7/§15.2 zx_channel_write: more than 65 536 bytes ⇒ OUT_OF_RANGE, handles consumed; 65 536 fit", Both),
        (peer_closed_consumes_handles, "§7/§15.2 zx_channel_write: peer closed ⇒ PEER_CLOSED, every handle consumed and its object destroyed", Both),
        (bad_value_in_list_consumes_rest, "§7 zx_channel_write: a bad value in the list ⇒ BAD_HANDLE; every other handle is still consumed; nothing is sent", Both),
        (repeated_value_bad_handle, "§7 zx_channel_write: the same value twice ⇒ BAD_HANDLE (second lookup), the handle consumed, nothing sent", Both),
        (no_transfer_right_denied_and_consumed, "§7 zx_channel_write: a handle without TRANSFER ⇒ ACCESS_DENIED, and it is still consumed", Both),
        (own_endpoint_not_supported_and_closed, "§7/§15.2 zx_channel_write: writing the endpoint's own handle ⇒ NOT_SUPPORTED and closes it: the peer sees PEER_CLOSED", Both),
        (peer_endpoint_allowed, "§7 zx_channel_write: writing the peer endpoint into the channel is allowed", Both),
        (queue_limit_policy_exception, "§1.9/§7 zx_channel_write: past 3 500 pending messages each write raises CHANNEL_FULL_WRITE in the writer and still answers ZX_OK", Both),
    ];

    fn empty_message_allowed(ctx: &mut Ctx) {
        let (a, b) = channel();
        assert_eq!(write(a, &[], &[]), ZX_OK);
        assert_eq!(signals(b), ZX_CHANNEL_WRITABLE | ZX_CHANNEL_READABLE);
        let mut bytes = [0u8; 0];
        let (mut nb, mut nh) = (7u32, 7u32);
        assert_eq!(
            zx_channel_read(b, 0, &mut bytes, &mut [], Some(&mut nb), Some(&mut nh)),
            ZX_OK
        );
        assert_eq!((nb, nh), (0, 0));
        assert_eq!(read(b), Err(ZX_ERR_SHOULD_WAIT));
        close(&[a, b]);
        ctx.assert_clean();
    }

    fn success_moves_handles(ctx: &mut Ctx) {
        let (a, b) = channel();
        let [e1, e2] = new_events();
        let koids = [basic(e1).koid, basic(e2).koid];
        assert_eq!(write(a, b"hello", &[e1, e2]), ZX_OK);
        assert_consumed(&[e1, e2]);
        assert_eq!(
            ctx.kernel.live_objects(),
            4,
            "the events live on in the message"
        );
        assert_eq!(ctx.kernel.live_handles(), 4);
        assert_eq!(
            signals(a),
            ZX_CHANNEL_WRITABLE,
            "the writer's signals do not change"
        );
        assert_eq!(signals(b), ZX_CHANNEL_WRITABLE | ZX_CHANNEL_READABLE);
        let (bytes, handles) = read(b).expect("the message");
        assert_eq!(bytes, b"hello");
        assert_eq!(
            handles.iter().map(|&h| basic(h).koid).collect::<Vec<_>>(),
            koids,
            "in order"
        );
        close(&handles);
        close(&[a, b]);
        ctx.assert_clean();
    }

    fn bad_options_consume_handles(ctx: &mut Ctx) {
        let (a, b) = channel();
        for options in [1, 4, 0x8000_0000, !ZX_CHANNEL_WRITE_USE_IOVEC] {
            let [e1, e2] = new_events();
            assert_eq!(
                zx_channel_write(a, options, b"x", &[e1, e2]),
                ZX_ERR_INVALID_ARGS,
                "options {options:#x}"
            );
            assert_consumed(&[e1, e2]);
            assert_eq!(ctx.kernel.live_objects(), 2, "the events died");
        }
        // Options are checked before the channel handle.
        let e = new_event();
        assert_eq!(
            zx_channel_write(stale_handle(), 1, b"x", &[e]),
            ZX_ERR_INVALID_ARGS
        );
        assert_consumed(&[e]);
        assert_eq!(read(b), Err(ZX_ERR_SHOULD_WAIT), "nothing was sent");
        close(&[a, b]);
        ctx.assert_clean();
    }

    fn bad_channel_consumes_handles(ctx: &mut Ctx) {
        let (a, b) = channel();
        let no_write = replace(a, ZX_DEFAULT_CHANNEL_RIGHTS & !ZX_RIGHT_WRITE);
        let not_a_channel = new_event();
        let cases = [
            (ZX_HANDLE_INVALID, ZX_ERR_BAD_HANDLE),
            (stale_handle(), ZX_ERR_BAD_HANDLE),
            (not_a_channel, ZX_ERR_WRONG_TYPE),
            (no_write, ZX_ERR_ACCESS_DENIED),
        ];
        for (target, expected) in cases {
            let [e1, e2] = new_events();
            assert_eq!(
                write(target, b"x", &[e1, e2]),
                expected,
                "writing through {target:#x}"
            );
            assert_consumed(&[e1, e2]);
            assert_eq!(ctx.kernel.live_objects(), 3, "the events died");
        }
        assert_eq!(read(b), Err(ZX_ERR_SHOULD_WAIT), "nothing was sent");
        close(&[no_write, b, not_a_channel]);
        ctx.assert_clean();
    }

    fn sixty_five_handles_out_of_range(ctx: &mut Ctx) {
        let (a, b) = channel();
        let events: Vec<zx_handle_t> = (0..65).map(|_| new_event()).collect();
        assert_eq!(write(a, b"x", &events), ZX_ERR_OUT_OF_RANGE);
        assert_consumed(&events);
        assert_eq!(
            (ctx.kernel.live_objects(), ctx.kernel.live_handles()),
            (2, 2),
            "all 65 closed"
        );
        assert_eq!(read(b), Err(ZX_ERR_SHOULD_WAIT));
        let events: Vec<zx_handle_t> = (0..64).map(|_| new_event()).collect();
        assert_eq!(write(a, b"x", &events), ZX_OK, "64 handles fit");
        let (_, received) = read(b).expect("64 handles");
        assert_eq!(received.len(), 64);
        close(&received);
        close(&[a, b]);
        ctx.assert_clean();
    }

    fn too_many_bytes_out_of_range(ctx: &mut Ctx) {
        let (a, b) = channel();
        let [e1, e2] = new_events();
        let big = vec![7u8; ZX_CHANNEL_MAX_MSG_BYTES as usize + 1];
        assert_eq!(write(a, &big, &[e1, e2]), ZX_ERR_OUT_OF_RANGE);
        assert_consumed(&[e1, e2]);
        assert_eq!(ctx.kernel.live_objects(), 2);
        assert_eq!(read(b), Err(ZX_ERR_SHOULD_WAIT));
        assert_eq!(write(a, &big[1..], &[]), ZX_OK, "65 536 bytes fit");
        assert_eq!(read(b).expect("the big message").0.len(), 65_536);
        close(&[a, b]);
        ctx.assert_clean();
    }

    fn peer_closed_consumes_handles(ctx: &mut Ctx) {
        let (a, b) = channel();
        close(&[b]);
        let [e1, e2] = new_events();
        assert_eq!(write(a, b"x", &[e1, e2]), ZX_ERR_PEER_CLOSED);
        assert_consumed(&[e1, e2]);
        assert_eq!(
            (ctx.kernel.live_objects(), ctx.kernel.live_handles()),
            (1, 1),
            "the events died"
        );
        close(&[a]);
        ctx.assert_clean();
    }

    fn bad_value_in_list_consumes_rest(ctx: &mut Ctx) {
        let (a, b) = channel();
        let [e1, e2] = new_events();
        assert_eq!(write(a, b"x", &[e1, stale_handle(), e2]), ZX_ERR_BAD_HANDLE);
        assert_consumed(&[e1, e2]);
        assert_eq!(ctx.kernel.live_objects(), 2);
        let [e3] = new_events();
        assert_eq!(
            write(a, b"x", &[ZX_HANDLE_INVALID, e3]),
            ZX_ERR_BAD_HANDLE,
            "0 is never valid"
        );
        assert_consumed(&[e3]);
        assert_eq!(read(b), Err(ZX_ERR_SHOULD_WAIT), "nothing was sent");
        close(&[a, b]);
        ctx.assert_clean();
    }

    fn repeated_value_bad_handle(ctx: &mut Ctx) {
        let (a, b) = channel();
        let e = new_event();
        assert_eq!(write(a, b"x", &[e, e]), ZX_ERR_BAD_HANDLE);
        assert_consumed(&[e]);
        assert_eq!(ctx.kernel.live_objects(), 2, "the event died");
        assert_eq!(read(b), Err(ZX_ERR_SHOULD_WAIT), "nothing was sent");
        close(&[a, b]);
        ctx.assert_clean();
    }

    fn no_transfer_right_denied_and_consumed(ctx: &mut Ctx) {
        let (a, b) = channel();
        let e = new_event();
        let untransferable = dup(e, ZX_DEFAULT_EVENT_RIGHTS & !ZX_RIGHT_TRANSFER);
        let other = new_event();
        assert_eq!(handle_count(e), 2);
        assert_eq!(
            write(a, b"x", &[other, untransferable]),
            ZX_ERR_ACCESS_DENIED
        );
        assert_consumed(&[untransferable, other]);
        assert_eq!(handle_count(e), 1, "the untransferable handle was closed");
        assert_eq!(read(b), Err(ZX_ERR_SHOULD_WAIT), "nothing was sent");
        close(&[a, b, e]);
        ctx.assert_clean();
    }

    fn own_endpoint_not_supported_and_closed(ctx: &mut Ctx) {
        let (a, b) = channel();
        let e = new_event();
        assert_eq!(write(a, b"x", &[e, a]), ZX_ERR_NOT_SUPPORTED);
        assert_consumed(&[a, e]);
        let mut observed = 0;
        assert_eq!(
            zx_object_wait_one(b, ZX_CHANNEL_PEER_CLOSED, 0, Some(&mut observed)),
            ZX_OK
        );
        assert_eq!(
            observed, ZX_CHANNEL_PEER_CLOSED,
            "peer closed, nothing readable, WRITABLE cleared"
        );
        assert_eq!(read(b), Err(ZX_ERR_PEER_CLOSED));
        close(&[b]);
        ctx.assert_clean();
    }

    fn peer_endpoint_allowed(ctx: &mut Ctx) {
        let (a, b) = channel();
        assert_eq!(write(a, b"peer", &[b]), ZX_OK);
        assert_consumed(&[b]);
        assert_eq!(
            signals(a),
            ZX_CHANNEL_WRITABLE,
            "the peer is alive: its handle is in its own queue"
        );
        assert_eq!(write(a, b"more", &[]), ZX_OK);
        close(&[a]);
        // `b`'s only handle sits in `b`'s own queue: it stays alive (a cycle, as in Zircon,
        // §2.2 "handles inside unread messages count"), and `a` is gone.
        assert_eq!(
            (ctx.kernel.live_objects(), ctx.kernel.live_handles()),
            (1, 1)
        );
    }

    fn queue_limit_policy_exception(ctx: &mut Ctx) {
        let (a, b) = channel();
        for i in 0..3_500u16 {
            assert_eq!(write(a, &i.to_le_bytes(), &[]), ZX_OK, "message #{}", i + 1);
        }
        assert!(
            ctx.process.policy_exceptions().is_empty(),
            "3 500 pending messages are within the limit"
        );
        assert_eq!(
            write(a, &3_500u16.to_le_bytes(), &[]),
            ZX_OK,
            "the 3 501st write succeeds"
        );
        assert_eq!(
            ctx.process.policy_exceptions(),
            vec![PolicyException::ChannelFullWrite]
        );
        assert_eq!(queued(ctx, b), 3_501, "the message stays queued");
        for i in 0..3_501u16 {
            assert_eq!(
                read_with(b, 0, 2).map(|(bytes, _)| bytes),
                Ok(i.to_le_bytes().to_vec()),
                "in order"
            );
        }
        assert_eq!(
            ctx.process.policy_exceptions().len(),
            1,
            "reading raises nothing"
        );
        close(&[a, b]);
        ctx.assert_clean();
    }
}

// ---- zx_channel_write_etc ----

mod write_etc {
    use super::*;

    cases!["zx_channel_write_etc";
        (move_and_duplicate, "§7 zx_channel_write_etc: MOVE consumes the source, DUPLICATE leaves it open; both handles arrive", Both),
        (type_check_wrong_type, "§7 zx_channel_write_etc: type ≠ NONE and mismatched ⇒ WRONG_TYPE (MOVE source still consumed, DUPLICATE source kept); NONE skips the check", Both),
        (rights_reduction, "§7 zx_channel_write_etc: MOVE or DUPLICATE with a subset of rights delivers a handle with exactly those rights", Both),
        (rights_not_subset_invalid_args, "§7 zx_channel_write_etc: rights not a subset (SAME_RIGHTS combined with bits included) ⇒ INVALID_ARGS", Both),
        (duplicate_needs_duplicate_right, "§7 zx_channel_write_etc: DUPLICATE of a handle without DUPLICATE ⇒ ACCESS_DENIED, source kept, nothing sent", Both),
        (results_written_only_on_failure, "§7 zx_channel_write_etc: each failing entry's result gets its error, copied back only when the call fails; success leaves results untouched", Both),
        (repeated_move_bad_handle, "§7 zx_channel_write_etc: the same value MOVEd twice ⇒ second entry BAD_HANDLE; DUPLICATE of one value twice is fine", Both),
        (unknown_operation_consumes, "§7/§12.1 zx_channel_write_etc: an unknown operation closes the source and fails INVALID_ARGS", Both),
        (early_failures_consume_moves_only, "§12.1 zx_channel_write_etc: bad options / bad channel / OUT_OF_RANGE / PEER_CLOSED consume every MOVE entry, never a DUPLICATE entry", Both),
        (own_endpoint_not_supported, "§7 zx_channel_write_etc: the endpoint's own handle ⇒ NOT_SUPPORTED; MOVE closes it (peer sees PEER_CLOSED), DUPLICATE leaves it", Both),
        (no_transfer_right_denied, "§7 zx_channel_write_etc: missing TRANSFER ⇒ ACCESS_DENIED (MOVE consumed, DUPLICATE kept)", Both),
        (transfer_right_may_be_dropped, "§7 zx_channel_write_etc: TRANSFER may be dropped: the receiver's handle cannot be written on (ACCESS_DENIED) and is consumed trying", Both),
        (reduced_rights_move_ends_wait_zircon, "§13.4 (zircon): moving the registering handle with reduced rights (write_etc) ends its async wait at the write — no packet", ZirconOnly),
        (reduced_rights_move_wait_continues_rfc0240, "§13.4 (rfc0240): moving the registering handle with reduced rights (write_etc) does not end its async wait", Rfc0240Only),
    ];

    fn move_and_duplicate(ctx: &mut Ctx) {
        let (a, b) = channel();
        let [e1, e2] = new_events();
        let koids = [basic(e1).koid, basic(e2).koid];
        let mut entries = [moved(e1), duplicated(e2)];
        assert_eq!(zx_channel_write_etc(a, 0, b"etc", &mut entries), ZX_OK);
        assert_consumed(&[e1]);
        assert!(valid(e2), "DUPLICATE leaves the source");
        assert_eq!(handle_count(e2), 2, "the duplicate travels in the message");
        let (bytes, infos) = read_etc(b).expect("the message");
        assert_eq!(bytes, b"etc");
        assert_eq!(
            infos
                .iter()
                .map(|i| basic(i.handle).koid)
                .collect::<Vec<_>>(),
            koids
        );
        for info in &infos {
            assert_eq!(
                (info.ty, info.rights, info.unused),
                (ZX_OBJ_TYPE_EVENT, ZX_DEFAULT_EVENT_RIGHTS, 0)
            );
        }
        close(&[infos[0].handle, infos[1].handle, e2, a, b]);
        ctx.assert_clean();
    }

    fn type_check_wrong_type(ctx: &mut Ctx) {
        let (a, b) = channel();
        let [e1, e2] = new_events();
        let mut entries = [
            disposition(
                ZX_HANDLE_OP_MOVE,
                e1,
                ZX_OBJ_TYPE_CHANNEL,
                ZX_RIGHT_SAME_RIGHTS,
            ),
            disposition(
                ZX_HANDLE_OP_DUPLICATE,
                e2,
                ZX_OBJ_TYPE_PORT,
                ZX_RIGHT_SAME_RIGHTS,
            ),
        ];
        assert_eq!(
            zx_channel_write_etc(a, 0, b"x", &mut entries),
            ZX_ERR_WRONG_TYPE
        );
        assert_eq!(
            entries.map(|e| e.result),
            [ZX_ERR_WRONG_TYPE, ZX_ERR_WRONG_TYPE]
        );
        assert_consumed(&[e1]);
        assert!(valid(e2));
        assert_eq!(handle_count(e2), 1, "no duplicate was left behind");
        assert_eq!(read(b), Err(ZX_ERR_SHOULD_WAIT), "nothing was sent");
        let mut entries = [
            disposition(
                ZX_HANDLE_OP_DUPLICATE,
                e2,
                ZX_OBJ_TYPE_EVENT,
                ZX_RIGHT_SAME_RIGHTS,
            ),
            disposition(
                ZX_HANDLE_OP_MOVE,
                e2,
                ZX_OBJ_TYPE_NONE,
                ZX_RIGHT_SAME_RIGHTS,
            ),
        ];
        assert_eq!(
            zx_channel_write_etc(a, 0, b"y", &mut entries),
            ZX_OK,
            "a matching type and NONE pass"
        );
        let (_, received) = read(b).expect("two handles");
        assert_eq!(received.len(), 2);
        close(&received);
        close(&[a, b]);
        ctx.assert_clean();
    }

    fn rights_reduction(ctx: &mut Ctx) {
        let (a, b) = channel();
        let [e1, e2] = new_events();
        let reduced = ZX_RIGHT_TRANSFER | ZX_RIGHT_WAIT;
        let mut entries = [
            disposition(ZX_HANDLE_OP_MOVE, e1, ZX_OBJ_TYPE_EVENT, reduced),
            disposition(
                ZX_HANDLE_OP_DUPLICATE,
                e2,
                ZX_OBJ_TYPE_NONE,
                ZX_RIGHT_SIGNAL,
            ),
            disposition(ZX_HANDLE_OP_DUPLICATE, e2, ZX_OBJ_TYPE_NONE, ZX_RIGHT_NONE),
        ];
        assert_eq!(zx_channel_write_etc(a, 0, b"", &mut entries), ZX_OK);
        assert_consumed(&[e1]);
        assert_eq!(
            basic(e2).rights,
            ZX_DEFAULT_EVENT_RIGHTS,
            "the source keeps its rights"
        );
        let (_, infos) = read_etc(b).expect("three handles");
        assert_eq!(
            infos.iter().map(|i| i.rights).collect::<Vec<_>>(),
            vec![reduced, ZX_RIGHT_SIGNAL, ZX_RIGHT_NONE]
        );
        for info in &infos {
            assert_eq!(
                basic(info.handle).rights,
                info.rights,
                "the handle really has the reported rights"
            );
            assert_eq!(info.ty, ZX_OBJ_TYPE_EVENT);
        }
        assert_eq!(
            zx_object_signal(infos[0].handle, 0, ZX_USER_SIGNAL_0),
            ZX_ERR_ACCESS_DENIED,
            "no SIGNAL"
        );
        assert_eq!(
            zx_object_signal(infos[1].handle, 0, ZX_USER_SIGNAL_0),
            ZX_OK
        );
        close(&infos.iter().map(|i| i.handle).collect::<Vec<_>>());
        close(&[e2, a, b]);
        ctx.assert_clean();
    }

    fn rights_not_subset_invalid_args(ctx: &mut Ctx) {
        let (a, b) = channel();
        for rights in [
            ZX_RIGHT_SIGNAL_PEER,
            ZX_RIGHT_READ | ZX_RIGHT_TRANSFER,
            ZX_RIGHT_SAME_RIGHTS | ZX_RIGHT_WAIT,
        ] {
            let [e1, e2] = new_events();
            let mut entries = [
                disposition(ZX_HANDLE_OP_MOVE, e1, ZX_OBJ_TYPE_NONE, rights),
                disposition(ZX_HANDLE_OP_DUPLICATE, e2, ZX_OBJ_TYPE_NONE, rights),
            ];
            assert_eq!(
                zx_channel_write_etc(a, 0, b"x", &mut entries),
                ZX_ERR_INVALID_ARGS,
                "rights {rights:#x}"
            );
            assert_eq!(entries.map(|e| e.result), [ZX_ERR_INVALID_ARGS; 2]);
            assert_consumed(&[e1]);
            assert_eq!(handle_count(e2), 1);
            close(&[e2]);
        }
        assert_eq!(read(b), Err(ZX_ERR_SHOULD_WAIT), "nothing was sent");
        close(&[a, b]);
        ctx.assert_clean();
    }

    fn duplicate_needs_duplicate_right(ctx: &mut Ctx) {
        let (a, b) = channel();
        let e = new_event();
        let no_dup = replace(e, ZX_DEFAULT_EVENT_RIGHTS & !ZX_RIGHT_DUPLICATE);
        let mut entries = [duplicated(no_dup)];
        assert_eq!(
            zx_channel_write_etc(a, 0, b"x", &mut entries),
            ZX_ERR_ACCESS_DENIED
        );
        assert_eq!(entries[0].result, ZX_ERR_ACCESS_DENIED);
        assert!(valid(no_dup));
        assert_eq!(handle_count(no_dup), 1);
        // Rights are checked before DUPLICATE: a bad rights request reports INVALID_ARGS.
        let mut entries = [disposition(
            ZX_HANDLE_OP_DUPLICATE,
            no_dup,
            ZX_OBJ_TYPE_NONE,
            ZX_RIGHT_DUPLICATE,
        )];
        assert_eq!(
            zx_channel_write_etc(a, 0, b"x", &mut entries),
            ZX_ERR_INVALID_ARGS
        );
        assert_eq!(read(b), Err(ZX_ERR_SHOULD_WAIT), "nothing was sent");
        close(&[no_dup, a, b]);
        ctx.assert_clean();
    }

    fn results_written_only_on_failure(ctx: &mut Ctx) {
        let (a, b) = channel();
        let [e1, e2, e3] = new_events();
        // Success: nothing is copied back, whatever the caller left in `result`.
        let mut entries = [moved(e1), duplicated(e2)];
        entries[0].result = SENTINEL;
        entries[1].result = SENTINEL - 1;
        assert_eq!(zx_channel_write_etc(a, 0, b"ok", &mut entries), ZX_OK);
        assert_eq!(entries.map(|e| e.result), [SENTINEL, SENTINEL - 1]);
        // Failure: every entry is attempted; failing entries get their error, the others keep
        // what the caller put there (ZX_OK by convention, a sentinel here).
        let mut entries = [
            duplicated(e2),
            moved(stale_handle()),
            disposition(
                ZX_HANDLE_OP_MOVE,
                e3,
                ZX_OBJ_TYPE_PORT,
                ZX_RIGHT_SAME_RIGHTS,
            ),
            duplicated(e2),
        ];
        entries[0].result = SENTINEL;
        entries[3].result = ZX_OK;
        assert_eq!(
            zx_channel_write_etc(a, 0, b"no", &mut entries),
            ZX_ERR_BAD_HANDLE,
            "the first failure is returned"
        );
        assert_eq!(
            entries.map(|e| e.result),
            [SENTINEL, ZX_ERR_BAD_HANDLE, ZX_ERR_WRONG_TYPE, ZX_OK]
        );
        assert_consumed(&[e3]);
        assert_eq!(
            handle_count(e2),
            2,
            "the failed call left no duplicate; the first message holds one"
        );
        let (bytes, received) = read(b).expect("the first message");
        assert_eq!(bytes, b"ok");
        assert_eq!(
            read(b),
            Err(ZX_ERR_SHOULD_WAIT),
            "the failed call sent nothing"
        );
        close(&received);
        close(&[e2, a, b]);
        ctx.assert_clean();
    }

    fn repeated_move_bad_handle(ctx: &mut Ctx) {
        let (a, b) = channel();
        let e = new_event();
        let mut entries = [moved(e), moved(e)];
        assert_eq!(
            zx_channel_write_etc(a, 0, b"x", &mut entries),
            ZX_ERR_BAD_HANDLE
        );
        assert_eq!(entries.map(|e| e.result), [ZX_OK, ZX_ERR_BAD_HANDLE]);
        assert_consumed(&[e]);
        assert_eq!(
            ctx.kernel.live_objects(),
            2,
            "the event died with the failed message"
        );
        assert_eq!(read(b), Err(ZX_ERR_SHOULD_WAIT));
        let e = new_event();
        let mut entries = [duplicated(e), duplicated(e)];
        assert_eq!(zx_channel_write_etc(a, 0, b"x", &mut entries), ZX_OK);
        assert_eq!(handle_count(e), 3);
        let (_, received) = read(b).expect("two duplicates");
        assert_eq!(received.len(), 2);
        close(&received);
        close(&[e, a, b]);
        ctx.assert_clean();
    }

    fn unknown_operation_consumes(ctx: &mut Ctx) {
        let (a, b) = channel();
        for operation in [2, 3, u32::MAX] {
            let e = new_event();
            let mut entries = [disposition(
                operation,
                e,
                ZX_OBJ_TYPE_NONE,
                ZX_RIGHT_SAME_RIGHTS,
            )];
            assert_eq!(
                zx_channel_write_etc(a, 0, b"x", &mut entries),
                ZX_ERR_INVALID_ARGS,
                "operation {operation}"
            );
            assert_eq!(entries[0].result, ZX_ERR_INVALID_ARGS);
            assert_consumed(&[e]);
            assert_eq!(ctx.kernel.live_objects(), 2, "the event died");
        }
        // Also when the call fails before the entries are examined.
        let e = new_event();
        let mut entries = [disposition(7, e, ZX_OBJ_TYPE_NONE, ZX_RIGHT_SAME_RIGHTS)];
        assert_eq!(
            zx_channel_write_etc(stale_handle(), 0, b"x", &mut entries),
            ZX_ERR_BAD_HANDLE
        );
        assert_consumed(&[e]);
        assert_eq!(read(b), Err(ZX_ERR_SHOULD_WAIT));
        close(&[a, b]);
        ctx.assert_clean();
    }

    fn early_failures_consume_moves_only(ctx: &mut Ctx) {
        let (a, b) = channel();
        let (closed_peer, gone) = channel();
        close(&[gone]);
        let no_write = replace(b, ZX_DEFAULT_CHANNEL_RIGHTS & !ZX_RIGHT_WRITE);
        let not_a_channel = new_event();
        let big = vec![0u8; ZX_CHANNEL_MAX_MSG_BYTES as usize + 1];
        // (what, channel, options, bytes, entries, expected status)
        type Failure<'a> = (&'a str, zx_handle_t, u32, &'a [u8], usize, zx_status_t);
        let failures: [Failure<'_>; 7] = [
            ("bad options", a, 1, b"x", 2, ZX_ERR_INVALID_ARGS),
            ("bad channel", stale_handle(), 0, b"x", 2, ZX_ERR_BAD_HANDLE),
            ("wrong type", not_a_channel, 0, b"x", 2, ZX_ERR_WRONG_TYPE),
            ("no WRITE", no_write, 0, b"x", 2, ZX_ERR_ACCESS_DENIED),
            ("too many bytes", a, 0, &big, 2, ZX_ERR_OUT_OF_RANGE),
            ("65 entries", a, 0, b"x", 65, ZX_ERR_OUT_OF_RANGE),
            ("peer closed", closed_peer, 0, b"x", 2, ZX_ERR_PEER_CLOSED),
        ];
        let kept = new_event();
        for (what, target, options, bytes, count, expected) in failures {
            let mut entries: Vec<zx_handle_disposition_t> = (0..count)
                .map(|i| {
                    if i % 2 == 0 {
                        moved(new_event())
                    } else {
                        duplicated(kept)
                    }
                })
                .collect();
            assert_eq!(
                zx_channel_write_etc(target, options, bytes, &mut entries),
                expected,
                "{what}"
            );
            let moves: Vec<zx_handle_t> = entries
                .iter()
                .filter(|e| e.operation == ZX_HANDLE_OP_MOVE)
                .map(|e| e.handle)
                .collect();
            assert_consumed(&moves);
            assert!(valid(kept), "{what}: DUPLICATE entries are never consumed");
            assert_eq!(
                handle_count(kept),
                1,
                "{what}: and no duplicate is left behind"
            );
            // a, b (= no_write), closed_peer, not_a_channel, kept.
            assert_eq!(
                ctx.kernel.live_objects(),
                5,
                "{what}: the moved events died"
            );
        }
        assert_eq!(read(no_write), Err(ZX_ERR_SHOULD_WAIT), "nothing was sent");
        close(&[a, no_write, closed_peer, not_a_channel, kept]);
        ctx.assert_clean();
    }

    fn own_endpoint_not_supported(ctx: &mut Ctx) {
        let (a, b) = channel();
        let mut entries = [duplicated(a)];
        assert_eq!(
            zx_channel_write_etc(a, 0, b"x", &mut entries),
            ZX_ERR_NOT_SUPPORTED
        );
        assert_eq!(
            entries[0].result, ZX_ERR_NOT_SUPPORTED,
            "checked before the DUPLICATE right"
        );
        assert!(valid(a), "a DUPLICATE entry leaves the endpoint");
        assert_eq!(signals(b), ZX_CHANNEL_WRITABLE);
        let mut entries = [moved(a)];
        assert_eq!(
            zx_channel_write_etc(a, 0, b"x", &mut entries),
            ZX_ERR_NOT_SUPPORTED
        );
        assert_consumed(&[a]);
        assert_eq!(
            zx_object_wait_one(b, ZX_CHANNEL_PEER_CLOSED, 0, None),
            ZX_OK
        );
        assert_eq!(read(b), Err(ZX_ERR_PEER_CLOSED));
        close(&[b]);
        ctx.assert_clean();
    }

    fn no_transfer_right_denied(ctx: &mut Ctx) {
        let (a, b) = channel();
        let e = new_event();
        let [stuck1, stuck2] = [0; 2].map(|_| dup(e, ZX_DEFAULT_EVENT_RIGHTS & !ZX_RIGHT_TRANSFER));
        let mut entries = [moved(stuck1), duplicated(stuck2)];
        assert_eq!(
            zx_channel_write_etc(a, 0, b"x", &mut entries),
            ZX_ERR_ACCESS_DENIED
        );
        assert_eq!(entries.map(|e| e.result), [ZX_ERR_ACCESS_DENIED; 2]);
        assert_consumed(&[stuck1]);
        assert!(valid(stuck2));
        assert_eq!(handle_count(e), 2);
        assert_eq!(read(b), Err(ZX_ERR_SHOULD_WAIT));
        close(&[e, stuck2, a, b]);
        ctx.assert_clean();
    }

    fn transfer_right_may_be_dropped(ctx: &mut Ctx) {
        let (a, b) = channel();
        let e = new_event();
        let mut entries = [disposition(
            ZX_HANDLE_OP_MOVE,
            e,
            ZX_OBJ_TYPE_EVENT,
            ZX_RIGHT_WAIT | ZX_RIGHT_SIGNAL,
        )];
        assert_eq!(zx_channel_write_etc(a, 0, b"x", &mut entries), ZX_OK);
        let (_, infos) = read_etc(b).expect("the handle");
        let received = infos[0].handle;
        assert_eq!(infos[0].rights, ZX_RIGHT_WAIT | ZX_RIGHT_SIGNAL);
        assert_eq!(write(b, b"onward", &[received]), ZX_ERR_ACCESS_DENIED);
        assert_consumed(&[received]);
        assert_eq!(
            (ctx.kernel.live_objects(), ctx.kernel.live_handles()),
            (2, 2),
            "the event died"
        );
        assert_eq!(read(a), Err(ZX_ERR_SHOULD_WAIT));
        close(&[a, b]);
        ctx.assert_clean();
    }

    /// Registers an async wait through `event`, moves `event` through a channel with reduced
    /// rights, then signals the object through a duplicate kept aside. Returns the port's first
    /// packet (or the poll status).
    fn reduced_rights_scenario(ctx: &Ctx) -> (Result<zx_port_packet_t, zx_status_t>, usize) {
        let (a, b) = channel();
        let port = new_port();
        let event = new_event();
        let aside = dup(event, ZX_RIGHT_SAME_RIGHTS);
        assert_eq!(
            zx_object_wait_async(event, port, 9, ZX_USER_SIGNAL_0, 0),
            ZX_OK
        );
        let reduced = ZX_RIGHT_TRANSFER | ZX_RIGHT_WAIT | ZX_RIGHT_SIGNAL;
        let mut entries = [disposition(
            ZX_HANDLE_OP_MOVE,
            event,
            ZX_OBJ_TYPE_EVENT,
            reduced,
        )];
        assert_eq!(zx_channel_write_etc(a, 0, b"", &mut entries), ZX_OK);
        let observers = port_observers(ctx, port);
        assert_eq!(zx_object_signal(aside, 0, ZX_USER_SIGNAL_0), ZX_OK);
        let packet = poll(port);
        close(&[a, b, port, aside]);
        ctx.assert_clean();
        (packet, observers)
    }

    fn reduced_rights_move_ends_wait_zircon(ctx: &mut Ctx) {
        let (packet, observers) = reduced_rights_scenario(ctx);
        rule_eq!(
            observers,
            0,
            "the reduced-rights move deleted the registering handle"
        );
        rule_eq!(
            packet,
            Err(ZX_ERR_TIMED_OUT),
            "no packet after the wait ended"
        );
    }

    fn reduced_rights_move_wait_continues_rfc0240(ctx: &mut Ctx) {
        let (packet, observers) = reduced_rights_scenario(ctx);
        rule_eq!(observers, 1, "the wait is on the object, not the handle");
        let packet = packet.expect("the wait continued and fired");
        rule_eq!(
            (packet.key, packet.packet_type),
            (9, ZX_PKT_TYPE_SIGNAL_ONE)
        );
        rule_eq!(packet.signal().trigger, ZX_USER_SIGNAL_0);
        assert_ne!(packet.signal().observed & ZX_USER_SIGNAL_0, 0);
    }
}

// ---- zx_channel_read ----

mod read {
    use super::*;

    cases!["zx_channel_read";
        (handle_checks_before_options, "§2.1/§7/§15.7 zx_channel_read: BAD_HANDLE → WRONG_TYPE → ACCESS_DENIED (no READ, even with bad options) → unknown options NOT_SUPPORTED; the message stays", Both),
        (empty_should_wait, "§7 zx_channel_read: an empty queue with a live peer ⇒ SHOULD_WAIT", Both),
        (whole_messages_in_order, "§7 zx_channel_read: messages are read whole, oldest first, with their sizes in actual_*", Both),
        (buffer_too_small_keeps_message, "§7/§15.8 zx_channel_read: too small ⇒ BUFFER_TOO_SMALL with the required sizes in actual_*; the message stays at the head", Both),
        (may_discard_drops_message, "§7/§12.1/§15.8 zx_channel_read: MAY_DISCARD + too small ⇒ BUFFER_TOO_SMALL with the sizes, the message dropped and its handles closed", Both),
        (may_discard_reads_fitting_message, "§7 zx_channel_read: MAY_DISCARD with a big enough buffer reads normally", Both),
        (peer_closed_only_when_empty, "§7/§15.8 zx_channel_read: messages stay readable after the peer closes (READABLE|PEER_CLOSED); PEER_CLOSED only once the queue is empty", Both),
        (readable_tracks_queue, "§7 signals: READABLE while the queue is non-empty, cleared by reading the last message", Both),
        (received_handles_new_values, "§7 zx_channel_read: received handles get new values in the reader's table, same object, same rights", Both),
        (other_process_receives, "§7/§2.1 zx_channel_read: another process receives the handle under a value of its own; values do not cross processes", Both),
        (in_flight_wait_continues, "§5/§13.4: an async wait survives while its registering handle is in flight (same rights), in both profiles", Both),
        (received_wait_ends_at_read_zircon, "§5/§13.4 (zircon): an async wait ends when the receiver reads its registering handle — no packet when the event is signalled later", ZirconOnly),
        (received_wait_continues_rfc0240, "§13.4 (rfc0240): an async wait survives the receiver reading its registering handle — a packet arrives", Rfc0240Only),
    ];

    fn handle_checks_before_options(ctx: &mut Ctx) {
        let (a, b) = channel();
        let (c0, c1) = channel();
        let no_read = replace(c1, ZX_DEFAULT_CHANNEL_RIGHTS & !ZX_RIGHT_READ);
        assert_eq!(write(a, b"keep", &[]), ZX_OK);
        assert_eq!(write(c0, b"keep", &[]), ZX_OK);
        let event = new_event();
        let mut bytes = [0u8; 16];
        let mut read_raw =
            |h, options| zx_channel_read(h, options, &mut bytes, &mut [], None, None);
        assert_eq!(read_raw(ZX_HANDLE_INVALID, 0), ZX_ERR_BAD_HANDLE);
        assert_eq!(read_raw(stale_handle(), 0), ZX_ERR_BAD_HANDLE);
        assert_eq!(read_raw(stale_handle(), 2), ZX_ERR_BAD_HANDLE);
        assert_eq!(read_raw(event, 0), ZX_ERR_WRONG_TYPE);
        assert_eq!(read_raw(event, 2), ZX_ERR_WRONG_TYPE);
        assert_eq!(read_raw(no_read, 0), ZX_ERR_ACCESS_DENIED);
        assert_eq!(
            read_raw(no_read, 2),
            ZX_ERR_ACCESS_DENIED,
            "rights before options"
        );
        for options in [2, 4, 0x8000_0000, u32::MAX] {
            assert_eq!(
                read_raw(b, options),
                ZX_ERR_NOT_SUPPORTED,
                "options {options:#x}"
            );
        }
        assert_eq!(
            read(b).map(|m| m.0),
            Ok(b"keep".to_vec()),
            "the failures left the message queued"
        );
        close(&[a, b, c0, no_read, event]);
        ctx.assert_clean();
    }

    fn empty_should_wait(ctx: &mut Ctx) {
        let (a, b) = channel();
        let mut nb = 99;
        assert_eq!(
            zx_channel_read(b, 0, &mut [0u8; 8], &mut [], Some(&mut nb), None),
            ZX_ERR_SHOULD_WAIT
        );
        assert_eq!(read(a), Err(ZX_ERR_SHOULD_WAIT));
        close(&[a, b]);
        ctx.assert_clean();
    }

    fn whole_messages_in_order(ctx: &mut Ctx) {
        let (a, b) = channel();
        let sizes = [0usize, 1, 100, 4_096, 65_536];
        for (i, &size) in sizes.iter().enumerate() {
            let bytes: Vec<u8> = (0..size).map(|j| (i + j) as u8).collect();
            assert_eq!(write(a, &bytes, &[]), ZX_OK);
        }
        for (i, &size) in sizes.iter().enumerate() {
            let (bytes, handles) = read(b).expect("a message");
            assert_eq!(bytes.len(), size, "message #{i} read whole");
            assert!(
                bytes
                    .iter()
                    .enumerate()
                    .all(|(j, &byte)| byte == (i + j) as u8),
                "message #{i} in order"
            );
            assert!(handles.is_empty());
        }
        assert_eq!(read(b), Err(ZX_ERR_SHOULD_WAIT));
        close(&[a, b]);
        ctx.assert_clean();
    }

    fn buffer_too_small_keeps_message(ctx: &mut Ctx) {
        let (a, b) = channel();
        let [e1, e2] = new_events();
        assert_eq!(write(a, b"0123456789", &[e1, e2]), ZX_OK);
        assert_eq!(write(a, b"next", &[]), ZX_OK);
        let mut bytes = [0u8; 64];
        let mut handles = [ZX_HANDLE_INVALID; 4];
        let attempts: [(usize, usize); 4] = [(9, 4), (64, 1), (0, 0), (9, 0)];
        for (max_bytes, max_handles) in attempts {
            let (mut nb, mut nh) = (0u32, 0u32);
            let status = zx_channel_read(
                b,
                0,
                &mut bytes[..max_bytes],
                &mut handles[..max_handles],
                Some(&mut nb),
                Some(&mut nh),
            );
            assert_eq!(
                status, ZX_ERR_BUFFER_TOO_SMALL,
                "room for {max_bytes} bytes / {max_handles} handles"
            );
            assert_eq!((nb, nh), (10, 2), "the required sizes");
            assert_eq!(handles, [ZX_HANDLE_INVALID; 4], "no handle installed");
        }
        assert_eq!(
            zx_channel_read(b, 0, &mut [], &mut [], None, None),
            ZX_ERR_BUFFER_TOO_SMALL,
            "null actuals"
        );
        assert_eq!(
            ctx.kernel.live_objects(),
            4,
            "the events are still in the message"
        );
        assert_eq!(signals(b) & ZX_CHANNEL_READABLE, ZX_CHANNEL_READABLE);
        let (got, received) = read(b).expect("the same message, still at the head");
        assert_eq!(got, b"0123456789");
        assert_eq!(received.len(), 2);
        assert_eq!(read(b).map(|m| m.0), Ok(b"next".to_vec()));
        close(&received);
        close(&[a, b]);
        ctx.assert_clean();
    }

    fn may_discard_drops_message(ctx: &mut Ctx) {
        let (a, b) = channel();
        let e = new_event();
        let kept = dup(e, ZX_RIGHT_SAME_RIGHTS);
        let [nested0, nested1] = {
            let (x, y) = channel();
            [x, y]
        };
        assert_eq!(write(a, b"0123456789", &[e, nested0, nested1]), ZX_OK);
        assert_eq!(write(a, b"next", &[]), ZX_OK);
        assert_eq!(handle_count(kept), 2);
        let (mut nb, mut nh) = (0u32, 0u32);
        let status = zx_channel_read(
            b,
            ZX_CHANNEL_READ_MAY_DISCARD,
            &mut [0u8; 4],
            &mut [0; 1],
            Some(&mut nb),
            Some(&mut nh),
        );
        assert_eq!(status, ZX_ERR_BUFFER_TOO_SMALL);
        assert_eq!((nb, nh), (10, 3), "the sizes of the discarded message");
        assert_eq!(handle_count(kept), 1, "its handles were closed");
        assert_eq!(ctx.kernel.live_objects(), 3, "the nested channel died");
        assert_eq!(
            read(b).map(|m| m.0),
            Ok(b"next".to_vec()),
            "the next message is now at the head"
        );
        // Null buffers and null actuals discard too.
        assert_eq!(write(a, b"x", &[]), ZX_OK);
        assert_eq!(
            zx_channel_read(b, ZX_CHANNEL_READ_MAY_DISCARD, &mut [], &mut [], None, None),
            ZX_ERR_BUFFER_TOO_SMALL
        );
        assert_eq!(read(b), Err(ZX_ERR_SHOULD_WAIT));
        assert_eq!(
            signals(b) & ZX_CHANNEL_READABLE,
            0,
            "the discard emptied the queue"
        );
        close(&[kept, a, b]);
        ctx.assert_clean();
    }

    fn may_discard_reads_fitting_message(ctx: &mut Ctx) {
        let (a, b) = channel();
        let e = new_event();
        assert_eq!(write(a, b"fits", &[e]), ZX_OK);
        let (bytes, handles) = read_with(b, ZX_CHANNEL_READ_MAY_DISCARD, 4).expect("read normally");
        assert_eq!((bytes.as_slice(), handles.len()), (&b"fits"[..], 1));
        assert_eq!(basic(handles[0]).type_, ZX_OBJ_TYPE_EVENT);
        close(&handles);
        close(&[a, b]);
        ctx.assert_clean();
    }

    fn peer_closed_only_when_empty(ctx: &mut Ctx) {
        let (a, b) = channel();
        let e = new_event();
        assert_eq!(write(a, b"one", &[e]), ZX_OK);
        assert_eq!(write(a, b"two", &[]), ZX_OK);
        close(&[a]);
        assert_eq!(signals(b), ZX_CHANNEL_READABLE | ZX_CHANNEL_PEER_CLOSED);
        let (bytes, handles) = read(b).expect("first message survives the peer");
        assert_eq!(bytes, b"one");
        assert_eq!(handles.len(), 1);
        assert_eq!(signals(b), ZX_CHANNEL_READABLE | ZX_CHANNEL_PEER_CLOSED);
        assert_eq!(read(b).map(|m| m.0), Ok(b"two".to_vec()));
        assert_eq!(signals(b), ZX_CHANNEL_PEER_CLOSED);
        assert_eq!(read(b), Err(ZX_ERR_PEER_CLOSED));
        assert_eq!(
            zx_channel_read(b, 0, &mut [], &mut [], None, None),
            ZX_ERR_PEER_CLOSED,
            "also with no buffer"
        );
        close(&handles);
        close(&[b]);
        ctx.assert_clean();
    }

    fn readable_tracks_queue(ctx: &mut Ctx) {
        let (a, b) = channel();
        assert_eq!(signals(b) & ZX_CHANNEL_READABLE, 0);
        assert_eq!(write(a, b"1", &[]), ZX_OK);
        assert_eq!(write(a, b"2", &[]), ZX_OK);
        assert_eq!(signals(b), ZX_CHANNEL_READABLE | ZX_CHANNEL_WRITABLE);
        assert_eq!(signals(a), ZX_CHANNEL_WRITABLE, "READABLE is per endpoint");
        read(b).expect("first");
        assert_eq!(
            signals(b) & ZX_CHANNEL_READABLE,
            ZX_CHANNEL_READABLE,
            "one message left"
        );
        read(b).expect("second");
        assert_eq!(signals(b), ZX_CHANNEL_WRITABLE);
        close(&[a, b]);
        ctx.assert_clean();
    }

    fn received_handles_new_values(ctx: &mut Ctx) {
        let (a, b) = channel();
        let e = new_event();
        let reduced = dup(e, ZX_RIGHT_TRANSFER | ZX_RIGHT_WAIT | ZX_RIGHT_INSPECT);
        let before = [basic(e), basic(reduced)];
        assert_eq!(write(a, b"", &[e, reduced]), ZX_OK);
        let (_, received) = read(b).expect("two handles");
        assert_eq!(received.len(), 2);
        for (value, old) in received.iter().zip([e, reduced]) {
            assert_ne!(*value, old, "a new value");
            assert!(valid(*value));
            assert!(!valid(old), "the old value stays dead");
        }
        let after = [basic(received[0]), basic(received[1])];
        assert_eq!(after, before, "same object (koid), same rights");
        close(&received);
        close(&[a, b]);
        ctx.assert_clean();
    }

    fn other_process_receives(ctx: &mut Ctx) {
        let other = ctx.other_process();
        let (a, b) = channel();
        let b_there = give(&ctx.process, &other, b);
        let e = new_event();
        let koid = basic(e).koid;
        assert_eq!(write(a, b"for B", &[e]), ZX_OK);
        let received = {
            let _bound = other.bind();
            assert!(!valid(e), "A's value means nothing in B");
            assert!(!valid(a));
            let (bytes, handles) = read(b_there).expect("B reads");
            assert_eq!(bytes, b"for B");
            let info = basic(handles[0]);
            assert_eq!((info.koid, info.rights), (koid, ZX_DEFAULT_EVENT_RIGHTS));
            handles[0]
        };
        assert!(!valid(received), "B's value means nothing in A");
        assert_eq!(
            zx_object_signal(received, 0, ZX_USER_SIGNAL_0),
            ZX_ERR_BAD_HANDLE
        );
        assert_eq!(
            other.handles().len(),
            2,
            "B holds its endpoint and the event"
        );
        {
            let _bound = other.bind();
            close(&[received, b_there]);
        }
        close(&[a]);
        ctx.assert_clean();
    }

    /// Registers a wait through `event`, moves `event` to another process through a channel,
    /// lets that process read it and signal it. Returns (port observers after the read, the
    /// port's first packet).
    fn transferred_wait_scenario(ctx: &Ctx) -> (usize, Result<zx_port_packet_t, zx_status_t>) {
        let other = ctx.other_process();
        let (a, b) = channel();
        let b_there = give(&ctx.process, &other, b);
        let port = new_port();
        let event = new_event();
        assert_eq!(
            zx_object_wait_async(event, port, 7, ZX_USER_SIGNAL_0, 0),
            ZX_OK
        );
        assert_eq!(write(a, b"", &[event]), ZX_OK);
        assert_eq!(port_observers(ctx, port), 1, "registered while in flight");
        let observers = {
            let _bound = other.bind();
            let (_, handles) = read(b_there).expect("B reads the event");
            // `port` is a value of ctx's process: `port_observers` looks it up there.
            let observers = port_observers(ctx, port);
            assert_eq!(zx_object_signal(handles[0], 0, ZX_USER_SIGNAL_0), ZX_OK);
            close(&[handles[0], b_there]);
            observers
        };
        let packet = poll(port);
        close(&[a, port]);
        ctx.assert_clean();
        (observers, packet)
    }

    fn in_flight_wait_continues(ctx: &mut Ctx) {
        let (a, b) = channel();
        let port = new_port();
        let event = new_event();
        let aside = dup(event, ZX_RIGHT_SAME_RIGHTS);
        assert_eq!(
            zx_object_wait_async(event, port, 3, ZX_USER_SIGNAL_0, 0),
            ZX_OK
        );
        assert_eq!(write(a, b"", &[event]), ZX_OK);
        assert_eq!(
            port_observers(ctx, port),
            1,
            "still registered while in flight"
        );
        assert_eq!(zx_object_signal(aside, 0, ZX_USER_SIGNAL_0), ZX_OK);
        let packet = poll(port).expect("the wait fired while its handle was in flight");
        assert_eq!((packet.key, packet.signal().trigger), (3, ZX_USER_SIGNAL_0));
        let (_, received) = read(b).expect("the event");
        close(&received);
        close(&[aside, port, a, b]);
        ctx.assert_clean();
    }

    fn received_wait_ends_at_read_zircon(ctx: &mut Ctx) {
        let (observers, packet) = transferred_wait_scenario(ctx);
        rule_eq!(observers, 0, "reading the handle ended the wait");
        rule_eq!(
            packet,
            Err(ZX_ERR_TIMED_OUT),
            "no packet for a wait that ended"
        );
    }

    fn received_wait_continues_rfc0240(ctx: &mut Ctx) {
        let (observers, packet) = transferred_wait_scenario(ctx);
        rule_eq!(observers, 1, "the wait is on the object");
        let packet = packet.expect("the wait survived the transfer and fired");
        rule_eq!(
            (packet.key, packet.packet_type),
            (7, ZX_PKT_TYPE_SIGNAL_ONE)
        );
        rule_eq!(packet.signal().trigger, ZX_USER_SIGNAL_0);
    }
}

// ---- zx_channel_read_etc ----

mod read_etc {
    use super::*;

    cases!["zx_channel_read_etc";
        (handle_info_fields, "§7 zx_channel_read_etc: each handle comes with value, object type, rights and unused = 0 (e.g. an event duplicated with BASIC minus WAIT)", Both),
        (checks_and_sizes_as_read, "§7 zx_channel_read_etc: ACCESS_DENIED before NOT_SUPPORTED; BUFFER_TOO_SMALL keeps the message and reports sizes; MAY_DISCARD drops it", Both),
    ];

    fn handle_info_fields(ctx: &mut Ctx) {
        let (a, b) = channel();
        let e = new_event();
        let basic_no_wait = dup(e, ZX_RIGHTS_BASIC & !ZX_RIGHT_WAIT);
        let (c0, c1) = channel();
        assert_eq!(write(a, b"info", &[basic_no_wait, c1]), ZX_OK);
        let mut infos = [zx_handle_info_t {
            handle: 1,
            ty: 2,
            rights: 3,
            unused: 4,
        }; 3];
        let (mut nb, mut nh) = (0u32, 0u32);
        let mut bytes = [0u8; 8];
        assert_eq!(
            zx_channel_read_etc(b, 0, &mut bytes, &mut infos, Some(&mut nb), Some(&mut nh)),
            ZX_OK
        );
        assert_eq!((nb, nh), (4, 2));
        assert_eq!(&bytes[..4], b"info");
        assert_eq!(
            (infos[0].ty, infos[0].rights, infos[0].unused),
            (ZX_OBJ_TYPE_EVENT, ZX_RIGHTS_BASIC & !ZX_RIGHT_WAIT, 0)
        );
        assert_eq!(
            (infos[1].ty, infos[1].rights, infos[1].unused),
            (ZX_OBJ_TYPE_CHANNEL, ZX_DEFAULT_CHANNEL_RIGHTS, 0)
        );
        assert_eq!(
            infos[2],
            zx_handle_info_t {
                handle: 1,
                ty: 2,
                rights: 3,
                unused: 4
            },
            "unused slot untouched"
        );
        assert_eq!(basic(infos[0].handle).koid, basic(e).koid);
        assert_eq!(basic(infos[1].handle).related_koid, basic(c0).koid);
        close(&[infos[0].handle, infos[1].handle, e, c0, a, b]);
        ctx.assert_clean();
    }

    fn checks_and_sizes_as_read(ctx: &mut Ctx) {
        let (a, b) = channel();
        let e = new_event();
        let kept = dup(e, ZX_RIGHT_SAME_RIGHTS);
        assert_eq!(write(a, b"0123456789", &[e]), ZX_OK);
        assert_eq!(write(a, b"next", &[]), ZX_OK);
        let mut infos = [zx_handle_info_t::default(); 1];
        let mut raw = |h, options, nbytes: usize, nhandles: usize| {
            let (mut nb, mut nh) = (0u32, 0u32);
            let status = zx_channel_read_etc(
                h,
                options,
                &mut [0u8; 16][..nbytes],
                &mut infos[..nhandles],
                Some(&mut nb),
                Some(&mut nh),
            );
            (status, nb, nh)
        };
        let event = kept;
        assert_eq!(raw(event, 0, 16, 1).0, ZX_ERR_WRONG_TYPE);
        assert_eq!(raw(b, 2, 16, 1).0, ZX_ERR_NOT_SUPPORTED, "unknown options");
        assert_eq!(raw(b, 0, 9, 1), (ZX_ERR_BUFFER_TOO_SMALL, 10, 1));
        assert_eq!(raw(b, 0, 16, 0), (ZX_ERR_BUFFER_TOO_SMALL, 10, 1));
        assert_eq!(handle_count(kept), 2, "still queued");
        assert_eq!(
            raw(b, ZX_CHANNEL_READ_MAY_DISCARD, 16, 0),
            (ZX_ERR_BUFFER_TOO_SMALL, 10, 1)
        );
        assert_eq!(handle_count(kept), 1, "discarded with its handle");
        assert_eq!(raw(b, 0, 16, 1), (ZX_OK, 4, 0));
        // Rights are checked before options.
        let (c0, c1) = channel();
        let no_read = replace(c1, ZX_DEFAULT_CHANNEL_RIGHTS & !ZX_RIGHT_READ);
        assert_eq!(raw(no_read, 0, 16, 1).0, ZX_ERR_ACCESS_DENIED);
        assert_eq!(raw(no_read, 2, 16, 1).0, ZX_ERR_ACCESS_DENIED);
        close(&[kept, a, b, c0, no_read]);
        ctx.assert_clean();
    }
}

// ---- zx_channel_call ----

mod call {
    use super::*;

    cases!["zx_channel_call";
        (needs_read_and_write, "§7/§15.9 zx_channel_call: BAD_HANDLE → WRONG_TYPE → ACCESS_DENIED without READ or WRITE; write handles consumed, nothing sent", Both),
        (bad_options_consume_handles, "§7 zx_channel_call: options other than USE_IOVEC ⇒ INVALID_ARGS, write handles consumed", Both),
        (txid_replaces_first_four_bytes, "§7/§15.9 zx_channel_call: the first 4 bytes become a kernel txid ≥ 0x80000000, the rest and the handles arrive unchanged; the reply comes back", Both),
        (concurrent_txids_unique, "§7 zx_channel_call: two calls in flight on one endpoint get different txids, and each gets its own reply", Both),
        (matching_reply_bypasses_queue, "§7/§15.9 zx_channel_call: the matching reply goes straight to the caller and never raises READABLE", Both),
        (non_matching_reply_queued, "§7 zx_channel_call: a reply whose txid matches no waiting call (user txid < 0x80000000, or another kernel txid) goes to the queue", Both),
        (short_request_invalid_args, "§7/§15.9 zx_channel_call: fewer than 4 bytes ⇒ INVALID_ARGS (before the handles are examined), handles consumed, nothing sent", Both),
        (reply_too_large_discarded, "§7/§12.1 zx_channel_call: a reply too large ⇒ BUFFER_TOO_SMALL with actual sizes; the reply is discarded and its handles closed", Both),
        (peer_already_closed, "§7 zx_channel_call: peer already closed ⇒ PEER_CLOSED, handles consumed", Both),
        (peer_closes_while_waiting, "§2.3/§7 zx_channel_call: the peer closing during the wait ⇒ PEER_CLOSED", Both),
        (own_endpoint_closed_while_waiting, "§3/§7/§13.4 zx_channel_call: the caller's endpoint closed from another thread during the wait ⇒ CANCELED", Both),
        (endpoint_received_elsewhere_while_waiting, "§7 zx_channel_call: the caller's endpoint transferred and read by another process during the wait ⇒ CANCELED", Both),
        (endpoint_received_same_process_while_waiting, "§7 zx_channel_call: receiving a channel endpoint cancels the calls waiting on it (CancelMessageWaiters), also within one process", Both),
        (deadline_timed_out, "§7 zx_channel_call: no reply by the deadline ⇒ TIMED_OUT (virtual clock), not a moment before", Both),
        (late_reply_goes_to_queue, "§7 zx_channel_call: a reply arriving after the caller gave up goes to the normal queue", Both),
    ];

    fn needs_read_and_write(ctx: &mut Ctx) {
        let (a, b) = channel();
        let no_read = replace(a, ZX_DEFAULT_CHANNEL_RIGHTS & !ZX_RIGHT_READ);
        let (c, d) = channel();
        let no_write = replace(c, ZX_DEFAULT_CHANNEL_RIGHTS & !ZX_RIGHT_WRITE);
        let not_a_channel = new_event();
        let targets = [
            (stale_handle(), ZX_ERR_BAD_HANDLE),
            (not_a_channel, ZX_ERR_WRONG_TYPE),
            (no_read, ZX_ERR_ACCESS_DENIED),
            (no_write, ZX_ERR_ACCESS_DENIED),
        ];
        for (target, expected) in targets {
            let e = new_event();
            let (status, ..) = call_bytes(target, FAR, b"\0\0\0\0req", &[e], 16, 1);
            assert_eq!(status, expected, "calling through {target:#x}");
            assert_consumed(&[e]);
            assert_eq!(ctx.kernel.live_objects(), 5, "the event died");
        }
        assert_eq!(queued(ctx, b), 0, "nothing was sent");
        assert_eq!(queued(ctx, d), 0);
        close(&[no_read, b, no_write, d, not_a_channel]);
        ctx.assert_clean();
    }

    fn bad_options_consume_handles(ctx: &mut Ctx) {
        let (a, b) = channel();
        let e = new_event();
        let mut args = zx_channel_call_args_t {
            wr_bytes: b"\0\0\0\0x",
            wr_handles: &[e],
            rd_bytes: &mut [],
            rd_handles: &mut [],
        };
        let (mut nb, mut nh) = (0, 0);
        assert_eq!(
            zx_channel_call(a, 1, FAR, &mut args, &mut nb, &mut nh),
            ZX_ERR_INVALID_ARGS
        );
        assert_consumed(&[e]);
        assert_eq!(queued(ctx, b), 0);
        close(&[a, b]);
        ctx.assert_clean();
    }

    fn txid_replaces_first_four_bytes(ctx: &mut Ctx) {
        let (client, server) = channel();
        let e = new_event();
        let koid = basic(e).koid;
        let server_thread = ctx.process.spawn(move || {
            let (request, handles) = read_blocking(server).expect("the request");
            assert_eq!(
                &request[4..],
                b"payload",
                "the rest of the request is unchanged"
            );
            assert_eq!(handles.len(), 1);
            assert_eq!(basic(handles[0]).koid, koid, "the request's handle arrives");
            assert_eq!(
                write(server, &reply_to(&request, b"answer"), &handles),
                ZX_OK
            );
            txid_of(&request)
        });
        let (status, reply, handles, sizes) = call_bytes(
            client,
            ZX_TIME_INFINITE,
            b"\x11\x22\x33\x44payload",
            &[e],
            64,
            4,
        );
        let txid = server_thread.join().expect("server");
        assert_eq!(status, ZX_OK);
        assert!(txid >= 0x8000_0000, "kernel txid {txid:#x}");
        assert_ne!(txid, 0x4433_2211, "the caller's bytes were replaced");
        assert_eq!(sizes, (10, 1));
        assert_eq!(txid_of(&reply), txid, "the reply carries the txid back");
        assert_eq!(&reply[4..], b"answer");
        assert_eq!(basic(handles[0]).koid, koid);
        assert_consumed(&[e]);
        close(&handles);
        close(&[client, server]);
        ctx.assert_clean();
    }

    fn concurrent_txids_unique(ctx: &mut Ctx) {
        let (client, server) = channel();
        let callers: Vec<_> = (0u8..2)
            .map(|id| {
                ctx.process.spawn(move || {
                    let (status, reply, _, _) =
                        call_bytes(client, ZX_TIME_INFINITE, &[0, 0, 0, 0, id], &[], 16, 0);
                    (id, status, reply)
                })
            })
            .collect();
        let first = read_blocking(server).expect("one request").0;
        let second = read_blocking(server).expect("the other request").0;
        let (t1, t2) = (txid_of(&first), txid_of(&second));
        assert!(t1 >= 0x8000_0000 && t2 >= 0x8000_0000);
        assert_ne!(t1, t2, "txids are unique among calls in flight");
        // Answer in reverse order; each reply echoes the caller's id.
        assert_eq!(write(server, &reply_to(&second, &[second[4]]), &[]), ZX_OK);
        assert_eq!(write(server, &reply_to(&first, &[first[4]]), &[]), ZX_OK);
        for caller in callers {
            let (id, status, reply) = caller.join().expect("caller");
            assert_eq!(status, ZX_OK);
            assert_eq!(reply[4], id, "caller {id} got its own reply");
        }
        assert_eq!(signals(client) & ZX_CHANNEL_READABLE, 0);
        close(&[client, server]);
        ctx.assert_clean();
    }

    fn matching_reply_bypasses_queue(ctx: &mut Ctx) {
        let (client, server) = channel();
        let port = new_port();
        assert_eq!(
            zx_object_wait_async(client, port, 1, ZX_CHANNEL_READABLE, 0),
            ZX_OK
        );
        let server_thread = ctx.process.spawn(move || {
            let (request, _) = read_blocking(server).expect("the request");
            assert_eq!(write(server, &reply_to(&request, b"pong"), &[]), ZX_OK);
        });
        let (status, reply, _, _) =
            call_bytes(client, ZX_TIME_INFINITE, b"\0\0\0\0ping", &[], 16, 0);
        server_thread.join().expect("server");
        assert_eq!(status, ZX_OK);
        assert_eq!(&reply[4..], b"pong");
        assert_eq!(
            signals(client),
            ZX_CHANNEL_WRITABLE,
            "READABLE never raised"
        );
        assert_eq!(
            poll(port),
            Err(ZX_ERR_TIMED_OUT),
            "a READABLE observer saw nothing"
        );
        assert_eq!(queued(ctx, client), 0);
        assert_eq!(read(client), Err(ZX_ERR_SHOULD_WAIT));
        close(&[port, client, server]);
        ctx.assert_clean();
    }

    fn non_matching_reply_queued(ctx: &mut Ctx) {
        let (client, server) = channel();
        let server_thread = ctx.process.spawn(move || {
            let (request, _) = read_blocking(server).expect("the request");
            let txid = txid_of(&request);
            let mut stray = (txid ^ 1).to_le_bytes().to_vec();
            stray.extend_from_slice(b"stray");
            assert_eq!(write(server, b"\x34\x12\0\0user", &[]), ZX_OK);
            assert_eq!(write(server, &stray, &[]), ZX_OK);
            assert_eq!(write(server, &reply_to(&request, b"mine"), &[]), ZX_OK);
            txid
        });
        let (status, reply, _, _) = call_bytes(client, ZX_TIME_INFINITE, b"\0\0\0\0q", &[], 16, 0);
        let txid = server_thread.join().expect("server");
        assert_eq!(status, ZX_OK);
        assert_eq!(reply, reply_to(&txid.to_le_bytes(), b"mine"));
        assert_eq!(signals(client) & ZX_CHANNEL_READABLE, ZX_CHANNEL_READABLE);
        assert_eq!(
            read(client).map(|m| m.0),
            Ok(b"\x34\x12\0\0user".to_vec()),
            "user txid queued"
        );
        assert_eq!(
            read(client).map(|m| txid_of(&m.0)),
            Ok(txid ^ 1),
            "unmatched kernel txid queued"
        );
        assert_eq!(
            read(client),
            Err(ZX_ERR_SHOULD_WAIT),
            "the matching reply was not queued"
        );
        close(&[client, server]);
        ctx.assert_clean();
    }

    fn short_request_invalid_args(ctx: &mut Ctx) {
        let (client, server) = channel();
        for len in 0..4 {
            let e = new_event();
            let (status, ..) = call_bytes(client, FAR, &[0u8; 3][..len], &[e], 16, 1);
            assert_eq!(status, ZX_ERR_INVALID_ARGS, "{len} bytes");
            assert_consumed(&[e]);
            assert_eq!(ctx.kernel.live_objects(), 2, "the event died");
        }
        // The size is checked before the handles: a bad handle does not change the answer.
        let e = new_event();
        let (status, ..) = call_bytes(client, FAR, b"abc", &[e, stale_handle()], 16, 1);
        assert_eq!(status, ZX_ERR_INVALID_ARGS);
        assert_consumed(&[e]);
        assert_eq!(queued(ctx, server), 0, "nothing was sent");
        assert_eq!(ctx.kernel.clock().next_deadline(), None, "nobody waits");
        close(&[client, server]);
        ctx.assert_clean();
    }

    fn reply_too_large_discarded(ctx: &mut Ctx) {
        let (client, server) = channel();
        let server_thread = ctx.process.spawn(move || {
            let (request, _) = read_blocking(server).expect("the request");
            let e = new_event();
            assert_eq!(
                write(server, &reply_to(&request, b"0123456789ab"), &[e]),
                ZX_OK
            );
        });
        // Room for the handle but only 8 of the 16 bytes.
        let (status, _, _, sizes) =
            call_bytes(client, ZX_TIME_INFINITE, b"\0\0\0\0big?", &[], 8, 1);
        assert_eq!(status, ZX_ERR_BUFFER_TOO_SMALL);
        assert_eq!(sizes, (16, 1), "the reply's sizes are reported");
        server_thread.join().expect("server");
        assert_eq!(
            (ctx.kernel.live_objects(), ctx.kernel.live_handles()),
            (2, 2),
            "the reply's event was closed"
        );
        assert_eq!(queued(ctx, client), 0, "the reply is not queued either");
        assert_eq!(signals(client) & ZX_CHANNEL_READABLE, 0);
        // Too few handle slots is just as fatal for the reply.
        let server_thread = ctx.process.spawn(move || {
            let (request, _) = read_blocking(server).expect("the request");
            let e = new_event();
            assert_eq!(write(server, &reply_to(&request, b""), &[e]), ZX_OK);
        });
        let (status, _, _, sizes) = call_bytes(client, ZX_TIME_INFINITE, b"\0\0\0\0h?", &[], 64, 0);
        server_thread.join().expect("server");
        assert_eq!((status, sizes), (ZX_ERR_BUFFER_TOO_SMALL, (4, 1)));
        assert_eq!(ctx.kernel.live_objects(), 2);
        close(&[client, server]);
        ctx.assert_clean();
    }

    fn peer_already_closed(ctx: &mut Ctx) {
        let (client, server) = channel();
        close(&[server]);
        let e = new_event();
        let (status, ..) = call_bytes(client, FAR, b"\0\0\0\0x", &[e], 16, 1);
        assert_eq!(status, ZX_ERR_PEER_CLOSED);
        assert_consumed(&[e]);
        assert_eq!(
            (ctx.kernel.live_objects(), ctx.kernel.live_handles()),
            (1, 1)
        );
        assert_eq!(
            ctx.kernel.clock().next_deadline(),
            None,
            "checked before waiting"
        );
        close(&[client]);
        ctx.assert_clean();
    }

    fn peer_closes_while_waiting(ctx: &mut Ctx) {
        let (client, server) = channel();
        let e = new_event();
        let caller = ctx
            .process
            .spawn(move || call_bytes(client, FAR, b"\0\0\0\0x", &[e], 16, 1).0);
        await_blocked(ctx);
        assert_eq!(queued(ctx, server), 1, "the request was written");
        close(&[server]);
        assert_eq!(caller.join().expect("caller"), ZX_ERR_PEER_CLOSED);
        assert_eq!(
            (ctx.kernel.live_objects(), ctx.kernel.live_handles()),
            (1, 1),
            "the unread request died with its event"
        );
        close(&[client]);
        ctx.assert_clean();
    }

    fn own_endpoint_closed_while_waiting(ctx: &mut Ctx) {
        let (client, server) = channel();
        let caller = ctx
            .process
            .spawn(move || call_bytes(client, FAR, b"\0\0\0\0x", &[], 16, 0).0);
        await_blocked(ctx);
        close(&[client]);
        assert_eq!(caller.join().expect("caller"), ZX_ERR_CANCELED);
        assert_eq!(
            zx_object_wait_one(server, ZX_CHANNEL_PEER_CLOSED, 0, None),
            ZX_OK
        );
        let (request, _) = read(server).expect("the request stays with the server");
        assert!(txid_of(&request) >= 0x8000_0000);
        close(&[server]);
        ctx.assert_clean();
    }

    fn endpoint_received_elsewhere_while_waiting(ctx: &mut Ctx) {
        let other = ctx.other_process();
        let (client, server) = channel();
        let (t0, t1) = channel();
        let t1_there = give(&ctx.process, &other, t1);
        let caller = ctx
            .process
            .spawn(move || call_bytes(client, FAR, b"\0\0\0\0x", &[], 16, 0).0);
        await_blocked(ctx);
        assert_eq!(
            write(t0, b"take it", &[client]),
            ZX_OK,
            "the endpoint moves while the call waits"
        );
        let received = {
            let _bound = other.bind();
            read(t1_there).expect("B reads the endpoint").1[0]
        };
        assert_eq!(caller.join().expect("caller"), ZX_ERR_CANCELED);
        // The endpoint works in B; the request is still queued at the server.
        assert!(txid_of(&read(server).expect("the request").0) >= 0x8000_0000);
        {
            let _bound = other.bind();
            assert_eq!(write(received, b"from B", &[]), ZX_OK);
            close(&[received, t1_there]);
        }
        assert_eq!(read(server).map(|m| m.0), Ok(b"from B".to_vec()));
        close(&[server, t0]);
        ctx.assert_clean();
    }

    fn endpoint_received_same_process_while_waiting(ctx: &mut Ctx) {
        let (client, server) = channel();
        let (t0, t1) = channel();
        let (tx, rx) = mpsc::channel();
        let caller = ctx.process.spawn(move || {
            let status = call_bytes(client, FAR, b"\0\0\0\0x", &[], 16, 0).0;
            tx.send(status).ok();
            status
        });
        await_blocked(ctx);
        assert_eq!(write(t0, b"", &[client]), ZX_OK);
        let received = read(t1).expect("the endpoint").1[0];
        let outcome = rx.recv_timeout(Duration::from_secs(10));
        if outcome.is_err() {
            // Unblock the caller so the case ends (the statement failed either way).
            close(&[server]);
        }
        assert_eq!(
            outcome,
            Ok(ZX_ERR_CANCELED),
            "receiving the endpoint cancels its pending call"
        );
        assert_eq!(caller.join().expect("caller"), ZX_ERR_CANCELED);
        close(&[received, server, t0, t1]);
        ctx.assert_clean();
    }

    fn deadline_timed_out(ctx: &mut Ctx) {
        let (client, server) = channel();
        let (tx, rx) = mpsc::channel();
        let caller = ctx.process.spawn(move || {
            tx.send(call_bytes(client, 5_000, b"\0\0\0\0x", &[], 16, 0).0)
                .ok();
        });
        await_blocked(ctx);
        assert_eq!(ctx.kernel.clock().next_deadline(), Some(5_000));
        ctx.kernel.advance_clock(4_999);
        assert!(
            rx.try_recv().is_err(),
            "still waiting one nanosecond before the deadline"
        );
        ctx.kernel.advance_clock(1);
        assert_eq!(rx.recv(), Ok(ZX_ERR_TIMED_OUT));
        caller.join().expect("caller");
        assert_eq!(
            ctx.kernel.clock().next_deadline(),
            None,
            "the deadline entry is gone"
        );
        close(&[client, server]);
        ctx.assert_clean();
    }

    fn late_reply_goes_to_queue(ctx: &mut Ctx) {
        let (client, server) = channel();
        ctx.kernel.advance_clock(100);
        let (status, ..) = call_bytes(client, 50, b"\0\0\0\0late", &[], 16, 0);
        assert_eq!(status, ZX_ERR_TIMED_OUT, "a past deadline gives up at once");
        let (request, _) = read(server).expect("the request was written");
        assert_eq!(write(server, &reply_to(&request, b"too late"), &[]), ZX_OK);
        assert_eq!(signals(client) & ZX_CHANNEL_READABLE, ZX_CHANNEL_READABLE);
        assert_eq!(
            read(client).map(|m| m.0),
            Ok(reply_to(&request, b"too late"))
        );
        close(&[client, server]);
        ctx.assert_clean();
    }
}

// ---- zx_channel_call_etc ----

mod call_etc {
    use super::*;

    cases!["zx_channel_call_etc";
        (dispositions_and_handle_info, "§7 zx_channel_call_etc: the request takes dispositions (MOVE with reduced rights, DUPLICATE), the reply fills zx_handle_info_t", Both),
        (failed_disposition_sends_nothing, "§7 zx_channel_call_etc: a failing entry ⇒ its error, results copied back, MOVE consumed, DUPLICATE kept, nothing sent", Both),
        (short_request_consumes_moves_only, "§7/§12.1 zx_channel_call_etc: fewer than 4 bytes ⇒ INVALID_ARGS, MOVE entries consumed, DUPLICATE kept", Both),
        (reply_too_large_discarded, "§7/§12.1 zx_channel_call_etc: a reply with more handles than rd_handles ⇒ BUFFER_TOO_SMALL, sizes reported, reply's handles closed", Both),
    ];

    fn call_etc(
        channel: zx_handle_t,
        request: &[u8],
        entries: &mut [zx_handle_disposition_t],
        rd_handles: usize,
    ) -> (zx_status_t, Vec<u8>, Vec<zx_handle_info_t>, (u32, u32)) {
        let mut rd = vec![0u8; 64];
        let mut infos = vec![zx_handle_info_t::default(); rd_handles];
        let (mut nb, mut nh) = (0u32, 0u32);
        let mut args = zx_channel_call_etc_args_t {
            wr_bytes: request,
            wr_handles: entries,
            rd_bytes: &mut rd,
            rd_handles: &mut infos,
        };
        let status = zx_channel_call_etc(channel, 0, ZX_TIME_INFINITE, &mut args, &mut nb, &mut nh);
        if status == ZX_OK {
            rd.truncate(nb as usize);
            infos.truncate(nh as usize);
        }
        (status, rd, infos, (nb, nh))
    }

    fn dispositions_and_handle_info(ctx: &mut Ctx) {
        let (client, server) = channel();
        let [moved_event, kept] = new_events();
        let reduced = ZX_RIGHT_TRANSFER | ZX_RIGHT_WAIT;
        let server_thread = ctx.process.spawn(move || {
            let (request, infos) = loop {
                match read_etc(server) {
                    Err(ZX_ERR_SHOULD_WAIT) => {
                        assert_eq!(
                            zx_object_wait_one(server, ZX_CHANNEL_READABLE, ZX_TIME_INFINITE, None),
                            ZX_OK
                        );
                    }
                    other => break other.expect("the request"),
                }
            };
            let rights: Vec<zx_rights_t> = infos.iter().map(|i| i.rights).collect();
            close(&infos.iter().map(|i| i.handle).collect::<Vec<_>>());
            let answer = new_event();
            let mut entries = [disposition(
                ZX_HANDLE_OP_MOVE,
                answer,
                ZX_OBJ_TYPE_EVENT,
                ZX_RIGHT_TRANSFER | ZX_RIGHT_INSPECT,
            )];
            assert_eq!(
                zx_channel_write_etc(server, 0, &reply_to(&request, b"ok"), &mut entries),
                ZX_OK
            );
            rights
        });
        let mut entries = [
            disposition(ZX_HANDLE_OP_MOVE, moved_event, ZX_OBJ_TYPE_EVENT, reduced),
            disposition(
                ZX_HANDLE_OP_DUPLICATE,
                kept,
                ZX_OBJ_TYPE_EVENT,
                ZX_RIGHT_SAME_RIGHTS,
            ),
        ];
        entries[0].result = SENTINEL;
        entries[1].result = SENTINEL;
        let (status, reply, infos, sizes) = call_etc(client, b"\0\0\0\0req", &mut entries, 2);
        let request_rights = server_thread.join().expect("server");
        assert_eq!(status, ZX_OK);
        assert_eq!(request_rights, vec![reduced, ZX_DEFAULT_EVENT_RIGHTS]);
        assert_eq!(
            entries.map(|e| e.result),
            [SENTINEL; 2],
            "results untouched on success"
        );
        assert_consumed(&[moved_event]);
        assert!(valid(kept));
        assert_eq!(sizes, (6, 1));
        assert_eq!(&reply[4..], b"ok");
        assert_eq!(
            (infos[0].ty, infos[0].rights, infos[0].unused),
            (ZX_OBJ_TYPE_EVENT, ZX_RIGHT_TRANSFER | ZX_RIGHT_INSPECT, 0)
        );
        assert_eq!(basic(infos[0].handle).rights, infos[0].rights);
        close(&[infos[0].handle, kept, client, server]);
        ctx.assert_clean();
    }

    fn failed_disposition_sends_nothing(ctx: &mut Ctx) {
        let (client, server) = channel();
        let [e1, e2, e3] = new_events();
        let mut entries = [
            moved(e1),
            duplicated(e2),
            disposition(
                ZX_HANDLE_OP_MOVE,
                e3,
                ZX_OBJ_TYPE_NONE,
                ZX_RIGHT_SIGNAL_PEER,
            ),
        ];
        let (status, ..) = call_etc(client, b"\0\0\0\0x", &mut entries, 0);
        assert_eq!(status, ZX_ERR_INVALID_ARGS);
        assert_eq!(
            entries.map(|e| e.result),
            [ZX_OK, ZX_OK, ZX_ERR_INVALID_ARGS]
        );
        assert_consumed(&[e1, e3]);
        assert_eq!(handle_count(e2), 1);
        assert_eq!(queued(ctx, server), 0, "nothing was sent");
        close(&[e2, client, server]);
        ctx.assert_clean();
    }

    fn short_request_consumes_moves_only(ctx: &mut Ctx) {
        let (client, server) = channel();
        let [e1, e2] = new_events();
        let mut entries = [moved(e1), duplicated(e2)];
        let (status, ..) = call_etc(client, b"\0\0\0", &mut entries, 0);
        assert_eq!(status, ZX_ERR_INVALID_ARGS);
        assert_consumed(&[e1]);
        assert!(valid(e2));
        assert_eq!(handle_count(e2), 1, "no duplicate left behind");
        assert_eq!(queued(ctx, server), 0);
        close(&[e2, client, server]);
        ctx.assert_clean();
    }

    fn reply_too_large_discarded(ctx: &mut Ctx) {
        let (client, server) = channel();
        let server_thread = ctx.process.spawn(move || {
            let (request, _) = read_blocking(server).expect("the request");
            let [a, b] = new_events();
            assert_eq!(write(server, &reply_to(&request, b"two"), &[a, b]), ZX_OK);
        });
        let (status, _, _, sizes) = call_etc(client, b"\0\0\0\0x", &mut [], 1);
        server_thread.join().expect("server");
        assert_eq!((status, sizes), (ZX_ERR_BUFFER_TOO_SMALL, (7, 2)));
        assert_eq!(
            (ctx.kernel.live_objects(), ctx.kernel.live_handles()),
            (2, 2),
            "both reply handles closed"
        );
        assert_eq!(queued(ctx, client), 0);
        close(&[client, server]);
        ctx.assert_clean();
    }
}

// ---- channel lifecycle: peer-closed, destruction, single owner ----

mod lifecycle {
    use super::*;

    cases!["channel lifecycle";
        (peer_closed_before_close_returns, "§2.3/§15.12: closing an endpoint raises PEER_CLOSED and clears WRITABLE on the survivor before zx_handle_close returns", Both),
        (peer_closed_wakes_waiter, "§2.3: a thread blocked in wait_one for PEER_CLOSED on the survivor wakes with it", Both),
        (unread_messages_destroyed, "§2.2/§15.12: destroying an endpoint destroys its unread messages and closes every handle in them", Both),
        (nested_two_hundred_levels, "§2.2: destruction is recursive — 200 channels nested in messages die with the outermost", Both),
        (in_flight_handles_count, "§2.2/§4: a handle inside an unread message counts toward its object's handle count", Both),
        (single_owner_no_duplicate, "§1.4/§3/§7: channel handles lack DUPLICATE (duplicate ⇒ ACCESS_DENIED); replace needs no right and works", Both),
        (transferred_endpoint_stale_value, "§7 owner rule: after an endpoint moves to another process, the old owner's value fails BAD_HANDLE for read/write/call/close", Both),
        (kernel_owner_check_refuses_non_owners, "§7 owner rule, at the object: a write, read or call by any process but the endpoint's owner answers BAD_HANDLE and changes nothing, even with the endpoint object in hand (no table lookup to stop it)", Both),
        (destroyed_message_ends_wait, "§13.3/§13.4: an object whose only handle sits in an unread message that is destroyed dies; its async wait ends with no packet", Both),
    ];

    fn kernel_owner_check_refuses_non_owners(ctx: &mut Ctx) {
        use zxsim_kernel::objects::channel::Message;
        let (a, b) = channel();
        let owner = ctx.process.koid();
        let stranger = ctx.other_process().koid();
        let object = object_of(&ctx.process, a);
        let endpoint = object.downcast::<Channel>().expect("a channel");
        for caller in [stranger, 0, owner + 1_000_000] {
            let refused = endpoint.write_bytes(caller, b"intruder", Vec::new());
            assert_eq!(
                refused.err().map(|(status, _)| status),
                Some(zxsim_kernel::Status::BAD_HANDLE),
                "write by {caller}"
            );
            let call = endpoint.call_start(caller, Message::new(vec![0; 8], Vec::new()));
            assert_eq!(
                call.err().map(|(status, _)| status),
                Some(zxsim_kernel::Status::BAD_HANDLE),
                "call by {caller}"
            );
        }
        assert_eq!(queued(ctx, b), 0, "nothing reached the peer");
        assert_eq!(write(b, b"for a", &[]), ZX_OK);
        let peer = object_of(&ctx.process, b);
        let peer_endpoint = peer.downcast::<Channel>().expect("a channel");
        let read = endpoint.read(stranger, 64, 4, false);
        assert_eq!(
            read.err().map(|error| error.status),
            Some(zxsim_kernel::Status::BAD_HANDLE),
            "read by a stranger"
        );
        assert_eq!(queued(ctx, a), 1, "the message stays for the owner");
        // The owner passes the same checks.
        let message = endpoint.read(owner, 64, 4, false).expect("the owner reads");
        assert_eq!(message.bytes, b"for a");
        assert!(peer_endpoint.write_bytes(owner, b"ok", Vec::new()).is_ok());
        assert_eq!(queued(ctx, a), 1);
        drop((object, peer));
        close(&[a, b]);
        ctx.assert_clean();
    }

    fn peer_closed_before_close_returns(ctx: &mut Ctx) {
        let (a, b) = channel();
        assert_eq!(write(b, b"pending", &[]), ZX_OK);
        close(&[a]);
        let mut observed = 0;
        assert_eq!(
            zx_object_wait_one(b, ZX_CHANNEL_PEER_CLOSED, 0, Some(&mut observed)),
            ZX_OK,
            "asserted by the time close returned"
        );
        assert_eq!(observed, ZX_CHANNEL_PEER_CLOSED, "WRITABLE cleared");
        assert_eq!(write(b, b"x", &[]), ZX_ERR_PEER_CLOSED);
        assert_eq!(
            zx_object_signal_peer(b, 0, ZX_USER_SIGNAL_0),
            ZX_ERR_PEER_CLOSED
        );
        close(&[b]);
        ctx.assert_clean();
    }

    fn peer_closed_wakes_waiter(ctx: &mut Ctx) {
        let (a, b) = channel();
        let waiter = ctx.process.spawn(move || {
            let mut observed = 0;
            let status = zx_object_wait_one(b, ZX_CHANNEL_PEER_CLOSED, FAR, Some(&mut observed));
            (status, observed)
        });
        await_blocked(ctx);
        close(&[a]);
        assert_eq!(
            waiter.join().expect("waiter"),
            (ZX_OK, ZX_CHANNEL_PEER_CLOSED)
        );
        close(&[b]);
        ctx.assert_clean();
    }

    fn unread_messages_destroyed(ctx: &mut Ctx) {
        let (a, b) = channel();
        let [e1, e2] = new_events();
        let (k1, k2) = (dup(e1, ZX_RIGHT_SAME_RIGHTS), dup(e2, ZX_RIGHT_SAME_RIGHTS));
        let (n0, n1) = channel();
        let port = new_port();
        assert_eq!(write(a, b"1", &[e1]), ZX_OK);
        assert_eq!(write(a, b"2", &[e2, n0]), ZX_OK);
        assert_eq!(write(a, b"3", &[port]), ZX_OK);
        assert_eq!((handle_count(k1), handle_count(k2)), (2, 2));
        close(&[b]);
        assert_eq!(
            (handle_count(k1), handle_count(k2)),
            (1, 1),
            "closed before zx_handle_close returned"
        );
        let mut observed = 0;
        assert_eq!(
            zx_object_wait_one(n1, ZX_CHANNEL_PEER_CLOSED, 0, Some(&mut observed)),
            ZX_OK,
            "the nested endpoint died"
        );
        assert_eq!(observed, ZX_CHANNEL_PEER_CLOSED);
        assert_eq!(
            zx_object_wait_one(a, ZX_CHANNEL_PEER_CLOSED, 0, None),
            ZX_OK
        );
        assert_eq!(
            ctx.kernel.live_objects(),
            4,
            "a, n1 and the two events remain; the port died"
        );
        close(&[k1, k2, n1, a]);
        ctx.assert_clean();
    }

    fn nested_two_hundred_levels(ctx: &mut Ctx) {
        let (mut outer0, mut outer1) = channel();
        let witness = new_event();
        assert_eq!(
            write(outer0, b"", &[dup(witness, ZX_RIGHT_SAME_RIGHTS)]),
            ZX_OK
        );
        for level in 0..200 {
            let (c0, c1) = channel();
            let e = new_event();
            assert_eq!(write(c0, b"", &[outer0, outer1, e]), ZX_OK, "level {level}");
            outer0 = c0;
            outer1 = c1;
        }
        assert_eq!(ctx.kernel.live_objects(), 2 + 200 * 3 + 1);
        assert_eq!(
            handle_count(witness),
            2,
            "the innermost message still holds a duplicate"
        );
        close(&[outer1]);
        assert_eq!(
            handle_count(witness),
            1,
            "the innermost message died with the outermost endpoint"
        );
        assert_eq!(
            (ctx.kernel.live_objects(), ctx.kernel.live_handles()),
            (2, 2),
            "only outer0 and the witness remain"
        );
        assert_eq!(
            zx_object_wait_one(outer0, ZX_CHANNEL_PEER_CLOSED, 0, None),
            ZX_OK
        );
        close(&[outer0, witness]);
        ctx.assert_clean();
    }

    fn in_flight_handles_count(ctx: &mut Ctx) {
        let (a, b) = channel();
        let e = new_event();
        let d = dup(e, ZX_RIGHT_SAME_RIGHTS);
        assert_eq!(handle_count(d), 2);
        assert_eq!(write(a, b"", &[e]), ZX_OK);
        assert_eq!(handle_count(d), 2, "the handle in flight still counts");
        assert_eq!(ctx.kernel.live_handles(), 4);
        let (_, received) = read(b).expect("the event");
        assert_eq!(handle_count(d), 2);
        assert_eq!(write(a, b"", &[received[0]]), ZX_OK);
        close(&[b]);
        assert_eq!(handle_count(d), 1, "destroyed with the unread message");
        close(&[a, d]);
        ctx.assert_clean();
    }

    fn single_owner_no_duplicate(ctx: &mut Ctx) {
        let (a, b) = channel();
        let mut out = 0x1234_5677;
        for rights in [ZX_RIGHT_SAME_RIGHTS, ZX_RIGHT_NONE, ZX_RIGHT_READ] {
            assert_eq!(
                zx_handle_duplicate(a, rights, &mut out),
                ZX_ERR_ACCESS_DENIED,
                "rights {rights:#x}"
            );
        }
        assert_eq!(out, 0x1234_5677);
        assert_eq!(handle_count(a), 1);
        let a2 = replace(a, ZX_RIGHT_SAME_RIGHTS);
        assert_consumed(&[a]);
        assert_eq!(basic(a2).rights, ZX_DEFAULT_CHANNEL_RIGHTS);
        let read_only = replace(
            a2,
            ZX_RIGHT_READ | ZX_RIGHT_WAIT | ZX_RIGHT_INSPECT | ZX_RIGHT_TRANSFER,
        );
        assert_eq!(handle_count(read_only), 1, "still exactly one handle");
        assert_eq!(write(read_only, b"x", &[]), ZX_ERR_ACCESS_DENIED);
        assert_eq!(write(b, b"y", &[]), ZX_OK);
        assert_eq!(read(read_only).map(|m| m.0), Ok(b"y".to_vec()));
        close(&[read_only, b]);
        ctx.assert_clean();
    }

    fn transferred_endpoint_stale_value(ctx: &mut Ctx) {
        let other = ctx.other_process();
        let (c0, c1) = channel();
        let (t0, t1) = channel();
        let t1_there = give(&ctx.process, &other, t1);
        assert_eq!(write(c0, b"queued before the move", &[]), ZX_OK);
        assert_eq!(write(t0, b"", &[c1]), ZX_OK);
        let c1_there = {
            let _bound = other.bind();
            read(t1_there).expect("B receives c1").1[0]
        };
        // The old owner's value is dead for every operation.
        let e = new_event();
        assert_eq!(read(c1), Err(ZX_ERR_BAD_HANDLE));
        assert_eq!(write(c1, b"x", &[e]), ZX_ERR_BAD_HANDLE);
        assert_consumed(&[e]);
        assert_eq!(
            call_bytes(c1, FAR, b"\0\0\0\0x", &[], 16, 0).0,
            ZX_ERR_BAD_HANDLE
        );
        assert_eq!(zx_handle_close(c1), ZX_ERR_BAD_HANDLE);
        // The new owner reads what was queued and talks to c0.
        {
            let _bound = other.bind();
            assert_eq!(
                read(c1_there).map(|m| m.0),
                Ok(b"queued before the move".to_vec())
            );
            assert_eq!(write(c1_there, b"hello from B", &[]), ZX_OK);
        }
        assert_eq!(read(c0).map(|m| m.0), Ok(b"hello from B".to_vec()));
        {
            let _bound = other.bind();
            close(&[c1_there, t1_there]);
        }
        close(&[c0, t0]);
        ctx.assert_clean();
    }

    fn destroyed_message_ends_wait(ctx: &mut Ctx) {
        let (a, b) = channel();
        let port = new_port();
        let event = new_event();
        assert_eq!(
            zx_object_wait_async(event, port, 5, ZX_USER_SIGNAL_0, 0),
            ZX_OK
        );
        assert_eq!(write(a, b"", &[event]), ZX_OK);
        assert_eq!(port_observers(ctx, port), 1);
        close(&[b]);
        assert_eq!(port_observers(ctx, port), 0, "the wait ended");
        assert_eq!(poll(port), Err(ZX_ERR_TIMED_OUT), "with no packet");
        assert_eq!(
            (ctx.kernel.live_objects(), ctx.kernel.live_handles()),
            (2, 2),
            "the event died"
        );
        close(&[a, port]);
        ctx.assert_clean();
    }
}
