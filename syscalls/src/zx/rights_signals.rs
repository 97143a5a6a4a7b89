//! `Rights` and `Signals`: the kernel's bitflags, re-exported unchanged.
//!
//! Their values are Zircon's exactly (`Rights::DUPLICATE` is `ZX_RIGHT_DUPLICATE`,
//! `Signals::USER_0` is `ZX_USER_SIGNAL_0`...), so converting to and from the `sys` layer is
//! `bits()` one way and `from_bits_retain` the other.

pub use zxsim_kernel::{Rights, Signals};
