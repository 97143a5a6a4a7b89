//! Conformance cases for the synchronous waits `zx_object_wait_one` and `zx_object_wait_many`
//! (spec §5, §2.4, §12.2 item 1, §15 item 7). Deadlines run on the case's virtual clock: a
//! blocked wait on another thread is released by `ctx.kernel.advance_clock`, never by sleeping.

use crate::harness::{Case, Ctx};
use crate::support::*;
use zxsim_syscalls::sys::*;

pub fn cases() -> Vec<Case> {
    [wait_one::cases(), wait_many::cases()]
        .into_iter()
        .flatten()
        .collect()
}

/// A far virtual deadline: reached only if a case advances the clock on purpose.
const FAR: zx_time_t = 1_000_000_000;

/// Calls `zx_object_wait_one` with an `observed` out-param; returns (status, observed).
fn wait1(h: zx_handle_t, signals: zx_signals_t, deadline: zx_time_t) -> (zx_status_t, u32) {
    let mut observed = 0xDEAD_BEEF;
    let status = zx_object_wait_one(h, signals, deadline, Some(&mut observed));
    (status, observed)
}

fn item(handle: zx_handle_t, waitfor: zx_signals_t) -> zx_wait_item_t {
    zx_wait_item_t {
        handle,
        waitfor,
        pending: 0xDEAD_BEEF,
    }
}

fn pending(items: &[zx_wait_item_t]) -> Vec<zx_signals_t> {
    items.iter().map(|item| item.pending).collect()
}

mod wait_one {
    use super::*;

    cases![
        "zx_object_wait_one";
        (bad_handle, "§5: a value not in the table (or 0) ⇒ ZX_ERR_BAD_HANDLE", Both),
        (needs_wait_right, "§5: no ZX_RIGHT_WAIT ⇒ ZX_ERR_ACCESS_DENIED, even if the signal is active", Both),
        (wait_right_is_enough, "§5: ZX_RIGHT_WAIT alone is enough to wait", Both),
        (port_is_access_denied, "§5/§12.2 item 1: a port (no WAIT right) ⇒ ZX_ERR_ACCESS_DENIED, not NOT_SUPPORTED", Both),
        (already_active_ok_with_past_deadline, "§5: a requested bit already active ⇒ ZX_OK at once, even with a past deadline; observed = whole word", Both),
        (any_requested_bit_matches, "§5: any one of the requested bits matches", Both),
        (poll_times_out_with_current_state, "§5: past deadline and no match ⇒ ZX_ERR_TIMED_OUT, observed = current signals", Both),
        (zero_signals_never_match, "§5: signals == 0 never matches ⇒ TIMED_OUT with the current state (the read-signals idiom)", Both),
        (observed_is_optional, "§5: observed may be null", Both),
        (blocking_wait_woken_by_other_thread, "§5/§2.4: a blocked wait returns ZX_OK when another thread sets a requested bit", Both),
        (main_thread_woken_by_spawned_signaller, "§5: the waiting thread is woken by a signal from a thread bound to the same process", Both),
        (deadline_on_virtual_clock, "§5: a blocked wait ends with TIMED_OUT exactly when the clock reaches the deadline", Both),
        (deadline_is_absolute, "§5: the deadline is absolute: one at or before now only polls", Both),
        (handle_closed_during_wait_is_canceled, "§5/§3: closing the waited handle ⇒ ZX_ERR_CANCELED, observed = current | ZX_SIGNAL_HANDLE_CLOSED", Both),
        (closing_another_handle_does_not_cancel, "§5: closing some other handle to the same object does not cancel the wait", Both),
        (peer_closed_wakes_waiter, "§5/§2.3: a wait for PEER_CLOSED is satisfied when the peer's last handle closes", Both),
    ];

    fn bad_handle(ctx: &mut Ctx) {
        let e = new_event();
        close(e);
        assert_eq!(wait1(e, ZX_EVENT_SIGNALED, 0).0, ZX_ERR_BAD_HANDLE);
        assert_eq!(
            wait1(ZX_HANDLE_INVALID, ZX_EVENT_SIGNALED, ZX_TIME_INFINITE_PAST).0,
            ZX_ERR_BAD_HANDLE
        );
        ctx.assert_clean();
    }

