//! Bindings models: `zxsim-bindings` teardown racing to-user calls — a reply arriving while a
//! `Client` is dropped (`then` and `then_exactly_once`), a `SharedClient`'s teardown against a
//! reply on another worker, a server's `unbind` against an in-flight method handler, and an
//! async completer's reply from another thread against teardown.
//!
//! The bindings' lock and the dispatcher's locks, condvars, atomics and threads come from the
//! kernel's sync shim, so loom sees all of their synchronisation. Each model asserts the rule of
//! seed 001 it checks — no to-user call after teardown completed, and a "destroyed" flag set by
//! the teardown observer (or unbound handler, or after `Client`'s drop returned) is never read
//! by a callback — and, at bound ≥ 2, the exact set of outcome classes explored. 2–3 threads;
//! bound `LOOM_MAX_PREEMPTIONS` (default 2). Calls are recorded in plain `std` types outside
//! loom's view (see `Race` in the crate's helpers for why that observes the real order).
#![cfg(zxsim_loom)]

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, Mutex};

use zxsim_async::{Loop, LoopConfig};
use zxsim_bindings::echo::{Echo, EchoCalls, EchoServer, EchoString};
use zxsim_bindings::wire::{self, Header};
use zxsim_bindings::{
    bind_server, create_endpoints, observe_teardown, AsyncCompleter, Client, Completer, Method,
    NoEventHandler, Reason, SharedClient, UnbindInfo,
};
use zxsim_kernel::Profile;
use zxsim_loom_tests::{assert_nothing_leaked, check, kernel};
use zxsim_syscalls::zx::{self, Status};

const ORDINAL: u64 = <EchoString as Method>::ORDINAL;

/// Reads one request off a raw server end: its txid.
fn read_request(server: &zx::Channel) -> u32 {
    let mut buf = zx::MessageBuf::new();
    server.read(&mut buf).unwrap();
    Header::decode(buf.bytes()).unwrap().0.txid
}

/// Writes an Echo reply (or request) on a raw channel end: `PEER_CLOSED` once the binding on
/// the other end tore down and closed it.
fn write_message(channel: &zx::Channel, txid: u32, text: &str) -> Result<(), Status> {
    let mut message = Vec::new();
    wire::encode_message(&mut message, Header::new(txid, ORDINAL), &text.to_string());
    channel.write(&message, &mut Vec::new())
}

/// A reply arriving (written by the server on the main thread) while the client's dispatcher
/// drops the `Client` in a task, on a synchronized loop served by two threads: the reply's
/// handler may be dispatched first, be cancelled (its packet still queued), or have its packet
/// taken by the other loop thread, which then waits on the loop's serial lock while the drop
/// completes teardown. With `then`, the callback runs with the reply or never; with
/// `then_exactly_once`, exactly once, with the reply or `CANCELED`. Either way nothing is
/// called after the drop returned.
fn client_drop_vs_reply(exactly_once: bool) -> String {
    let (kernel, process) = kernel(Profile::Rfc0240);
    let _bound = process.bind();
    let label = {
        let event_loop = Loop::new(LoopConfig::synchronized()).unwrap();
        let (client_end, server_end) = create_endpoints::<Echo>();
        let server = server_end.into_channel();
        let calls = Arc::new(Mutex::new(Vec::<Result<String, Status>>::new()));
        let destroyed = Arc::new(AtomicBool::new(false));
        let slot: Arc<Mutex<Option<Client<Echo>>>> = Arc::default();
        {
            let (slot, calls, destroyed) = (slot.clone(), calls.clone(), destroyed.clone());
            event_loop
                .dispatcher()
                .post_task(move |dispatcher, _| {
                    let client = Client::bind(client_end, dispatcher, NoEventHandler).unwrap();
                    let callback = move |result| {
                        assert!(!destroyed.load(SeqCst), "callback after the drop returned");
                        loom::thread::yield_now();
                        assert!(
                            !destroyed.load(SeqCst),
                            "the drop returned during a callback"
                        );
                        calls.lock().unwrap().push(result);
                    };
                    let call = client.echo_string("hi".into());
                    if exactly_once {
                        call.then_exactly_once(callback);
                    } else {
                        call.then(callback);
                    }
                    *slot.lock().unwrap() = Some(client);
                })
                .unwrap();
        }
        event_loop.run_until_idle().unwrap();
        let txid = read_request(&server);
        event_loop.start_thread("worker-0").unwrap();
        event_loop.start_thread("worker-1").unwrap();
        {
            let (slot, destroyed) = (slot.clone(), destroyed.clone());
            event_loop
                .dispatcher()
                .post_task(move |_, _| {
                    let client = slot.lock().unwrap().take();
                    drop(client);
                    destroyed.store(true, SeqCst);
                })
                .unwrap();
        }
        // The drop may already have closed the client end.
        let written = write_message(&server, txid, "hi");
        assert!(matches!(written, Ok(()) | Err(Status::PEER_CLOSED)));
        event_loop.shutdown();
        assert!(destroyed.load(SeqCst));
        let calls = calls.lock().unwrap().clone();
        match (exactly_once, calls.as_slice()) {
            (_, [Ok(reply)]) => {
                assert_eq!(reply, "hi");
                "reply delivered before the drop"
            }
            (false, []) => "callback dropped uncalled",
            (true, [Err(Status::CANCELED)]) => "callback CANCELED by the drop",
            (_, other) => panic!("callback calls {other:?}"),
        }
    };
    assert_nothing_leaked(&kernel);
    label.into()
}

