//! One-thread costs of the basic syscalls, each beside a crossbeam send+recv measured in the
//! same run: `Event/Signal`, `Event/CreateClose`, `Channel/CreateClose`, `Handle/DuplicateClose`,
//! `WaitOne/AlreadySignaled`.

mod common;

use criterion::{criterion_group, criterion_main, Criterion};
use zxsim_syscalls::sys::*;

use common::{crossbeam_send_recv, Bound};

/// `Event/Signal`: one `zx_object_signal` per iteration, alternately setting and clearing
/// `ZX_EVENT_SIGNALED`, with nobody observing the event.
fn event_signal(c: &mut Criterion) {
    let _bound = Bound::new();
    let mut event = 0;
    assert_eq!(zx_event_create(0, &mut event), ZX_OK);
    let mut group = c.benchmark_group("Event");
    let mut set = false;
    group.bench_function("Signal", |b| {
        b.iter(|| {
            set = !set;
            let (clear, set) = if set {
                (0, ZX_EVENT_SIGNALED)
            } else {
                (ZX_EVENT_SIGNALED, 0)
            };
            let status = zx_object_signal(std::hint::black_box(event), clear, set);
            debug_assert_eq!(status, ZX_OK);
            status
        })
    });
    // `Event/CreateClose`: the creation path (a new object, its first handle, its destruction
    // when that handle closes) — what the kernel's object registry adds to.
    group.bench_function("CreateClose", |b| {
        b.iter(|| {
            let mut created = 0;
            let status = zx_event_create(0, &mut created);
            debug_assert_eq!(status, ZX_OK);
            zx_handle_close(std::hint::black_box(created))
        })
    });
    crossbeam_send_recv(&mut group);
    group.finish();
    assert_eq!(zx_handle_close(event), ZX_OK);
}

/// `Channel/CreateClose`: `zx_channel_create` then closing both endpoints — the path where the
/// kernel's endpoint registry (for the leak report) takes its shard locks.
fn channel_create_close(c: &mut Criterion) {
    let _bound = Bound::new();
    let mut group = c.benchmark_group("Channel");
    group.bench_function("CreateClose", |b| {
        b.iter(|| {
            let (mut a, mut z) = (0, 0);
            let status = zx_channel_create(0, &mut a, &mut z);
            debug_assert_eq!(status, ZX_OK);
            zx_handle_close(std::hint::black_box(a));
            zx_handle_close(std::hint::black_box(z))
        })
    });
    crossbeam_send_recv(&mut group);
    group.finish();
}

/// `Handle/DuplicateClose`: `zx_handle_duplicate` then `zx_handle_close` of the duplicate.
fn handle_duplicate_close(c: &mut Criterion) {
    let _bound = Bound::new();
    let mut event = 0;
    assert_eq!(zx_event_create(0, &mut event), ZX_OK);
    let mut group = c.benchmark_group("Handle");
    group.bench_function("DuplicateClose", |b| {
        b.iter(|| {
            let mut duplicate = 0;
            let status = zx_handle_duplicate(
                std::hint::black_box(event),
                ZX_RIGHT_SAME_RIGHTS,
                &mut duplicate,
            );
            debug_assert_eq!(status, ZX_OK);
            zx_handle_close(std::hint::black_box(duplicate))
        })
    });
    crossbeam_send_recv(&mut group);
    group.finish();
    assert_eq!(zx_handle_close(event), ZX_OK);
}

/// `WaitOne/AlreadySignaled`: `zx_object_wait_one` on an event whose signal is already active
/// (the wait never blocks).
fn wait_one_already_signaled(c: &mut Criterion) {
    let _bound = Bound::new();
    let mut event = 0;
    assert_eq!(zx_event_create(0, &mut event), ZX_OK);
    assert_eq!(zx_object_signal(event, 0, ZX_EVENT_SIGNALED), ZX_OK);
    let mut group = c.benchmark_group("WaitOne");
    group.bench_function("AlreadySignaled", |b| {
        b.iter(|| {
            let mut observed = 0;
            let status = zx_object_wait_one(
                std::hint::black_box(event),
                ZX_EVENT_SIGNALED,
                ZX_TIME_INFINITE,
                Some(&mut observed),
            );
            debug_assert_eq!(status, ZX_OK);
            observed
        })
    });
    crossbeam_send_recv(&mut group);
    group.finish();
    assert_eq!(zx_handle_close(event), ZX_OK);
}

criterion_group! {
    name = foundation;
    config = common::config();
    targets = event_signal, channel_create_close, handle_duplicate_close, wait_one_already_signaled
}
criterion_main!(foundation);
