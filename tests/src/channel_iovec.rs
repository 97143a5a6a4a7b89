//! Conformance cases for `ZX_CHANNEL_WRITE_USE_IOVEC` (spec §7; upstream core-tests
//! `channel/iovec` `IOVecTest.*`): writes and calls whose bytes are gathered from
//! `zx_channel_iovec_t` arrays, through the `sys` layer's `*_iovec` renderings of the flag.
//!
//! The gathered message is the iovecs' bytes joined in order; the limits are Zircon's (8192
//! iovecs, 65 536 bytes in all, `reserved` must be 0), checked after the options and the channel
//! lookup; every handle the call names is consumed on every path, as for plain writes.

use std::sync::Arc;

use zxsim_kernel::Process;
use zxsim_syscalls::sys::*;

use crate::harness::{Case, Ctx};
use crate::support::channel::{duplicated, moved};
use crate::support::*;

pub fn cases() -> Vec<Case> {
    [write::cases(), call::cases()]
        .into_iter()
        .flatten()
        .collect()
}

/// `count` buffers of `size` bytes, buffer `i` filled with a value derived from `i` (so a
/// misordered or repeated buffer shows).
fn buffers(count: usize, size: usize) -> Vec<Vec<u8>> {
    (0..count)
        .map(|i| vec![(i + i / 256) as u8; size])
        .collect()
}

fn iovecs(buffers: &[Vec<u8>]) -> Vec<zx_channel_iovec_t<'_>> {
    buffers.iter().map(|b| zx_channel_iovec_t::new(b)).collect()
}

/// Reads the next message: its bytes and handle values.
fn read(channel: zx_handle_t) -> (Vec<u8>, Vec<zx_handle_t>) {
    let mut bytes = vec![0u8; ZX_CHANNEL_MAX_MSG_BYTES as usize];
    let mut handles = [ZX_HANDLE_INVALID; ZX_CHANNEL_MAX_MSG_HANDLES as usize];
    let (mut nb, mut nh) = (0u32, 0u32);
    assert_eq!(
        zx_channel_read(
            channel,
            0,
            &mut bytes,
            &mut handles,
            Some(&mut nb),
            Some(&mut nh)
        ),
        ZX_OK
    );
    bytes.truncate(nb as usize);
    (bytes, handles[..nh as usize].to_vec())
}

/// Whether `channel` has a message waiting.
fn readable(channel: zx_handle_t) -> bool {
    signals(channel) & ZX_CHANNEL_READABLE != 0
}

/// Answers one request on `server` with the same bytes and handles (IOVecTest's `EchoServer`).
fn echo_once(process: &Arc<Process>, server: zx_handle_t) -> std::thread::JoinHandle<()> {
    process.spawn(move || {
        let mut observed = 0;
        assert_eq!(
            zx_object_wait_one(
                server,
                ZX_CHANNEL_READABLE,
                ZX_TIME_INFINITE,
                Some(&mut observed)
            ),
            ZX_OK
        );
        let (bytes, handles) = read(server);
        assert_eq!(zx_channel_write(server, 0, &bytes, &handles), ZX_OK);
    })
}

mod write {
    use super::*;