#[test]
fn bindings_client_drop_vs_reply_then() {
    check(
        "bindings_client_drop_vs_reply_then",
        &[
            "callback dropped uncalled",
            "reply delivered before the drop",
        ],
        || client_drop_vs_reply(false),
    );
}

#[test]
fn bindings_client_drop_vs_reply_then_exactly_once() {
    check(
        "bindings_client_drop_vs_reply_then_exactly_once",
        &[
            "callback CANCELED by the drop",
            "reply delivered before the drop",
        ],
        || client_drop_vs_reply(true),
    );
}

/// `SharedClient::async_teardown` on the main thread while a reply is dispatched on one worker
/// of a concurrent 2-thread loop and the teardown task runs on the other. The
/// `then_exactly_once` callback runs exactly once (reply or `CANCELED`), the observer exactly
/// once and after it; the observer's "destroyed" flag is never seen by the callback. Under
/// `zircon` the same, with waits cancelled by handle.
fn shared_client_teardown_vs_reply(profile: Profile) -> String {
    let (kernel, process) = kernel(profile);
    let _bound = process.bind();
    let label = {
        let event_loop = Loop::new(LoopConfig::default()).unwrap();
        let (client_end, server_end) = create_endpoints::<Echo>();
        let server = server_end.into_channel();
        let destroyed = Arc::new(AtomicBool::new(false));
        let observed = Arc::new(AtomicUsize::new(0));
        let calls = Arc::new(Mutex::new(Vec::<Result<String, Status>>::new()));
        let observer = {
            let (destroyed, observed) = (destroyed.clone(), observed.clone());
            observe_teardown(move || {
                destroyed.store(true, SeqCst);
                observed.fetch_add(1, SeqCst);
            })
        };
        let client = SharedClient::bind_with_observer(
            client_end,
            event_loop.dispatcher(),
            NoEventHandler,
            observer,
        )
        .unwrap();
        {
            let (calls, destroyed) = (calls.clone(), destroyed.clone());
            client
                .echo_string("hi".into())
                .then_exactly_once(move |result| {
                    assert!(!destroyed.load(SeqCst), "callback after teardown completed");
                    loom::thread::yield_now();
                    assert!(
                        !destroyed.load(SeqCst),
                        "teardown completed during a callback"
                    );
                    calls.lock().unwrap().push(result);
                });
        }
        let txid = read_request(&server);
        event_loop.start_thread("worker-0").unwrap();
        event_loop.start_thread("worker-1").unwrap();
        write_message(&server, txid, "hi").unwrap();
        client.async_teardown();
        drop(client);
        event_loop.shutdown();
        assert_eq!(observed.load(SeqCst), 1, "observer exactly once");
        let calls = calls.lock().unwrap().clone();
        match calls.as_slice() {
            [Ok(_)] => "reply, then observer",
            [Err(Status::CANCELED)] => "CANCELED, then observer",
            other => panic!("callback calls {other:?}"),
        }
    };
    assert_nothing_leaked(&kernel);
    label.into()
}

#[test]
fn bindings_shared_client_teardown_vs_reply_rfc0240() {
    check(
        "bindings_shared_client_teardown_vs_reply_rfc0240",
        &["CANCELED, then observer", "reply, then observer"],
        || shared_client_teardown_vs_reply(Profile::Rfc0240),
    );
}

#[test]
fn bindings_shared_client_teardown_vs_reply_zircon() {
    check(
        "bindings_shared_client_teardown_vs_reply_zircon",
        &["CANCELED, then observer", "reply, then observer"],
        || shared_client_teardown_vs_reply(Profile::Zircon),
    );
}

/// A server that records its calls and asserts none comes after the unbound handler.
struct Recorder {
    in_handler: Arc<AtomicBool>,
    destroyed: Arc<AtomicBool>,
    handled: Arc<AtomicUsize>,
}

impl EchoServer for Recorder {
    fn echo_string(&mut self, request: String, completer: Completer<EchoString>) {
        assert!(!self.destroyed.load(SeqCst), "method call after unbound");
        self.in_handler.store(true, SeqCst);
        self.handled.fetch_add(1, SeqCst);
        // A slow handler: another thread may run here (a yield costs no preemption).
        loom::thread::yield_now();
        completer.reply(request);
        self.in_handler.store(false, SeqCst);
    }
}

