//! Socket: a byte stream or datagram pair (`zx_socket_create`), or a real OS socket adopted with
//! [`Socket::from_std`] / [`Socket::from_fd`] (a zxsim extension).

use std::mem::MaybeUninit;

use bitflags::bitflags;

use super::info::get_info_single;
use super::{impl_handle_based, ok, AsHandleRef, Handle, Peered, Result, Status};
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

bitflags! {
    /// Options of [`Socket::read_opts`].
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
    pub struct SocketReadOpts: u32 {
        /// Leave the data in the socket (`ZX_SOCKET_PEEK`).
        const PEEK = sys::ZX_SOCKET_PEEK;
    }
}

bitflags! {
    /// Options of [`Socket::write_opts`] (none are defined).
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
    pub struct SocketWriteOpts: u32 {}
}

/// `zx_socket_set_disposition` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SocketWriteDisposition {
    /// `ZX_SOCKET_DISPOSITION_WRITE_ENABLED`.
    Enabled,
    /// `ZX_SOCKET_DISPOSITION_WRITE_DISABLED`.
    Disabled,
}

impl SocketWriteDisposition {
    /// From a raw disposition argument: 0 is "no change" (`None`); unknown values are
    /// `INVALID_ARGS`.
    pub fn from_raw(raw: u32) -> Result<Option<SocketWriteDisposition>> {
        match raw {
            0 => Ok(None),
            sys::ZX_SOCKET_DISPOSITION_WRITE_ENABLED => Ok(Some(SocketWriteDisposition::Enabled)),
            sys::ZX_SOCKET_DISPOSITION_WRITE_DISABLED => Ok(Some(SocketWriteDisposition::Disabled)),
            _ => Err(Status::INVALID_ARGS),
        }
    }
}

impl From<SocketWriteDisposition> for u32 {
    fn from(disposition: SocketWriteDisposition) -> u32 {
        match disposition {
            SocketWriteDisposition::Enabled => sys::ZX_SOCKET_DISPOSITION_WRITE_ENABLED,
            SocketWriteDisposition::Disabled => sys::ZX_SOCKET_DISPOSITION_WRITE_DISABLED,
        }
    }
}

/// `ZX_INFO_SOCKET`: what [`Socket::info`] answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SocketInfo {
    pub options: SocketOpts,
    pub rx_buf_max: usize,
    pub rx_buf_size: usize,
    pub rx_buf_available: usize,
    pub tx_buf_max: usize,
    pub tx_buf_size: usize,
}

impl Default for SocketInfo {
    fn default() -> Self {
        SocketInfo::from(sys::zx_info_socket_t::default())
    }
}

impl From<sys::zx_info_socket_t> for SocketInfo {
    fn from(info: sys::zx_info_socket_t) -> Self {
        SocketInfo {
            options: SocketOpts::from_bits_truncate(info.options),
            rx_buf_max: info.rx_buf_max,
            rx_buf_size: info.rx_buf_size,
            rx_buf_available: info.rx_buf_available,
            tx_buf_max: info.tx_buf_max,
            tx_buf_size: info.tx_buf_size,
        }
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
        self.write_opts(bytes, SocketWriteOpts::empty())
    }

    /// [`Socket::write`] with options.
    pub fn write_opts(&self, bytes: &[u8], opts: SocketWriteOpts) -> Result<usize> {
        let mut actual = 0;
        ok(sys::zx_socket_write(
            self.raw_handle(),
            opts.bits(),
            bytes,
            Some(&mut actual),
        ))?;
        Ok(actual)
    }

    /// [`Socket::write`] over a raw pointer.
    ///
    /// # Safety
    ///
    /// `bytes` must be valid for reads of `len` bytes.
    pub unsafe fn write_raw(&self, bytes: *const u8, len: usize) -> Result<usize> {
        // SAFETY: the caller's contract.
        unsafe { self.write_raw_opts(bytes, len, SocketWriteOpts::empty()) }
    }

    /// [`Socket::write_opts`] over a raw pointer.
    ///
    /// # Safety
    ///
    /// `bytes` must be valid for reads of `len` bytes.
    pub unsafe fn write_raw_opts(
        &self,
        bytes: *const u8,
        len: usize,
        opts: SocketWriteOpts,
    ) -> Result<usize> {
        let bytes: &[u8] = if len == 0 {
            &[]
        } else {
            // SAFETY: the caller's contract.
            unsafe { std::slice::from_raw_parts(bytes, len) }
        };
        self.write_opts(bytes, opts)
    }

    /// Reads into `bytes`; returns how many were read. Wraps `zx_socket_read`.
    pub fn read(&self, bytes: &mut [u8]) -> Result<usize> {
        self.read_opts(bytes, SocketReadOpts::empty())
    }

    /// [`Socket::read`] with options.
    pub fn read_opts(&self, bytes: &mut [u8], opts: SocketReadOpts) -> Result<usize> {
        let mut actual = 0;
        ok(sys::zx_socket_read(
            self.raw_handle(),
            opts.bits(),
            bytes,
            Some(&mut actual),
        ))?;
        Ok(actual)
    }

    /// Reads without consuming. Wraps `zx_socket_read(ZX_SOCKET_PEEK)` (a zxsim shorthand for
    /// `read_opts(bytes, SocketReadOpts::PEEK)`).
    pub fn peek(&self, bytes: &mut [u8]) -> Result<usize> {
        self.read_opts(bytes, SocketReadOpts::PEEK)
    }

