//! Conformance cases for timers (spec §9, §4 `ZX_INFO_TIMER`, §12.2 item 10, §15 item 11).
//! Every case runs on the virtual clock: timers fire when the case advances time, never by
//! sleeping.

use crate::handle::util::*;
use crate::harness::{Case, Ctx};
use zxsim_syscalls::sys::*;

pub fn cases() -> Vec<Case> {
    [
        create::cases(),
        set::cases(),
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
        ZX_OK
    );
    t
}

fn fired(t: zx_handle_t) -> bool {
    signals(t) & ZX_TIMER_SIGNALED != 0
}

fn timer_info(t: zx_handle_t) -> zx_info_timer_t {
    let mut info = zx_info_timer_t::default();
    assert_eq!(
        zx_object_get_info(t, ZX_INFO_TIMER, info.as_bytes_mut(), None, None),
        ZX_OK
    );
    info
}

mod create {
    use super::*;

    cases![
        "zx_timer_create";
        (monotonic_and_boot_clocks, "§9/§12.2 item 10: clock MONOTONIC and BOOT are accepted", Both),
        (other_clock_invalid_args_first, "§9: another clock ⇒ INVALID_ARGS, checked before options", Both),
        (slack_modes, "§9: options CENTER/EARLY/LATE (0/1/2) accepted, others ⇒ INVALID_ARGS", Both),
        (rights_and_type, "§9/§1.4: rights 0xD00B (BASIC|WRITE|SIGNAL, no READ), type TIMER, unsignalled", Both),
    ];

    fn monotonic_and_boot_clocks(ctx: &mut Ctx) {
        let (mut a, mut b) = (0, 0);
        assert_eq!(zx_timer_create(0, ZX_CLOCK_MONOTONIC, &mut a), ZX_OK);
        assert_eq!(zx_timer_create(0, ZX_CLOCK_BOOT, &mut b), ZX_OK);
        assert_eq!(timer_info(b).clock_id, ZX_CLOCK_BOOT);
        close(a);
        close(b);
        ctx.assert_clean();
    }

    fn other_clock_invalid_args_first(ctx: &mut Ctx) {
        let mut t = 0;
        assert_eq!(zx_timer_create(0, 2, &mut t), ZX_ERR_INVALID_ARGS);
        assert_eq!(zx_timer_create(99, 7, &mut t), ZX_ERR_INVALID_ARGS);
        ctx.assert_clean();
    }

    fn slack_modes(ctx: &mut Ctx) {
        for mode in [
            ZX_TIMER_SLACK_CENTER,
            ZX_TIMER_SLACK_EARLY,
            ZX_TIMER_SLACK_LATE,
        ] {
            let t = timer(mode);
            assert_eq!(timer_info(t).options, mode);
            close(t);
        }
        let mut t = 0;
        assert_eq!(
            zx_timer_create(3, ZX_CLOCK_MONOTONIC, &mut t),
            ZX_ERR_INVALID_ARGS
        );
        ctx.assert_clean();
    }

    fn rights_and_type(ctx: &mut Ctx) {
        let t = timer(0);
        assert_eq!(rights(t), ZX_DEFAULT_TIMER_RIGHTS);
        assert_eq!(ZX_DEFAULT_TIMER_RIGHTS, 0xD00B);
        assert_eq!(basic(t).type_, ZX_OBJ_TYPE_TIMER);
        assert!(!fired(t));
        close(t);
        ctx.assert_clean();
    }
}

mod set {
    use super::*;

    cases![
        "zx_timer_set";
        (negative_slack_out_of_range_before_handle, "§9/§15 item 11: slack < 0 ⇒ OUT_OF_RANGE, before the handle is looked at", Both),
        (needs_write, "§9: a handle without WRITE ⇒ ACCESS_DENIED; a non-timer ⇒ WRONG_TYPE", Both),
        (fires_at_the_deadline, "§9: armed, SIGNALED is asserted when the clock reaches the deadline, not before", Both),
        (deadline_in_the_past_signals_at_once, "§9: deadline 0 or ≤ now ⇒ SIGNALED immediately", Both),
        (set_clears_signaled, "§9: set cancels the pending deadline and clears SIGNALED first", Both),
        (slack_windows, "§9: fires within [d−s, d+s] (CENTER), [d−s, d] (EARLY), [d, d+s] (LATE)", Both),
        (fire_in_deadline_order, "§9: several timers fire in deadline order (packets arrive in that order)", Both),
        (signaled_not_user_settable, "§15 item 11: ZX_TIMER_SIGNALED cannot be set with zx_object_signal", Both),
        (last_close_disarms, "§9: closing the last handle disarms; nothing is left alive", Both),
    ];

