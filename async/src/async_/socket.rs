//! `Socket`: a zx socket as futures' `AsyncRead` + `AsyncWrite`.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures::io::{AsyncRead, AsyncWrite};
use zxsim_syscalls::zx::{self, AsHandleRef, Status};

use super::OnSignals;

/// `fuchsia_async::Socket`. Reads answer `Ok(0)` once the peer closed (or disabled writing) and
/// the socket is drained; writes after that fail with `BrokenPipe`. Works on fd-backed sockets
/// (`zx::Socket::from_std`) too: their signals follow the OS readiness.
pub struct Socket {
    // Declared before `socket`: a pending wait is cancelled before the handle closes.
    read_wait: Option<OnSignals<'static>>,
    write_wait: Option<OnSignals<'static>>,
    socket: zx::Socket,
}

fn io_error(status: Status) -> io::Error {
    io::Error::from(status)
}

/// Polls the wait in `slot` (made on first need); `Ready(Ok)` means "try the call again".
fn poll_wait(
    slot: &mut Option<OnSignals<'static>>,
    object: &zx::Socket,
    signals: zx::Signals,
    cx: &mut Context<'_>,
) -> Poll<Result<(), Status>> {
    let wait =
        slot.get_or_insert_with(|| OnSignals::after_should_wait(object.raw_handle(), signals));
    match Pin::new(wait).poll(cx) {
        Poll::Pending => Poll::Pending,
        Poll::Ready(result) => {
            *slot = None;
            Poll::Ready(result.map(|_| ()))
        }
    }
}

impl Socket {
    pub fn from_socket(socket: zx::Socket) -> Socket {
        Socket {
            read_wait: None,
            write_wait: None,
            socket,
        }
    }

    pub fn as_socket(&self) -> &zx::Socket {
        &self.socket
    }

    pub fn into_zx_socket(mut self) -> zx::Socket {
        self.read_wait = None;
        self.write_wait = None;
        self.socket
    }
}

impl AsyncRead for Socket {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        loop {
            match this.socket.read(buf) {
                Ok(n) => return Poll::Ready(Ok(n)),
                Err(Status::PEER_CLOSED | Status::BAD_STATE) => return Poll::Ready(Ok(0)),
                Err(Status::SHOULD_WAIT) => {
                    let signals = zx::Signals::SOCKET_READABLE
                        | zx::Signals::SOCKET_PEER_CLOSED
                        | zx::Signals::SOCKET_PEER_WRITE_DISABLED;
                    match poll_wait(&mut this.read_wait, &this.socket, signals, cx) {
                        Poll::Pending => return Poll::Pending,
                        Poll::Ready(Ok(())) => {}
                        Poll::Ready(Err(status)) => return Poll::Ready(Err(io_error(status))),
                    }
                }
                Err(status) => return Poll::Ready(Err(io_error(status))),
            }
        }
    }
}

impl AsyncWrite for Socket {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        loop {
            match this.socket.write(buf) {
                Ok(n) => return Poll::Ready(Ok(n)),
                Err(Status::PEER_CLOSED | Status::BAD_STATE) => {
                    return Poll::Ready(Err(io::ErrorKind::BrokenPipe.into()))
                }
                Err(Status::SHOULD_WAIT) => {
                    let signals = zx::Signals::SOCKET_WRITABLE | zx::Signals::SOCKET_PEER_CLOSED;
                    match poll_wait(&mut this.write_wait, &this.socket, signals, cx) {
                        Poll::Pending => return Poll::Pending,
                        Poll::Ready(Ok(())) => {}
                        Poll::Ready(Err(status)) => return Poll::Ready(Err(io_error(status))),
                    }
                }
                Err(status) => return Poll::Ready(Err(io_error(status))),
            }
        }
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    /// Disables writing on this end (the peer reads end-of-stream once drained).
    fn poll_close(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let result = self
            .socket
            .set_disposition(Some(zx::SocketWriteDisposition::Disabled), None);
        Poll::Ready(result.map_err(io_error))
    }
}

impl std::fmt::Debug for Socket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Socket")
            .field("socket", &self.socket)
            .finish()
    }
}
