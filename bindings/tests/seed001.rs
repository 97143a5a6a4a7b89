//! The scenarios of the FIDL C++ bindings threading guide (seed 001), one test each, named
//! after them, each under both semantics profiles in a fresh kernel on a virtual clock; plus
//! the rules around them (completers, epitaphs, errors, threading checks).
//!
//! Threads here are real: scenarios that race (a reply against teardown) assert what must hold
//! for every order and record which order happened; the loom models in
//! `loom-tests/tests/bindings.rs` explore every order.
#![allow(clippy::disallowed_types, clippy::disallowed_methods)]

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};

use zxsim_async::{Dispatcher, Loop, LoopConfig};
use zxsim_bindings::echo::{Echo, EchoCalls, EchoEventHandler, EchoServer, EchoString, OnString};
use zxsim_bindings::{
    bind_server, create_endpoints, observe_teardown, share_until_teardown, Client, Completer,
    NoEventHandler, Reason, ServerBindingRef, ServerEnd, SharedClient, UnbindInfo,
};
use zxsim_syscalls::kernel::{Config, Kernel, Profile};
use zxsim_syscalls::zx::{self, Status};

/// Runs `body` under both profiles, each in a fresh kernel (virtual clock) with a bound process,
/// and checks nothing leaked.
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

fn synchronized() -> Loop {
    Loop::new(LoopConfig::synchronized()).unwrap()
}

/// Runs `f` as a task of `event_loop` (a `Client` lives on its dispatcher) and returns its
/// result; the loop runs until idle on this thread.
fn in_task<T: Send + 'static>(
    event_loop: &Loop,
    f: impl FnOnce(&Dispatcher) -> T + Send + 'static,
) -> T {
    let slot = Arc::new(Mutex::new(None));
    let put = slot.clone();
    event_loop
        .dispatcher()
        .post_task(move |dispatcher, status| {
            assert_eq!(status, Status::OK);
            *put.lock().unwrap() = Some(f(dispatcher));
        })
        .unwrap();
    event_loop.run_until_idle().unwrap();
    let result = slot.lock().unwrap().take();
    result.expect("the task ran")
}

/// A log of to-user calls and teardown notifications, in order.
#[derive(Clone, Default)]
struct Log(Arc<Mutex<Vec<String>>>);

impl Log {
    fn push(&self, entry: impl Into<String>) {
        self.0.lock().unwrap().push(entry.into());
    }
    fn entries(&self) -> Vec<String> {
        self.0.lock().unwrap().clone()
    }
}

/// The Echo server of the examples: replies with the request.
struct EchoImpl {
    log: Log,
}

impl EchoServer for EchoImpl {
    fn echo_string(&mut self, request: String, completer: Completer<EchoString>) {
        self.log.push(format!("server: {request}"));
        completer.reply(request);
    }
}

/// Binds an `EchoImpl` on `dispatcher`, logging its unbound call.
fn echo_server(
    dispatcher: &Dispatcher,
    server_end: ServerEnd<Echo>,
    log: &Log,
) -> ServerBindingRef<Echo> {
    let unbound = log.clone();
    bind_server(
        dispatcher,
        server_end,
        EchoImpl { log: log.clone() },
        move |_, info: UnbindInfo, _| unbound.push(format!("server unbound: {:?}", info.reason())),
    )
    .unwrap()
}

/// Sets a flag when dropped: whether a callback was dropped (uncalled) by teardown.
struct DropFlag(Arc<AtomicBool>);
impl Drop for DropFlag {
    fn drop(&mut self) {
        self.0.store(true, SeqCst);
    }
}

// ---- Client: the MyDevice example ------------------------------------------------------------

/// The seed's `MyDevice`: owns a `Client` and passes callbacks that use its state.
struct MyDevice {
    client: Client<Echo>,
    /// What the callbacks use (they capture it): it dies with the device.
    _state: Arc<Mutex<Vec<String>>>,
}

/// MyDevice destroyed while a reply is in flight, with `then`: the callback never runs (it is
/// dropped, uncalled, by the time the drop returns) and nothing is called afterwards.
#[test]
fn my_device_destroyed_with_reply_in_flight_then() {
    my_device_destroyed_with_reply_in_flight(false);
}

/// The same with `then_exactly_once`: the callback runs exactly once, with `CANCELED`, before
/// the drop returns.
#[test]
fn my_device_destroyed_with_reply_in_flight_then_exactly_once() {
    my_device_destroyed_with_reply_in_flight(true);
}

