//! Conformance cases for ports (spec §6, §15 items 1, 3, 13): `zx_port_create`, `zx_port_queue`,
//! `zx_port_wait`, `zx_port_cancel`, `zx_port_cancel_key`, and what closing a port's last handle
//! does. One sub-module per syscall so each gets its own row in the conformance report.
//!
//! Behaviour that differs between the semantics profiles (which handle a wait is bound to) lives
//! in `profiles.rs`; everything here holds under both.

use std::sync::mpsc;

use zxsim_kernel::objects::port::Port;
use zxsim_kernel::PolicyException;
use zxsim_syscalls::sys::*;

use crate::harness::{Case, Ctx};
use crate::support::*;

pub fn cases() -> Vec<Case> {
    [
        create::cases(),
        queue::cases(),
        wait::cases(),
        cancel::cases(),
        cancel_key::cases(),
        close::cases(),
    ]
    .into_iter()
    .flatten()
    .collect()
}

// ---- zx_port_create ----

mod create {
    use super::*;

    cases!["zx_port_create";
        (options_zero_or_bind_to_interrupt, "§6 zx_port_create: options 0 and ZX_PORT_BIND_TO_INTERRUPT (1) are accepted", Both),
        (other_options_invalid_args, "§6 zx_port_create: options other than 0 or 1 ⇒ ZX_ERR_INVALID_ARGS, no handle", Both),
        (default_rights_0x800f, "§1.4/§6: a port handle has rights 0x800F (TRANSFER|DUPLICATE|INSPECT|READ|WRITE), type PORT, no related koid", Both),
        (not_waitable_not_signalable, "§1.4/§6: ports lack WAIT and SIGNAL ⇒ wait_one and object_signal on a port answer ZX_ERR_ACCESS_DENIED", Both),
        (starts_empty, "§6 zx_port_wait: a new port holds no packet (a poll times out)", Both),
    ];

    fn options_zero_or_bind_to_interrupt(ctx: &mut Ctx) {
        for options in [0, ZX_PORT_BIND_TO_INTERRUPT] {
            let mut port = ZX_HANDLE_INVALID;
            assert_eq!(
                zx_port_create(options, &mut port),
                ZX_OK,
                "options {options}"
            );
            assert_eq!(port & ZX_HANDLE_FIXED_BITS_MASK, ZX_HANDLE_FIXED_BITS_MASK);
            close_all(&[port]);
        }
        ctx.assert_clean();
    }

    fn other_options_invalid_args(ctx: &mut Ctx) {
        for options in [2, 3, 0x10, 0x8000_0000, u32::MAX] {
            let mut port = 0x1234_5677;
            assert_eq!(
                zx_port_create(options, &mut port),
                ZX_ERR_INVALID_ARGS,
                "options {options:#x}"
            );
            assert_eq!(port, 0x1234_5677, "out untouched on failure");
        }
        ctx.assert_clean();
    }

    fn default_rights_0x800f(ctx: &mut Ctx) {
        let port = new_port();
        let mut info = zx_info_handle_basic_t::default();
        assert_eq!(
            zx_object_get_info(port, ZX_INFO_HANDLE_BASIC, info.as_bytes_mut(), None, None),
            ZX_OK
        );
        assert_eq!(info.rights, 0x800F);
        assert_eq!(info.rights, ZX_DEFAULT_PORT_RIGHTS);
        assert_eq!(info.type_, ZX_OBJ_TYPE_PORT);
        assert_eq!(info.related_koid, 0);
        assert_eq!(info.rights & (ZX_RIGHT_WAIT | ZX_RIGHT_SIGNAL), 0);
        close_all(&[port]);
        ctx.assert_clean();
    }

    fn not_waitable_not_signalable(ctx: &mut Ctx) {
        let port = new_port();
        assert_eq!(
            zx_object_wait_one(port, ZX_USER_SIGNAL_0, 0, None),
            ZX_ERR_ACCESS_DENIED
        );
        assert_eq!(
            zx_object_signal(port, 0, ZX_USER_SIGNAL_0),
            ZX_ERR_ACCESS_DENIED
        );
        close_all(&[port]);
        ctx.assert_clean();
    }

    fn starts_empty(ctx: &mut Ctx) {
        let port = new_port();
        assert_eq!(poll(port), Err(ZX_ERR_TIMED_OUT));
        close_all(&[port]);
        ctx.assert_clean();
    }
}

// ---- zx_port_queue ----

mod queue {
    use super::*;

    cases!["zx_port_queue";
        (handle_checks, "§6 zx_port_queue: BAD_HANDLE → WRONG_TYPE (not a port) → ACCESS_DENIED (no WRITE)", Both),
        (write_right_suffices, "§6 zx_port_queue: needs only ZX_RIGHT_WRITE", Both),
        (type_forced_to_user_rest_verbatim, "§6 zx_port_queue: type overwritten with ZX_PKT_TYPE_USER; key, status and 32-byte payload delivered verbatim", Both),
        (capacity_4097_fit_4098th_should_wait, "§6/§15.1 zx_port_queue: 4097 user packets fit; the 4098th ⇒ ZX_ERR_SHOULD_WAIT + PORT_TOO_MANY_PACKETS, not queued", Both),
        (signal_packets_do_not_count_when_full, "§5/§15.1: a port full of user packets still takes signal packets", Both),
        (signal_packets_never_count, "§5/§15.1: thousands of queued signal packets do not reduce the 4097 user packets a port takes", Both),
    ];

