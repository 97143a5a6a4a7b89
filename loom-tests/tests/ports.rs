//! Port models (issue 3): async waits, `zx_port_cancel_key`, `zx_port_wait` and port/object
//! teardown racing signals.
//!
//! Each model runs under `loom::model::Builder` with `preemption_bound` = `LOOM_MAX_PREEMPTIONS`
//! (default **2**; `cargo xtask loom` uses 3, `--quick` 2). A model that hangs in some
//! interleaving fails: loom reports a deadlock when every thread is blocked. At bound ≥ 2 each
//! model also checks that every listed outcome class (order of the racing calls × result) was
//! explored.
#![cfg(zxsim_loom)]

use zxsim_kernel::Profile;
use zxsim_loom_tests::{
    assert_nothing_leaked, check, event, kernel, object, observers_on, poll, port, port_state, Race,
};
use zxsim_syscalls::sys::*;

const KEY: u64 = 7;

/// Asserts `packet` is the signal packet of the `KEY` wait for `ZX_USER_SIGNAL_0`.
#[track_caller]
fn assert_signal_packet(packet: &zx_port_packet_t) {
    assert_eq!(
        (packet.key, packet.packet_type, packet.status),
        (KEY, ZX_PKT_TYPE_SIGNAL_ONE, ZX_OK)
    );
    let signal = packet.signal();
    assert_eq!(signal.trigger, ZX_USER_SIGNAL_0);
    assert_eq!(signal.observed, ZX_USER_SIGNAL_0);
    assert_eq!((signal.count, signal.timestamp), (1, 0));
}

/// Registers the level-mode wait every port model uses: `KEY`, `ZX_USER_SIGNAL_0`.
fn wait_async(event: zx_handle_t, port: zx_handle_t) -> zx_status_t {
    zx_object_wait_async(event, port, KEY, ZX_USER_SIGNAL_0, 0)
}

fn status_name(status: zx_status_t) -> &'static str {
    match status {
        ZX_OK => "OK",
        ZX_ERR_NOT_FOUND => "NOT_FOUND",
        ZX_ERR_BAD_HANDLE => "BAD_HANDLE",
        other => panic!("unexpected status {other}"),
    }
}

/// `zx_port_cancel_key` racing the firing of the wait it cancels, while an event loop polls the
/// port right after signalling. Afterwards exactly one of: the packet was delivered (dequeued
/// by the poll) and cancel answered `NOT_FOUND`; or cancel answered `OK` — it ended the pending
/// wait or removed the queued packet — and no packet was dequeued. Never both; no packet is
/// queued after cancel returned; no observer is left; nothing leaks.
/// 2 threads; bound `LOOM_MAX_PREEMPTIONS` (default 2).
#[test]
fn cancel_key_vs_fire() {
    check(
        "cancel_key_vs_fire",
        &[
            "cancel then signal: cancel OK",
            "signal overlapped cancel: cancel OK",
            "signal overlapped cancel: delivered",
            "signal then cancel: cancel OK",
            "signal then cancel: delivered",
        ],
        || {
            let (kernel, process) = kernel(Profile::Rfc0240);
            let _bound = process.bind();
            let (port, event) = (port(), event());
            assert_eq!(wait_async(event, port), ZX_OK);
            let race = Race::new("signal", "cancel");
            let event_loop = process.spawn({
                let race = race.clone();
                move || {
                    assert_eq!(
                        race.a(|| zx_object_signal(event, 0, ZX_USER_SIGNAL_0)),
                        ZX_OK
                    );
                    poll(port)
                }
            });
            let cancelled = race.b(|| zx_port_cancel_key(port, 0, KEY));
            status_name(cancelled);
            assert!(
                poll(port).is_none(),
                "a packet was queued after cancel returned"
            );
            let delivered = event_loop.join().unwrap();
            if let Some(packet) = &delivered {
                assert_signal_packet(packet);
            }
            assert!(
                delivered.is_some() != (cancelled == ZX_OK),
                "delivered: {}, cancel answered {}",
                delivered.is_some(),
                status_name(cancelled)
            );
            if race.first() == Some(1) {
                assert_eq!(cancelled, ZX_OK, "cancel before any signal found nothing");
            }
            assert!(poll(port).is_none(), "a packet is still queued");
            assert_eq!(port_state(&object(port)), (0, 0), "(observers, packets)");
            assert_eq!(observers_on(&object(event)), 0);
            assert_eq!(zx_handle_close_many(&[port, event]), ZX_OK);
            assert_nothing_leaked(&kernel);
            let result = if delivered.is_some() {
                "delivered"
            } else {
                "cancel OK"
            };
            format!("{}: {result}", race.order())
        },
    );
}

