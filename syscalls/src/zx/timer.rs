//! Timer: asserts `Signals::TIMER_SIGNALED` at a deadline on the kernel clock.

use super::{impl_handle_based, ok, Handle, MonotonicDuration, MonotonicInstant, Result};
use crate::sys;

/// A handle to a timer. Default rights `BASIC | WRITE | SIGNAL`.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(transparent)]
pub struct Timer(Handle);
impl_handle_based!(Timer);

/// Where in `[deadline − slack, deadline + slack]` a timer may fire.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Slack {
    #[default]
    Center,
    Early,
    Late,
}

impl Timer {
    /// Creates a monotonic timer. Wraps `zx_timer_create`.
    ///
    /// # Panics
    ///
    /// If the kernel's handle arena is full, as the real crate panics on OOM.
    pub fn create() -> Timer {
        Timer::create_with_slack(Slack::Center)
    }

    /// Creates a monotonic timer with a slack policy. Wraps `zx_timer_create`.
    ///
    /// # Panics
    ///
    /// As [`Timer::create`].
    pub fn create_with_slack(slack: Slack) -> Timer {
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
        Timer(Handle(out))
    }

    /// Arms the timer (clearing SIGNALED). Wraps `zx_timer_set`.
    pub fn set(&self, deadline: MonotonicInstant, slack: MonotonicDuration) -> Result<()> {
        ok(sys::zx_timer_set(
            self.0 .0,
            deadline.into_nanos(),
            slack.into_nanos(),
        ))
    }

    /// Disarms the timer and clears SIGNALED. Wraps `zx_timer_cancel`.
    pub fn cancel(&self) -> Result<()> {
        ok(sys::zx_timer_cancel(self.0 .0))
    }
}
