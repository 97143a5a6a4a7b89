//! Conformance cases for timers (spec §9, §4 `ZX_INFO_TIMER`, §12.2 item 10, §15 item 11).
//!
//! Every case runs on the virtual clock: timers fire when the case advances time, never by
//! sleeping. Slack-window cases step the clock through the window and record the first instant
//! at which the timer is seen SIGNALED, which must lie inside the window of the timer's mode.

use crate::harness::{Case, Ctx};
use crate::support::*;
use zxsim_syscalls::sys::*;

pub fn cases() -> Vec<Case> {
    [
        create::cases(),
        set::cases(),
        window::cases(),
        cancel::cases(),
        info::cases(),
    ]
    .into_iter()
    .flatten()
    .collect()
}

fn timer(slack_mode: u32) -> zx_handle_t {
    let mut t = 0;
    assert_eq!(
        zx_timer_create(slack_mode, ZX_CLOCK_MONOTONIC, &mut t),
        ZX_OK,
        "zx_timer_create"
    );
    t
}

fn fired(t: zx_handle_t) -> bool {
    signals(t) & ZX_TIMER_SIGNALED != 0
}

/// `ZX_INFO_TIMER` of `t` (must succeed).
fn timer_info(t: zx_handle_t) -> zx_info_timer_t {
    let mut info = zx_info_timer_t::default();
    assert_eq!(
        zx_object_get_info(t, ZX_INFO_TIMER, info.as_bytes_mut(), None, None),
        ZX_OK,
        "ZX_INFO_TIMER"
    );
    info
}

/// (deadline, slack) as `ZX_INFO_TIMER` reports them.
fn armed(t: zx_handle_t) -> (zx_time_t, zx_duration_t) {
    let info = timer_info(t);
    (info.deadline, info.slack)
}

fn now(ctx: &Ctx) -> zx_time_t {
    ctx.kernel.clock().now()
}

/// A level-triggered `wait_async` for `ZX_TIMER_SIGNALED` on `t`.
fn watch(t: zx_handle_t, port: zx_handle_t, key: u64) {
    assert_eq!(
        zx_object_wait_async(t, port, key, ZX_TIMER_SIGNALED, 0),
        ZX_OK,
        "zx_object_wait_async"
    );
}

mod create {
    use super::*;

    cases![
        "zx_timer_create";
        (monotonic_clock, "§9: clock ZX_CLOCK_MONOTONIC is accepted; ZX_INFO_TIMER reports it", Both),
        (boot_clock_accepted, "§9/§12.2 item 10: newer kernels also accept ZX_CLOCK_BOOT", Both),
        (unknown_clock_invalid_args, "§9: any other clock_id ⇒ INVALID_ARGS (checked first, whatever the options), nothing created", Both),
        (slack_modes_accepted, "§9: options SLACK_CENTER/EARLY/LATE (0/1/2) are accepted and reported as the options", Both),
        (other_options_invalid_args, "§9: options other than 0/1/2 ⇒ INVALID_ARGS, nothing created", Both),
        (rights_type_and_initial_state, "§9/§1.4: rights 0xD00B (BASIC|WRITE|SIGNAL, no READ), type TIMER, no related koid, unsignalled", Both),
    ];

    fn monotonic_clock(ctx: &mut Ctx) {
        let mut t = 0;
        assert_eq!(zx_timer_create(0, ZX_CLOCK_MONOTONIC, &mut t), ZX_OK);
        assert_eq!(timer_info(t).clock_id, ZX_CLOCK_MONOTONIC);
        close(t);
        ctx.assert_clean();
    }

    fn boot_clock_accepted(ctx: &mut Ctx) {
        let mut t = 0;
        assert_eq!(zx_timer_create(0, ZX_CLOCK_BOOT, &mut t), ZX_OK);
        assert_eq!(timer_info(t).clock_id, ZX_CLOCK_BOOT);
        close(t);
        ctx.assert_clean();
    }

    fn unknown_clock_invalid_args(ctx: &mut Ctx) {
        let mut t = 0;
        for clock in [2, 3, 0x100, u32::MAX] {
            assert_eq!(
                zx_timer_create(0, clock, &mut t),
                ZX_ERR_INVALID_ARGS,
                "clock {clock}"
            );
            assert_eq!(
                zx_timer_create(99, clock, &mut t),
                ZX_ERR_INVALID_ARGS,
                "clock {clock} with bad options"
            );
        }
        assert_eq!(t, 0, "no handle written");
        ctx.assert_clean();
    }

