//! The semantics profiles side by side (spec §13.4, §13.3, §16): one case per row of the §13.4
//! table, and one per profile where the row differs. A case tagged `ZirconOnly` states the
//! shipping kernel's behaviour (async waits bound to the registering handle) and must fail under
//! `rfc0240`; a case tagged `Rfc0240Only` states RFC-0240's (async waits on objects) and must fail
//! under `zircon`. `Both` rows are identical in the two profiles.
//!
//! Every row of the table has a case (or a pair), including the channel rows: moving the
//! registering handle through a channel with the same rights (row 5), with reduced rights
//! through `zx_channel_write_etc` (row 6), and `zx_channel_call` with its endpoint closed
//! (row 11); plus §13.3's handle destroyed inside an unread message.

use std::sync::Arc;

use zxsim_kernel::objects::port::Port;
use zxsim_kernel::Process;
use zxsim_syscalls::sys::*;

use crate::harness::Ctx;
use crate::support::*;

cases!["profiles";
    // Row 1: close the registering handle, the object keeps other handles.
    (close_registering_handle_ends_wait, "§13.4 row 1 / §13.1 (zircon): closing the registering handle while a duplicate remains ends the wait with no packet", ZirconOnly),
    (close_registering_handle_wait_continues, "§13.4 row 1 / §13.2.1 (rfc0240): closing the registering handle while a duplicate remains: the wait continues and fires", Rfc0240Only),
    // Row 2: close the object's last handle.
    (close_last_handle_ends_wait_without_packet, "§13.4 row 2 / §13.2.2c / §13.3: closing the object's last handle ends the wait with no packet", Both),
    // Row 3: handle_replace of the registering handle.
    (replace_registering_handle_ends_wait, "§13.4 row 3 / §3 zx_handle_replace (zircon): replacing the registering handle ends the wait with no packet", ZirconOnly),
    (replace_registering_handle_wait_continues, "§13.4 row 3 / §13.3 (rfc0240): replacing the registering handle: the wait continues and fires", Rfc0240Only),
    (replace_dropping_wait_right_ends_wait, "§13.4 row 3 (zircon): replacing the registering handle with one lacking WAIT ends the wait", ZirconOnly),
    (replace_dropping_wait_right_wait_continues, "§13.4 row 3 / §13.2.1 (rfc0240): replacing the registering handle with one lacking WAIT: the wait continues and fires", Rfc0240Only),
    // Row 4: duplicate the registering handle, close the original.
    (duplicate_then_close_original_ends_wait, "§13.4 row 4 (zircon): duplicating the registering handle and closing the original ends the wait", ZirconOnly),
    (duplicate_then_close_original_wait_continues, "§13.4 row 4 (rfc0240): duplicating the registering handle and closing the original: the wait continues and fires", Rfc0240Only),
    (duplicate_alone_changes_nothing, "§13.2.1: duplicating the registering handle (closing nothing) leaves the wait as it was", Both),
    // Other ways the registering handle is deleted (§5 lifetime list).
    (close_many_registering_handle_ends_wait, "§5 lifetime / §13.1 (zircon): zx_handle_close_many of the registering handle ends the wait", ZirconOnly),
    (close_many_registering_handle_wait_continues, "§13.2.1 (rfc0240): zx_handle_close_many of the registering handle: the wait continues and fires", Rfc0240Only),
    (registering_process_death_ends_wait, "§5 lifetime (zircon): the death of the registering process (its handles closed) ends its waits even though another process holds the object", ZirconOnly),
    (registering_process_death_wait_continues, "§13.2.1 (rfc0240): the registering process dies while another process holds the object: the wait continues and fires", Rfc0240Only),
    // Row 5: move the registering handle through a channel, same rights.
    (channel_move_wait_survives_in_flight, "§13.4 row 5 / §5 transfer detail: moving the registering handle into a channel (same rights) leaves the wait pending while the message is in flight", Both),
    (channel_move_wait_ends_when_read, "§13.4 row 5 / §7 read (zircon): the wait ends, with no packet, when the receiver reads the message holding the registering handle", ZirconOnly),
    (channel_move_wait_continues_after_read, "§13.4 row 5 / §13.3 (rfc0240): the wait continues after the receiver reads the registering handle, and fires", Rfc0240Only),
    // Row 6: move it with reduced rights (write_etc).
    (channel_write_etc_reduced_rights_ends_wait, "§13.4 row 6 / §7 write_etc (zircon): moving the registering handle with reduced rights ends the wait at the write, with no packet", ZirconOnly),
    (channel_write_etc_reduced_rights_wait_continues, "§13.4 row 6 (rfc0240): moving the registering handle with reduced rights: the wait continues through the write and the read, and fires", Rfc0240Only),
    // Row 7: queued packets survive.
    (queued_packet_survives_registering_handle_close, "§13.4 row 7 / §13.3: a packet already queued stays when the registering handle, and then the object's last handle, close", Both),
    // Row 8: port_cancel with a duplicate of the registering handle.
    (port_cancel_with_duplicate_not_found, "§13.4 row 8 / §6 (zircon): zx_port_cancel through a duplicate of the registering handle ⇒ ZX_ERR_NOT_FOUND, the wait stays", ZirconOnly),
    (port_cancel_with_duplicate_matches_object, "§13.4 row 8 / §13.3 decision B (rfc0240): zx_port_cancel through a duplicate of the registering handle ⇒ OK, the wait is cancelled", Rfc0240Only),
    (port_cancel_queued_packet_after_close_not_found, "§6 zx_port_cancel (zircon): once the registering handle is closed, its queued packet can no longer be removed through another handle ⇒ NOT_FOUND", ZirconOnly),
    (port_cancel_queued_packet_after_close_removes_it, "§13.3 decision B (rfc0240): zx_port_cancel through another handle removes a packet queued before the registering handle closed", Rfc0240Only),
    (port_cancel_with_registering_handle, "§13.4 row 8 / §13.3: zx_port_cancel through the registering handle itself cancels in both profiles", Both),
    // Row 9: port_cancel_key.
    (port_cancel_key_ignores_handles, "§13.4 row 9: zx_port_cancel_key cancels every wait with the key, whatever handle registered it, and removes queued packets with the key incl. user packets", Both),
    // Rows 10: synchronous waits (no change).
    (wait_one_handle_closed_canceled, "§13.4 row 10 / §5: zx_object_wait_one whose handle is closed ⇒ ZX_ERR_CANCELED, observed includes ZX_SIGNAL_HANDLE_CLOSED", Both),
    (wait_one_other_handle_closed_not_canceled, "§5 zx_object_wait_one: closing another handle to the same object does not cancel the wait", Both),
    (wait_many_handle_closed_canceled, "§13.4 row 10 / §5: zx_object_wait_many with an item's handle closed ⇒ ZX_ERR_CANCELED, that item's pending has ZX_SIGNAL_HANDLE_CLOSED", Both),
    // Row 11: channel_call (no change).
    (channel_call_endpoint_closed_canceled, "§13.4 row 11 / §7 zx_channel_call: closing the caller's endpoint during the call ⇒ ZX_ERR_CANCELED", Both),
    // Row 12: port's last handle closed.
    (port_last_handle_closed, "§13.4 row 12 / §6: the port's last handle closed ⇒ all its waits removed from their objects, its packets freed", Both),
    // §13.3: peers still see PEER_CLOSED.
    (only_handle_destroyed_in_message_ends_wait, "§13.3 / §13.2.2: a wait survives while the object's only handle is in flight; when the message is destroyed unread the wait ends, no packet", Both),
    (peer_closed_still_delivered, "§13.3: a wait on the other endpoint for PEER_CLOSED produces a packet when an eventpair end's last handle closes; the closed end's own wait ends silently", Both),
];

