//! Calls that need objects zxsim does not model — VMOs, VMARs, jobs, real processes and
//! threads. They exist so programs link, and answer `ZX_ERR_NOT_SUPPORTED` (handle-returning
//! ones `ZX_HANDLE_INVALID`) without touching any argument, so tests that need them fail or skip
//! clearly instead of crashing.

use std::ffi::{c_char, c_void};

use zxsim_syscalls::sys::{
    zx_handle_t, zx_rights_t, zx_status_t, ZX_ERR_NOT_SUPPORTED, ZX_HANDLE_INVALID,
};

/// `zx_vaddr_t`.
pub type zx_vaddr_t = usize;
/// `zx_vm_option_t`.
pub type zx_vm_option_t = u32;

macro_rules! not_supported {
    ($($name:ident($($arg:ident: $ty:ty),*);)*) => {
        $(
            #[no_mangle]
            pub extern "C" fn $name($($arg: $ty),*) -> zx_status_t {
                $(let _ = $arg;)*
                ZX_ERR_NOT_SUPPORTED
            }
        )*
    };
}

not_supported! {
    zx_vmo_create(size: u64, options: u32, out: *mut zx_handle_t);
    zx_vmo_read(handle: zx_handle_t, buffer: *mut c_void, offset: u64, buffer_size: usize);
    zx_vmo_write(handle: zx_handle_t, buffer: *const c_void, offset: u64, buffer_size: usize);
    zx_vmo_get_size(handle: zx_handle_t, size: *mut u64);
    zx_vmo_set_size(handle: zx_handle_t, size: u64);
    zx_vmar_map(
        handle: zx_handle_t,
        options: zx_vm_option_t,
        vmar_offset: usize,
        vmo: zx_handle_t,
        vmo_offset: u64,
        len: usize,
        mapped_addr: *mut zx_vaddr_t
    );
    zx_vmar_unmap(handle: zx_handle_t, addr: zx_vaddr_t, len: usize);
    zx_vmar_allocate(
        parent_vmar: zx_handle_t,
        options: zx_vm_option_t,
        offset: usize,
        size: usize,
        child_vmar: *mut zx_handle_t,
        child_addr: *mut zx_vaddr_t
    );
    zx_job_create(parent_job: zx_handle_t, options: u32, out: *mut zx_handle_t);
    zx_process_create(
        job: zx_handle_t,
        name: *const c_char,
        name_size: usize,
        options: u32,
        proc_handle: *mut zx_handle_t,
        vmar_handle: *mut zx_handle_t
    );
    zx_process_start(
        handle: zx_handle_t,
        thread: zx_handle_t,
        entry: zx_vaddr_t,
        stack: zx_vaddr_t,
        arg1: zx_handle_t,
        arg2: usize
    );
    zx_thread_create(
        process: zx_handle_t,
        name: *const c_char,
        name_size: usize,
        options: u32,
        out: *mut zx_handle_t
    );
    zx_thread_start(
        handle: zx_handle_t,
        thread_entry: zx_vaddr_t,
        stack: zx_vaddr_t,
        arg1: usize,
        arg2: usize
    );
    zx_task_kill(handle: zx_handle_t);
    zx_task_suspend(handle: zx_handle_t, token: *mut zx_handle_t);
    zx_object_get_child(handle: zx_handle_t, koid: u64, rights: zx_rights_t, out: *mut zx_handle_t);
    zx_job_set_policy(
        handle: zx_handle_t,
        options: u32,
        topic: u32,
        policy: *const c_void,
        policy_size: u32
    );
}

/// No job object exists: `ZX_HANDLE_INVALID`.
#[no_mangle]
pub extern "C" fn zx_job_default() -> zx_handle_t {
    ZX_HANDLE_INVALID
}

/// No VMAR object exists: `ZX_HANDLE_INVALID`.
#[no_mangle]
pub extern "C" fn zx_vmar_root_self() -> zx_handle_t {
    ZX_HANDLE_INVALID
}
