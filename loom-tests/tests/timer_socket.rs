//! Timer and socket models (issue 5).
//!
//! Bound: `LOOM_MAX_PREEMPTIONS` (default **2**; `cargo xtask loom` uses 3, `--quick` 2).
#![cfg(zxsim_loom)]

use zxsim_kernel::Profile;
use zxsim_loom_tests::{assert_nothing_leaked, check, kernel, Race};
use zxsim_syscalls::sys::*;

fn signals(handle: zx_handle_t) -> zx_signals_t {
    let mut observed = 0;
    zx_object_wait_one(handle, 0, 0, Some(&mut observed));
    observed
}

/// A timer firing (another thread advances the virtual clock past its deadline) racing
/// `zx_timer_cancel`: after cancel returns, SIGNALED is clear and stays clear — also after the
/// clock moves on. 2 threads; bound `LOOM_MAX_PREEMPTIONS` (default 2).
#[test]
fn timer_fire_vs_cancel() {
    check(
        "timer_fire_vs_cancel",
        &[
            "cancel then advance",
            "advance then cancel",
            "cancel overlapped advance",
        ],
        || {
            let (kernel, process) = kernel(Profile::Rfc0240);
            let _bound = process.bind();
            let mut timer = 0;
            assert_eq!(zx_timer_create(0, ZX_CLOCK_MONOTONIC, &mut timer), ZX_OK);
            assert_eq!(zx_timer_set(timer, 10, 0), ZX_OK);
            let race = Race::new("cancel", "advance");
            let advancer = {
                let race = race.clone();
                let kernel = kernel.clone();
                process.spawn(move || race.b(|| kernel.advance_clock(10)))
            };
            race.a(|| assert_eq!(zx_timer_cancel(timer), ZX_OK));
            assert_eq!(
                signals(timer) & ZX_TIMER_SIGNALED,
                0,
                "SIGNALED after cancel returned ({})",
                race.order()
            );
            advancer.join().expect("advancer");
            kernel.advance_clock(100);
            assert_eq!(
                signals(timer) & ZX_TIMER_SIGNALED,
                0,
                "SIGNALED came back ({})",
                race.order()
            );
            assert_eq!(
                kernel.clock().next_deadline(),
                None,
                "no deadline entry left"
            );
            assert_eq!(zx_handle_close(timer), ZX_OK);
            assert_nothing_leaked(&kernel);
            race.order()
        },
    );
}

/// A stream socket written on one thread and read on another: every byte arrives once, in order,
/// and once both are done the signals match the buffers (nothing buffered: the reader is not
/// READABLE; the writer is WRITABLE). 2 threads; bound `LOOM_MAX_PREEMPTIONS` (default 2).
#[test]
fn socket_write_vs_read() {
    check(
        "socket_write_vs_read",
        &[
            "write then read",
            "read then write",
            "write overlapped read",
        ],
        || {
            let (kernel, process) = kernel(Profile::Rfc0240);
            let _bound = process.bind();
            let (mut a, mut b) = (0, 0);
            assert_eq!(zx_socket_create(ZX_SOCKET_STREAM, &mut a, &mut b), ZX_OK);
            let race = Race::new("write", "read");
            let writer = {
                let race = race.clone();
                process
                    .spawn(move || race.a(|| assert_eq!(zx_socket_write(a, 0, b"xy", None), ZX_OK)))
            };
            let mut received = Vec::new();
            race.b(|| {
                let mut buf = [0u8; 2];
                let mut n = 0;
                if zx_socket_read(b, 0, &mut buf, Some(&mut n)) == ZX_OK {
                    received.extend_from_slice(&buf[..n]);
                }
            });
            writer.join().expect("writer");
            // Quiescent: drain the rest.
            let mut buf = [0u8; 2];
            let mut n = 0;
            while zx_socket_read(b, 0, &mut buf, Some(&mut n)) == ZX_OK {
                received.extend_from_slice(&buf[..n]);
            }
            assert_eq!(
                received,
                b"xy",
                "bytes lost, duplicated or reordered ({})",
                race.order()
            );
            assert_eq!(
                signals(b) & ZX_SOCKET_READABLE,
                0,
                "READABLE with nothing buffered"
            );
            assert_eq!(signals(a) & ZX_SOCKET_WRITABLE, ZX_SOCKET_WRITABLE);
            assert_eq!(zx_handle_close_many(&[a, b]), ZX_OK);
            assert_nothing_leaked(&kernel);
            race.order()
        },
    );
}