const KEY: u64 = 1;
const TRIGGER: zx_signals_t = ZX_USER_SIGNAL_0;

/// What became of a wait (key `KEY`, signal `TRIGGER`) after the scenario's handle operation.
struct Outcome {
    /// Waits still pending on the object right after the operation.
    pending: usize,
    /// Packets delivered once `TRIGGER` was raised through a remaining handle.
    packets: Vec<zx_port_packet_t>,
}

/// Raises `TRIGGER` through `remaining` (a handle to the waited object), collects the packets,
/// closes `port` and every handle in `also_close`, and checks nothing leaked.
fn finish(
    ctx: &Ctx,
    port: zx_handle_t,
    remaining: zx_handle_t,
    also_close: &[zx_handle_t],
) -> Outcome {
    let pending = observers(ctx, remaining);
    assert_eq!(
        port_observers(ctx, port),
        pending,
        "the port and the object agree"
    );
    assert_eq!(zx_object_signal(remaining, 0, TRIGGER), ZX_OK);
    let packets = drain(port);
    close_all(&[port, remaining]);
    close_all(also_close);
    ctx.assert_clean();
    Outcome { pending, packets }
}

/// The zircon column: the wait ended, silently.
fn assert_ended(outcome: Outcome) {
    rule_eq!(outcome.pending, 0, "the wait should have ended");
    rule!(
        outcome.packets.is_empty(),
        "an ended wait delivers no packet"
    );
}