    cases!["zx_channel_write(USE_IOVEC)";
        (zero_iovecs_empty_message, "§7 (upstream IOVecTest.WriteZeroIovecs): no iovecs ⇒ OK and an empty message", Both),
        (few_large_iovecs_joined, "§7 (upstream IOVecTest.WriteFewLargeIovecs): 3 × 8000 bytes arrive as one message, the buffers joined in order", Both),
        (many_small_iovecs_joined, "§7 (upstream IOVecTest.WriteManySmallIovecs): 1000 × 10 bytes arrive joined in order", Both),
        (limits_are_inclusive, "§7: exactly 8192 iovecs and exactly 65 536 bytes are accepted", Both),
        (with_handle, "§7 (upstream IOVecTest.WriteWithHandle): a handle travels with gathered bytes", Both),
        (write_etc_with_handle, "§7 (upstream IOVecTest.WriteEtcWithHandle): zx_channel_write_etc gathers too; the moved handle arrives", Both),
        (too_many_iovecs_out_of_range, "§7 (upstream IOVecTest.WriteTooManyIovecs): 9000 iovecs ⇒ OUT_OF_RANGE, nothing sent, handles consumed", Both),
        (too_many_bytes_out_of_range, "§7 (upstream IOVecTest.WriteTooManyBytes): 1000 × 100 bytes ⇒ OUT_OF_RANGE, nothing sent, handles consumed", Both),
        (nonzero_reserved_invalid_args, "§7 (upstream IOVecTest.WriteNonZeroReservedIovec): reserved ≠ 0 ⇒ INVALID_ARGS, nothing sent, handles consumed", Both),
        (channel_checks_come_first, "§7: options, then the channel (BAD_HANDLE, WRONG_TYPE, ACCESS_DENIED without WRITE) answer before the iovec checks; handles consumed", Both),
        (flag_accepted_other_options_refused, "§7: the USE_IOVEC flag itself is accepted; any other option bit ⇒ INVALID_ARGS also when the gather succeeds (write and write_etc), handles consumed", Both),
        (write_etc_refused_gather_consumes_moves_only, "§7/§12.1: zx_channel_write_etc refused by the gather consumes its MOVE entries and leaves its DUPLICATE ones", Both),
    ];

    fn zero_iovecs_empty_message(ctx: &mut Ctx) {
        let (a, b) = new_channel();
        assert_eq!(zx_channel_write_iovec(a, 0, &[], &[]), ZX_OK);
        assert_eq!(read(b), (vec![], vec![]));
        close(a);
        close(b);
        ctx.assert_clean();
    }

    fn joined(ctx: &mut Ctx, count: usize, size: usize) {
        let (a, b) = new_channel();
        let inputs = buffers(count, size);
        assert_eq!(zx_channel_write_iovec(a, 0, &iovecs(&inputs), &[]), ZX_OK);
        let (bytes, handles) = read(b);
        assert_eq!(bytes, inputs.concat());
        assert!(handles.is_empty());
        close(a);
        close(b);
        ctx.assert_clean();
    }

    fn few_large_iovecs_joined(ctx: &mut Ctx) {
        joined(ctx, 3, 8000);
    }

    fn many_small_iovecs_joined(ctx: &mut Ctx) {
        joined(ctx, 1000, 10);
    }

    fn limits_are_inclusive(ctx: &mut Ctx) {
        let (a, b) = new_channel();
        let one = [7u8];
        let max_iovecs = vec![zx_channel_iovec_t::new(&one); ZX_CHANNEL_MAX_MSG_IOVEC as usize];
        assert_eq!(zx_channel_write_iovec(a, 0, &max_iovecs, &[]), ZX_OK);
        assert_eq!(read(b).0, vec![7u8; ZX_CHANNEL_MAX_MSG_IOVEC as usize]);
        let inputs = buffers(2, ZX_CHANNEL_MAX_MSG_BYTES as usize / 2);
        assert_eq!(zx_channel_write_iovec(a, 0, &iovecs(&inputs), &[]), ZX_OK);
        assert_eq!(read(b).0, inputs.concat());
        close(a);
        close(b);
        ctx.assert_clean();
    }

    fn with_handle(ctx: &mut Ctx) {
        let (a, b) = new_channel();
        let e = new_event();
        let koid_sent = koid(e);
        let bytes = [3u8; 8];
        let slices = [zx_channel_iovec_t::new(&bytes)];
        assert_eq!(zx_channel_write_iovec(a, 0, &slices, &[e]), ZX_OK);
        assert!(!is_valid(e), "the writer's handle is gone");
        let (got, handles) = read(b);
        assert_eq!(got, bytes);
        assert_eq!(handles.len(), 1);
        assert_eq!(koid(handles[0]), koid_sent);
        close(handles[0]);
        close(a);
        close(b);
        ctx.assert_clean();
    }

