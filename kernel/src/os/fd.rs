//! Non-blocking I/O on an OS descriptor: stream sockets, datagram sockets and pipes.
//!
//! The descriptor is owned (closed when the endpoint drops) and switched to non-blocking mode.
//! Listening sockets and descriptors that are neither sockets nor pipes are refused with
//! `NOT_SUPPORTED` (and closed: ownership passed on the call); an fd that is not open answers
//! `BAD_HANDLE` and nothing is closed.
//!
//! The descriptor is kept as a raw fd rather than an `OwnedFd` on purpose: a user may close it
//! behind zxsim's back (the EBADF case), and `OwnedFd`'s drop aborts the process when its close
//! fails with EBADF. zxsim's close ignores that error.

use std::os::fd::RawFd;

use crate::os::OsIo;
use crate::status::Status;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FdKind {
    StreamSocket,
    DatagramSocket,
    Pipe,
}

pub struct FdIo {
    fd: RawFd,
    kind: FdKind,
}

impl Drop for FdIo {
    fn drop(&mut self) {
        // SAFETY: `fd` was handed to this FdIo; an EBADF (closed behind our back) is ignored.
        unsafe { libc::close(self.fd) };
    }
}

fn last_error() -> std::io::Error {
    std::io::Error::last_os_error()
}

fn socket_option(fd: RawFd, option: libc::c_int) -> Result<libc::c_int, Status> {
    let mut value: libc::c_int = 0;
    let mut len = std::mem::size_of::<libc::c_int>() as libc::socklen_t;
    // SAFETY: `value` and `len` are valid for writes of the sizes passed; the kernel writes at
    // most `len` bytes.
    let rc = unsafe {
        libc::getsockopt(
            fd,
            libc::SOL_SOCKET,
            option,
            (&mut value as *mut libc::c_int).cast(),
            &mut len,
        )
    };
    if rc == 0 {
        Ok(value)
    } else {
        Err(Status::IO)
    }
}

impl FdIo {
    /// Takes ownership of `raw` if it is an open descriptor (else `BAD_HANDLE`, untouched),
    /// classifies it and makes it non-blocking. Once owned, a refusal closes it.
    pub fn from_raw_fd(raw: RawFd) -> Result<FdIo, Status> {
        // SAFETY: `stat` is plain data; fstat writes it in full on success.
        let mut stat: libc::stat = unsafe { std::mem::zeroed() };
        // SAFETY: fstat on any integer is safe; it fails with EBADF if `raw` is not open.
        if raw < 0 || unsafe { libc::fstat(raw, &mut stat) } != 0 {
            return Err(Status::BAD_HANDLE);
        }
        // From here on the descriptor is ours: every early return closes it.
        let mut owned = FdIo {
            fd: raw,
            kind: FdKind::Pipe,
        };
        let kind = match stat.st_mode & libc::S_IFMT {
            libc::S_IFSOCK => {
                if socket_option(raw, libc::SO_ACCEPTCONN).unwrap_or(0) != 0 {
                    return Err(Status::NOT_SUPPORTED); // a listener carries no data
                }
                match socket_option(raw, libc::SO_TYPE)? {
                    libc::SOCK_STREAM | libc::SOCK_SEQPACKET => FdKind::StreamSocket,
                    libc::SOCK_DGRAM => FdKind::DatagramSocket,
                    _ => return Err(Status::NOT_SUPPORTED),
                }
            }
            libc::S_IFIFO => FdKind::Pipe,
            _ => return Err(Status::NOT_SUPPORTED),
        };
        // SAFETY: F_GETFL/F_SETFL on an open descriptor we own.
        let flags = unsafe { libc::fcntl(raw, libc::F_GETFL) };
        // SAFETY: as above.
        if flags < 0 || unsafe { libc::fcntl(raw, libc::F_SETFL, flags | libc::O_NONBLOCK) } < 0 {
            return Err(Status::IO);
        }
        #[cfg(any(target_os = "macos", target_os = "ios", target_os = "freebsd"))]
        if kind != FdKind::Pipe {
            let one: libc::c_int = 1;
            // SAFETY: a valid int option value and its size. Without it a write to a reset
            // socket raises SIGPIPE on these systems (Linux uses MSG_NOSIGNAL per send).
            unsafe {
                libc::setsockopt(
                    raw,
                    libc::SOL_SOCKET,
                    libc::SO_NOSIGPIPE,
                    (&one as *const libc::c_int).cast(),
                    4,
                );
            }
        }
        owned.kind = kind;
        Ok(owned)
    }

    pub fn kind(&self) -> FdKind {
        self.kind
    }
}

#[cfg(target_os = "linux")]
const SEND_FLAGS: libc::c_int = libc::MSG_NOSIGNAL;
#[cfg(not(target_os = "linux"))]
const SEND_FLAGS: libc::c_int = 0;

impl OsIo for FdIo {
    fn read(&self, buf: &mut [u8], peek: bool) -> std::io::Result<usize> {
        let fd = self.fd;
        let n = match self.kind {
            FdKind::Pipe if peek => {
                return Err(std::io::Error::from(std::io::ErrorKind::Unsupported))
            }
            // SAFETY: `buf` is valid for writes of `buf.len()` bytes.
            FdKind::Pipe => unsafe { libc::read(fd, buf.as_mut_ptr().cast(), buf.len()) },
            _ => {
                let flags = if peek { libc::MSG_PEEK } else { 0 };
                // SAFETY: `buf` is valid for writes of `buf.len()` bytes.
                unsafe { libc::recv(fd, buf.as_mut_ptr().cast(), buf.len(), flags) }
            }
        };
        if n < 0 {
            Err(last_error())
        } else {
            Ok(n as usize)
        }
    }

    fn write(&self, buf: &[u8]) -> std::io::Result<usize> {
        let fd = self.fd;
        let n = match self.kind {
            // SAFETY: `buf` is valid for reads of `buf.len()` bytes.
            FdKind::Pipe => unsafe { libc::write(fd, buf.as_ptr().cast(), buf.len()) },
            // SAFETY: as above.
            _ => unsafe { libc::send(fd, buf.as_ptr().cast(), buf.len(), SEND_FLAGS) },
        };
        if n < 0 {
            Err(last_error())
        } else {
            Ok(n as usize)
        }
    }

    fn shutdown_write(&self) -> std::io::Result<()> {
        if self.kind == FdKind::Pipe {
            return Err(std::io::Error::from(std::io::ErrorKind::Unsupported));
        }
        // SAFETY: shutdown on an open socket we own.
        if unsafe { libc::shutdown(self.fd, libc::SHUT_WR) } == 0 {
            Ok(())
        } else {
            Err(last_error())
        }
    }

    fn is_datagram(&self) -> bool {
        self.kind == FdKind::DatagramSocket
    }

    fn raw_fd(&self) -> Option<i32> {
        Some(self.fd)
    }
}
