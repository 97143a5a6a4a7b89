//! What every object of one kernel shares: its configuration, clock, koid allocator, handle
//! accounting and registry. The [`Kernel`](crate::Kernel) value and every object hold it.
//!
//! Accounting invariant: `live_objects` and `live_handles` return to their previous values once
//! every handle a program created has been closed — nothing is leaked.

use crate::budget::HandleBudget;
use crate::clock::Clock;
use crate::config::{Config, Profile};
use crate::faults::{FaultSite, Faults};
use crate::registry::Registry;
use crate::status::Status;
use crate::sync::{AtomicU64, AtomicUsize, Ordering};
use crate::types::{Koid, KOID_FIRST};

/// State shared by everything in one kernel.
pub struct KernelShared {
    pub(crate) config: Config,
    pub(crate) clock: Clock,
    next_koid: AtomicU64,
    pub(crate) live_objects: AtomicUsize,
    /// The kernel-wide handle cap, sharded so minting and closing write nothing kernel-wide.
    handles: HandleBudget,
    /// Objects that hold handles, and the count of objects with handles (the leak report's
    /// view).
    pub(crate) registry: Registry,
    /// The fault plan's running state (`Config::with_faults`).
    pub(crate) faults: Faults,
}

impl KernelShared {
    pub(crate) fn new(config: Config) -> KernelShared {
        let max_handles = config.max_handles.min(crate::handle::MAX_HANDLES_PER_TABLE);
        let clock = Clock::new(config.clock);
        let faults = Faults::new(config.faults.clone());
        KernelShared {
            config,
            clock,
            next_koid: AtomicU64::new(KOID_FIRST),
            live_objects: AtomicUsize::new(0),
            handles: HandleBudget::new(max_handles),
            registry: Registry::new(),
            faults,
        }
    }

    pub(crate) fn allocate_koid(&self) -> Koid {
        self.next_koid.fetch_add(1, Ordering::Relaxed)
    }

    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    pub fn profile(&self) -> Profile {
        self.config.profile
    }

    /// Accounts for one more live handle, failing at the arena cap.
    pub(crate) fn reserve_handle(&self) -> Result<(), Status> {
        self.faults.check(FaultSite::Handle)?;
        self.handles.reserve()
    }

    pub(crate) fn release_handle(&self) {
        self.handles.release();
    }

    /// Handles alive in the kernel (sums the budget's shards).
    pub(crate) fn live_handles(&self) -> usize {
        self.handles.live()
    }
}