    fn needs_wait_right(ctx: &mut Ctx) {
        let e = new_event();
        assert_eq!(zx_object_signal(e, 0, ZX_EVENT_SIGNALED), ZX_OK);
        let no_wait = dup(e, ZX_DEFAULT_EVENT_RIGHTS & !ZX_RIGHT_WAIT);
        assert_eq!(
            wait1(no_wait, ZX_EVENT_SIGNALED, ZX_TIME_INFINITE_PAST).0,
            ZX_ERR_ACCESS_DENIED
        );
        assert_eq!(wait1(no_wait, 0, 0).0, ZX_ERR_ACCESS_DENIED);
        assert_eq!(zx_handle_close_many(&[e, no_wait]), ZX_OK);
        ctx.assert_clean();
    }

    fn wait_right_is_enough(ctx: &mut Ctx) {
        let e = new_event();
        let only_wait = dup(e, ZX_RIGHT_WAIT);
        assert_eq!(zx_object_signal(e, 0, ZX_USER_SIGNAL_0), ZX_OK);
        assert_eq!(
            wait1(only_wait, ZX_USER_SIGNAL_0, ZX_TIME_INFINITE_PAST),
            (ZX_OK, ZX_USER_SIGNAL_0)
        );
        assert_eq!(zx_handle_close_many(&[e, only_wait]), ZX_OK);
        ctx.assert_clean();
    }

    fn port_is_access_denied(ctx: &mut Ctx) {
        let p = new_port();
        assert_eq!(
            wait1(p, ZX_USER_SIGNAL_0, ZX_TIME_INFINITE_PAST).0,
            ZX_ERR_ACCESS_DENIED
        );
        assert_eq!(wait1(p, 0, 0).0, ZX_ERR_ACCESS_DENIED);
        close(p);
        ctx.assert_clean();
    }

    fn already_active_ok_with_past_deadline(ctx: &mut Ctx) {
        let e = new_event();
        assert_eq!(
            zx_object_signal(e, 0, ZX_USER_SIGNAL_0 | ZX_USER_SIGNAL_1),
            ZX_OK
        );
        let word = ZX_USER_SIGNAL_0 | ZX_USER_SIGNAL_1;
        for deadline in [ZX_TIME_INFINITE_PAST, -1, 0, ZX_TIME_INFINITE] {
            assert_eq!(
                wait1(e, ZX_USER_SIGNAL_0, deadline),
                (ZX_OK, word),
                "deadline {deadline}"
            );
        }
        ctx.kernel.advance_clock(10_000);
        assert_eq!(wait1(e, ZX_USER_SIGNAL_1, 5).0, ZX_OK);
        close(e);
        ctx.assert_clean();
    }

    fn any_requested_bit_matches(ctx: &mut Ctx) {
        let e = new_event();
        assert_eq!(zx_object_signal(e, 0, ZX_USER_SIGNAL_3), ZX_OK);
        assert_eq!(
            wait1(
                e,
                ZX_USER_SIGNAL_0 | ZX_USER_SIGNAL_3 | ZX_EVENT_SIGNALED,
                0
            ),
            (ZX_OK, ZX_USER_SIGNAL_3)
        );
        close(e);
        ctx.assert_clean();
    }

    fn poll_times_out_with_current_state(ctx: &mut Ctx) {
        let e = new_event();
        assert_eq!(
            wait1(e, ZX_EVENT_SIGNALED, ZX_TIME_INFINITE_PAST),
            (ZX_ERR_TIMED_OUT, 0)
        );
        assert_eq!(zx_object_signal(e, 0, ZX_USER_SIGNAL_1), ZX_OK);
        assert_eq!(
            wait1(e, ZX_EVENT_SIGNALED, 0),
            (ZX_ERR_TIMED_OUT, ZX_USER_SIGNAL_1)
        );
        close(e);
        ctx.assert_clean();
    }

