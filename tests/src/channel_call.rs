//! Conformance cases for `zx_channel_call` and `zx_channel_call_etc` (spec §7, §15 item 9):
//! checks, txids, replies matched to their caller, deadlines, cancellation, and the handles of
//! both directions. One sub-module per syscall so each gets its own row in the conformance report.

use std::sync::mpsc;
use std::time::Duration;

use zxsim_kernel::PolicyException;
use zxsim_syscalls::sys::*;

use crate::harness::{Case, Ctx};
use crate::support::channel::*;
use crate::support::*;

pub fn cases() -> Vec<Case> {
    [call::cases(), call_etc::cases()]
        .into_iter()
        .flatten()
        .collect()
}

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
        (txid_only_request_accepted, "§7/§15.9 zx_channel_call: a request of exactly 4 bytes (the txid alone) is accepted and sent", Both),
        (queue_limit_policy_exception, "§1.10/§7 zx_channel_call: a request that leaves more than 3 500 messages queued on the peer raises CHANNEL_FULL_WRITE, as a write does; 3 500 do not", Both),
    ];

    fn needs_read_and_write(ctx: &mut Ctx) {
        let (a, b) = new_channel();
        let no_read = replace(a, ZX_DEFAULT_CHANNEL_RIGHTS & !ZX_RIGHT_READ);
        let (c, d) = new_channel();
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
        close_all(&[no_read, b, no_write, d, not_a_channel]);
        ctx.assert_clean();
    }

    fn bad_options_consume_handles(ctx: &mut Ctx) {
        let (a, b) = new_channel();
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
        close_all(&[a, b]);
        ctx.assert_clean();
    }

    fn txid_replaces_first_four_bytes(ctx: &mut Ctx) {
        let (client, server) = new_channel();
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
        close_all(&handles);
        close_all(&[client, server]);
        ctx.assert_clean();
    }

    fn concurrent_txids_unique(ctx: &mut Ctx) {
        let (client, server) = new_channel();
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
        close_all(&[client, server]);
        ctx.assert_clean();
    }

    fn matching_reply_bypasses_queue(ctx: &mut Ctx) {
        let (client, server) = new_channel();
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
        close_all(&[port, client, server]);
        ctx.assert_clean();
    }

    fn non_matching_reply_queued(ctx: &mut Ctx) {
        let (client, server) = new_channel();
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
        close_all(&[client, server]);
        ctx.assert_clean();
    }

    fn short_request_invalid_args(ctx: &mut Ctx) {
        let (client, server) = new_channel();
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
        close_all(&[client, server]);
        ctx.assert_clean();
    }

    fn reply_too_large_discarded(ctx: &mut Ctx) {
        let (client, server) = new_channel();
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
        close_all(&[client, server]);
        ctx.assert_clean();
    }

    fn peer_already_closed(ctx: &mut Ctx) {
        let (client, server) = new_channel();
        close_all(&[server]);
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
        close_all(&[client]);
        ctx.assert_clean();
    }

    fn peer_closes_while_waiting(ctx: &mut Ctx) {
        let (client, server) = new_channel();
        let e = new_event();
        let caller = ctx
            .process
            .spawn(move || call_bytes(client, FAR, b"\0\0\0\0x", &[e], 16, 1).0);
        await_blocked(ctx);
        assert_eq!(queued(ctx, server), 1, "the request was written");
        close_all(&[server]);
        assert_eq!(caller.join().expect("caller"), ZX_ERR_PEER_CLOSED);
        assert_eq!(
            (ctx.kernel.live_objects(), ctx.kernel.live_handles()),
            (1, 1),
            "the unread request died with its event"
        );
        close_all(&[client]);
        ctx.assert_clean();
    }

    fn own_endpoint_closed_while_waiting(ctx: &mut Ctx) {
        let (client, server) = new_channel();
        let caller = ctx
            .process
            .spawn(move || call_bytes(client, FAR, b"\0\0\0\0x", &[], 16, 0).0);
        await_blocked(ctx);
        close_all(&[client]);
        assert_eq!(caller.join().expect("caller"), ZX_ERR_CANCELED);
        assert_eq!(
            zx_object_wait_one(server, ZX_CHANNEL_PEER_CLOSED, 0, None),
            ZX_OK
        );
        let (request, _) = read(server).expect("the request stays with the server");
        assert!(txid_of(&request) >= 0x8000_0000);
        close_all(&[server]);
        ctx.assert_clean();
    }

    fn endpoint_received_elsewhere_while_waiting(ctx: &mut Ctx) {
        let other = ctx.other_process();
        let (client, server) = new_channel();
        let (t0, t1) = new_channel();
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
            close_all(&[received, t1_there]);
        }
        assert_eq!(read(server).map(|m| m.0), Ok(b"from B".to_vec()));
        close_all(&[server, t0]);
        ctx.assert_clean();
    }

    fn endpoint_received_same_process_while_waiting(ctx: &mut Ctx) {
        let (client, server) = new_channel();
        let (t0, t1) = new_channel();
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
            close_all(&[server]);
        }
        assert_eq!(
            outcome,
            Ok(ZX_ERR_CANCELED),
            "receiving the endpoint cancels its pending call"
        );
        assert_eq!(caller.join().expect("caller"), ZX_ERR_CANCELED);
        close_all(&[received, server, t0, t1]);
        ctx.assert_clean();
    }

    fn deadline_timed_out(ctx: &mut Ctx) {
        let (client, server) = new_channel();
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
        close_all(&[client, server]);
        ctx.assert_clean();
    }

    fn txid_only_request_accepted(ctx: &mut Ctx) {
        let (client, server) = new_channel();
        ctx.kernel.advance_clock(100);
        let (status, ..) = call_bytes(client, 50, b"\0\0\0\0", &[], 16, 0);
        assert_eq!(
            status, ZX_ERR_TIMED_OUT,
            "accepted and sent (then no reply by the past deadline), not INVALID_ARGS"
        );
        let (bytes, _) = read_with(server, 0, 16).expect("the request arrived");
        assert_eq!(bytes.len(), 4, "the txid alone");
        let txid = u32::from_le_bytes(bytes[..4].try_into().expect("4 bytes"));
        assert!(txid >= 0x8000_0000, "a kernel txid: {txid:#x}");
        close_all(&[client, server]);
        ctx.assert_clean();
    }

    fn queue_limit_policy_exception(ctx: &mut Ctx) {
        let (client, server) = new_channel();
        // The requests queue on the server end, behind 3 499 plain messages.
        for i in 0..3_499u16 {
            assert_eq!(write(client, &i.to_le_bytes(), &[]), ZX_OK);
        }
        // Past deadlines: each call sends its request, then gives up at once.
        ctx.kernel.advance_clock(100);
        let (status, ..) = call_bytes(client, 50, b"\0\0\0\0call", &[], 16, 0);
        assert_eq!(status, ZX_ERR_TIMED_OUT);
        assert!(
            ctx.process.policy_exceptions().is_empty(),
            "3 500 pending messages are within the limit"
        );
        let (status, ..) = call_bytes(client, 50, b"\0\0\0\0more", &[], 16, 0);
        assert_eq!(
            status, ZX_ERR_TIMED_OUT,
            "the 3 501st message is still sent"
        );
        assert_eq!(
            ctx.process.policy_exceptions(),
            vec![PolicyException::ChannelFullWrite]
        );
        assert_eq!(queued(ctx, server), 3_501);
        close_all(&[client, server]);
        ctx.assert_clean();
    }

    fn late_reply_goes_to_queue(ctx: &mut Ctx) {
        let (client, server) = new_channel();
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
        close_all(&[client, server]);
        ctx.assert_clean();
    }
}

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
        let (client, server) = new_channel();
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
            close_all(&infos.iter().map(|i| i.handle).collect::<Vec<_>>());
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
        assert!(is_valid(kept));
        assert_eq!(sizes, (6, 1));
        assert_eq!(&reply[4..], b"ok");
        assert_eq!(
            (infos[0].ty, infos[0].rights, infos[0].unused),
            (ZX_OBJ_TYPE_EVENT, ZX_RIGHT_TRANSFER | ZX_RIGHT_INSPECT, 0)
        );
        assert_eq!(basic(infos[0].handle).rights, infos[0].rights);
        close_all(&[infos[0].handle, kept, client, server]);
        ctx.assert_clean();
    }

    fn failed_disposition_sends_nothing(ctx: &mut Ctx) {
        let (client, server) = new_channel();
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
        close_all(&[e2, client, server]);
        ctx.assert_clean();
    }

    fn short_request_consumes_moves_only(ctx: &mut Ctx) {
        let (client, server) = new_channel();
        let [e1, e2] = new_events();
        let mut entries = [moved(e1), duplicated(e2)];
        let (status, ..) = call_etc(client, b"\0\0\0", &mut entries, 0);
        assert_eq!(status, ZX_ERR_INVALID_ARGS);
        assert_consumed(&[e1]);
        assert!(is_valid(e2));
        assert_eq!(handle_count(e2), 1, "no duplicate left behind");
        assert_eq!(queued(ctx, server), 0);
        close_all(&[e2, client, server]);
        ctx.assert_clean();
    }

    fn reply_too_large_discarded(ctx: &mut Ctx) {
        let (client, server) = new_channel();
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
        close_all(&[client, server]);
        ctx.assert_clean();
    }
}
