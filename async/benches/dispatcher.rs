//! Dispatcher benchmarks, each beside its baseline measured in the same run (`cargo xtask bench`
//! prints the ratios):
//! - `Dispatch/WaitFire`: begin a loop `Wait`, signal, the handler runs, in a running loop
//!   (each handler begins the next wait and signals it) — against `Dispatch/baseline/raw
//!   wait_async+port_wait` (the same three syscalls in a plain loop, no dispatcher);
//! - `Executor/PingPong`: two tasks on a 2-thread `SendExecutor` exchanging a message over a
//!   zxsim channel — against `Executor/baseline/tokio mpsc ping-pong` (tokio's multi-thread
//!   runtime, 2 workers, `tokio::sync::mpsc`);
//! - `Executor/Spawn`: spawn an empty task and await it on a `LocalExecutor` — against
//!   `Executor/baseline/tokio spawn` (tokio's current-thread runtime).
#![allow(clippy::disallowed_types, clippy::disallowed_methods)]

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use zxsim_async::{async_, LocalExecutor, Loop, LoopConfig, SendExecutor, Task, Wait};
use zxsim_syscalls::kernel::{Config, Kernel};
use zxsim_syscalls::sys::*;
use zxsim_syscalls::zx::{self, AsHandleRef};

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
}

fn dispatch_wait_fire(c: &mut Criterion) {
    let kernel = Kernel::new(Config::default());
    let process = kernel.create_process();
    let _bound = process.bind();
    let mut group = c.benchmark_group("Dispatch");

    {
        // Steady state, as a loop thread runs: each handler begins the other wait (the one on
        // the other user signal) and raises its signal with one `zx_object_signal` that also
        // clears its own — begin, signal, dispatch, handler per iteration, like the raw loop.
        let event_loop = Loop::new(LoopConfig::default()).unwrap();
        let event = Arc::new(zx::Event::create());
        let remaining = Arc::new(AtomicU64::new(0));
        let waits: Arc<OnceLock<[Wait; 2]>> = Arc::default();
        let bits = [zx::Signals::USER_0, zx::Signals::USER_1];
        let make = |index: usize| {
            let (event, remaining, waits) = (event.clone(), remaining.clone(), waits.clone());
            Wait::new(
                event_loop.dispatcher(),
                &*event.clone(),
                bits[index],
                zx::WaitAsyncOpts::empty(),
                move |dispatcher, _, _, _| {
                    if remaining.fetch_sub(1, Ordering::Relaxed) > 1 {
                        let next = 1 - index;
                        waits.get().expect("both waits")[next].begin().unwrap();
                        event.signal_handle(bits[index], bits[next]).unwrap();
                    } else {
                        dispatcher.quit();
                    }
                },
            )
        };
        let pair = [make(0), make(1)];
        assert!(waits.set(pair).is_ok());
        group.bench_function("WaitFire", |b| {
            b.iter_custom(|iters| {
                event
                    .signal_handle(bits[0] | bits[1], zx::Signals::NONE)
                    .unwrap();
                remaining.store(iters, Ordering::Relaxed);
                let started = Instant::now();
                waits.get().unwrap()[0].begin().unwrap();
                event.signal_handle(zx::Signals::NONE, bits[0]).unwrap();
                assert_eq!(
                    event_loop.run(zx::MonotonicInstant::INFINITE, false),
                    Err(zx::Status::CANCELED)
                );
                let elapsed = started.elapsed();
                event_loop.reset_quit().unwrap();
                elapsed
            })
        });
        // The two handlers hold `waits`, which holds them: that cycle (two small waits, not
        // pending) outlives the loop, once per bench run.
    }

    {
        let (mut port, mut event) = (0, 0);
        assert_eq!(zx_port_create(0, &mut port), ZX_OK);
        assert_eq!(zx_event_create(0, &mut event), ZX_OK);
        assert_eq!(zx_object_signal(event, 0, ZX_USER_SIGNAL_1), ZX_OK);
        let mut flip = false;
        let id = BenchmarkId::new("baseline", "raw wait_async+port_wait");
        group.bench_function(id, |b| {
            b.iter(|| {
                flip = !flip;
                let (awaited, previous) = if flip {
                    (ZX_USER_SIGNAL_0, ZX_USER_SIGNAL_1)
                } else {
                    (ZX_USER_SIGNAL_1, ZX_USER_SIGNAL_0)
                };
                let status = zx_object_wait_async(std::hint::black_box(event), port, 7, awaited, 0);
                debug_assert_eq!(status, ZX_OK);
                let status = zx_object_signal(event, previous, awaited);
                debug_assert_eq!(status, ZX_OK);
                let mut packet = zx_port_packet_t::default();
                let status = zx_port_wait(port, ZX_TIME_INFINITE, &mut packet);
                debug_assert_eq!(status, ZX_OK);
                packet.key
            })
        });
        assert_eq!(zx_handle_close_many(&[port, event]), ZX_OK);
    }
    group.finish();
}

