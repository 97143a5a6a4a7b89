//! Conformance cases for `zx_object_wait_async` (spec §5, with §2.4's signal engine and §15
//! items 5 and 6): argument checks in Zircon's order, level and edge mode, one-shot delivery,
//! packet contents, and the observer limit.
//!
//! What ends a pending wait besides firing and cancelling (handle close, replace...) depends on
//! the semantics profile and lives in `profiles.rs`.

use zxsim_kernel::PolicyException;
use zxsim_syscalls::sys::*;

use crate::harness::Ctx;
use crate::support::*;

cases!["zx_object_wait_async";
    (options_outside_mask_invalid_args, "§5 (1): options with a bit outside TIMESTAMP|EDGE|BOOT_TIMESTAMP (0x7) ⇒ ZX_ERR_INVALID_ARGS", Both),
    (both_timestamps_invalid_args, "§5 (2): TIMESTAMP together with BOOT_TIMESTAMP ⇒ ZX_ERR_INVALID_ARGS", Both),
    (options_checked_before_handles, "§5 (1)-(3): options are checked before either handle", Both),
    (all_valid_option_combinations_accepted, "§5/§1.7: 0, TIMESTAMP, EDGE, BOOT_TIMESTAMP and EDGE with either timestamp are accepted", Both),
    (bad_port_bad_handle, "§5 (3): a bad port handle ⇒ ZX_ERR_BAD_HANDLE", Both),
    (non_port_wrong_type, "§5 (4): a port argument that is not a port ⇒ ZX_ERR_WRONG_TYPE", Both),
    (port_without_write_access_denied, "§5 (5): a port handle without ZX_RIGHT_WRITE ⇒ ZX_ERR_ACCESS_DENIED; WRITE alone suffices", Both),
    (port_checked_before_object, "§5 (3)-(7): the port is checked before the object: with both bad, the port's error is reported", Both),
    (bad_object_bad_handle, "§5 (6): a bad object handle ⇒ ZX_ERR_BAD_HANDLE", Both),
    (object_without_wait_access_denied, "§5 (7): an object handle without ZX_RIGHT_WAIT ⇒ ZX_ERR_ACCESS_DENIED; WAIT alone suffices", Both),
    (port_as_object_access_denied, "§5 (7)/§1.4: a port as the waited object ⇒ ZX_ERR_ACCESS_DENIED (ports lack WAIT)", Both),
    (level_queues_during_call_if_active, "§5 level mode: a requested bit already active ⇒ the packet is queued during the call, no wait remains", Both),
    (level_fires_on_later_activation, "§5 level mode: otherwise the wait fires on the first later activation of a requested bit", Both),
    (any_requested_bit_fires, "§2.4/§5: the wait fires when any one of the requested bits becomes active", Both),
    (unrequested_bits_and_clearing_fire_nothing, "§2.4: raising an unrequested bit or clearing bits fires nothing", Both),
    (edge_ignores_already_active, "§5 EDGE: an already-active requested bit queues nothing at registration, and re-setting it fires nothing", Both),
    (edge_fires_on_later_transition, "§5 EDGE: fires when a requested bit goes inactive → active after the call", Both),
    (edge_quirk_other_bit_rising, "§2.4 quirk: an EDGE wait whose bit was already active fires when any other bit rises, observing the whole word", Both),
    (one_shot, "§5: each registration yields at most one packet; re-arming needs another call", Both),
    (identical_registrations_not_merged, "§5: two identical registrations are two waits ⇒ two packets", Both),
    (one_signal_fires_newest_first, "§2.4 (upstream PortTest.EventAsyncSignalWaitSingle): waits satisfied by one signal change fire newest first — their packets are queued in reverse registration order", Both),
    (packet_contents, "§5: packet = SIGNAL_ONE, status OK, key, trigger = requested, observed = all active signals, count 1, timestamp 0, reserved1 0", Both),
    (timestamp_is_fire_time, "§5: with ZX_WAIT_ASYNC_TIMESTAMP the timestamp is the monotonic time when the wait fired", Both),
    (boot_timestamp_is_fire_time, "§5: with ZX_WAIT_ASYNC_BOOT_TIMESTAMP the timestamp is the (boot) time when the wait fired", Both),
    (timestamp_of_immediate_packet_is_call_time, "§5: a level packet queued during the call carries the call's time", Both),
    (signals_zero_accepted_never_fires, "§5: signals == 0 is accepted and never fires", Both),
    (waits_on_different_ports_are_independent, "§5: waits on the same object through different ports each deliver to their own port", Both),
    (too_many_observers_exception_still_registers, "§5/§1.9: past 50 000 pending waits on a port, a registration raises PORT_TOO_MANY_OBSERVERS but is still registered (OK)", Both),
];