fn my_device_destroyed_with_reply_in_flight(exactly_once: bool) {
    both(|_| {
        let client_loop = synchronized();
        let server_loop = synchronized();
        let log = Log::default();
        let (client_end, server_end) = create_endpoints::<Echo>();
        let _server = echo_server(server_loop.dispatcher(), server_end, &log);
        let device: Arc<Mutex<Option<MyDevice>>> = Arc::default();
        let dropped = Arc::new(AtomicBool::new(false));
        {
            let (device, log, dropped) = (device.clone(), log.clone(), dropped.clone());
            in_task(&client_loop, move |dispatcher| {
                let client = Client::bind(client_end, dispatcher, NoEventHandler).unwrap();
                let state = Arc::new(Mutex::new(Vec::new()));
                let (captured, flag) = (state.clone(), DropFlag(dropped));
                let callback = move |result: Result<String, Status>| {
                    let _flag = &flag;
                    log.push(format!("callback: {result:?}"));
                    captured.lock().unwrap().push("used".to_string());
                };
                let call = client.echo_string("hello".into());
                if exactly_once {
                    call.then_exactly_once(callback);
                } else {
                    call.then(callback);
                }
                *device.lock().unwrap() = Some(MyDevice {
                    client,
                    _state: state,
                });
            });
        }
        // The destruction is queued on the client loop before the reply arrives, so it runs
        // while the reply sits in the channel (its packet in the port).
        {
            let (device, log) = (device.clone(), log.clone());
            client_loop
                .dispatcher()
                .post_task(move |_, _| {
                    let my_device = device.lock().unwrap().take().unwrap();
                    assert!(my_device.client.is_bound());
                    drop(my_device);
                    log.push("MyDevice dropped");
                })
                .unwrap();
        }
        server_loop.run_until_idle().unwrap();
        client_loop.run_until_idle().unwrap();
        let expected = if exactly_once {
            vec![
                "server: hello",
                "callback: Err(Status(CANCELED))",
                "MyDevice dropped",
            ]
        } else {
            vec!["server: hello", "MyDevice dropped"]
        };
        assert_eq!(log.entries(), expected);
        assert!(dropped.load(SeqCst), "the callback was released");
        drop(client_loop);
        drop(server_loop);
    });
}

/// A `Client` destroyed by its own `then` callback (MyDevice deleting itself): the drop runs
/// inside the callback, later callbacks are dropped uncalled, and nothing runs after.
#[test]
fn my_device_destroyed_from_its_own_callback() {
    both(|_| {
        let client_loop = synchronized();
        let server_loop = synchronized();
        let log = Log::default();
        let (client_end, server_end) = create_endpoints::<Echo>();
        let _server = echo_server(server_loop.dispatcher(), server_end, &log);
        let device: Arc<Mutex<Option<Client<Echo>>>> = Arc::default();
        {
            let (device, log) = (device.clone(), log.clone());
            in_task(&client_loop, move |dispatcher| {
                let client = Client::bind(client_end, dispatcher, NoEventHandler).unwrap();
                for n in 0..3 {
                    let (device, log) = (device.clone(), log.clone());
                    client.echo_string(format!("m{n}")).then(move |result| {
                        log.push(format!("callback {n}: {result:?}"));
                        drop(device.lock().unwrap().take());
                    });
                }
                *device.lock().unwrap() = Some(client);
            });
        }
        server_loop.run_until_idle().unwrap();
        client_loop.run_until_idle().unwrap();
        assert_eq!(
            log.entries(),
            [
                "server: m0",
                "server: m1",
                "server: m2",
                "callback 0: Ok(\"m0\")"
            ]
        );
    });
}

/// Using a `Client` from a thread that is not running its dispatcher is refused loudly.
#[test]
fn client_threading_check_panics_off_dispatcher() {
    both(|_| {
        let client_loop = synchronized();
        let (client_end, _server_end) = create_endpoints::<Echo>();
        let dispatcher = client_loop.dispatcher().clone();
        let bind_here = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            Client::bind(client_end, &dispatcher, NoEventHandler)
        }));
        assert!(bind_here.is_err(), "bind off the dispatcher must panic");
        // A client bound in a task, then called from here.
        let (client_end, _server_end) = create_endpoints::<Echo>();
        let client = in_task(&client_loop, move |dispatcher| {
            Client::bind(client_end, dispatcher, NoEventHandler).unwrap()
        });
        let call_here = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            client.echo_string("x".into()).then(|_| {});
        }));
        assert!(call_here.is_err(), "a call off the dispatcher must panic");
        // Dropping it here would panic too; drop it in a task.
        in_task(&client_loop, move |_| drop(client));
        // A concurrent dispatcher is refused (checked before the thread; a panic inside a
        // handler would unwind through the loop).
        let concurrent = Loop::new(LoopConfig::default()).unwrap();
        let (client_end, _server_end) = create_endpoints::<Echo>();
        let refused = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let _ = Client::bind(client_end, concurrent.dispatcher(), NoEventHandler);
        }));
        assert!(
            refused.is_err(),
            "a Client on a concurrent dispatcher must panic"
        );
    });
}

// ---- SharedClient: owned event handler, ObserveTeardown, ShareUntilTeardown ---------------

