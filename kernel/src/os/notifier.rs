//! An OS-waitable descriptor for a port: eventfd on Linux, a non-blocking pipe elsewhere.
//!
//! The port writes to it only on the "no notification pending" → "pending" transition, so many
//! queued packets make one wake-up; a notification written before anyone waits stays in the
//! descriptor (the libxev `Async` contract). The consumer drains the port, then re-arms
//! (`zxsim_port_rearm`), which reads the descriptor back to quiet and re-notifies at once if
//! packets are still queued — so no packet is ever left without a wake-up.

use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};

use crate::objects::port::PortNotifier;
use crate::status::Status;

pub struct OsNotifier {
    /// The descriptor event loops wait on (the read end, for a pipe).
    read: OwnedFd,
    /// Where notifications are written (the same eventfd on Linux).
    write: Option<OwnedFd>,
}

impl OsNotifier {
    #[cfg(target_os = "linux")]
    pub fn new() -> Result<OsNotifier, Status> {
        // SAFETY: eventfd takes no pointers; a non-negative result is a new descriptor we own.
        let fd = unsafe { libc::eventfd(0, libc::EFD_NONBLOCK | libc::EFD_CLOEXEC) };
        if fd < 0 {
            return Err(Status::NO_RESOURCES);
        }
        // SAFETY: `fd` was just created and is owned by nobody else.
        let read = unsafe { OwnedFd::from_raw_fd(fd) };
        Ok(OsNotifier { read, write: None })
    }

    #[cfg(not(target_os = "linux"))]
    pub fn new() -> Result<OsNotifier, Status> {
        let mut fds = [0 as libc::c_int; 2];
        // SAFETY: `fds` has room for the two descriptors pipe writes.
        if unsafe { libc::pipe(fds.as_mut_ptr()) } != 0 {
            return Err(Status::NO_RESOURCES);
        }
        for fd in fds {
            // SAFETY: fcntl on descriptors we just created.
            unsafe {
                libc::fcntl(
                    fd,
                    libc::F_SETFL,
                    libc::fcntl(fd, libc::F_GETFL) | libc::O_NONBLOCK,
                );
                libc::fcntl(fd, libc::F_SETFD, libc::FD_CLOEXEC);
            }
        }
        // SAFETY: both descriptors were just created and are owned by nobody else.
        let (read, write) = unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
        Ok(OsNotifier {
            read,
            write: Some(write),
        })
    }
}

impl PortNotifier for OsNotifier {
    fn notify(&self) {
        let fd = self.write.as_ref().unwrap_or(&self.read).as_raw_fd();
        let one: u64 = 1;
        let len = if self.write.is_some() { 1 } else { 8 };
        // SAFETY: `one` is valid for reads of `len` ≤ 8 bytes. A full pipe / saturated eventfd
        // already means "readable", so a failed write loses nothing.
        unsafe { libc::write(fd, (&one as *const u64).cast(), len) };
    }

    fn clear(&self) {
        let mut buf = [0u8; 64];
        loop {
            // SAFETY: `buf` is valid for writes of its length.
            let n =
                unsafe { libc::read(self.read.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len()) };
            // An eventfd is emptied by one 8-byte read; a pipe until it would block.
            if n <= 0 || self.write.is_none() {
                break;
            }
        }
    }

    fn raw_fd(&self) -> Option<i32> {
        Some(self.read.as_raw_fd())
    }
}