fn executor_ping_pong(c: &mut Criterion) {
    let kernel = Kernel::new(Config::default());
    let process = kernel.create_process();
    let _bound = process.bind();
    let mut group = c.benchmark_group("Executor");

    let mut executor = SendExecutor::new(2);
    group.bench_function("PingPong", |b| {
        b.iter_custom(|iters| {
            executor.run(async move {
                let (a, b) = zx::Channel::create();
                let (a, b) = (
                    async_::Channel::from_channel(a),
                    async_::Channel::from_channel(b),
                );
                let pong = Task::spawn(async move {
                    let mut buf = zx::MessageBuf::new();
                    while b.recv_msg(&mut buf).await.is_ok() {
                        b.write(buf.bytes(), &mut Vec::new()).unwrap();
                    }
                });
                let started = Instant::now();
                let mut buf = zx::MessageBuf::new();
                for round in 0..iters {
                    a.write(&round.to_le_bytes(), &mut Vec::new()).unwrap();
                    a.recv_msg(&mut buf).await.unwrap();
                }
                let elapsed = started.elapsed();
                drop(a);
                pong.await;
                elapsed
            })
        })
    });

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    let id = BenchmarkId::new("baseline", "tokio mpsc ping-pong");
    group.bench_function(id, |b| {
        b.iter_custom(|iters| {
            runtime.block_on(async move {
                let (ping_tx, mut ping_rx) = tokio::sync::mpsc::channel::<u64>(1);
                let (pong_tx, mut pong_rx) = tokio::sync::mpsc::channel::<u64>(1);
                let pong = tokio::spawn(async move {
                    while let Some(value) = ping_rx.recv().await {
                        pong_tx.send(value).await.unwrap();
                    }
                });
                let ping = tokio::spawn(async move {
                    let started = Instant::now();
                    for round in 0..iters {
                        ping_tx.send(round).await.unwrap();
                        pong_rx.recv().await.unwrap();
                    }
                    started.elapsed()
                });
                let elapsed = ping.await.unwrap();
                pong.await.unwrap();
                elapsed
            })
        })
    });
    group.finish();
}

fn executor_spawn(c: &mut Criterion) {
    let kernel = Kernel::new(Config::default());
    let process = kernel.create_process();
    let _bound = process.bind();
    let mut group = c.benchmark_group("Executor");

    let mut executor = LocalExecutor::new();
    group.bench_function("Spawn", |b| {
        b.iter_custom(|iters| {
            executor.run_singlethreaded(async move {
                let started = Instant::now();
                for _ in 0..iters {
                    Task::spawn(async {}).await;
                }
                started.elapsed()
            })
        })
    });

    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let id = BenchmarkId::new("baseline", "tokio spawn");
    group.bench_function(id, |b| {
        b.iter_custom(|iters| {
            runtime.block_on(async move {
                let started = Instant::now();
                for _ in 0..iters {
                    tokio::spawn(async {}).await.unwrap();
                }
                started.elapsed()
            })
        })
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = config();
    targets = dispatch_wait_fire, executor_ping_pong, executor_spawn
}
criterion_main!(benches);