/// The object's last-handle close racing `zx_object_wait_async` registration (`rfc0240`):
/// either registration answers `BAD_HANDLE` (the close won), or it answers `OK` and the close
/// ends the wait — the port has no observer and no packet. The object is freed either way.
/// 2 threads; bound `LOOM_MAX_PREEMPTIONS` (default 2).
#[test]
fn last_close_vs_wait_async() {
    check(
        "last_close_vs_wait_async",
        &[
            "close then register: BAD_HANDLE",
            "register overlapped close: BAD_HANDLE",
            "register overlapped close: OK",
            "register then close: OK",
        ],
        || {
            let (kernel, process) = kernel(Profile::Rfc0240);
            let _bound = process.bind();
            let (port, event) = (port(), event());
            let race = Race::new("register", "close");
            let registrar = process.spawn({
                let race = race.clone();
                move || race.a(|| wait_async(event, port))
            });
            assert_eq!(race.b(|| zx_handle_close(event)), ZX_OK);
            let registered = registrar.join().unwrap();
            match race.first() {
                Some(0) => assert_eq!(registered, ZX_OK),
                Some(_) => assert_eq!(registered, ZX_ERR_BAD_HANDLE),
                None => assert!(registered == ZX_OK || registered == ZX_ERR_BAD_HANDLE),
            }
            assert_eq!(port_state(&object(port)), (0, 0), "(observers, packets)");
            assert_eq!(
                kernel.live_objects(),
                1,
                "the event outlived its last handle"
            );
            assert_eq!(zx_handle_close(port), ZX_OK);
            assert_nothing_leaked(&kernel);
            format!("{}: {}", race.order(), status_name(registered))
        },
    );
}

/// A level-mode `zx_object_wait_async` racing the signal it waits for: exactly one packet,
/// whether the bit was active at registration (queued during the call) or rose afterwards
/// (queued by the observer). 2 threads; bound `LOOM_MAX_PREEMPTIONS` (default 2).
#[test]
fn level_wait_async_vs_signal() {
    check(
        "level_wait_async_vs_signal",
        &[
            "register overlapped signal",
            "register then signal",
            "signal then register",
        ],
        || {
            let (kernel, process) = kernel(Profile::Rfc0240);
            let _bound = process.bind();
            let (port, event) = (port(), event());
            let race = Race::new("register", "signal");
            let signaller = process.spawn({
                let race = race.clone();
                move || race.b(|| zx_object_signal(event, 0, ZX_USER_SIGNAL_0))
            });
            assert_eq!(race.a(|| wait_async(event, port)), ZX_OK);
            assert_eq!(signaller.join().unwrap(), ZX_OK);
            let packet = poll(port).expect("exactly one packet, got none");
            assert_signal_packet(&packet);
            assert!(poll(port).is_none(), "a second packet");
            assert_eq!(port_state(&object(port)), (0, 0), "(observers, packets)");
            assert_eq!(observers_on(&object(event)), 0);
            assert_eq!(zx_handle_close_many(&[port, event]), ZX_OK);
            assert_nothing_leaked(&kernel);
            race.order()
        },
    );
}

