#![cfg(zxsim_loom)]
//! Timer and socket models: a timer firing racing `zx_timer_cancel` or a re-arm, and a stream
//! socket written on one thread while another reads it.
//!
//! Bound: `LOOM_MAX_PREEMPTIONS` (default **2**; `cargo xtask loom` uses 3, `--quick` 2).

use std::sync::Arc;
use zxsim_kernel::objects::socket::SOCKET_CAPACITY;

use zxsim_kernel::{Kernel, Process, Profile};
use zxsim_loom_tests::{assert_nothing_leaked, check, kernel, object, observers_on, signals, Race};
use zxsim_syscalls::sys::*;

fn timer_info(timer: zx_handle_t) -> zx_info_timer_t {
    let mut info = zx_info_timer_t::default();
    assert_eq!(
        zx_object_get_info(timer, ZX_INFO_TIMER, info.as_bytes_mut(), None, None),
        ZX_OK
    );
    info
}

fn socket_info(socket: zx_handle_t) -> zx_info_socket_t {
    let mut info = zx_info_socket_t::default();
    assert_eq!(
        zx_object_get_info(socket, ZX_INFO_SOCKET, info.as_bytes_mut(), None, None),
        ZX_OK
    );
    info
}

/// Arms a timer for 10 and runs `operation` on it (race side `name`) while another thread
/// advances the virtual clock to 10; returns once both are done, with the timer and the race.
fn race_the_firing_at_10(
    kernel: &Kernel,
    process: &Arc<Process>,
    name: &'static str,
    operation: impl FnOnce(zx_handle_t),
) -> (zx_handle_t, Arc<Race>) {
    let mut timer = 0;
    assert_eq!(zx_timer_create(0, ZX_CLOCK_MONOTONIC, &mut timer), ZX_OK);
    assert_eq!(zx_timer_set(timer, 10, 0), ZX_OK);
    let race = Race::new(name, "advance");
    let advancer = {
        let race = race.clone();
        let kernel = kernel.clone();
        process.spawn(move || race.b(|| kernel.advance_clock(10)))
    };
    race.a(|| operation(timer));
    advancer.join().expect("advancer");
    (timer, race)
}

/// A timer firing (another thread advances the virtual clock past its deadline) racing
/// `zx_timer_cancel`: once cancel has returned, SIGNALED is clear — checked at once on the
/// cancelling thread, then again after both threads joined and the clock moved further — no
/// deadline entry is left, and ZX_INFO_TIMER shows the timer unarmed. The firing may run before
/// the cancel, after it (a stale firing, stopped by the timer's generation check), or with the
/// clock entry already taken by the advancing thread while cancel runs.
/// 2 threads; bound `LOOM_MAX_PREEMPTIONS` (default 2; `cargo xtask loom`: 3).
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
            let (timer, race) = race_the_firing_at_10(&kernel, &process, "cancel", |timer| {
                assert_eq!(zx_timer_cancel(timer), ZX_OK);
                assert_eq!(
                    signals(timer) & ZX_TIMER_SIGNALED,
                    0,
                    "SIGNALED after cancel returned"
                );
            });
            assert_eq!(
                signals(timer) & ZX_TIMER_SIGNALED,
                0,
                "SIGNALED once the advance finished ({})",
                race.order()
            );
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
            let info = timer_info(timer);
            assert_eq!((info.deadline, info.slack), (0, 0), "still armed");
            assert_eq!(zx_handle_close(timer), ZX_OK);
            assert_nothing_leaked(&kernel);
            race.order()
        },
    );
}

/// A timer armed for 10 firing (another thread advances the virtual clock to 10) racing
/// `zx_timer_set` re-arming it for 20: once both returned, SIGNALED is clear — a firing of the
/// old arming that was already under way when the set ran must not assert it (each arming has its
/// own generation) — and it rises exactly when the clock reaches 20.
/// 2 threads; bound `LOOM_MAX_PREEMPTIONS` (default 2; `cargo xtask loom`: 3).
#[test]
fn timer_fire_vs_set() {
    check(
        "timer_fire_vs_set",
        &[
            "set then advance",
            "advance then set",
            "set overlapped advance",
        ],
        || {
            let (kernel, process) = kernel(Profile::Rfc0240);
            let _bound = process.bind();
            let (timer, race) = race_the_firing_at_10(&kernel, &process, "set", |timer| {
                assert_eq!(zx_timer_set(timer, 20, 0), ZX_OK);
            });
            assert_eq!(
                signals(timer) & ZX_TIMER_SIGNALED,
                0,
                "the old arming fired after the set ({})",
                race.order()
            );
            let info = timer_info(timer);
            assert_eq!(info.deadline, 20, "armed for the new deadline");
            kernel.advance_clock(10);
            assert_eq!(
                signals(timer) & ZX_TIMER_SIGNALED,
                ZX_TIMER_SIGNALED,
                "the new arming fired at 20 ({})",
                race.order()
            );
            assert_eq!(zx_handle_close(timer), ZX_OK);
            assert_nothing_leaked(&kernel);
            race.order()
        },
    );
}