    fn zero_signals_never_match(ctx: &mut Ctx) {
        let e = new_event();
        assert_eq!(zx_object_signal(e, 0, ZX_EVENT_SIGNAL_MASK), ZX_OK);
        assert_eq!(
            wait1(e, 0, ZX_TIME_INFINITE_PAST),
            (ZX_ERR_TIMED_OUT, ZX_EVENT_SIGNAL_MASK)
        );
        // And with a future deadline it waits for the deadline.
        let waiter = ctx.process.spawn(move || wait1(e, 0, 500));
        await_blocked(ctx);
        assert!(
            still_running(&waiter),
            "signals == 0 matched an active word"
        );
        ctx.kernel.advance_clock(500);
        assert_eq!(join(ctx, waiter), (ZX_ERR_TIMED_OUT, ZX_EVENT_SIGNAL_MASK));
        close(e);
        ctx.assert_clean();
    }

    fn observed_is_optional(ctx: &mut Ctx) {
        let e = new_event();
        assert_eq!(
            zx_object_wait_one(e, ZX_EVENT_SIGNALED, 0, None),
            ZX_ERR_TIMED_OUT
        );
        assert_eq!(zx_object_signal(e, 0, ZX_EVENT_SIGNALED), ZX_OK);
        assert_eq!(zx_object_wait_one(e, ZX_EVENT_SIGNALED, 0, None), ZX_OK);
        close(e);
        ctx.assert_clean();
    }

    fn blocking_wait_woken_by_other_thread(ctx: &mut Ctx) {
        let e = new_event();
        let waiter = ctx
            .process
            .spawn(move || wait1(e, ZX_EVENT_SIGNALED, ZX_TIME_INFINITE));
        await_observers(ctx, e, 1);
        assert!(still_running(&waiter));
        assert_eq!(zx_object_signal(e, 0, ZX_EVENT_SIGNALED), ZX_OK);
        assert_eq!(join(ctx, waiter), (ZX_OK, ZX_EVENT_SIGNALED));
        assert_eq!(observers(ctx, e), 0, "the wait left no observer behind");
        close(e);
        ctx.assert_clean();
    }

    fn main_thread_woken_by_spawned_signaller(ctx: &mut Ctx) {
        let e = new_event();
        let kernel = ctx.kernel.clone();
        let signaller = ctx.process.spawn(move || {
            await_condition("the main thread to block on a deadline", || {
                kernel.clock().next_deadline().is_some()
            });
            zx_object_signal(e, 0, ZX_USER_SIGNAL_7)
        });
        assert_eq!(wait1(e, ZX_USER_SIGNAL_7, FAR), (ZX_OK, ZX_USER_SIGNAL_7));
        assert_eq!(join(ctx, signaller), ZX_OK);
        assert_eq!(zx_clock_get_monotonic(), 0, "no time passed");
        close(e);
        ctx.assert_clean();
    }

    fn deadline_on_virtual_clock(ctx: &mut Ctx) {
        let e = new_event();
        assert_eq!(zx_object_signal(e, 0, ZX_USER_SIGNAL_2), ZX_OK);
        let waiter = ctx.process.spawn(move || {
            let result = wait1(e, ZX_EVENT_SIGNALED, 1_000);
            (result, zx_clock_get_monotonic())
        });
        await_blocked(ctx);
        assert_eq!(ctx.kernel.clock().next_deadline(), Some(1_000));
        ctx.kernel.advance_clock(999);
        assert!(still_running(&waiter), "timed out before the deadline");
        ctx.kernel.advance_clock(1);
        let ((status, observed), woke_at) = join(ctx, waiter);
        assert_eq!((status, observed), (ZX_ERR_TIMED_OUT, ZX_USER_SIGNAL_2));
        assert!(woke_at >= 1_000);
        close(e);
        ctx.assert_clean();
    }

    fn deadline_is_absolute(ctx: &mut Ctx) {
        let e = new_event();
        ctx.kernel.advance_clock(5_000);
        assert_eq!(wait1(e, ZX_EVENT_SIGNALED, 4_000).0, ZX_ERR_TIMED_OUT);
        assert_eq!(wait1(e, ZX_EVENT_SIGNALED, 5_000).0, ZX_ERR_TIMED_OUT);
        assert_eq!(
            ctx.kernel.clock().next_deadline(),
            None,
            "a poll never blocks"
        );
        close(e);
        ctx.assert_clean();
    }

