//! Non-blocking I/O on an OS descriptor: stream sockets, datagram sockets and pipes.
//!
//! Ownership: the descriptor arrives as an `OwnedFd` and is closed when the endpoint drops —
//! but only while it is still **ours**. A program may close an adopted descriptor behind zxsim's
//! back; from then on the number may name somebody else's file (even another zxsim socket's), so
//! zxsim must never use, deregister or close that number again. It notices in two ways: an
//! operation that meets `EBADF` disowns the descriptor at once, and at drop (or deregistration)
//! the number must still name the same file (device and inode recorded at adoption) before it is
//! closed. What it cannot notice is an operation racing the foreign close and reuse of the
//! number in between: that is the program's bug, as on any OS.
//!
//! Directions: a pipe end can only read or only write (its access mode says which). The
//! direction it cannot do is a per-direction disposition, not a hang-up: a read-only end starts
//! with its writes disabled, a write-only end with its peer's writes disabled. Unconnected
//! datagram sockets are refused with `BAD_STATE`: a Zircon socket talks to one peer, and such a
//! socket has none (every write would fail). Listening sockets and descriptors that are neither
//! sockets nor pipes are refused with `NOT_SUPPORTED`. A refused descriptor is closed: ownership
//! passed with the call.

use std::mem::ManuallyDrop;
use std::os::fd::{AsRawFd, OwnedFd, RawFd};

use crate::os::{Directions, OsIo};
use crate::status::Status;
use crate::sync::{AtomicBool, Ordering};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FdKind {
    StreamSocket,
    DatagramSocket,
    Pipe,
}

pub struct FdIo {
    /// Dropped (closed) only while [`FdIo::still_ours`].
    fd: ManuallyDrop<OwnedFd>,
    raw: RawFd,
    kind: FdKind,
    directions: Directions,
    /// `(st_dev, st_ino)` at adoption: the file the number must still name to be ours.
    identity: (u64, u64),
    /// Set once an operation met `EBADF` (or the descriptor turned out to belong to another
    /// socket already): the number is never touched again.
    disowned: AtomicBool,
}

impl Drop for FdIo {
    fn drop(&mut self) {
        if self.still_ours() {
            // SAFETY: dropped exactly once, here; the descriptor is still the one we adopted.
            unsafe { ManuallyDrop::drop(&mut self.fd) };
        }
    }
}

fn last_error() -> std::io::Error {
    std::io::Error::last_os_error()
}

fn fstat(fd: RawFd) -> Option<libc::stat> {
    // SAFETY: `stat` is plain data; fstat writes it in full on success.
    let mut stat: libc::stat = unsafe { std::mem::zeroed() };
    // SAFETY: fstat on any integer is safe; it fails with EBADF if `fd` is not open.
    (unsafe { libc::fstat(fd, &mut stat) } == 0).then_some(stat)
}

