//! The kernel-wide handle cap, kept without a kernel-wide write per handle.
//!
//! Zircon caps live handles per kernel (its handle arena). A single counter would make every
//! `zx_handle_duplicate` and `zx_handle_close` in every process write one cache line, which then
//! bounces between the cores of processes that share nothing else. Instead the budget is split:
//! a **pool** of handles no thread has claimed, and per-thread-group **shards** of spare budget.
//! Minting a handle takes one unit from the calling thread's shard; closing one gives it back
//! there. A shard refills from the pool (and returns its excess) [`CHUNK`] units at a time, so
//! the pool is touched once per `CHUNK` handles, not once per handle.
//!
//! **The cap stays exact.** Units only move between the pool, the shards and live handles, so
//! `live = cap - pool - Σ spare` always. A thread whose shard and the pool are both empty sweeps
//! the other shards before refusing: a mint fails with `NO_MEMORY` only when the sweep found no
//! spare unit anywhere. (A release racing that sweep may return a unit just after it looked —
//! the refusal is then ordered before that release, as if it had happened first.)
//!
//! `live()` sums the shards: it costs more than a load, and no syscall calls it.

use crate::status::Status;
use crate::sync::{thread_shard, AtomicI64, Ordering};

/// Units a shard takes from the pool at once, and gives back once it holds twice as many.
const CHUNK: i64 = 64;
/// Shards (a power of two): enough that threads on different cores rarely share one.
const SHARDS: usize = 16;

/// One shard's spare budget, alone on its cache line(s).
#[repr(align(128))]
struct Shard {
    spare: AtomicI64,
}

pub(crate) struct HandleBudget {
    cap: i64,
    pool: AtomicI64,
    shards: Box<[Shard]>,
}

impl HandleBudget {
    pub(crate) fn new(cap: usize) -> HandleBudget {
        let cap = i64::try_from(cap).unwrap_or(i64::MAX);
        HandleBudget {
            cap,
            pool: AtomicI64::new(cap),
            shards: (0..SHARDS)
                .map(|_| Shard {
                    spare: AtomicI64::new(0),
                })
                .collect(),
        }
    }

    fn shard(&self) -> &Shard {
        &self.shards[thread_shard(SHARDS)]
    }

    /// Claims one unit for a new handle; `NO_MEMORY` at the cap.
    pub(crate) fn reserve(&self) -> Result<(), Status> {
        let shard = self.shard();
        if take_one(&shard.spare) {
            return Ok(());
        }
        let taken = self.take_from_pool(CHUNK);
        if taken > 0 {
            shard.spare.fetch_add(taken - 1, Ordering::AcqRel);
            return Ok(());
        }
        if self.shards.iter().any(|other| take_one(&other.spare)) {
            return Ok(());
        }
        Err(Status::NO_MEMORY)
    }

    /// Gives back the unit of a deleted handle.
    pub(crate) fn release(&self) {
        let shard = self.shard();
        let spare = shard.spare.fetch_add(1, Ordering::AcqRel) + 1;
        if spare >= 2 * CHUNK {
            // Return a chunk, unless other threads of this shard spent it meanwhile.
            let returned = take_up_to(&shard.spare, CHUNK);
            if returned > 0 {
                self.pool.fetch_add(returned, Ordering::AcqRel);
            }
        }
    }

    /// Handles alive now (exact when no mint or release runs concurrently).
    pub(crate) fn live(&self) -> usize {
        let spare: i64 = self
            .shards
            .iter()
            .map(|shard| shard.spare.load(Ordering::Acquire))
            .sum();
        usize::try_from(self.cap - self.pool.load(Ordering::Acquire) - spare).unwrap_or(0)
    }

    fn take_from_pool(&self, wanted: i64) -> i64 {
        take_up_to(&self.pool, wanted)
    }
}

/// Takes one unit from `counter` if it has any.
fn take_one(counter: &AtomicI64) -> bool {
    take_up_to(counter, 1) == 1
}

/// Takes up to `wanted` units from `counter`, never driving it below zero; returns how many.
fn take_up_to(counter: &AtomicI64, wanted: i64) -> i64 {
    let mut current = counter.load(Ordering::Acquire);
    loop {
        if current <= 0 {
            return 0;
        }
        let taken = current.min(wanted);
        match counter.compare_exchange(
            current,
            current - taken,
            Ordering::AcqRel,
            Ordering::Acquire,
        ) {
            Ok(_) => return taken,
            Err(now) => current = now,
        }
    }
}

#[cfg(all(test, not(zxsim_loom)))]
mod tests {
    use super::*;
    use crate::sync::{thread, Arc};

    #[test]
    fn the_cap_is_exact_from_one_thread() {
        let budget = HandleBudget::new(1000);
        for _ in 0..1000 {
            budget.reserve().expect("below the cap");
        }
        assert_eq!(budget.reserve(), Err(Status::NO_MEMORY));
        assert_eq!(budget.live(), 1000);
        for _ in 0..1000 {
            budget.release();
        }
        assert_eq!(budget.live(), 0);
        budget.reserve().expect("budget came back");
    }

    /// The sharding itself: a thread that mints and closes in a loop touches the pool once per
    /// chunk, and a shard keeps at most two chunks, returning the excess.
    #[test]
    fn the_pool_is_touched_once_per_chunk_and_a_shard_keeps_at_most_two() {
        let budget = HandleBudget::new(1000);
        let pool = || budget.pool.load(Ordering::Acquire);
        let spare = || budget.shard().spare.load(Ordering::Acquire);
        for _ in 0..10_000 {
            budget.reserve().expect("below the cap");
            budget.release();
        }
        assert_eq!(
            (pool(), spare()),
            (1000 - CHUNK, CHUNK),
            "one refill, nothing returned"
        );
        for _ in 0..200 {
            budget.reserve().expect("below the cap");
        }
        // 200 minted from 64 spare: two more chunks taken.
        assert_eq!((pool(), spare()), (1000 - 4 * CHUNK, 56));
        for _ in 0..150 {
            budget.release();
        }
        // Each time the shard reaches two chunks it returns one: at 128 and again at 128.
        assert_eq!((pool(), spare()), (1000 - 2 * CHUNK, 78));
        for _ in 0..50 {
            budget.release();
        }
        assert_eq!((pool(), spare()), (1000 - CHUNK, CHUNK));
        assert_eq!(budget.live(), 0);
    }

    #[test]
    fn units_spare_in_another_threads_shard_are_found_at_the_cap() {
        let budget = Arc::new(HandleBudget::new(200));
        // Another thread mints and releases: its shard keeps the spare units.
        let other = budget.clone();
        thread::spawn(move || {
            for _ in 0..100 {
                other.reserve().expect("below the cap");
            }
            for _ in 0..100 {
                other.release();
            }
        })
        .join()
        .unwrap();
        assert_eq!(budget.live(), 0);
        for _ in 0..200 {
            budget
                .reserve()
                .expect("the other shard's spare units count");
        }
        assert_eq!(budget.reserve(), Err(Status::NO_MEMORY));
    }

    #[test]
    fn threads_minting_and_closing_keep_the_count() {
        let budget = Arc::new(HandleBudget::new(10_000));
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let budget = budget.clone();
                thread::spawn(move || {
                    for _ in 0..10_000 {
                        budget.reserve().expect("below the cap");
                        budget.release();
                    }
                    for _ in 0..500 {
                        budget.reserve().expect("below the cap");
                    }
                })
            })
            .collect();
        for thread in threads {
            thread.join().unwrap();
        }
        assert_eq!(budget.live(), 2000);
    }
}