fn one_signal_fires_newest_first(ctx: &mut Ctx) {
    let (port, event) = (new_port(), new_event());
    for key in 0..7u64 {
        assert_eq!(
            zx_object_wait_async(event, port, key, ZX_EVENT_SIGNALED, 0),
            ZX_OK
        );
    }
    assert_eq!(zx_object_signal(event, 0, ZX_EVENT_SIGNALED), ZX_OK);
    let mut keys = Vec::new();
    let mut packet = zx_port_packet_t::default();
    while zx_port_wait(port, 0, &mut packet) == ZX_OK {
        keys.push(packet.key);
    }
    // Upstream checks the first five dequeued keys sum to 20 (6+5+4+3+2); the whole order is
    // fixed too.
    assert_eq!(keys[..5].iter().sum::<u64>(), 20);
    assert_eq!(keys, vec![6, 5, 4, 3, 2, 1, 0]);
    for handle in [event, port] {
        assert_eq!(zx_handle_close(handle), ZX_OK);
    }
    ctx.assert_clean();
}

/// Asserts the port holds exactly one packet, a signal packet with this key, and returns its
/// signal part.
fn one_signal_packet(port: zx_handle_t, key: u64) -> zx_packet_signal_t {
    let packet = poll(port).expect("a packet");
    assert_eq!(packet.key, key);
    assert_eq!(packet.packet_type, ZX_PKT_TYPE_SIGNAL_ONE);
    assert_eq!(packet.status, ZX_OK);
    assert_eq!(poll(port), Err(ZX_ERR_TIMED_OUT), "exactly one packet");
    packet.signal()
}

fn options_outside_mask_invalid_args(ctx: &mut Ctx) {
    let (port, event) = (new_port(), new_event());
    for options in [0x8, 0x10, 0x8000_0000, 0x8 | ZX_WAIT_ASYNC_EDGE, !0x5] {
        assert_eq!(
            zx_object_wait_async(event, port, 1, ZX_USER_SIGNAL_0, options),
            ZX_ERR_INVALID_ARGS,
            "options {options:#x}"
        );
    }
    assert_eq!(observers(ctx, event), 0);
    assert_eq!(zx_object_signal(event, 0, ZX_USER_SIGNAL_0), ZX_OK);
    assert_eq!(poll(port), Err(ZX_ERR_TIMED_OUT));
    close_all(&[port, event]);
    ctx.assert_clean();
}

fn both_timestamps_invalid_args(ctx: &mut Ctx) {
    let (port, event) = (new_port(), new_event());
    assert_eq!(zx_object_signal(event, 0, ZX_USER_SIGNAL_0), ZX_OK);
    let both = ZX_WAIT_ASYNC_TIMESTAMP | ZX_WAIT_ASYNC_BOOT_TIMESTAMP;
    for options in [both, both | ZX_WAIT_ASYNC_EDGE] {
        assert_eq!(
            zx_object_wait_async(event, port, 1, ZX_USER_SIGNAL_0, options),
            ZX_ERR_INVALID_ARGS,
            "options {options:#x}"
        );
    }
    assert_eq!(poll(port), Err(ZX_ERR_TIMED_OUT), "nothing queued");
    close_all(&[port, event]);
    ctx.assert_clean();
}