    fn handle_closed_during_wait_is_canceled(ctx: &mut Ctx) {
        let e = new_event();
        let keep = dup(e, ZX_RIGHT_SAME_RIGHTS);
        assert_eq!(zx_object_signal(e, 0, ZX_USER_SIGNAL_1), ZX_OK);
        let waiter = ctx.process.spawn(move || wait1(e, ZX_EVENT_SIGNALED, FAR));
        await_blocked(ctx);
        close(e);
        assert_eq!(
            join(ctx, waiter),
            (ZX_ERR_CANCELED, ZX_USER_SIGNAL_1 | ZX_SIGNAL_HANDLE_CLOSED)
        );
        close(keep);
        ctx.assert_clean();
    }

    fn closing_another_handle_does_not_cancel(ctx: &mut Ctx) {
        let e = new_event();
        let d = dup(e, ZX_RIGHT_SAME_RIGHTS);
        let waiter = ctx
            .process
            .spawn(move || wait1(d, ZX_EVENT_SIGNALED, 1_000));
        await_blocked(ctx);
        close(e);
        assert!(
            still_running(&waiter),
            "closing another handle ended the wait"
        );
        ctx.kernel.advance_clock(1_000);
        assert_eq!(join(ctx, waiter), (ZX_ERR_TIMED_OUT, 0));
        close(d);
        ctx.assert_clean();
    }

    fn peer_closed_wakes_waiter(ctx: &mut Ctx) {
        let (a, b) = new_eventpair();
        let waiter = ctx
            .process
            .spawn(move || wait1(b, ZX_EVENTPAIR_PEER_CLOSED, FAR));
        await_blocked(ctx);
        close(a);
        assert_eq!(join(ctx, waiter), (ZX_OK, ZX_EVENTPAIR_PEER_CLOSED));
        close(b);
        ctx.assert_clean();
    }
}

mod wait_many {
    use super::*;

    cases![
        "zx_object_wait_many";
        (zero_items_past_deadline_times_out, "§5: count == 0 with a past deadline ⇒ ZX_ERR_TIMED_OUT at once", Both),
        (zero_items_sleep_until_deadline, "§5: count == 0 sleeps until the deadline, then ZX_ERR_TIMED_OUT", Both),
        (too_many_items_out_of_range, "§5/§1.9: count > 64 ⇒ ZX_ERR_OUT_OF_RANGE, before any item is looked at", Both),
        (sixty_four_items_allowed, "§5/§1.9: count == ZX_WAIT_MANY_MAX_ITEMS (64) is allowed", Both),
        (first_bad_item_decides, "§5: the first bad item aborts: BAD_HANDLE or ACCESS_DENIED (no WAIT), whichever comes first", Both),
        (bad_item_wins_over_earlier_match, "§5: a bad item fails the call even when an earlier item already matches", Both),
        (failed_call_undoes_registrations, "§5: on a bad item the earlier registrations are undone", Both),
        (port_item_access_denied, "§5/§12.2 item 1: a port item ⇒ ZX_ERR_ACCESS_DENIED", Both),
        (already_active_ok_with_past_deadline, "§5: an item already matching ⇒ ZX_OK with a past deadline; every pending filled", Both),
        (poll_times_out_with_current_state, "§5: past deadline, no match ⇒ ZX_ERR_TIMED_OUT, each pending = that object's current signals", Both),
        (zero_waitfor_never_matches, "§5: an item with waitfor == 0 never matches", Both),
        (duplicate_handles_allowed, "§5: the same handle may appear in several items", Both),
        (woken_by_other_thread, "§5/§2.4: a blocked wait_many returns ZX_OK when one item's signal is set; pending reports it", Both),
        (handle_closed_during_wait_is_canceled, "§5: an item's handle closed mid-wait ⇒ ZX_ERR_CANCELED; that item's pending has ZX_SIGNAL_HANDLE_CLOSED", Both),
        (deadline_on_virtual_clock, "§5: a blocked wait_many ends with TIMED_OUT when the clock reaches the deadline, pending filled", Both),
    ];