/// The rfc0240 column: the wait continued and fired once.
fn assert_continued(outcome: Outcome) {
    rule_eq!(outcome.pending, 1, "the wait should still be pending");
    rule_eq!(keys(&outcome.packets), vec![KEY], "the wait fires once");
    let signal = outcome.packets[0].signal();
    rule_eq!((signal.trigger, signal.observed), (TRIGGER, TRIGGER));
}

// ---- row 1 ----

/// The object has an original handle; the wait is registered through a duplicate, which is then
/// closed.
fn close_registering_handle(ctx: &mut Ctx) -> Outcome {
    let (port, event) = (new_port(), new_event());
    let registering = dup(event, ZX_RIGHT_SAME_RIGHTS);
    assert_eq!(
        zx_object_wait_async(registering, port, KEY, TRIGGER, 0),
        ZX_OK
    );
    close_all(&[registering]);
    finish(ctx, port, event, &[])
}

fn close_registering_handle_ends_wait(ctx: &mut Ctx) {
    assert_ended(close_registering_handle(ctx));
}

fn close_registering_handle_wait_continues(ctx: &mut Ctx) {
    assert_continued(close_registering_handle(ctx));
}

// ---- row 2 ----

fn close_last_handle_ends_wait_without_packet(ctx: &mut Ctx) {
    // (a) the only handle is the registering one.
    let port = new_port();
    let event = new_event();
    assert_eq!(zx_object_wait_async(event, port, KEY, TRIGGER, 0), ZX_OK);
    close_all(&[event]);
    assert_eq!(port_observers(ctx, port), 0, "the wait ended");
    assert_eq!(ctx.kernel.live_objects(), 1, "only the port is left");
    // (b) two handles, registering one closed last.
    let event = new_event();
    let other = dup(event, ZX_RIGHT_SAME_RIGHTS);
    assert_eq!(
        zx_object_wait_async(event, port, KEY + 1, TRIGGER, 0),
        ZX_OK
    );
    close_all(&[other, event]);
    assert_eq!(port_observers(ctx, port), 0);
    // (c) two handles, registering one closed first: ended by then (zircon) or now (rfc0240).
    let event = new_event();
    let other = dup(event, ZX_RIGHT_SAME_RIGHTS);
    assert_eq!(
        zx_object_wait_async(event, port, KEY + 2, TRIGGER, 0),
        ZX_OK
    );
    close_all(&[event, other]);
    assert_eq!(port_observers(ctx, port), 0);
    assert_eq!(
        poll(port),
        Err(ZX_ERR_TIMED_OUT),
        "no packet for a wait ended by the close"
    );
    close_all(&[port]);
    ctx.assert_clean();
}

// ---- row 3 ----

fn replace_registering_handle(ctx: &mut Ctx, rights: zx_rights_t) -> Outcome {
    let (port, event) = (new_port(), new_event());
    assert_eq!(zx_object_wait_async(event, port, KEY, TRIGGER, 0), ZX_OK);
    let mut replacement = ZX_HANDLE_INVALID;
    assert_eq!(zx_handle_replace(event, rights, &mut replacement), ZX_OK);
    assert_eq!(
        zx_handle_close(event),
        ZX_ERR_BAD_HANDLE,
        "the source is gone"
    );
    finish(ctx, port, replacement, &[])
}

fn replace_registering_handle_ends_wait(ctx: &mut Ctx) {
    assert_ended(replace_registering_handle(ctx, ZX_RIGHT_SAME_RIGHTS));
}

fn replace_registering_handle_wait_continues(ctx: &mut Ctx) {
    assert_continued(replace_registering_handle(ctx, ZX_RIGHT_SAME_RIGHTS));
}

const NO_WAIT: zx_rights_t = ZX_DEFAULT_EVENT_RIGHTS & !ZX_RIGHT_WAIT;