    fn slack_modes_accepted(ctx: &mut Ctx) {
        for mode in [
            ZX_TIMER_SLACK_CENTER,
            ZX_TIMER_SLACK_EARLY,
            ZX_TIMER_SLACK_LATE,
        ] {
            let t = timer(mode);
            assert_eq!(timer_info(t).options, mode);
            close(t);
        }
        ctx.assert_clean();
    }

    fn other_options_invalid_args(ctx: &mut Ctx) {
        let mut t = 0;
        for options in [3, 4, 0x100, u32::MAX] {
            assert_eq!(
                zx_timer_create(options, ZX_CLOCK_MONOTONIC, &mut t),
                ZX_ERR_INVALID_ARGS,
                "options {options}"
            );
        }
        assert_eq!(t, 0, "no handle written");
        ctx.assert_clean();
    }

    fn rights_type_and_initial_state(ctx: &mut Ctx) {
        let t = timer(0);
        assert_eq!(ZX_DEFAULT_TIMER_RIGHTS, 0xD00B);
        assert_eq!(rights(t), ZX_DEFAULT_TIMER_RIGHTS);
        assert_eq!(rights(t) & ZX_RIGHT_READ, 0, "no READ");
        let b = basic(t);
        assert_eq!((b.type_, b.related_koid), (ZX_OBJ_TYPE_TIMER, 0));
        assert_eq!(signals(t), 0, "a new timer asserts nothing");
        assert_eq!(armed(t), (0, 0), "and is not armed");
        close(t);
        ctx.assert_clean();
    }
}

mod set {
    use super::*;

    cases![
        "zx_timer_set";
        (negative_slack_out_of_range, "§9/§15 item 11: slack < 0 ⇒ OUT_OF_RANGE; nothing changes (not armed, SIGNALED kept)", Both),
        (negative_slack_before_the_handle, "§9/§2.1: negative slack is checked before the handle: bad, wrong-type or rightless handles also get OUT_OF_RANGE", Both),
        (bad_handle, "§9/§2.1: slack ≥ 0 and a handle not in the table ⇒ BAD_HANDLE", Both),
        (wrong_type_before_access_denied, "§9/§2.1: a non-timer ⇒ WRONG_TYPE, even when it also lacks WRITE (event)", Both),
        (needs_write, "§9: a timer handle without WRITE ⇒ ACCESS_DENIED, nothing armed", Both),
        (fires_at_the_deadline, "§9: armed (slack 0), SIGNALED is asserted when the clock reaches the deadline, not before", Both),
        (one_shot_stays_signaled, "§9: one-shot: fires once (one packet), SIGNALED stays asserted until cancel/set, nothing re-armed", Both),
        (deadline_zero_signals_at_once, "§9: deadline 0 ⇒ SIGNALED asserted during the call (a pending wait fires), no timer armed", Both),
        (deadline_past_signals_at_once, "§9: deadline ≤ now (incl. == now and INFINITE_PAST) ⇒ SIGNALED at once, no timer armed", Both),
        (set_clears_signaled, "§9: set clears SIGNALED first: a fired timer re-armed for the future is unsignalled at once", Both),
        (set_cancels_pending_deadline, "§9: set cancels any pending deadline: only the newest deadline fires", Both),
        (set_past_on_fired_timer_is_a_new_edge, "§9: set clears SIGNALED before signalling a past deadline, so an EDGE wait sees a new rising edge", Both),
        (signaled_not_user_settable, "§4/§15 item 11: ZX_TIMER_SIGNALED cannot be set or cleared with zx_object_signal (INVALID_ARGS); user signals can", Both),
        (fire_in_deadline_order, "§9: several timers due in one clock step fire in deadline order (packets arrive in that order)", Both),
        (last_close_disarms, "§9: closing the last handle disarms: with a far deadline armed nothing is left alive right after the close", Both),
        (other_handle_keeps_it_armed, "§9/§2.2: closing a handle that is not the last keeps the timer armed; it still fires", Both),
    ];

