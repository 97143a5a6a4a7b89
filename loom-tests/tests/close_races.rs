#![cfg(zxsim_loom)]
//! An object's last handle closing on one thread while another thread, which looked the same
//! handle up a moment earlier, is still operating on it:
//! - `zx_timer_set` vs the close: the set must not re-arm a timer whose handles are all gone
//!   (the clock entry would keep the object alive, with no handle, until its deadline);
//! - `zx_socket_write`, `zx_fifo_write` and `zx_object_signal_peer` vs the close of the
//!   writer's own endpoint: nothing may reach the peer after the peer observed PEER_CLOSED.
//!
//! The peer rule is checked through a `wait_async` for PEER_CLOSED registered on the peer before
//! the race: its packet carries the peer's whole signal word at the instant PEER_CLOSED rose. An
//! operation that answered OK must show in that word (the peer had the data or the signal by
//! then); one that did not answer OK must have left no trace on the peer at all.
//!
//! 2 threads each; bound `LOOM_MAX_PREEMPTIONS` (default 2; `cargo xtask loom`: 3).

use zxsim_kernel::Profile;
use zxsim_loom_tests::{assert_nothing_leaked, check, kernel, poll, port, Race};
use zxsim_syscalls::sys::*;

/// The outcome labels of an operation racing its own handle's close. "lost its peer" is the
/// race this file is about: the handle was looked up before the close, the operation ran after.
const OPERATION_VS_CLOSE: [&str; 3] = [
    "operation then close: OK",
    "close then operation: BAD_HANDLE",
    "operation overlapped close: PEER_CLOSED",
];

fn label(status: zx_status_t) -> &'static str {
    match status {
        ZX_OK => OPERATION_VS_CLOSE[0],
        ZX_ERR_BAD_HANDLE => OPERATION_VS_CLOSE[1],
        ZX_ERR_PEER_CLOSED => OPERATION_VS_CLOSE[2],
        other => panic!("an operation racing its handle's close answered {other}"),
    }
}

/// `zx_timer_set` racing the close of the timer's only handle: whatever the order, once both
/// returned no clock entry is left and the timer object is gone.
#[test]
fn timer_set_vs_last_close() {
    check(
        "timer_set_vs_last_close",
        &[
            "set then close: OK",
            "close then set: BAD_HANDLE",
            "set overlapped close: OK",
            "set overlapped close: BAD_HANDLE",
        ],
        || {
            let (kernel, process) = kernel(Profile::Rfc0240);
            let _bound = process.bind();
            let mut timer = 0;
            assert_eq!(zx_timer_create(0, ZX_CLOCK_MONOTONIC, &mut timer), ZX_OK);
            let race = Race::new("set", "close");
            let setter = {
                let race = race.clone();
                process.spawn(move || race.a(|| zx_timer_set(timer, 10, 0)))
            };
            race.b(|| assert_eq!(zx_handle_close(timer), ZX_OK));
            let status = setter.join().expect("setter");
            let status = match status {
                ZX_OK => "OK",
                ZX_ERR_BAD_HANDLE => "BAD_HANDLE",
                other => panic!("zx_timer_set racing close answered {other}"),
            };
            assert_eq!(
                kernel.clock().next_deadline(),
                None,
                "a timer with no handle is still armed ({})",
                race.order()
            );
            assert_nothing_leaked(&kernel);
            format!("{}: {status}", race.order())
        },
    );
}

/// Runs `operation` on `mine` on a second thread while this thread closes `mine`, with a wait
/// for PEER_CLOSED pending on `peer`. `trace` says whether the peer shows the operation's effect
/// in a signal word. Returns the operation's outcome label.
fn operation_vs_own_close(
    make_pair: fn() -> (zx_handle_t, zx_handle_t),
    peer_closed: zx_signals_t,
    operation: fn(zx_handle_t) -> zx_status_t,
    trace: fn(zx_signals_t) -> bool,
) -> String {
    let (kernel, process) = kernel(Profile::Rfc0240);
    let _bound = process.bind();
    let (mine, peer) = make_pair();
    let port = port();
    assert_eq!(zx_object_wait_async(peer, port, 1, peer_closed, 0), ZX_OK);
    let race = Race::new("operation", "close");
    let operator = {
        let race = race.clone();
        process.spawn(move || race.a(|| operation(mine)))
    };
    race.b(|| assert_eq!(zx_handle_close(mine), ZX_OK));
    let status = operator.join().expect("operator");
    let packet = poll(port).expect("the peer observed PEER_CLOSED");
    let at_peer_closed = packet.signal().observed;
    let mut now = 0;
    assert_eq!(
        zx_object_wait_one(peer, 0, 0, Some(&mut now)),
        ZX_ERR_TIMED_OUT
    );
    if status == ZX_OK {
        assert!(
            trace(at_peer_closed),
            "the operation answered OK but the peer did not see it before PEER_CLOSED \
             (observed {at_peer_closed:#x}; {})",
            race.order()
        );
    } else {
        assert!(
            !trace(now),
            "the operation failed ({status}) but reached the peer (now {now:#x}; {})",
            race.order()
        );
    }
    for handle in [peer, port] {
        assert_eq!(zx_handle_close(handle), ZX_OK);
    }
    assert_nothing_leaked(&kernel);
    label(status).to_string()
}

#[test]
fn socket_write_vs_own_close() {
    check("socket_write_vs_own_close", &OPERATION_VS_CLOSE, || {
        operation_vs_own_close(
            || {
                let (mut a, mut b) = (0, 0);
                assert_eq!(zx_socket_create(ZX_SOCKET_STREAM, &mut a, &mut b), ZX_OK);
                (a, b)
            },
            ZX_SOCKET_PEER_CLOSED,
            |mine| zx_socket_write(mine, 0, b"x", None),
            |signals| signals & ZX_SOCKET_READABLE != 0,
        )
    });
}

#[test]
fn fifo_write_vs_own_close() {
    check("fifo_write_vs_own_close", &OPERATION_VS_CLOSE, || {
        operation_vs_own_close(
            || {
                let (mut a, mut b) = (0, 0);
                assert_eq!(zx_fifo_create(2, 4, 0, &mut a, &mut b), ZX_OK);
                (a, b)
            },
            ZX_FIFO_PEER_CLOSED,
            |mine| zx_fifo_write(mine, 4, &[7; 4], 1, None),
            |signals| signals & ZX_FIFO_READABLE != 0,
        )
    });
}

#[test]
fn signal_peer_vs_own_close() {
    check("signal_peer_vs_own_close", &OPERATION_VS_CLOSE, || {
        operation_vs_own_close(
            || {
                let (mut a, mut b) = (0, 0);
                assert_eq!(zx_eventpair_create(0, &mut a, &mut b), ZX_OK);
                (a, b)
            },
            ZX_EVENTPAIR_PEER_CLOSED,
            |mine| zx_object_signal_peer(mine, 0, ZX_USER_SIGNAL_0),
            |signals| signals & ZX_USER_SIGNAL_0 != 0,
        )
    });
}
