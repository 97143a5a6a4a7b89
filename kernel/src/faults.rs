//! Fault injection: a kernel built with [`Config::with_faults`](crate::Config::with_faults) gives
//! the answers Zircon gives when memory runs out or a limit is reached, at chosen moments, so
//! programs can test their error paths (`docs/observability.md`, "Fault injection").
//!
//! A [`FaultPlan`] is data: explicit rules ("the 3rd handle minted fails", "every channel message
//! from the 10th on fails"), a seeded random rate per site, a smaller `zx_port_queue` capacity and
//! a lower observer policy limit. [`Faults`] is the kernel's running copy: one attempt counter per
//! [`FaultSite`], so whether attempt *n* at a site fails depends only on the plan and *n* — a
//! single-threaded program sees the same faults on every run.
//!
//! Injection points (each a one-line check at the place the kernel would allocate):
//! - [`FaultSite::Handle`]: `KernelShared::reserve_handle`, under every handle minted — object
//!   creation, `zx_handle_duplicate`, `zx_handle_replace`, `zx_process_self`, a DUPLICATE
//!   disposition of `zx_channel_write_etc` — answers `NO_MEMORY` (Zircon: the handle arena);
//! - [`FaultSite::PortPacket`]: `Port::queue_user` (`zx_port_queue`) answers `NO_MEMORY` before
//!   queueing (Zircon: the packet allocation);
//! - [`FaultSite::Observer`]: `zx_object_wait_async`, after its argument checks, answers
//!   `NO_MEMORY` and registers nothing (Zircon: the observer allocation);
//! - [`FaultSite::ChannelMessage`]: `zx_channel_write`, `zx_channel_write_etc` and
//!   `zx_channel_call`, after the channel and size checks, answer `NO_MEMORY`; the handles passed
//!   are consumed, as on every failure of those calls (Zircon: the message allocation);
//! - [`FaultPlan::port_capacity`]: `zx_port_queue` answers `SHOULD_WAIT` with the
//!   `PORT_TOO_MANY_PACKETS` policy exception once more than that many user packets are queued
//!   (Zircon: 4096);
//! - [`FaultPlan::observer_limit`]: `zx_object_wait_async` raises `PORT_TOO_MANY_OBSERVERS` once
//!   the port has more than that many pending observers (Zircon: 50 000, boot option
//!   `kernel.port.max-observers`); the wait is still registered, as Zircon does.
//!
//! A kernel without a plan pays one predictable branch per check.

use crate::status::Status;
use crate::sync::{AtomicU64, Ordering};

/// Where a fault can be injected.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FaultSite {
    /// Minting a handle (the handle arena).
    Handle,
    /// A `zx_port_queue` packet.
    PortPacket,
    /// A `zx_object_wait_async` observer.
    Observer,
    /// A channel message (`zx_channel_write`, `_write_etc`, `_call`).
    ChannelMessage,
}

impl FaultSite {
    pub const ALL: [FaultSite; 4] = [
        FaultSite::Handle,
        FaultSite::PortPacket,
        FaultSite::Observer,
        FaultSite::ChannelMessage,
    ];

    fn index(self) -> usize {
        self as usize
    }
}

/// One explicit rule of a plan.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Rule {
    /// Attempt `n` (1-based) at `site` fails.
    Nth(FaultSite, u64),
    /// Every attempt at `site` from the `n`-th on fails.
    From(FaultSite, u64),
}

/// Seeded random faults: attempt `n` at a listed site fails when a hash of (seed, site, n) falls
/// below `per_million`.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Random {
    seed: u64,
    per_million: u32,
    sites: Vec<FaultSite>,
}

/// What a kernel's faults are: build with the methods, pass to
/// [`Config::with_faults`](crate::Config::with_faults).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FaultPlan {
    rules: Vec<Rule>,
    random: Option<Random>,
    port_capacity: Option<usize>,
    observer_limit: Option<usize>,
}

impl FaultPlan {
    /// A plan that injects nothing (add rules).
    pub fn new() -> FaultPlan {
        FaultPlan::default()
    }

    /// The `n`-th attempt (counting from 1) at `site` answers `NO_MEMORY`.
    pub fn fail_nth(mut self, site: FaultSite, n: u64) -> FaultPlan {
        self.rules.push(Rule::Nth(site, n));
        self
    }

    /// Every attempt at `site` from the `n`-th (counting from 1) on answers `NO_MEMORY`.
    pub fn fail_from(mut self, site: FaultSite, n: u64) -> FaultPlan {
        self.rules.push(Rule::From(site, n));
        self
    }

    /// Each attempt at one of `sites` answers `NO_MEMORY` with probability
    /// `per_million / 10⁶`, drawn from `seed` and the attempt's number at its site.
    pub fn random(mut self, seed: u64, per_million: u32, sites: &[FaultSite]) -> FaultPlan {
        self.random = Some(Random {
            seed,
            per_million,
            sites: sites.to_vec(),
        });
        self
    }

    /// `zx_port_queue` answers `SHOULD_WAIT` (and raises `PORT_TOO_MANY_PACKETS`) once more than
    /// `packets` user packets are queued on the port (Zircon's limit is 4096).
    pub fn port_capacity(mut self, packets: usize) -> FaultPlan {
        self.port_capacity = Some(packets);
        self
    }

    /// `zx_object_wait_async` raises `PORT_TOO_MANY_OBSERVERS` once the port has more than
    /// `observers` pending observers (Zircon's limit is 50 000).
    pub fn observer_limit(mut self, observers: usize) -> FaultPlan {
        self.observer_limit = Some(observers);
        self
    }

