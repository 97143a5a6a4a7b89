//! Typed time: [`Instant`]s and [`Duration`]s tagged with their timeline and unit, as in the `zx`
//! crate.
//!
//! zxsim has one clock per kernel, the monotonic one, real or virtual
//! ([`Config::with_virtual_clock`](zxsim_kernel::Config::with_virtual_clock)). Reading it
//! ([`MonotonicInstant::get`]) and making deadlines ([`MonotonicInstant::after`]) go through
//! `zx_clock_get_monotonic` / `zx_deadline_after`, so they follow the bound process's kernel. A
//! simulated system never suspends, so the boot timeline reads the same clock; ticks are that
//! clock's nanoseconds (`zx_ticks_per_second` is 10^9). Arithmetic saturates, so `INFINITE` stays
//! infinite.

use std::fmt;
use std::hash::Hash;
use std::marker::PhantomData;
use std::ops;

use crate::sys;

/// A marker for a timeline, so instants of different clocks never mix.
pub trait Timeline {}

/// The monotonic timeline: the kernel clock every deadline is measured on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MonotonicTimeline;
impl Timeline for MonotonicTimeline {}

/// The boot timeline (in zxsim the same clock as the monotonic one: nothing suspends).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct BootTimeline;
impl Timeline for BootTimeline {}

/// A timeline defined by a user clock object.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SyntheticTimeline;
impl Timeline for SyntheticTimeline {}

/// A marker for the unit of an instant or duration, so nanoseconds and ticks never mix.
pub trait TimeUnit {}

/// Nanoseconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NsUnit;
impl TimeUnit for NsUnit {}

/// System ticks (`zx_ticks_per_second` of them a second).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TicksUnit;
impl TimeUnit for TicksUnit {}

/// A point on timeline `T`, in unit `U` (`zx_time_t` for nanoseconds, `zx_ticks_t` for ticks).
///
/// The timeline defaults to the monotonic one (a zxsim convenience: the real crate names it).
#[repr(transparent)]
pub struct Instant<T = MonotonicTimeline, U = NsUnit>(sys::zx_time_t, PhantomData<(T, U)>);

/// A span of time on timeline `T`, in unit `U`; may be negative.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(transparent)]
pub struct Duration<T = MonotonicTimeline, U = NsUnit>(sys::zx_duration_t, PhantomData<(T, U)>);

/// A point on the monotonic clock.
pub type MonotonicInstant = Instant<MonotonicTimeline, NsUnit>;
/// A point on the boot clock.
pub type BootInstant = Instant<BootTimeline, NsUnit>;
/// A point on a user-defined clock.
pub type SyntheticInstant = Instant<SyntheticTimeline, NsUnit>;
/// A tick count on timeline `T`.
pub type Ticks<T> = Instant<T, TicksUnit>;
/// A tick count on the monotonic timeline.
pub type MonotonicTicks = Instant<MonotonicTimeline, TicksUnit>;
/// A tick count on the boot timeline.
pub type BootTicks = Instant<BootTimeline, TicksUnit>;
/// A span on the monotonic clock.
pub type MonotonicDuration = Duration<MonotonicTimeline, NsUnit>;
/// A span on the boot clock.
pub type BootDuration = Duration<BootTimeline, NsUnit>;
/// A span on a user-defined clock.
pub type SyntheticDuration = Duration<SyntheticTimeline, NsUnit>;
/// A span of monotonic ticks.
pub type MonotonicDurationTicks = Duration<MonotonicTimeline, TicksUnit>;
/// A span of boot ticks.
pub type BootDurationTicks = Duration<BootTimeline, TicksUnit>;
/// The older `zx` crate's name for [`MonotonicInstant`].
pub type MonotonicTime = MonotonicInstant;
/// The older `zx` crate's name for [`MonotonicInstant`].
pub type Time = MonotonicInstant;

