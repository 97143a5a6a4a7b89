//! Ports: `Port/QueueWait` and `ObjectWaitAsync/FireAndWait` on one thread (beside crossbeam
//! send+recv), and `RoundTrip/Port` across two threads (beside a parking_lot condvar queue and a
//! crossbeam channel doing the same round trip), for every thread placement the machine allows.

mod common;

use std::collections::VecDeque;
use std::sync::Arc;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use parking_lot::{Condvar, Mutex};
use zxsim_syscalls::sys::*;

use common::{crossbeam_send_recv, Bound, Pinned, Placement};

fn user_packet(key: u64) -> zx_port_packet_t {
    zx_port_packet_t {
        key,
        packet_type: ZX_PKT_TYPE_USER,
        status: ZX_OK,
        union: [0; 32],
    }
}

/// `Port/QueueWait`: `zx_port_queue` of one user packet, then `zx_port_wait` takes it back.
fn port_queue_wait(c: &mut Criterion) {
    let _bound = Bound::new();
    let mut port = 0;
    assert_eq!(zx_port_create(0, &mut port), ZX_OK);
    let mut group = c.benchmark_group("Port");
    let mut key = 0u64;
    group.bench_function("QueueWait", |b| {
        b.iter(|| {
            key = key.wrapping_add(1);
            let status = zx_port_queue(std::hint::black_box(port), &user_packet(key));
            debug_assert_eq!(status, ZX_OK);
            let mut packet = zx_port_packet_t::default();
            let status = zx_port_wait(port, ZX_TIME_INFINITE, &mut packet);
            debug_assert_eq!((status, packet.key), (ZX_OK, key));
            packet.key
        })
    });
    crossbeam_send_recv(&mut group);
    group.finish();
    assert_eq!(zx_handle_close(port), ZX_OK);
}

/// `ObjectWaitAsync/FireAndWait`: `zx_object_wait_async` (level mode, not yet matching), one
/// `zx_object_signal` that fires it, and `zx_port_wait` for its signal packet. Iterations
/// alternate between two user signals so that the single signal call both clears the previous
/// bit and raises the awaited one: exactly three syscalls per iteration.
fn object_wait_async_fire_and_wait(c: &mut Criterion) {
    let _bound = Bound::new();
    let (mut port, mut event) = (0, 0);
    assert_eq!(zx_port_create(0, &mut port), ZX_OK);
    assert_eq!(zx_event_create(0, &mut event), ZX_OK);
    assert_eq!(zx_object_signal(event, 0, ZX_USER_SIGNAL_1), ZX_OK);
    let mut group = c.benchmark_group("ObjectWaitAsync");
    let mut flip = false;
    group.bench_function("FireAndWait", |b| {
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
            debug_assert_eq!(
                (status, packet.packet_type, packet.signal().observed),
                (ZX_OK, ZX_PKT_TYPE_SIGNAL_ONE, awaited)
            );
            packet.key
        })
    });
    crossbeam_send_recv(&mut group);
    group.finish();
    assert_eq!(zx_handle_close_many(&[port, event]), ZX_OK);
}

/// Ends an echo thread.
const STOP: u64 = u64::MAX;

/// `RoundTrip/Port`: the measuring thread queues a user packet on port A; an echo thread waiting
/// on A queues it on port B; the measuring thread waits on B. One iteration, one round trip.
fn round_trip_port(c: &mut Criterion, placement: Placement) {
    let bound = Bound::new();
    let (mut ping, mut pong) = (0, 0);
    assert_eq!(zx_port_create(0, &mut ping), ZX_OK);
    assert_eq!(zx_port_create(0, &mut pong), ZX_OK);
    let cpus = placement.cpus();
    let echo = bound.process.spawn(move || {
        let _pinned = Pinned::to(cpus.map(|(_, echo)| echo));
        loop {
            let mut packet = zx_port_packet_t::default();
            assert_eq!(zx_port_wait(ping, ZX_TIME_INFINITE, &mut packet), ZX_OK);
            if packet.key == STOP {
                break;
            }
            assert_eq!(zx_port_queue(pong, &packet), ZX_OK);
        }
    });
    let pinned = Pinned::to(cpus.map(|(me, _)| me));
    let mut group = c.benchmark_group(placement.group("RoundTrip"));
    let mut key = 0u64;
    group.bench_function("Port", |b| {
        b.iter(|| {
            key = key.wrapping_add(1) % STOP;
            let status = zx_port_queue(ping, &user_packet(key));
            debug_assert_eq!(status, ZX_OK);
            let mut packet = zx_port_packet_t::default();
            let status = zx_port_wait(pong, ZX_TIME_INFINITE, &mut packet);
            debug_assert_eq!((status, packet.key), (ZX_OK, key));
            packet.key
        })
    });
    group.finish();
    drop(pinned);
    assert_eq!(zx_port_queue(ping, &user_packet(STOP)), ZX_OK);
    echo.join().expect("echo thread");
    assert_eq!(zx_handle_close_many(&[ping, pong]), ZX_OK);
}

/// A parking_lot `Mutex<VecDeque>` + `Condvar` queue: what a hand-written thread hand-off is.
#[derive(Default)]
struct Mailbox {
    queue: Mutex<VecDeque<u64>>,
    ready: Condvar,
}

impl Mailbox {
    fn put(&self, value: u64) {
        self.queue.lock().push_back(value);
        self.ready.notify_one();
    }

    fn take(&self) -> u64 {
        let mut queue = self.queue.lock();
        loop {
            if let Some(value) = queue.pop_front() {
                return value;
            }
            self.ready.wait(&mut queue);
        }
    }
}