    fn handle_checks(ctx: &mut Ctx) {
        let port = new_port();
        let event = new_event();
        let no_write = dup(port, ZX_RIGHT_READ | ZX_RIGHT_TRANSFER | ZX_RIGHT_DUPLICATE);
        let packet = user_packet(1);
        assert_eq!(zx_port_queue(ZX_HANDLE_INVALID, &packet), ZX_ERR_BAD_HANDLE);
        assert_eq!(zx_port_queue(stale_handle(), &packet), ZX_ERR_BAD_HANDLE);
        assert_eq!(zx_port_queue(event, &packet), ZX_ERR_WRONG_TYPE);
        assert_eq!(zx_port_queue(no_write, &packet), ZX_ERR_ACCESS_DENIED);
        assert_eq!(
            poll(port),
            Err(ZX_ERR_TIMED_OUT),
            "nothing queued by the failures"
        );
        assert!(ctx.process.policy_exceptions().is_empty());
        close_all(&[port, event, no_write]);
        ctx.assert_clean();
    }

    fn write_right_suffices(ctx: &mut Ctx) {
        let port = new_port();
        let write_only = dup(port, ZX_RIGHT_WRITE);
        assert_eq!(zx_port_queue(write_only, &user_packet(9)), ZX_OK);
        assert_eq!(poll(port).map(|p| p.key), Ok(9));
        close_all(&[port, write_only]);
        ctx.assert_clean();
    }

    fn type_forced_to_user_rest_verbatim(ctx: &mut Ctx) {
        let port = new_port();
        let payload = zx_packet_user_t {
            u64: [0x0123_4567_89AB_CDEF, u64::MAX, 0, 0xFEED_F00D],
        };
        let mut packet = zx_port_packet_t::new_user(0xDEAD_BEEF_0000_0001, -3, payload);
        packet.packet_type = ZX_PKT_TYPE_USER + 5;
        assert_eq!(zx_port_queue(port, &packet), ZX_OK);
        packet.packet_type = ZX_PKT_TYPE_SIGNAL_ONE;
        assert_eq!(zx_port_queue(port, &packet), ZX_OK);
        for _ in 0..2 {
            let got = poll(port).expect("a queued packet");
            assert_eq!(got.packet_type, ZX_PKT_TYPE_USER);
            assert_eq!(got.key, 0xDEAD_BEEF_0000_0001);
            assert_eq!(got.status, -3);
            assert_eq!(got.user(), payload);
            assert_eq!(got.union, packet.union);
        }
        close_all(&[port]);
        ctx.assert_clean();
    }

    fn capacity_4097_fit_4098th_should_wait(ctx: &mut Ctx) {
        let port = new_port();
        for key in 0..4097u64 {
            assert_eq!(
                zx_port_queue(port, &user_packet(key)),
                ZX_OK,
                "user packet #{}",
                key + 1
            );
        }
        assert!(
            ctx.process.policy_exceptions().is_empty(),
            "no exception while it fits"
        );
        assert_eq!(zx_port_queue(port, &user_packet(4097)), ZX_ERR_SHOULD_WAIT);
        assert_eq!(
            ctx.process.policy_exceptions(),
            vec![PolicyException::PortTooManyPackets]
        );
        // Dequeuing one makes room for exactly one more.
        assert_eq!(poll(port).map(|p| p.key), Ok(0));
        assert_eq!(zx_port_queue(port, &user_packet(5000)), ZX_OK);
        assert_eq!(zx_port_queue(port, &user_packet(5001)), ZX_ERR_SHOULD_WAIT);
        assert_eq!(ctx.process.policy_exceptions().len(), 2);
        let rest = keys(&drain(port));
        assert_eq!(rest.len(), 4097);
        assert_eq!(rest[0], 1);
        assert_eq!(rest[4095], 4096);
        assert_eq!(rest[4096], 5000, "the refused packets were never queued");
        close_all(&[port]);
        ctx.assert_clean();
    }

    fn signal_packets_do_not_count_when_full(ctx: &mut Ctx) {
        let port = new_port();
        let event = new_event();
        for key in 0..4097u64 {
            assert_eq!(zx_port_queue(port, &user_packet(key)), ZX_OK);
        }
        assert_eq!(zx_port_queue(port, &user_packet(9999)), ZX_ERR_SHOULD_WAIT);
        assert_eq!(zx_object_signal(event, 0, ZX_EVENT_SIGNALED), ZX_OK);
        for key in 0..3u64 {
            assert_eq!(
                zx_object_wait_async(event, port, 10_000 + key, ZX_EVENT_SIGNALED, 0),
                ZX_OK
            );
        }
        let all = drain(port);
        assert_eq!(all.len(), 4100);
        assert!(all[4097..]
            .iter()
            .all(|p| p.packet_type == ZX_PKT_TYPE_SIGNAL_ONE));
        assert_eq!(keys(&all[4097..]), vec![10_000, 10_001, 10_002]);
        assert_eq!(
            ctx.process.policy_exceptions(),
            vec![PolicyException::PortTooManyPackets]
        );
        close_all(&[port, event]);
        ctx.assert_clean();
    }

    fn signal_packets_never_count(ctx: &mut Ctx) {
        let port = new_port();
        let event = new_event();
        assert_eq!(zx_object_signal(event, 0, ZX_USER_SIGNAL_0), ZX_OK);
        for key in 0..5000u64 {
            assert_eq!(
                zx_object_wait_async(event, port, key, ZX_USER_SIGNAL_0, 0),
                ZX_OK
            );
        }
        for key in 0..4097u64 {
            assert_eq!(
                zx_port_queue(port, &user_packet(100_000 + key)),
                ZX_OK,
                "user packet #{}",
                key + 1
            );
        }
        assert_eq!(zx_port_queue(port, &user_packet(1)), ZX_ERR_SHOULD_WAIT);
        assert_eq!(drain(port).len(), 5000 + 4097);
        assert_eq!(
            ctx.process.policy_exceptions(),
            vec![PolicyException::PortTooManyPackets]
        );
        close_all(&[port, event]);
        ctx.assert_clean();
    }
}