fn replace_dropping_wait_right_ends_wait(ctx: &mut Ctx) {
    assert_ended(replace_registering_handle(ctx, NO_WAIT));
}

fn replace_dropping_wait_right_wait_continues(ctx: &mut Ctx) {
    assert_continued(replace_registering_handle(ctx, NO_WAIT));
}

// ---- row 4 ----

fn duplicate_then_close_original(ctx: &mut Ctx) -> Outcome {
    let (port, event) = (new_port(), new_event());
    assert_eq!(zx_object_wait_async(event, port, KEY, TRIGGER, 0), ZX_OK);
    let duplicate = dup(event, ZX_RIGHT_SAME_RIGHTS);
    close_all(&[event]);
    finish(ctx, port, duplicate, &[])
}

fn duplicate_then_close_original_ends_wait(ctx: &mut Ctx) {
    assert_ended(duplicate_then_close_original(ctx));
}

fn duplicate_then_close_original_wait_continues(ctx: &mut Ctx) {
    assert_continued(duplicate_then_close_original(ctx));
}

fn duplicate_alone_changes_nothing(ctx: &mut Ctx) {
    let (port, event) = (new_port(), new_event());
    assert_eq!(zx_object_wait_async(event, port, KEY, TRIGGER, 0), ZX_OK);
    let duplicate = dup(event, ZX_RIGHT_SAME_RIGHTS);
    assert_continued(finish(ctx, port, duplicate, &[event]));
}

// ---- other deletions of the registering handle ----

fn close_many_registering_handle(ctx: &mut Ctx) -> Outcome {
    let (port, event) = (new_port(), new_event());
    let registering = dup(event, ZX_RIGHT_SAME_RIGHTS);
    let unrelated = new_event();
    assert_eq!(
        zx_object_wait_async(registering, port, KEY, TRIGGER, 0),
        ZX_OK
    );
    assert_eq!(zx_handle_close_many(&[unrelated, registering]), ZX_OK);
    finish(ctx, port, event, &[])
}

fn close_many_registering_handle_ends_wait(ctx: &mut Ctx) {
    assert_ended(close_many_registering_handle(ctx));
}

fn close_many_registering_handle_wait_continues(ctx: &mut Ctx) {
    assert_continued(close_many_registering_handle(ctx));
}

/// Moves a duplicate of `handle` (same rights) from the context's process into `to`; the
/// caller keeps `handle`.
fn give_duplicate(ctx: &Ctx, handle: zx_handle_t, to: &Arc<Process>) -> zx_handle_t {
    let duplicate = dup(handle, ZX_RIGHT_SAME_RIGHTS);
    let moved = ctx
        .process
        .handles()
        .remove(duplicate)
        .expect("just duplicated");
    to.add_handle(moved)
}

fn registering_process_death(ctx: &mut Ctx) -> Outcome {
    let (port, event) = (new_port(), new_event());
    let other = ctx.other_process();
    let (their_event, their_port) = (
        give_duplicate(ctx, event, &other),
        give_duplicate(ctx, port, &other),
    );
    let status = other
        .spawn(move || zx_object_wait_async(their_event, their_port, KEY, TRIGGER, 0))
        .join()
        .expect("the other process's thread");
    assert_eq!(status, ZX_OK);
    other.close_all_handles();
    assert!(other.handles().is_empty());
    finish(ctx, port, event, &[])
}

fn registering_process_death_ends_wait(ctx: &mut Ctx) {
    assert_ended(registering_process_death(ctx));
}

fn registering_process_death_wait_continues(ctx: &mut Ctx) {
    assert_continued(registering_process_death(ctx));
}

// ---- rows 5 and 6 ----

