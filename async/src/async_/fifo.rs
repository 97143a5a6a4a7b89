//! `Fifo`: a zx fifo whose reads and writes wait on the executor.

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
            match self.fifo.read(self.elem_size, buf) {
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
            match self.fifo.write(self.elem_size, buf) {
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

    pub fn as_fifo(&self) -> &zx::Fifo {
        &self.fifo
    }

    pub fn into_zx_fifo(self) -> zx::Fifo {
        self.fifo
    }
}