    /// Reads into uninitialized memory; answers the initialized prefix read.
    pub fn read_uninit<'a>(&self, bytes: &'a mut [MaybeUninit<u8>]) -> Result<&'a mut [u8]> {
        self.read_uninit_opts(bytes, SocketReadOpts::empty())
    }

    /// [`Socket::read_uninit`] with options.
    pub fn read_uninit_opts<'a>(
        &self,
        bytes: &'a mut [MaybeUninit<u8>],
        opts: SocketReadOpts,
    ) -> Result<&'a mut [u8]> {
        bytes.fill(MaybeUninit::new(0));
        // SAFETY: every byte was just initialized; `MaybeUninit<u8>` has `u8`'s layout.
        let bytes = unsafe { &mut *(bytes as *mut [MaybeUninit<u8>] as *mut [u8]) };
        let actual = self.read_opts(bytes, opts)?;
        Ok(&mut bytes[..actual])
    }

    /// [`Socket::read`] over a raw pointer.
    ///
    /// # Safety
    ///
    /// `bytes` must be valid for writes of `len` bytes.
    pub unsafe fn read_raw(&self, bytes: *mut u8, len: usize) -> Result<usize> {
        // SAFETY: the caller's contract.
        unsafe { self.read_raw_opts(bytes, len, SocketReadOpts::empty()) }
    }

    /// [`Socket::read_opts`] over a raw pointer.
    ///
    /// # Safety
    ///
    /// `bytes` must be valid for writes of `len` bytes.
    pub unsafe fn read_raw_opts(
        &self,
        bytes: *mut u8,
        len: usize,
        opts: SocketReadOpts,
    ) -> Result<usize> {
        let slots: &mut [MaybeUninit<u8>] = if len == 0 {
            &mut []
        } else {
            // SAFETY: the caller's contract.
            unsafe { std::slice::from_raw_parts_mut(bytes.cast(), len) }
        };
        self.read_uninit_opts(slots, opts).map(|read| read.len())
    }

    /// Disables writes from the peer (this end's reads then drain and answer `BAD_STATE`).
    /// Wraps `zx_socket_set_disposition(0, ZX_SOCKET_DISPOSITION_WRITE_DISABLED)`.
    pub fn half_close(&self) -> Result<()> {
        self.set_disposition(None, Some(SocketWriteDisposition::Disabled))
    }

    /// Disables or re-enables writes on this end and/or its peer (`None`: unchanged). Wraps
    /// `zx_socket_set_disposition`.
    pub fn set_disposition(
        &self,
        disposition: Option<SocketWriteDisposition>,
        disposition_peer: Option<SocketWriteDisposition>,
    ) -> Result<()> {
        ok(sys::zx_socket_set_disposition(
            self.raw_handle(),
            disposition.map_or(0, u32::from),
            disposition_peer.map_or(0, u32::from),
        ))
    }

    /// `ZX_INFO_SOCKET`. Wraps `zx_object_get_info`.
    pub fn info(&self) -> Result<SocketInfo> {
        get_info_single::<sys::zx_info_socket_t>(self.raw_handle(), sys::ZX_INFO_SOCKET)
            .map(SocketInfo::from)
    }

    /// The bytes (stream) or the next datagram's size waiting to be read.
    pub fn outstanding_read_bytes(&self) -> Result<usize> {
        self.info().map(|info| info.rx_buf_available)
    }

    /// `ZX_PROP_SOCKET_RX_THRESHOLD`: the readable byte count at which `SOCKET_READ_THRESHOLD`
    /// asserts (0: off). Wraps `zx_object_get_property`.
    pub fn get_rx_threshold(&self) -> Result<usize> {
        self.get_property(sys::ZX_PROP_SOCKET_RX_THRESHOLD)
    }

    /// Sets `ZX_PROP_SOCKET_RX_THRESHOLD`. Wraps `zx_object_set_property`.
    pub fn set_rx_threshold(&self, value: &usize) -> Result<()> {
        self.set_property(sys::ZX_PROP_SOCKET_RX_THRESHOLD, *value)
    }

    /// `ZX_PROP_SOCKET_TX_THRESHOLD`: the writable room at which `SOCKET_WRITE_THRESHOLD`
    /// asserts (0: off). Wraps `zx_object_get_property`.
    pub fn get_tx_threshold(&self) -> Result<usize> {
        self.get_property(sys::ZX_PROP_SOCKET_TX_THRESHOLD)
    }

    /// Sets `ZX_PROP_SOCKET_TX_THRESHOLD`. Wraps `zx_object_set_property`.
    pub fn set_tx_threshold(&self, value: &usize) -> Result<()> {
        self.set_property(sys::ZX_PROP_SOCKET_TX_THRESHOLD, *value)
    }

    fn get_property(&self, property: u32) -> Result<usize> {
        let mut value = [0u8; 8];
        ok(sys::zx_object_get_property(
            self.raw_handle(),
            property,
            &mut value,
        ))?;
        usize::try_from(u64::from_le_bytes(value)).map_err(|_| Status::OUT_OF_RANGE)
    }

    fn set_property(&self, property: u32, value: usize) -> Result<()> {
        let value = (value as u64).to_le_bytes();
        ok(sys::zx_object_set_property(
            self.raw_handle(),
            property,
            &value,
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