    fn zero_items_past_deadline_times_out(ctx: &mut Ctx) {
        assert_eq!(
            zx_object_wait_many(&mut [], ZX_TIME_INFINITE_PAST),
            ZX_ERR_TIMED_OUT
        );
        assert_eq!(zx_object_wait_many(&mut [], 0), ZX_ERR_TIMED_OUT);
        ctx.assert_clean();
    }

    fn zero_items_sleep_until_deadline(ctx: &mut Ctx) {
        let sleeper = ctx.process.spawn(|| {
            let status = zx_object_wait_many(&mut [], 2_000);
            (status, zx_clock_get_monotonic())
        });
        await_blocked(ctx);
        ctx.kernel.advance_clock(1_999);
        assert!(still_running(&sleeper), "returned before the deadline");
        ctx.kernel.advance_clock(1);
        let (status, woke_at) = join(ctx, sleeper);
        assert_eq!(status, ZX_ERR_TIMED_OUT);
        assert!(woke_at >= 2_000);
        ctx.assert_clean();
    }

    fn too_many_items_out_of_range(ctx: &mut Ctx) {
        let e = new_event();
        assert_eq!(zx_object_signal(e, 0, ZX_EVENT_SIGNALED), ZX_OK);
        let mut items = vec![item(e, ZX_EVENT_SIGNALED); 65];
        assert_eq!(zx_object_wait_many(&mut items, 0), ZX_ERR_OUT_OF_RANGE);
        let mut bad = vec![item(ZX_HANDLE_INVALID, ZX_EVENT_SIGNALED); 65];
        assert_eq!(zx_object_wait_many(&mut bad, 0), ZX_ERR_OUT_OF_RANGE);
        let mut many = vec![item(e, ZX_EVENT_SIGNALED); 1000];
        assert_eq!(zx_object_wait_many(&mut many, 0), ZX_ERR_OUT_OF_RANGE);
        close(e);
        ctx.assert_clean();
    }

    fn sixty_four_items_allowed(ctx: &mut Ctx) {
        let handles: Vec<_> = (0..64).map(|_| new_event()).collect();
        let mut items: Vec<_> = handles
            .iter()
            .map(|&h| item(h, ZX_EVENT_SIGNALED))
            .collect();
        assert_eq!(zx_object_wait_many(&mut items, 0), ZX_ERR_TIMED_OUT);
        assert_eq!(zx_object_signal(handles[63], 0, ZX_EVENT_SIGNALED), ZX_OK);
        assert_eq!(zx_object_wait_many(&mut items, 0), ZX_OK);
        assert_eq!(items[63].pending, ZX_EVENT_SIGNALED);
        assert_eq!(zx_handle_close_many(&handles), ZX_OK);
        ctx.assert_clean();
    }

    fn first_bad_item_decides(ctx: &mut Ctx) {
        let e = new_event();
        let no_wait = dup(e, ZX_RIGHT_SIGNAL);
        let stale = new_event();
        close(stale);
        let mut items = [
            item(e, ZX_EVENT_SIGNALED),
            item(stale, ZX_EVENT_SIGNALED),
            item(no_wait, ZX_EVENT_SIGNALED),
        ];
        assert_eq!(zx_object_wait_many(&mut items, 0), ZX_ERR_BAD_HANDLE);
        let mut items = [
            item(e, ZX_EVENT_SIGNALED),
            item(no_wait, ZX_EVENT_SIGNALED),
            item(stale, ZX_EVENT_SIGNALED),
        ];
        assert_eq!(zx_object_wait_many(&mut items, 0), ZX_ERR_ACCESS_DENIED);
        assert_eq!(zx_handle_close_many(&[e, no_wait]), ZX_OK);
        ctx.assert_clean();
    }

    fn bad_item_wins_over_earlier_match(ctx: &mut Ctx) {
        let e = new_event();
        assert_eq!(zx_object_signal(e, 0, ZX_EVENT_SIGNALED), ZX_OK);
        let mut items = [
            item(e, ZX_EVENT_SIGNALED),
            item(ZX_HANDLE_INVALID, ZX_EVENT_SIGNALED),
        ];
        assert_eq!(
            zx_object_wait_many(&mut items, ZX_TIME_INFINITE),
            ZX_ERR_BAD_HANDLE
        );
        close(e);
        ctx.assert_clean();
    }

