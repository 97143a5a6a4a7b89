//! The loop's guarantees G1–G5, tasks, receivers, keys and the profile differences, each test
//! in a fresh kernel on a virtual clock, under both semantics profiles where it says so.
#![allow(clippy::disallowed_types, clippy::disallowed_methods)]

use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, Mutex};

use zxsim_async::{Dispatcher, Loop, LoopConfig, LoopState, Receiver, Wait};
use zxsim_syscalls::kernel::{Config, Kernel, Process, Profile};
use zxsim_syscalls::sys::*;
use zxsim_syscalls::zx::{self, AsHandleRef, HandleBased, Status};

/// Runs `body` under both profiles, each in a fresh kernel (virtual clock) with a bound
/// process, and checks nothing leaked.
fn both(body: impl Fn(Profile)) {
    for profile in Profile::ALL {
        let kernel = Kernel::new(Config::default().with_profile(profile).with_virtual_clock());
        let process = kernel.create_process();
        {
            let _bound = process.bind();
            body(profile);
        }
        assert_eq!(
            (kernel.live_objects(), kernel.live_handles()),
            (0, 0),
            "{profile}: leaked"
        );
    }
}

type Calls = Arc<Mutex<Vec<(Status, Option<zx::Signals>)>>>;

/// A wait on `event` for USER_0 that records each call.
fn recording_wait(dispatcher: &Dispatcher, event: &zx::Event) -> (Wait, Calls) {
    let calls: Calls = Arc::default();
    let record = calls.clone();
    let wait = Wait::new(
        dispatcher,
        event,
        zx::Signals::USER_0,
        zx::WaitAsyncOpts::empty(),
        move |_, _, status, packet| {
            record
                .lock()
                .unwrap()
                .push((status, packet.map(|p| p.observed())));
        },
    );
    (wait, calls)
}

fn calls(calls: &Calls) -> Vec<(Status, Option<zx::Signals>)> {
    calls.lock().unwrap().clone()
}

#[test]
fn g1_handler_runs_once_with_its_packet() {
    both(|_| {
        let event_loop = Loop::new(LoopConfig::default()).unwrap();
        let event = zx::Event::create();
        let (wait, record) = recording_wait(event_loop.dispatcher(), &event);
        wait.begin().unwrap();
        assert!(wait.is_pending());
        event_loop.run_until_idle().unwrap();
        assert!(calls(&record).is_empty(), "no signal yet");
        event
            .signal_handle(zx::Signals::NONE, zx::Signals::USER_0)
            .unwrap();
        event_loop.run_until_idle().unwrap();
        event_loop.run_until_idle().unwrap();
        assert_eq!(calls(&record), [(Status::OK, Some(zx::Signals::USER_0))]);
        assert!(!wait.is_pending());
        event_loop.shutdown();
        assert_eq!(calls(&record).len(), 1, "no second call at shutdown");
    });
}

#[test]
fn g1_pending_wait_gets_canceled_once_at_shutdown() {
    both(|_| {
        let event_loop = Loop::new(LoopConfig::default()).unwrap();
        let event = zx::Event::create();
        let (wait, record) = recording_wait(event_loop.dispatcher(), &event);
        wait.begin().unwrap();
        drop(wait); // the dispatcher keeps the wait alive while it is pending
        drop(event_loop);
        assert_eq!(calls(&record), [(Status::CANCELED, None)]);
    });
}

#[test]
fn g2_cancel_ok_means_never_and_releases_the_handler() {
    both(|_| {
        let event_loop = Loop::new(LoopConfig::default()).unwrap();
        let event = zx::Event::create();
        let (wait, record) = recording_wait(event_loop.dispatcher(), &event);
        wait.begin().unwrap();
        // The packet is already queued: cancel still answers OK and removes it.
        event
            .signal_handle(zx::Signals::NONE, zx::Signals::USER_0)
            .unwrap();
        assert_eq!(wait.cancel(), Ok(()));
        assert_eq!(wait.cancel(), Err(Status::NOT_FOUND));
        event_loop.run_until_idle().unwrap();
        let held = Arc::strong_count(&record);
        drop(wait);
        assert_eq!(
            Arc::strong_count(&record),
            held - 1,
            "handler dropped with the wait"
        );
        event_loop.shutdown();
        assert!(calls(&record).is_empty());
    });
}