/// Registers the wait through `event`, moves `event` through a channel — with `zx_channel_write`
/// or, given `rights`, a MOVE disposition of `zx_channel_write_etc` — and reads it on the other
/// side. Returns the waits pending while the message was in flight, and the outcome.
fn through_channel(ctx: &mut Ctx, rights: Option<zx_rights_t>) -> (usize, Outcome) {
    let (port, event) = (new_port(), new_event());
    let keep = dup(event, ZX_RIGHT_SAME_RIGHTS);
    assert_eq!(zx_object_wait_async(event, port, KEY, TRIGGER, 0), ZX_OK);
    let (c0, c1) = new_channel();
    let status = match rights {
        None => zx_channel_write(c0, 0, b"m", &[event]),
        Some(rights) => {
            let mut dispositions = [zx_handle_disposition_t {
                operation: ZX_HANDLE_OP_MOVE,
                handle: event,
                type_: ZX_OBJ_TYPE_EVENT,
                rights,
                result: ZX_OK,
            }];
            zx_channel_write_etc(c0, 0, b"m", &mut dispositions)
        }
    };
    assert_eq!(status, ZX_OK, "the write");
    assert_eq!(
        zx_handle_close(event),
        ZX_ERR_BAD_HANDLE,
        "moved out of the table"
    );
    let in_flight = observers(ctx, keep);
    let (mut bytes, mut handles) = ([0u8; 1], [ZX_HANDLE_INVALID; 1]);
    assert_eq!(
        zx_channel_read(c1, 0, &mut bytes, &mut handles, None, None),
        ZX_OK
    );
    let received = handles[0];
    let mut info = zx_info_handle_basic_t::default();
    assert_eq!(
        zx_object_get_info(
            received,
            ZX_INFO_HANDLE_BASIC,
            info.as_bytes_mut(),
            None,
            None
        ),
        ZX_OK
    );
    assert_eq!(info.rights, rights.unwrap_or(ZX_DEFAULT_EVENT_RIGHTS));
    (in_flight, finish(ctx, port, keep, &[received, c0, c1]))
}

fn channel_move_wait_survives_in_flight(ctx: &mut Ctx) {
    let (in_flight, _) = through_channel(ctx, None);
    assert_eq!(in_flight, 1, "pending while the handle is in the message");
}

fn channel_move_wait_ends_when_read(ctx: &mut Ctx) {
    let (in_flight, outcome) = through_channel(ctx, None);
    rule_eq!(in_flight, 1, "pending while the handle is in the message");
    assert_ended(outcome);
}

fn channel_move_wait_continues_after_read(ctx: &mut Ctx) {
    let (in_flight, outcome) = through_channel(ctx, None);
    rule_eq!(in_flight, 1, "pending while the handle is in the message");
    assert_continued(outcome);
}

/// Every default event right but SIGNAL.
const REDUCED: zx_rights_t = ZX_DEFAULT_EVENT_RIGHTS & !ZX_RIGHT_SIGNAL;

fn channel_write_etc_reduced_rights_ends_wait(ctx: &mut Ctx) {
    let (in_flight, outcome) = through_channel(ctx, Some(REDUCED));
    rule_eq!(in_flight, 0, "ended at the write");
    assert_ended(outcome);
}

fn channel_write_etc_reduced_rights_wait_continues(ctx: &mut Ctx) {
    let (in_flight, outcome) = through_channel(ctx, Some(REDUCED));
    rule_eq!(in_flight, 1, "pending after the write");
    assert_continued(outcome);
}

// ---- row 7 ----

fn queued_packet_survives_registering_handle_close(ctx: &mut Ctx) {
    let (port, event) = (new_port(), new_event());
    let other = dup(event, ZX_RIGHT_SAME_RIGHTS);
    assert_eq!(zx_object_signal(event, 0, ZX_USER_SIGNAL_1), ZX_OK);
    // Queued during the call (level, already active).
    assert_eq!(
        zx_object_wait_async(event, port, 7, ZX_USER_SIGNAL_1, 0),
        ZX_OK
    );
    // Queued by a later signal.
    assert_eq!(
        zx_object_wait_async(event, port, 8, ZX_USER_SIGNAL_2, 0),
        ZX_OK
    );
    assert_eq!(zx_object_signal(event, 0, ZX_USER_SIGNAL_2), ZX_OK);
    close_all(&[event]);
    assert_eq!(port_observers(ctx, port), 0);
    close_all(&[other]);
    assert_eq!(
        ctx.kernel.live_objects(),
        1,
        "the event is gone, its packets are not"
    );
    let packets = drain(port);
    assert_eq!(keys(&packets), vec![7, 8]);
    assert_eq!(
        packets[1].signal().observed,
        ZX_USER_SIGNAL_1 | ZX_USER_SIGNAL_2
    );
    close_all(&[port]);
    ctx.assert_clean();
}

// ---- row 8 ----

fn port_cancel_with_duplicate(ctx: &mut Ctx) -> (zx_status_t, Outcome) {
    let (port, event) = (new_port(), new_event());
    assert_eq!(zx_object_wait_async(event, port, KEY, TRIGGER, 0), ZX_OK);
    let duplicate = dup(event, ZX_RIGHT_SAME_RIGHTS);
    let status = zx_port_cancel(port, duplicate, KEY);
    (status, finish(ctx, port, event, &[duplicate]))
}