/// The seed's `EventHandler`: its drop is the teardown notification.
struct OwnedHandler {
    log: Log,
    torn_down: mpsc::Sender<()>,
}

impl EchoEventHandler for OwnedHandler {
    fn on_string(&mut self, event: String) {
        self.log.push(format!("event: {event}"));
    }
    fn on_fidl_error(&mut self, info: UnbindInfo) {
        panic!("unexpected error {info}");
    }
}

impl Drop for OwnedHandler {
    fn drop(&mut self) {
        self.log.push("handler dropped");
        let _ = self.torn_down.send(());
    }
}

/// The OwnedEventHandler example: a first call completes; a second races `async_teardown` on
/// a 2-thread concurrent client loop. Its callback gets OK or CANCELED, exactly once; the
/// handler is dropped exactly once, after the last to-user call.
#[test]
fn owned_event_handler() {
    let outcomes = Arc::new(Mutex::new(std::collections::BTreeSet::new()));
    both(|_| {
        for _ in 0..20 {
            let client_loop = Loop::new(LoopConfig::default()).unwrap();
            client_loop.start_thread("client-0").unwrap();
            client_loop.start_thread("client-1").unwrap();
            let server_loop = synchronized();
            server_loop.start_thread("server").unwrap();
            let log = Log::default();
            let (client_end, server_end) = create_endpoints::<Echo>();
            let server = echo_server(server_loop.dispatcher(), server_end, &Log::default());
            let (torn_down, teardown_complete) = mpsc::channel();
            let client = SharedClient::bind(
                client_end,
                client_loop.dispatcher(),
                OwnedHandler {
                    log: log.clone(),
                    torn_down,
                },
            )
            .unwrap();
            server.send_event::<OnString>(&"hi".to_string()).unwrap();
            let (got_reply, reply) = mpsc::channel();
            {
                let log = log.clone();
                client
                    .echo_string("hello".into())
                    .then_exactly_once(move |result| {
                        assert_eq!(result, Ok("hello".to_string()));
                        log.push("reply 1");
                        got_reply.send(()).unwrap();
                    });
            }
            reply.recv().unwrap();
            let calls = Arc::new(AtomicUsize::new(0));
            {
                let (log, calls) = (log.clone(), calls.clone());
                client
                    .echo_string("hello".into())
                    .then_exactly_once(move |result| {
                        calls.fetch_add(1, SeqCst);
                        match result {
                            Ok(reply) => log.push(format!("reply 2: {reply}")),
                            Err(status) => {
                                assert_eq!(status, Status::CANCELED);
                                log.push("reply 2 canceled");
                            }
                        }
                    });
            }
            client.async_teardown();
            teardown_complete.recv().unwrap();
            let entries = log.entries();
            assert_eq!(entries.last().unwrap(), "handler dropped", "{entries:?}");
            assert_eq!(
                entries.iter().filter(|e| *e == "handler dropped").count(),
                1
            );
            drop(client);
            client_loop.shutdown();
            server_loop.shutdown();
            assert_eq!(calls.load(SeqCst), 1);
            assert_eq!(log.entries(), entries, "nothing after teardown completed");
            assert!(entries.contains(&"event: hi".to_string()));
            outcomes
                .lock()
                .unwrap()
                .insert(entries[entries.len() - 2].clone());
        }
    });
    // Which orders this machine produced (the loom model covers both).
    eprintln!(
        "owned_event_handler outcomes: {:?}",
        outcomes.lock().unwrap()
    );
}

/// `ObserveTeardown`: the observer "deletes my_object" (sets `destroyed`) once teardown is
/// complete; no callback ever sees `destroyed`, and the observer runs exactly once, last.
#[test]
fn observe_teardown_runs_once_after_the_last_callback() {
    both(|_| {
        let client_loop = Loop::new(LoopConfig::default()).unwrap();
        client_loop.start_thread("client").unwrap();
        let server_loop = synchronized();
        server_loop.start_thread("server").unwrap();
        let (client_end, server_end) = create_endpoints::<Echo>();
        let _server = echo_server(server_loop.dispatcher(), server_end, &Log::default());
        let destroyed = Arc::new(AtomicBool::new(false));
        let observed = Arc::new(AtomicUsize::new(0));
        let (done, complete) = mpsc::channel();
        let observer = {
            let (destroyed, observed) = (destroyed.clone(), observed.clone());
            observe_teardown(move || {
                destroyed.store(true, SeqCst);
                observed.fetch_add(1, SeqCst);
                done.send(()).unwrap();
            })
        };
        let client = SharedClient::bind_with_observer(
            client_end,
            client_loop.dispatcher(),
            NoEventHandler,
            observer,
        )
        .unwrap();
        for n in 0..8 {
            let destroyed = destroyed.clone();
            let callback = move |_: Result<String, Status>| {
                assert!(!destroyed.load(SeqCst), "a callback ran after teardown");
            };
            if n % 2 == 0 {
                client.echo_string(format!("{n}")).then(callback);
            } else {
                client
                    .echo_string(format!("{n}"))
                    .then_exactly_once(callback);
            }
        }
        drop(client);
        complete.recv().unwrap();
        client_loop.shutdown();
        server_loop.shutdown();
        assert_eq!(observed.load(SeqCst), 1);
    });
}