#[test]
fn g3_cancel_not_found_while_the_handler_runs() {
    both(|_| {
        let event_loop = Loop::new(LoopConfig::default()).unwrap();
        let event = zx::Event::create();
        let (entered_tx, entered_rx) = std::sync::mpsc::channel();
        let (release_tx, release_rx) = std::sync::mpsc::channel::<()>();
        let release_rx = Mutex::new(release_rx);
        let ran = Arc::new(AtomicUsize::new(0));
        let counter = ran.clone();
        let wait = Wait::new(
            event_loop.dispatcher(),
            &event,
            zx::Signals::USER_0,
            zx::WaitAsyncOpts::empty(),
            move |_, _, status, _| {
                assert_eq!(status, Status::OK);
                entered_tx.send(()).unwrap();
                release_rx.lock().unwrap().recv().unwrap();
                counter.fetch_add(1, SeqCst);
            },
        );
        wait.begin().unwrap();
        event_loop.start_thread("worker").unwrap();
        event
            .signal_handle(zx::Signals::NONE, zx::Signals::USER_0)
            .unwrap();
        entered_rx.recv().unwrap();
        // The handler is running on the loop thread: cancel cannot stop it.
        assert_eq!(wait.cancel(), Err(Status::NOT_FOUND));
        release_tx.send(()).unwrap();
        event_loop.shutdown();
        assert_eq!(ran.load(SeqCst), 1);
    });
}

#[test]
fn g3_synchronized_loop_never_runs_two_handlers_at_once() {
    both(|_| {
        let event_loop = Loop::new(LoopConfig::synchronized()).unwrap();
        assert!(event_loop.dispatcher().is_synchronized());
        let inside = Arc::new(AtomicUsize::new(0));
        let overlaps = Arc::new(AtomicUsize::new(0));
        let done = Arc::new(AtomicUsize::new(0));
        let events: Vec<zx::Event> = (0..8).map(|_| zx::Event::create()).collect();
        let mut waits = Vec::new();
        for event in &events {
            let (inside, overlaps, done) = (inside.clone(), overlaps.clone(), done.clone());
            let wait = Wait::new(
                event_loop.dispatcher(),
                event,
                zx::Signals::USER_0,
                zx::WaitAsyncOpts::empty(),
                move |_, _, _, _| {
                    if inside.fetch_add(1, SeqCst) != 0 {
                        overlaps.fetch_add(1, SeqCst);
                    }
                    std::thread::yield_now();
                    inside.fetch_sub(1, SeqCst);
                    done.fetch_add(1, SeqCst);
                },
            );
            wait.begin().unwrap();
            waits.push(wait);
        }
        for index in 0..3 {
            event_loop.start_thread(&format!("worker-{index}")).unwrap();
        }
        for event in &events {
            event
                .signal_handle(zx::Signals::NONE, zx::Signals::USER_0)
                .unwrap();
        }
        let started = std::time::Instant::now();
        while done.load(SeqCst) < events.len() {
            assert!(
                started.elapsed() < std::time::Duration::from_secs(10),
                "gave up after 10 s waiting for every handler to run"
            );
            std::thread::yield_now();
        }
        event_loop.shutdown();
        assert_eq!(overlaps.load(SeqCst), 0);
    });
}

