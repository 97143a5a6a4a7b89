//! How costs grow with the state around them; each benchmark is its own baseline (the ratio of
//! the large case to the small one):
//! - `Scale/CancelKey/{10,100000}`: `zx_port_cancel_key` of one pending wait while that many
//!   other waits (other keys) are pending on the port; the cancelled wait is registered again in
//!   the same iteration.
//! - `Scale/HandleLookup/{10,200000}`: `zx_object_signal` through one handle while the process
//!   holds that many live handles.

mod common;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use zxsim_kernel::Config;
use zxsim_syscalls::sys::*;

use common::Bound;

const CANCEL_KEY_SIZES: [usize; 2] = [10, 100_000];
const HANDLE_LOOKUP_SIZES: [usize; 2] = [10, 200_000];

/// The key of the wait the benchmark cancels (the others use keys 1..=n).
const CANCELLED_KEY: u64 = 0;

fn cancel_key(c: &mut Criterion) {
    let mut group = c.benchmark_group("Scale");
    for others in CANCEL_KEY_SIZES {
        let _bound = Bound::new();
        let (mut port, mut crowd, mut target) = (0, 0, 0);
        assert_eq!(zx_port_create(0, &mut port), ZX_OK);
        assert_eq!(zx_event_create(0, &mut crowd), ZX_OK);
        assert_eq!(zx_event_create(0, &mut target), ZX_OK);
        for key in 1..=others as u64 {
            assert_eq!(
                zx_object_wait_async(crowd, port, key, ZX_EVENT_SIGNALED, 0),
                ZX_OK
            );
        }
        assert_eq!(
            zx_object_wait_async(target, port, CANCELLED_KEY, ZX_EVENT_SIGNALED, 0),
            ZX_OK
        );
        group.bench_function(BenchmarkId::new("CancelKey", others), |b| {
            b.iter(|| {
                let status = zx_port_cancel_key(std::hint::black_box(port), 0, CANCELLED_KEY);
                debug_assert_eq!(status, ZX_OK);
                let status =
                    zx_object_wait_async(target, port, CANCELLED_KEY, ZX_EVENT_SIGNALED, 0);
                debug_assert_eq!(status, ZX_OK);
                status
            })
        });
        assert_eq!(zx_handle_close_many(&[port, crowd, target]), ZX_OK);
    }
    group.finish();
}

fn handle_lookup(c: &mut Criterion) {
    let mut group = c.benchmark_group("Scale");
    for live in HANDLE_LOOKUP_SIZES {
        let _bound = Bound::with_config(Config::default().with_max_handles(live + 16));
        let mut event = 0;
        assert_eq!(zx_event_create(0, &mut event), ZX_OK);
        let mut duplicates = Vec::with_capacity(live - 1);
        for _ in 1..live {
            let mut duplicate = 0;
            assert_eq!(
                zx_handle_duplicate(event, ZX_RIGHT_SAME_RIGHTS, &mut duplicate),
                ZX_OK
            );
            duplicates.push(duplicate);
        }
        // Signal through a handle from the middle of the table.
        let through = duplicates
            .get(duplicates.len() / 2)
            .copied()
            .unwrap_or(event);
        let mut set = false;
        group.bench_function(BenchmarkId::new("HandleLookup", live), |b| {
            b.iter(|| {
                set = !set;
                let (clear, set) = if set {
                    (0, ZX_EVENT_SIGNALED)
                } else {
                    (ZX_EVENT_SIGNALED, 0)
                };
                let status = zx_object_signal(std::hint::black_box(through), clear, set);
                debug_assert_eq!(status, ZX_OK);
                status
            })
        });
        assert_eq!(zx_handle_close_many(&duplicates), ZX_OK);
        assert_eq!(zx_handle_close(event), ZX_OK);
    }
    group.finish();
}

criterion_group! {
    name = scale;
    config = common::config();
    targets = cancel_key, handle_lookup
}
criterion_main!(scale);