/// `ShareUntilTeardown`: the binding holds a reference to `my_object` until teardown is
/// complete, then drops it — the object dies then if no one else holds it.
#[test]
fn share_until_teardown_releases_after_teardown() {
    both(|_| {
        let client_loop = synchronized();
        let (client_end, server_end) = create_endpoints::<Echo>();
        let my_object = Arc::new(Mutex::new(0usize));
        let weak = Arc::downgrade(&my_object);
        let client = SharedClient::bind_with_observer(
            client_end,
            client_loop.dispatcher(),
            NoEventHandler,
            share_until_teardown(my_object.clone()),
        )
        .unwrap();
        drop(my_object);
        assert!(weak.upgrade().is_some(), "the binding keeps it alive");
        client.async_teardown();
        assert!(weak.upgrade().is_some(), "teardown only started");
        client_loop.run_until_idle().unwrap();
        assert!(weak.upgrade().is_none(), "released once teardown completed");
        drop((client, server_end));
    });
}

// ---- Servers --------------------------------------------------------------------------------

/// A server that unbinds itself from its handler and records whether it was called after.
struct Unbinder {
    binding: Arc<Mutex<Option<ServerBindingRef<Echo>>>>,
    unbind_returned: bool,
    log: Log,
}

impl EchoServer for Unbinder {
    fn echo_string(&mut self, request: String, completer: Completer<EchoString>) {
        assert!(!self.unbind_returned, "called after unbind() returned");
        self.log.push(format!("handler: {request}"));
        let binding = self.binding.lock().unwrap().clone().unwrap();
        binding.unbind();
        self.unbind_returned = true;
        // Discarded silently: teardown began.
        completer.reply(request);
    }
}

/// Server unbind from inside a handler on a synchronized dispatcher: no method call on the
/// implementation after `unbind` returns; the unbound handler gets it back with the reason
/// `Unbind` (not an error) and the endpoint, on which the second request is still unread.
#[test]
fn server_unbind_from_handler_on_synchronized_dispatcher() {
    both(|_| {
        let server_loop = synchronized();
        let log = Log::default();
        let (client_end, server_end) = create_endpoints::<Echo>();
        let slot = Arc::new(Mutex::new(None));
        let returned_end = Arc::new(Mutex::new(None));
        let binding = {
            let (log, returned_end) = (log.clone(), returned_end.clone());
            bind_server(
                server_loop.dispatcher(),
                server_end,
                Unbinder {
                    binding: slot.clone(),
                    unbind_returned: false,
                    log: log.clone(),
                },
                move |server: Unbinder, info: UnbindInfo, end| {
                    assert!(server.unbind_returned);
                    assert!(info.is_user_initiated() && info.ok());
                    assert_eq!(info.reason(), Reason::Unbind);
                    log.push("unbound");
                    *returned_end.lock().unwrap() = end;
                },
            )
            .unwrap()
        };
        *slot.lock().unwrap() = Some(binding);
        // Two requests written raw, so both are in the channel before the server runs.
        let raw = client_end.into_channel();
        for (txid, text) in [(1u32, "one"), (2, "two")] {
            let mut message = Vec::new();
            zxsim_bindings::wire::encode_message(
                &mut message,
                zxsim_bindings::wire::Header::new(
                    txid,
                    <EchoString as zxsim_bindings::Method>::ORDINAL,
                ),
                &text.to_string(),
            );
            raw.write(&message, &mut Vec::new()).unwrap();
        }
        server_loop.run_until_idle().unwrap();
        assert_eq!(log.entries(), ["handler: one", "unbound"]);
        let end = returned_end
            .lock()
            .unwrap()
            .take()
            .expect("the endpoint came back");
        let mut buf = zx::MessageBuf::new();
        end.channel().read(&mut buf).unwrap();
        let (header, _) = zxsim_bindings::wire::Header::decode(buf.bytes()).unwrap();
        assert_eq!(header.txid, 2, "the second request was left in the channel");
        let mut buf = zx::MessageBuf::new();
        assert_eq!(
            raw.read(&mut buf),
            Err(Status::SHOULD_WAIT),
            "no reply was sent"
        );
        slot.lock().unwrap().take();
    });
}

/// A handler that blocks until released.
struct Slow {
    entered: mpsc::Sender<()>,
    release: mpsc::Receiver<()>,
    log: Log,
}

impl EchoServer for Slow {
    fn echo_string(&mut self, request: String, completer: Completer<EchoString>) {
        self.entered.send(()).unwrap();
        self.release.recv().unwrap();
        self.log.push("handler returned");
        completer.reply(request);
    }
}