/// G4, async-loop's order: state, then threads joined, then CANCELED handlers (waits before
/// tasks), then port closed and callbacks; afterwards everything answers BAD_STATE.
#[test]
fn g4_shutdown_order() {
    both(|_| {
        let event_loop = Loop::new(LoopConfig::default()).unwrap();
        let dispatcher = event_loop.dispatcher().clone();
        let log = Arc::new(Mutex::new(Vec::<String>::new()));
        let event = zx::Event::create();
        let wait = {
            let log = log.clone();
            Wait::new(
                &dispatcher,
                &event,
                zx::Signals::USER_0,
                zx::WaitAsyncOpts::empty(),
                move |dispatcher, wait, status, _| {
                    // Step 1 already happened: no new work.
                    assert_eq!(dispatcher.state(), LoopState::Shutdown);
                    assert_eq!(wait.begin(), Err(Status::BAD_STATE));
                    log.lock().unwrap().push(format!("wait {status}"));
                },
            )
        };
        wait.begin().unwrap();
        {
            let log = log.clone();
            dispatcher
                .post_delayed_task(zx::MonotonicInstant::from_nanos(1_000), move |_, status| {
                    log.lock().unwrap().push(format!("task {status}"))
                })
                .unwrap();
        }
        let exited = Arc::new(AtomicUsize::new(0));
        for index in 0..2 {
            event_loop.start_thread(&format!("worker-{index}")).unwrap();
        }
        {
            let (log, exited) = (log.clone(), exited.clone());
            event_loop.shutdown_async(move || {
                exited.fetch_add(1, SeqCst);
                log.lock().unwrap().push("on_complete".into());
            });
        }
        event_loop.shutdown();
        assert_eq!(
            *log.lock().unwrap(),
            [
                "wait ZX_ERR_CANCELED",
                "task ZX_ERR_CANCELED",
                "on_complete"
            ]
        );
        assert_eq!(exited.load(SeqCst), 1);
        assert_eq!(event_loop.state(), LoopState::Shutdown);
        assert_eq!(wait.begin(), Err(Status::BAD_STATE));
        assert_eq!(
            dispatcher.post_task(|_, _| {}).err(),
            Some(Status::BAD_STATE)
        );
        assert_eq!(
            Receiver::new(&dispatcher, |_, _, _| {}).err(),
            Some(Status::BAD_STATE)
        );
        assert_eq!(event_loop.run_until_idle(), Err(Status::BAD_STATE));
        assert_eq!(event_loop.start_thread("late"), Err(Status::BAD_STATE));
        // After teardown, a callback runs at once.
        let late = Arc::new(AtomicUsize::new(0));
        let count = late.clone();
        event_loop.shutdown_async(move || {
            count.fetch_add(1, SeqCst);
        });
        assert_eq!(late.load(SeqCst), 1);
    });
}

/// Two-phase shutdown begun inside a handler on a loop thread: the loop finishes tearing down
/// on that thread once the handler returns; `on_complete` runs once, after every handler.
#[test]
fn g4_shutdown_async_from_a_handler() {
    both(|_| {
        let event_loop = Loop::new(LoopConfig::default()).unwrap();
        let event = zx::Event::create();
        let other = zx::Event::create();
        let (other_wait, other_calls) = recording_wait(event_loop.dispatcher(), &other);
        other_wait.begin().unwrap();
        let (done_tx, done_rx) = std::sync::mpsc::channel();
        let order = Arc::new(Mutex::new(Vec::new()));
        let wait = {
            let order = order.clone();
            Wait::new(
                event_loop.dispatcher(),
                &event,
                zx::Signals::USER_0,
                zx::WaitAsyncOpts::empty(),
                move |dispatcher, _, _, _| {
                    let order2 = order.clone();
                    let done_tx = done_tx.clone();
                    dispatcher.shutdown_async(move || {
                        order2.lock().unwrap().push("on_complete");
                        done_tx.send(()).unwrap();
                    });
                    order.lock().unwrap().push("handler returns");
                },
            )
        };
        wait.begin().unwrap();
        event_loop.start_thread("worker").unwrap();
        event
            .signal_handle(zx::Signals::NONE, zx::Signals::USER_0)
            .unwrap();
        done_rx.recv().unwrap();
        assert_eq!(*order.lock().unwrap(), ["handler returns", "on_complete"]);
        assert_eq!(calls(&other_calls), [(Status::CANCELED, None)]);
        event_loop.shutdown();
        assert_eq!(order.lock().unwrap().len(), 2);
    });
}