    fn negative_slack_out_of_range(ctx: &mut Ctx) {
        let t = timer(0);
        assert_eq!(zx_timer_set(t, 100, -1), ZX_ERR_OUT_OF_RANGE);
        assert_eq!(zx_timer_set(t, 100, i64::MIN), ZX_ERR_OUT_OF_RANGE);
        assert_eq!(armed(t), (0, 0), "nothing armed");
        assert_eq!(ctx.kernel.clock().next_deadline(), None);
        assert_eq!(zx_timer_set(t, 0, 0), ZX_OK);
        assert!(fired(t));
        assert_eq!(zx_timer_set(t, 1_000, -5), ZX_ERR_OUT_OF_RANGE);
        assert!(fired(t), "a rejected set does not clear SIGNALED");
        close(t);
        ctx.assert_clean();
    }

    fn negative_slack_before_the_handle(ctx: &mut Ctx) {
        assert_eq!(
            zx_timer_set(ZX_HANDLE_INVALID, 100, -1),
            ZX_ERR_OUT_OF_RANGE,
            "invalid handle"
        );
        let t = timer(0);
        let stale = t;
        close(t);
        assert_eq!(
            zx_timer_set(stale, 100, -1),
            ZX_ERR_OUT_OF_RANGE,
            "closed handle"
        );
        let e = new_event();
        assert_eq!(zx_timer_set(e, 100, -1), ZX_ERR_OUT_OF_RANGE, "wrong type");
        let t = timer(0);
        let no_write = dup(t, ZX_DEFAULT_TIMER_RIGHTS & !ZX_RIGHT_WRITE);
        assert_eq!(
            zx_timer_set(no_write, 100, -1),
            ZX_ERR_OUT_OF_RANGE,
            "no WRITE"
        );
        for h in [e, t, no_write] {
            close(h);
        }
        ctx.assert_clean();
    }

    fn bad_handle(ctx: &mut Ctx) {
        assert_eq!(zx_timer_set(ZX_HANDLE_INVALID, 100, 0), ZX_ERR_BAD_HANDLE);
        let t = timer(0);
        close(t);
        assert_eq!(zx_timer_set(t, 100, 0), ZX_ERR_BAD_HANDLE, "closed handle");
        assert_eq!(ctx.kernel.clock().next_deadline(), None);
        ctx.assert_clean();
    }

    fn wrong_type_before_access_denied(ctx: &mut Ctx) {
        let e = new_event(); // rights 0xD003: no WRITE either
        assert_eq!(zx_timer_set(e, 100, 0), ZX_ERR_WRONG_TYPE);
        let p = new_port(); // has WRITE
        assert_eq!(zx_timer_set(p, 100, 0), ZX_ERR_WRONG_TYPE);
        close(e);
        close(p);
        ctx.assert_clean();
    }

    fn needs_write(ctx: &mut Ctx) {
        let t = timer(0);
        let no_write = dup(t, ZX_DEFAULT_TIMER_RIGHTS & !ZX_RIGHT_WRITE);
        assert_eq!(zx_timer_set(no_write, 100, 0), ZX_ERR_ACCESS_DENIED);
        assert_eq!(zx_timer_set(no_write, 0, 0), ZX_ERR_ACCESS_DENIED);
        assert!(!fired(t), "a refused deadline 0 does not signal");
        assert_eq!(armed(t), (0, 0));
        close(no_write);
        close(t);
        ctx.assert_clean();
    }

    fn fires_at_the_deadline(ctx: &mut Ctx) {
        let t = timer(0);
        assert_eq!(zx_timer_set(t, 1_000, 0), ZX_OK);
        assert!(!fired(t));
        ctx.kernel.advance_clock(999);
        assert!(!fired(t), "fired before its deadline");
        ctx.kernel.advance_clock(1);
        assert!(fired(t), "not fired at its deadline");
        close(t);
        ctx.assert_clean();
    }

    fn one_shot_stays_signaled(ctx: &mut Ctx) {
        let t = timer(0);
        let p = new_port();
        assert_eq!(zx_timer_set(t, 100, 0), ZX_OK);
        watch(t, p, 1);
        ctx.kernel.advance_clock(100);
        assert_eq!(drain(p).len(), 1, "one packet when it fires");
        assert_eq!(
            zx_object_wait_async(t, p, 2, ZX_TIMER_SIGNALED, ZX_WAIT_ASYNC_EDGE),
            ZX_OK
        );
        ctx.kernel.advance_clock(1_000_000);
        assert!(fired(t), "SIGNALED stays asserted");
        assert!(drain(p).is_empty(), "it never fires a second time");
        assert_eq!(ctx.kernel.clock().next_deadline(), None, "nothing re-armed");
        close(t);
        close(p);
        ctx.assert_clean();
    }