    fn write_etc_with_handle(ctx: &mut Ctx) {
        let (a, b) = new_channel();
        let e = new_event();
        let bytes = [5u8; 8];
        let slices = [zx_channel_iovec_t::new(&bytes)];
        let mut dispositions = [zx_handle_disposition_t {
            operation: ZX_HANDLE_OP_MOVE,
            handle: e,
            type_: ZX_OBJ_TYPE_EVENT,
            rights: ZX_RIGHT_SAME_RIGHTS,
            result: ZX_OK,
        }];
        assert_eq!(
            zx_channel_write_etc_iovec(a, 0, &slices, &mut dispositions),
            ZX_OK
        );
        assert!(!is_valid(e));
        let (got, handles) = read(b);
        assert_eq!(got, bytes);
        assert_eq!(handles.len(), 1);
        assert_eq!(basic(handles[0]).type_, ZX_OBJ_TYPE_EVENT);
        close(handles[0]);
        close(a);
        close(b);
        ctx.assert_clean();
    }

    /// A write of `slices` with one event handle fails with `expected`, sends nothing and
    /// consumes the handle (its object dies).
    fn refused(ctx: &mut Ctx, slices: &[zx_channel_iovec_t<'_>], expected: zx_status_t) {
        let (a, b) = new_channel();
        let e = new_event();
        assert_eq!(zx_channel_write_iovec(a, 0, slices, &[e]), expected);
        assert!(!is_valid(e), "the handle is consumed");
        assert!(!readable(b), "nothing was sent");
        close(a);
        close(b);
        ctx.assert_clean();
    }

    fn too_many_iovecs_out_of_range(ctx: &mut Ctx) {
        let inputs = buffers(9000, 1);
        refused(ctx, &iovecs(&inputs), ZX_ERR_OUT_OF_RANGE);
    }

    fn too_many_bytes_out_of_range(ctx: &mut Ctx) {
        let inputs = buffers(1000, 100);
        refused(ctx, &iovecs(&inputs), ZX_ERR_OUT_OF_RANGE);
    }

    fn nonzero_reserved_invalid_args(ctx: &mut Ctx) {
        let buffer = [0u8; 256];
        let mut iovec = zx_channel_iovec_t::new(&buffer);
        iovec.reserved = 1;
        refused(ctx, &[iovec], ZX_ERR_INVALID_ARGS);
    }

    fn channel_checks_come_first(ctx: &mut Ctx) {
        let inputs = buffers(9000, 1);
        let too_many = iovecs(&inputs);
        let (a, b) = new_channel();
        let not_channel = new_event();
        // Channel endpoints have no DUPLICATE right: a read-only endpoint replaces a fresh one.
        let read_only = {
            let (c, d) = new_channel();
            let mut out = ZX_HANDLE_INVALID;
            assert_eq!(zx_handle_replace(c, ZX_RIGHT_READ, &mut out), ZX_OK);
            close(d);
            out
        };
        let cases = [
            (a, ZX_CHANNEL_WRITE_USE_IOVEC | 1, ZX_ERR_INVALID_ARGS),
            (a, 1, ZX_ERR_INVALID_ARGS),
            (0x7ff0_0001, 0, ZX_ERR_BAD_HANDLE),
            (not_channel, 0, ZX_ERR_WRONG_TYPE),
            (read_only, 0, ZX_ERR_ACCESS_DENIED),
            (a, 0, ZX_ERR_OUT_OF_RANGE),
            (a, ZX_CHANNEL_WRITE_USE_IOVEC, ZX_ERR_OUT_OF_RANGE),
        ];
        for (target, options, expected) in cases {
            let e = new_event();
            assert_eq!(
                zx_channel_write_iovec(target, options, &too_many, &[e]),
                expected,
                "target {target:#x} options {options:#x}"
            );
            assert!(!is_valid(e), "the handle is consumed ({expected})");
        }
        assert!(!readable(b));
        for h in [a, b, not_channel, read_only] {
            close(h);
        }
        ctx.assert_clean();
    }

    fn flag_accepted_other_options_refused(ctx: &mut Ctx) {
        let (a, b) = new_channel();
        let bytes = *b"flag";
        let slices = [zx_channel_iovec_t::new(&bytes)];
        let e = new_event();
        assert_eq!(
            zx_channel_write_iovec(a, ZX_CHANNEL_WRITE_USE_IOVEC, &slices, &[e]),
            ZX_OK
        );
        let (got, handles) = read(b);
        assert_eq!((got.as_slice(), handles.len()), (&bytes[..], 1));
        close_all(&handles);
        let mut entries = [moved(new_event())];
        assert_eq!(
            zx_channel_write_etc_iovec(a, ZX_CHANNEL_WRITE_USE_IOVEC, &slices, &mut entries),
            ZX_OK
        );
        let (got, handles) = read(b);
        assert_eq!((got.as_slice(), handles.len()), (&bytes[..], 1));
        close_all(&handles);
        for options in [1, ZX_CHANNEL_WRITE_USE_IOVEC | 1] {
            let e = new_event();
            assert_eq!(
                zx_channel_write_iovec(a, options, &slices, &[e]),
                ZX_ERR_INVALID_ARGS,
                "options {options:#x}"
            );
            assert!(!is_valid(e), "the handle is consumed");
            let e = new_event();
            assert_eq!(
                zx_channel_write_etc_iovec(a, options, &slices, &mut [moved(e)]),
                ZX_ERR_INVALID_ARGS,
                "options {options:#x}"
            );
            assert!(!is_valid(e), "the MOVE entry is consumed");
        }
        assert!(!readable(b), "nothing was sent");
        close_all(&[a, b]);
        ctx.assert_clean();
    }

    fn write_etc_refused_gather_consumes_moves_only(ctx: &mut Ctx) {
        let (a, b) = new_channel();
        let inputs = buffers(9000, 1);
        let [kept, taken] = new_events();
        let mut entries = [duplicated(kept), moved(taken)];
        assert_eq!(
            zx_channel_write_etc_iovec(a, 0, &iovecs(&inputs), &mut entries),
            ZX_ERR_OUT_OF_RANGE
        );
        assert!(is_valid(kept), "the DUPLICATE entry's handle stays");
        assert!(!is_valid(taken), "the MOVE entry's handle is consumed");
        assert!(!readable(b), "nothing was sent");
        close_all(&[a, b, kept]);
        ctx.assert_clean();
    }
}

mod call {
    use super::*;