/// G5: registering never calls a handler inline; handlers run inside `run`, where
/// `Dispatcher::current` names their loop.
#[test]
fn g5_handlers_run_only_inside_run() {
    both(|_| {
        let event_loop = Loop::new(LoopConfig::default()).unwrap();
        let dispatcher = event_loop.dispatcher().clone();
        let ran = Arc::new(AtomicUsize::new(0));
        let event = zx::Event::create();
        event
            .signal_handle(zx::Signals::NONE, zx::Signals::USER_0)
            .unwrap();
        let counter = ran.clone();
        let wait = Wait::new(
            &dispatcher,
            &event,
            zx::Signals::USER_0,
            zx::WaitAsyncOpts::empty(),
            move |dispatcher, _, _, _| {
                assert!(dispatcher.is_current());
                assert!(Dispatcher::current().is_some());
                counter.fetch_add(1, SeqCst);
            },
        );
        wait.begin().unwrap(); // already signalled: the packet is queued, not delivered inline
        let counter = ran.clone();
        dispatcher
            .post_task(move |dispatcher, status| {
                assert_eq!(status, Status::OK);
                assert!(dispatcher.is_current());
                counter.fetch_add(1, SeqCst);
            })
            .unwrap();
        assert_eq!(ran.load(SeqCst), 0);
        assert!(!dispatcher.is_current());
        // A handler cannot run the loop (handlers would nest).
        let event_loop = Arc::new(event_loop);
        let nested = Arc::new(Mutex::new(None));
        {
            let (inner, nested) = (event_loop.clone(), nested.clone());
            dispatcher
                .post_task(move |_, _| *nested.lock().unwrap() = Some(inner.run_until_idle()))
                .unwrap();
        }
        assert!(Dispatcher::current().is_none());
        event_loop.run_until_idle().unwrap();
        assert_eq!(ran.load(SeqCst), 2);
        assert_eq!(*nested.lock().unwrap(), Some(Err(Status::BAD_STATE)));
    });
}

#[test]
fn delayed_tasks_follow_the_virtual_clock_in_deadline_order() {
    both(|_| {
        let event_loop = Loop::new(LoopConfig::default()).unwrap();
        let dispatcher = event_loop.dispatcher();
        let order = Arc::new(Mutex::new(Vec::new()));
        let post = |at: i64, name: &'static str| {
            let order = order.clone();
            dispatcher
                .post_delayed_task(zx::MonotonicInstant::from_nanos(at), move |_, status| {
                    assert_eq!(status, Status::OK);
                    order.lock().unwrap().push(name);
                })
                .unwrap()
        };
        post(300, "c");
        let b = post(200, "b");
        post(100, "a");
        let cancelled = post(150, "cancelled");
        assert_eq!(dispatcher.cancel_task(&cancelled), Ok(()));
        assert_eq!(dispatcher.cancel_task(&cancelled), Err(Status::NOT_FOUND));
        event_loop.run_until_idle().unwrap();
        assert!(order.lock().unwrap().is_empty(), "time has not moved");
        Process::with_current(|p| p.kernel().advance_clock(200));
        event_loop.run_until_idle().unwrap();
        assert_eq!(*order.lock().unwrap(), ["a", "b"]);
        assert_eq!(dispatcher.cancel_task(&b), Err(Status::NOT_FOUND));
        Process::with_current(|p| p.kernel().advance_clock(1_000));
        event_loop.run_until_idle().unwrap();
        assert_eq!(*order.lock().unwrap(), ["a", "b", "c"]);
    });
}