    fn deadline_zero_signals_at_once(ctx: &mut Ctx) {
        let t = timer(0);
        let p = new_port();
        watch(t, p, 7);
        assert_eq!(zx_timer_set(t, 0, 0), ZX_OK);
        assert!(fired(t), "SIGNALED without any clock movement");
        let packets = drain(p);
        assert_eq!(packets.len(), 1, "the pending wait fired during the call");
        assert_eq!(packets[0].key, 7);
        assert_eq!(armed(t), (0, 0), "no timer armed");
        assert_eq!(ctx.kernel.clock().next_deadline(), None);
        close(t);
        close(p);
        ctx.assert_clean();
    }

    fn deadline_past_signals_at_once(ctx: &mut Ctx) {
        ctx.kernel.advance_clock(500);
        let t = timer(0);
        for deadline in [499, 500, 1, ZX_TIME_INFINITE_PAST] {
            assert_eq!(zx_timer_cancel(t), ZX_OK);
            assert!(!fired(t));
            assert_eq!(zx_timer_set(t, deadline, 10), ZX_OK);
            assert!(fired(t), "deadline {deadline} ≤ now (500) signals at once");
            assert_eq!(armed(t), (0, 0), "deadline {deadline}: nothing armed");
        }
        assert_eq!(ctx.kernel.clock().next_deadline(), None);
        close(t);
        ctx.assert_clean();
    }

    fn set_clears_signaled(ctx: &mut Ctx) {
        let t = timer(0);
        assert_eq!(zx_timer_set(t, 0, 0), ZX_OK);
        assert!(fired(t));
        assert_eq!(zx_timer_set(t, 1_000, 0), ZX_OK);
        assert!(!fired(t), "re-arming cleared SIGNALED");
        ctx.kernel.advance_clock(1_000);
        assert!(fired(t), "and it fires again at the new deadline");
        close(t);
        ctx.assert_clean();
    }

    fn set_cancels_pending_deadline(ctx: &mut Ctx) {
        let t = timer(0);
        assert_eq!(zx_timer_set(t, 1_000, 0), ZX_OK);
        assert_eq!(zx_timer_set(t, 2_000, 5), ZX_OK);
        assert_eq!(armed(t), (2_000, 5));
        ctx.kernel.advance_clock(1_500);
        assert!(!fired(t), "the replaced deadline (1 000) did not fire");
        ctx.kernel.advance_clock(500);
        assert!(fired(t));
        // Re-arming further out also withdraws an earlier pending deadline.
        assert_eq!(zx_timer_set(t, 3_000, 0), ZX_OK);
        assert_eq!(zx_timer_set(t, 2_500, 0), ZX_OK);
        ctx.kernel.advance_clock(500);
        assert!(fired(t), "the newest (earlier) deadline fired");
        assert_eq!(
            ctx.kernel.clock().next_deadline(),
            None,
            "the 3 000 deadline was withdrawn"
        );
        close(t);
        ctx.assert_clean();
    }

    fn set_past_on_fired_timer_is_a_new_edge(ctx: &mut Ctx) {
        let t = timer(0);
        let p = new_port();
        assert_eq!(zx_timer_set(t, 0, 0), ZX_OK);
        assert_eq!(
            zx_object_wait_async(t, p, 3, ZX_TIMER_SIGNALED, ZX_WAIT_ASYNC_EDGE),
            ZX_OK
        );
        assert!(
            drain(p).is_empty(),
            "EDGE: no packet for the bit already set"
        );
        assert_eq!(zx_timer_set(t, 0, 0), ZX_OK);
        let packets = drain(p);
        assert_eq!(
            packets.len(),
            1,
            "set cleared SIGNALED and asserted it again: a rising edge"
        );
        assert_eq!(packets[0].key, 3);
        assert!(fired(t));
        close(t);
        close(p);
        ctx.assert_clean();
    }

