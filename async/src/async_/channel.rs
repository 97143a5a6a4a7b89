//! `Channel`: a zx channel whose reads wait on the executor.

use zxsim_syscalls::zx::{self, AsHandleRef, Peered, Status};

use zxsim_syscalls::sys::*;

use super::OnSignals;

/// `zx_channel_read` without a maximum-size buffer (`zx::Channel::read` prepares 64 KiB for
/// every call, which dominated a small exchange): a small message is read into stack buffers
/// and copied out; a larger one answers `BUFFER_TOO_SMALL` with its sizes (and stays queued),
/// and is read again into buffers of exactly that size.
fn read_message(channel: zx_handle_t) -> Result<zx::MessageBuf, Status> {
    let mut small_bytes = [0u8; 512];
    let mut small_handles = [ZX_HANDLE_INVALID; 4];
    let (mut n_bytes, mut n_handles) = (0u32, 0u32);
    match zx_channel_read(
        channel,
        0,
        &mut small_bytes,
        &mut small_handles,
        Some(&mut n_bytes),
        Some(&mut n_handles),
    ) {
        ZX_OK => {
            return Ok(message(
                small_bytes[..n_bytes as usize].to_vec(),
                &small_handles[..n_handles as usize],
            ))
        }
        ZX_ERR_BUFFER_TOO_SMALL => {}
        status => return Err(Status::from_raw(status)),
    }
    loop {
        let mut bytes = vec![0u8; n_bytes as usize];
        let mut handles = vec![ZX_HANDLE_INVALID; n_handles as usize];
        match zx_channel_read(
            channel,
            0,
            &mut bytes,
            &mut handles,
            Some(&mut n_bytes),
            Some(&mut n_handles),
        ) {
            ZX_OK => {
                bytes.truncate(n_bytes as usize);
                return Ok(message(bytes, &handles[..n_handles as usize]));
            }
            // Another reader took the message we measured; the sizes are the next one's.
            ZX_ERR_BUFFER_TOO_SMALL => continue,
            status => return Err(Status::from_raw(status)),
        }
    }
}

fn message(bytes: Vec<u8>, handles: &[zx_handle_t]) -> zx::MessageBuf {
    let handles = handles
        .iter()
        // SAFETY: the read just moved these handles into this process; nothing else owns them.
        .map(|&raw| unsafe { zx::Handle::from_raw(raw) })
        .collect();
    zx::MessageBuf::new_with(bytes, handles)
}

/// `fuchsia_async::Channel`: `recv_msg` waits (through [`OnSignals`]) while the channel is
/// empty; `write` never waits (a full channel answers `SHOULD_WAIT`, as in Zircon).
#[derive(Debug)]
pub struct Channel {
    channel: zx::Channel,
}

impl Channel {
    pub fn from_channel(channel: zx::Channel) -> Channel {
        Channel { channel }
    }

    /// Reads the next message into `buf`, waiting for one; `PEER_CLOSED` once the peer is gone
    /// and the channel is drained.
    pub async fn recv_msg(&self, buf: &mut zx::MessageBuf) -> Result<(), Status> {
        loop {
            match read_message(self.channel.raw_handle()) {
                Ok(message) => {
                    *buf = message;
                    return Ok(());
                }
                Err(Status::SHOULD_WAIT) => {
                    OnSignals::after_should_wait(
                        self.channel.raw_handle(),
                        zx::Signals::CHANNEL_READABLE | zx::Signals::CHANNEL_PEER_CLOSED,
                    )
                    .await?;
                }
                Err(status) => return Err(status),
            }
        }
    }

    /// `zx_channel_write`: the handles are consumed whatever the outcome and left invalid in place.
    pub fn write(&self, bytes: &[u8], handles: &mut [zx::Handle]) -> Result<(), Status> {
        self.channel.write(bytes, handles)
    }

    pub fn is_closed(&self) -> bool {
        self.channel.is_closed().unwrap_or(true)
    }

    /// Waits until the peer is closed.
    pub async fn on_closed(&self) -> Result<zx::Signals, Status> {
        OnSignals::new(&self.channel, zx::Signals::CHANNEL_PEER_CLOSED).await
    }

    pub fn as_channel(&self) -> &zx::Channel {
        &self.channel
    }

    pub fn into_zx_channel(self) -> zx::Channel {
        self.channel
    }
}

impl AsHandleRef for Channel {
    fn as_handle_ref(&self) -> zx::HandleRef<'_> {
        self.channel.as_handle_ref()
    }
}