/// Baseline `RoundTrip/baseline/condvar`: the same round trip through two [`Mailbox`]es.
fn round_trip_condvar(c: &mut Criterion, placement: Placement) {
    let ping = Arc::new(Mailbox::default());
    let pong = Arc::new(Mailbox::default());
    let cpus = placement.cpus();
    let echo = {
        let (ping, pong) = (ping.clone(), pong.clone());
        std::thread::spawn(move || {
            let _pinned = Pinned::to(cpus.map(|(_, echo)| echo));
            loop {
                let value = ping.take();
                if value == STOP {
                    break;
                }
                pong.put(value);
            }
        })
    };
    let pinned = Pinned::to(cpus.map(|(me, _)| me));
    let mut group = c.benchmark_group(placement.group("RoundTrip"));
    let mut value = 0u64;
    group.bench_function(BenchmarkId::new("baseline", "condvar"), |b| {
        b.iter(|| {
            value = value.wrapping_add(1) % STOP;
            ping.put(value);
            pong.take()
        })
    });
    group.finish();
    drop(pinned);
    ping.put(STOP);
    echo.join().expect("echo thread");
}

/// Baseline `RoundTrip/baseline/crossbeam`: the same round trip through two unbounded crossbeam
/// channels (which spin briefly before they block).
fn round_trip_crossbeam(c: &mut Criterion, placement: Placement) {
    let (ping_tx, ping_rx) = crossbeam_channel::unbounded::<u64>();
    let (pong_tx, pong_rx) = crossbeam_channel::unbounded::<u64>();
    let cpus = placement.cpus();
    let echo = std::thread::spawn(move || {
        let _pinned = Pinned::to(cpus.map(|(_, echo)| echo));
        while let Ok(value) = ping_rx.recv() {
            if value == STOP {
                break;
            }
            pong_tx.send(value).unwrap();
        }
    });
    let pinned = Pinned::to(cpus.map(|(me, _)| me));
    let mut group = c.benchmark_group(placement.group("RoundTrip"));
    let mut value = 0u64;
    group.bench_function(BenchmarkId::new("baseline", "crossbeam"), |b| {
        b.iter(|| {
            value = value.wrapping_add(1) % STOP;
            ping_tx.send(value).unwrap();
            pong_rx.recv().unwrap()
        })
    });
    group.finish();
    drop(pinned);
    ping_tx.send(STOP).unwrap();
    echo.join().expect("echo thread");
}

/// The echo side of the channel round trips: reads each message on `end` and writes it back
/// unchanged (a reply keeps the caller's txid), until the peer closes.
fn channel_echo(end: zx_handle_t) {
    let mut bytes = [0u8; 64];
    loop {
        let mut actual = 0;
        match zx_channel_read(end, 0, &mut bytes, &mut [], Some(&mut actual), None) {
            ZX_OK => assert_eq!(
                zx_channel_write(end, 0, &bytes[..actual as usize], &[]),
                ZX_OK
            ),
            ZX_ERR_SHOULD_WAIT => {
                zx_object_wait_one(
                    end,
                    ZX_CHANNEL_READABLE | ZX_CHANNEL_PEER_CLOSED,
                    ZX_TIME_INFINITE,
                    None,
                );
            }
            _ => break, // PEER_CLOSED: the measuring side is done
        }
    }
    assert_eq!(zx_handle_close(end), ZX_OK);
}

/// `RoundTrip/Channel`: 64 bytes written on one endpoint, echoed by a thread blocked in
/// `zx_object_wait_one` on the other, and read back after waiting for READABLE.
/// `RoundTrip/ChannelCall`: the same through `zx_channel_call`, whose reply bypasses the queue.
fn round_trip_channels(c: &mut Criterion) {
    let bound = Bound::new();
    let mut group = c.benchmark_group("RoundTrip");
    for call in [false, true] {
        let (mut near, mut far) = (0, 0);
        assert_eq!(zx_channel_create(0, &mut near, &mut far), ZX_OK);
        let echo = bound.process.spawn(move || channel_echo(far));
        let request = [0x5au8; 64];
        let mut reply = [0u8; 64];
        let name = if call { "ChannelCall" } else { "Channel" };
        group.bench_function(name, |b| {
            b.iter(|| {
                if call {
                    let (mut n_bytes, mut n_handles) = (0, 0);
                    let mut args = zx_channel_call_args_t {
                        wr_bytes: &request,
                        wr_handles: &[],
                        rd_bytes: &mut reply,
                        rd_handles: &mut [],
                    };
                    let status = zx_channel_call(
                        near,
                        0,
                        ZX_TIME_INFINITE,
                        &mut args,
                        &mut n_bytes,
                        &mut n_handles,
                    );
                    debug_assert_eq!(status, ZX_OK);
                } else {
                    let status = zx_channel_write(near, 0, &request, &[]);
                    debug_assert_eq!(status, ZX_OK);
                    while zx_channel_read(near, 0, &mut reply, &mut [], None, None)
                        == ZX_ERR_SHOULD_WAIT
                    {
                        zx_object_wait_one(near, ZX_CHANNEL_READABLE, ZX_TIME_INFINITE, None);
                    }
                }
            })
        });
        assert_eq!(zx_handle_close(near), ZX_OK);
        echo.join().expect("echo thread");
    }
    group.finish();
}

fn round_trips(c: &mut Criterion) {
    for placement in Placement::available() {
        round_trip_port(c, placement);
        round_trip_condvar(c, placement);
        round_trip_crossbeam(c, placement);
    }
    // After the unpinned condvar and crossbeam round trips, in the same process.
    round_trip_channels(c);
}

criterion_group! {
    name = ports;
    config = common::config();
    targets = port_queue_wait, object_wait_async_fire_and_wait, round_trips
}
criterion_main!(ports);