    fn signaled_not_user_settable(ctx: &mut Ctx) {
        let t = timer(0);
        assert_eq!(
            zx_object_signal(t, 0, ZX_TIMER_SIGNALED),
            ZX_ERR_INVALID_ARGS
        );
        assert!(!fired(t), "set refused");
        assert_eq!(zx_timer_set(t, 0, 0), ZX_OK);
        assert_eq!(
            zx_object_signal(t, ZX_TIMER_SIGNALED, 0),
            ZX_ERR_INVALID_ARGS
        );
        assert!(fired(t), "clear refused too");
        assert_eq!(
            zx_object_signal(t, 0, ZX_USER_SIGNAL_0 | ZX_TIMER_SIGNALED),
            ZX_ERR_INVALID_ARGS
        );
        assert_eq!(signals(t) & ZX_USER_SIGNAL_0, 0, "nothing changed");
        assert_eq!(zx_object_signal(t, 0, ZX_USER_SIGNAL_0), ZX_OK);
        assert_eq!(
            signals(t),
            ZX_TIMER_SIGNALED | ZX_USER_SIGNAL_0,
            "user signals are settable"
        );
        close(t);
        ctx.assert_clean();
    }

    fn fire_in_deadline_order(ctx: &mut Ctx) {
        let p = new_port();
        let deadlines = [300, 100, 400, 200, 250];
        let timers: Vec<zx_handle_t> = deadlines.iter().map(|_| timer(0)).collect();
        for (key, (&t, &deadline)) in timers.iter().zip(&deadlines).enumerate() {
            assert_eq!(zx_timer_set(t, deadline, 0), ZX_OK);
            watch(t, p, key as u64);
        }
        ctx.kernel.advance_clock(1_000);
        let order: Vec<zx_time_t> = drain(p)
            .iter()
            .map(|packet| deadlines[packet.key as usize])
            .collect();
        assert_eq!(
            order,
            vec![100, 200, 250, 300, 400],
            "deadlines of the packets"
        );
        for t in timers {
            close(t);
        }
        close(p);
        ctx.assert_clean();
    }

    fn last_close_disarms(ctx: &mut Ctx) {
        let t = timer(ZX_TIMER_SLACK_LATE);
        assert_eq!(zx_timer_set(t, 1_000_000_000_000, 1_000), ZX_OK);
        assert!(ctx.kernel.clock().next_deadline().is_some(), "armed");
        close(t);
        ctx.assert_clean();
        assert_eq!(
            ctx.kernel.clock().next_deadline(),
            None,
            "the deadline entry is withdrawn"
        );
        ctx.kernel.advance_clock(2_000_000_000_000);
        ctx.assert_clean();
    }

    fn other_handle_keeps_it_armed(ctx: &mut Ctx) {
        let t = timer(0);
        let other = dup(t, ZX_RIGHT_SAME_RIGHTS);
        assert_eq!(zx_timer_set(t, 1_000, 0), ZX_OK);
        close(t);
        assert_eq!(armed(other), (1_000, 0), "still armed");
        ctx.kernel.advance_clock(1_000);
        assert!(fired(other));
        close(other);
        ctx.assert_clean();
    }
}

/// The slack windows of §9, each mode on its own. Deadline `D`, slack `S`.
mod window {
    use super::*;

    const D: zx_time_t = 10_000;
    const S: zx_duration_t = 1_000;
    const STEP: zx_duration_t = 50;

    /// Arms a `mode` timer for (`D`, `S`) at time 0, moves the clock to just before `opens` (it
    /// must not have fired), then through the window in `STEP`s up to `closes`. Returns the
    /// first time it was seen SIGNALED (`None`: not by `closes`).
    fn first_seen_fired(ctx: &Ctx, mode: u32, opens: zx_time_t, closes: zx_time_t) -> Option<i64> {
        let t = timer(mode);
        assert_eq!(zx_timer_set(t, D, S), ZX_OK);
        ctx.kernel.clock().advance_to(opens - 1);
        assert!(
            !fired(t),
            "mode {mode}: fired at {}, before its window opens at {opens}",
            now(ctx)
        );
        let mut seen = None;
        while seen.is_none() && now(ctx) < closes {
            let next = (now(ctx) + STEP).min(closes);
            ctx.kernel.clock().advance_to(next);
            if fired(t) {
                seen = Some(now(ctx));
            }
        }
        close(t);
        seen
    }

    fn assert_fires_within(ctx: &Ctx, mode: u32, opens: zx_time_t, closes: zx_time_t) {
        let seen = first_seen_fired(ctx, mode, opens, closes);
        match seen {
            Some(at) => assert!(
                (opens..=closes).contains(&at),
                "mode {mode}: fired at {at}, outside [{opens}, {closes}]"
            ),
            None => panic!("mode {mode}: not fired by the end of its window ({closes})"),
        }
        ctx.assert_clean();
    }