// ---- zx_port_wait ----

mod wait {
    use super::*;

    cases!["zx_port_wait";
        (handle_checks, "§6 zx_port_wait: BAD_HANDLE → WRONG_TYPE (not a port) → ACCESS_DENIED (no READ)", Both),
        (read_right_suffices, "§6 zx_port_wait: needs only ZX_RIGHT_READ", Both),
        (one_fifo_for_user_and_signal_packets, "§6 zx_port_wait: one FIFO shared by user and signal packets, in enqueue order", Both),
        (past_deadline_polls, "§6 zx_port_wait: a past deadline returns a queued packet, else ZX_ERR_TIMED_OUT at once", Both),
        (times_out_at_deadline, "§6 zx_port_wait: blocks until the deadline, then ZX_ERR_TIMED_OUT", Both),
        (blocked_waiter_gets_later_packet, "§6 zx_port_wait: a blocked waiter returns the packet queued (or fired) after it blocked", Both),
        (each_packet_wakes_one_waiter, "§6/§15.13 zx_port_wait: each packet wakes exactly one of two blocked waiters", Both),
        (dequeued_packet_is_gone, "§6 zx_port_wait: a packet is returned once", Both),
    ];

    fn handle_checks(ctx: &mut Ctx) {
        let port = new_port();
        let event = new_event();
        let no_read = dup(port, ZX_RIGHT_WRITE | ZX_RIGHT_DUPLICATE);
        assert_eq!(zx_port_queue(port, &user_packet(1)), ZX_OK);
        let mut packet = zx_port_packet_t::default();
        assert_eq!(
            zx_port_wait(ZX_HANDLE_INVALID, 0, &mut packet),
            ZX_ERR_BAD_HANDLE
        );
        assert_eq!(
            zx_port_wait(stale_handle(), 0, &mut packet),
            ZX_ERR_BAD_HANDLE
        );
        assert_eq!(zx_port_wait(event, 0, &mut packet), ZX_ERR_WRONG_TYPE);
        assert_eq!(zx_port_wait(no_read, 0, &mut packet), ZX_ERR_ACCESS_DENIED);
        assert_eq!(
            packet,
            zx_port_packet_t::default(),
            "no packet written on failure"
        );
        assert_eq!(
            poll(port).map(|p| p.key),
            Ok(1),
            "the failures dequeued nothing"
        );
        close_all(&[port, event, no_read]);
        ctx.assert_clean();
    }

    fn read_right_suffices(ctx: &mut Ctx) {
        let port = new_port();
        let read_only = dup(port, ZX_RIGHT_READ);
        assert_eq!(zx_port_queue(port, &user_packet(3)), ZX_OK);
        assert_eq!(poll(read_only).map(|p| p.key), Ok(3));
        close_all(&[port, read_only]);
        ctx.assert_clean();
    }

    fn one_fifo_for_user_and_signal_packets(ctx: &mut Ctx) {
        let port = new_port();
        let (e1, e2) = (new_event(), new_event());
        assert_eq!(
            zx_object_wait_async(e1, port, 2, ZX_USER_SIGNAL_0, 0),
            ZX_OK
        );
        assert_eq!(
            zx_object_wait_async(e2, port, 4, ZX_USER_SIGNAL_0, 0),
            ZX_OK
        );
        assert_eq!(zx_port_queue(port, &user_packet(1)), ZX_OK);
        assert_eq!(zx_object_signal(e1, 0, ZX_USER_SIGNAL_0), ZX_OK);
        assert_eq!(zx_port_queue(port, &user_packet(3)), ZX_OK);
        assert_eq!(zx_object_signal(e2, 0, ZX_USER_SIGNAL_0), ZX_OK);
        assert_eq!(zx_port_queue(port, &user_packet(5)), ZX_OK);
        let all = drain(port);
        assert_eq!(keys(&all), vec![1, 2, 3, 4, 5]);
        let types: Vec<u32> = all.iter().map(|p| p.packet_type).collect();
        assert_eq!(
            types,
            vec![
                ZX_PKT_TYPE_USER,
                ZX_PKT_TYPE_SIGNAL_ONE,
                ZX_PKT_TYPE_USER,
                ZX_PKT_TYPE_SIGNAL_ONE,
                ZX_PKT_TYPE_USER
            ]
        );
        close_all(&[port, e1, e2]);
        ctx.assert_clean();
    }

    fn past_deadline_polls(ctx: &mut Ctx) {
        let port = new_port();
        let mut packet = zx_port_packet_t::default();
        assert_eq!(
            zx_port_wait(port, ZX_TIME_INFINITE_PAST, &mut packet),
            ZX_ERR_TIMED_OUT
        );
        assert_eq!(zx_port_wait(port, 0, &mut packet), ZX_ERR_TIMED_OUT);
        ctx.kernel.advance_clock(500);
        assert_eq!(zx_port_wait(port, 499, &mut packet), ZX_ERR_TIMED_OUT);
        assert_eq!(zx_port_wait(port, 500, &mut packet), ZX_ERR_TIMED_OUT);
        assert_eq!(zx_port_queue(port, &user_packet(8)), ZX_OK);
        assert_eq!(
            zx_port_wait(port, ZX_TIME_INFINITE_PAST, &mut packet),
            ZX_OK
        );
        assert_eq!(packet.key, 8);
        assert_eq!(
            ctx.kernel.clock().now(),
            500,
            "polling never moves the clock"
        );
        close_all(&[port]);
        ctx.assert_clean();
    }

