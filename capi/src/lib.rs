//! zxsim's C ABI: every syscall the `sys` layer implements, exported under Zircon's name with
//! Zircon's exact C signature (see `include/zircon/syscalls.h`), plus the `zxsim_*` setup calls
//! of `include/zxsim/zxsim.h`. Link `libzxsim_capi.a` (or `.so`) into a C or C++ program.
//!
//! What this layer owns is the copy-in/copy-out Zircon's kernel does at the syscall boundary:
//! - a pointer into the first page (NULL included), or one reaching into the kernel half of the
//!   address space, behaves as an unmapped user address: Zircon's copy faults and the call answers `ZX_ERR_INVALID_ARGS`, at the point of the call where
//!   Zircon would copy (so earlier checks — options, the handle, size limits — win);
//! - pointers need no alignment (Zircon copies bytes): every struct and array is read and
//!   written with unaligned accesses, never through a Rust reference;
//! - a required out-pointer that is NULL turns a success into `ZX_ERR_INVALID_ARGS` after the
//!   effect, and whatever the call produced (handles, a dequeued packet) is destroyed, as
//!   Zircon's failed copy-out does.
//!
//! Other invalid addresses (a wild pointer into unmapped user memory, a count larger than the
//! array) cannot be detected by a userspace library; as in any C library they are the caller's
//! undefined behaviour.
//!
//! Safety contract of every `unsafe extern "C"` function here: pointer arguments are NULL, in the
//! first page, or valid for the documented number of elements (reads for inputs, writes for
//! outputs) for the duration of the call.
#![allow(clippy::missing_safety_doc, non_camel_case_types)]

mod channel;
mod handle;
mod object;
mod port;
mod status;
mod stream;
mod task;
mod unsupported;
mod user;
mod zxsim;

pub use channel::*;
pub use handle::*;
pub use object::*;
pub use port::*;
pub use status::*;
pub use stream::*;
pub use task::*;
pub use unsupported::*;
pub use zxsim::*;
