//! Conformance cases for `zx_channel_write` and `zx_channel_write_etc` (spec §7, §12.1, §15
//! items 2 and 8): argument and handle checks in Zircon's order, limits, handle transfer and
//! dispositions. One sub-module per syscall so each gets its own row in the conformance report.
//!
//! "Consumed" is checked two ways: the writer's value is gone (`ZX_INFO_HANDLE_VALID` and
//! `zx_handle_close` answer `BAD_HANDLE`, see `support::assert_consumed`), and the object died
//! when that was its only handle (the kernel's live-object count).
//!
//! The §13.4 profile case of a registering handle moved with reduced rights ends the wait at the
//! write under `zircon`, so it sits with `zx_channel_write_etc`.

use zxsim_kernel::PolicyException;
use zxsim_syscalls::sys::*;

use crate::harness::{Case, Ctx};
use crate::support::channel::*;
use crate::support::*;

pub fn cases() -> Vec<Case> {
    [write::cases(), write_etc::cases()]
        .into_iter()
        .flatten()
        .collect()
}

mod write {
    use super::*;

    cases!["zx_channel_write";
        (empty_message_allowed, "§7 zx_channel_write: a message with no bytes and no handles is allowed", Both),
        (success_moves_handles, "§7 zx_channel_write: on success the handles leave the writer's table and travel in the message; the peer becomes READABLE", Both),
        (bad_options_consume_handles, "§7/§12.1/§15.2 zx_channel_write: options other than USE_IOVEC ⇒ INVALID_ARGS (first), every handle consumed", Both),
        (bad_channel_consumes_handles, "§7/§12.1/§15.2 zx_channel_write: channel BAD_HANDLE / WRONG_TYPE / ACCESS_DENIED (no WRITE) ⇒ every handle consumed", Both),
        (sixty_five_handles_out_of_range, "§7/§15.2 zx_channel_write: 65 handles ⇒ OUT_OF_RANGE with all 65 closed; 64 fit", Both),
        (too_many_bytes_out_of_range, "§7/§15.2 zx_channel_write: more than 65 536 bytes ⇒ OUT_OF_RANGE, handles consumed; 65 536 fit, with or without handles", Both),
        (peer_closed_consumes_handles, "§7/§15.2 zx_channel_write: peer closed ⇒ PEER_CLOSED, every handle consumed and its object destroyed", Both),
        (bad_value_in_list_consumes_rest, "§7 zx_channel_write: a bad value in the list ⇒ BAD_HANDLE; every other handle is still consumed; nothing is sent", Both),
        (repeated_value_bad_handle, "§7 zx_channel_write: the same value twice ⇒ BAD_HANDLE (second lookup), the handle consumed, nothing sent", Both),
        (no_transfer_right_denied_and_consumed, "§7 zx_channel_write: a handle without TRANSFER ⇒ ACCESS_DENIED, and it is still consumed", Both),
        (own_endpoint_not_supported_and_closed, "§7/§15.2 zx_channel_write: writing the endpoint's own handle ⇒ NOT_SUPPORTED and closes it: the peer sees PEER_CLOSED", Both),
        (peer_endpoint_allowed, "§7 zx_channel_write: writing the peer endpoint into the channel is allowed", Both),
        (queue_limit_policy_exception, "§1.9/§7 zx_channel_write: past 3 500 pending messages each write raises CHANNEL_FULL_WRITE in the writer and still answers ZX_OK", Both),
    ];

    fn empty_message_allowed(ctx: &mut Ctx) {
        let (a, b) = new_channel();
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
        close_all(&[a, b]);
        ctx.assert_clean();
    }

    fn success_moves_handles(ctx: &mut Ctx) {
        let (a, b) = new_channel();
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
        close_all(&handles);
        close_all(&[a, b]);
        ctx.assert_clean();
    }

    fn bad_options_consume_handles(ctx: &mut Ctx) {
        let (a, b) = new_channel();
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
        close_all(&[a, b]);
        ctx.assert_clean();
    }

    fn bad_channel_consumes_handles(ctx: &mut Ctx) {
        let (a, b) = new_channel();
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
        close_all(&[no_write, b, not_a_channel]);
        ctx.assert_clean();
    }

    fn sixty_five_handles_out_of_range(ctx: &mut Ctx) {
        let (a, b) = new_channel();
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
        close_all(&received);
        close_all(&[a, b]);
        ctx.assert_clean();
    }

