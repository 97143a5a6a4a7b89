//! `zx_status_get_string`: a status's name as a static C string.

use std::ffi::{c_char, CStr};

use zxsim_syscalls::sys::{self, zx_status_t};

fn name(status: zx_status_t) -> &'static CStr {
    match status {
        sys::ZX_OK => c"ZX_OK",
        sys::ZX_ERR_INTERNAL => c"ZX_ERR_INTERNAL",
        sys::ZX_ERR_NOT_SUPPORTED => c"ZX_ERR_NOT_SUPPORTED",
        sys::ZX_ERR_NO_RESOURCES => c"ZX_ERR_NO_RESOURCES",
        sys::ZX_ERR_NO_MEMORY => c"ZX_ERR_NO_MEMORY",
        sys::ZX_ERR_INTERNAL_INTR_RETRY => c"ZX_ERR_INTERNAL_INTR_RETRY",
        sys::ZX_ERR_INVALID_ARGS => c"ZX_ERR_INVALID_ARGS",
        sys::ZX_ERR_BAD_HANDLE => c"ZX_ERR_BAD_HANDLE",
        sys::ZX_ERR_WRONG_TYPE => c"ZX_ERR_WRONG_TYPE",
        sys::ZX_ERR_BAD_SYSCALL => c"ZX_ERR_BAD_SYSCALL",
        sys::ZX_ERR_OUT_OF_RANGE => c"ZX_ERR_OUT_OF_RANGE",
        sys::ZX_ERR_BUFFER_TOO_SMALL => c"ZX_ERR_BUFFER_TOO_SMALL",
        sys::ZX_ERR_BAD_STATE => c"ZX_ERR_BAD_STATE",
        sys::ZX_ERR_TIMED_OUT => c"ZX_ERR_TIMED_OUT",
        sys::ZX_ERR_SHOULD_WAIT => c"ZX_ERR_SHOULD_WAIT",
        sys::ZX_ERR_CANCELED => c"ZX_ERR_CANCELED",
        sys::ZX_ERR_PEER_CLOSED => c"ZX_ERR_PEER_CLOSED",
        sys::ZX_ERR_NOT_FOUND => c"ZX_ERR_NOT_FOUND",
        sys::ZX_ERR_ALREADY_EXISTS => c"ZX_ERR_ALREADY_EXISTS",
        sys::ZX_ERR_ALREADY_BOUND => c"ZX_ERR_ALREADY_BOUND",
        sys::ZX_ERR_UNAVAILABLE => c"ZX_ERR_UNAVAILABLE",
        sys::ZX_ERR_ACCESS_DENIED => c"ZX_ERR_ACCESS_DENIED",
        sys::ZX_ERR_IO => c"ZX_ERR_IO",
        sys::ZX_ERR_IO_REFUSED => c"ZX_ERR_IO_REFUSED",
        sys::ZX_ERR_IO_DATA_INTEGRITY => c"ZX_ERR_IO_DATA_INTEGRITY",
        sys::ZX_ERR_IO_DATA_LOSS => c"ZX_ERR_IO_DATA_LOSS",
        sys::ZX_ERR_IO_NOT_PRESENT => c"ZX_ERR_IO_NOT_PRESENT",
        sys::ZX_ERR_IO_OVERRUN => c"ZX_ERR_IO_OVERRUN",
        sys::ZX_ERR_IO_MISSED_DEADLINE => c"ZX_ERR_IO_MISSED_DEADLINE",
        sys::ZX_ERR_IO_INVALID => c"ZX_ERR_IO_INVALID",
        sys::ZX_ERR_BAD_PATH => c"ZX_ERR_BAD_PATH",
        sys::ZX_ERR_NOT_DIR => c"ZX_ERR_NOT_DIR",
        sys::ZX_ERR_NOT_FILE => c"ZX_ERR_NOT_FILE",
        sys::ZX_ERR_FILE_BIG => c"ZX_ERR_FILE_BIG",
        sys::ZX_ERR_NO_SPACE => c"ZX_ERR_NO_SPACE",
        sys::ZX_ERR_NOT_EMPTY => c"ZX_ERR_NOT_EMPTY",
        sys::ZX_ERR_STOP => c"ZX_ERR_STOP",
        sys::ZX_ERR_NEXT => c"ZX_ERR_NEXT",
        sys::ZX_ERR_ASYNC => c"ZX_ERR_ASYNC",
        sys::ZX_ERR_PROTOCOL_NOT_SUPPORTED => c"ZX_ERR_PROTOCOL_NOT_SUPPORTED",
        sys::ZX_ERR_ADDRESS_UNREACHABLE => c"ZX_ERR_ADDRESS_UNREACHABLE",
        sys::ZX_ERR_ADDRESS_IN_USE => c"ZX_ERR_ADDRESS_IN_USE",
        sys::ZX_ERR_NOT_CONNECTED => c"ZX_ERR_NOT_CONNECTED",
        sys::ZX_ERR_CONNECTION_REFUSED => c"ZX_ERR_CONNECTION_REFUSED",
        sys::ZX_ERR_CONNECTION_RESET => c"ZX_ERR_CONNECTION_RESET",
        sys::ZX_ERR_CONNECTION_ABORTED => c"ZX_ERR_CONNECTION_ABORTED",
        sys::ZX_ERR_INTERNAL_INTR_KILLED => c"ZX_ERR_INTERNAL_INTR_KILLED",
        _ => c"(UNKNOWN)",
    }
}

#[no_mangle]
pub extern "C" fn zx_status_get_string(status: zx_status_t) -> *const c_char {
    name(status).as_ptr()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_constants() {
        assert_eq!(name(sys::ZX_ERR_BAD_HANDLE), c"ZX_ERR_BAD_HANDLE");
        assert_eq!(name(sys::ZX_OK), c"ZX_OK");
        assert_eq!(name(12345), c"(UNKNOWN)");
    }
}
