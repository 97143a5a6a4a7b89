//! Typed time: [`Instant`]s and [`Duration`]s tagged with their timeline, as in the `zx` crate.
//!
//! zxsim has one clock per kernel, the monotonic one, real or virtual
//! ([`Config::with_virtual_clock`](zxsim_kernel::Config::with_virtual_clock)). Reading it
//! ([`MonotonicInstant::get`]) and making deadlines ([`MonotonicInstant::after`]) go through
//! `zx_clock_get_monotonic` / `zx_deadline_after`, so they follow the bound process's kernel.
//! Arithmetic saturates, so `INFINITE` stays infinite.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::marker::PhantomData;
use std::ops;

use crate::sys;

/// A marker for a timeline, so instants of different clocks never mix.
pub trait Timeline {}

/// The monotonic timeline: the kernel clock every deadline is measured on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MonotonicTimeline;
impl Timeline for MonotonicTimeline {}

/// A point on timeline `T`, in nanoseconds (`zx_time_t`).
#[repr(transparent)]
pub struct Instant<T = MonotonicTimeline>(sys::zx_time_t, PhantomData<T>);

/// A span of time on timeline `T`, in nanoseconds (`zx_duration_t`); may be negative.
#[repr(transparent)]
pub struct Duration<T = MonotonicTimeline>(sys::zx_duration_t, PhantomData<T>);

/// A point on the monotonic clock.
pub type MonotonicInstant = Instant<MonotonicTimeline>;
/// A span on the monotonic clock.
pub type MonotonicDuration = Duration<MonotonicTimeline>;
/// The older `zx` crate's name for [`MonotonicInstant`].
pub type MonotonicTime = MonotonicInstant;
/// The older `zx` crate's name for [`MonotonicInstant`].
pub type Time = MonotonicInstant;

// Hand-written so that they need nothing of the marker type.
macro_rules! value_traits {
    ($type:ident) => {
        impl<T> Clone for $type<T> {
            fn clone(&self) -> Self {
                *self
            }
        }

        impl<T> Copy for $type<T> {}

        impl<T> Default for $type<T> {
            fn default() -> Self {
                $type(0, PhantomData)
            }
        }

        impl<T> PartialEq for $type<T> {
            fn eq(&self, other: &Self) -> bool {
                self.0 == other.0
            }
        }

        impl<T> Eq for $type<T> {}

        impl<T> PartialOrd for $type<T> {
            fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
                Some(self.cmp(other))
            }
        }

        impl<T> Ord for $type<T> {
            fn cmp(&self, other: &Self) -> std::cmp::Ordering {
                self.0.cmp(&other.0)
            }
        }

        impl<T> Hash for $type<T> {
            fn hash<H: Hasher>(&self, state: &mut H) {
                self.0.hash(state);
            }
        }

        impl<T> fmt::Debug for $type<T> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                let timeline = std::any::type_name::<T>();
                let timeline = timeline.rsplit("::").next().unwrap_or(timeline);
                write!(f, "{}<{timeline}>({}ns)", stringify!($type), self.0)
            }
        }
    };
}

value_traits!(Instant);
value_traits!(Duration);

impl<T: Timeline> Instant<T> {
    pub const ZERO: Instant<T> = Instant(0, PhantomData);
    /// `ZX_TIME_INFINITE`: a deadline that never comes.
    pub const INFINITE: Instant<T> = Instant(sys::ZX_TIME_INFINITE, PhantomData);
    /// `ZX_TIME_INFINITE_PAST`: a deadline already passed (a wait with it only polls).
    pub const INFINITE_PAST: Instant<T> = Instant(sys::ZX_TIME_INFINITE_PAST, PhantomData);

    pub const fn from_nanos(nanos: i64) -> Self {
        Instant(nanos, PhantomData)
    }

    pub const fn into_nanos(self) -> i64 {
        self.0
    }
}

impl MonotonicInstant {
    /// The bound process's kernel clock now. Wraps `zx_clock_get_monotonic`.
    pub fn get() -> Self {
        Instant::from_nanos(sys::zx_clock_get_monotonic())
    }

    /// Now plus `duration`, saturating. Wraps `zx_deadline_after`.
    pub fn after(duration: MonotonicDuration) -> Self {
        Instant::from_nanos(sys::zx_deadline_after(duration.into_nanos()))
    }

    /// Sleeps until the clock reaches this instant (on a virtual clock: until someone advances
    /// it there). Wraps `zx_nanosleep`.
    pub fn sleep(self) {
        let _ = sys::zx_nanosleep(self.0);
    }
}

impl<T: Timeline> ops::Add<Duration<T>> for Instant<T> {
    type Output = Instant<T>;
    fn add(self, duration: Duration<T>) -> Instant<T> {
        Instant(self.0.saturating_add(duration.0), PhantomData)
    }
}

impl<T: Timeline> ops::Sub<Duration<T>> for Instant<T> {
    type Output = Instant<T>;
    fn sub(self, duration: Duration<T>) -> Instant<T> {
        Instant(self.0.saturating_sub(duration.0), PhantomData)
    }
}

