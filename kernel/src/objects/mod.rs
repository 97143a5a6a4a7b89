//! The kernel object types, one file each. Every file has the same shape: the object's state, its
//! signals, its syscall-facing methods, and its `on_zero_handles`.

pub mod channel;
pub mod event;
pub mod eventpair;
pub mod fifo;
pub mod peer;
pub mod port;
pub mod process;
pub mod socket;
pub mod thread;
pub mod timer;
