//! zxsim's syscall surface.
//!
//! - [`sys`]: the raw C-shaped surface — `zx_handle_close`, `zx_port_wait`, `ZX_ERR_*`... — with
//!   Zircon's names, parameter order, types and values.
//! - [`zx`]: a typed layer shaped like Fuchsia's Rust `zx` crate (`Event`, `Port`, `Status`,
//!   `Signals`...).
//!
//! Both act on the simulated process bound to the calling thread (see
//! [`zxsim_kernel::Process::bind`]); an unbound thread uses the default kernel's default process.

pub mod sys;
pub mod zx;

pub use zxsim_kernel as kernel;
