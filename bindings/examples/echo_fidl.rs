//! An Echo server and a `SharedClient` in two simulated processes of one zxsim kernel.
//!
//! The "launcher" creates the channel in the client process and moves the server end into the
//! server process (as a bootstrap handle would be). The server process runs a synchronized loop
//! with one thread and serves `Echo`, sending an `on_string` event to each new client; the
//! client process runs a concurrent loop with two threads, makes calls from its main thread,
//! then tears the client down in two phases — the owned event handler's drop says teardown is
//! complete — and finally shuts the server down, whose binding reports `DispatcherShutdown`...
//! or `PeerClosed` if it noticed the client leave first.
//!
//! `cargo run -p zxsim-bindings --example echo_fidl`
// An application above the simulator: std's channels and types, not the loom shim.
#![allow(clippy::disallowed_types, clippy::disallowed_methods)]

use std::sync::mpsc;

use zxsim_async::{Loop, LoopConfig};
use zxsim_bindings::echo::{Echo, EchoCalls, EchoEventHandler, EchoServer, EchoString, OnString};
use zxsim_bindings::{
    bind_server, create_endpoints, Completer, ServerEnd, SharedClient, UnbindInfo,
};
use zxsim_syscalls::kernel::{Config, Kernel, Process};
use zxsim_syscalls::zx::{Channel, Handle, HandleBased};

struct EchoImpl {
    served: usize,
}

impl EchoServer for EchoImpl {
    fn echo_string(&mut self, request: String, completer: Completer<EchoString>) {
        self.served += 1;
        completer.reply(request);
    }
}

struct Events {
    torn_down: mpsc::Sender<()>,
}

impl EchoEventHandler for Events {
    fn on_string(&mut self, event: String) {
        println!("client: event on_string({event:?})");
    }
    fn on_fidl_error(&mut self, info: UnbindInfo) {
        println!("client: error {info}");
    }
}

impl Drop for Events {
    fn drop(&mut self) {
        println!("client: event handler dropped: teardown complete");
        let _ = self.torn_down.send(());
    }
}

/// Moves the handle `raw` from `from` into `to` (a launcher handing out a bootstrap handle).
fn move_handle(raw: u32, from: &Process, to: &Process) -> u32 {
    let handle = from.handles().remove(raw).expect("a live handle");
    to.add_handle(handle)
}

fn main() {
    let kernel = Kernel::new(Config::default());
    let client_process = kernel.create_process();
    let server_process = kernel.create_process();

    // Launcher: the channel is born in the client process; its server end moves over.
    let (client_end, server_raw) = {
        let _bound = client_process.bind();
        let (client_end, server_end) = create_endpoints::<Echo>();
        let raw = server_end.into_channel().into_raw();
        (
            client_end,
            move_handle(raw, &client_process, &server_process),
        )
    };

    // Server process.
    let (server_loop, unbound) = {
        let _bound = server_process.bind();
        // SAFETY: `server_raw` is a channel handle this process owns and nothing else wraps.
        let server_end = ServerEnd::<Echo>::new(Channel::from_handle(unsafe {
            Handle::from_raw(server_raw)
        }));
        let server_loop = Loop::new(LoopConfig::synchronized()).expect("server loop");
        server_loop
            .start_thread("echo-server")
            .expect("server thread");
        let (unbound_tx, unbound) = mpsc::channel();
        let binding = bind_server(
            server_loop.dispatcher(),
            server_end,
            EchoImpl { served: 0 },
            move |server: EchoImpl, info: UnbindInfo, _| {
                println!("server: unbound after {} calls: {info}", server.served);
                let _ = unbound_tx.send(info);
            },
        )
        .expect("bind server");
        binding
            .send_event::<OnString>(&"welcome".to_string())
            .expect("event");
        (server_loop, unbound)
    };

    // Client process.
    {
        let _bound = client_process.bind();
        let client_loop = Loop::new(LoopConfig::default()).expect("client loop");
        client_loop.start_thread("client-0").expect("client thread");
        client_loop.start_thread("client-1").expect("client thread");
        let (torn_down, teardown_complete) = mpsc::channel();
        let client = SharedClient::bind(client_end, client_loop.dispatcher(), Events { torn_down })
            .expect("bind client");
        println!(
            "client: process {:?} calling server process {:?}",
            client_process.koid(),
            server_process.koid()
        );
        let (replies_tx, replies) = mpsc::channel();
        for text in ["hello", "from", "another", "process"] {
            let replies_tx = replies_tx.clone();
            client
                .echo_string(text.to_string())
                .then_exactly_once(move |result| {
                    let _ = replies_tx.send(result);
                });
        }
        for _ in 0..4 {
            let reply = replies.recv().expect("a reply");
            println!("client: reply {reply:?}");
            assert!(reply.is_ok());
        }
        // Two-phase shutdown: start teardown, wait for the owned handler's drop.
        client.async_teardown();
        teardown_complete.recv().expect("teardown completes");
        drop(client);
        client_loop.shutdown();
    }

    // The server saw its peer close (or, if it had not yet, the shutdown tears it down).
    {
        let _bound = server_process.bind();
        server_loop.shutdown();
    }
    let info = unbound.recv().expect("the server was unbound");
    assert_eq!(
        (kernel.live_objects(), kernel.live_handles()),
        (0, 0),
        "nothing leaked"
    );
    assert!(info.is_peer_closed() || info.is_dispatcher_shutdown());
    println!(
        "done: {} live objects, {} live handles",
        kernel.live_objects(),
        kernel.live_handles()
    );
}
