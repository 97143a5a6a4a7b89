//! Conformance cases for the `zxsim-async` dispatcher (`Loop`), organised by the guarantees of
//! `../shared/spec/dispatcher.md` §2 (G1–G5) plus the RFC-0240 differences of §3. The clauses
//! cite that spec; async-loop's own behaviour (`sdk/lib/async-loop/loop.c`, spec §1) decides
//! where it is silent. Every case runs in the harness's fresh kernel (virtual clock), under
//! both profiles.

use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, Mutex};

use crate::harness::{Case, Ctx};
use crate::support::await_condition;
use zxsim_async::{Loop, LoopConfig, LoopState, Receiver, Wait};
use zxsim_syscalls::sys::*;
use zxsim_syscalls::zx::{self, AsHandleRef, HandleBased, Status};

pub fn cases() -> Vec<Case> {
    [
        g1::cases(),
        g2::cases(),
        g3::cases(),
        g4::cases(),
        g5::cases(),
        rfc0240::cases(),
    ]
    .into_iter()
    .flatten()
    .collect()
}

type Calls = Arc<Mutex<Vec<Status>>>;

fn new_loop() -> Loop {
    Loop::new(LoopConfig::default()).expect("a loop")
}

/// A wait for USER_0 on `object` that records each call's status.
fn recording_wait(event_loop: &Loop, object: &impl AsHandleRef) -> (Wait, Calls) {
    let calls: Calls = Arc::default();
    let record = calls.clone();
    let wait = Wait::new(
        event_loop.dispatcher(),
        object,
        zx::Signals::USER_0,
        zx::WaitAsyncOpts::empty(),
        move |_, _, status, packet| {
            assert_eq!(packet.is_some(), status == Status::OK, "a packet iff OK");
            record.lock().unwrap().push(status);
        },
    );
    (wait, calls)
}

fn calls(calls: &Calls) -> Vec<Status> {
    calls.lock().unwrap().clone()
}

fn signal(object: &impl AsHandleRef) {
    object
        .signal_handle(zx::Signals::NONE, zx::Signals::USER_0)
        .unwrap();
}

fn advance(ctx: &Ctx, nanos: i64) {
    ctx.kernel.advance_clock(nanos);
}

mod g1 {
    use super::*;

    cases![
        "dispatcher G1 exactly once";
        (signalled_wait_runs_once, "§2 G1: a begun wait whose signal arrives gets one call with OK and its packet", Both),
        (pending_wait_canceled_once_at_shutdown, "§2 G1/§1 shutdown (3): a wait still pending at shutdown gets one call with CANCELED and no packet", Both),
        (task_runs_once, "§2 G1: a posted task runs once when due (OK), or once with CANCELED at shutdown", Both),
        (rebegin_from_handler, "§2 G1: a handler may begin its wait again; each begin gets its own single call", Both),
    ];

    fn signalled_wait_runs_once(ctx: &mut Ctx) {
        {
            let event_loop = new_loop();
            let event = zx::Event::create();
            let (wait, record) = recording_wait(&event_loop, &event);
            wait.begin().unwrap();
            signal(&event);
            event_loop.run_until_idle().unwrap();
            event_loop.run_until_idle().unwrap();
            event_loop.shutdown();
            assert_eq!(calls(&record), [Status::OK]);
        }
        ctx.assert_clean();
    }

    fn pending_wait_canceled_once_at_shutdown(ctx: &mut Ctx) {
        {
            let event_loop = new_loop();
            let event = zx::Event::create();
            let (wait, record) = recording_wait(&event_loop, &event);
            wait.begin().unwrap();
            drop(wait);
            drop(event_loop);
            assert_eq!(calls(&record), [Status::CANCELED]);
        }
        ctx.assert_clean();
    }

