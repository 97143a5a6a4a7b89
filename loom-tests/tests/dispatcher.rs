//! Dispatcher models: `zxsim-async`'s `Loop` (and `OnSignals`) racing itself — cancel against
//! dispatch on a loop thread, shutdown against an in-flight handler, `begin` against shutdown,
//! `quit` against two loop threads, a future dropped while its packet is delivered, and a key
//! reused after `zx_port_cancel_key` answered OK.
//!
//! The loop's locks, condvar, atomics, threads and thread-locals come from the kernel's sync
//! shim, so loom sees the dispatcher's synchronisation as well as the kernel's. Each model names
//! the guarantee (G1–G5, `docs/dispatcher.md`) it checks and, at bound ≥ 2, asserts the exact
//! set of outcome classes it explored. 2–3 threads; bound `LOOM_MAX_PREEMPTIONS` (default 2).
//! Handler calls are recorded in plain `std` types outside loom's view (see `Race`).
#![cfg(zxsim_loom)]

use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, Mutex};
use std::task::{Context, Wake, Waker};

use zxsim_async::{Loop, LoopConfig, LoopState, OnSignals, Wait};
use zxsim_kernel::Profile;
use zxsim_loom_tests::{assert_nothing_leaked, check, kernel, object, observers_on, Race};
use zxsim_syscalls::sys::*;
use zxsim_syscalls::zx::{self, AsHandleRef, Status};

type Calls = Arc<Mutex<Vec<Status>>>;

/// A wait for USER_0 on `event` that records each call's status.
fn recording_wait(event_loop: &Loop, event: &zx::Event) -> (Wait, Calls) {
    let calls: Calls = Arc::default();
    let record = calls.clone();
    let wait = Wait::new(
        event_loop.dispatcher(),
        event,
        zx::Signals::USER_0,
        zx::WaitAsyncOpts::empty(),
        move |_, _, status, _| record.lock().unwrap().push(status),
    );
    (wait, calls)
}

fn signal(event: &zx::Event) {
    event
        .signal_handle(zx::Signals::NONE, zx::Signals::USER_0)
        .unwrap();
}

/// G1/G2/G3: `cancel` on the main thread racing the dispatch of the same wait on a loop
/// thread. Either cancel answers OK and the handler never runs (G2), or it answers NOT_FOUND
/// and the handler runs exactly once, with OK (G1, G3) — never both, never twice, never
/// CANCELED (the packet was taken before shutdown began).
fn cancel_vs_dispatch(profile: Profile) -> String {
    let (kernel, process) = kernel(profile);
    let _bound = process.bind();
    let label = {
        let event = zx::Event::create();
        let event_loop = Loop::new(LoopConfig::default()).unwrap();
        let (wait, calls) = recording_wait(&event_loop, &event);
        wait.begin().unwrap();
        event_loop.start_thread("worker").unwrap();
        signal(&event);
        let cancelled = wait.cancel();
        event_loop.shutdown();
        let calls = calls.lock().unwrap().clone();
        assert_eq!(observers_on(&object(event.raw_handle())), 0);
        match cancelled {
            Ok(()) => {
                assert!(calls.is_empty(), "G2: cancel OK but the handler ran");
                "cancel OK: never ran"
            }
            Err(Status::NOT_FOUND) => {
                assert_eq!(calls, [Status::OK], "G1/G3");
                "cancel NOT_FOUND: ran once with OK"
            }
            Err(other) => panic!("cancel answered {other:?}"),
        }
    };
    assert_nothing_leaked(&kernel);
    label.into()
}

#[test]
fn cancel_vs_dispatch_rfc0240() {
    check(
        "cancel_vs_dispatch_rfc0240",
        &["cancel NOT_FOUND: ran once with OK", "cancel OK: never ran"],
        || cancel_vs_dispatch(Profile::Rfc0240),
    );
}

#[test]
fn cancel_vs_dispatch_zircon() {
    check(
        "cancel_vs_dispatch_zircon",
        &["cancel NOT_FOUND: ran once with OK", "cancel OK: never ran"],
        || cancel_vs_dispatch(Profile::Zircon),
    );
}