    fn negative_slack_out_of_range_before_handle(ctx: &mut Ctx) {
        assert_eq!(
            zx_timer_set(ZX_HANDLE_INVALID, 100, -1),
            ZX_ERR_OUT_OF_RANGE
        );
        let t = timer(0);
        assert_eq!(zx_timer_set(t, 100, -5), ZX_ERR_OUT_OF_RANGE);
        assert_eq!(timer_info(t).deadline, 0, "nothing armed");
        close(t);
        ctx.assert_clean();
    }

    fn needs_write(ctx: &mut Ctx) {
        let t = timer(0);
        let no_write = dup(t, ZX_DEFAULT_TIMER_RIGHTS & !ZX_RIGHT_WRITE);
        assert_eq!(zx_timer_set(no_write, 100, 0), ZX_ERR_ACCESS_DENIED);
        assert_eq!(zx_timer_cancel(no_write), ZX_ERR_ACCESS_DENIED);
        let e = event();
        assert_eq!(zx_timer_set(e, 100, 0), ZX_ERR_WRONG_TYPE);
        close(no_write);
        close(t);
        close(e);
        ctx.assert_clean();
    }

    fn fires_at_the_deadline(ctx: &mut Ctx) {
        let t = timer(0);
        assert_eq!(zx_timer_set(t, 1_000, 0), ZX_OK);
        ctx.kernel.advance_clock(999);
        assert!(!fired(t));
        ctx.kernel.advance_clock(1);
        assert!(fired(t));
        close(t);
        ctx.assert_clean();
    }

    fn deadline_in_the_past_signals_at_once(ctx: &mut Ctx) {
        ctx.kernel.advance_clock(500);
        let t = timer(0);
        assert_eq!(zx_timer_set(t, 0, 0), ZX_OK);
        assert!(fired(t));
        assert_eq!(zx_timer_set(t, 500, 0), ZX_OK);
        assert!(fired(t), "deadline == now");
        assert_eq!(timer_info(t).deadline, 0, "nothing armed");
        close(t);
        ctx.assert_clean();
    }

    fn set_clears_signaled(ctx: &mut Ctx) {
        let t = timer(0);
        zx_timer_set(t, 0, 0);
        assert!(fired(t));
        assert_eq!(zx_timer_set(t, 1_000, 0), ZX_OK);
        assert!(!fired(t));
        assert_eq!(zx_timer_set(t, 2_000, 0), ZX_OK); // re-arming replaces the 1 000 deadline
        ctx.kernel.advance_clock(1_500);
        assert!(!fired(t), "the first deadline was cancelled");
        ctx.kernel.advance_clock(500);
        assert!(fired(t));
        close(t);
        ctx.assert_clean();
    }

    fn slack_windows(ctx: &mut Ctx) {
        // For each mode: (deadline 1 000, slack 100) must not fire before the window opens and
        // must have fired once the window closes.
        for (mode, opens, closes) in [
            (ZX_TIMER_SLACK_CENTER, 900, 1_100),
            (ZX_TIMER_SLACK_EARLY, 900, 1_000),
            (ZX_TIMER_SLACK_LATE, 1_000, 1_100),
        ] {
            let start = ctx.kernel.clock().now();
            let t = timer(mode);
            assert_eq!(zx_timer_set(t, start + 1_000, 100), ZX_OK);
            ctx.kernel.clock().advance_to(start + opens - 1);
            assert!(!fired(t), "mode {mode}: fired before its window");
            ctx.kernel.clock().advance_to(start + closes);
            assert!(fired(t), "mode {mode}: not fired by the end of its window");
            close(t);
        }
        ctx.assert_clean();
    }

    fn fire_in_deadline_order(ctx: &mut Ctx) {
        let p = port();
        let timers: Vec<zx_handle_t> = (0..3).map(|_| timer(0)).collect();
        for (key, deadline) in [(0u64, 300), (1, 100), (2, 200)] {
            let t = timers[key as usize];
            assert_eq!(zx_timer_set(t, deadline, 0), ZX_OK);
            assert_eq!(
                zx_object_wait_async(t, p, key, ZX_TIMER_SIGNALED, ZX_WAIT_ASYNC_TIMESTAMP),
                ZX_OK
            );
        }
        ctx.kernel.advance_clock(1_000);
        let mut order = Vec::new();
        let mut packet = zx_port_packet_t::default();
        while zx_port_wait(p, 0, &mut packet) == ZX_OK {
            order.push(packet.key);
        }
        assert_eq!(order, vec![1, 2, 0]);
        for t in timers {
            close(t);
        }
        close(p);
        ctx.assert_clean();
    }

