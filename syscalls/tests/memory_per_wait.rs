//! Memory per pending async wait: heap bytes still allocated after registering 100 000
//! `zx_object_wait_async` waits, divided by 100 000. Goal (docs/performance.md): ≤ 256 bytes.
//!
//! A counting global allocator (`benches/common/memory.rs`, shared with the `memory` bench
//! target) tracks the live heap of this test binary; the test is alone in its binary so nothing
//! else allocates meanwhile. The waits are spread over two ports of
//! 50 000 each so that no `PORT_TOO_MANY_OBSERVERS` policy exception (and its log entry) is
//! counted as the waits' memory. `cargo xtask bench` runs this test and reports the figure it
//! prints.

#[path = "../benches/common/memory.rs"]
#[allow(dead_code)] // the RSS reading serves the `memory` bench target
mod memory;

use zxsim_kernel::{Config, Kernel};
use zxsim_syscalls::sys::*;

use memory::{live_heap_bytes, Counting};

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const WAITS: usize = 100_000;
const PORTS: usize = 2;

#[test]
fn memory_per_pending_async_wait() {
    let kernel = Kernel::new(Config::default());
    let process = kernel.create_process();
    let _bound = process.bind();
    let mut ports = [0; PORTS];
    for port in &mut ports {
        assert_eq!(zx_port_create(0, port), ZX_OK);
    }
    let mut event = 0;
    assert_eq!(zx_event_create(0, &mut event), ZX_OK);

    let before = live_heap_bytes();
    for key in 0..WAITS as u64 {
        let port = ports[key as usize % PORTS];
        assert_eq!(
            zx_object_wait_async(event, port, key, ZX_EVENT_SIGNALED, 0),
            ZX_OK
        );
    }
    let after = live_heap_bytes();
    let per_wait = (after - before) as f64 / WAITS as f64;
    println!(
        "memory per pending async wait: {per_wait:.1} bytes ({} bytes for {WAITS} waits)",
        after - before
    );
    assert!(
        process.policy_exceptions().is_empty(),
        "the waits must stay under the per-port observer limit"
    );

    assert_eq!(zx_handle_close_many(&ports), ZX_OK);
    assert_eq!(zx_handle_close(event), ZX_OK);
    assert_eq!((kernel.live_objects(), kernel.live_handles()), (0, 0));
    assert!(
        per_wait <= 256.0,
        "{per_wait:.1} bytes per pending async wait exceeds the 256-byte goal"
    );
}