    fn fails(&self, site: FaultSite, attempt: u64) -> bool {
        let ruled = self.rules.iter().any(|rule| match *rule {
            Rule::Nth(at, n) => at == site && attempt == n,
            Rule::From(at, n) => at == site && attempt >= n,
        });
        ruled
            || self.random.as_ref().is_some_and(|random| {
                random.sites.contains(&site)
                    && mix(random.seed ^ ((site.index() as u64) << 56), attempt) % 1_000_000
                        < u64::from(random.per_million)
            })
    }
}

/// SplitMix64 of `seed + n`.
fn mix(seed: u64, n: u64) -> u64 {
    let mut z = seed.wrapping_add(n.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A kernel's running fault plan: attempt and injection counters per site.
pub struct Faults {
    plan: Option<Box<FaultPlan>>,
    attempts: [AtomicU64; 4],
    injected: [AtomicU64; 4],
}

impl Faults {
    pub(crate) fn new(plan: Option<FaultPlan>) -> Faults {
        Faults {
            plan: plan.map(Box::new),
            attempts: std::array::from_fn(|_| AtomicU64::new(0)),
            injected: std::array::from_fn(|_| AtomicU64::new(0)),
        }
    }

    /// One allocation attempt at `site`: `Err(NO_MEMORY)` if the plan fails it.
    #[inline]
    pub fn check(&self, site: FaultSite) -> Result<(), Status> {
        match &self.plan {
            None => Ok(()),
            Some(plan) => self.attempt(plan, site),
        }
    }

    #[cold]
    fn attempt(&self, plan: &FaultPlan, site: FaultSite) -> Result<(), Status> {
        let attempt = self.attempts[site.index()].fetch_add(1, Ordering::Relaxed) + 1;
        if plan.fails(site, attempt) {
            self.injected[site.index()].fetch_add(1, Ordering::Relaxed);
            tracing::debug!(?site, attempt, "fault injected: NO_MEMORY");
            return Err(Status::NO_MEMORY);
        }
        Ok(())
    }

    /// Faults injected so far at `site`.
    pub fn injected(&self, site: FaultSite) -> u64 {
        self.injected[site.index()].load(Ordering::Relaxed)
    }

    /// Attempts made so far at `site` (counted only while a plan is installed).
    pub fn attempts(&self, site: FaultSite) -> u64 {
        self.attempts[site.index()].load(Ordering::Relaxed)
    }

    /// User packets a port may hold before `zx_port_queue` answers `SHOULD_WAIT`, or `default`.
    #[inline]
    pub fn port_capacity(&self, default: usize) -> usize {
        self.plan
            .as_ref()
            .and_then(|plan| plan.port_capacity)
            .unwrap_or(default)
    }

    /// Pending observers a port may hold before `PORT_TOO_MANY_OBSERVERS`, or `default`.
    #[inline]
    pub fn observer_limit(&self, default: usize) -> usize {
        self.plan
            .as_ref()
            .and_then(|plan| plan.observer_limit)
            .unwrap_or(default)
    }
}

impl std::fmt::Debug for Faults {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Faults").field("plan", &self.plan).finish()
    }
}

#[cfg(all(test, not(any(zxsim_loom, zxsim_shuttle))))]
mod tests {
    use super::*;

    #[test]
    fn no_plan_never_fails_and_counts_nothing() {
        let faults = Faults::new(None);
        for _ in 0..100 {
            assert_eq!(faults.check(FaultSite::Handle), Ok(()));
        }
        assert_eq!(faults.attempts(FaultSite::Handle), 0);
        assert_eq!(faults.port_capacity(4096), 4096);
        assert_eq!(faults.observer_limit(50_000), 50_000);
    }

    #[test]
    fn nth_and_from_rules_hit_exactly_their_attempts() {
        let plan = FaultPlan::new()
            .fail_nth(FaultSite::Handle, 2)
            .fail_from(FaultSite::ChannelMessage, 3);
        let faults = Faults::new(Some(plan));
        let handle: Vec<bool> = (0..4)
            .map(|_| faults.check(FaultSite::Handle).is_err())
            .collect();
        assert_eq!(handle, [false, true, false, false]);
        let message: Vec<bool> = (0..5)
            .map(|_| faults.check(FaultSite::ChannelMessage).is_err())
            .collect();
        assert_eq!(message, [false, false, true, true, true]);
        assert_eq!(faults.check(FaultSite::Observer), Ok(()));
        assert_eq!(faults.injected(FaultSite::Handle), 1);
        assert_eq!(faults.injected(FaultSite::ChannelMessage), 3);
        assert_eq!(faults.check(FaultSite::Handle), Ok(()));
    }

    #[test]
    fn random_faults_follow_the_seed_and_the_rate() {
        let run = |seed| {
            let faults = Faults::new(Some(FaultPlan::new().random(
                seed,
                100_000,
                &[FaultSite::PortPacket],
            )));
            let fails: Vec<bool> = (0..10_000)
                .map(|_| faults.check(FaultSite::PortPacket).is_err())
                .collect();
            assert_eq!(faults.check(FaultSite::Handle), Ok(()), "an unlisted site");
            fails
        };
        let first = run(7);
        assert_eq!(first, run(7), "the same seed, the same faults");
        assert_ne!(first, run(8));
        let count = first.iter().filter(|&&failed| failed).count();
        assert!((800..1_200).contains(&count), "10 % of 10 000: {count}");
    }

    #[test]
    fn limits_replace_the_defaults() {
        let faults = Faults::new(Some(FaultPlan::new().port_capacity(3).observer_limit(5)));
        assert_eq!(faults.port_capacity(4096), 3);
        assert_eq!(faults.observer_limit(50_000), 5);
        assert_eq!(faults.check(FaultSite::PortPacket), Ok(()));
    }
}
