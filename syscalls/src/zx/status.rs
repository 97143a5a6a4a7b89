//! `Status` and the `Result` every `zx` call answers.
//!
//! [`Status`] is the kernel's own type (a transparent `i32` newtype with named constants whose
//! `Debug` prints `ZX_ERR_*` names, `std::error::Error`, and `From<Status> for std::io::Error`);
//! it already has `Status::ok(raw)`, `Status::from_raw` and `Status::into_raw`. This file only
//! adds the free function [`ok`] and the [`Result`] alias.

use crate::sys;

pub use zxsim_kernel::Status;

/// The result of a `zx` call: `Err` carries the Zircon status.
///
/// The error type has a default, so a glob import of `zx::*` leaves two-parameter
/// `Result<T, E>` working as before.
pub type Result<T, E = Status> = std::result::Result<T, E>;

/// `Ok(())` for `ZX_OK`, `Err(Status)` for any other raw status (unknown codes survive).
pub fn ok(raw: sys::zx_status_t) -> Result<()> {
    Status::ok(raw)
}