    cases![
        "zx_timer_set";
        (slack_center_window, "§9: SLACK_CENTER fires within [d−s, d+s]: not before d−s, fired by d+s", Both),
        (slack_early_window, "§9: SLACK_EARLY fires within [d−s, d]: not before d−s, fired by d", Both),
        (slack_late_window, "§9: SLACK_LATE fires within [d, d+s]: not before d, fired by d+s", Both),
        (zero_slack_fires_exactly_at_deadline, "§9: with slack 0 every mode's window is [d, d]", Both),
        (early_window_already_open, "§9: SLACK_EARLY with d−s ≤ now < d fires as soon as the clock moves (window already open)", Both),
        (fire_instant_at_window_edges, "§9 (zxsim's documented choice inside the windows): EARLY fires exactly at d−s, CENTER and LATE exactly at d — not one nanosecond earlier", Both),
    ];

    fn fire_instant_at_window_edges(ctx: &mut Ctx) {
        for (mode, offset) in [
            (ZX_TIMER_SLACK_EARLY, -S),
            (ZX_TIMER_SLACK_CENTER, 0),
            (ZX_TIMER_SLACK_LATE, 0),
        ] {
            let deadline = now(ctx) + D;
            let expected = deadline + offset;
            let t = timer(mode);
            assert_eq!(zx_timer_set(t, deadline, S), ZX_OK);
            ctx.kernel.clock().advance_to(expected - 1);
            assert!(!fired(t), "mode {mode}: fired before {expected}");
            ctx.kernel.clock().advance_to(expected);
            assert!(fired(t), "mode {mode}: not fired at {expected}");
            close(t);
        }
        ctx.assert_clean();
    }

    fn slack_center_window(ctx: &mut Ctx) {
        assert_fires_within(ctx, ZX_TIMER_SLACK_CENTER, D - S, D + S);
    }

    fn slack_early_window(ctx: &mut Ctx) {
        assert_fires_within(ctx, ZX_TIMER_SLACK_EARLY, D - S, D);
    }

    fn slack_late_window(ctx: &mut Ctx) {
        assert_fires_within(ctx, ZX_TIMER_SLACK_LATE, D, D + S);
    }

    fn zero_slack_fires_exactly_at_deadline(ctx: &mut Ctx) {
        for mode in [
            ZX_TIMER_SLACK_CENTER,
            ZX_TIMER_SLACK_EARLY,
            ZX_TIMER_SLACK_LATE,
        ] {
            let start = now(ctx);
            let t = timer(mode);
            assert_eq!(zx_timer_set(t, start + 100, 0), ZX_OK);
            ctx.kernel.clock().advance_to(start + 99);
            assert!(!fired(t), "mode {mode}: fired before d");
            ctx.kernel.clock().advance_to(start + 100);
            assert!(fired(t), "mode {mode}: not fired at d");
            close(t);
        }
        ctx.assert_clean();
    }

    fn early_window_already_open(ctx: &mut Ctx) {
        ctx.kernel.advance_clock(5_000);
        let t = timer(ZX_TIMER_SLACK_EARLY);
        // Window [4 100, 5 100]: already open, closes 100 ns from now.
        assert_eq!(zx_timer_set(t, 5_100, 1_000), ZX_OK);
        assert_eq!(
            armed(t),
            (5_100, 1_000),
            "armed: the deadline is in the future"
        );
        ctx.kernel.advance_clock(1);
        assert!(fired(t), "not fired although its window is open");
        close(t);
        ctx.assert_clean();
    }
}

mod cancel {
    use super::*;

    cases![
        "zx_timer_cancel";
        (bad_handle, "§9/§2.1: a handle not in the table ⇒ BAD_HANDLE", Both),
        (wrong_type_before_access_denied, "§9/§2.1: a non-timer ⇒ WRONG_TYPE, even when it also lacks WRITE (event)", Both),
        (needs_write, "§9: a timer handle without WRITE ⇒ ACCESS_DENIED; the timer stays armed and fires", Both),
        (cancel_disarms, "§9: cancel disarms a pending deadline: it never fires, and no pending wait gets a packet", Both),
        (cancel_clears_fired_timer, "§9: cancel clears SIGNALED even after the timer fired", Both),
        (cancel_unarmed_is_ok, "§9: cancel before any set is a harmless ZX_OK", Both),
        (rearm_after_cancel, "§9: a cancelled timer can be set again and fires at the new deadline", Both),
    ];

