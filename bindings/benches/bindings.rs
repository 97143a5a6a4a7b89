//! Bindings benchmark, beside its baseline measured in the same run (`cargo xtask bench` prints
//! the ratio):
//! - `Bindings/EchoCall`: one `echo_string("hello")` two-way call through a `SharedClient` and
//!   an Echo server binding on one synchronized loop, driven on the bench thread (the call is
//!   written, the server's wait dispatches the request and replies, the client's wait dispatches
//!   the reply to the `then` callback: two `run(once)`) — against
//! - `Bindings/baseline/raw channel call`: the same bytes exchanged with raw syscalls on one
//!   thread: `zx_channel_write` of the request, `zx_object_wait_one` + `zx_channel_read` +
//!   `zx_channel_write` of the reply on the server end, `zx_object_wait_one` + `zx_channel_read`
//!   on the client end;
//! - `Bindings/baseline/raw channel call via port` (for information): the same with
//!   `zx_object_wait_async` + `zx_port_wait` in place of `zx_object_wait_one` — the waiting any
//!   dispatcher does — so the two ratios separate the dispatcher's share from the bindings'.
#![allow(clippy::disallowed_types, clippy::disallowed_methods)]

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use zxsim_async::{Loop, LoopConfig};
use zxsim_bindings::echo::{Echo, EchoCalls, EchoServer, EchoString};
use zxsim_bindings::wire::{encode_message, Header};
use zxsim_bindings::{
    bind_server, create_endpoints, Completer, Method, NoEventHandler, SharedClient,
};
use zxsim_syscalls::kernel::{Config, Kernel};
use zxsim_syscalls::sys::*;
use zxsim_syscalls::zx::{AsHandleRef, MonotonicInstant};

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
}

struct EchoImpl;

impl EchoServer for EchoImpl {
    fn echo_string(&mut self, request: String, completer: Completer<EchoString>) {
        completer.reply(request);
    }
}

fn echo_call(c: &mut Criterion) {
    let kernel = Kernel::new(Config::default());
    let process = kernel.create_process();
    let _bound = process.bind();
    let mut group = c.benchmark_group("Bindings");

    {
        let event_loop = Loop::new(LoopConfig::synchronized()).unwrap();
        let (client_end, server_end) = create_endpoints::<Echo>();
        let _server =
            bind_server(event_loop.dispatcher(), server_end, EchoImpl, |_, _, _| {}).unwrap();
        let client =
            SharedClient::bind(client_end, event_loop.dispatcher(), NoEventHandler).unwrap();
        let replies = Arc::new(AtomicU64::new(0));
        group.bench_function("EchoCall", |b| {
            b.iter(|| {
                let replies = replies.clone();
                client.echo_string("hello".to_string()).then(move |reply| {
                    debug_assert_eq!(reply.as_deref(), Ok("hello"));
                    replies.fetch_add(1, Ordering::Relaxed);
                });
                // Two dispatches: the request to the server, the reply to the client.
                event_loop.run(MonotonicInstant::INFINITE, true).unwrap();
                event_loop.run(MonotonicInstant::INFINITE, true).unwrap();
            })
        });
        assert!(replies.load(Ordering::Relaxed) > 0);
        drop(client);
        event_loop.run_until_idle().unwrap();
    }

    {
        let (client, server) = zxsim_syscalls::zx::Channel::create();
        let (client, server) = (client.raw_handle(), server.raw_handle());
        let mut request = Vec::new();
        encode_message(
            &mut request,
            Header::new(1, <EchoString as Method>::ORDINAL),
            &"hello".to_string(),
        );
        let mut buf = vec![0u8; ZX_CHANNEL_MAX_MSG_BYTES as usize];
        let id = BenchmarkId::new("baseline", "raw channel call");
        group.bench_function(id, |b| {
            b.iter(|| {
                let status = zx_channel_write(client, 0, std::hint::black_box(&request), &[]);
                debug_assert_eq!(status, ZX_OK);
                let mut observed = 0;
                let status = zx_object_wait_one(
                    server,
                    ZX_CHANNEL_READABLE,
                    ZX_TIME_INFINITE,
                    Some(&mut observed),
                );
                debug_assert_eq!(status, ZX_OK);
                let mut n = 0u32;
                let status = zx_channel_read(server, 0, &mut buf, &mut [], Some(&mut n), None);
                debug_assert_eq!(status, ZX_OK);
                let status = zx_channel_write(server, 0, &buf[..n as usize], &[]);
                debug_assert_eq!(status, ZX_OK);
                let status = zx_object_wait_one(
                    client,
                    ZX_CHANNEL_READABLE,
                    ZX_TIME_INFINITE,
                    Some(&mut observed),
                );
                debug_assert_eq!(status, ZX_OK);
                let status = zx_channel_read(client, 0, &mut buf, &mut [], Some(&mut n), None);
                debug_assert_eq!(status, ZX_OK);
                n
            })
        });

        // For information: the same exchange waiting through a port, as any dispatcher must
        // (`zx_object_wait_async` + `zx_port_wait` instead of `zx_object_wait_one`).
        let mut port = ZX_HANDLE_INVALID;
        assert_eq!(zx_port_create(0, &mut port), ZX_OK);
        let id = BenchmarkId::new("baseline", "raw channel call via port");
        group.bench_function(id, |b| {
            b.iter(|| {
                let mut packet = zx_port_packet_t::default();
                let status = zx_object_wait_async(server, port, 1, ZX_CHANNEL_READABLE, 0);
                debug_assert_eq!(status, ZX_OK);
                let status = zx_channel_write(client, 0, std::hint::black_box(&request), &[]);
                debug_assert_eq!(status, ZX_OK);
                let status = zx_port_wait(port, ZX_TIME_INFINITE, &mut packet);
                debug_assert_eq!(status, ZX_OK);
                let mut n = 0u32;
                let status = zx_channel_read(server, 0, &mut buf, &mut [], Some(&mut n), None);
                debug_assert_eq!(status, ZX_OK);
                let status = zx_object_wait_async(client, port, 2, ZX_CHANNEL_READABLE, 0);
                debug_assert_eq!(status, ZX_OK);
                let status = zx_channel_write(server, 0, &buf[..n as usize], &[]);
                debug_assert_eq!(status, ZX_OK);
                let status = zx_port_wait(port, ZX_TIME_INFINITE, &mut packet);
                debug_assert_eq!(status, ZX_OK);
                let status = zx_channel_read(client, 0, &mut buf, &mut [], Some(&mut n), None);
                debug_assert_eq!(status, ZX_OK);
                n
            })
        });
        assert_eq!(zx_handle_close(port), ZX_OK);
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = config();
    targets = echo_call
}
criterion_main!(benches);