#[test]
fn receivers_get_their_packets_and_cancel_drops_queued_ones() {
    both(|_| {
        let event_loop = Loop::new(LoopConfig::default()).unwrap();
        let got = Arc::new(Mutex::new(Vec::new()));
        let record = got.clone();
        let receiver = Receiver::new(event_loop.dispatcher(), move |_, status, packet| {
            record
                .lock()
                .unwrap()
                .push((status, packet.as_u8_array()[0]));
        })
        .unwrap();
        let packet = |byte: u8| {
            let mut bytes = [0; 32];
            bytes[0] = byte;
            zx::UserPacket::from_u8_array(bytes)
        };
        receiver.queue_packet(Status::OK, packet(1)).unwrap();
        receiver.queue_packet(Status::CANCELED, packet(2)).unwrap();
        event_loop.run_until_idle().unwrap();
        assert_eq!(
            *got.lock().unwrap(),
            [(Status::OK, 1), (Status::CANCELED, 2)]
        );
        receiver.queue_packet(Status::OK, packet(3)).unwrap();
        assert!(receiver.cancel());
        assert_eq!(
            receiver.queue_packet(Status::OK, packet(4)),
            Err(Status::NOT_FOUND)
        );
        event_loop.run_until_idle().unwrap();
        assert_eq!(
            got.lock().unwrap().len(),
            2,
            "cancel dropped the queued packet"
        );
    });
}

/// A packet whose key the loop does not know (a receiver or wait already gone) is dropped.
#[test]
fn packets_for_unknown_keys_are_dropped() {
    both(|_| {
        let event_loop = Loop::new(LoopConfig::default()).unwrap();
        let packet = zx_port_packet_t {
            key: 0xdead_beef,
            ..Default::default()
        };
        assert_eq!(
            zx_port_queue(event_loop.dispatcher().port_handle(), &packet),
            ZX_OK
        );
        event_loop.run_until_idle().unwrap();
        assert_eq!(
            event_loop.run(zx::MonotonicInstant::INFINITE_PAST, true),
            Err(Status::TIMED_OUT)
        );
    });
}

#[test]
fn keys_are_unique_nonzero_and_reused_only_after_cancel_ok() {
    both(|_| {
        let event_loop = Loop::new(LoopConfig::default()).unwrap();
        let dispatcher = event_loop.dispatcher();
        let event = zx::Event::create();
        let (wait, record) = recording_wait(dispatcher, &event);
        let receiver = Receiver::new(dispatcher, |_, _, _| {}).unwrap();
        let task = dispatcher.post_task(|_, _| {}).unwrap();
        wait.begin().unwrap();
        let first = wait.key();
        let mut keys = vec![first, receiver.key(), task.key()];
        keys.sort();
        keys.dedup();
        assert_eq!(keys.len(), 3);
        assert!(!keys.contains(&0));
        // Cancel OK: nothing with the key is left, so the wait takes it back.
        wait.cancel().unwrap();
        wait.begin().unwrap();
        assert_eq!(wait.key(), first);
        event
            .signal_handle(zx::Signals::NONE, zx::Signals::USER_0)
            .unwrap();
        event_loop.run_until_idle().unwrap();
        assert_eq!(calls(&record).len(), 1);
        // After a dispatch (no cancel), a new key.
        wait.begin().unwrap();
        assert_ne!(wait.key(), first);
        assert_eq!(wait.begin(), Err(Status::ALREADY_EXISTS));
    });
}