    fn times_out_at_deadline(ctx: &mut Ctx) {
        let port = new_port();
        let (tx, rx) = mpsc::channel();
        let waiter = ctx.process.spawn(move || {
            let mut packet = zx_port_packet_t::default();
            tx.send(zx_port_wait(port, 1_000, &mut packet)).unwrap();
        });
        await_deadline(ctx, 1_000);
        ctx.kernel.advance_clock(999);
        assert!(
            rx.try_recv().is_err(),
            "still blocked one nanosecond before the deadline"
        );
        ctx.kernel.advance_clock(1);
        assert_eq!(rx.recv().unwrap(), ZX_ERR_TIMED_OUT);
        waiter.join().unwrap();
        assert_eq!(ctx.kernel.clock().next_deadline(), None);
        close_all(&[port]);
        ctx.assert_clean();
    }

    fn blocked_waiter_gets_later_packet(ctx: &mut Ctx) {
        let port = new_port();
        let event = new_event();
        for (deadline, key) in [(1_000, 11u64), (2_000, 12)] {
            let waiter = ctx.process.spawn(move || {
                let mut packet = zx_port_packet_t::default();
                (zx_port_wait(port, deadline, &mut packet), packet)
            });
            await_deadline(ctx, deadline);
            if key == 11 {
                assert_eq!(zx_port_queue(port, &user_packet(key)), ZX_OK);
            } else {
                assert_eq!(
                    zx_object_wait_async(event, port, key, ZX_USER_SIGNAL_1, 0),
                    ZX_OK
                );
                assert_eq!(zx_object_signal(event, 0, ZX_USER_SIGNAL_1), ZX_OK);
            }
            let (status, packet) = waiter.join().unwrap();
            assert_eq!((status, packet.key), (ZX_OK, key));
        }
        assert!(
            ctx.kernel.clock().now() < 1_000,
            "woken by the packets, not the deadlines"
        );
        close_all(&[port, event]);
        ctx.assert_clean();
    }

    fn each_packet_wakes_one_waiter(ctx: &mut Ctx) {
        let port = new_port();
        let (tx, rx) = mpsc::channel();
        let mut threads = Vec::new();
        // Distinct deadlines let the test see each waiter register before it blocks.
        for (name, deadline) in [("a", 10_000i64), ("b", 5_000)] {
            let tx = tx.clone();
            threads.push(ctx.process.spawn(move || {
                let mut packet = zx_port_packet_t::default();
                let status = zx_port_wait(port, deadline, &mut packet);
                tx.send((name, status, packet.key)).unwrap();
            }));
            await_deadline(ctx, deadline);
        }
        assert_eq!(zx_port_queue(port, &user_packet(1)), ZX_OK);
        let first = rx.recv().unwrap();
        assert_eq!((first.1, first.2), (ZX_OK, 1));
        assert_eq!(
            poll(port),
            Err(ZX_ERR_TIMED_OUT),
            "the packet went to exactly one waiter"
        );
        assert!(rx.try_recv().is_err(), "the other waiter is still blocked");
        assert_eq!(zx_port_queue(port, &user_packet(2)), ZX_OK);
        let second = rx.recv().unwrap();
        assert_eq!((second.1, second.2), (ZX_OK, 2));
        assert_ne!(first.0, second.0, "one packet per waiter");
        for thread in threads {
            thread.join().unwrap();
        }
        close_all(&[port]);
        ctx.assert_clean();
    }

    fn dequeued_packet_is_gone(ctx: &mut Ctx) {
        let port = new_port();
        assert_eq!(zx_port_queue(port, &user_packet(6)), ZX_OK);
        assert_eq!(poll(port).map(|p| p.key), Ok(6));
        assert_eq!(poll(port), Err(ZX_ERR_TIMED_OUT));
        close_all(&[port]);
        ctx.assert_clean();
    }
}

// ---- zx_port_cancel ----

mod cancel {
    use super::*;

    cases!["zx_port_cancel";
        (port_handle_checks, "§6 zx_port_cancel: port BAD_HANDLE → WRONG_TYPE → ACCESS_DENIED (no WRITE)", Both),
        (port_checked_before_source, "§6 zx_port_cancel: the port's error is reported before the source's", Both),
        (source_checks, "§6/§12.2 zx_port_cancel: source BAD_HANDLE; source without ZX_RIGHT_WAIT (not WRITE) ⇒ ACCESS_DENIED; a port as source ⇒ ACCESS_DENIED", Both),
        (cancels_pending_wait, "§6 zx_port_cancel: ends the pending wait with (source, key): OK, and the signal then queues nothing", Both),
        (removes_queued_signal_packet, "§6 zx_port_cancel: removes an already-queued signal packet from the source with the key", Both),
        (not_found_after_dequeue, "§6 zx_port_cancel (core test CancelEventKey): ZX_ERR_NOT_FOUND once the packet was dequeued", Both),
        (key_must_match, "§6 zx_port_cancel: a different key matches nothing ⇒ ZX_ERR_NOT_FOUND, the wait still fires", Both),
        (cancel_event_key_after, "§13.2.5 zx_port_cancel (core test CancelEventKeyAfter): key 3 on two events; cancel(ev1,3) and then cancel(ev2,3) both OK", Both),
        (user_packets_never_match, "§6 zx_port_cancel: user packets never match (they have no source)", Both),
        (other_port_untouched, "§6 zx_port_cancel: only the given port's waits and packets match", Both),
    ];

    fn port_handle_checks(ctx: &mut Ctx) {
        let port = new_port();
        let event = new_event();
        let no_write = dup(port, ZX_RIGHT_READ | ZX_RIGHT_DUPLICATE);
        assert_eq!(
            zx_object_wait_async(event, port, 1, ZX_USER_SIGNAL_0, 0),
            ZX_OK
        );
        assert_eq!(
            zx_port_cancel(ZX_HANDLE_INVALID, event, 1),
            ZX_ERR_BAD_HANDLE
        );
        assert_eq!(zx_port_cancel(stale_handle(), event, 1), ZX_ERR_BAD_HANDLE);
        assert_eq!(zx_port_cancel(event, event, 1), ZX_ERR_WRONG_TYPE);
        assert_eq!(zx_port_cancel(no_write, event, 1), ZX_ERR_ACCESS_DENIED);
        assert_eq!(
            port_observers(ctx, port),
            1,
            "the failures cancelled nothing"
        );
        close_all(&[port, event, no_write]);
        ctx.assert_clean();
    }