    fn task_runs_once(ctx: &mut Ctx) {
        {
            let event_loop = new_loop();
            let statuses = Arc::new(Mutex::new(Vec::new()));
            for deadline in [10, 1_000] {
                let record = statuses.clone();
                event_loop
                    .dispatcher()
                    .post_delayed_task(zx::MonotonicInstant::from_nanos(deadline), move |_, s| {
                        record.lock().unwrap().push((deadline, s))
                    })
                    .unwrap();
            }
            advance(ctx, 10);
            event_loop.run_until_idle().unwrap();
            event_loop.run_until_idle().unwrap();
            event_loop.shutdown();
            assert_eq!(
                *statuses.lock().unwrap(),
                [(10, Status::OK), (1_000, Status::CANCELED)]
            );
        }
        ctx.assert_clean();
    }

    fn rebegin_from_handler(ctx: &mut Ctx) {
        {
            let event_loop = new_loop();
            let event = zx::Event::create();
            let count = Arc::new(AtomicUsize::new(0));
            let counter = count.clone();
            let wait = Wait::new(
                event_loop.dispatcher(),
                &event,
                zx::Signals::USER_0,
                zx::WaitAsyncOpts::empty(),
                move |_, wait, status, _| {
                    if status == Status::OK && counter.fetch_add(1, SeqCst) < 2 {
                        wait.begin().unwrap();
                    }
                },
            );
            wait.begin().unwrap();
            signal(&event); // level-triggered: each begin fires at once
            event_loop.run_until_idle().unwrap();
            assert_eq!(count.load(SeqCst), 3);
            assert!(!wait.is_pending());
        }
        ctx.assert_clean();
    }
}

mod g2 {
    use super::*;

    cases![
        "dispatcher G2 cancel OK means never";
        (cancel_pending_wait, "§2 G2: cancel of a pending wait answers OK; the handler never runs, even after the signal", Both),
        (cancel_after_packet_queued, "§2 G2/§3: cancel after the packet was queued but not dispatched answers OK and removes the packet", Both),
        (cancel_releases_handler, "§2 G2: after cancel OK the dispatcher holds nothing of the wait: dropping the last Wait drops the handler", Both),
        (cancel_task_ok, "§2 G2: cancel_task of a pending task answers OK and it never runs", Both),
    ];

    fn cancel_pending_wait(ctx: &mut Ctx) {
        {
            let event_loop = new_loop();
            let event = zx::Event::create();
            let (wait, record) = recording_wait(&event_loop, &event);
            wait.begin().unwrap();
            assert_eq!(wait.cancel(), Ok(()));
            signal(&event);
            event_loop.run_until_idle().unwrap();
            event_loop.shutdown();
            assert!(calls(&record).is_empty());
        }
        ctx.assert_clean();
    }

    fn cancel_after_packet_queued(ctx: &mut Ctx) {
        {
            let event_loop = new_loop();
            let event = zx::Event::create();
            let (wait, record) = recording_wait(&event_loop, &event);
            wait.begin().unwrap();
            signal(&event);
            assert_eq!(wait.cancel(), Ok(()));
            event_loop.run_until_idle().unwrap();
            assert!(calls(&record).is_empty());
        }
        ctx.assert_clean();
    }

    fn cancel_releases_handler(ctx: &mut Ctx) {
        {
            let event_loop = new_loop();
            let event = zx::Event::create();
            let (wait, record) = recording_wait(&event_loop, &event);
            wait.begin().unwrap();
            wait.cancel().unwrap();
            let before = Arc::strong_count(&record);
            drop(wait);
            assert_eq!(Arc::strong_count(&record), before - 1);
        }
        ctx.assert_clean();
    }

    fn cancel_task_ok(ctx: &mut Ctx) {
        {
            let event_loop = new_loop();
            let ran = Arc::new(AtomicUsize::new(0));
            let counter = ran.clone();
            let task = event_loop
                .dispatcher()
                .post_task(move |_, _| {
                    counter.fetch_add(1, SeqCst);
                })
                .unwrap();
            assert_eq!(event_loop.dispatcher().cancel_task(&task), Ok(()));
            event_loop.run_until_idle().unwrap();
            event_loop.shutdown();
            assert_eq!(ran.load(SeqCst), 0);
        }
        ctx.assert_clean();
    }
}

mod g3 {
    use super::*;

