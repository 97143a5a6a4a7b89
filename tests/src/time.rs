//! Conformance cases for the time syscalls `zx_clock_get_monotonic`, `zx_deadline_after`,
//! `zx_nanosleep` and the tick counter (`zx_ticks_get`, `zx_ticks_per_second`) (spec §1.2, §5
//! deadline rules) on the case's virtual clock: time moves only when the case calls
//! `ctx.kernel.advance_clock`, so no case ever really sleeps.

use crate::harness::{Case, Ctx};
use crate::support::*;
use zxsim_syscalls::sys::*;

pub fn cases() -> Vec<Case> {
    [
        clock_get_monotonic::cases(),
        deadline_after::cases(),
        nanosleep::cases(),
        ticks_get::cases(),
    ]
    .into_iter()
    .flatten()
    .collect()
}

mod clock_get_monotonic {
    use super::*;

    cases![
        "zx_clock_get_monotonic";
        (starts_at_zero_on_virtual_clock, "§1.2: nanoseconds on the kernel clock; a new virtual clock reads 0", Both),
        (follows_advance_exactly, "§1.2: the virtual clock moves exactly by the advanced nanoseconds", Both),
        (never_goes_backwards, "§1.2: the monotonic clock never goes backwards", Both),
        (same_time_on_every_thread, "§1.2: one clock per kernel: every thread of the process reads the same time", Both),
    ];

    fn starts_at_zero_on_virtual_clock(ctx: &mut Ctx) {
        assert_eq!(zx_clock_get_monotonic(), 0);
        assert_eq!(zx_clock_get_monotonic(), 0, "time does not pass by itself");
        ctx.assert_clean();
    }

    fn follows_advance_exactly(ctx: &mut Ctx) {
        ctx.kernel.advance_clock(250);
        assert_eq!(zx_clock_get_monotonic(), 250);
        ctx.kernel.advance_clock(1_000_000);
        assert_eq!(zx_clock_get_monotonic(), 1_000_250);
        ctx.assert_clean();
    }

    fn never_goes_backwards(ctx: &mut Ctx) {
        let mut last = zx_clock_get_monotonic();
        for step in [1, 0, 7, 1_000, 0, 3] {
            ctx.kernel.advance_clock(step);
            let now = zx_clock_get_monotonic();
            assert!(now >= last, "{now} < {last}");
            last = now;
        }
        ctx.kernel.clock().advance_to(10); // an earlier target is ignored
        assert_eq!(zx_clock_get_monotonic(), last);
        ctx.assert_clean();
    }

    fn same_time_on_every_thread(ctx: &mut Ctx) {
        ctx.kernel.advance_clock(4_242);
        let seen = ctx.process.spawn(zx_clock_get_monotonic);
        assert_eq!(join(ctx, seen), 4_242);
        ctx.assert_clean();
    }
}

mod deadline_after {
    use super::*;

    cases![
        "zx_deadline_after";
        (now_plus_duration, "§1.2: zx_deadline_after(d) = monotonic now + d", Both),
        (zero_is_now, "§1.2: zx_deadline_after(0) = now (a poll deadline)", Both),
        (saturates_to_infinite, "§1.2: the sum saturates: a huge duration gives ZX_TIME_INFINITE", Both),
        (negative_duration_is_in_the_past, "§1.2/§5: a negative duration gives a past deadline, which only polls", Both),
    ];

    fn now_plus_duration(ctx: &mut Ctx) {
        assert_eq!(zx_deadline_after(100), 100);
        ctx.kernel.advance_clock(1_000);
        assert_eq!(zx_deadline_after(100), 1_100);
        assert_eq!(zx_deadline_after(1_000_000_000), 1_000_001_000);
        ctx.assert_clean();
    }

    fn zero_is_now(ctx: &mut Ctx) {
        ctx.kernel.advance_clock(77);
        assert_eq!(zx_deadline_after(0), zx_clock_get_monotonic());
        let e = new_event();
        assert_eq!(
            zx_object_wait_one(e, ZX_EVENT_SIGNALED, zx_deadline_after(0), None),
            ZX_ERR_TIMED_OUT
        );
        close(e);
        ctx.assert_clean();
    }

    fn saturates_to_infinite(ctx: &mut Ctx) {
        assert_eq!(zx_deadline_after(ZX_TIME_INFINITE), ZX_TIME_INFINITE);
        ctx.kernel.advance_clock(5);
        assert_eq!(zx_deadline_after(ZX_TIME_INFINITE), ZX_TIME_INFINITE);
        assert_eq!(zx_deadline_after(ZX_TIME_INFINITE - 1), ZX_TIME_INFINITE);
        ctx.assert_clean();
    }

    fn negative_duration_is_in_the_past(ctx: &mut Ctx) {
        ctx.kernel.advance_clock(1_000);
        assert_eq!(zx_deadline_after(-300), 700);
        let e = new_event();
        assert_eq!(
            zx_object_wait_one(e, ZX_EVENT_SIGNALED, zx_deadline_after(-300), None),
            ZX_ERR_TIMED_OUT
        );
        assert_eq!(
            ctx.kernel.clock().next_deadline(),
            None,
            "a past deadline never blocks"
        );
        close(e);
        ctx.assert_clean();
    }
}