fn options_checked_before_handles(ctx: &mut Ctx) {
    let event = new_event();
    let stale = stale_handle();
    for options in [0x8, ZX_WAIT_ASYNC_TIMESTAMP | ZX_WAIT_ASYNC_BOOT_TIMESTAMP] {
        assert_eq!(
            zx_object_wait_async(stale, stale, 1, 0, options),
            ZX_ERR_INVALID_ARGS
        );
        assert_eq!(
            zx_object_wait_async(ZX_HANDLE_INVALID, event, 1, 0, options),
            ZX_ERR_INVALID_ARGS
        );
    }
    close_all(&[event]);
    ctx.assert_clean();
}

fn all_valid_option_combinations_accepted(ctx: &mut Ctx) {
    let (port, event) = (new_port(), new_event());
    let valid = [
        ZX_WAIT_ASYNC_ONCE,
        ZX_WAIT_ASYNC_TIMESTAMP,
        ZX_WAIT_ASYNC_EDGE,
        ZX_WAIT_ASYNC_BOOT_TIMESTAMP,
        ZX_WAIT_ASYNC_EDGE | ZX_WAIT_ASYNC_TIMESTAMP,
        ZX_WAIT_ASYNC_EDGE | ZX_WAIT_ASYNC_BOOT_TIMESTAMP,
    ];
    for (key, options) in valid.into_iter().enumerate() {
        assert_eq!(
            zx_object_wait_async(event, port, key as u64, ZX_USER_SIGNAL_0, options),
            ZX_OK,
            "options {options:#x}"
        );
    }
    assert_eq!(port_observers(ctx, port), valid.len());
    assert_eq!(zx_object_signal(event, 0, ZX_USER_SIGNAL_0), ZX_OK);
    assert_eq!(drain(port).len(), valid.len());
    close_all(&[port, event]);
    ctx.assert_clean();
}

fn bad_port_bad_handle(ctx: &mut Ctx) {
    let event = new_event();
    for port in [ZX_HANDLE_INVALID, stale_handle(), 0x7FFF_FFFF] {
        assert_eq!(
            zx_object_wait_async(event, port, 1, ZX_USER_SIGNAL_0, 0),
            ZX_ERR_BAD_HANDLE,
            "port {port:#x}"
        );
    }
    assert_eq!(observers(ctx, event), 0);
    close_all(&[event]);
    ctx.assert_clean();
}

fn non_port_wrong_type(ctx: &mut Ctx) {
    let event = new_event();
    let mut pair = (ZX_HANDLE_INVALID, ZX_HANDLE_INVALID);
    assert_eq!(zx_eventpair_create(0, &mut pair.0, &mut pair.1), ZX_OK);
    assert_eq!(
        zx_object_wait_async(event, event, 1, ZX_USER_SIGNAL_0, 0),
        ZX_ERR_WRONG_TYPE
    );
    assert_eq!(
        zx_object_wait_async(event, pair.0, 1, ZX_USER_SIGNAL_0, 0),
        ZX_ERR_WRONG_TYPE
    );
    // WRONG_TYPE wins over a missing right.
    let weak = dup(event, ZX_RIGHT_DUPLICATE);
    assert_eq!(
        zx_object_wait_async(event, weak, 1, ZX_USER_SIGNAL_0, 0),
        ZX_ERR_WRONG_TYPE
    );
    assert_eq!(observers(ctx, event), 0);
    close_all(&[event, pair.0, pair.1, weak]);
    ctx.assert_clean();
}