#[test]
fn quit_and_reset_quit() {
    both(|_| {
        let event_loop = Loop::new(LoopConfig::default()).unwrap();
        for index in 0..2 {
            event_loop.start_thread(&format!("worker-{index}")).unwrap();
        }
        event_loop.quit();
        event_loop.join_threads();
        assert_eq!(event_loop.state(), LoopState::Quit);
        assert_eq!(
            event_loop.run(zx::MonotonicInstant::INFINITE, false),
            Err(Status::CANCELED)
        );
        event_loop.reset_quit().unwrap();
        assert_eq!(event_loop.state(), LoopState::Runnable);
        let ran = Arc::new(AtomicUsize::new(0));
        let counter = ran.clone();
        event_loop
            .dispatcher()
            .post_task(move |_, _| {
                counter.fetch_add(1, SeqCst);
            })
            .unwrap();
        // A stale control packet from the quit does not count as a dispatch.
        assert_eq!(event_loop.run(zx::MonotonicInstant::INFINITE, true), Ok(()));
        assert_eq!(ran.load(SeqCst), 1);
    });
}

/// RFC-0240 vs today's Zircon, seen through the loop: closing the registering handle while
/// another handle exists ends the wait only under `zircon`, and cancel then needs the handle.
#[test]
fn profiles_closing_the_handle_before_cancel() {
    both(|profile| {
        let event_loop = Loop::new(LoopConfig::default()).unwrap();
        let event = zx::Event::create();
        let duplicate = event.duplicate_handle(zx::Rights::SAME_RIGHTS).unwrap();
        let (wait, record) = recording_wait(event_loop.dispatcher(), &duplicate);
        wait.begin().unwrap();
        drop(duplicate);
        match profile {
            Profile::Rfc0240 => {
                // The wait is on the object: it still fires...
                event
                    .signal_handle(zx::Signals::NONE, zx::Signals::USER_0)
                    .unwrap();
                event_loop.run_until_idle().unwrap();
                assert_eq!(calls(&record), [(Status::OK, Some(zx::Signals::USER_0))]);
                // ...and a new one on a closed handle value is cancelled by key alone.
                wait.begin().unwrap_err();
            }
            Profile::Zircon => {
                // The kernel dropped the wait with the handle; cancel needs the handle.
                assert_eq!(wait.cancel(), Err(Status::BAD_HANDLE));
                event
                    .signal_handle(zx::Signals::NONE, zx::Signals::USER_0)
                    .unwrap();
                event_loop.run_until_idle().unwrap();
                assert!(calls(&record).is_empty());
                event_loop.shutdown();
                assert_eq!(calls(&record), [(Status::CANCELED, None)]);
            }
        }
    });
}

#[test]
fn rfc0240_cancel_by_key_after_the_handle_closed() {
    both(|profile| {
        let event_loop = Loop::new(LoopConfig::default()).unwrap();
        let event = zx::Event::create();
        let duplicate = event.duplicate_handle(zx::Rights::SAME_RIGHTS).unwrap();
        let (wait, record) = recording_wait(event_loop.dispatcher(), &duplicate);
        wait.begin().unwrap();
        drop(duplicate);
        let cancelled = wait.cancel();
        if profile == Profile::Rfc0240 {
            assert_eq!(cancelled, Ok(()));
        } else {
            assert_eq!(cancelled, Err(Status::BAD_HANDLE));
        }
        event
            .signal_handle(zx::Signals::NONE, zx::Signals::USER_0)
            .unwrap();
        event_loop.shutdown();
        let expected = if profile == Profile::Rfc0240 {
            vec![]
        } else {
            vec![(Status::CANCELED, None)]
        };
        assert_eq!(calls(&record), expected);
        let _ = event.raw_handle();
    });
}

/// A handler that panics on a loop thread kills that thread loudly (`join_threads` panics),
/// and the loop still shuts down: the dead thread left `run` on its way out.
#[test]
fn a_panicking_handler_is_loud_and_shutdown_still_completes() {
    both(|_| {
        let event_loop = Loop::new(LoopConfig::default()).unwrap();
        event_loop
            .dispatcher()
            .post_task(|_, _| panic!("deliberate"))
            .unwrap();
        event_loop.start_thread("doomed").unwrap();
        let joined =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| event_loop.join_threads()));
        assert!(joined.is_err(), "join_threads reports the panic");
        event_loop.shutdown();
        assert_eq!(event_loop.state(), LoopState::Shutdown);
    });
}