    fn port_checked_before_source(ctx: &mut Ctx) {
        let port = new_port();
        let event = new_event();
        let no_write = dup(port, ZX_RIGHT_READ);
        let no_wait = dup(event, ZX_RIGHT_SIGNAL | ZX_RIGHT_DUPLICATE);
        assert_eq!(
            zx_port_cancel(ZX_HANDLE_INVALID, no_wait, 1),
            ZX_ERR_BAD_HANDLE
        );
        assert_eq!(
            zx_port_cancel(event, ZX_HANDLE_INVALID, 1),
            ZX_ERR_WRONG_TYPE
        );
        assert_eq!(
            zx_port_cancel(no_write, ZX_HANDLE_INVALID, 1),
            ZX_ERR_ACCESS_DENIED
        );
        assert_eq!(zx_port_cancel(no_write, no_wait, 1), ZX_ERR_ACCESS_DENIED);
        close_all(&[port, event, no_write, no_wait]);
        ctx.assert_clean();
    }

    fn source_checks(ctx: &mut Ctx) {
        let port = new_port();
        let event = new_event();
        let no_wait = dup(event, ZX_DEFAULT_EVENT_RIGHTS & !ZX_RIGHT_WAIT);
        let wait_only = dup(event, ZX_RIGHT_WAIT);
        assert_eq!(
            zx_object_wait_async(event, port, 1, ZX_USER_SIGNAL_0, 0),
            ZX_OK
        );
        assert_eq!(
            zx_port_cancel(port, ZX_HANDLE_INVALID, 1),
            ZX_ERR_BAD_HANDLE
        );
        assert_eq!(zx_port_cancel(port, stale_handle(), 1), ZX_ERR_BAD_HANDLE);
        assert_eq!(zx_port_cancel(port, no_wait, 1), ZX_ERR_ACCESS_DENIED);
        assert_eq!(zx_port_cancel(port, port, 1), ZX_ERR_ACCESS_DENIED);
        assert_eq!(
            port_observers(ctx, port),
            1,
            "the failures cancelled nothing"
        );
        // WAIT alone is enough for the source (nothing to cancel through this handle).
        let status = zx_port_cancel(port, wait_only, 99);
        assert_eq!(status, ZX_ERR_NOT_FOUND);
        close_all(&[port, event, no_wait, wait_only]);
        ctx.assert_clean();
    }

    fn cancels_pending_wait(ctx: &mut Ctx) {
        let port = new_port();
        let event = new_event();
        assert_eq!(
            zx_object_wait_async(event, port, 5, ZX_EVENT_SIGNALED, 0),
            ZX_OK
        );
        assert_eq!(observers(ctx, event), 1);
        assert_eq!(zx_port_cancel(port, event, 5), ZX_OK);
        assert_eq!(observers(ctx, event), 0);
        assert_eq!(port_observers(ctx, port), 0);
        assert_eq!(zx_object_signal(event, 0, ZX_EVENT_SIGNALED), ZX_OK);
        assert_eq!(poll(port), Err(ZX_ERR_TIMED_OUT));
        assert_eq!(zx_port_cancel(port, event, 5), ZX_ERR_NOT_FOUND);
        close_all(&[port, event]);
        ctx.assert_clean();
    }

    fn removes_queued_signal_packet(ctx: &mut Ctx) {
        let port = new_port();
        let event = new_event();
        assert_eq!(zx_object_signal(event, 0, ZX_EVENT_SIGNALED), ZX_OK);
        assert_eq!(
            zx_object_wait_async(event, port, 5, ZX_EVENT_SIGNALED, 0),
            ZX_OK
        );
        assert_eq!(zx_port_queue(port, &user_packet(6)), ZX_OK);
        assert_eq!(zx_port_cancel(port, event, 5), ZX_OK);
        assert_eq!(keys(&drain(port)), vec![6], "only the user packet is left");
        close_all(&[port, event]);
        ctx.assert_clean();
    }

    fn not_found_after_dequeue(ctx: &mut Ctx) {
        let port = new_port();
        let event = new_event();
        assert_eq!(
            zx_object_wait_async(event, port, 5, ZX_EVENT_SIGNALED, 0),
            ZX_OK
        );
        assert_eq!(zx_object_signal(event, 0, ZX_EVENT_SIGNALED), ZX_OK);
        assert_eq!(poll(port).map(|p| p.key), Ok(5));
        assert_eq!(zx_port_cancel(port, event, 5), ZX_ERR_NOT_FOUND);
        close_all(&[port, event]);
        ctx.assert_clean();
    }

    fn key_must_match(ctx: &mut Ctx) {
        let port = new_port();
        let event = new_event();
        assert_eq!(
            zx_object_wait_async(event, port, 5, ZX_EVENT_SIGNALED, 0),
            ZX_OK
        );
        assert_eq!(zx_port_cancel(port, event, 6), ZX_ERR_NOT_FOUND);
        assert_eq!(zx_object_signal(event, 0, ZX_EVENT_SIGNALED), ZX_OK);
        assert_eq!(poll(port).map(|p| p.key), Ok(5));
        close_all(&[port, event]);
        ctx.assert_clean();
    }