    fn too_many_bytes_out_of_range(ctx: &mut Ctx) {
        let (a, b) = new_channel();
        let [e1, e2] = new_events();
        let big = vec![7u8; ZX_CHANNEL_MAX_MSG_BYTES as usize + 1];
        assert_eq!(write(a, &big, &[e1, e2]), ZX_ERR_OUT_OF_RANGE);
        assert_consumed(&[e1, e2]);
        assert_eq!(ctx.kernel.live_objects(), 2);
        assert_eq!(read(b), Err(ZX_ERR_SHOULD_WAIT));
        assert_eq!(write(a, &big[1..], &[]), ZX_OK, "65 536 bytes fit");
        assert_eq!(read(b).expect("the big message").0.len(), 65_536);
        // The write-with-handles path checks the size too: 65 536 bytes and a handle fit.
        let [e3] = new_events();
        assert_eq!(
            write(a, &big[1..], &[e3]),
            ZX_OK,
            "65 536 bytes and a handle fit"
        );
        let (bytes, handles) = read(b).expect("the big message with a handle");
        assert_eq!((bytes.len(), handles.len()), (65_536, 1));
        close_all(&handles);
        close_all(&[a, b]);
        ctx.assert_clean();
    }

    fn peer_closed_consumes_handles(ctx: &mut Ctx) {
        let (a, b) = new_channel();
        close_all(&[b]);
        let [e1, e2] = new_events();
        assert_eq!(write(a, b"x", &[e1, e2]), ZX_ERR_PEER_CLOSED);
        assert_consumed(&[e1, e2]);
        assert_eq!(
            (ctx.kernel.live_objects(), ctx.kernel.live_handles()),
            (1, 1),
            "the events died"
        );
        close_all(&[a]);
        ctx.assert_clean();
    }

    fn bad_value_in_list_consumes_rest(ctx: &mut Ctx) {
        let (a, b) = new_channel();
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
        close_all(&[a, b]);
        ctx.assert_clean();
    }

    fn repeated_value_bad_handle(ctx: &mut Ctx) {
        let (a, b) = new_channel();
        let e = new_event();
        assert_eq!(write(a, b"x", &[e, e]), ZX_ERR_BAD_HANDLE);
        assert_consumed(&[e]);
        assert_eq!(ctx.kernel.live_objects(), 2, "the event died");
        assert_eq!(read(b), Err(ZX_ERR_SHOULD_WAIT), "nothing was sent");
        close_all(&[a, b]);
        ctx.assert_clean();
    }

    fn no_transfer_right_denied_and_consumed(ctx: &mut Ctx) {
        let (a, b) = new_channel();
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
        close_all(&[a, b, e]);
        ctx.assert_clean();
    }

    fn own_endpoint_not_supported_and_closed(ctx: &mut Ctx) {
        let (a, b) = new_channel();
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
        close_all(&[b]);
        ctx.assert_clean();
    }

    fn peer_endpoint_allowed(ctx: &mut Ctx) {
        let (a, b) = new_channel();
        assert_eq!(write(a, b"peer", &[b]), ZX_OK);
        assert_consumed(&[b]);
        assert_eq!(
            signals(a),
            ZX_CHANNEL_WRITABLE,
            "the peer is alive: its handle is in its own queue"
        );
        assert_eq!(write(a, b"more", &[]), ZX_OK);
        close_all(&[a]);
        // `b`'s only handle sits in `b`'s own queue: it stays alive (a cycle, as in Zircon,
        // §2.2 "handles inside unread messages count"), and `a` is gone.
        assert_eq!(
            (ctx.kernel.live_objects(), ctx.kernel.live_handles()),
            (1, 1)
        );
    }