/// Two threads blocked in `zx_port_wait(ZX_TIME_INFINITE)` while two packets are queued
/// concurrently (one by a third thread, one by the main thread): each waiter gets exactly one
/// packet, both packets are received, none is left and nobody hangs (one packet wakes one
/// waiter; a woken waiter that finds a packet left passes the wake-up on).
/// 4 threads; bound `LOOM_MAX_PREEMPTIONS` (default 2).
#[test]
fn two_port_waiters_two_packets() {
    check(
        "two_port_waiters_two_packets",
        &["first waiter got key 1", "first waiter got key 2"],
        || {
            let (kernel, process) = kernel(Profile::Rfc0240);
            let _bound = process.bind();
            let port = port();
            let wait = move || {
                let mut packet = zx_port_packet_t::default();
                assert_eq!(zx_port_wait(port, ZX_TIME_INFINITE, &mut packet), ZX_OK);
                assert_eq!(packet.packet_type, ZX_PKT_TYPE_USER);
                packet.key
            };
            let queue = move |key: u64| {
                let packet = zx_port_packet_t::new_user(key, 0, zx_packet_user_t::default());
                assert_eq!(zx_port_queue(port, &packet), ZX_OK);
            };
            let first = process.spawn(wait);
            let second = process.spawn(wait);
            let queuer = process.spawn(move || queue(1));
            queue(2);
            queuer.join().unwrap();
            let keys = [first.join().unwrap(), second.join().unwrap()];
            let mut sorted = keys;
            sorted.sort_unstable();
            assert_eq!(sorted, [1, 2], "each waiter gets exactly one packet");
            assert_eq!(port_state(&object(port)), (0, 0), "(observers, packets)");
            assert_eq!(zx_handle_close(port), ZX_OK);
            assert_nothing_leaked(&kernel);
            format!("first waiter got key {}", keys[0])
        },
    );
}

/// A waiter with a finite deadline and one with none, both in `zx_port_wait`, while a third
/// thread queues one packet and the main thread queues another and then moves the virtual clock
/// past the finite deadline (whose wake-up reaches every waiter). The infinite waiter always gets
/// a packet (a wake-up absorbed by the finite waiter as it times out must be passed on, or loom
/// reports the infinite waiter stuck); the finite one gets a packet or `TIMED_OUT`; no packet is
/// lost or duplicated; no deadline entry is left.
/// 4 threads; bound `LOOM_MAX_PREEMPTIONS` (default 2).
#[test]
fn finite_and_infinite_waiters_two_packets() {
    check(
        "finite_and_infinite_waiters_two_packets",
        &["finite waiter got a packet", "finite waiter timed out"],
        || {
            const DEADLINE: zx_time_t = 10;
            let (kernel, process) = kernel(Profile::Rfc0240);
            let _bound = process.bind();
            let port = port();
            let wait = move |deadline: zx_time_t| {
                let mut packet = zx_port_packet_t::default();
                match zx_port_wait(port, deadline, &mut packet) {
                    ZX_OK => Some(packet.key),
                    ZX_ERR_TIMED_OUT => None,
                    other => panic!("zx_port_wait answered {other}"),
                }
            };
            let queue = move |key: u64| {
                let packet = zx_port_packet_t::new_user(key, 0, zx_packet_user_t::default());
                assert_eq!(zx_port_queue(port, &packet), ZX_OK);
            };
            let finite = process.spawn(move || wait(DEADLINE));
            let infinite = process.spawn(move || wait(ZX_TIME_INFINITE));
            let queuer = process.spawn(move || queue(1));
            queue(2);
            kernel.advance_clock(DEADLINE);
            queuer.join().unwrap();
            let from_finite = finite.join().unwrap();
            let from_infinite = infinite
                .join()
                .unwrap()
                .expect("the infinite waiter got one");
            let mut keys = vec![from_infinite];
            keys.extend(from_finite);
            keys.extend(std::iter::from_fn(|| poll(port).map(|packet| packet.key)));
            keys.sort_unstable();
            assert_eq!(keys, [1, 2], "each packet received exactly once");
            assert_eq!(
                kernel.clock().next_deadline(),
                None,
                "a deadline entry was left"
            );
            assert_eq!(zx_handle_close(port), ZX_OK);
            assert_nothing_leaked(&kernel);
            match from_finite {
                Some(_) => "finite waiter got a packet".to_string(),
                None => "finite waiter timed out".to_string(),
            }
        },
    );
}