    fn failed_call_undoes_registrations(ctx: &mut Ctx) {
        let (a, b) = (new_event(), new_event());
        let no_wait = dup(b, ZX_RIGHT_NONE);
        let mut items = [
            item(a, ZX_EVENT_SIGNALED),
            item(b, ZX_USER_SIGNAL_0),
            item(no_wait, ZX_EVENT_SIGNALED),
        ];
        assert_eq!(zx_object_wait_many(&mut items, FAR), ZX_ERR_ACCESS_DENIED);
        assert_eq!(
            observers(ctx, a),
            0,
            "item 0's registration was left behind"
        );
        assert_eq!(
            observers(ctx, b),
            0,
            "item 1's registration was left behind"
        );
        assert_eq!(
            ctx.kernel.clock().next_deadline(),
            None,
            "the call must not have blocked"
        );
        assert_eq!(zx_handle_close_many(&[a, b, no_wait]), ZX_OK);
        ctx.assert_clean();
    }

    fn port_item_access_denied(ctx: &mut Ctx) {
        let (e, p) = (new_event(), new_port());
        let mut items = [item(e, ZX_EVENT_SIGNALED), item(p, ZX_USER_SIGNAL_0)];
        assert_eq!(zx_object_wait_many(&mut items, 0), ZX_ERR_ACCESS_DENIED);
        assert_eq!(zx_handle_close_many(&[e, p]), ZX_OK);
        ctx.assert_clean();
    }

    fn already_active_ok_with_past_deadline(ctx: &mut Ctx) {
        let (a, b, c) = (new_event(), new_event(), new_event());
        assert_eq!(
            zx_object_signal(b, 0, ZX_USER_SIGNAL_0 | ZX_USER_SIGNAL_1),
            ZX_OK
        );
        assert_eq!(zx_object_signal(c, 0, ZX_USER_SIGNAL_5), ZX_OK);
        let mut items = [
            item(a, ZX_USER_SIGNAL_0),
            item(b, ZX_USER_SIGNAL_0),
            item(c, ZX_USER_SIGNAL_0),
        ];
        assert_eq!(
            zx_object_wait_many(&mut items, ZX_TIME_INFINITE_PAST),
            ZX_OK
        );
        assert_eq!(
            pending(&items),
            vec![0, ZX_USER_SIGNAL_0 | ZX_USER_SIGNAL_1, ZX_USER_SIGNAL_5]
        );
        assert_eq!(zx_handle_close_many(&[a, b, c]), ZX_OK);
        ctx.assert_clean();
    }

    fn poll_times_out_with_current_state(ctx: &mut Ctx) {
        let (a, b) = (new_event(), new_event());
        assert_eq!(zx_object_signal(b, 0, ZX_USER_SIGNAL_1), ZX_OK);
        let mut items = [item(a, ZX_EVENT_SIGNALED), item(b, ZX_EVENT_SIGNALED)];
        assert_eq!(zx_object_wait_many(&mut items, 0), ZX_ERR_TIMED_OUT);
        assert_eq!(pending(&items), vec![0, ZX_USER_SIGNAL_1]);
        assert_eq!(zx_handle_close_many(&[a, b]), ZX_OK);
        ctx.assert_clean();
    }

    fn zero_waitfor_never_matches(ctx: &mut Ctx) {
        let e = new_event();
        assert_eq!(zx_object_signal(e, 0, ZX_EVENT_SIGNAL_MASK), ZX_OK);
        let mut items = [item(e, 0), item(e, 0)];
        assert_eq!(
            zx_object_wait_many(&mut items, ZX_TIME_INFINITE_PAST),
            ZX_ERR_TIMED_OUT
        );
        assert_eq!(pending(&items), vec![ZX_EVENT_SIGNAL_MASK; 2]);
        close(e);
        ctx.assert_clean();
    }