fn port_without_write_access_denied(ctx: &mut Ctx) {
    let (port, event) = (new_port(), new_event());
    let no_write = dup(port, ZX_DEFAULT_PORT_RIGHTS & !ZX_RIGHT_WRITE);
    let write_only = dup(port, ZX_RIGHT_WRITE);
    assert_eq!(
        zx_object_wait_async(event, no_write, 1, ZX_USER_SIGNAL_0, 0),
        ZX_ERR_ACCESS_DENIED
    );
    assert_eq!(observers(ctx, event), 0);
    assert_eq!(
        zx_object_wait_async(event, write_only, 2, ZX_USER_SIGNAL_0, 0),
        ZX_OK
    );
    assert_eq!(zx_object_signal(event, 0, ZX_USER_SIGNAL_0), ZX_OK);
    one_signal_packet(port, 2);
    close_all(&[port, event, no_write, write_only]);
    ctx.assert_clean();
}

fn port_checked_before_object(ctx: &mut Ctx) {
    let (port, event) = (new_port(), new_event());
    let no_write = dup(port, ZX_RIGHT_READ);
    let no_wait = dup(event, ZX_RIGHT_SIGNAL);
    let stale = stale_handle();
    // (port error, object error) ⇒ the port's.
    assert_eq!(
        zx_object_wait_async(stale, stale, 1, 1, 0),
        ZX_ERR_BAD_HANDLE
    );
    assert_eq!(
        zx_object_wait_async(no_wait, ZX_HANDLE_INVALID, 1, 1, 0),
        ZX_ERR_BAD_HANDLE
    );
    assert_eq!(
        zx_object_wait_async(stale, event, 1, 1, 0),
        ZX_ERR_WRONG_TYPE
    );
    assert_eq!(
        zx_object_wait_async(port, event, 1, 1, 0),
        ZX_ERR_WRONG_TYPE
    );
    assert_eq!(
        zx_object_wait_async(stale, no_write, 1, 1, 0),
        ZX_ERR_ACCESS_DENIED
    );
    assert_eq!(
        zx_object_wait_async(no_wait, no_write, 1, 1, 0),
        ZX_ERR_ACCESS_DENIED
    );
    // With a good port, the object's own error shows.
    assert_eq!(
        zx_object_wait_async(stale, port, 1, 1, 0),
        ZX_ERR_BAD_HANDLE
    );
    assert_eq!(
        zx_object_wait_async(no_wait, port, 1, 1, 0),
        ZX_ERR_ACCESS_DENIED
    );
    close_all(&[port, event, no_write, no_wait]);
    ctx.assert_clean();
}

fn bad_object_bad_handle(ctx: &mut Ctx) {
    let port = new_port();
    for object in [ZX_HANDLE_INVALID, stale_handle(), 0x7FFF_FFFF] {
        assert_eq!(
            zx_object_wait_async(object, port, 1, ZX_USER_SIGNAL_0, 0),
            ZX_ERR_BAD_HANDLE,
            "object {object:#x}"
        );
    }
    assert_eq!(port_observers(ctx, port), 0);
    close_all(&[port]);
    ctx.assert_clean();
}

fn object_without_wait_access_denied(ctx: &mut Ctx) {
    let (port, event) = (new_port(), new_event());
    let no_wait = dup(event, ZX_DEFAULT_EVENT_RIGHTS & !ZX_RIGHT_WAIT);
    let wait_only = dup(event, ZX_RIGHT_WAIT);
    assert_eq!(
        zx_object_wait_async(no_wait, port, 1, ZX_USER_SIGNAL_0, 0),
        ZX_ERR_ACCESS_DENIED
    );
    assert_eq!(observers(ctx, event), 0);
    assert_eq!(
        zx_object_wait_async(wait_only, port, 2, ZX_USER_SIGNAL_0, 0),
        ZX_OK
    );
    assert_eq!(zx_object_signal(event, 0, ZX_USER_SIGNAL_0), ZX_OK);
    one_signal_packet(port, 2);
    close_all(&[port, event, no_wait, wait_only]);
    ctx.assert_clean();
}

fn port_as_object_access_denied(ctx: &mut Ctx) {
    let (port, other) = (new_port(), new_port());
    assert_eq!(
        zx_object_wait_async(port, port, 1, ZX_USER_SIGNAL_0, 0),
        ZX_ERR_ACCESS_DENIED
    );
    assert_eq!(
        zx_object_wait_async(other, port, 1, ZX_USER_SIGNAL_0, 0),
        ZX_ERR_ACCESS_DENIED
    );
    assert_eq!(port_observers(ctx, port), 0);
    close_all(&[port, other]);
    ctx.assert_clean();
}

