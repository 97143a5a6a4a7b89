//! Conformance cases for `zx_channel_read` and `zx_channel_read_etc` (spec §7, §13.4, §15 item
//! 9): checks, buffer sizes, signals, and the handles a read installs. One sub-module per syscall
//! so each gets its own row in the conformance report.
//!
//! The §13.4 profile case of an async wait whose registering handle travelled through the
//! channel ends at the read under `zircon`, so it sits with `zx_channel_read`.

use zxsim_syscalls::sys::*;

use crate::harness::{Case, Ctx};
use crate::support::channel::*;
use crate::support::*;

pub fn cases() -> Vec<Case> {
    [read::cases(), read_etc::cases()]
        .into_iter()
        .flatten()
        .collect()
}

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
        let (a, b) = new_channel();
        let (c0, c1) = new_channel();
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
        close_all(&[a, b, c0, no_read, event]);
        ctx.assert_clean();
    }

    fn empty_should_wait(ctx: &mut Ctx) {
        let (a, b) = new_channel();
        let mut nb = 99;
        assert_eq!(
            zx_channel_read(b, 0, &mut [0u8; 8], &mut [], Some(&mut nb), None),
            ZX_ERR_SHOULD_WAIT
        );
        assert_eq!(read(a), Err(ZX_ERR_SHOULD_WAIT));
        close_all(&[a, b]);
        ctx.assert_clean();
    }

    fn whole_messages_in_order(ctx: &mut Ctx) {
        let (a, b) = new_channel();
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
        close_all(&[a, b]);
        ctx.assert_clean();
    }

    fn buffer_too_small_keeps_message(ctx: &mut Ctx) {
        let (a, b) = new_channel();
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
        close_all(&received);
        close_all(&[a, b]);
        ctx.assert_clean();
    }

    fn may_discard_drops_message(ctx: &mut Ctx) {
        let (a, b) = new_channel();
        let e = new_event();
        let kept = dup(e, ZX_RIGHT_SAME_RIGHTS);
        let [nested0, nested1] = {
            let (x, y) = new_channel();
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
        close_all(&[kept, a, b]);
        ctx.assert_clean();
    }

    fn may_discard_reads_fitting_message(ctx: &mut Ctx) {
        let (a, b) = new_channel();
        let e = new_event();
        assert_eq!(write(a, b"fits", &[e]), ZX_OK);
        let (bytes, handles) = read_with(b, ZX_CHANNEL_READ_MAY_DISCARD, 4).expect("read normally");
        assert_eq!((bytes.as_slice(), handles.len()), (&b"fits"[..], 1));
        assert_eq!(basic(handles[0]).type_, ZX_OBJ_TYPE_EVENT);
        close_all(&handles);
        close_all(&[a, b]);
        ctx.assert_clean();
    }

    fn peer_closed_only_when_empty(ctx: &mut Ctx) {
        let (a, b) = new_channel();
        let e = new_event();
        assert_eq!(write(a, b"one", &[e]), ZX_OK);
        assert_eq!(write(a, b"two", &[]), ZX_OK);
        close_all(&[a]);
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
        close_all(&handles);
        close_all(&[b]);
        ctx.assert_clean();
    }

    fn readable_tracks_queue(ctx: &mut Ctx) {
        let (a, b) = new_channel();
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
        close_all(&[a, b]);
        ctx.assert_clean();
    }

    fn received_handles_new_values(ctx: &mut Ctx) {
        let (a, b) = new_channel();
        let e = new_event();
        let reduced = dup(e, ZX_RIGHT_TRANSFER | ZX_RIGHT_WAIT | ZX_RIGHT_INSPECT);
        let before = [basic(e), basic(reduced)];
        assert_eq!(write(a, b"", &[e, reduced]), ZX_OK);
        let (_, received) = read(b).expect("two handles");
        assert_eq!(received.len(), 2);
        for (value, old) in received.iter().zip([e, reduced]) {
            assert_ne!(*value, old, "a new value");
            assert!(is_valid(*value));
            assert!(!is_valid(old), "the old value stays dead");
        }
        let after = [basic(received[0]), basic(received[1])];
        assert_eq!(after, before, "same object (koid), same rights");
        close_all(&received);
        close_all(&[a, b]);
        ctx.assert_clean();
    }

    fn other_process_receives(ctx: &mut Ctx) {
        let other = ctx.other_process();
        let (a, b) = new_channel();
        let b_there = give(&ctx.process, &other, b);
        let e = new_event();
        let koid = basic(e).koid;
        assert_eq!(write(a, b"for B", &[e]), ZX_OK);
        let received = {
            let _bound = other.bind();
            assert!(!is_valid(e), "A's value means nothing in B");
            assert!(!is_valid(a));
            let (bytes, handles) = read(b_there).expect("B reads");
            assert_eq!(bytes, b"for B");
            let info = basic(handles[0]);
            assert_eq!((info.koid, info.rights), (koid, ZX_DEFAULT_EVENT_RIGHTS));
            handles[0]
        };
        assert!(!is_valid(received), "B's value means nothing in A");
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
            close_all(&[received, b_there]);
        }
        close_all(&[a]);
        ctx.assert_clean();
    }

    /// Registers a wait through `event`, moves `event` to another process through a channel,
    /// lets that process read it and signal it. Returns (port observers after the read, the
    /// port's first packet).
    fn transferred_wait_scenario(ctx: &Ctx) -> (usize, Result<zx_port_packet_t, zx_status_t>) {
        let other = ctx.other_process();
        let (a, b) = new_channel();
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
            close_all(&[handles[0], b_there]);
            observers
        };
        let packet = poll(port);
        close_all(&[a, port]);
        ctx.assert_clean();
        (observers, packet)
    }

    fn in_flight_wait_continues(ctx: &mut Ctx) {
        let (a, b) = new_channel();
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
        close_all(&received);
        close_all(&[aside, port, a, b]);
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

mod read_etc {
    use super::*;

    cases!["zx_channel_read_etc";
        (handle_info_fields, "§7 zx_channel_read_etc: each handle comes with value, object type, rights and unused = 0 (e.g. an event duplicated with BASIC minus WAIT)", Both),
        (checks_and_sizes_as_read, "§7 zx_channel_read_etc: ACCESS_DENIED before NOT_SUPPORTED; BUFFER_TOO_SMALL keeps the message and reports sizes; MAY_DISCARD drops it", Both),
    ];

    fn handle_info_fields(ctx: &mut Ctx) {
        let (a, b) = new_channel();
        let e = new_event();
        let basic_no_wait = dup(e, ZX_RIGHTS_BASIC & !ZX_RIGHT_WAIT);
        let (c0, c1) = new_channel();
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
        close_all(&[infos[0].handle, infos[1].handle, e, c0, a, b]);
        ctx.assert_clean();
    }

    fn checks_and_sizes_as_read(ctx: &mut Ctx) {
        let (a, b) = new_channel();
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
        let (c0, c1) = new_channel();
        let no_read = replace(c1, ZX_DEFAULT_CHANNEL_RIGHTS & !ZX_RIGHT_READ);
        assert_eq!(raw(no_read, 0, 16, 1).0, ZX_ERR_ACCESS_DENIED);
        assert_eq!(raw(no_read, 2, 16, 1).0, ZX_ERR_ACCESS_DENIED);
        close_all(&[kept, a, b, c0, no_read]);
        ctx.assert_clean();
    }
}