/// `unbind()` on the main thread while a request is dispatched on a worker of a concurrent
/// 2-thread loop (the teardown task may run on the other). The unbound handler runs exactly
/// once, never while the method handler is in flight, and no method runs after it; it gets the
/// endpoint back.
#[test]
fn bindings_server_unbind_vs_in_flight_handler() {
    check(
        "bindings_server_unbind_vs_in_flight_handler",
        &["handled, then unbound", "unbound before the request"],
        || {
            let (kernel, process) = kernel(Profile::Rfc0240);
            let _bound = process.bind();
            let label = {
                let event_loop = Loop::new(LoopConfig::default()).unwrap();
                let (client_end, server_end) = create_endpoints::<Echo>();
                let in_handler = Arc::new(AtomicBool::new(false));
                let destroyed = Arc::new(AtomicBool::new(false));
                let handled = Arc::new(AtomicUsize::new(0));
                let unbound = Arc::new(AtomicUsize::new(0));
                let binding = {
                    let (in_handler, destroyed, unbound) =
                        (in_handler.clone(), destroyed.clone(), unbound.clone());
                    bind_server(
                        event_loop.dispatcher(),
                        server_end,
                        Recorder {
                            in_handler: in_handler.clone(),
                            destroyed: destroyed.clone(),
                            handled: handled.clone(),
                        },
                        move |_, info: UnbindInfo, end| {
                            assert!(!in_handler.load(SeqCst), "unbound during a handler");
                            assert_eq!(info.reason(), Reason::Unbind);
                            assert!(end.is_some());
                            destroyed.store(true, SeqCst);
                            unbound.fetch_add(1, SeqCst);
                        },
                    )
                    .unwrap()
                };
                event_loop.start_thread("worker-0").unwrap();
                event_loop.start_thread("worker-1").unwrap();
                write_message(client_end.channel(), 1, "hi").unwrap();
                binding.unbind();
                event_loop.shutdown();
                assert_eq!(unbound.load(SeqCst), 1, "unbound exactly once");
                match handled.load(SeqCst) {
                    1 => "handled, then unbound",
                    0 => "unbound before the request",
                    n => panic!("handled {n} times"),
                }
            };
            assert_nothing_leaked(&kernel);
            label.into()
        },
    );
}

/// A server that hands its completer out, to reply from another thread.
struct Deferring(Arc<Mutex<Option<AsyncCompleter<EchoString>>>>);

impl EchoServer for Deferring {
    fn echo_string(&mut self, _request: String, completer: Completer<EchoString>) {
        *self.0.lock().unwrap() = Some(completer.to_async());
    }
}

/// An async completer replying from a spawned thread while the main thread unbinds (the
/// teardown task runs on the loop thread). The reply is sent only if it came before teardown
/// began; after, it is discarded silently — and the unbound handler runs exactly once.
#[test]
fn bindings_completer_reply_vs_teardown() {
    check(
        "bindings_completer_reply_vs_teardown",
        &[
            "reply discarded after teardown",
            "reply sent before teardown",
        ],
        || {
            let (kernel, process) = kernel(Profile::Rfc0240);
            let _bound = process.bind();
            let label = {
                let event_loop = Loop::new(LoopConfig::default()).unwrap();
                let (client_end, server_end) = create_endpoints::<Echo>();
                let slot = Arc::new(Mutex::new(None));
                let unbound = Arc::new(AtomicUsize::new(0));
                let binding = {
                    let unbound = unbound.clone();
                    bind_server(
                        event_loop.dispatcher(),
                        server_end,
                        Deferring(slot.clone()),
                        move |_, _, _| {
                            unbound.fetch_add(1, SeqCst);
                        },
                    )
                    .unwrap()
                };
                write_message(client_end.channel(), 1, "hi").unwrap();
                event_loop.run_until_idle().unwrap();
                let completer = slot.lock().unwrap().take().expect("handler ran");
                event_loop.start_thread("worker").unwrap();
                let replier = process.spawn(move || completer.reply("late".into()));
                binding.unbind();
                replier.join().unwrap();
                event_loop.shutdown();
                assert_eq!(unbound.load(SeqCst), 1);
                let mut buf = zx::MessageBuf::new();
                match client_end.channel().read(&mut buf) {
                    Ok(()) => {
                        let (header, body) = Header::decode(buf.bytes()).unwrap();
                        assert_eq!(header.txid, 1);
                        assert_eq!(wire::decode_body::<String>(body).unwrap(), "late");
                        "reply sent before teardown"
                    }
                    Err(Status::SHOULD_WAIT) | Err(Status::PEER_CLOSED) => {
                        "reply discarded after teardown"
                    }
                    Err(other) => panic!("read answered {other:?}"),
                }
            };
            assert_nothing_leaked(&kernel);
            label.into()
        },
    );
}