    cases!["zx_channel_call(USE_IOVEC)";
        (few_large_iovecs_echoed, "§7 (upstream IOVecTest.CallFewLargeIovecs): 3 × 8000 gathered bytes make the request; the echo matches past the txid", Both),
        (many_small_iovecs_echoed, "§7 (upstream IOVecTest.CallManySmallIovecs): 1000 × 10 gathered bytes make the request", Both),
        (fewer_than_txid_bytes_invalid_args, "§7 (upstream IOVecTest.CallIovecBytesLessThanTxidSize): fewer than 4 gathered bytes ⇒ INVALID_ARGS", Both),
        (with_handle, "§7 (upstream IOVecTest.CallWithHandle): a handle travels with a gathered request and comes back", Both),
        (call_etc_with_handle, "§7 (upstream IOVecTest.CallEtcWithHandle): zx_channel_call_etc gathers too; the reply's handle info says EVENT", Both),
        (too_many_iovecs_out_of_range, "§7 (upstream IOVecTest.CallTooManyIovecs): 9000 iovecs ⇒ OUT_OF_RANGE, write handles consumed", Both),
        (too_many_bytes_out_of_range, "§7 (upstream IOVecTest.CallTooManyBytes): 100 000 gathered bytes ⇒ OUT_OF_RANGE", Both),
        (nonzero_reserved_invalid_args, "§7 (upstream IOVecTest.CallNonZeroReservedIovec): reserved ≠ 0 ⇒ INVALID_ARGS", Both),
        (channel_checks_come_first, "§7: options, then the channel (BAD_HANDLE, WRONG_TYPE, ACCESS_DENIED without READ or without WRITE) answer before the iovec checks, for call and call_etc; MOVE handles consumed, DUPLICATE kept", Both),
        (flag_accepted_other_options_refused, "§7: the USE_IOVEC flag itself is accepted; any other option bit ⇒ INVALID_ARGS also when the gather succeeds (call and call_etc), handles consumed", Both),
    ];

