//! Time syscalls on the bound process's kernel clock (real or virtual).

use zxsim_kernel::wait::sleep_until;
use zxsim_kernel::Process;

use super::{traced, zx_duration_t, zx_status_t, zx_ticks_t, zx_time_t, ZX_OK};

/// The kernel's monotonic time in nanoseconds.
pub fn zx_clock_get_monotonic() -> zx_time_t {
    Process::with_current(|process| process.kernel().clock().now())
}

/// The tick counter: the kernel clock itself, so ticks follow a virtual clock too.
pub fn zx_ticks_get() -> zx_ticks_t {
    zx_clock_get_monotonic()
}

/// One tick is one nanosecond of the kernel clock.
pub fn zx_ticks_per_second() -> zx_ticks_t {
    1_000_000_000
}

/// `now + nanoseconds`, saturating (so a huge duration means "never").
pub fn zx_deadline_after(nanoseconds: zx_duration_t) -> zx_time_t {
    zx_clock_get_monotonic().saturating_add(nanoseconds)
}

/// Sleeps until the kernel clock reaches `deadline` (a virtual clock must be advanced).
pub fn zx_nanosleep(deadline: zx_time_t) -> zx_status_t {
    super::entered();
    Process::with_current(|process| sleep_until(process.kernel(), deadline));
    traced!("zx_nanosleep", ZX_OK, deadline)
}