/// The file `fd` names now: `(st_dev, st_ino)`.
pub(crate) fn file_identity(fd: RawFd) -> Option<(u64, u64)> {
    #[allow(clippy::unnecessary_cast)] // the field types differ between platforms
    fstat(fd).map(|stat| (stat.st_dev as u64, stat.st_ino as u64))
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

fn is_connected(fd: RawFd) -> bool {
    // SAFETY: `address` and `len` are valid for writes of the sizes passed.
    let mut address: libc::sockaddr_storage = unsafe { std::mem::zeroed() };
    let mut len = std::mem::size_of::<libc::sockaddr_storage>() as libc::socklen_t;
    // SAFETY: as above; getpeername writes at most `len` bytes.
    let rc = unsafe {
        libc::getpeername(
            fd,
            (&mut address as *mut libc::sockaddr_storage).cast(),
            &mut len,
        )
    };
    rc == 0
}

impl FdIo {
    /// Adopts `fd`: classifies it and makes it non-blocking. A refusal closes it.
    pub fn adopt(fd: OwnedFd) -> Result<FdIo, Status> {
        let raw = fd.as_raw_fd();
        let stat = fstat(raw).ok_or(Status::BAD_HANDLE)?;
        let identity = file_identity(raw).ok_or(Status::BAD_HANDLE)?;
        let kind = match stat.st_mode & libc::S_IFMT {
            libc::S_IFSOCK => {
                if socket_option(raw, libc::SO_ACCEPTCONN).unwrap_or(0) != 0 {
                    return Err(Status::NOT_SUPPORTED); // a listener carries no data
                }
                match socket_option(raw, libc::SO_TYPE)? {
                    libc::SOCK_STREAM | libc::SOCK_SEQPACKET => FdKind::StreamSocket,
                    libc::SOCK_DGRAM if is_connected(raw) => FdKind::DatagramSocket,
                    libc::SOCK_DGRAM => return Err(Status::BAD_STATE),
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
        let directions = match (kind, flags & libc::O_ACCMODE) {
            (FdKind::Pipe, libc::O_RDONLY) => Directions {
                read: true,
                write: false,
            },
            (FdKind::Pipe, libc::O_WRONLY) => Directions {
                read: false,
                write: true,
            },
            _ => Directions {
                read: true,
                write: true,
            },
        };
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
        Ok(FdIo {
            fd: ManuallyDrop::new(fd),
            raw,
            kind,
            directions,
            identity,
            disowned: AtomicBool::new(false),
        })
    }

    pub fn kind(&self) -> FdKind {
        self.kind
    }

    /// The descriptor is still the file adopted and was never disowned.
    fn still_ours(&self) -> bool {
        !self.disowned.load(Ordering::Acquire) && file_identity(self.raw) == Some(self.identity)
    }

    /// The number to operate on, unless the descriptor was disowned.
    fn usable(&self) -> std::io::Result<RawFd> {
        if self.disowned.load(Ordering::Acquire) {
            Err(std::io::Error::from_raw_os_error(libc::EBADF))
        } else {
            Ok(self.raw)
        }
    }

    /// Disowns the descriptor if `result` says it is no longer open.
    fn checked(&self, result: std::io::Result<usize>) -> std::io::Result<usize> {
        if let Err(error) = &result {
            if error.raw_os_error() == Some(libc::EBADF) {
                self.disown();
            }
        }
        result
    }
}

#[cfg(target_os = "linux")]
const SEND_FLAGS: libc::c_int = libc::MSG_NOSIGNAL;
#[cfg(not(target_os = "linux"))]
const SEND_FLAGS: libc::c_int = 0;

impl OsIo for FdIo {
    fn read(&self, buf: &mut [u8], peek: bool) -> std::io::Result<usize> {
        let fd = self.usable()?;
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
        self.checked(if n < 0 {
            Err(last_error())
        } else {
            Ok(n as usize)
        })
    }

    fn write(&self, buf: &[u8]) -> std::io::Result<usize> {
        let fd = self.usable()?;
        let n = match self.kind {
            // SAFETY: `buf` is valid for reads of `buf.len()` bytes.
            FdKind::Pipe => unsafe { libc::write(fd, buf.as_ptr().cast(), buf.len()) },
            // SAFETY: as above.
            _ => unsafe { libc::send(fd, buf.as_ptr().cast(), buf.len(), SEND_FLAGS) },
        };
        self.checked(if n < 0 {
            Err(last_error())
        } else {
            Ok(n as usize)
        })
    }

    fn shutdown_write(&self) -> std::io::Result<()> {
        if self.kind == FdKind::Pipe {
            return Err(std::io::Error::from(std::io::ErrorKind::Unsupported));
        }
        let fd = self.usable()?;
        // SAFETY: shutdown on an open socket we own.
        if unsafe { libc::shutdown(fd, libc::SHUT_WR) } == 0 {
            Ok(())
        } else {
            self.checked(Err(last_error())).map(|_| ())
        }
    }

    fn is_datagram(&self) -> bool {
        self.kind == FdKind::DatagramSocket
    }

    fn directions(&self) -> Directions {
        self.directions
    }

    fn raw_fd(&self) -> Option<i32> {
        self.still_ours().then_some(self.raw)
    }

    fn disown(&self) {
        self.disowned.store(true, Ordering::Release);
    }
}