/// Server unbind from another thread with a slow handler in flight: `unbind` returns at once;
/// the unbound handler runs only after the handler returned.
#[test]
fn server_unbind_from_another_thread_with_slow_handler() {
    both(|_| {
        let server_loop = Loop::new(LoopConfig::default()).unwrap();
        server_loop.start_thread("server").unwrap();
        let log = Log::default();
        let (client_end, server_end) = create_endpoints::<Echo>();
        let (entered_tx, entered) = mpsc::channel();
        let (release, release_rx) = mpsc::channel();
        let (unbound_tx, unbound) = mpsc::channel();
        let binding = {
            let log2 = log.clone();
            bind_server(
                server_loop.dispatcher(),
                server_end,
                Slow {
                    entered: entered_tx,
                    release: release_rx,
                    log: log.clone(),
                },
                move |_, info: UnbindInfo, end: Option<ServerEnd<Echo>>| {
                    assert_eq!(info.reason(), Reason::Unbind);
                    assert!(end.is_some());
                    log2.push("unbound");
                    unbound_tx.send(()).unwrap();
                },
            )
            .unwrap()
        };
        let raw = client_end.into_channel();
        let mut message = Vec::new();
        zxsim_bindings::wire::encode_message(
            &mut message,
            zxsim_bindings::wire::Header::new(1, <EchoString as zxsim_bindings::Method>::ORDINAL),
            &"slow".to_string(),
        );
        raw.write(&message, &mut Vec::new()).unwrap();
        entered.recv().unwrap();
        binding.unbind();
        log.push("unbind returned");
        assert!(
            unbound.try_recv().is_err(),
            "unbound while the handler runs"
        );
        release.send(()).unwrap();
        unbound.recv().unwrap();
        assert_eq!(
            log.entries(),
            ["unbind returned", "handler returned", "unbound"]
        );
        server_loop.shutdown();
    });
}

/// A completer moved to another thread replies later; a reply after teardown is discarded
/// silently; `close(epitaph)` reaches the client as `PeerClosed` with the epitaph.
#[test]
fn async_completer_and_epitaph() {
    struct Later(mpsc::Sender<zxsim_bindings::AsyncCompleter<EchoString>>);
    impl EchoServer for Later {
        fn echo_string(&mut self, _request: String, completer: Completer<EchoString>) {
            self.0.send(completer.to_async()).unwrap();
        }
    }
    struct Errors(mpsc::Sender<UnbindInfo>);
    impl EchoEventHandler for Errors {
        fn on_fidl_error(&mut self, info: UnbindInfo) {
            self.0.send(info).unwrap();
        }
    }
    both(|_| {
        let event_loop = Loop::new(LoopConfig::default()).unwrap();
        event_loop.start_thread("loop").unwrap();
        let (client_end, server_end) = create_endpoints::<Echo>();
        let (completers_tx, completers) = mpsc::channel();
        let (unbound_tx, unbound) = mpsc::channel();
        let binding = bind_server(
            event_loop.dispatcher(),
            server_end,
            Later(completers_tx),
            move |_, info: UnbindInfo, end: Option<ServerEnd<Echo>>| {
                unbound_tx.send((info, end.is_some())).unwrap();
            },
        )
        .unwrap();
        let (errors_tx, errors) = mpsc::channel();
        let client =
            SharedClient::bind(client_end, event_loop.dispatcher(), Errors(errors_tx)).unwrap();
        let (replies_tx, replies) = mpsc::channel();
        for text in ["a", "b"] {
            let replies_tx = replies_tx.clone();
            client
                .echo_string(text.into())
                .then_exactly_once(move |result| replies_tx.send(result).unwrap());
        }
        let first = completers.recv().unwrap();
        let second = completers.recv().unwrap();
        // From this (non-dispatcher) thread.
        first.reply("from another thread".into());
        assert_eq!(replies.recv().unwrap(), Ok("from another thread".into()));
        binding.close(Status::NOT_SUPPORTED);
        let (info, got_end) = unbound.recv().unwrap();
        assert_eq!(info.reason(), Reason::Close);
        assert!(info.ok() && !got_end);
        second.reply("too late".into());
        let error = errors.recv().unwrap();
        assert_eq!(error.reason(), Reason::PeerClosed);
        assert_eq!(error.status(), Status::NOT_SUPPORTED, "the epitaph");
        assert_eq!(replies.recv().unwrap(), Err(Status::NOT_SUPPORTED));
        drop(client);
        event_loop.shutdown();
    });
}