    /// Calls with `slices` and `handles`; answers the status and the reply.
    fn call(
        client: zx_handle_t,
        slices: &[zx_channel_iovec_t<'_>],
        handles: &[zx_handle_t],
    ) -> (zx_status_t, Vec<u8>, Vec<zx_handle_t>) {
        call_with(client, 0, ZX_TIME_INFINITE, slices, handles)
    }

    /// [`call`] with `options` and `deadline`.
    fn call_with(
        client: zx_handle_t,
        options: u32,
        deadline: zx_time_t,
        slices: &[zx_channel_iovec_t<'_>],
        handles: &[zx_handle_t],
    ) -> (zx_status_t, Vec<u8>, Vec<zx_handle_t>) {
        let mut rd_bytes = vec![0u8; ZX_CHANNEL_MAX_MSG_BYTES as usize];
        let mut rd_handles = [ZX_HANDLE_INVALID; ZX_CHANNEL_MAX_MSG_HANDLES as usize];
        let (mut nb, mut nh) = (0u32, 0u32);
        let mut args = zx_channel_call_args_t {
            wr_bytes: &[],
            wr_handles: handles,
            rd_bytes: &mut rd_bytes,
            rd_handles: &mut rd_handles,
        };
        let status = zx_channel_call_iovec(
            client, options, deadline, slices, &mut args, &mut nb, &mut nh,
        );
        rd_bytes.truncate(nb as usize);
        (status, rd_bytes, rd_handles[..nh as usize].to_vec())
    }

    fn echoed(ctx: &mut Ctx, count: usize, size: usize) {
        let (client, server) = new_channel();
        let server_thread = echo_once(&ctx.process, server);
        let inputs = buffers(count, size);
        let (status, reply, handles) = call(client, &iovecs(&inputs), &[]);
        assert_eq!(status, ZX_OK);
        server_thread.join().unwrap();
        let sent = inputs.concat();
        assert_eq!(reply.len(), sent.len());
        assert_eq!(
            reply[4..],
            sent[4..],
            "the reply past the txid is the gathered request"
        );
        assert!(handles.is_empty());
        close(client);
        close(server);
        ctx.assert_clean();
    }

    fn few_large_iovecs_echoed(ctx: &mut Ctx) {
        echoed(ctx, 3, 8000);
    }

    fn many_small_iovecs_echoed(ctx: &mut Ctx) {
        echoed(ctx, 1000, 10);
    }

    fn fewer_than_txid_bytes_invalid_args(ctx: &mut Ctx) {
        let (client, server) = new_channel();
        let three = [1u8, 2, 3];
        let (status, _, _) = call(client, &[zx_channel_iovec_t::new(&three)], &[]);
        assert_eq!(status, ZX_ERR_INVALID_ARGS);
        assert!(!readable(server));
        close(client);
        close(server);
        ctx.assert_clean();
    }

    fn with_handle(ctx: &mut Ctx) {
        let (client, server) = new_channel();
        let server_thread = echo_once(&ctx.process, server);
        let e = new_event();
        let sent_koid = koid(e);
        let bytes = [0u8; 8];
        let (status, reply, handles) = call(client, &[zx_channel_iovec_t::new(&bytes)], &[e]);
        assert_eq!(status, ZX_OK);
        server_thread.join().unwrap();
        assert_eq!(reply.len(), 8);
        assert_eq!(reply[4..], bytes[4..]);
        assert_eq!(handles.len(), 1);
        assert_eq!(koid(handles[0]), sent_koid);
        close(handles[0]);
        close(client);
        close(server);
        ctx.assert_clean();
    }

    fn call_etc_with_handle(ctx: &mut Ctx) {
        let (client, server) = new_channel();
        let server_thread = echo_once(&ctx.process, server);
        let e = new_event();
        let bytes = [0u8; 8];
        let mut dispositions = [zx_handle_disposition_t {
            operation: ZX_HANDLE_OP_MOVE,
            handle: e,
            type_: ZX_OBJ_TYPE_EVENT,
            rights: ZX_RIGHT_SAME_RIGHTS,
            result: ZX_OK,
        }];
        let mut rd_bytes = [0u8; 8];
        let mut rd_handles = [zx_handle_info_t::default(); 1];
        let (mut nb, mut nh) = (0u32, 0u32);
        let mut args = zx_channel_call_etc_args_t {
            wr_bytes: &[],
            wr_handles: &mut dispositions,
            rd_bytes: &mut rd_bytes,
            rd_handles: &mut rd_handles,
        };
        let slices = [zx_channel_iovec_t::new(&bytes)];
        let status = zx_channel_call_etc_iovec(
            client,
            0,
            ZX_TIME_INFINITE,
            &slices,
            &mut args,
            &mut nb,
            &mut nh,
        );
        assert_eq!(status, ZX_OK);
        server_thread.join().unwrap();
        assert_eq!((nb, nh), (8, 1));
        assert_ne!(rd_handles[0].handle, ZX_HANDLE_INVALID);
        assert_eq!(rd_handles[0].ty, ZX_OBJ_TYPE_EVENT);
        close(rd_handles[0].handle);
        close(client);
        close(server);
        ctx.assert_clean();
    }

    /// A call of `slices` with one event handle fails with `expected`, sends nothing and
    /// consumes the handle.
    fn refused(ctx: &mut Ctx, slices: &[zx_channel_iovec_t<'_>], expected: zx_status_t) {
        let (client, server) = new_channel();
        let e = new_event();
        let (status, _, _) = call(client, slices, &[e]);
        assert_eq!(status, expected);
        assert!(!is_valid(e), "the handle is consumed");
        assert!(!readable(server), "nothing was sent");
        close(client);
        close(server);
        ctx.assert_clean();
    }

    fn too_many_iovecs_out_of_range(ctx: &mut Ctx) {
        let inputs = buffers(9000, 1);
        refused(ctx, &iovecs(&inputs), ZX_ERR_OUT_OF_RANGE);
    }

    fn too_many_bytes_out_of_range(ctx: &mut Ctx) {
        let inputs = buffers(1000, 100);
        refused(ctx, &iovecs(&inputs), ZX_ERR_OUT_OF_RANGE);
    }

    fn nonzero_reserved_invalid_args(ctx: &mut Ctx) {
        let buffer = [0u8; 256];
        let mut iovec = zx_channel_iovec_t::new(&buffer);
        iovec.reserved = 1;
        refused(ctx, &[iovec], ZX_ERR_INVALID_ARGS);
    }

    /// `zx_channel_call_etc_iovec` with `options`, `deadline` and `entries`; answers the status
    /// and the reply's handle infos.
    fn call_etc(
        client: zx_handle_t,
        options: u32,
        deadline: zx_time_t,
        slices: &[zx_channel_iovec_t<'_>],
        entries: &mut [zx_handle_disposition_t],
    ) -> (zx_status_t, Vec<zx_handle_info_t>) {
        let mut rd_bytes = vec![0u8; ZX_CHANNEL_MAX_MSG_BYTES as usize];
        let mut rd_handles = [zx_handle_info_t::default(); ZX_CHANNEL_MAX_MSG_HANDLES as usize];
        let (mut nb, mut nh) = (0u32, 0u32);
        let mut args = zx_channel_call_etc_args_t {
            wr_bytes: &[],
            wr_handles: entries,
            rd_bytes: &mut rd_bytes,
            rd_handles: &mut rd_handles,
        };
        let status = zx_channel_call_etc_iovec(
            client, options, deadline, slices, &mut args, &mut nb, &mut nh,
        );
        (status, rd_handles[..nh as usize].to_vec())
    }

    fn channel_checks_come_first(ctx: &mut Ctx) {
        let inputs = buffers(9000, 1);
        let too_many = iovecs(&inputs);
        let (a, b) = new_channel();
        let not_channel = new_event();
        // Channel endpoints have no DUPLICATE right: each reduced endpoint replaces a fresh one.
        let reduced = |rights| {
            let (c, d) = new_channel();
            close(d);
            replace(c, rights)
        };
        let read_only = reduced(ZX_RIGHT_READ | ZX_RIGHT_TRANSFER);
        let write_only = reduced(ZX_RIGHT_WRITE | ZX_RIGHT_TRANSFER);
        let cases = [
            (a, ZX_CHANNEL_WRITE_USE_IOVEC | 1, ZX_ERR_INVALID_ARGS),
            (a, 1, ZX_ERR_INVALID_ARGS),
            (0x7ff0_0001, 0, ZX_ERR_BAD_HANDLE),
            (not_channel, 0, ZX_ERR_WRONG_TYPE),
            (read_only, 0, ZX_ERR_ACCESS_DENIED),
            (write_only, 0, ZX_ERR_ACCESS_DENIED),
            (a, 0, ZX_ERR_OUT_OF_RANGE),
            (a, ZX_CHANNEL_WRITE_USE_IOVEC, ZX_ERR_OUT_OF_RANGE),
        ];
        for (target, options, expected) in cases {
            let what = format!("target {target:#x} options {options:#x}");
            let e = new_event();
            let (status, ..) = call_with(target, options, ZX_TIME_INFINITE, &too_many, &[e]);
            assert_eq!(status, expected, "call, {what}");
            assert!(!is_valid(e), "the handle is consumed ({expected})");
            let [kept, taken] = new_events();
            let mut entries = [duplicated(kept), moved(taken)];
            let (status, _) = call_etc(target, options, ZX_TIME_INFINITE, &too_many, &mut entries);
            assert_eq!(status, expected, "call_etc, {what}");
            assert!(
                is_valid(kept),
                "the DUPLICATE entry's handle stays ({expected})"
            );
            assert!(
                !is_valid(taken),
                "the MOVE entry's handle is consumed ({expected})"
            );
            close(kept);
        }
        assert!(!readable(b), "nothing was sent");
        close_all(&[a, b, not_channel, read_only, write_only]);
        ctx.assert_clean();
    }

    /// Joins the echo thread once a call that should have been answered returned `status`. A
    /// call refused instead never reached the echo thread, which would wait on `server` forever:
    /// closing `server` ends that wait (CANCELED) before the assertion fails.
    fn answered(
        server: zx_handle_t,
        echo: std::thread::JoinHandle<()>,
        status: zx_status_t,
    ) -> zx_handle_t {
        if status != ZX_OK {
            close(server);
            let _ = echo.join();
            panic!("the call answered {status}, not ZX_OK");
        }
        echo.join().expect("the echo thread");
        server
    }

    fn flag_accepted_other_options_refused(ctx: &mut Ctx) {
        let (client, server) = new_channel();
        let request = *b"\0\0\0\0flag";
        let slices = [zx_channel_iovec_t::new(&request)];
        let server_thread = echo_once(&ctx.process, server);
        let (status, reply, _) = call_with(
            client,
            ZX_CHANNEL_WRITE_USE_IOVEC,
            ZX_TIME_INFINITE,
            &slices,
            &[],
        );
        let server = answered(server, server_thread, status);
        assert_eq!(&reply[4..], b"flag");
        let server_thread = echo_once(&ctx.process, server);
        let mut entries = [moved(new_event())];
        let (status, infos) = call_etc(
            client,
            ZX_CHANNEL_WRITE_USE_IOVEC,
            ZX_TIME_INFINITE,
            &slices,
            &mut entries,
        );
        let server = answered(server, server_thread, status);
        assert_eq!(infos.len(), 1);
        close(infos[0].handle);
        // Refused calls send nothing and never wait: a past deadline (the virtual clock reads 0)
        // turns a call that wrongly went ahead into a quick TIMED_OUT rather than a hang.
        for options in [1, ZX_CHANNEL_WRITE_USE_IOVEC | 1] {
            let e = new_event();
            let (status, ..) = call_with(client, options, 0, &slices, &[e]);
            assert_eq!(status, ZX_ERR_INVALID_ARGS, "call, options {options:#x}");
            assert!(!is_valid(e), "the handle is consumed");
            let e = new_event();
            let (status, _) = call_etc(client, options, 0, &slices, &mut [moved(e)]);
            assert_eq!(
                status, ZX_ERR_INVALID_ARGS,
                "call_etc, options {options:#x}"
            );
            assert!(!is_valid(e), "the MOVE entry is consumed");
        }
        assert!(!readable(server), "nothing was sent");
        close_all(&[client, server]);
        ctx.assert_clean();
    }
}
