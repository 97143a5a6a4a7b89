//! `Socket/Echo`: a TCP echo server on loopback written Zircon-style on zxsim (fd-backed sockets,
//! a port, `wait_async`) against the same server written directly on mio, in the same run.
//!
//! - `Socket/Echo/latency`: one connection, 64-byte request/response round trips.
//! - `Socket/Echo/throughput`: four connections on four client threads at once; the time per
//!   request of the whole batch (so the ratio of two such times is the inverse throughput ratio).
//!
//! Loopback only; every measurement is a bounded number of round trips.

#[path = "../examples/echo/server.rs"]
mod server;

use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use zxsim_kernel::{Config, Kernel};

const REQUEST: usize = 64;
const CLIENTS: u64 = 4;

/// `total` round trips spread over `CLIENTS` concurrent connections; wall time of the batch.
fn concurrent(addr: std::net::SocketAddr, total: u64) -> Duration {
    let per_client = total.div_ceil(CLIENTS).max(1) as usize;
    let start = std::time::Instant::now();
    let clients: Vec<_> = (0..CLIENTS)
        .map(|_| std::thread::spawn(move || server::ping_pong(addr, REQUEST, per_client)))
        .collect();
    for client in clients {
        client.join().expect("client");
    }
    start.elapsed()
}

fn echo(c: &mut Criterion) {
    let kernel = Kernel::new(Config::default());
    let zxsim = server::serve_zxsim(kernel.create_process());
    let direct = server::serve_mio();
    let mut group = c.benchmark_group("Socket");
    group.bench_function("Echo/latency", |b| {
        b.iter_custom(|iters| server::ping_pong(zxsim.addr, REQUEST, iters as usize))
    });
    group.bench_function(BenchmarkId::new("baseline", "mio echo latency"), |b| {
        b.iter_custom(|iters| server::ping_pong(direct.addr, REQUEST, iters as usize))
    });
    group.bench_function("Echo/throughput", |b| {
        b.iter_custom(|iters| concurrent(zxsim.addr, iters))
    });
    group.bench_function(BenchmarkId::new("baseline", "mio echo throughput"), |b| {
        b.iter_custom(|iters| concurrent(direct.addr, iters))
    });
    group.finish();
    zxsim.stop();
    direct.stop();
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
}

criterion_group! {
    name = benches;
    config = config();
    targets = echo
}
criterion_main!(benches);