mod nanosleep {
    use super::*;

    cases![
        "zx_nanosleep";
        (past_deadline_returns_at_once, "§5 (deadlines): a deadline ≤ now returns ZX_OK at once", Both),
        (sleeps_until_the_clock_passes_the_deadline, "§5 (deadlines): a sleeper returns ZX_OK only once the clock reaches its deadline", Both),
        (deadline_after_composes, "§1.2: zx_nanosleep(zx_deadline_after(d)) sleeps until now + d", Both),
        (sleepers_wake_in_deadline_order, "§5 (deadlines): each sleeper wakes at its own deadline", Both),
        (signals_do_not_end_a_sleep, "§5: nanosleep waits for time only; object signals do not end it", Both),
    ];

    fn past_deadline_returns_at_once(ctx: &mut Ctx) {
        ctx.kernel.advance_clock(500);
        for deadline in [ZX_TIME_INFINITE_PAST, -1, 0, 499, 500] {
            assert_eq!(zx_nanosleep(deadline), ZX_OK, "deadline {deadline}");
        }
        assert_eq!(
            zx_clock_get_monotonic(),
            500,
            "sleeping did not move the clock"
        );
        assert_eq!(ctx.kernel.clock().next_deadline(), None);
        ctx.assert_clean();
    }

    fn sleeps_until_the_clock_passes_the_deadline(ctx: &mut Ctx) {
        let sleeper = ctx.process.spawn(|| {
            let status = zx_nanosleep(1_000);
            (status, zx_clock_get_monotonic())
        });
        await_blocked(ctx);
        assert_eq!(ctx.kernel.clock().next_deadline(), Some(1_000));
        ctx.kernel.advance_clock(999);
        assert!(still_running(&sleeper), "woke before the deadline");
        ctx.kernel.advance_clock(1);
        let (status, woke_at) = join(ctx, sleeper);
        assert_eq!(status, ZX_OK);
        assert!(woke_at >= 1_000, "woke at {woke_at}");
        assert_eq!(
            ctx.kernel.clock().next_deadline(),
            None,
            "no deadline left behind"
        );
        ctx.assert_clean();
    }

    fn deadline_after_composes(ctx: &mut Ctx) {
        ctx.kernel.advance_clock(2_000);
        let sleeper = ctx.process.spawn(|| zx_nanosleep(zx_deadline_after(500)));
        await_blocked(ctx);
        assert_eq!(ctx.kernel.clock().next_deadline(), Some(2_500));
        ctx.kernel.advance_clock(500);
        assert_eq!(join(ctx, sleeper), ZX_OK);
        ctx.assert_clean();
    }

    fn sleepers_wake_in_deadline_order(ctx: &mut Ctx) {
        let late = ctx.process.spawn(|| zx_nanosleep(200));
        let early = ctx.process.spawn(|| zx_nanosleep(100));
        await_deadline(ctx, 100);
        ctx.kernel.advance_clock(150);
        assert_eq!(join(ctx, early), ZX_OK);
        // `late` sleeps on, whether it registered before or after the advance.
        await_deadline(ctx, 200);
        assert!(still_running(&late), "the later sleeper woke early");
        ctx.kernel.advance_clock(50);
        assert_eq!(join(ctx, late), ZX_OK);
        ctx.assert_clean();
    }

    fn signals_do_not_end_a_sleep(ctx: &mut Ctx) {
        let e = new_event();
        let sleeper = ctx.process.spawn(|| zx_nanosleep(300));
        await_blocked(ctx);
        assert_eq!(zx_object_signal(e, 0, ZX_EVENT_SIGNAL_MASK), ZX_OK);
        assert!(still_running(&sleeper), "a signal ended the sleep");
        ctx.kernel.advance_clock(300);
        assert_eq!(join(ctx, sleeper), ZX_OK);
        close(e);
        ctx.assert_clean();
    }
}

mod ticks_get {
    use super::*;

    cases![
        "zx_ticks_get";
        (ticks_follow_the_kernel_clock, "§1.2 (upstream ticks_tests elapsed_time_using_ticks): ticks never go backwards and, at zx_ticks_per_second (> 0) a second, measure the kernel clock's elapsed time", Both),
    ];

    fn ticks_follow_the_kernel_clock(ctx: &mut Ctx) {
        let per_second = zx_ticks_per_second();
        assert!(per_second > 0, "ticks per second {per_second}");
        let before = zx_ticks_get();
        ctx.kernel.advance_clock(2_500_000_000);
        let after = zx_ticks_get();
        assert!(after >= before, "{after} < {before}");
        // On the virtual clock the elapsed ticks are exact: 2.5 s.
        assert_eq!((after - before) * 2, 5 * per_second);
        assert_eq!(after, zx_clock_get_monotonic(), "a tick is a nanosecond");
        ctx.assert_clean();
    }
}