fn port_cancel_with_duplicate_not_found(ctx: &mut Ctx) {
    let (status, outcome) = port_cancel_with_duplicate(ctx);
    rule_eq!(
        status,
        ZX_ERR_NOT_FOUND,
        "a duplicate is not the registering handle"
    );
    assert_continued(outcome);
}

fn port_cancel_with_duplicate_matches_object(ctx: &mut Ctx) {
    let (status, outcome) = port_cancel_with_duplicate(ctx);
    rule_eq!(status, ZX_OK, "matched by object");
    assert_ended(outcome);
}

/// Queues a packet through the registering handle, closes it, then `port_cancel`s through
/// another handle. Returns the status and the packets left.
fn port_cancel_queued_packet_after_close(ctx: &mut Ctx) -> (zx_status_t, Vec<u64>) {
    let (port, event) = (new_port(), new_event());
    let registering = dup(event, ZX_RIGHT_SAME_RIGHTS);
    assert_eq!(zx_object_signal(event, 0, TRIGGER), ZX_OK);
    assert_eq!(
        zx_object_wait_async(registering, port, KEY, TRIGGER, 0),
        ZX_OK
    );
    close_all(&[registering]);
    let status = zx_port_cancel(port, event, KEY);
    let left = keys(&drain(port));
    close_all(&[port, event]);
    ctx.assert_clean();
    (status, left)
}

fn port_cancel_queued_packet_after_close_not_found(ctx: &mut Ctx) {
    let (status, left) = port_cancel_queued_packet_after_close(ctx);
    rule_eq!(
        status,
        ZX_ERR_NOT_FOUND,
        "zx_port_cancel through another handle"
    );
    rule_eq!(left, vec![KEY], "the packet stays");
}

fn port_cancel_queued_packet_after_close_removes_it(ctx: &mut Ctx) {
    let (status, left) = port_cancel_queued_packet_after_close(ctx);
    rule_eq!(status, ZX_OK, "zx_port_cancel through another handle");
    rule!(left.is_empty(), "the packet was removed");
}

fn port_cancel_with_registering_handle(ctx: &mut Ctx) {
    let (port, event) = (new_port(), new_event());
    let duplicate = dup(event, ZX_RIGHT_SAME_RIGHTS);
    assert_eq!(zx_object_wait_async(event, port, KEY, TRIGGER, 0), ZX_OK);
    assert_eq!(zx_object_signal(event, 0, ZX_USER_SIGNAL_1), ZX_OK);
    assert_eq!(
        zx_object_wait_async(event, port, KEY, ZX_USER_SIGNAL_1, 0),
        ZX_OK
    );
    assert_eq!(
        zx_port_cancel(port, event, KEY),
        ZX_OK,
        "the pending wait and the queued packet"
    );
    assert_eq!(poll(port), Err(ZX_ERR_TIMED_OUT));
    assert_ended(finish(ctx, port, duplicate, &[event]));
}

// ---- row 9 ----

fn port_cancel_key_ignores_handles(ctx: &mut Ctx) {
    let (port, event) = (new_port(), new_event());
    let d1 = dup(event, ZX_RIGHT_SAME_RIGHTS);
    let d2 = dup(event, ZX_RIGHT_SAME_RIGHTS);
    assert_eq!(zx_object_wait_async(d1, port, KEY, TRIGGER, 0), ZX_OK);
    assert_eq!(
        zx_object_wait_async(d2, port, KEY, ZX_USER_SIGNAL_1, 0),
        ZX_OK
    );
    assert_eq!(zx_object_signal(event, 0, ZX_USER_SIGNAL_1), ZX_OK);
    let user = zx_port_packet_t::new_user(KEY, 0, zx_packet_user_t::default());
    assert_eq!(zx_port_queue(port, &user), ZX_OK);
    let other_key = zx_port_packet_t::new_user(KEY + 1, 0, zx_packet_user_t::default());
    assert_eq!(zx_port_queue(port, &other_key), ZX_OK);
    let mut replaced = ZX_HANDLE_INVALID;
    assert_eq!(
        zx_handle_replace(d1, ZX_RIGHT_SAME_RIGHTS, &mut replaced),
        ZX_OK
    );
    close_all(&[d2]);
    // Whatever the profile did with the handles, cancel_key finds everything with the key.
    let status = zx_port_cancel_key(port, 0, KEY);
    let pending_before = usize::from(ctx.profile == zxsim_kernel::Profile::Rfc0240);
    assert_eq!(
        status, ZX_OK,
        "a queued packet and {pending_before} pending wait(s)"
    );
    assert_eq!(observers(ctx, event), 0);
    assert_eq!(keys(&drain(port)), vec![KEY + 1]);
    assert_eq!(zx_port_cancel_key(port, 0, KEY), ZX_ERR_NOT_FOUND);
    close_all(&[port, event, replaced]);
    ctx.assert_clean();
}