    cases![
        "dispatcher G3 cancel NOT_FOUND means maybe running";
        (cancel_from_own_handler_not_found, "§2 G3/§1: cancel of a wait whose handler is running (here: from inside it) answers NOT_FOUND", Both),
        (cancel_not_begun_not_found, "§1: cancel of a wait that is not pending answers NOT_FOUND", Both),
        (handler_owns_its_captures, "§2 G3: a handler that may still run after NOT_FOUND owns what it uses: the user's Wait can be dropped first", Both),
        (synchronized_loop_serialises_handlers, "§2 G3: on a synchronized dispatcher handlers never overlap, whatever the number of threads", Both),
    ];

    fn cancel_from_own_handler_not_found(ctx: &mut Ctx) {
        {
            let event_loop = new_loop();
            let event = zx::Event::create();
            let answers = Arc::new(Mutex::new(Vec::new()));
            let record = answers.clone();
            let wait = Wait::new(
                event_loop.dispatcher(),
                &event,
                zx::Signals::USER_0,
                zx::WaitAsyncOpts::empty(),
                move |_, wait, _, _| record.lock().unwrap().push(wait.cancel()),
            );
            wait.begin().unwrap();
            signal(&event);
            event_loop.run_until_idle().unwrap();
            assert_eq!(*answers.lock().unwrap(), [Err(Status::NOT_FOUND)]);
        }
        ctx.assert_clean();
    }

    fn cancel_not_begun_not_found(ctx: &mut Ctx) {
        {
            let event_loop = new_loop();
            let event = zx::Event::create();
            let (wait, _) = recording_wait(&event_loop, &event);
            assert_eq!(wait.cancel(), Err(Status::NOT_FOUND));
            wait.begin().unwrap();
            signal(&event);
            event_loop.run_until_idle().unwrap();
            assert_eq!(wait.cancel(), Err(Status::NOT_FOUND));
        }
        ctx.assert_clean();
    }

    fn handler_owns_its_captures(ctx: &mut Ctx) {
        {
            let event_loop = new_loop();
            let event = zx::Event::create();
            let (wait, record) = recording_wait(&event_loop, &event);
            wait.begin().unwrap();
            signal(&event);
            drop(wait); // the user's handle goes; the pending wait keeps the handler alive
            event_loop.run_until_idle().unwrap();
            assert_eq!(calls(&record), [Status::OK]);
            assert_eq!(
                Arc::strong_count(&record),
                1,
                "the handler was dropped after its call"
            );
        }
        ctx.assert_clean();
    }

    fn synchronized_loop_serialises_handlers(ctx: &mut Ctx) {
        {
            let event_loop = Loop::new(LoopConfig::synchronized()).unwrap();
            let (inside, overlaps, done) = (
                Arc::new(AtomicUsize::new(0)),
                Arc::new(AtomicUsize::new(0)),
                Arc::new(AtomicUsize::new(0)),
            );
            let events: Vec<zx::Event> = (0..6).map(|_| zx::Event::create()).collect();
            let waits: Vec<Wait> = events
                .iter()
                .map(|event| {
                    let (inside, overlaps, done) = (inside.clone(), overlaps.clone(), done.clone());
                    let wait = Wait::new(
                        event_loop.dispatcher(),
                        event,
                        zx::Signals::USER_0,
                        zx::WaitAsyncOpts::empty(),
                        move |_, _, _, _| {
                            if inside.fetch_add(1, SeqCst) > 0 {
                                overlaps.fetch_add(1, SeqCst);
                            }
                            std::thread::yield_now();
                            inside.fetch_sub(1, SeqCst);
                            done.fetch_add(1, SeqCst);
                        },
                    );
                    wait.begin().unwrap();
                    wait
                })
                .collect();
            event_loop.start_thread("a").unwrap();
            event_loop.start_thread("b").unwrap();
            events.iter().for_each(signal);
            await_condition("every handler to finish", || {
                done.load(SeqCst) == waits.len()
            });
            event_loop.shutdown();
            assert_eq!(overlaps.load(SeqCst), 0);
        }
        ctx.assert_clean();
    }
}