    fn queue_limit_policy_exception(ctx: &mut Ctx) {
        let (a, b) = new_channel();
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
        close_all(&[a, b]);
        ctx.assert_clean();
    }
}

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
        let (a, b) = new_channel();
        let [e1, e2] = new_events();
        let koids = [basic(e1).koid, basic(e2).koid];
        let mut entries = [moved(e1), duplicated(e2)];
        assert_eq!(zx_channel_write_etc(a, 0, b"etc", &mut entries), ZX_OK);
        assert_consumed(&[e1]);
        assert!(is_valid(e2), "DUPLICATE leaves the source");
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
        close_all(&[infos[0].handle, infos[1].handle, e2, a, b]);
        ctx.assert_clean();
    }

    fn type_check_wrong_type(ctx: &mut Ctx) {
        let (a, b) = new_channel();
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
        assert!(is_valid(e2));
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
        close_all(&received);
        close_all(&[a, b]);
        ctx.assert_clean();
    }

    fn rights_reduction(ctx: &mut Ctx) {
        let (a, b) = new_channel();
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
        close_all(&infos.iter().map(|i| i.handle).collect::<Vec<_>>());
        close_all(&[e2, a, b]);
        ctx.assert_clean();
    }

    fn rights_not_subset_invalid_args(ctx: &mut Ctx) {
        let (a, b) = new_channel();
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
            close_all(&[e2]);
        }
        assert_eq!(read(b), Err(ZX_ERR_SHOULD_WAIT), "nothing was sent");
        close_all(&[a, b]);
        ctx.assert_clean();
    }

    fn duplicate_needs_duplicate_right(ctx: &mut Ctx) {
        let (a, b) = new_channel();
        let e = new_event();
        let no_dup = replace(e, ZX_DEFAULT_EVENT_RIGHTS & !ZX_RIGHT_DUPLICATE);
        let mut entries = [duplicated(no_dup)];
        assert_eq!(
            zx_channel_write_etc(a, 0, b"x", &mut entries),
            ZX_ERR_ACCESS_DENIED
        );
        assert_eq!(entries[0].result, ZX_ERR_ACCESS_DENIED);
        assert!(is_valid(no_dup));
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
        close_all(&[no_dup, a, b]);
        ctx.assert_clean();
    }

    fn results_written_only_on_failure(ctx: &mut Ctx) {
        let (a, b) = new_channel();
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
        close_all(&received);
        close_all(&[e2, a, b]);
        ctx.assert_clean();
    }

    fn repeated_move_bad_handle(ctx: &mut Ctx) {
        let (a, b) = new_channel();
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
        close_all(&received);
        close_all(&[e, a, b]);
        ctx.assert_clean();
    }

    fn unknown_operation_consumes(ctx: &mut Ctx) {
        let (a, b) = new_channel();
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
        close_all(&[a, b]);
        ctx.assert_clean();
    }

    fn early_failures_consume_moves_only(ctx: &mut Ctx) {
        let (a, b) = new_channel();
        let (closed_peer, gone) = new_channel();
        close_all(&[gone]);
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
            assert!(
                is_valid(kept),
                "{what}: DUPLICATE entries are never consumed"
            );
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
        close_all(&[a, no_write, closed_peer, not_a_channel, kept]);
        ctx.assert_clean();
    }

    fn own_endpoint_not_supported(ctx: &mut Ctx) {
        let (a, b) = new_channel();
        let mut entries = [duplicated(a)];
        assert_eq!(
            zx_channel_write_etc(a, 0, b"x", &mut entries),
            ZX_ERR_NOT_SUPPORTED
        );
        assert_eq!(
            entries[0].result, ZX_ERR_NOT_SUPPORTED,
            "checked before the DUPLICATE right"
        );
        assert!(is_valid(a), "a DUPLICATE entry leaves the endpoint");
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
        close_all(&[b]);
        ctx.assert_clean();
    }

    fn no_transfer_right_denied(ctx: &mut Ctx) {
        let (a, b) = new_channel();
        let e = new_event();
        let [stuck1, stuck2] = [0; 2].map(|_| dup(e, ZX_DEFAULT_EVENT_RIGHTS & !ZX_RIGHT_TRANSFER));
        let mut entries = [moved(stuck1), duplicated(stuck2)];
        assert_eq!(
            zx_channel_write_etc(a, 0, b"x", &mut entries),
            ZX_ERR_ACCESS_DENIED
        );
        assert_eq!(entries.map(|e| e.result), [ZX_ERR_ACCESS_DENIED; 2]);
        assert_consumed(&[stuck1]);
        assert!(is_valid(stuck2));
        assert_eq!(handle_count(e), 2);
        assert_eq!(read(b), Err(ZX_ERR_SHOULD_WAIT));
        close_all(&[e, stuck2, a, b]);
        ctx.assert_clean();
    }

    fn transfer_right_may_be_dropped(ctx: &mut Ctx) {
        let (a, b) = new_channel();
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
        close_all(&[a, b]);
        ctx.assert_clean();
    }

    /// Registers an async wait through `event`, moves `event` through a channel with reduced
    /// rights, then signals the object through a duplicate kept aside. Returns the port's first
    /// packet (or the poll status).
    fn reduced_rights_scenario(ctx: &Ctx) -> (Result<zx_port_packet_t, zx_status_t>, usize) {
        let (a, b) = new_channel();
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
        close_all(&[a, b, port, aside]);
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