fn level_queues_during_call_if_active(ctx: &mut Ctx) {
    let (port, event) = (new_port(), new_event());
    assert_eq!(zx_object_signal(event, 0, ZX_USER_SIGNAL_2), ZX_OK);
    assert_eq!(
        zx_object_wait_async(event, port, 3, ZX_USER_SIGNAL_2 | ZX_USER_SIGNAL_5, 0),
        ZX_OK
    );
    // Queued before any further signal change, and no wait left behind.
    assert_eq!(observers(ctx, event), 0);
    assert_eq!(port_observers(ctx, port), 0);
    let signal = one_signal_packet(port, 3);
    assert_eq!(signal.trigger, ZX_USER_SIGNAL_2 | ZX_USER_SIGNAL_5);
    assert_eq!(signal.observed, ZX_USER_SIGNAL_2);
    close_all(&[port, event]);
    ctx.assert_clean();
}

fn level_fires_on_later_activation(ctx: &mut Ctx) {
    let (port, event) = (new_port(), new_event());
    assert_eq!(
        zx_object_wait_async(event, port, 4, ZX_EVENT_SIGNALED, 0),
        ZX_OK
    );
    assert_eq!(poll(port), Err(ZX_ERR_TIMED_OUT));
    assert_eq!(observers(ctx, event), 1);
    assert_eq!(zx_object_signal(event, 0, ZX_EVENT_SIGNALED), ZX_OK);
    one_signal_packet(port, 4);
    assert_eq!(observers(ctx, event), 0);
    close_all(&[port, event]);
    ctx.assert_clean();
}

fn any_requested_bit_fires(ctx: &mut Ctx) {
    let (port, event) = (new_port(), new_event());
    let trigger = ZX_USER_SIGNAL_0 | ZX_USER_SIGNAL_1 | ZX_EVENT_SIGNALED;
    assert_eq!(zx_object_wait_async(event, port, 5, trigger, 0), ZX_OK);
    assert_eq!(zx_object_signal(event, 0, ZX_USER_SIGNAL_1), ZX_OK);
    let signal = one_signal_packet(port, 5);
    assert_eq!(
        (signal.trigger, signal.observed),
        (trigger, ZX_USER_SIGNAL_1)
    );
    close_all(&[port, event]);
    ctx.assert_clean();
}

fn unrequested_bits_and_clearing_fire_nothing(ctx: &mut Ctx) {
    let (port, event) = (new_port(), new_event());
    assert_eq!(
        zx_object_wait_async(event, port, 6, ZX_USER_SIGNAL_0, 0),
        ZX_OK
    );
    assert_eq!(
        zx_object_signal(event, 0, ZX_USER_SIGNAL_1 | ZX_EVENT_SIGNALED),
        ZX_OK
    );
    assert_eq!(zx_object_signal(event, ZX_USER_SIGNAL_1, 0), ZX_OK);
    assert_eq!(zx_object_signal(event, ZX_USER_SIGNAL_0, 0), ZX_OK);
    assert_eq!(poll(port), Err(ZX_ERR_TIMED_OUT));
    assert_eq!(observers(ctx, event), 1, "still pending");
    close_all(&[port, event]);
    ctx.assert_clean();
}

fn edge_ignores_already_active(ctx: &mut Ctx) {
    let (port, event) = (new_port(), new_event());
    assert_eq!(zx_object_signal(event, 0, ZX_USER_SIGNAL_0), ZX_OK);
    assert_eq!(
        zx_object_wait_async(event, port, 7, ZX_USER_SIGNAL_0, ZX_WAIT_ASYNC_EDGE),
        ZX_OK
    );
    assert_eq!(
        poll(port),
        Err(ZX_ERR_TIMED_OUT),
        "no packet at registration"
    );
    assert_eq!(observers(ctx, event), 1);
    // Setting an already-active bit is no transition.
    assert_eq!(zx_object_signal(event, 0, ZX_USER_SIGNAL_0), ZX_OK);
    assert_eq!(poll(port), Err(ZX_ERR_TIMED_OUT));
    assert_eq!(observers(ctx, event), 1);
    close_all(&[port, event]);
    ctx.assert_clean();
}

