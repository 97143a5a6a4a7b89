//! Stale handle values: one handle created and closed 10⁶ times in a row never gets a value it
//! had before, so a stale value held by buggy code keeps answering `BAD_HANDLE` instead of
//! naming a newer handle. (Eager slot reuse repeats a value after 4096 rounds: the 12-bit
//! generation wraps.)

use std::collections::HashSet;

use zxsim_kernel::{Config, Kernel};
use zxsim_syscalls::sys::*;

#[test]
fn a_million_create_close_rounds_never_reissue_a_value() {
    const ROUNDS: usize = 1_000_000;
    let kernel = Kernel::new(Config::default().with_virtual_clock());
    let process = kernel.create_process();
    let _bound = process.bind();
    let mut event = ZX_HANDLE_INVALID;
    assert_eq!(zx_event_create(0, &mut event), ZX_OK);
    let mut seen = HashSet::with_capacity(ROUNDS);
    let mut first = ZX_HANDLE_INVALID;
    for round in 0..ROUNDS {
        let mut copy = ZX_HANDLE_INVALID;
        assert_eq!(
            zx_handle_duplicate(event, ZX_RIGHT_SAME_RIGHTS, &mut copy),
            ZX_OK
        );
        assert!(
            seen.insert(copy),
            "round {round} reissued the stale value {copy:#x}"
        );
        if round == 0 {
            first = copy;
        }
        assert_eq!(zx_handle_close(copy), ZX_OK);
    }
    assert_eq!(seen.len(), ROUNDS);
    assert_eq!(
        zx_handle_close(first),
        ZX_ERR_BAD_HANDLE,
        "the oldest value is still stale"
    );
    assert_eq!(zx_handle_close(event), ZX_OK);
    assert_eq!((kernel.live_objects(), kernel.live_handles()), (0, 0));
}