// Hand-written so that they need nothing of the marker types.
impl<T, U> Clone for Instant<T, U> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T, U> Copy for Instant<T, U> {}

impl<T, U> Default for Instant<T, U> {
    fn default() -> Self {
        Instant(0, PhantomData)
    }
}

impl<T, U> PartialEq for Instant<T, U> {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}

impl<T, U> Eq for Instant<T, U> {}

impl<T, U> PartialOrd for Instant<T, U> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl<T, U> Ord for Instant<T, U> {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.cmp(&other.0)
    }
}

impl<T, U> Hash for Instant<T, U> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.0.hash(state);
    }
}

/// `Instant<MonotonicTimeline, NsUnit>(42)`: the marker types by their short names.
impl<T, U> fmt::Debug for Instant<T, U> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fn short(name: &'static str) -> &'static str {
            name.rsplit_once("::").map_or(name, |(_, short)| short)
        }
        let name = format!(
            "Instant<{}, {}>",
            short(std::any::type_name::<T>()),
            short(std::any::type_name::<U>())
        );
        f.debug_tuple(&name).field(&self.0).finish()
    }
}

impl<T: Timeline, U: TimeUnit> Instant<T, U> {
    pub const ZERO: Instant<T, U> = Instant(0, PhantomData);
}

impl<T: Timeline> Instant<T, NsUnit> {
    /// `ZX_TIME_INFINITE`: a deadline that never comes.
    pub const INFINITE: Instant<T, NsUnit> = Instant(sys::ZX_TIME_INFINITE, PhantomData);
    /// `ZX_TIME_INFINITE_PAST`: a deadline already passed (a wait with it only polls).
    pub const INFINITE_PAST: Instant<T, NsUnit> = Instant(sys::ZX_TIME_INFINITE_PAST, PhantomData);

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

impl BootInstant {
    /// The boot clock now (the kernel clock: a simulated system never suspends).
    pub fn get() -> Self {
        Instant::from_nanos(sys::zx_clock_get_monotonic())
    }

    /// Now plus `duration`, saturating.
    pub fn after(duration: BootDuration) -> Self {
        Instant::from_nanos(
            Self::get()
                .into_nanos()
                .saturating_add(duration.into_nanos()),
        )
    }
}

impl<T: Timeline> Instant<T, TicksUnit> {
    pub const fn from_raw(raw: i64) -> Self {
        Instant(raw, PhantomData)
    }

    pub const fn into_raw(self) -> i64 {
        self.0
    }

    /// Ticks in a second. Wraps `zx_ticks_per_second`.
    pub fn per_second() -> i64 {
        sys::zx_ticks_per_second()
    }
}

impl MonotonicTicks {
    /// The tick counter now. Wraps `zx_ticks_get`.
    pub fn get() -> Self {
        Instant::from_raw(sys::zx_ticks_get())
    }
}

impl BootTicks {
    /// The boot tick counter now (the monotonic one: nothing suspends).
    pub fn get() -> Self {
        Instant::from_raw(sys::zx_ticks_get())
    }
}

impl<T: Timeline, U: TimeUnit> ops::Add<Duration<T, U>> for Instant<T, U> {
    type Output = Instant<T, U>;
    fn add(self, duration: Duration<T, U>) -> Instant<T, U> {
        Instant(self.0.saturating_add(duration.0), PhantomData)
    }
}

impl<T: Timeline, U: TimeUnit> ops::Sub<Duration<T, U>> for Instant<T, U> {
    type Output = Instant<T, U>;
    fn sub(self, duration: Duration<T, U>) -> Instant<T, U> {
        Instant(self.0.saturating_sub(duration.0), PhantomData)
    }
}

impl<T: Timeline, U: TimeUnit> ops::Sub<Instant<T, U>> for Instant<T, U> {
    type Output = Duration<T, U>;
    fn sub(self, earlier: Instant<T, U>) -> Duration<T, U> {
        Duration(self.0.saturating_sub(earlier.0), PhantomData)
    }
}

impl<T: Timeline, U: TimeUnit> ops::AddAssign<Duration<T, U>> for Instant<T, U> {
    fn add_assign(&mut self, duration: Duration<T, U>) {
        *self = *self + duration;
    }
}

impl<T: Timeline, U: TimeUnit> ops::SubAssign<Duration<T, U>> for Instant<T, U> {
    fn sub_assign(&mut self, duration: Duration<T, U>) {
        *self = *self - duration;
    }
}

impl<T: Timeline> Duration<T, NsUnit> {
    pub const ZERO: Duration<T, NsUnit> = Duration(0, PhantomData);
    pub const INFINITE: Duration<T, NsUnit> = Duration(i64::MAX, PhantomData);
    pub const INFINITE_PAST: Duration<T, NsUnit> = Duration(i64::MIN, PhantomData);

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

impl<T: Timeline> Duration<T, TicksUnit> {
    pub const fn from_raw(raw: i64) -> Self {
        Duration(raw, PhantomData)
    }

