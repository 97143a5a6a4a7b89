//! Socket: a byte stream or datagram pair (`zx_socket_create`), or a real OS socket adopted with
//! [`Socket::from_std`] / [`Socket::from_fd`] (a zxsim extension).

use bitflags::bitflags;

use super::{impl_handle_based, ok, Handle, Peered, Result};
use crate::sys;

/// A handle to one end of a socket. Default rights include READ, WRITE, the property rights and
/// MANAGE_SOCKET.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(transparent)]
pub struct Socket(Handle);
impl_handle_based!(Socket);
impl Peered for Socket {}

bitflags! {
    /// Options of [`Socket::create`].
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
    pub struct SocketOpts: u32 {
        const STREAM = sys::ZX_SOCKET_STREAM;
        const DATAGRAM = sys::ZX_SOCKET_DATAGRAM;
    }
}

/// `zx_socket_set_disposition` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SocketWriteDisposition {
    Disabled,
    Enabled,
}

fn disposition(value: Option<SocketWriteDisposition>) -> u32 {
    match value {
        None => 0,
        Some(SocketWriteDisposition::Disabled) => sys::ZX_SOCKET_DISPOSITION_WRITE_DISABLED,
        Some(SocketWriteDisposition::Enabled) => sys::ZX_SOCKET_DISPOSITION_WRITE_ENABLED,
    }
}

impl Socket {
    fn create(options: SocketOpts) -> Result<(Socket, Socket)> {
        let (mut out0, mut out1) = (sys::ZX_HANDLE_INVALID, sys::ZX_HANDLE_INVALID);
        ok(sys::zx_socket_create(options.bits(), &mut out0, &mut out1))?;
        Ok((Socket(Handle(out0)), Socket(Handle(out1))))
    }

    /// A stream socket pair. Wraps `zx_socket_create(ZX_SOCKET_STREAM)`.
    ///
    /// # Panics
    ///
    /// If the kernel's handle arena is full, as the real crate panics on OOM.
    pub fn create_stream() -> (Socket, Socket) {
        Socket::create(SocketOpts::STREAM)
            .expect("socket creation fails only when the arena is full")
    }

    /// A datagram socket pair. Wraps `zx_socket_create(ZX_SOCKET_DATAGRAM)`.
    ///
    /// # Panics
    ///
    /// As [`Socket::create_stream`].
    pub fn create_datagram() -> (Socket, Socket) {
        Socket::create(SocketOpts::DATAGRAM)
            .expect("socket creation fails only when the arena is full")
    }

    /// Writes `bytes`; returns how many were written (streams may write short). Wraps
    /// `zx_socket_write`.
    pub fn write(&self, bytes: &[u8]) -> Result<usize> {
        let mut actual = 0;
        ok(sys::zx_socket_write(self.0 .0, 0, bytes, Some(&mut actual)))?;
        Ok(actual)
    }

    /// Reads into `bytes`; returns how many were read. Wraps `zx_socket_read`.
    pub fn read(&self, bytes: &mut [u8]) -> Result<usize> {
        let mut actual = 0;
        ok(sys::zx_socket_read(self.0 .0, 0, bytes, Some(&mut actual)))?;
        Ok(actual)
    }

    /// Reads without consuming. Wraps `zx_socket_read(ZX_SOCKET_PEEK)`.
    pub fn peek(&self, bytes: &mut [u8]) -> Result<usize> {
        let mut actual = 0;
        ok(sys::zx_socket_read(
            self.0 .0,
            sys::ZX_SOCKET_PEEK,
            bytes,
            Some(&mut actual),
        ))?;
        Ok(actual)
    }

    /// Disables or re-enables writes on this end and/or its peer. Wraps
    /// `zx_socket_set_disposition`.
    pub fn set_disposition(
        &self,
        this: Option<SocketWriteDisposition>,
        peer: Option<SocketWriteDisposition>,
    ) -> Result<()> {
        ok(sys::zx_socket_set_disposition(
            self.0 .0,
            disposition(this),
            disposition(peer),
        ))
    }

    /// Adopts an OS descriptor (a connected socket or a pipe end): the socket's signals follow
    /// the descriptor's readiness, reads and writes are non-blocking I/O on it, and it closes
    /// with the socket's last handle. Wraps `zxsim_socket_from_fd` (a zxsim extension).
    #[cfg(unix)]
    pub fn from_fd(fd: std::os::fd::OwnedFd) -> Result<Socket> {
        let mut out = sys::ZX_HANDLE_INVALID;
        ok(sys::zxsim_socket_from_fd(fd, 0, &mut out))?;
        Ok(Socket(Handle(out)))
    }

    /// Adopts a std socket or pipe end: `TcpStream`, `UnixStream`, `UdpSocket` (connected), or
    /// anything else that converts into an `OwnedFd`. See [`Socket::from_fd`].
    #[cfg(unix)]
    pub fn from_std(io: impl Into<std::os::fd::OwnedFd>) -> Result<Socket> {
        Socket::from_fd(io.into())
    }
}