// ---- row 10 ----

fn wait_one_handle_closed_canceled(ctx: &mut Ctx) {
    let event = new_event();
    let other = dup(event, ZX_RIGHT_SAME_RIGHTS);
    assert_eq!(zx_object_signal(event, 0, ZX_USER_SIGNAL_3), ZX_OK);
    let waiter = ctx.process.spawn(move || {
        let mut observed = 0;
        let status = zx_object_wait_one(event, ZX_USER_SIGNAL_0, 1_000, Some(&mut observed));
        (status, observed)
    });
    await_deadline(ctx, 1_000);
    close_all(&[event]);
    let (status, observed) = waiter.join().unwrap();
    assert_eq!(status, ZX_ERR_CANCELED);
    assert_eq!(observed, ZX_USER_SIGNAL_3 | ZX_SIGNAL_HANDLE_CLOSED);
    assert_eq!(
        ctx.kernel.clock().now(),
        0,
        "ended by the close, not the deadline"
    );
    close_all(&[other]);
    ctx.assert_clean();
}

fn wait_one_other_handle_closed_not_canceled(ctx: &mut Ctx) {
    let event = new_event();
    let other = dup(event, ZX_RIGHT_SAME_RIGHTS);
    let waiter = ctx.process.spawn(move || {
        let mut observed = 0;
        let status = zx_object_wait_one(event, ZX_USER_SIGNAL_0, 1_000, Some(&mut observed));
        (status, observed)
    });
    await_deadline(ctx, 1_000);
    close_all(&[other]);
    ctx.kernel.advance_clock(1_000);
    let (status, observed) = waiter.join().unwrap();
    assert_eq!(status, ZX_ERR_TIMED_OUT);
    assert_eq!(observed, 0);
    close_all(&[event]);
    ctx.assert_clean();
}

fn wait_many_handle_closed_canceled(ctx: &mut Ctx) {
    let (e1, e2) = (new_event(), new_event());
    let keep = dup(e2, ZX_RIGHT_SAME_RIGHTS);
    assert_eq!(zx_object_signal(e2, 0, ZX_USER_SIGNAL_4), ZX_OK);
    let waiter = ctx.process.spawn(move || {
        let mut items = [
            zx_wait_item_t {
                handle: e1,
                waitfor: ZX_USER_SIGNAL_0,
                pending: 0,
            },
            zx_wait_item_t {
                handle: e2,
                waitfor: ZX_USER_SIGNAL_0,
                pending: 0,
            },
        ];
        let status = zx_object_wait_many(&mut items, 1_000);
        (status, items)
    });
    await_deadline(ctx, 1_000);
    close_all(&[e2]);
    let (status, items) = waiter.join().unwrap();
    assert_eq!(status, ZX_ERR_CANCELED);
    assert_eq!(items[1].pending, ZX_USER_SIGNAL_4 | ZX_SIGNAL_HANDLE_CLOSED);
    assert_eq!(items[0].pending, 0);
    close_all(&[e1, keep]);
    ctx.assert_clean();
}

// ---- row 11 ----

fn channel_call_endpoint_closed_canceled(ctx: &mut Ctx) {
    let (c0, c1) = new_channel();
    let caller = ctx.process.spawn(move || {
        let (mut rd_bytes, mut rd_handles) = ([0u8; 16], [ZX_HANDLE_INVALID; 1]);
        let mut args = zx_channel_call_args_t {
            wr_bytes: &[0, 0, 0, 0, 7],
            wr_handles: &[],
            rd_bytes: &mut rd_bytes,
            rd_handles: &mut rd_handles,
        };
        let (mut actual_bytes, mut actual_handles) = (0, 0);
        zx_channel_call(
            c0,
            0,
            1_000,
            &mut args,
            &mut actual_bytes,
            &mut actual_handles,
        )
    });
    await_deadline(ctx, 1_000);
    close_all(&[c0]);
    assert_eq!(caller.join().unwrap(), ZX_ERR_CANCELED);
    assert_eq!(
        ctx.kernel.clock().now(),
        0,
        "ended by the close, not the deadline"
    );
    close_all(&[c1]);
    ctx.assert_clean();
}