    fn signaled_not_user_settable(ctx: &mut Ctx) {
        let t = timer(0);
        assert_eq!(
            zx_object_signal(t, 0, ZX_TIMER_SIGNALED),
            ZX_ERR_INVALID_ARGS
        );
        assert!(!fired(t));
        assert_eq!(zx_object_signal(t, 0, ZX_USER_SIGNAL_0), ZX_OK);
        close(t);
        ctx.assert_clean();
    }

    fn last_close_disarms(ctx: &mut Ctx) {
        let t = timer(0);
        assert_eq!(zx_timer_set(t, 1_000_000_000, 0), ZX_OK);
        assert_eq!(ctx.kernel.clock().next_deadline(), Some(1_000_000_000));
        close(t);
        assert_eq!(
            ctx.kernel.clock().next_deadline(),
            None,
            "the deadline entry is withdrawn"
        );
        ctx.assert_clean();
    }
}

mod cancel {
    use super::*;

    cases![
        "zx_timer_cancel";
        (cancel_disarms_and_clears, "§9: cancel disarms a pending deadline and clears SIGNALED", Both),
        (cancel_after_firing_clears, "§9: cancel clears SIGNALED even after the timer fired", Both),
        (cancel_unarmed_is_ok, "§9: cancel before any set is a harmless ZX_OK", Both),
        (cancel_bad_handle, "§9: a bad handle ⇒ BAD_HANDLE", Both),
    ];

    fn cancel_disarms_and_clears(ctx: &mut Ctx) {
        let t = timer(0);
        zx_timer_set(t, 1_000, 0);
        assert_eq!(zx_timer_cancel(t), ZX_OK);
        ctx.kernel.advance_clock(10_000);
        assert!(!fired(t), "a cancelled timer stays quiet");
        close(t);
        ctx.assert_clean();
    }

    fn cancel_after_firing_clears(ctx: &mut Ctx) {
        let t = timer(0);
        zx_timer_set(t, 10, 0);
        ctx.kernel.advance_clock(10);
        assert!(fired(t));
        assert_eq!(zx_timer_cancel(t), ZX_OK);
        assert!(!fired(t));
        close(t);
        ctx.assert_clean();
    }

    fn cancel_unarmed_is_ok(ctx: &mut Ctx) {
        let t = timer(0);
        assert_eq!(zx_timer_cancel(t), ZX_OK);
        close(t);
        ctx.assert_clean();
    }

    fn cancel_bad_handle(ctx: &mut Ctx) {
        assert_eq!(zx_timer_cancel(ZX_HANDLE_INVALID), ZX_ERR_BAD_HANDLE);
        ctx.assert_clean();
    }
}

mod info {
    use super::*;

    cases![
        "zx_object_get_info(ZX_INFO_TIMER)";
        (armed_deadline_and_slack, "§4/§9: ZX_INFO_TIMER reports options, clock, deadline and slack while armed", Both),
        (zero_when_unarmed_or_fired, "§9: deadline and slack are 0 when not armed, also after firing", Both),
        (needs_inspect_and_a_timer, "§4: INSPECT needed (ACCESS_DENIED); a non-timer ⇒ WRONG_TYPE", Both),
    ];

    fn armed_deadline_and_slack(ctx: &mut Ctx) {
        let t = timer(ZX_TIMER_SLACK_LATE);
        zx_timer_set(t, 5_000, 20);
        let info = timer_info(t);
        assert_eq!(
            (info.options, info.clock_id, info.deadline, info.slack),
            (ZX_TIMER_SLACK_LATE, ZX_CLOCK_MONOTONIC, 5_000, 20)
        );
        close(t);
        ctx.assert_clean();
    }

    fn zero_when_unarmed_or_fired(ctx: &mut Ctx) {
        let t = timer(0);
        assert_eq!((timer_info(t).deadline, timer_info(t).slack), (0, 0));
        zx_timer_set(t, 100, 7);
        ctx.kernel.advance_clock(100);
        assert_eq!((timer_info(t).deadline, timer_info(t).slack), (0, 0));
        close(t);
        ctx.assert_clean();
    }

    fn needs_inspect_and_a_timer(ctx: &mut Ctx) {
        let t = timer(0);
        let blind = dup(t, ZX_DEFAULT_TIMER_RIGHTS & !ZX_RIGHT_INSPECT);
        let mut info = zx_info_timer_t::default();
        assert_eq!(
            zx_object_get_info(blind, ZX_INFO_TIMER, info.as_bytes_mut(), None, None),
            ZX_ERR_ACCESS_DENIED
        );
        let e = event();
        assert_eq!(
            zx_object_get_info(e, ZX_INFO_TIMER, info.as_bytes_mut(), None, None),
            ZX_ERR_WRONG_TYPE
        );
        close(blind);
        close(t);
        close(e);
        ctx.assert_clean();
    }
}
