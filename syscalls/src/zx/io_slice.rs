//! [`ChannelIoSlice`]: one buffer of a vectored channel write (`writev`, `callv`...).

use std::ops::Deref;

use crate::sys;

/// A borrowed byte buffer for vectored channel writes and calls, like `std::io::IoSlice`; the
/// same memory as a `zx_channel_iovec_t`, so a slice of them is the iovec array the kernel reads.
#[derive(Clone, Copy)]
#[repr(transparent)]
pub struct ChannelIoSlice<'a>(sys::zx_channel_iovec_t<'a>);

impl<'a> ChannelIoSlice<'a> {
    /// Describes `buf` (a buffer over `u32::MAX` bytes — far past any message limit — is
    /// truncated).
    pub fn new(buf: &'a [u8]) -> ChannelIoSlice<'a> {
        ChannelIoSlice(sys::zx_channel_iovec_t::new(buf))
    }

    /// The iovec array for a `sys` call.
    pub(super) fn as_iovecs<'s>(
        slices: &'s [ChannelIoSlice<'a>],
    ) -> &'s [sys::zx_channel_iovec_t<'a>] {
        // SAFETY: `ChannelIoSlice` is `repr(transparent)` over `zx_channel_iovec_t`.
        unsafe { std::slice::from_raw_parts(slices.as_ptr().cast(), slices.len()) }
    }
}

impl Deref for ChannelIoSlice<'_> {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        self.0.as_slice()
    }
}

impl PartialEq for ChannelIoSlice<'_> {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

impl Eq for ChannelIoSlice<'_> {}

impl std::hash::Hash for ChannelIoSlice<'_> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        (**self).hash(state)
    }
}

impl std::fmt::Debug for ChannelIoSlice<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        (**self).fmt(f)
    }
}
