//! `Fifo`: a zx fifo whose reads and writes wait on the executor.

use zxsim_syscalls::sys;
use zxsim_syscalls::zx::{self, AsHandleRef, Status};

use super::OnSignals;

/// `fuchsia_async::Fifo` (untyped: entries are `elem_size`-byte records).
#[derive(Debug)]
pub struct Fifo {
    fifo: zx::Fifo,
    elem_size: usize,
}

impl Fifo {
    pub fn from_fifo(fifo: zx::Fifo, elem_size: usize) -> Fifo {
        Fifo { fifo, elem_size }
    }

    /// Reads up to `buf.len() / elem_size` entries, waiting until at least one is there;
    /// answers how many. `PEER_CLOSED` once the peer is gone and the fifo empty.
    pub async fn read_entries(&self, buf: &mut [u8]) -> Result<usize, Status> {
        loop {
            match self.transfer(buf.len(), |handle, size, count, actual| {
                sys::zx_fifo_read(handle, size, buf, count, Some(actual))
            }) {
                Err(Status::SHOULD_WAIT) => {
                    OnSignals::after_should_wait(
                        self.fifo.raw_handle(),
                        zx::Signals::FIFO_READABLE | zx::Signals::FIFO_PEER_CLOSED,
                    )
                    .await?;
                }
                other => return other,
            }
        }
    }

    /// Writes as many of `buf`'s entries as fit, waiting until at least one does; answers how
    /// many.
    pub async fn write_entries(&self, buf: &[u8]) -> Result<usize, Status> {
        loop {
            match self.transfer(buf.len(), |handle, size, count, actual| {
                sys::zx_fifo_write(handle, size, buf, count, Some(actual))
            }) {
                Err(Status::SHOULD_WAIT) => {
                    OnSignals::after_should_wait(
                        self.fifo.raw_handle(),
                        zx::Signals::FIFO_WRITABLE | zx::Signals::FIFO_PEER_CLOSED,
                    )
                    .await?;
                }
                other => return other,
            }
        }
    }

    /// One untyped `zx_fifo_read`/`zx_fifo_write` of the whole entries in `len` bytes (the typed
    /// `zx::Fifo` API needs the element type at compile time; this one has only its size).
    fn transfer(
        &self,
        len: usize,
        call: impl FnOnce(sys::zx_handle_t, usize, usize, &mut usize) -> sys::zx_status_t,
    ) -> Result<usize, Status> {
        let count = len.checked_div(self.elem_size).unwrap_or(0);
        let mut actual = 0;
        zx::ok(call(
            self.fifo.raw_handle(),
            self.elem_size,
            count,
            &mut actual,
        ))?;
        Ok(actual)
    }

    pub fn as_fifo(&self) -> &zx::Fifo {
        &self.fifo
    }

    pub fn into_zx_fifo(self) -> zx::Fifo {
        self.fifo
    }
}