/// G4: `shutdown` racing a handler about to run on a loop thread. The handler runs exactly
/// once — with OK (the loop thread took the packet first) or CANCELED (teardown) — and never
/// after `shutdown` returned; afterwards `begin` and `run` answer BAD_STATE.
#[test]
fn shutdown_vs_in_flight_handler() {
    check(
        "shutdown_vs_in_flight_handler",
        &[
            "handler CANCELED by teardown",
            "handler OK on the loop thread",
        ],
        || {
            let (kernel, process) = kernel(Profile::Rfc0240);
            let _bound = process.bind();
            let label = {
                let event = zx::Event::create();
                let event_loop = Loop::new(LoopConfig::default()).unwrap();
                let returned = Arc::new(AtomicBool::new(false));
                let calls: Calls = Arc::default();
                let wait = {
                    let (returned, record) = (returned.clone(), calls.clone());
                    Wait::new(
                        event_loop.dispatcher(),
                        &event,
                        zx::Signals::USER_0,
                        zx::WaitAsyncOpts::empty(),
                        move |_, _, status, _| {
                            assert!(!returned.load(SeqCst), "G4: handler after shutdown");
                            record.lock().unwrap().push(status);
                        },
                    )
                };
                wait.begin().unwrap();
                event_loop.start_thread("worker").unwrap();
                signal(&event);
                event_loop.shutdown();
                returned.store(true, SeqCst);
                assert_eq!(wait.begin(), Err(Status::BAD_STATE));
                assert_eq!(event_loop.run_until_idle(), Err(Status::BAD_STATE));
                assert_eq!(event_loop.state(), LoopState::Shutdown);
                let calls = calls.lock().unwrap().clone();
                match calls.as_slice() {
                    [Status::OK] => "handler OK on the loop thread",
                    [Status::CANCELED] => "handler CANCELED by teardown",
                    other => panic!("G1: handler calls {other:?}"),
                }
            };
            assert_nothing_leaked(&kernel);
            label.into()
        },
    );
}

/// G1/G4: `begin` on one thread racing `shutdown` on another. Either begin answers OK and the
/// handler runs once with CANCELED at teardown, or begin answers BAD_STATE and it never runs.
#[test]
fn begin_vs_shutdown() {
    check(
        "begin_vs_shutdown",
        &[
            "begin BAD_STATE: never called",
            "begin OK: CANCELED at teardown",
        ],
        || {
            let (kernel, process) = kernel(Profile::Rfc0240);
            let _bound = process.bind();
            let label = {
                let event = zx::Event::create();
                let event_loop = Loop::new(LoopConfig::default()).unwrap();
                let (wait, calls) = recording_wait(&event_loop, &event);
                let beginner = process.spawn({
                    let wait = wait.clone();
                    move || wait.begin()
                });
                event_loop.shutdown();
                let begun = beginner.join().unwrap();
                let calls = calls.lock().unwrap().clone();
                match begun {
                    Ok(()) => {
                        assert_eq!(calls, [Status::CANCELED]);
                        "begin OK: CANCELED at teardown"
                    }
                    Err(Status::BAD_STATE) => {
                        assert!(calls.is_empty());
                        "begin BAD_STATE: never called"
                    }
                    Err(other) => panic!("begin answered {other:?}"),
                }
            };
            assert_nothing_leaked(&kernel);
            label.into()
        },
    );
}

