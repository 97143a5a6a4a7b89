//! The C ABI's overhead: `CAbi/EventSignal` calls `zx_object_signal` through its exported
//! `extern "C"` symbol (via a function pointer, as a C caller's PLT call would); the baseline
//! `CAbi/baseline/sys EventSignal` is the same operation through the Rust `sys` call, measured in
//! the same run. `cargo xtask bench` prints the ratio (goal ≤ 1.1).

use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use zxsim_kernel::{Config, Kernel};
use zxsim_syscalls::sys;

type SignalFn = extern "C" fn(sys::zx_handle_t, u32, u32) -> sys::zx_status_t;

fn event_signal(c: &mut Criterion) {
    let kernel = Kernel::new(Config::default());
    let process = kernel.create_process();
    let _bound = process.bind();
    let mut event = 0;
    assert_eq!(sys::zx_event_create(0, &mut event), sys::ZX_OK);
    let mut group = c.benchmark_group("CAbi");
    let c_call: SignalFn = std::hint::black_box(zxsim_capi::zx_object_signal as SignalFn);
    let mut set = false;
    let mut toggle = move || {
        set = !set;
        if set {
            (0, sys::ZX_EVENT_SIGNALED)
        } else {
            (sys::ZX_EVENT_SIGNALED, 0)
        }
    };
    group.bench_function("EventSignal", |b| {
        b.iter(|| {
            let (clear, set) = toggle();
            c_call(std::hint::black_box(event), clear, set)
        })
    });
    group.bench_function("baseline/sys EventSignal", |b| {
        b.iter(|| {
            let (clear, set) = toggle();
            sys::zx_object_signal(std::hint::black_box(event), clear, set)
        })
    });
    group.finish();
    assert_eq!(sys::zx_handle_close(event), sys::ZX_OK);
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
}

criterion_group! {
    name = benches;
    config = config();
    targets = event_signal
}
criterion_main!(benches);
