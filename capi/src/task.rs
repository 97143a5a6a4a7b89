//! Time, ticks and the task self-handles.

use zxsim_syscalls::sys::{self, zx_duration_t, zx_handle_t, zx_status_t, zx_ticks_t, zx_time_t};

#[no_mangle]
pub extern "C" fn zx_clock_get_monotonic() -> zx_time_t {
    sys::zx_clock_get_monotonic()
}

#[no_mangle]
pub extern "C" fn zx_deadline_after(nanoseconds: zx_duration_t) -> zx_time_t {
    sys::zx_deadline_after(nanoseconds)
}

#[no_mangle]
pub extern "C" fn zx_nanosleep(deadline: zx_time_t) -> zx_status_t {
    sys::zx_nanosleep(deadline)
}

#[no_mangle]
pub extern "C" fn zx_ticks_get() -> zx_ticks_t {
    sys::zx_ticks_get()
}

#[no_mangle]
pub extern "C" fn zx_ticks_per_second() -> zx_ticks_t {
    sys::zx_ticks_per_second()
}

#[no_mangle]
pub extern "C" fn zx_process_self() -> zx_handle_t {
    sys::zx_process_self()
}

#[no_mangle]
pub extern "C" fn zx_thread_self() -> zx_handle_t {
    sys::zx_thread_self()
}

/// The host's page size (the granularity a faulting user pointer is judged at, too).
#[no_mangle]
pub extern "C" fn zx_system_get_page_size() -> u32 {
    4096
}

/// The CPUs the host offers this process.
#[no_mangle]
pub extern "C" fn zx_system_get_num_cpus() -> u32 {
    std::thread::available_parallelism().map_or(1, |n| n.get() as u32)
}
