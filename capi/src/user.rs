//! User-pointer access: the one place raw C pointers are read and written. A pointer "faults"
//! when Zircon's copy through it would: in the null page or outside the user address range.
//!
//! Invariant: nothing here forms a Rust reference to caller memory except byte slices (which
//! need no alignment); structs and arrays go through unaligned reads and writes.

use std::ffi::c_void;
use std::ptr;

use zxsim_kernel::{Process, Rights};
use zxsim_syscalls::sys::{zx_handle_t, zx_status_t, ZX_ERR_INVALID_ARGS};

/// Addresses below this never map (the null page): a copy from or to them faults.
const FIRST_MAPPED_ADDRESS: usize = 4096;
/// The end of the user half of the address space (47-bit user addresses on x86-64 and arm64
/// Linux and macOS): an address at or above it is the kernel's, and a copy faults.
const USER_ADDRESS_END: usize = 1 << 47;

/// Whether a copy of one `T` through `p` would fault (NULL, the null page, a kernel address).
pub fn faults<T>(p: *const T) -> bool {
    faults_range(p.cast::<u8>(), std::mem::size_of::<T>().max(1))
}

/// Whether a copy of `len` (≥ 1) bytes at `p` would fault: it starts in the null page, or
/// reaches past the user half of the address space.
pub fn faults_range(p: *const u8, len: usize) -> bool {
    let start = p as usize;
    start < FIRST_MAPPED_ADDRESS
        || start
            .checked_add(len)
            .is_none_or(|end| end > USER_ADDRESS_END)
}

/// Copies `count` elements in, or `Err(INVALID_ARGS)` if the copy would fault.
///
/// # Safety
/// `p` is faulting or valid for reads of `count` elements.
pub unsafe fn read_array<T: Copy>(p: *const T, count: usize) -> Result<Vec<T>, zx_status_t> {
    if count == 0 {
        return Ok(Vec::new());
    }
    let size = std::mem::size_of::<T>().max(1);
    if count > isize::MAX as usize / size || faults_range(p.cast::<u8>(), count * size) {
        return Err(ZX_ERR_INVALID_ARGS);
    }
    let mut out = Vec::with_capacity(count);
    for i in 0..count {
        // SAFETY: the caller guarantees `count` readable elements at `p`; unaligned reads
        // need no alignment.
        out.push(unsafe { ptr::read_unaligned(p.add(i)) });
    }
    Ok(out)
}

/// Copies one value in.
///
/// # Safety
/// `p` is faulting or valid for one read.
pub unsafe fn read<T: Copy>(p: *const T) -> Result<T, zx_status_t> {
    if faults(p) {
        return Err(ZX_ERR_INVALID_ARGS);
    }
    // SAFETY: non-faulting pointers are valid for one read (caller contract), any alignment.
    Ok(unsafe { ptr::read_unaligned(p) })
}

/// Copies one value out; `false` if the copy would fault.
///
/// # Safety
/// `p` is faulting or valid for one write.
pub unsafe fn write<T>(p: *mut T, value: T) -> bool {
    if faults(p) {
        return false;
    }
    // SAFETY: non-faulting pointers are valid for one write (caller contract), any alignment.
    unsafe { ptr::write_unaligned(p, value) };
    true
}

/// Copies values out, element by element.
///
/// # Safety
/// `p` is faulting or valid for `values.len()` writes.
pub unsafe fn write_array<T: Copy>(p: *mut T, values: &[T]) -> bool {
    if values.is_empty() {
        return true;
    }
    if faults_range(p.cast::<u8>(), std::mem::size_of_val(values)) {
        return false;
    }
    for (i, value) in values.iter().enumerate() {
        // SAFETY: the caller guarantees room for `values.len()` elements at `p`.
        unsafe { ptr::write_unaligned(p.add(i), *value) };
    }
    true
}

/// The caller's bytes, or `Err(INVALID_ARGS)` if they would fault.
///
/// # Safety
/// `p` is faulting or valid for reads of `len` bytes for the lifetime `'a`.
pub unsafe fn bytes<'a>(p: *const c_void, len: usize) -> Result<&'a [u8], zx_status_t> {
    if len == 0 {
        return Ok(&[]);
    }
    if len > isize::MAX as usize || faults_range(p.cast::<u8>(), len) {
        return Err(ZX_ERR_INVALID_ARGS);
    }
    // SAFETY: `len` readable bytes at `p` (caller contract); bytes have alignment 1.
    Ok(unsafe { std::slice::from_raw_parts(p.cast::<u8>(), len) })
}

/// The caller's writable bytes, or `None` if they would fault.
///
/// # Safety
/// `p` is faulting or valid for writes of `len` bytes for the lifetime `'a`, and not aliased.
pub unsafe fn bytes_mut<'a>(p: *mut c_void, len: usize) -> Option<&'a mut [u8]> {
    if len == 0 {
        return Some(&mut []);
    }
    if len > isize::MAX as usize || faults_range(p.cast::<u8>(), len) {
        return None;
    }
    // SAFETY: `len` writable bytes at `p`, unaliased during the call (caller contract).
    Some(unsafe { std::slice::from_raw_parts_mut(p.cast::<u8>(), len) })
}

/// The status a typed lookup of `handle` answers (`BAD_HANDLE`, `WRONG_TYPE`,
/// `ACCESS_DENIED`), or `fallback` if it succeeds: what a call answers when its copy-in faults
/// after the handle was looked up. `T` is `AnyObject` for calls that take any type.
pub fn lookup_then<T: zxsim_kernel::Expected>(
    handle: zx_handle_t,
    rights: Rights,
    fallback: zx_status_t,
) -> zx_status_t {
    Process::with_current(|process| {
        match process
            .handles()
            .with_object::<T, _>(handle, rights, |_, _| ())
        {
            Ok(()) => fallback,
            Err(status) => status.into_raw(),
        }
    })
}

/// Closes handles a call produced but could not hand out (its copy-out faulted).
pub fn discard(handles: &[zx_handle_t]) {
    for &handle in handles {
        let _ = zxsim_syscalls::sys::zx_handle_close(handle);
    }
}