    fn bad_handle(ctx: &mut Ctx) {
        assert_eq!(zx_timer_cancel(ZX_HANDLE_INVALID), ZX_ERR_BAD_HANDLE);
        let t = timer(0);
        close(t);
        assert_eq!(zx_timer_cancel(t), ZX_ERR_BAD_HANDLE, "closed handle");
        ctx.assert_clean();
    }

    fn wrong_type_before_access_denied(ctx: &mut Ctx) {
        let e = new_event();
        assert_eq!(zx_timer_cancel(e), ZX_ERR_WRONG_TYPE);
        let p = new_port();
        assert_eq!(zx_timer_cancel(p), ZX_ERR_WRONG_TYPE);
        close(e);
        close(p);
        ctx.assert_clean();
    }

    fn needs_write(ctx: &mut Ctx) {
        let t = timer(0);
        let no_write = dup(t, ZX_DEFAULT_TIMER_RIGHTS & !ZX_RIGHT_WRITE);
        assert_eq!(zx_timer_set(t, 100, 0), ZX_OK);
        assert_eq!(zx_timer_cancel(no_write), ZX_ERR_ACCESS_DENIED);
        ctx.kernel.advance_clock(100);
        assert!(fired(t), "the refused cancel did not disarm");
        assert_eq!(zx_timer_cancel(no_write), ZX_ERR_ACCESS_DENIED);
        assert!(fired(t), "the refused cancel did not clear SIGNALED");
        close(no_write);
        close(t);
        ctx.assert_clean();
    }

    fn cancel_disarms(ctx: &mut Ctx) {
        let t = timer(0);
        let p = new_port();
        assert_eq!(zx_timer_set(t, 1_000, 0), ZX_OK);
        watch(t, p, 1);
        assert_eq!(zx_timer_cancel(t), ZX_OK);
        assert_eq!(armed(t), (0, 0));
        assert_eq!(ctx.kernel.clock().next_deadline(), None);
        ctx.kernel.advance_clock(10_000);
        assert!(!fired(t), "a cancelled timer stays quiet");
        assert!(drain(p).is_empty(), "no packet");
        close(t);
        close(p);
        ctx.assert_clean();
    }

    fn cancel_clears_fired_timer(ctx: &mut Ctx) {
        let t = timer(0);
        assert_eq!(zx_timer_set(t, 10, 0), ZX_OK);
        ctx.kernel.advance_clock(10);
        assert!(fired(t));
        assert_eq!(zx_timer_cancel(t), ZX_OK);
        assert!(!fired(t));
        // Also for a timer signalled at once by a past deadline.
        assert_eq!(zx_timer_set(t, 0, 0), ZX_OK);
        assert!(fired(t));
        assert_eq!(zx_timer_cancel(t), ZX_OK);
        assert!(!fired(t));
        close(t);
        ctx.assert_clean();
    }

    fn cancel_unarmed_is_ok(ctx: &mut Ctx) {
        let t = timer(0);
        assert_eq!(zx_timer_cancel(t), ZX_OK);
        assert_eq!(zx_timer_cancel(t), ZX_OK, "twice");
        assert_eq!(signals(t), 0);
        assert_eq!(armed(t), (0, 0));
        close(t);
        ctx.assert_clean();
    }

    fn rearm_after_cancel(ctx: &mut Ctx) {
        let t = timer(0);
        assert_eq!(zx_timer_set(t, 100, 0), ZX_OK);
        assert_eq!(zx_timer_cancel(t), ZX_OK);
        assert_eq!(zx_timer_set(t, 300, 0), ZX_OK);
        ctx.kernel.advance_clock(299);
        assert!(!fired(t));
        ctx.kernel.advance_clock(1);
        assert!(fired(t));
        close(t);
        ctx.assert_clean();
    }
}

mod info {
    use super::*;

    /// `zx_object_get_info(h, ZX_INFO_TIMER)` into a `size`-byte buffer: (status, actual, avail).
    fn raw_info(h: zx_handle_t, size: usize) -> (zx_status_t, usize, usize) {
        let mut buffer = vec![0u8; size];
        let (mut actual, mut avail) = (99, 99);
        let status = zx_object_get_info(
            h,
            ZX_INFO_TIMER,
            &mut buffer,
            Some(&mut actual),
            Some(&mut avail),
        );
        (status, actual, avail)
    }