mod g4 {
    use super::*;

    cases![
        "dispatcher G4 shutdown";
        (new_operations_bad_state, "§2 G4/§1 shutdown (1): after shutdown begin, post_task, receivers, run and start_thread answer BAD_STATE", Both),
        (threads_joined_before_canceled_handlers, "§1 shutdown (2)-(3): loop threads leave run before the CANCELED calls; waits before tasks", Both),
        (port_closed_after_shutdown, "§1 shutdown (4): the port and timer are closed when shutdown returns: nothing is left in the kernel", Both),
        (shutdown_async_on_complete_once, "§2 G4: shutdown_async from a handler returns at once; on_complete runs exactly once, after the last handler", Both),
    ];

    fn new_operations_bad_state(ctx: &mut Ctx) {
        {
            let event_loop = new_loop();
            let event = zx::Event::create();
            let (wait, _) = recording_wait(&event_loop, &event);
            let dispatcher = event_loop.dispatcher().clone();
            event_loop.shutdown();
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
        }
        ctx.assert_clean();
    }

    fn threads_joined_before_canceled_handlers(ctx: &mut Ctx) {
        {
            let event_loop = new_loop();
            let log = Arc::new(Mutex::new(Vec::new()));
            let event = zx::Event::create();
            let wait = {
                let log = log.clone();
                Wait::new(
                    event_loop.dispatcher(),
                    &event,
                    zx::Signals::USER_0,
                    zx::WaitAsyncOpts::empty(),
                    move |dispatcher, _, status, _| {
                        assert_eq!(dispatcher.state(), LoopState::Shutdown);
                        log.lock().unwrap().push(("wait", status));
                    },
                )
            };
            wait.begin().unwrap();
            let log2 = log.clone();
            event_loop
                .dispatcher()
                .post_delayed_task(zx::MonotonicInstant::from_nanos(50), move |_, status| {
                    log2.lock().unwrap().push(("task", status))
                })
                .unwrap();
            event_loop.start_thread("a").unwrap();
            event_loop.start_thread("b").unwrap();
            event_loop.shutdown();
            assert_eq!(
                *log.lock().unwrap(),
                [("wait", Status::CANCELED), ("task", Status::CANCELED)]
            );
        }
        ctx.assert_clean();
    }

    fn port_closed_after_shutdown(ctx: &mut Ctx) {
        let event_loop = new_loop();
        let port = event_loop.dispatcher().port_handle();
        assert_eq!(ctx.kernel.live_handles(), 2, "the port and the timer");
        event_loop.shutdown();
        let mut packet = zx_port_packet_t::default();
        assert_eq!(zx_port_wait(port, 0, &mut packet), ZX_ERR_BAD_HANDLE);
        ctx.assert_clean();
        drop(event_loop);
    }

    fn shutdown_async_on_complete_once(ctx: &mut Ctx) {
        {
            let event_loop = new_loop();
            let order = Arc::new(Mutex::new(Vec::new()));
            let order2 = order.clone();
            event_loop
                .dispatcher()
                .post_task(move |dispatcher, _| {
                    let order3 = order2.clone();
                    dispatcher.shutdown_async(move || order3.lock().unwrap().push("on_complete"));
                    order2.lock().unwrap().push("handler returned");
                })
                .unwrap();
            assert_eq!(event_loop.run_until_idle(), Err(Status::BAD_STATE));
            assert_eq!(*order.lock().unwrap(), ["handler returned", "on_complete"]);
            event_loop.shutdown();
            assert_eq!(order.lock().unwrap().len(), 2);
        }
        ctx.assert_clean();
    }
}

mod g5 {
    use super::*;

    cases![
        "dispatcher G5 no nesting";
        (begin_never_calls_inline, "§2 G5: begin on an already-signalled object queues the packet; the handler runs only inside run", Both),
        (post_task_never_calls_inline, "§2 G5: post_task never calls its handler inline, even when already due", Both),
        (handlers_see_their_dispatcher, "§2 G5: handlers run on a dispatcher thread: Dispatcher::current() is their loop there, None outside", Both),
        (run_from_handler_refused, "§2 G5: a handler that runs its own loop would nest handlers: run answers BAD_STATE", Both),
    ];

