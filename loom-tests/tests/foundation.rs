//! Foundation models: synchronous waits racing signals and closes.
//!
//! Each model runs under `loom::model::Builder` with `preemption_bound` = `LOOM_MAX_PREEMPTIONS`
//! (default **2**; `cargo xtask loom` uses 3, `--quick` 2). A model that hangs in some
//! interleaving fails: loom reports a deadlock when every thread is blocked. At bound ≥ 2 each
//! model also checks that every listed outcome class (order of the racing calls × result) was
//! explored.
#![cfg(zxsim_loom)]

use zxsim_kernel::Profile;
use zxsim_loom_tests::{assert_nothing_leaked, check, event, kernel, object, observers_on, Race};
use zxsim_syscalls::sys::*;

/// Appends whether the racing side saw the waiter's observer already registered on the object
/// just before it acted (the wait then had to be woken, not answered by its fast path).
fn with_registered(order: String, registered: bool) -> String {
    if registered {
        format!("{order}; the waiter was registered")
    } else {
        order
    }
}

/// `zx_object_signal` racing `zx_object_wait_one(ZX_TIME_INFINITE)` on another thread: the
/// waiter always answers `ZX_OK` with `SIGNALED` observed, whichever runs first, and never
/// hangs. 2 threads; bound `LOOM_MAX_PREEMPTIONS` (default 2).
#[test]
fn signal_vs_wait_one() {
    check(
        "signal_vs_wait_one",
        &[
            "signal then wait",
            "wait overlapped signal",
            "wait overlapped signal; the waiter was registered",
        ],
        || {
            let (kernel, process) = kernel(Profile::Rfc0240);
            let _bound = process.bind();
            let event = event();
            let race = Race::new("wait", "signal");
            let waiter = process.spawn({
                let race = race.clone();
                move || {
                    let mut observed = 0;
                    let status = race.a(|| {
                        zx_object_wait_one(
                            event,
                            ZX_EVENT_SIGNALED,
                            ZX_TIME_INFINITE,
                            Some(&mut observed),
                        )
                    });
                    (status, observed)
                }
            });
            let (registered, signalled) = race.b(|| {
                let registered = observers_on(&object(event)) == 1;
                (registered, zx_object_signal(event, 0, ZX_EVENT_SIGNALED))
            });
            assert_eq!(signalled, ZX_OK);
            let (status, observed) = waiter.join().unwrap();
            assert_eq!(status, ZX_OK);
            assert_eq!(observed, ZX_EVENT_SIGNALED);
            assert_eq!(observers_on(&object(event)), 0, "the wait left an observer");
            assert_eq!(zx_handle_close(event), ZX_OK);
            assert_nothing_leaked(&kernel);
            with_registered(race.order(), registered)
        },
    );
}

/// `zx_handle_close` racing `zx_object_wait_one(ZX_TIME_INFINITE)` on the same handle: the
/// waiter answers `ZX_ERR_CANCELED` (with `HANDLE_CLOSED` observed) if it registered first, or
/// `ZX_ERR_BAD_HANDLE` if the close came first; it never hangs, and afterwards nothing is
/// alive. 2 threads; bound `LOOM_MAX_PREEMPTIONS` (default 2).
#[test]
fn close_vs_wait_one() {
    check(
        "close_vs_wait_one",
        &[
            "close then wait: BAD_HANDLE",
            "wait overlapped close: BAD_HANDLE",
            "wait overlapped close: CANCELED",
            "wait overlapped close; the waiter was registered: CANCELED",
        ],
        || {
            let (kernel, process) = kernel(Profile::Rfc0240);
            let _bound = process.bind();
            let event = event();
            let race = Race::new("wait", "close");
            let waiter = process.spawn({
                let race = race.clone();
                move || {
                    let mut observed = 0;
                    let status = race.a(|| {
                        zx_object_wait_one(
                            event,
                            ZX_EVENT_SIGNALED,
                            ZX_TIME_INFINITE,
                            Some(&mut observed),
                        )
                    });
                    (status, observed)
                }
            });
            let (registered, closed) = race.b(|| {
                let registered = observers_on(&object(event)) == 1;
                (registered, zx_handle_close(event))
            });
            assert_eq!(closed, ZX_OK);
            let (status, observed) = waiter.join().unwrap();
            if registered {
                assert_eq!(
                    status, ZX_ERR_CANCELED,
                    "a registered wait missed its cancel"
                );
            }
            let result = match status {
                ZX_ERR_CANCELED => {
                    assert_eq!(observed, ZX_SIGNAL_HANDLE_CLOSED);
                    "CANCELED"
                }
                ZX_ERR_BAD_HANDLE => {
                    assert_eq!(observed, 0, "observed written on BAD_HANDLE");
                    "BAD_HANDLE"
                }
                other => panic!("wait_one racing close answered {other}"),
            };
            assert_nothing_leaked(&kernel);
            format!("{}: {result}", with_registered(race.order(), registered))
        },
    );
}

/// An eventpair end's last-handle close racing `zx_object_wait_one(PEER_CLOSED)` on the other
/// end: the waiter always answers `ZX_OK` with `PEER_CLOSED` observed (the peer raises it before
/// the close returns, and a waiter that registers later sees it already active). 2 threads;
/// bound `LOOM_MAX_PREEMPTIONS` (default 2).
#[test]
fn eventpair_close_vs_wait_peer_closed() {
    check(
        "eventpair_close_vs_wait_peer_closed",
        &[
            "close then wait",
            "wait overlapped close",
            "wait overlapped close; the waiter was registered",
        ],
        || {
            let (kernel, process) = kernel(Profile::Rfc0240);
            let _bound = process.bind();
            let (mut left, mut right) = (ZX_HANDLE_INVALID, ZX_HANDLE_INVALID);
            assert_eq!(zx_eventpair_create(0, &mut left, &mut right), ZX_OK);
            let race = Race::new("wait", "close");
            let waiter = process.spawn({
                let race = race.clone();
                move || {
                    let mut observed = 0;
                    let status = race.a(|| {
                        zx_object_wait_one(
                            right,
                            ZX_EVENTPAIR_PEER_CLOSED,
                            ZX_TIME_INFINITE,
                            Some(&mut observed),
                        )
                    });
                    (status, observed)
                }
            });
            let (registered, closed) = race.b(|| {
                let registered = observers_on(&object(right)) == 1;
                (registered, zx_handle_close(left))
            });
            assert_eq!(closed, ZX_OK);
            let (status, observed) = waiter.join().unwrap();
            assert_eq!(status, ZX_OK);
            assert_eq!(observed, ZX_EVENTPAIR_PEER_CLOSED);
            assert_eq!(
                zx_object_signal_peer(right, 0, ZX_USER_SIGNAL_0),
                ZX_ERR_PEER_CLOSED
            );
            assert_eq!(zx_handle_close(right), ZX_OK);
            assert_nothing_leaked(&kernel);
            with_registered(race.order(), registered)
        },
    );
}