    pub const fn into_raw(self) -> i64 {
        self.0
    }
}

impl MonotonicDuration {
    /// Sleeps for this long on the bound process's kernel clock.
    pub fn sleep(self) {
        MonotonicInstant::after(self).sleep()
    }
}

impl<T: Timeline> From<std::time::Duration> for Duration<T, NsUnit> {
    /// Saturates at `Duration::INFINITE`.
    fn from(duration: std::time::Duration) -> Self {
        Duration(
            i64::try_from(duration.as_nanos()).unwrap_or(i64::MAX),
            PhantomData,
        )
    }
}

impl<T: Timeline, U: TimeUnit> ops::Add<Instant<T, U>> for Duration<T, U> {
    type Output = Instant<T, U>;
    fn add(self, instant: Instant<T, U>) -> Instant<T, U> {
        instant + self
    }
}

impl<T: Timeline, U: TimeUnit> ops::Add for Duration<T, U> {
    type Output = Duration<T, U>;
    fn add(self, other: Duration<T, U>) -> Duration<T, U> {
        Duration(self.0.saturating_add(other.0), PhantomData)
    }
}

impl<T: Timeline, U: TimeUnit> ops::Sub for Duration<T, U> {
    type Output = Duration<T, U>;
    fn sub(self, other: Duration<T, U>) -> Duration<T, U> {
        Duration(self.0.saturating_sub(other.0), PhantomData)
    }
}

impl<T: Timeline, U: TimeUnit> ops::AddAssign for Duration<T, U> {
    fn add_assign(&mut self, other: Duration<T, U>) {
        self.0 = self.0.saturating_add(other.0);
    }
}

impl<T: Timeline, U: TimeUnit> ops::SubAssign for Duration<T, U> {
    fn sub_assign(&mut self, other: Duration<T, U>) {
        self.0 = self.0.saturating_sub(other.0);
    }
}

impl<T: Timeline, U: TimeUnit, S: Into<i64>> ops::Mul<S> for Duration<T, U> {
    type Output = Duration<T, U>;
    fn mul(self, factor: S) -> Duration<T, U> {
        Duration(self.0.saturating_mul(factor.into()), PhantomData)
    }
}

impl<T: Timeline, U: TimeUnit, S: Into<i64>> ops::Div<S> for Duration<T, U> {
    type Output = Duration<T, U>;
    /// Panics on division by zero, like integer division.
    fn div(self, divisor: S) -> Duration<T, U> {
        Duration(self.0.saturating_div(divisor.into()), PhantomData)
    }
}

impl<T: Timeline, U: TimeUnit> ops::Neg for Duration<T, U> {
    type Output = Duration<T, U>;
    fn neg(self) -> Duration<T, U> {
        Duration(self.0.saturating_neg(), PhantomData)
    }
}
