//! What the syscall layer's integration tests share (`mod common;` in each): the one bounded
//! wait for another thread. No test spins without a bound: a wait that never ends fails the test
//! with what it was waiting for.

use std::time::{Duration, Instant};

/// How long (real time) a test waits for another thread before declaring it stuck; threads may
/// need a while to block on a loaded machine, never this long.
pub const PATIENCE: Duration = Duration::from_secs(10);

/// Polls `condition` until it holds; fails the test naming `what` after [`PATIENCE`].
#[track_caller]
pub fn eventually(what: &str, condition: impl Fn() -> bool) {
    let started = Instant::now();
    while !condition() {
        assert!(
            started.elapsed() < PATIENCE,
            "gave up after {PATIENCE:?} waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(1));
    }
}