/// Malformed input ends a binding with the matching reason, never a panic: a bad header is a
/// decode error, an unknown ordinal an unexpected message.
#[test]
fn decode_error_and_unexpected_message() {
    both(|_| {
        let event_loop = synchronized();
        for (message, reason) in [
            (vec![1u8, 2, 3], Reason::DecodeError),
            (
                {
                    let mut m = Vec::new();
                    zxsim_bindings::wire::encode_message(
                        &mut m,
                        zxsim_bindings::wire::Header::new(5, 0xdead),
                        &(),
                    );
                    m
                },
                Reason::UnexpectedMessage,
            ),
            (
                {
                    let mut m = Vec::new();
                    zxsim_bindings::wire::encode_message(
                        &mut m,
                        zxsim_bindings::wire::Header::new(
                            5,
                            <EchoString as zxsim_bindings::Method>::ORDINAL,
                        ),
                        &7u8,
                    );
                    m
                },
                Reason::DecodeError,
            ),
        ] {
            let (client_end, server_end) = create_endpoints::<Echo>();
            let seen = Arc::new(Mutex::new(None));
            let record = seen.clone();
            bind_server(
                event_loop.dispatcher(),
                server_end,
                EchoImpl {
                    log: Log::default(),
                },
                move |_, info: UnbindInfo, _| {
                    assert!(!info.ok());
                    *record.lock().unwrap() = Some(info.reason());
                },
            )
            .unwrap();
            client_end
                .channel()
                .write(&message, &mut Vec::new())
                .unwrap();
            event_loop.run_until_idle().unwrap();
            assert_eq!(*seen.lock().unwrap(), Some(reason));
        }
    });
}

/// A peer closing its end is reported as `PeerClosed`, an error for clients (`on_fidl_error`)
/// and for servers; a user-initiated teardown is never reported to `on_fidl_error`.
#[test]
fn peer_closed_is_an_error_user_teardown_is_not() {
    struct Errors(Log);
    impl EchoEventHandler for Errors {
        fn on_fidl_error(&mut self, info: UnbindInfo) {
            self.0.push(format!("error: {:?}", info.reason()));
        }
    }
    both(|_| {
        let event_loop = synchronized();
        let log = Log::default();
        let (client_end, server_end) = create_endpoints::<Echo>();
        let client =
            SharedClient::bind(client_end, event_loop.dispatcher(), Errors(log.clone())).unwrap();
        drop(server_end);
        event_loop.run_until_idle().unwrap();
        assert_eq!(log.entries(), ["error: PeerClosed"]);
        drop(client);
        let (client_end, server_end) = create_endpoints::<Echo>();
        let client =
            SharedClient::bind(client_end, event_loop.dispatcher(), Errors(log.clone())).unwrap();
        drop(client);
        event_loop.run_until_idle().unwrap();
        assert_eq!(
            log.entries(),
            ["error: PeerClosed"],
            "user teardown is no error"
        );
        drop(server_end);
    });
}

// ---- Dispatcher shutdown --------------------------------------------------------------------

/// Dispatcher shutdown with active bindings: shutting the loop down (from the main thread,
/// while a loop thread serves it) completes every binding's teardown — servers' unbound
/// handlers with `DispatcherShutdown`, a `SharedClient`'s pending `then_exactly_once` with
/// `CANCELED` and its observer, a `Client`'s `then` dropped — all before `shutdown` returns.
#[test]
fn dispatcher_shutdown_with_active_bindings() {
    both(|_| {
        let event_loop = synchronized();
        let peer_loop = synchronized();
        let log = Log::default();
        // A server on the loop, its client elsewhere.
        let (client_end, server_end) = create_endpoints::<Echo>();
        let unbound_log = log.clone();
        bind_server(
            event_loop.dispatcher(),
            server_end,
            EchoImpl { log: log.clone() },
            move |_, info: UnbindInfo, end: Option<ServerEnd<Echo>>| {
                assert!(end.is_none());
                unbound_log.push(format!("server unbound: {:?}", info.reason()));
            },
        )
        .unwrap();
        // A SharedClient on the loop with a call pending on a server that never runs.
        let (shared_end, silent_server) = create_endpoints::<Echo>();
        let observer_log = log.clone();
        let shared = SharedClient::bind_with_observer(
            shared_end,
            event_loop.dispatcher(),
            NoEventHandler,
            observe_teardown(move || observer_log.push("shared observer")),
        )
        .unwrap();
        let pending_log = log.clone();
        shared
            .echo_string("pending".into())
            .then_exactly_once(move |result| pending_log.push(format!("shared: {result:?}")));
        // A Client on the loop with a `then` pending.
        let (plain_end, silent_server_2) = create_endpoints::<Echo>();
        let dropped = Arc::new(AtomicBool::new(false));
        let client = {
            let flag = DropFlag(dropped.clone());
            let log = log.clone();
            in_task(&event_loop, move |dispatcher| {
                let client = Client::bind(plain_end, dispatcher, NoEventHandler).unwrap();
                client.echo_string("x".into()).then(move |_| {
                    let _flag = &flag;
                    log.push("client then ran");
                });
                client
            })
        };
        event_loop.start_thread("worker").unwrap();
        let _keep = (client_end, peer_loop.dispatcher().clone());
        event_loop.shutdown();
        let entries = log.entries();
        assert!(
            entries.contains(&"server unbound: DispatcherShutdown".to_string()),
            "{entries:?}"
        );
        assert!(
            entries.contains(&"shared: Err(Status(CANCELED))".to_string()),
            "{entries:?}"
        );
        let canceled = entries
            .iter()
            .position(|e| e == "shared: Err(Status(CANCELED))");
        let observed = entries.iter().position(|e| e == "shared observer");
        assert!(canceled < observed, "{entries:?}");
        assert!(!entries.contains(&"client then ran".to_string()));
        assert!(dropped.load(SeqCst));
        assert!(!client.is_bound() && !shared.is_bound());
        // Both torn down already: dropping them here, off any dispatcher, is allowed.
        drop((client, shared, silent_server, silent_server_2));
    });
}