/// `quit` with two loop threads blocked in (or entering) `run`: both leave `run` — one control
/// packet, passed on by the first thread that takes it — and `join_threads` returns; the loop
/// then runs again after `reset_quit`. A lost wake-up would be a loom deadlock.
#[test]
fn quit_wakes_two_workers() {
    check(
        "quit_wakes_two_workers",
        &["both loop threads left run"],
        || {
            let (kernel, process) = kernel(Profile::Rfc0240);
            let _bound = process.bind();
            {
                let event_loop = Loop::new(LoopConfig::default()).unwrap();
                event_loop.start_thread("worker-0").unwrap();
                event_loop.start_thread("worker-1").unwrap();
                event_loop.quit();
                event_loop.join_threads();
                assert_eq!(event_loop.state(), LoopState::Quit);
                event_loop.reset_quit().unwrap();
                let ran = Arc::new(AtomicUsize::new(0));
                let counter = ran.clone();
                event_loop
                    .dispatcher()
                    .post_task(move |_, status| {
                        assert_eq!(status, Status::OK);
                        counter.fetch_add(1, SeqCst);
                    })
                    .unwrap();
                event_loop.run_until_idle().unwrap();
                assert_eq!(ran.load(SeqCst), 1);
            }
            assert_nothing_leaked(&kernel);
            "both loop threads left run".into()
        },
    );
}

/// Counts wake-ups and whether the future was already destroyed when each came.
struct Probe {
    wakes: AtomicUsize,
    after_destroyed: AtomicBool,
    destroyed: Arc<AtomicBool>,
}

impl Wake for Probe {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }
    fn wake_by_ref(self: &Arc<Self>) {
        self.wakes.fetch_add(1, SeqCst);
        if self.destroyed.load(SeqCst) {
            self.after_destroyed.store(true, SeqCst);
        }
    }
}

/// G2/G3 through `OnSignals`: the future is dropped on the main thread while a loop thread
/// delivers its packet. The drop cancels by key: either the cancel wins (the handler never
/// runs: no wake-up at all), or the packet was taken and the handler runs — before the drop
/// returned or after it (the "destroyed" flag is set) — touching only the state it shares with
/// the waker, never the dropped future. At most one wake-up; no observer left; nothing leaked.
#[test]
fn on_signals_dropped_during_delivery() {
    check(
        "on_signals_dropped_during_delivery",
        &[
            "cancel won: never woken",
            "woken after the drop returned",
            "woken before the drop returned",
        ],
        || {
            let (kernel, process) = kernel(Profile::Rfc0240);
            let _bound = process.bind();
            let label = {
                // 'static for the future's borrow; closed by hand below.
                let event: &'static zx::Event = Box::leak(Box::new(zx::Event::create()));
                let event_loop = Loop::new(LoopConfig::default()).unwrap();
                let destroyed = Arc::new(AtomicBool::new(false));
                let probe = Arc::new(Probe {
                    wakes: AtomicUsize::new(0),
                    after_destroyed: AtomicBool::new(false),
                    destroyed: destroyed.clone(),
                });
                let slot: Arc<Mutex<Option<OnSignals<'static>>>> = Arc::default();
                {
                    // Poll the future once inside a loop task, where it finds its executor.
                    let (slot, waker) = (slot.clone(), Waker::from(probe.clone()));
                    event_loop
                        .dispatcher()
                        .post_task(move |_, _| {
                            let mut future = OnSignals::new(event, zx::Signals::USER_0);
                            let polled = std::pin::Pin::new(&mut future)
                                .poll(&mut Context::from_waker(&waker));
                            assert!(polled.is_pending());
                            *slot.lock().unwrap() = Some(future);
                        })
                        .unwrap();
                }
                event_loop.run_until_idle().unwrap();
                let future = slot.lock().unwrap().take().expect("registered");
                event_loop.start_thread("worker").unwrap();
                signal(event);
                drop(future);
                destroyed.store(true, SeqCst);
                event_loop.shutdown();
                assert_eq!(observers_on(&object(event.raw_handle())), 0);
                assert_eq!(zx_handle_close(event.raw_handle()), ZX_OK);
                match (probe.wakes.load(SeqCst), probe.after_destroyed.load(SeqCst)) {
                    (0, _) => "cancel won: never woken",
                    (1, false) => "woken before the drop returned",
                    (1, true) => "woken after the drop returned",
                    (n, _) => panic!("woken {n} times"),
                }
            };
            assert_nothing_leaked(&kernel);
            label.into()
        },
    );
}