fn edge_fires_on_later_transition(ctx: &mut Ctx) {
    let (port, event) = (new_port(), new_event());
    assert_eq!(zx_object_signal(event, 0, ZX_USER_SIGNAL_0), ZX_OK);
    assert_eq!(
        zx_object_wait_async(event, port, 8, ZX_USER_SIGNAL_0, ZX_WAIT_ASYNC_EDGE),
        ZX_OK
    );
    assert_eq!(zx_object_signal(event, ZX_USER_SIGNAL_0, 0), ZX_OK);
    assert_eq!(
        poll(port),
        Err(ZX_ERR_TIMED_OUT),
        "active → inactive fires nothing"
    );
    assert_eq!(zx_object_signal(event, 0, ZX_USER_SIGNAL_0), ZX_OK);
    let signal = one_signal_packet(port, 8);
    assert_eq!(
        (signal.trigger, signal.observed),
        (ZX_USER_SIGNAL_0, ZX_USER_SIGNAL_0)
    );
    // On an inactive bit, EDGE behaves like level mode.
    assert_eq!(
        zx_object_wait_async(event, port, 9, ZX_USER_SIGNAL_3, ZX_WAIT_ASYNC_EDGE),
        ZX_OK
    );
    assert_eq!(zx_object_signal(event, 0, ZX_USER_SIGNAL_3), ZX_OK);
    one_signal_packet(port, 9);
    close_all(&[port, event]);
    ctx.assert_clean();
}

fn edge_quirk_other_bit_rising(ctx: &mut Ctx) {
    let (port, event) = (new_port(), new_event());
    assert_eq!(zx_object_signal(event, 0, ZX_USER_SIGNAL_0), ZX_OK);
    assert_eq!(
        zx_object_wait_async(event, port, 10, ZX_USER_SIGNAL_0, ZX_WAIT_ASYNC_EDGE),
        ZX_OK
    );
    assert_eq!(zx_object_signal(event, 0, ZX_USER_SIGNAL_5), ZX_OK);
    let signal = one_signal_packet(port, 10);
    assert_eq!(signal.trigger, ZX_USER_SIGNAL_0);
    assert_eq!(signal.observed, ZX_USER_SIGNAL_0 | ZX_USER_SIGNAL_5);
    close_all(&[port, event]);
    ctx.assert_clean();
}

fn one_shot(ctx: &mut Ctx) {
    let (port, event) = (new_port(), new_event());
    assert_eq!(
        zx_object_wait_async(event, port, 11, ZX_USER_SIGNAL_0, 0),
        ZX_OK
    );
    assert_eq!(zx_object_signal(event, 0, ZX_USER_SIGNAL_0), ZX_OK);
    for _ in 0..3 {
        assert_eq!(zx_object_signal(event, ZX_USER_SIGNAL_0, 0), ZX_OK);
        assert_eq!(
            zx_object_signal(event, 0, ZX_USER_SIGNAL_0 | ZX_USER_SIGNAL_1),
            ZX_OK
        );
        assert_eq!(zx_object_signal(event, ZX_USER_SIGNAL_1, 0), ZX_OK);
    }
    one_signal_packet(port, 11);
    assert_eq!(observers(ctx, event), 0);
    // Re-arming takes another call (level: the bit is active, so it queues at once).
    assert_eq!(
        zx_object_wait_async(event, port, 11, ZX_USER_SIGNAL_0, 0),
        ZX_OK
    );
    one_signal_packet(port, 11);
    close_all(&[port, event]);
    ctx.assert_clean();
}