    fn duplicate_handles_allowed(ctx: &mut Ctx) {
        let e = new_event();
        let mut items = [item(e, ZX_USER_SIGNAL_0), item(e, ZX_USER_SIGNAL_1)];
        assert_eq!(zx_object_wait_many(&mut items, 0), ZX_ERR_TIMED_OUT);
        assert_eq!(zx_object_signal(e, 0, ZX_USER_SIGNAL_1), ZX_OK);
        assert_eq!(zx_object_wait_many(&mut items, 0), ZX_OK);
        assert_eq!(pending(&items), vec![ZX_USER_SIGNAL_1; 2]);
        close(e);
        ctx.assert_clean();
    }

    fn woken_by_other_thread(ctx: &mut Ctx) {
        let (a, b, c) = (new_event(), new_event(), new_event());
        assert_eq!(zx_object_signal(a, 0, ZX_USER_SIGNAL_3), ZX_OK);
        let waiter = ctx.process.spawn(move || {
            let mut items = [
                item(a, ZX_EVENT_SIGNALED),
                item(b, ZX_EVENT_SIGNALED),
                item(c, ZX_EVENT_SIGNALED),
            ];
            let status = zx_object_wait_many(&mut items, FAR);
            (status, pending(&items))
        });
        await_blocked(ctx);
        assert!(still_running(&waiter));
        assert_eq!(
            zx_object_signal(c, 0, ZX_EVENT_SIGNALED | ZX_USER_SIGNAL_0),
            ZX_OK
        );
        let (status, pending) = join(ctx, waiter);
        assert_eq!(status, ZX_OK);
        assert_eq!(
            pending,
            vec![ZX_USER_SIGNAL_3, 0, ZX_EVENT_SIGNALED | ZX_USER_SIGNAL_0]
        );
        for h in [a, b, c] {
            assert_eq!(observers(ctx, h), 0, "the wait left an observer behind");
        }
        assert_eq!(zx_handle_close_many(&[a, b, c]), ZX_OK);
        ctx.assert_clean();
    }

    fn handle_closed_during_wait_is_canceled(ctx: &mut Ctx) {
        let (a, b) = (new_event(), new_event());
        let b_keep = dup(b, ZX_RIGHT_SAME_RIGHTS);
        assert_eq!(zx_object_signal(a, 0, ZX_USER_SIGNAL_2), ZX_OK);
        assert_eq!(zx_object_signal(b, 0, ZX_USER_SIGNAL_4), ZX_OK);
        let waiter = ctx.process.spawn(move || {
            let mut items = [item(a, ZX_EVENT_SIGNALED), item(b, ZX_EVENT_SIGNALED)];
            let status = zx_object_wait_many(&mut items, FAR);
            (status, pending(&items))
        });
        await_blocked(ctx);
        close(b);
        let (status, pending) = join(ctx, waiter);
        assert_eq!(status, ZX_ERR_CANCELED);
        assert_eq!(pending[1], ZX_USER_SIGNAL_4 | ZX_SIGNAL_HANDLE_CLOSED);
        assert_eq!(
            pending[0], ZX_USER_SIGNAL_2,
            "the other item reports its current state"
        );
        assert_eq!(observers(ctx, a), 0);
        assert_eq!(zx_handle_close_many(&[a, b_keep]), ZX_OK);
        ctx.assert_clean();
    }

    fn deadline_on_virtual_clock(ctx: &mut Ctx) {
        let (a, b) = (new_event(), new_event());
        let waiter = ctx.process.spawn(move || {
            let mut items = [item(a, ZX_EVENT_SIGNALED), item(b, ZX_EVENT_SIGNALED)];
            let status = zx_object_wait_many(&mut items, 3_000);
            (status, pending(&items))
        });
        await_blocked(ctx);
        ctx.kernel.advance_clock(2_999);
        assert!(still_running(&waiter), "timed out before the deadline");
        assert_eq!(zx_object_signal(b, 0, ZX_USER_SIGNAL_6), ZX_OK);
        ctx.kernel.advance_clock(1);
        assert_eq!(
            join(ctx, waiter),
            (ZX_ERR_TIMED_OUT, vec![0, ZX_USER_SIGNAL_6])
        );
        assert_eq!(zx_handle_close_many(&[a, b]), ZX_OK);
        ctx.assert_clean();
    }
}
