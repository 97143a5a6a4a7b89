//! What every object of one kernel shares: its configuration, clock, koid allocator, handle
//! accounting and registry. The [`Kernel`](crate::Kernel) value and every object hold it.
//!
//! Accounting invariant: `live_objects` and `live_handles` return to their previous values once
//! every handle a program created has been closed — nothing is leaked.

use crate::clock::Clock;
use crate::config::{Config, Profile};
use crate::faults::{FaultSite, Faults};
use crate::handle::HandleId;
use crate::registry::Registry;
use crate::status::Status;
use crate::sync::{AtomicU64, AtomicUsize, Ordering};
use crate::types::{Koid, KOID_FIRST};

/// State shared by everything in one kernel.
pub struct KernelShared {
    pub(crate) config: Config,
    pub(crate) clock: Clock,
    next_koid: AtomicU64,
    next_handle_id: AtomicU64,
    pub(crate) live_objects: AtomicUsize,
    pub(crate) live_handles: AtomicUsize,
    max_handles: usize,
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
            next_handle_id: AtomicU64::new(1),
            live_objects: AtomicUsize::new(0),
            live_handles: AtomicUsize::new(0),
            max_handles,
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
    pub(crate) fn reserve_handle(&self) -> Result<HandleId, Status> {
        self.faults.check(FaultSite::Handle)?;
        let previous = self.live_handles.fetch_add(1, Ordering::AcqRel);
        if previous >= self.max_handles {
            self.live_handles.fetch_sub(1, Ordering::AcqRel);
            return Err(Status::NO_MEMORY);
        }
        Ok(HandleId(
            self.next_handle_id.fetch_add(1, Ordering::Relaxed),
        ))
    }

    pub(crate) fn release_handle(&self) {
        self.live_handles.fetch_sub(1, Ordering::AcqRel);
    }
}