/// RFC-0240: a key may be reused once `zx_port_cancel_key` answered OK. The wait's first
/// registration is cancelled while another thread raises the signal (its packet may already be
/// queued: cancel removes it); the wait then begins again **with the same key**. Exactly one
/// handler call follows, and afterwards nothing with that key is left in the port.
#[test]
fn key_reuse_after_cancel_key_ok() {
    check(
        "key_reuse_after_cancel_key_ok",
        &[
            "cancel then signal: reused key fired once",
            "signal overlapped cancel: reused key fired once",
            "signal then cancel: reused key fired once",
        ],
        || {
            let (kernel, process) = kernel(Profile::Rfc0240);
            let _bound = process.bind();
            let label = {
                let event = zx::Event::create();
                let raw = event.raw_handle();
                let event_loop = Loop::new(LoopConfig::default()).unwrap();
                let (wait, calls) = recording_wait(&event_loop, &event);
                wait.begin().unwrap();
                let key = wait.key();
                let race = Race::new("signal", "cancel");
                let signaller = process.spawn({
                    let race = race.clone();
                    move || race.a(|| zx_object_signal(raw, 0, ZX_USER_SIGNAL_0))
                });
                assert_eq!(race.b(|| wait.cancel()), Ok(()), "nothing dispatches yet");
                wait.begin().unwrap();
                assert_eq!(wait.key(), key, "the key is reused");
                assert_eq!(signaller.join().unwrap(), ZX_OK);
                event_loop.run_until_idle().unwrap();
                assert_eq!(*calls.lock().unwrap(), [Status::OK]);
                let port = event_loop.dispatcher().port_handle();
                assert_eq!(zx_port_cancel_key(port, 0, key), ZX_ERR_NOT_FOUND);
                format!("{}: reused key fired once", race.order())
            };
            assert_nothing_leaked(&kernel);
            label
        },
    );
}

/// G3 on a synchronized loop: a handler cancels another wait whose packet a second loop
/// thread may already have taken. Every dispatch looks its key up under the serial lock, so the
/// cancel answers OK and the other handler never runs — wherever the packet was. Two threads
/// serve the loop (the main thread in `run`, one loop thread) until the handler quits it.
#[test]
fn synchronized_cancel_from_handler_wins() {
    check(
        "synchronized_cancel_from_handler_wins",
        &["cancel OK from the handler: the other never ran"],
        || {
            let (kernel, process) = kernel(Profile::Rfc0240);
            let _bound = process.bind();
            {
                let first = zx::Event::create();
                let second = Arc::new(zx::Event::create());
                let event_loop = Loop::new(LoopConfig::synchronized()).unwrap();
                let (victim, victim_calls) = recording_wait(&event_loop, &*second);
                victim.begin().unwrap();
                let answers = Arc::new(Mutex::new(Vec::new()));
                let canceller = {
                    let (victim, second, answers) =
                        (victim.clone(), second.clone(), answers.clone());
                    Wait::new(
                        event_loop.dispatcher(),
                        &first,
                        zx::Signals::USER_0,
                        zx::WaitAsyncOpts::empty(),
                        move |dispatcher, _, status, _| {
                            if status == Status::OK {
                                // The victim's packet is queued now; the other thread may take it.
                                signal(&second);
                                answers.lock().unwrap().push(victim.cancel());
                                dispatcher.quit();
                            }
                        },
                    )
                };
                canceller.begin().unwrap();
                event_loop.start_thread("worker").unwrap();
                signal(&first);
                // Serve the loop here too until the canceller quits it (on either thread).
                assert_eq!(
                    event_loop.run(zx::MonotonicInstant::INFINITE, false),
                    Err(Status::CANCELED)
                );
                event_loop.join_threads();
                event_loop.shutdown();
                assert_eq!(*answers.lock().unwrap(), [Ok(())]);
                assert!(
                    victim_calls.lock().unwrap().is_empty(),
                    "the cancelled handler ran"
                );
            }
            assert_nothing_leaked(&kernel);
            "cancel OK from the handler: the other never ran".into()
        },
    );
}