    fn cancel_event_key_after(ctx: &mut Ctx) {
        let port = new_port();
        let (e1, e2, e3) = (new_event(), new_event(), new_event());
        assert_eq!(
            zx_object_wait_async(e1, port, 3, ZX_EVENT_SIGNALED, 0),
            ZX_OK
        );
        assert_eq!(
            zx_object_wait_async(e2, port, 3, ZX_EVENT_SIGNALED, 0),
            ZX_OK
        );
        assert_eq!(
            zx_object_wait_async(e3, port, 4, ZX_EVENT_SIGNALED, 0),
            ZX_OK
        );
        assert_eq!(zx_port_cancel(port, e1, 3), ZX_OK);
        assert_eq!(
            observers(ctx, e2),
            1,
            "the same key on another object is not cancelled"
        );
        assert_eq!(zx_port_cancel(port, e2, 3), ZX_OK);
        for event in [e1, e2, e3] {
            assert_eq!(zx_object_signal(event, 0, ZX_EVENT_SIGNALED), ZX_OK);
        }
        assert_eq!(keys(&drain(port)), vec![4]);
        close_all(&[port, e1, e2, e3]);
        ctx.assert_clean();
    }

    fn user_packets_never_match(ctx: &mut Ctx) {
        let port = new_port();
        let event = new_event();
        assert_eq!(zx_port_queue(port, &user_packet(5)), ZX_OK);
        assert_eq!(
            zx_port_cancel(port, event, 5),
            ZX_ERR_NOT_FOUND,
            "zx_port_cancel with only a user packet under the key"
        );
        assert_eq!(
            keys(&drain(port)),
            vec![5],
            "the user packet is still queued"
        );
        close_all(&[port, event]);
        ctx.assert_clean();
    }

    fn other_port_untouched(ctx: &mut Ctx) {
        let (p1, p2) = (new_port(), new_port());
        let event = new_event();
        assert_eq!(
            zx_object_wait_async(event, p1, 5, ZX_EVENT_SIGNALED, 0),
            ZX_OK
        );
        assert_eq!(zx_port_cancel(p2, event, 5), ZX_ERR_NOT_FOUND);
        assert_eq!(zx_object_signal(event, 0, ZX_EVENT_SIGNALED), ZX_OK);
        assert_eq!(poll(p1).map(|p| p.key), Ok(5));
        close_all(&[p1, p2, event]);
        ctx.assert_clean();
    }
}

// ---- zx_port_cancel_key ----

mod cancel_key {
    use super::*;

    cases!["zx_port_cancel_key";
        (options_checked_before_handle, "§6 zx_port_cancel_key: options ≠ 0 ⇒ ZX_ERR_INVALID_ARGS, before the handle is looked at; nothing cancelled", Both),
        (handle_checks, "§6 zx_port_cancel_key: BAD_HANDLE → WRONG_TYPE → ACCESS_DENIED (no WRITE)", Both),
        (cancels_waits_with_key_on_any_object, "§6/§13.2.4 zx_port_cancel_key: ends every pending wait with the key, on any object; other keys stay", Both),
        (removes_queued_packets_with_key_incl_user, "§6/§13.3/§15.3 zx_port_cancel_key: removes every queued packet with the key, user packets included", Both),
        (removed_user_packets_free_their_room, "§6/§15.1 zx_port_cancel_key: user packets it removes no longer count toward the 4097 a port takes", Both),
        (cancel_key_core_test, "§6 zx_port_cancel_key (core test CancelKey): one fired + one pending wait with key 2 ⇒ OK removes both; again ⇒ NOT_FOUND; the signal then queues nothing", Both),
        (nothing_with_key_not_found, "§6 zx_port_cancel_key: nothing pending or queued with the key ⇒ ZX_ERR_NOT_FOUND", Both),
        (ignores_registering_handle, "§13.2.4 zx_port_cancel_key: cancels waits whatever handle registered them (incl. closed ones)", Both),
    ];

    fn options_checked_before_handle(ctx: &mut Ctx) {
        let port = new_port();
        let event = new_event();
        assert_eq!(
            zx_object_wait_async(event, port, 7, ZX_USER_SIGNAL_0, 0),
            ZX_OK
        );
        for options in [1, 2, 0x8000_0000, u32::MAX] {
            assert_eq!(
                zx_port_cancel_key(ZX_HANDLE_INVALID, options, 7),
                ZX_ERR_INVALID_ARGS
            );
            assert_eq!(zx_port_cancel_key(event, options, 7), ZX_ERR_INVALID_ARGS);
            assert_eq!(zx_port_cancel_key(port, options, 7), ZX_ERR_INVALID_ARGS);
        }
        assert_eq!(port_observers(ctx, port), 1, "nothing was cancelled");
        assert_eq!(zx_object_signal(event, 0, ZX_USER_SIGNAL_0), ZX_OK);
        assert_eq!(poll(port).map(|p| p.key), Ok(7));
        close_all(&[port, event]);
        ctx.assert_clean();
    }

    fn handle_checks(ctx: &mut Ctx) {
        let port = new_port();
        let event = new_event();
        let no_write = dup(port, ZX_RIGHT_READ | ZX_RIGHT_TRANSFER);
        assert_eq!(zx_port_queue(port, &user_packet(7)), ZX_OK);
        assert_eq!(
            zx_port_cancel_key(ZX_HANDLE_INVALID, 0, 7),
            ZX_ERR_BAD_HANDLE
        );
        assert_eq!(zx_port_cancel_key(stale_handle(), 0, 7), ZX_ERR_BAD_HANDLE);
        assert_eq!(zx_port_cancel_key(event, 0, 7), ZX_ERR_WRONG_TYPE);
        assert_eq!(zx_port_cancel_key(no_write, 0, 7), ZX_ERR_ACCESS_DENIED);
        assert_eq!(keys(&drain(port)), vec![7], "the failures removed nothing");
        close_all(&[port, event, no_write]);
        ctx.assert_clean();
    }

