#![cfg(zxsim_loom)]
//! The kernel's one blocking wait (`kernel/src/blocking.rs`) has three users, each modelled
//! racing its wake-up against the virtual clock reaching its deadline:
//! - a synchronous wait — here, `wait_one_vs_signal_vs_deadline`;
//! - the reply half of `zx_channel_call` — `channel.rs`, `call_vs_reply_vs_deadline` and
//!   `call_vs_deadline`;
//! - `zx_port_wait` — `ports.rs`, `finite_and_infinite_waiters_two_packets`.
//!
//! Bound: `LOOM_MAX_PREEMPTIONS` (default **2**; `cargo xtask loom` uses 3, `--quick` 2).

use zxsim_kernel::Profile;
use zxsim_loom_tests::{assert_nothing_leaked, check, event, kernel, Race};
use zxsim_syscalls::sys::*;

const DEADLINE: zx_time_t = 10;

/// `zx_object_wait_one(event, USER_0, deadline = 10)` racing `zx_object_signal(event, USER_0)`
/// and the virtual clock's advance to the deadline. The wait answers `OK` (observing USER_0) or
/// `TIMED_OUT` — it never hangs, whether the advance came before it registered its deadline
/// wake-up, while it spun, or while it was blocked — and a signal that completed before the
/// advance began always satisfies it. No deadline entry is left behind.
/// 3 threads; bound `LOOM_MAX_PREEMPTIONS` (default 2).
#[test]
fn wait_one_vs_signal_vs_deadline() {
    check(
        "wait_one_vs_signal_vs_deadline",
        &[
            "advance then signal: OK",
            "advance then signal: TIMED_OUT",
            "signal overlapped advance: OK",
            "signal overlapped advance: TIMED_OUT",
            "signal then advance: OK",
        ],
        || {
            let (kernel, process) = kernel(Profile::Rfc0240);
            let _bound = process.bind();
            let event = event();
            let race = Race::new("signal", "advance");
            let waiter = process.spawn(move || {
                let mut observed = 0;
                let status =
                    zx_object_wait_one(event, ZX_USER_SIGNAL_0, DEADLINE, Some(&mut observed));
                (status, observed)
            });
            let signaler = process.spawn({
                let race = race.clone();
                move || race.a(|| zx_object_signal(event, 0, ZX_USER_SIGNAL_0))
            });
            race.b(|| kernel.advance_clock(DEADLINE));
            assert_eq!(signaler.join().unwrap(), ZX_OK);
            let (status, observed) = waiter.join().unwrap();
            let outcome = match status {
                ZX_OK => {
                    assert_ne!(observed & ZX_USER_SIGNAL_0, 0, "OK without the signal");
                    "OK"
                }
                ZX_ERR_TIMED_OUT => "TIMED_OUT",
                other => panic!("zx_object_wait_one answered {other}"),
            };
            if race.first() == Some(0) {
                assert_eq!(status, ZX_OK, "a signal set before the deadline was missed");
            }
            assert_eq!(
                kernel.clock().next_deadline(),
                None,
                "the wait left its deadline entry"
            );
            assert_eq!(zx_handle_close(event), ZX_OK);
            assert_nothing_leaked(&kernel);
            format!("{}: {}", race.order(), outcome)
        },
    );
}