// ---- Threads and completers ----------------------------------------------------------------

/// A `SharedClient` called from several threads at once (each bound to the process): every
/// call gets its own reply exactly once; then teardown completes with nothing pending.
#[test]
fn shared_client_calls_from_many_threads() {
    both(|_| {
        let client_loop = Loop::new(LoopConfig::default()).unwrap();
        client_loop.start_thread("client-0").unwrap();
        client_loop.start_thread("client-1").unwrap();
        let server_loop = synchronized();
        server_loop.start_thread("server").unwrap();
        let (client_end, server_end) = create_endpoints::<Echo>();
        let _server = echo_server(server_loop.dispatcher(), server_end, &Log::default());
        let client =
            SharedClient::bind(client_end, client_loop.dispatcher(), NoEventHandler).unwrap();
        let (replies_tx, replies) = mpsc::channel();
        let process = zxsim_syscalls::kernel::Process::current();
        let callers: Vec<_> = (0..4)
            .map(|thread| {
                let (client, replies_tx, process) =
                    (client.clone(), replies_tx.clone(), process.clone());
                std::thread::spawn(move || {
                    let _bound = process.bind();
                    for n in 0..25 {
                        let text = format!("{thread}/{n}");
                        let (expected, replies_tx) = (text.clone(), replies_tx.clone());
                        client.echo_string(text).then_exactly_once(move |result| {
                            assert_eq!(result, Ok(expected.clone()));
                            replies_tx.send(expected).unwrap();
                        });
                    }
                })
            })
            .collect();
        for caller in callers {
            caller.join().unwrap();
        }
        let mut got: Vec<String> = (0..100).map(|_| replies.recv().unwrap()).collect();
        got.sort();
        got.dedup();
        assert_eq!(got.len(), 100, "each reply exactly once");
        drop(client);
        client_loop.shutdown();
        server_loop.shutdown();
        assert!(replies.try_recv().is_err());
    });
}

/// `Completer::close(epitaph)` from a handler: the epitaph reaches the client before the
/// channel closes, and the unbound handler reports `Close` (not an error) without the endpoint.
#[test]
fn completer_close_sends_epitaph() {
    struct Closer;
    impl EchoServer for Closer {
        fn echo_string(&mut self, _request: String, completer: Completer<EchoString>) {
            completer.close(Status::ACCESS_DENIED);
        }
    }
    both(|_| {
        let event_loop = synchronized();
        let (client_end, server_end) = create_endpoints::<Echo>();
        let seen = Arc::new(Mutex::new(None));
        let record = seen.clone();
        bind_server(
            event_loop.dispatcher(),
            server_end,
            Closer,
            move |_, info: UnbindInfo, end: Option<ServerEnd<Echo>>| {
                *record.lock().unwrap() = Some((info, end.is_some()));
            },
        )
        .unwrap();
        let client =
            SharedClient::bind(client_end, event_loop.dispatcher(), NoEventHandler).unwrap();
        let result = Arc::new(Mutex::new(None));
        let put = result.clone();
        client
            .echo_string("x".into())
            .then_exactly_once(move |r| *put.lock().unwrap() = Some(r));
        event_loop.run_until_idle().unwrap();
        let (info, got_end) = seen.lock().unwrap().take().unwrap();
        assert_eq!(
            (info.reason(), info.status(), got_end),
            (Reason::Close, Status::ACCESS_DENIED, false)
        );
        assert!(info.ok());
        assert_eq!(*result.lock().unwrap(), Some(Err(Status::ACCESS_DENIED)));
        assert!(!client.is_bound());
    });
}