    fn cancels_waits_with_key_on_any_object(ctx: &mut Ctx) {
        let port = new_port();
        let (e1, e2, e3) = (new_event(), new_event(), new_event());
        let mut pair = (ZX_HANDLE_INVALID, ZX_HANDLE_INVALID);
        assert_eq!(zx_eventpair_create(0, &mut pair.0, &mut pair.1), ZX_OK);
        assert_eq!(
            zx_object_wait_async(e1, port, 9, ZX_EVENT_SIGNALED, 0),
            ZX_OK
        );
        assert_eq!(
            zx_object_wait_async(e2, port, 9, ZX_USER_SIGNAL_3, ZX_WAIT_ASYNC_EDGE),
            ZX_OK
        );
        assert_eq!(
            zx_object_wait_async(e2, port, 9, ZX_USER_SIGNAL_4, 0),
            ZX_OK
        );
        assert_eq!(
            zx_object_wait_async(pair.0, port, 9, ZX_EVENTPAIR_PEER_CLOSED, 0),
            ZX_OK
        );
        assert_eq!(
            zx_object_wait_async(e3, port, 10, ZX_EVENT_SIGNALED, 0),
            ZX_OK
        );
        assert_eq!(port_observers(ctx, port), 5);
        assert_eq!(zx_port_cancel_key(port, 0, 9), ZX_OK);
        assert_eq!(port_observers(ctx, port), 1);
        for handle in [e1, e2, pair.0] {
            assert_eq!(observers(ctx, handle), 0, "detached from the object too");
        }
        assert_eq!(zx_object_signal(e1, 0, ZX_EVENT_SIGNALED), ZX_OK);
        assert_eq!(
            zx_object_signal(e2, 0, ZX_USER_SIGNAL_3 | ZX_USER_SIGNAL_4),
            ZX_OK
        );
        close_all(&[pair.1]);
        assert_eq!(zx_object_signal(e3, 0, ZX_EVENT_SIGNALED), ZX_OK);
        assert_eq!(keys(&drain(port)), vec![10]);
        close_all(&[port, e1, e2, e3, pair.0]);
        ctx.assert_clean();
    }

    fn removes_queued_packets_with_key_incl_user(ctx: &mut Ctx) {
        let port = new_port();
        let event = new_event();
        assert_eq!(zx_object_signal(event, 0, ZX_EVENT_SIGNALED), ZX_OK);
        assert_eq!(zx_port_queue(port, &user_packet(9)), ZX_OK);
        assert_eq!(zx_port_queue(port, &user_packet(10)), ZX_OK);
        assert_eq!(
            zx_object_wait_async(event, port, 9, ZX_EVENT_SIGNALED, 0),
            ZX_OK
        );
        assert_eq!(
            zx_object_wait_async(event, port, 10, ZX_EVENT_SIGNALED, 0),
            ZX_OK
        );
        assert_eq!(zx_port_queue(port, &user_packet(9)), ZX_OK);
        assert_eq!(zx_port_cancel_key(port, 0, 9), ZX_OK);
        let left = drain(port);
        assert_eq!(keys(&left), vec![10, 10]);
        assert_eq!(left[0].packet_type, ZX_PKT_TYPE_USER);
        assert_eq!(left[1].packet_type, ZX_PKT_TYPE_SIGNAL_ONE);
        assert_eq!(zx_port_cancel_key(port, 0, 9), ZX_ERR_NOT_FOUND);
        close_all(&[port, event]);
        ctx.assert_clean();
    }

    fn cancel_key_core_test(ctx: &mut Ctx) {
        let port = new_port();
        let (e1, e2) = (new_event(), new_event());
        assert_eq!(
            zx_object_wait_async(e1, port, 2, ZX_EVENT_SIGNALED, 0),
            ZX_OK
        );
        assert_eq!(
            zx_object_wait_async(e2, port, 2, ZX_EVENT_SIGNALED, 0),
            ZX_OK
        );
        assert_eq!(zx_object_signal(e1, 0, ZX_EVENT_SIGNALED), ZX_OK);
        assert_eq!(
            port_observers(ctx, port),
            1,
            "one fired into the queue, one pending"
        );
        assert_eq!(zx_port_cancel_key(port, 0, 2), ZX_OK);
        assert_eq!(zx_port_cancel_key(port, 0, 2), ZX_ERR_NOT_FOUND);
        assert_eq!(zx_object_signal(e2, 0, ZX_EVENT_SIGNALED), ZX_OK);
        let (tx, rx) = mpsc::channel();
        let waiter = ctx.process.spawn(move || {
            let mut packet = zx_port_packet_t::default();
            tx.send(zx_port_wait(port, 100, &mut packet)).unwrap();
        });
        await_deadline(ctx, 100);
        ctx.kernel.advance_clock(100);
        assert_eq!(rx.recv().unwrap(), ZX_ERR_TIMED_OUT);
        waiter.join().unwrap();
        close_all(&[port, e1, e2]);
        ctx.assert_clean();
    }

    fn removed_user_packets_free_their_room(ctx: &mut Ctx) {
        let port = new_port();
        let mut packet = user_packet(9);
        for _ in 0..4097 {
            assert_eq!(zx_port_queue(port, &packet), ZX_OK);
        }
        assert_eq!(zx_port_queue(port, &packet), ZX_ERR_SHOULD_WAIT, "full");
        assert_eq!(zx_port_cancel_key(port, 0, 9), ZX_OK);
        packet.key = 10;
        for n in 0..4097 {
            assert_eq!(
                zx_port_queue(port, &packet),
                ZX_OK,
                "user packet #{} after the cancel",
                n + 1
            );
        }
        assert_eq!(
            zx_port_queue(port, &packet),
            ZX_ERR_SHOULD_WAIT,
            "full again"
        );
        assert_eq!(drain(port).len(), 4097);
        close_all(&[port]);
        ctx.assert_clean();
    }