    cases![
        "zx_object_get_info";
        (timer_info_while_armed, "§4/§9: ZX_INFO_TIMER reports options, clock_id, deadline and slack while armed", Both),
        (timer_info_zero_when_unarmed, "§9: deadline and slack are 0 on a timer never set", Both),
        (timer_info_zero_after_firing, "§9: deadline and slack are 0 after the timer fired", Both),
        (timer_info_zero_after_cancel, "§9: deadline and slack are 0 after cancel", Both),
        (timer_info_zero_for_past_deadline, "§9: a deadline ≤ now signals without arming: deadline and slack 0", Both),
        (timer_info_needs_inspect, "§4: ZX_INFO_TIMER needs INSPECT (ACCESS_DENIED)", Both),
        (timer_info_wrong_type, "§4: ZX_INFO_TIMER on a non-timer ⇒ WRONG_TYPE", Both),
        (timer_info_buffer_too_small, "§4: ZX_INFO_TIMER into a buffer < 24 bytes ⇒ BUFFER_TOO_SMALL (actual 0, avail 1); otherwise actual = avail = 1", Both),
    ];

    fn timer_info_while_armed(ctx: &mut Ctx) {
        let t = timer(ZX_TIMER_SLACK_LATE);
        assert_eq!(zx_timer_set(t, 5_000, 20), ZX_OK);
        let info = timer_info(t);
        assert_eq!(
            (info.options, info.clock_id, info.deadline, info.slack),
            (ZX_TIMER_SLACK_LATE, ZX_CLOCK_MONOTONIC, 5_000, 20)
        );
        close(t);
        ctx.assert_clean();
    }

    fn timer_info_zero_when_unarmed(ctx: &mut Ctx) {
        let t = timer(ZX_TIMER_SLACK_EARLY);
        let info = timer_info(t);
        assert_eq!(
            (info.options, info.deadline, info.slack),
            (ZX_TIMER_SLACK_EARLY, 0, 0)
        );
        close(t);
        ctx.assert_clean();
    }

    fn timer_info_zero_after_firing(ctx: &mut Ctx) {
        let t = timer(0);
        assert_eq!(zx_timer_set(t, 100, 7), ZX_OK);
        assert_eq!(armed(t), (100, 7));
        ctx.kernel.advance_clock(100);
        assert!(fired(t));
        assert_eq!(armed(t), (0, 0));
        close(t);
        ctx.assert_clean();
    }

    fn timer_info_zero_after_cancel(ctx: &mut Ctx) {
        let t = timer(0);
        assert_eq!(zx_timer_set(t, 100, 7), ZX_OK);
        assert_eq!(zx_timer_cancel(t), ZX_OK);
        assert_eq!(armed(t), (0, 0));
        close(t);
        ctx.assert_clean();
    }

    fn timer_info_zero_for_past_deadline(ctx: &mut Ctx) {
        ctx.kernel.advance_clock(1_000);
        let t = timer(0);
        assert_eq!(zx_timer_set(t, 10, 7), ZX_OK);
        assert!(fired(t));
        assert_eq!(armed(t), (0, 0));
        close(t);
        ctx.assert_clean();
    }

    fn timer_info_needs_inspect(ctx: &mut Ctx) {
        let t = timer(0);
        let blind = dup(t, ZX_DEFAULT_TIMER_RIGHTS & !ZX_RIGHT_INSPECT);
        assert_eq!(raw_info(blind, 24).0, ZX_ERR_ACCESS_DENIED);
        close(blind);
        close(t);
        ctx.assert_clean();
    }

    fn timer_info_wrong_type(ctx: &mut Ctx) {
        let e = new_event();
        assert_eq!(raw_info(e, 24).0, ZX_ERR_WRONG_TYPE);
        let (a, b) = new_eventpair();
        assert_eq!(raw_info(a, 24).0, ZX_ERR_WRONG_TYPE);
        for h in [e, a, b] {
            close(h);
        }
        ctx.assert_clean();
    }

    fn timer_info_buffer_too_small(ctx: &mut Ctx) {
        assert_eq!(std::mem::size_of::<zx_info_timer_t>(), 24);
        let t = timer(0);
        assert_eq!(raw_info(t, 23), (ZX_ERR_BUFFER_TOO_SMALL, 0, 1));
        assert_eq!(raw_info(t, 0), (ZX_ERR_BUFFER_TOO_SMALL, 0, 1));
        assert_eq!(raw_info(t, 24), (ZX_OK, 1, 1));
        close(t);
        ctx.assert_clean();
    }
}