/// A `Client` dropped by its own event handler: the drop completes teardown inside the event
/// call; the handler itself is dropped once that call returned; later events are not delivered.
#[test]
fn client_dropped_from_its_own_event_handler() {
    struct DropsClient {
        client: Arc<Mutex<Option<Client<Echo>>>>,
        log: Log,
    }
    impl EchoEventHandler for DropsClient {
        fn on_string(&mut self, event: String) {
            self.log.push(format!("event: {event}"));
            drop(self.client.lock().unwrap().take());
            self.log.push("client dropped");
        }
    }
    impl Drop for DropsClient {
        fn drop(&mut self) {
            self.log.push("handler dropped");
        }
    }
    both(|_| {
        let client_loop = synchronized();
        let server_loop = synchronized();
        let log = Log::default();
        let (client_end, server_end) = create_endpoints::<Echo>();
        let server = echo_server(server_loop.dispatcher(), server_end, &Log::default());
        let slot: Arc<Mutex<Option<Client<Echo>>>> = Arc::default();
        {
            let (slot, log) = (slot.clone(), log.clone());
            in_task(&client_loop, move |dispatcher| {
                let handler = DropsClient {
                    client: slot.clone(),
                    log,
                };
                let client = Client::bind(client_end, dispatcher, handler).unwrap();
                *slot.lock().unwrap() = Some(client);
            });
        }
        server.send_event::<OnString>(&"one".to_string()).unwrap();
        server.send_event::<OnString>(&"two".to_string()).unwrap();
        client_loop.run_until_idle().unwrap();
        assert_eq!(
            log.entries(),
            ["event: one", "client dropped", "handler dropped"]
        );
        assert!(slot.lock().unwrap().is_none());
        drop(client_loop);
        drop(server_loop);
    });
}

/// Messages larger than the first read buffer are read whole (the buffer grows to fit).
#[test]
fn large_messages_are_read_whole() {
    both(|_| {
        let event_loop = synchronized();
        let (client_end, server_end) = create_endpoints::<Echo>();
        let _server = echo_server(event_loop.dispatcher(), server_end, &Log::default());
        let client =
            SharedClient::bind(client_end, event_loop.dispatcher(), NoEventHandler).unwrap();
        let replies = Arc::new(Mutex::new(Vec::new()));
        for len in [10, 600, 20_000, 50] {
            let replies = replies.clone();
            client
                .echo_string("x".repeat(len))
                .then_exactly_once(move |reply| {
                    replies.lock().unwrap().push(reply.map(|r| r.len()))
                });
        }
        event_loop.run_until_idle().unwrap();
        assert_eq!(
            *replies.lock().unwrap(),
            [Ok(10), Ok(600), Ok(20_000), Ok(50)]
        );
        drop(client);
        event_loop.run_until_idle().unwrap();
    });
}

/// To-binding calls from threads bound to another process (or to none): a `SharedClient`
/// call, an async completer's reply and `unbind` all reach the binding's own channel — a handle
/// value names it only in its process, so the bindings bind that process for the call.
#[test]
fn to_binding_calls_from_another_process() {
    both(|_| {
        let event_loop = Loop::new(LoopConfig::default()).unwrap();
        event_loop.start_thread("loop").unwrap();
        let (client_end, server_end) = create_endpoints::<Echo>();
        let (completers_tx, completers) = mpsc::channel();
        struct Later(mpsc::Sender<zxsim_bindings::AsyncCompleter<EchoString>>);
        impl EchoServer for Later {
            fn echo_string(&mut self, _request: String, completer: Completer<EchoString>) {
                self.0.send(completer.to_async()).unwrap();
            }
        }
        let (unbound_tx, unbound) = mpsc::channel();
        let binding = bind_server(
            event_loop.dispatcher(),
            server_end,
            Later(completers_tx),
            move |_, info: UnbindInfo, end: Option<ServerEnd<Echo>>| {
                unbound_tx.send((info.reason(), end.is_some())).unwrap();
            },
        )
        .unwrap();
        let client =
            SharedClient::bind(client_end, event_loop.dispatcher(), NoEventHandler).unwrap();
        let other = zxsim_syscalls::kernel::Process::current()
            .kernel()
            .create_process();
        let (replies_tx, replies) = mpsc::channel();
        let caller = {
            let (client, other) = (client.clone(), other.clone());
            std::thread::spawn(move || {
                let _bound = other.bind();
                client
                    .echo_string("from elsewhere".into())
                    .then_exactly_once(move |reply| replies_tx.send(reply).unwrap());
            })
        };
        caller.join().unwrap();
        let completer = completers.recv().unwrap();
        let replier = std::thread::spawn(move || completer.reply("back".into()));
        replier.join().unwrap();
        assert_eq!(replies.recv().unwrap(), Ok("back".to_string()));
        let unbinder = {
            let other = other.clone();
            std::thread::spawn(move || {
                let _bound = other.bind();
                binding.unbind();
            })
        };
        unbinder.join().unwrap();
        assert_eq!(unbound.recv().unwrap(), (Reason::Unbind, true));
        drop(client);
        event_loop.shutdown();
        assert_eq!(
            other.handles().len(),
            0,
            "nothing landed in the other process"
        );
    });
}