/// More bytes than a socket direction holds (capacity + 2), written by one thread while another
/// reads them; each side waits (`zx_object_wait_one`, infinite deadline) for WRITABLE /
/// READABLE when it gets `SHOULD_WAIT`, so a lost wake-up on either side is a loom deadlock.
/// Checks: every byte arrives exactly once and in order; once both are done the signals match
/// the buffers (nothing buffered and the reader not READABLE; the writer WRITABLE with nothing
/// in flight) and no wait is left registered. The label records which sides had to wait: all
/// four combinations are reachable and must all be explored.
/// 2 threads; bound `LOOM_MAX_PREEMPTIONS` (default 2; `cargo xtask loom`: 3).
#[test]
fn socket_write_vs_read() {
    const TOTAL: usize = SOCKET_CAPACITY + 2;
    check(
        "socket_write_vs_read",
        &[
            "writer waited, reader waited",
            "writer waited, reader did not wait",
            "writer did not wait, reader waited",
            "writer did not wait, reader did not wait",
        ],
        || {
            let (kernel, process) = kernel(Profile::Rfc0240);
            let _bound = process.bind();
            let (mut a, mut b) = (0, 0);
            assert_eq!(zx_socket_create(ZX_SOCKET_STREAM, &mut a, &mut b), ZX_OK);
            let data: Vec<u8> = (0..TOTAL).map(|i| (i % 251) as u8).collect();
            let race = Race::new("write", "read");
            // The reader is the spawned thread: the interleaving where neither side waits
            // (write, read all, write the rest, read it) then needs only 2 preemptions.
            let reader = {
                let race = race.clone();
                process.spawn(move || {
                    race.b(|| {
                        let mut received = Vec::with_capacity(TOTAL);
                        let mut buf = vec![0u8; SOCKET_CAPACITY];
                        let mut waited = false;
                        while received.len() < TOTAL {
                            let mut n = 0;
                            match zx_socket_read(b, 0, &mut buf, Some(&mut n)) {
                                ZX_OK => {
                                    assert!(n > 0, "OK with nothing read");
                                    received.extend_from_slice(&buf[..n]);
                                }
                                ZX_ERR_SHOULD_WAIT => {
                                    waited = true;
                                    let mut observed = 0;
                                    assert_eq!(
                                        zx_object_wait_one(
                                            b,
                                            ZX_SOCKET_READABLE,
                                            ZX_TIME_INFINITE,
                                            Some(&mut observed)
                                        ),
                                        ZX_OK
                                    );
                                    assert_ne!(observed & ZX_SOCKET_READABLE, 0);
                                }
                                status => panic!("zx_socket_read answered {status}"),
                            }
                        }
                        (received, waited)
                    })
                })
            };
            let writer_waited = race.a(|| {
                let mut sent = 0;
                let mut waited = false;
                while sent < TOTAL {
                    let mut n = 0;
                    match zx_socket_write(a, 0, &data[sent..], Some(&mut n)) {
                        ZX_OK => {
                            assert!(n > 0, "OK with nothing written");
                            sent += n;
                        }
                        ZX_ERR_SHOULD_WAIT => {
                            waited = true;
                            let mut observed = 0;
                            assert_eq!(
                                zx_object_wait_one(
                                    a,
                                    ZX_SOCKET_WRITABLE,
                                    ZX_TIME_INFINITE,
                                    Some(&mut observed)
                                ),
                                ZX_OK
                            );
                            assert_ne!(observed & ZX_SOCKET_WRITABLE, 0);
                        }
                        status => panic!("zx_socket_write answered {status}"),
                    }
                }
                waited
            });
            let (received, reader_waited) = reader.join().expect("reader");
            // Quiescent.
            assert!(
                received == data,
                "bytes lost, duplicated or reordered ({} of {TOTAL} received)",
                received.len()
            );
            let (at_b, at_a) = (socket_info(b), socket_info(a));
            assert_eq!((at_b.rx_buf_size, at_a.tx_buf_size), (0, 0));
            assert_eq!(
                signals(b) & ZX_SOCKET_READABLE,
                0,
                "READABLE with nothing buffered"
            );
            assert_eq!(
                signals(a) & ZX_SOCKET_WRITABLE,
                ZX_SOCKET_WRITABLE,
                "the writer is not WRITABLE with an empty peer buffer"
            );
            assert_eq!(
                (observers_on(&object(a)), observers_on(&object(b))),
                (0, 0),
                "a wait stayed registered"
            );
            assert_eq!(zx_handle_close_many(&[a, b]), ZX_OK);
            assert_nothing_leaked(&kernel);
            let did = |waited: bool| if waited { "waited" } else { "did not wait" };
            format!(
                "writer {}, reader {}",
                did(writer_waited),
                did(reader_waited)
            )
        },
    );
}
