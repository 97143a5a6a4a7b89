//! One-thread costs of moving data through channels, sockets and fifos, and of arming timers,
//! each beside a crossbeam baseline carrying the same payload in the same run:
//! `Channel/WriteRead/{64bytes/0handles, 64bytes/4handles, 65536bytes/0handles}`,
//! `Socket/WriteRead/64bytes`, `Fifo/WriteRead`, `Timer/SetCancel`; and
//! `Channel/ZxWriteRead/64bytes/4handles`, the typed layer's cost over the `sys` row.

mod common;

use criterion::measurement::WallTime;
use criterion::{criterion_group, criterion_main, BenchmarkGroup, BenchmarkId, Criterion};
use zxsim_syscalls::sys::*;
use zxsim_syscalls::zx;

use common::{crossbeam_send_recv, Bound};

/// Baseline `<group>/baseline/crossbeam send+recv <n> bytes`: the payload sent by value (64
/// bytes) or copied out of a buffer into a `Vec` (64 KiB), as a user hands a message over.
fn crossbeam_payload(group: &mut BenchmarkGroup<'_, WallTime>, bytes: usize) {
    let (tx, rx) = crossbeam_channel::unbounded::<Vec<u8>>();
    let buffer = vec![0xa5u8; bytes];
    let mut out = vec![0u8; bytes];
    group.bench_function(
        BenchmarkId::new("baseline", format!("crossbeam send+recv {bytes} bytes")),
        |b| {
            b.iter(|| {
                tx.send(buffer.to_vec()).unwrap();
                let message = rx.recv().unwrap();
                out.copy_from_slice(&message);
                std::hint::black_box(&out);
            })
        },
    );
}

/// `Channel/WriteRead/<bytes>bytes/<handles>handles`: write a message on one endpoint, read it on
/// the other. With handles, the same events travel back and forth (read gives them new values
/// which the next write sends).
fn channel_write_read(c: &mut Criterion) {
    let _bound = Bound::new();
    let (mut a, mut b) = (0, 0);
    assert_eq!(zx_channel_create(0, &mut a, &mut b), ZX_OK);
    let mut group = c.benchmark_group("Channel");
    for (bytes, handles) in [(64usize, 0usize), (64, 4), (65_536, 0)] {
        let payload = vec![0x5au8; bytes];
        let mut out = vec![0u8; bytes];
        let mut in_flight: Vec<zx_handle_t> = (0..handles)
            .map(|_| {
                let mut event = 0;
                assert_eq!(zx_event_create(0, &mut event), ZX_OK);
                event
            })
            .collect();
        let mut received = vec![0u32; handles];
        group.bench_function(
            format!("WriteRead/{bytes}bytes/{handles}handles"),
            |bencher| {
                bencher.iter(|| {
                    let status = zx_channel_write(a, 0, &payload, &in_flight);
                    debug_assert_eq!(status, ZX_OK);
                    let status = zx_channel_read(b, 0, &mut out, &mut received, None, None);
                    debug_assert_eq!(status, ZX_OK);
                    in_flight.copy_from_slice(&received);
                })
            },
        );
        assert_eq!(zx_handle_close_many(&in_flight), ZX_OK);
    }
    zx_write_read(&mut group);
    crossbeam_payload(&mut group, 64);
    crossbeam_payload(&mut group, 65_536);
    group.finish();
    assert_eq!(zx_handle_close_many(&[a, b]), ZX_OK);
}

/// `Channel/ZxWriteRead/64bytes/4handles`: `Channel/WriteRead/64bytes/4handles` through the typed
/// layer — `zx::Channel::write` consuming a `&mut [Handle]` in place, `read` into a reused
/// `MessageBuf` whose handles go back into the slice for the next write.
fn zx_write_read(group: &mut BenchmarkGroup<'_, WallTime>) {
    let (a, b) = zx::Channel::create();
    let payload = [0x5au8; 64];
    let mut handles: Vec<zx::Handle> = (0..4).map(|_| zx::Event::create().into()).collect();
    let mut buf = zx::MessageBuf::new();
    group.bench_function("ZxWriteRead/64bytes/4handles", |bencher| {
        bencher.iter(|| {
            let written = a.write(&payload, &mut handles);
            debug_assert_eq!(written, Ok(()));
            let read = b.read(&mut buf);
            debug_assert_eq!(read, Ok(()));
            for (slot, received) in handles.iter_mut().zip(buf.handles.drain(..)) {
                *slot = received;
            }
        })
    });
}

/// `Socket/WriteRead/64bytes`: a 64-byte stream write and the read of it.
fn socket_write_read(c: &mut Criterion) {
    let _bound = Bound::new();
    let (mut a, mut b) = (0, 0);
    assert_eq!(zx_socket_create(ZX_SOCKET_STREAM, &mut a, &mut b), ZX_OK);
    let payload = [0x5au8; 64];
    let mut out = [0u8; 64];
    let mut group = c.benchmark_group("Socket");
    group.bench_function("WriteRead/64bytes", |bencher| {
        bencher.iter(|| {
            let status = zx_socket_write(a, 0, &payload, None);
            debug_assert_eq!(status, ZX_OK);
            let status = zx_socket_read(b, 0, &mut out, None);
            debug_assert_eq!(status, ZX_OK);
        })
    });
    crossbeam_payload(&mut group, 64);
    group.finish();
    assert_eq!(zx_handle_close_many(&[a, b]), ZX_OK);
}

/// `Fifo/WriteRead`: one 16-byte element written and read.
fn fifo_write_read(c: &mut Criterion) {
    let _bound = Bound::new();
    let (mut a, mut b) = (0, 0);
    assert_eq!(zx_fifo_create(64, 16, 0, &mut a, &mut b), ZX_OK);
    let element = [0x5au8; 16];
    let mut out = [0u8; 16];
    let mut group = c.benchmark_group("Fifo");
    group.bench_function("WriteRead", |bencher| {
        bencher.iter(|| {
            let status = zx_fifo_write(a, 16, &element, 1, None);
            debug_assert_eq!(status, ZX_OK);
            let status = zx_fifo_read(b, 16, &mut out, 1, None);
            debug_assert_eq!(status, ZX_OK);
        })
    });
    crossbeam_send_recv(&mut group);
    group.finish();
    assert_eq!(zx_handle_close_many(&[a, b]), ZX_OK);
}

/// `Timer/SetCancel`: arm a timer one second out on the real clock (the timer-service thread's
/// queue) and cancel it.
fn timer_set_cancel(c: &mut Criterion) {
    let _bound = Bound::new();
    let mut timer = 0;
    assert_eq!(zx_timer_create(0, ZX_CLOCK_MONOTONIC, &mut timer), ZX_OK);
    let mut group = c.benchmark_group("Timer");
    group.bench_function("SetCancel", |bencher| {
        bencher.iter(|| {
            let status = zx_timer_set(timer, zx_deadline_after(1_000_000_000), 0);
            debug_assert_eq!(status, ZX_OK);
            let status = zx_timer_cancel(timer);
            debug_assert_eq!(status, ZX_OK);
        })
    });
    crossbeam_send_recv(&mut group);
    group.finish();
    assert_eq!(zx_handle_close(timer), ZX_OK);
}

criterion_group! {
    name = benches;
    config = common::config();
    targets = channel_write_read, socket_write_read, fifo_write_read, timer_set_cancel
}
criterion_main!(benches);