fn identical_registrations_not_merged(ctx: &mut Ctx) {
    let (port, event) = (new_port(), new_event());
    for _ in 0..2 {
        assert_eq!(
            zx_object_wait_async(event, port, 12, ZX_USER_SIGNAL_0, 0),
            ZX_OK
        );
    }
    assert_eq!(observers(ctx, event), 2);
    assert_eq!(zx_object_signal(event, 0, ZX_USER_SIGNAL_0), ZX_OK);
    let packets = drain(port);
    assert_eq!(packets.len(), 2);
    assert_eq!(packets[0], packets[1]);
    // Also when both fire during the call (level, already active).
    for _ in 0..2 {
        assert_eq!(
            zx_object_wait_async(event, port, 13, ZX_USER_SIGNAL_0, 0),
            ZX_OK
        );
    }
    assert_eq!(drain(port).len(), 2);
    close_all(&[port, event]);
    ctx.assert_clean();
}

fn packet_contents(ctx: &mut Ctx) {
    let (port, event) = (new_port(), new_event());
    ctx.kernel.advance_clock(1_000);
    assert_eq!(zx_object_signal(event, 0, ZX_USER_SIGNAL_7), ZX_OK);
    let trigger = ZX_EVENT_SIGNALED | ZX_USER_SIGNAL_2;
    assert_eq!(
        zx_object_wait_async(event, port, u64::MAX - 1, trigger, 0),
        ZX_OK
    );
    ctx.kernel.advance_clock(1_000);
    assert_eq!(
        zx_object_signal(event, 0, ZX_EVENT_SIGNALED | ZX_USER_SIGNAL_4),
        ZX_OK
    );
    let packet = poll(port).expect("a packet");
    assert_eq!(packet.key, u64::MAX - 1);
    assert_eq!(packet.packet_type, ZX_PKT_TYPE_SIGNAL_ONE);
    assert_eq!(packet.status, ZX_OK);
    let signal = packet.signal();
    assert_eq!(signal.trigger, trigger);
    assert_eq!(
        signal.observed,
        ZX_EVENT_SIGNALED | ZX_USER_SIGNAL_4 | ZX_USER_SIGNAL_7,
        "observed = every active signal, not only the requested ones"
    );
    assert_eq!(signal.count, 1);
    assert_eq!(signal.timestamp, 0, "no timestamp option ⇒ 0");
    assert_eq!(signal.reserved1, 0);
    close_all(&[port, event]);
    ctx.assert_clean();
}

fn timestamp_case(ctx: &mut Ctx, option: u32) {
    let (port, event) = (new_port(), new_event());
    ctx.kernel.advance_clock(100);
    assert_eq!(
        zx_object_wait_async(event, port, 14, ZX_USER_SIGNAL_0, option),
        ZX_OK
    );
    ctx.kernel.advance_clock(677);
    assert_eq!(zx_object_signal(event, 0, ZX_USER_SIGNAL_0), ZX_OK);
    ctx.kernel.advance_clock(1_000);
    let signal = one_signal_packet(port, 14);
    assert_eq!(
        signal.timestamp, 777,
        "the fire time, not registration or dequeue time"
    );
    assert_eq!((signal.count, signal.reserved1), (1, 0));
    close_all(&[port, event]);
    ctx.assert_clean();
}

fn timestamp_is_fire_time(ctx: &mut Ctx) {
    timestamp_case(ctx, ZX_WAIT_ASYNC_TIMESTAMP);
}

fn boot_timestamp_is_fire_time(ctx: &mut Ctx) {
    timestamp_case(ctx, ZX_WAIT_ASYNC_BOOT_TIMESTAMP);
}

