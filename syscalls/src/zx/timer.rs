//! Timer: asserts `Signals::TIMER_SIGNALED` at a deadline on the kernel clock.
//!
//! The timeline is part of the type, as in the real crate: a [`MonotonicTimer`] takes
//! [`MonotonicInstant`] deadlines, a [`BootTimer`] [`BootInstant`](super::BootInstant) ones (the
//! same kernel clock in zxsim).

use std::marker::PhantomData;

use super::time::BootTimeline;
use super::{
    ok, AsHandleRef, Duration, Handle, HandleBased, HandleRef, Instant, MonotonicTimeline, NsUnit,
    Result, Timeline,
};
use crate::sys;

/// A handle to a timer on timeline `T`. Default rights `BASIC | WRITE | SIGNAL`.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(transparent)]
pub struct Timer<T = MonotonicTimeline>(Handle, PhantomData<T>);

/// A timer whose deadlines are on the monotonic clock.
pub type MonotonicTimer = Timer<MonotonicTimeline>;
/// A timer whose deadlines are on the boot clock.
pub type BootTimer = Timer<BootTimeline>;

/// Where in `[deadline − slack, deadline + slack]` a timer may fire.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Slack {
    #[default]
    Center,
    Early,
    Late,
}

fn create_raw(slack: Slack) -> Handle {
    let options = match slack {
        Slack::Center => sys::ZX_TIMER_SLACK_CENTER,
        Slack::Early => sys::ZX_TIMER_SLACK_EARLY,
        Slack::Late => sys::ZX_TIMER_SLACK_LATE,
    };
    let mut out = sys::ZX_HANDLE_INVALID;
    ok(sys::zx_timer_create(
        options,
        sys::ZX_CLOCK_MONOTONIC,
        &mut out,
    ))
    .expect("timer creation fails only when the arena is full");
    Handle(out)
}

impl Timer<MonotonicTimeline> {
    /// Creates a monotonic timer. Wraps `zx_timer_create`.
    ///
    /// # Panics
    ///
    /// If the kernel's handle arena is full, as the real crate panics on OOM.
    pub fn create() -> Self {
        Timer::create_with_slack(Slack::Center)
    }

    /// Creates a monotonic timer with a slack policy (a zxsim addition; the real crate always
    /// uses `Center`). Wraps `zx_timer_create`.
    ///
    /// # Panics
    ///
    /// As [`Timer::create`].
    pub fn create_with_slack(slack: Slack) -> Self {
        Timer(create_raw(slack), PhantomData)
    }
}

impl Timer<BootTimeline> {
    /// Creates a boot timer. Wraps `zx_timer_create` (on the kernel clock, which is also the
    /// boot clock in zxsim).
    ///
    /// # Panics
    ///
    /// As [`Timer::create`].
    pub fn create() -> Self {
        Timer(create_raw(Slack::Center), PhantomData)
    }
}

impl<T: Timeline> Timer<T> {
    /// Arms the timer (clearing SIGNALED). Wraps `zx_timer_set`.
    pub fn set(&self, deadline: Instant<T>, slack: Duration<T, NsUnit>) -> Result<()> {
        ok(sys::zx_timer_set(
            self.raw_handle(),
            deadline.into_nanos(),
            slack.into_nanos(),
        ))
    }

    /// Disarms the timer and clears SIGNALED. Wraps `zx_timer_cancel`.
    pub fn cancel(&self) -> Result<()> {
        ok(sys::zx_timer_cancel(self.raw_handle()))
    }
}

impl<T: Timeline> AsHandleRef for Timer<T> {
    fn as_handle_ref(&self) -> HandleRef<'_> {
        self.0.as_handle_ref()
    }
}

impl<T: Timeline> From<Handle> for Timer<T> {
    fn from(handle: Handle) -> Self {
        Timer(handle, PhantomData)
    }
}

impl<T: Timeline> From<Timer<T>> for Handle {
    fn from(timer: Timer<T>) -> Handle {
        timer.0
    }
}

impl<T: Timeline> HandleBased for Timer<T> {}