/// The port's last-handle close racing the firing of a wait registered on it: no packet
/// survives in the dead port, no observer is left on the object, and once the event is closed
/// too nothing is alive. 2 threads; bound `LOOM_MAX_PREEMPTIONS` (default 2).
#[test]
fn port_close_vs_fire() {
    check(
        "port_close_vs_fire",
        &[
            "close then signal",
            "signal overlapped close",
            "signal then close",
        ],
        || {
            let (kernel, process) = kernel(Profile::Rfc0240);
            let _bound = process.bind();
            let (port, event) = (port(), event());
            assert_eq!(wait_async(event, port), ZX_OK);
            let port_object = object(port);
            let event_object = object(event);
            let race = Race::new("signal", "close");
            let signaller = process.spawn({
                let race = race.clone();
                move || race.a(|| zx_object_signal(event, 0, ZX_USER_SIGNAL_0))
            });
            assert_eq!(race.b(|| zx_handle_close(port)), ZX_OK);
            assert_eq!(signaller.join().unwrap(), ZX_OK);
            assert_eq!(
                port_state(&port_object),
                (0, 0),
                "dead port: (observers, packets)"
            );
            assert_eq!(
                observers_on(&event_object),
                0,
                "observer left on the object"
            );
            drop((port_object, event_object));
            assert_eq!(kernel.live_objects(), 1, "the dead port is still alive");
            assert_eq!(zx_handle_close(event), ZX_OK);
            assert_nothing_leaked(&kernel);
            race.order()
        },
    );
}

/// `zircon` profile: the registering handle is closed while the wait fires through a duplicate
/// handle (which keeps the object alive). Either the fire won — one packet — or the close
/// ended the wait silently — no packet; never a packet after the silent end, never two, and no
/// observer is left. 2 threads; bound `LOOM_MAX_PREEMPTIONS` (default 2).
#[test]
fn registering_handle_close_vs_fire_zircon() {
    check(
        "registering_handle_close_vs_fire_zircon",
        &[
            "close then signal: silent end",
            "signal overlapped close: packet",
            "signal overlapped close: silent end",
            "signal then close: packet",
        ],
        || {
            let (kernel, process) = kernel(Profile::Zircon);
            let _bound = process.bind();
            let (port, event) = (port(), event());
            let mut duplicate = ZX_HANDLE_INVALID;
            assert_eq!(
                zx_handle_duplicate(event, ZX_RIGHT_SAME_RIGHTS, &mut duplicate),
                ZX_OK
            );
            assert_eq!(wait_async(event, port), ZX_OK);
            let race = Race::new("signal", "close");
            let signaller = process.spawn({
                let race = race.clone();
                move || race.a(|| zx_object_signal(duplicate, 0, ZX_USER_SIGNAL_0))
            });
            assert_eq!(race.b(|| zx_handle_close(event)), ZX_OK);
            // Once the close returned the wait is over: whatever is queued now is all there is.
            let (observers, queued) = port_state(&object(port));
            assert_eq!(observers, 0, "the wait survived its registering handle");
            assert_eq!(signaller.join().unwrap(), ZX_OK);
            assert_eq!(
                port_state(&object(port)),
                (0, queued),
                "a packet after the silent end"
            );
            let packets: Vec<_> = std::iter::from_fn(|| poll(port)).collect();
            assert!(packets.len() <= 1, "{} packets", packets.len());
            packets.iter().for_each(assert_signal_packet);
            match race.first() {
                Some(0) => assert_eq!(packets.len(), 1, "the signal came first"),
                Some(_) => assert_eq!(packets.len(), 0, "the close came first"),
                None => {}
            }
            assert_eq!(observers_on(&object(duplicate)), 0);
            assert_eq!(
                kernel.live_objects(),
                2,
                "the duplicate keeps the event alive"
            );
            assert_eq!(zx_handle_close_many(&[port, duplicate]), ZX_OK);
            assert_nothing_leaked(&kernel);
            let result = if packets.is_empty() {
                "silent end"
            } else {
                "packet"
            };
            format!("{}: {result}", race.order())
        },
    );
}