fn timestamp_of_immediate_packet_is_call_time(ctx: &mut Ctx) {
    let (port, event) = (new_port(), new_event());
    assert_eq!(zx_object_signal(event, 0, ZX_USER_SIGNAL_0), ZX_OK);
    ctx.kernel.advance_clock(321);
    assert_eq!(
        zx_object_wait_async(event, port, 15, ZX_USER_SIGNAL_0, ZX_WAIT_ASYNC_TIMESTAMP),
        ZX_OK
    );
    ctx.kernel.advance_clock(1_000);
    assert_eq!(one_signal_packet(port, 15).timestamp, 321);
    close_all(&[port, event]);
    ctx.assert_clean();
}

fn signals_zero_accepted_never_fires(ctx: &mut Ctx) {
    let (port, event) = (new_port(), new_event());
    assert_eq!(zx_object_signal(event, 0, ZX_USER_SIGNAL_0), ZX_OK);
    assert_eq!(zx_object_wait_async(event, port, 16, 0, 0), ZX_OK);
    assert_eq!(
        zx_object_wait_async(event, port, 16, 0, ZX_WAIT_ASYNC_EDGE),
        ZX_OK
    );
    assert_eq!(zx_object_signal(event, 0, ZX_EVENT_SIGNAL_MASK), ZX_OK);
    assert_eq!(zx_object_signal(event, ZX_EVENT_SIGNAL_MASK, 0), ZX_OK);
    assert_eq!(zx_object_signal(event, 0, ZX_EVENT_SIGNAL_MASK), ZX_OK);
    assert_eq!(poll(port), Err(ZX_ERR_TIMED_OUT));
    assert_eq!(observers(ctx, event), 2, "registered, just never matching");
    assert_eq!(zx_port_cancel_key(port, 0, 16), ZX_OK);
    close_all(&[port, event]);
    ctx.assert_clean();
}

fn waits_on_different_ports_are_independent(ctx: &mut Ctx) {
    let (p1, p2, event) = (new_port(), new_port(), new_event());
    assert_eq!(
        zx_object_wait_async(event, p1, 17, ZX_USER_SIGNAL_0, 0),
        ZX_OK
    );
    assert_eq!(
        zx_object_wait_async(event, p2, 17, ZX_USER_SIGNAL_0, 0),
        ZX_OK
    );
    assert_eq!(zx_port_cancel_key(p1, 0, 17), ZX_OK);
    assert_eq!(zx_object_signal(event, 0, ZX_USER_SIGNAL_0), ZX_OK);
    assert_eq!(poll(p1), Err(ZX_ERR_TIMED_OUT));
    one_signal_packet(p2, 17);
    close_all(&[p1, p2, event]);
    ctx.assert_clean();
}

fn too_many_observers_exception_still_registers(ctx: &mut Ctx) {
    const LIMIT: u64 = 50_000;
    let (port, event) = (new_port(), new_event());
    for key in 0..LIMIT {
        assert_eq!(
            zx_object_wait_async(event, port, key, ZX_USER_SIGNAL_0, 0),
            ZX_OK
        );
    }
    assert!(
        ctx.process.policy_exceptions().is_empty(),
        "50 000 pending waits are within the limit"
    );
    assert_eq!(
        zx_object_wait_async(event, port, LIMIT, ZX_USER_SIGNAL_0, 0),
        ZX_OK
    );
    assert_eq!(
        ctx.process.policy_exceptions(),
        vec![PolicyException::PortTooManyObservers]
    );
    assert_eq!(
        port_observers(ctx, port),
        LIMIT as usize + 1,
        "the 50 001st is registered"
    );
    // It is a real wait: it fires like the others.
    assert_eq!(zx_port_cancel_key(port, 0, LIMIT), ZX_OK);
    assert_eq!(
        zx_object_wait_async(event, port, LIMIT, ZX_USER_SIGNAL_1, 0),
        ZX_OK
    );
    assert_eq!(ctx.process.policy_exceptions().len(), 2);
    assert_eq!(zx_object_signal(event, 0, ZX_USER_SIGNAL_1), ZX_OK);
    let packet = poll(port).expect("the over-limit wait fired");
    assert_eq!(packet.key, LIMIT);
    close_all(&[port, event]);
    ctx.assert_clean();
}