    fn nothing_with_key_not_found(ctx: &mut Ctx) {
        let port = new_port();
        let event = new_event();
        assert_eq!(zx_port_cancel_key(port, 0, 1), ZX_ERR_NOT_FOUND);
        assert_eq!(zx_port_queue(port, &user_packet(2)), ZX_OK);
        assert_eq!(
            zx_object_wait_async(event, port, 3, ZX_EVENT_SIGNALED, 0),
            ZX_OK
        );
        assert_eq!(zx_port_cancel_key(port, 0, 1), ZX_ERR_NOT_FOUND);
        assert_eq!(port_observers(ctx, port), 1);
        assert_eq!(keys(&drain(port)), vec![2]);
        close_all(&[port, event]);
        ctx.assert_clean();
    }

    fn ignores_registering_handle(ctx: &mut Ctx) {
        let port = new_port();
        let event = new_event();
        let d1 = dup(event, ZX_RIGHT_SAME_RIGHTS);
        let d2 = dup(event, ZX_RIGHT_SAME_RIGHTS);
        assert_eq!(
            zx_object_wait_async(d1, port, 4, ZX_USER_SIGNAL_0, 0),
            ZX_OK
        );
        assert_eq!(
            zx_object_wait_async(d2, port, 4, ZX_USER_SIGNAL_1, 0),
            ZX_OK
        );
        assert_eq!(zx_object_signal(event, 0, ZX_USER_SIGNAL_1), ZX_OK);
        close_all(&[d2]);
        assert_eq!(zx_port_cancel_key(port, 0, 4), ZX_OK);
        assert_eq!(observers(ctx, event), 0);
        assert_eq!(
            poll(port),
            Err(ZX_ERR_TIMED_OUT),
            "the queued packet from a closed handle is gone too"
        );
        close_all(&[port, event, d1]);
        ctx.assert_clean();
    }
}

// ---- closing a port ----

mod close {
    use super::*;

    cases!["zx_handle_close(port)";
        (last_handle_frees_packets_and_observers, "§6 port destruction: the last handle's close frees every queued packet and detaches every pending wait, with no packet", Both),
        (other_handle_keeps_port_alive, "§2.2/§6: closing one of two port handles changes nothing", Both),
        (does_not_wake_blocked_waiter, "§6/§15.13: closing the port's last handle does not wake a blocked zx_port_wait; it runs to its deadline", Both),
    ];

    fn last_handle_frees_packets_and_observers(ctx: &mut Ctx) {
        let port = new_port();
        let (e1, e2) = (new_event(), new_event());
        assert_eq!(zx_port_queue(port, &user_packet(1)), ZX_OK);
        assert_eq!(zx_object_signal(e2, 0, ZX_USER_SIGNAL_0), ZX_OK);
        assert_eq!(
            zx_object_wait_async(e2, port, 2, ZX_USER_SIGNAL_0, 0),
            ZX_OK
        );
        for key in 3..6 {
            assert_eq!(
                zx_object_wait_async(e1, port, key, ZX_USER_SIGNAL_1, 0),
                ZX_OK
            );
        }
        assert_eq!(
            zx_object_wait_async(e2, port, 6, ZX_USER_SIGNAL_1, ZX_WAIT_ASYNC_EDGE),
            ZX_OK
        );
        assert_eq!((observers(ctx, e1), observers(ctx, e2)), (3, 1));
        let port_object = object_of(&ctx.process, port);
        close_all(&[port]);
        let dead = port_object.downcast::<Port>().expect("a port");
        assert_eq!((dead.queued_packets(), dead.observer_count()), (0, 0));
        assert_eq!((observers(ctx, e1), observers(ctx, e2)), (0, 0));
        // Firing now has nowhere to go and must not fail.
        assert_eq!(zx_object_signal(e1, 0, ZX_USER_SIGNAL_1), ZX_OK);
        assert_eq!(zx_object_signal(e2, 0, ZX_USER_SIGNAL_1), ZX_OK);
        assert_eq!(dead.queued_packets(), 0);
        drop(port_object);
        assert_eq!(
            ctx.kernel.live_objects(),
            2,
            "the port object itself is gone"
        );
        close_all(&[e1, e2]);
        ctx.assert_clean();
    }

    fn other_handle_keeps_port_alive(ctx: &mut Ctx) {
        let port = new_port();
        let other = dup(port, ZX_RIGHT_SAME_RIGHTS);
        let event = new_event();
        assert_eq!(zx_port_queue(port, &user_packet(1)), ZX_OK);
        assert_eq!(
            zx_object_wait_async(event, port, 2, ZX_USER_SIGNAL_0, 0),
            ZX_OK
        );
        close_all(&[port]);
        assert_eq!(port_observers(ctx, other), 1);
        assert_eq!(zx_object_signal(event, 0, ZX_USER_SIGNAL_0), ZX_OK);
        assert_eq!(keys(&drain(other)), vec![1, 2]);
        close_all(&[other, event]);
        ctx.assert_clean();
    }

    fn does_not_wake_blocked_waiter(ctx: &mut Ctx) {
        let port = new_port();
        let (tx, rx) = mpsc::channel();
        let waiter = ctx.process.spawn(move || {
            let mut packet = zx_port_packet_t::default();
            tx.send(zx_port_wait(port, 1_000, &mut packet)).unwrap();
        });
        await_deadline(ctx, 1_000);
        close_all(&[port]);
        assert!(rx.try_recv().is_err(), "the close woke nobody");
        ctx.kernel.advance_clock(1_000);
        assert_eq!(rx.recv().unwrap(), ZX_ERR_TIMED_OUT);
        waiter.join().unwrap();
        ctx.assert_clean();
    }
}