    fn run_from_handler_refused(ctx: &mut Ctx) {
        {
            let event_loop = Arc::new(new_loop());
            let answer = Arc::new(Mutex::new(None));
            let (inner, record) = (event_loop.clone(), answer.clone());
            event_loop
                .dispatcher()
                .post_task(move |_, _| *record.lock().unwrap() = Some(inner.run_until_idle()))
                .unwrap();
            event_loop.run_until_idle().unwrap();
            assert_eq!(*answer.lock().unwrap(), Some(Err(Status::BAD_STATE)));
        }
        ctx.assert_clean();
    }

    fn begin_never_calls_inline(ctx: &mut Ctx) {
        {
            let event_loop = new_loop();
            let event = zx::Event::create();
            signal(&event);
            let (wait, record) = recording_wait(&event_loop, &event);
            wait.begin().unwrap();
            assert!(calls(&record).is_empty());
            event_loop.run_until_idle().unwrap();
            assert_eq!(calls(&record), [Status::OK]);
        }
        ctx.assert_clean();
    }

    fn post_task_never_calls_inline(ctx: &mut Ctx) {
        {
            let event_loop = new_loop();
            let ran = Arc::new(AtomicUsize::new(0));
            let counter = ran.clone();
            event_loop
                .dispatcher()
                .post_task(move |_, _| {
                    counter.fetch_add(1, SeqCst);
                })
                .unwrap();
            assert_eq!(ran.load(SeqCst), 0);
            event_loop.run_until_idle().unwrap();
            assert_eq!(ran.load(SeqCst), 1);
        }
        ctx.assert_clean();
    }

    fn handlers_see_their_dispatcher(ctx: &mut Ctx) {
        {
            let event_loop = new_loop();
            assert!(zxsim_async::Dispatcher::current().is_none());
            let seen = Arc::new(AtomicUsize::new(0));
            let counter = seen.clone();
            event_loop
                .dispatcher()
                .post_task(move |dispatcher, _| {
                    assert!(dispatcher.is_current());
                    let current = zxsim_async::Dispatcher::current().expect("inside a handler");
                    assert_eq!(current.port_handle(), dispatcher.port_handle());
                    counter.fetch_add(1, SeqCst);
                })
                .unwrap();
            event_loop.run_until_idle().unwrap();
            assert_eq!(seen.load(SeqCst), 1);
            assert!(!event_loop.dispatcher().is_current());
        }
        ctx.assert_clean();
    }
}

mod rfc0240 {
    use super::*;

    cases![
        "dispatcher RFC-0240";
        (wait_survives_closing_a_duplicate, "§3: closing the registering handle while another exists does not end the wait (waits are on objects)", Rfc0240Only),
        (cancel_by_key_after_handle_closed, "§3: the loop cancels by key (zx_port_cancel_key): cancel works after the registering handle closed", Rfc0240Only),
        (close_before_cancel_orphans_wait, "§3/§1: under zircon the wait is bound to its handle: closing it ends the kernel wait and cancel answers BAD_HANDLE — cancel before closing", ZirconOnly),
        (keys_unique_nonzero_shared_counter, "§3: keys come from one counter: unique per operation, never 0, waits/tasks/receivers never collide", Both),
        (key_reused_only_after_cancel_ok, "§3: after a cancel that answered OK the wait's key may be reused; after a dispatch it is not", Both),
        (unknown_key_packet_dropped, "§3: a packet whose key is no longer registered is dropped harmlessly", Both),
    ];

    /// Begins a wait through a duplicate of `event`, then closes the duplicate.
    fn wait_through_closed_duplicate(event_loop: &Loop, event: &zx::Event) -> (Wait, Calls) {
        let duplicate = event.duplicate_handle(zx::Rights::SAME_RIGHTS).unwrap();
        let (wait, record) = recording_wait(event_loop, &duplicate);
        wait.begin().unwrap();
        drop(duplicate);
        (wait, record)
    }

