//! FIFO: a pair of endpoints exchanging fixed-size elements (`zx_fifo_create`).

use super::{impl_handle_based, ok, Handle, Peered, Result};
use crate::sys;

/// A handle to one end of a fifo of `elem_size`-byte elements.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(transparent)]
pub struct Fifo(Handle);
impl_handle_based!(Fifo);
impl Peered for Fifo {}

impl Fifo {
    /// Creates both ends. Wraps `zx_fifo_create` (`OUT_OF_RANGE` for zero sizes or more than
    /// 4096 bytes in all).
    pub fn create(elem_count: usize, elem_size: usize) -> Result<(Fifo, Fifo)> {
        let (mut out0, mut out1) = (sys::ZX_HANDLE_INVALID, sys::ZX_HANDLE_INVALID);
        ok(sys::zx_fifo_create(
            elem_count, elem_size, 0, &mut out0, &mut out1,
        ))?;
        Ok((Fifo(Handle(out0)), Fifo(Handle(out1))))
    }

    /// Writes whole elements from `bytes` (`elem_size` each); returns how many were written.
    pub fn write(&self, elem_size: usize, bytes: &[u8]) -> Result<usize> {
        let mut actual = 0;
        let count = bytes.len().checked_div(elem_size).unwrap_or(0);
        ok(sys::zx_fifo_write(
            self.0 .0,
            elem_size,
            bytes,
            count,
            Some(&mut actual),
        ))?;
        Ok(actual)
    }

    /// Reads whole elements into `bytes`; returns how many were read.
    pub fn read(&self, elem_size: usize, bytes: &mut [u8]) -> Result<usize> {
        let mut actual = 0;
        let count = bytes.len().checked_div(elem_size).unwrap_or(0);
        ok(sys::zx_fifo_read(
            self.0 .0,
            elem_size,
            bytes,
            count,
            Some(&mut actual),
        ))?;
        Ok(actual)
    }
}
