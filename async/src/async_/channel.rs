//! `Channel`: a zx channel whose reads wait on the executor.

use zxsim_syscalls::zx::{self, AsHandleRef, Peered, Status};

use super::OnSignals;

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
            match self.channel.read(buf) {
                Err(Status::SHOULD_WAIT) => {
                    OnSignals::new(
                        &self.channel,
                        zx::Signals::CHANNEL_READABLE | zx::Signals::CHANNEL_PEER_CLOSED,
                    )
                    .await?;
                }
                other => return other,
            }
        }
    }

    /// `zx_channel_write`.
    pub fn write(&self, bytes: &[u8], handles: &mut Vec<zx::Handle>) -> Result<(), Status> {
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