impl<T: Timeline> ops::Sub<Instant<T>> for Instant<T> {
    type Output = Duration<T>;
    fn sub(self, earlier: Instant<T>) -> Duration<T> {
        Duration(self.0.saturating_sub(earlier.0), PhantomData)
    }
}

impl<T: Timeline> ops::AddAssign<Duration<T>> for Instant<T> {
    fn add_assign(&mut self, duration: Duration<T>) {
        *self = *self + duration;
    }
}

impl<T: Timeline> ops::SubAssign<Duration<T>> for Instant<T> {
    fn sub_assign(&mut self, duration: Duration<T>) {
        *self = *self - duration;
    }
}

impl<T: Timeline> Duration<T> {
    pub const ZERO: Duration<T> = Duration(0, PhantomData);
    pub const INFINITE: Duration<T> = Duration(i64::MAX, PhantomData);
    pub const INFINITE_PAST: Duration<T> = Duration(i64::MIN, PhantomData);

    pub const fn from_nanos(nanos: i64) -> Self {
        Duration(nanos, PhantomData)
    }

    pub const fn from_micros(micros: i64) -> Self {
        Duration(micros.saturating_mul(1_000), PhantomData)
    }

    pub const fn from_millis(millis: i64) -> Self {
        Duration(millis.saturating_mul(1_000_000), PhantomData)
    }

    pub const fn from_seconds(seconds: i64) -> Self {
        Duration(seconds.saturating_mul(1_000_000_000), PhantomData)
    }

    pub const fn from_minutes(minutes: i64) -> Self {
        Duration::from_seconds(minutes.saturating_mul(60))
    }

    pub const fn from_hours(hours: i64) -> Self {
        Duration::from_minutes(hours.saturating_mul(60))
    }

    pub const fn into_nanos(self) -> i64 {
        self.0
    }

    /// Whole microseconds (truncated towards zero).
    pub const fn into_micros(self) -> i64 {
        self.0 / 1_000
    }

    /// Whole milliseconds (truncated towards zero).
    pub const fn into_millis(self) -> i64 {
        self.0 / 1_000_000
    }

    /// Whole seconds (truncated towards zero).
    pub const fn into_seconds(self) -> i64 {
        self.0 / 1_000_000_000
    }

    pub fn into_seconds_f64(self) -> f64 {
        self.0 as f64 / 1e9
    }

    pub const fn into_minutes(self) -> i64 {
        self.into_seconds() / 60
    }

    pub const fn into_hours(self) -> i64 {
        self.into_minutes() / 60
    }
}

impl MonotonicDuration {
    /// Sleeps for this long on the bound process's kernel clock.
    pub fn sleep(self) {
        MonotonicInstant::after(self).sleep()
    }
}

impl<T: Timeline> From<std::time::Duration> for Duration<T> {
    /// Saturates at `Duration::INFINITE`.
    fn from(duration: std::time::Duration) -> Self {
        Duration(
            i64::try_from(duration.as_nanos()).unwrap_or(i64::MAX),
            PhantomData,
        )
    }
}

impl<T: Timeline> ops::Add<Instant<T>> for Duration<T> {
    type Output = Instant<T>;
    fn add(self, instant: Instant<T>) -> Instant<T> {
        instant + self
    }
}

impl<T: Timeline> ops::Add for Duration<T> {
    type Output = Duration<T>;
    fn add(self, other: Duration<T>) -> Duration<T> {
        Duration(self.0.saturating_add(other.0), PhantomData)
    }
}

impl<T: Timeline> ops::Sub for Duration<T> {
    type Output = Duration<T>;
    fn sub(self, other: Duration<T>) -> Duration<T> {
        Duration(self.0.saturating_sub(other.0), PhantomData)
    }
}

impl<T: Timeline> ops::AddAssign for Duration<T> {
    fn add_assign(&mut self, other: Duration<T>) {
        *self = *self + other;
    }
}

impl<T: Timeline> ops::SubAssign for Duration<T> {
    fn sub_assign(&mut self, other: Duration<T>) {
        *self = *self - other;
    }
}

impl<T: Timeline, S: Into<i64>> ops::Mul<S> for Duration<T> {
    type Output = Duration<T>;
    fn mul(self, factor: S) -> Duration<T> {
        Duration(self.0.saturating_mul(factor.into()), PhantomData)
    }
}

impl<T: Timeline, S: Into<i64>> ops::Div<S> for Duration<T> {
    type Output = Duration<T>;
    /// Panics on division by zero, like integer division.
    fn div(self, divisor: S) -> Duration<T> {
        Duration(self.0.saturating_div(divisor.into()), PhantomData)
    }
}

impl<T: Timeline> ops::Neg for Duration<T> {
    type Output = Duration<T>;
    fn neg(self) -> Duration<T> {
        Duration(self.0.saturating_neg(), PhantomData)
    }
}