    fn wait_survives_closing_a_duplicate(ctx: &mut Ctx) {
        {
            let event_loop = new_loop();
            let event = zx::Event::create();
            let (_wait, record) = wait_through_closed_duplicate(&event_loop, &event);
            signal(&event);
            event_loop.run_until_idle().unwrap();
            rule_eq!(
                calls(&record),
                [Status::OK],
                "the wait is on the object, not the handle"
            );
        }
        ctx.assert_clean();
    }

    fn cancel_by_key_after_handle_closed(ctx: &mut Ctx) {
        {
            let event_loop = new_loop();
            let event = zx::Event::create();
            let (wait, record) = wait_through_closed_duplicate(&event_loop, &event);
            rule_eq!(wait.cancel(), Ok(()), "cancel by key needs no handle");
            signal(&event);
            event_loop.shutdown();
            assert!(calls(&record).is_empty());
        }
        ctx.assert_clean();
    }

    fn close_before_cancel_orphans_wait(ctx: &mut Ctx) {
        {
            let event_loop = new_loop();
            let event = zx::Event::create();
            let (wait, record) = wait_through_closed_duplicate(&event_loop, &event);
            rule_eq!(
                wait.cancel(),
                Err(Status::BAD_HANDLE),
                "the kernel wait ended with its handle"
            );
            signal(&event);
            event_loop.run_until_idle().unwrap();
            assert!(
                calls(&record).is_empty(),
                "the kernel wait ended with the handle"
            );
            event_loop.shutdown();
            assert_eq!(
                calls(&record),
                [Status::CANCELED],
                "G1 still holds at shutdown"
            );
        }
        ctx.assert_clean();
    }

    fn keys_unique_nonzero_shared_counter(ctx: &mut Ctx) {
        {
            let event_loop = new_loop();
            let dispatcher = event_loop.dispatcher();
            let mut keys = Vec::new();
            let events: Vec<zx::Event> = (0..4).map(|_| zx::Event::create()).collect();
            let mut waits = Vec::new();
            let mut receivers = Vec::new();
            for event in &events {
                let (wait, _) = recording_wait(&event_loop, event);
                wait.begin().unwrap();
                keys.push(wait.key());
                waits.push(wait);
                let receiver = Receiver::new(dispatcher, |_, _, _| {}).unwrap();
                keys.push(receiver.key());
                receivers.push(receiver);
                keys.push(dispatcher.post_task(|_, _| {}).unwrap().key());
            }
            let count = keys.len();
            keys.sort();
            keys.dedup();
            assert_eq!(keys.len(), count);
            assert!(!keys.contains(&0));
        }
        ctx.assert_clean();
    }

    fn key_reused_only_after_cancel_ok(ctx: &mut Ctx) {
        {
            let event_loop = new_loop();
            let event = zx::Event::create();
            let (wait, record) = recording_wait(&event_loop, &event);
            wait.begin().unwrap();
            let key = wait.key();
            signal(&event); // the packet is queued...
            wait.cancel().unwrap(); // ...and removed by the cancel
            wait.begin().unwrap();
            assert_eq!(wait.key(), key);
            event_loop.run_until_idle().unwrap();
            assert_eq!(calls(&record), [Status::OK], "one call, not two");
            wait.begin().unwrap();
            assert_ne!(wait.key(), key);
        }
        ctx.assert_clean();
    }

    fn unknown_key_packet_dropped(ctx: &mut Ctx) {
        {
            let event_loop = new_loop();
            let receiver = Receiver::new(event_loop.dispatcher(), |_, _, _| {
                panic!("a cancelled receiver was called")
            })
            .unwrap();
            let key = receiver.key();
            drop(receiver);
            let stray = zx_port_packet_t {
                key,
                ..Default::default()
            };
            assert_eq!(
                zx_port_queue(event_loop.dispatcher().port_handle(), &stray),
                ZX_OK
            );
            event_loop.run_until_idle().unwrap();
        }
        ctx.assert_clean();
    }
}