// ---- row 12 ----

fn port_last_handle_closed(ctx: &mut Ctx) {
    let port = new_port();
    let port2 = dup(port, ZX_RIGHT_SAME_RIGHTS);
    let (e1, e2) = (new_event(), new_event());
    let registering = dup(e1, ZX_RIGHT_SAME_RIGHTS);
    assert_eq!(
        zx_object_wait_async(registering, port, 1, TRIGGER, 0),
        ZX_OK
    );
    assert_eq!(
        zx_object_wait_async(e2, port2, 2, TRIGGER, ZX_WAIT_ASYNC_EDGE),
        ZX_OK
    );
    assert_eq!(zx_object_signal(e2, 0, ZX_USER_SIGNAL_1), ZX_OK);
    assert_eq!(
        zx_object_wait_async(e2, port, 3, ZX_USER_SIGNAL_1, 0),
        ZX_OK
    );
    close_all(&[registering, port]);
    // Under zircon, closing `registering` already ended the first wait; the rest stay while
    // `port2` keeps the port open.
    assert_eq!(observers(ctx, e2), 1);
    let object = ctx
        .process
        .handles()
        .with(port2, |h| h.object().to_ref())
        .unwrap();
    close_all(&[port2]);
    let dead = object.downcast::<Port>().expect("a port");
    assert_eq!((dead.observer_count(), dead.queued_packets()), (0, 0));
    assert_eq!((observers(ctx, e1), observers(ctx, e2)), (0, 0));
    assert_eq!(zx_object_signal(e1, 0, TRIGGER), ZX_OK);
    assert_eq!(zx_object_signal(e2, 0, TRIGGER), ZX_OK);
    assert_eq!(
        dead.queued_packets(),
        0,
        "a wait of a dead port never delivers"
    );
    drop(object);
    close_all(&[e1, e2]);
    ctx.assert_clean();
}

// ---- §13.3 ----

fn only_handle_destroyed_in_message_ends_wait(ctx: &mut Ctx) {
    let (port, event) = (new_port(), new_event());
    assert_eq!(zx_object_wait_async(event, port, KEY, TRIGGER, 0), ZX_OK);
    let (c0, c1) = new_channel();
    assert_eq!(zx_channel_write(c0, 0, b"m", &[event]), ZX_OK);
    assert_eq!(
        port_observers(ctx, port),
        1,
        "the only handle is in flight: still pending"
    );
    assert_eq!(ctx.kernel.live_objects(), 4);
    close_all(&[c1]);
    assert_eq!(
        ctx.kernel.live_objects(),
        2,
        "the message and the event are gone"
    );
    assert_eq!(port_observers(ctx, port), 0, "the wait ended");
    assert_eq!(poll(port), Err(ZX_ERR_TIMED_OUT), "with no packet");
    close_all(&[c0, port]);
    ctx.assert_clean();
}

fn peer_closed_still_delivered(ctx: &mut Ctx) {
    let port = new_port();
    let (mut a, mut b) = (ZX_HANDLE_INVALID, ZX_HANDLE_INVALID);
    assert_eq!(zx_eventpair_create(0, &mut a, &mut b), ZX_OK);
    assert_eq!(
        zx_object_wait_async(a, port, 1, ZX_EVENTPAIR_PEER_CLOSED, 0),
        ZX_OK
    );
    assert_eq!(
        zx_object_wait_async(b, port, 2, ZX_EVENTPAIR_PEER_CLOSED | TRIGGER, 0),
        ZX_OK
    );
    close_all(&[b]);
    let packets = drain(port);
    assert_eq!(
        keys(&packets),
        vec![1],
        "a's wait fired; b's ended silently"
    );
    assert_eq!(packets[0].signal().observed, ZX_EVENTPAIR_PEER_CLOSED);
    assert_eq!(port_observers(ctx, port), 0);
    close_all(&[port, a]);
    ctx.assert_clean();
}
