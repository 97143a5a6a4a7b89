//! Channel: a pair of endpoints carrying messages of bytes and handles (`zx_channel_create`).

use super::{
    impl_handle_based, ok, Handle, HandleInfo, MonotonicInstant, ObjectType, Peered, Result, Rights,
};
use crate::sys;

/// A handle to one end of a channel. Default rights `TRANSFER | WAIT | INSPECT | READ | WRITE |
/// SIGNAL | SIGNAL_PEER`: never DUPLICATE, so each endpoint has exactly one handle.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(transparent)]
pub struct Channel(Handle);
impl_handle_based!(Channel);
impl Peered for Channel {}

/// A received message: bytes and the handles that came with it (now owned by the reader).
#[derive(Debug, Default)]
pub struct MessageBuf {
    bytes: Vec<u8>,
    handles: Vec<Handle>,
}

impl MessageBuf {
    pub fn new() -> MessageBuf {
        MessageBuf::default()
    }

    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    pub fn n_handles(&self) -> usize {
        self.handles.len()
    }

    /// Takes the handle at `index`, leaving an invalid handle in its place.
    pub fn take_handle(&mut self, index: usize) -> Option<Handle> {
        self.handles.get_mut(index).map(std::mem::take)
    }

    /// Drops the handles (closing them) and clears the bytes.
    pub fn clear(&mut self) {
        self.bytes.clear();
        self.handles.clear();
    }

    pub fn split(self) -> (Vec<u8>, Vec<Handle>) {
        (self.bytes, self.handles)
    }

    /// A message made of `bytes` and `handles` (the Fuchsia crate's `MessageBuf::new_with`).
    pub fn new_with(bytes: Vec<u8>, handles: Vec<Handle>) -> MessageBuf {
        MessageBuf { bytes, handles }
    }
}

/// How a handle travels in [`Channel::write_etc`].
#[derive(Debug)]
pub enum HandleOp<'a> {
    Move(Handle),
    Duplicate(super::HandleRef<'a>),
}

/// One entry of [`Channel::write_etc`] (`zx_handle_disposition_t`).
#[derive(Debug)]
pub struct HandleDisposition<'a> {
    pub handle_op: HandleOp<'a>,
    pub object_type: ObjectType,
    pub rights: Rights,
    pub result: super::Status,
}

impl Channel {
    /// Creates both endpoints. Wraps `zx_channel_create`.
    ///
    /// # Panics
    ///
    /// If the kernel's handle arena is full, as the real crate panics on OOM.
    pub fn create() -> (Channel, Channel) {
        let (mut out0, mut out1) = (sys::ZX_HANDLE_INVALID, sys::ZX_HANDLE_INVALID);
        ok(sys::zx_channel_create(0, &mut out0, &mut out1))
            .expect("channel creation fails only when the arena is full");
        (Channel(Handle(out0)), Channel(Handle(out1)))
    }

    /// Writes a message; the handles are consumed whatever the outcome. Wraps
    /// `zx_channel_write`.
    pub fn write(&self, bytes: &[u8], handles: &mut Vec<Handle>) -> Result<()> {
        let raw: Vec<sys::zx_handle_t> = handles.drain(..).map(Handle::into_raw).collect();
        ok(sys::zx_channel_write(self.0 .0, 0, bytes, &raw))
    }

    /// Writes a message with per-handle dispositions. Wraps `zx_channel_write_etc`; on failure
    /// each entry's `result` says what went wrong with it.
    pub fn write_etc(&self, bytes: &[u8], handles: &mut [HandleDisposition<'_>]) -> Result<()> {
        let mut raw: Vec<sys::zx_handle_disposition_t> = handles
            .iter_mut()
            .map(|entry| {
                let (operation, handle) = match &mut entry.handle_op {
                    HandleOp::Move(handle) => {
                        (sys::ZX_HANDLE_OP_MOVE, std::mem::take(handle).into_raw())
                    }
                    HandleOp::Duplicate(handle) => {
                        (sys::ZX_HANDLE_OP_DUPLICATE, handle.raw_handle())
                    }
                };
                sys::zx_handle_disposition_t {
                    operation,
                    handle,
                    type_: entry.object_type.into_raw(),
                    rights: entry.rights.bits(),
                    result: sys::ZX_OK,
                }
            })
            .collect();
        let status = sys::zx_channel_write_etc(self.0 .0, 0, bytes, &mut raw);
        for (entry, done) in handles.iter_mut().zip(&raw) {
            entry.result = super::Status::from_raw(done.result);
        }
        ok(status)
    }

    /// Reads the next message into `buf` (growing it as needed). Wraps `zx_channel_read`.
    pub fn read(&self, buf: &mut MessageBuf) -> Result<()> {
        buf.clear();
        let (mut bytes, mut handles) = (
            vec![0u8; sys::ZX_CHANNEL_MAX_MSG_BYTES as usize],
            vec![0u32; 64],
        );
        let (mut n_bytes, mut n_handles) = (0u32, 0u32);
        ok(sys::zx_channel_read(
            self.0 .0,
            0,
            &mut bytes,
            &mut handles,
            Some(&mut n_bytes),
            Some(&mut n_handles),
        ))?;
        bytes.truncate(n_bytes as usize);
        buf.bytes = bytes;
        buf.handles = handles[..n_handles as usize]
            .iter()
            .map(|&raw| Handle(raw))
            .collect();
        Ok(())
    }

    /// Reads the next message with each handle's type and rights. Wraps `zx_channel_read_etc`.
    pub fn read_etc(&self) -> Result<(Vec<u8>, Vec<HandleInfo>)> {
        let mut bytes = vec![0u8; sys::ZX_CHANNEL_MAX_MSG_BYTES as usize];
        let mut infos = vec![sys::zx_handle_info_t::default(); 64];
        let (mut n_bytes, mut n_handles) = (0u32, 0u32);
        ok(sys::zx_channel_read_etc(
            self.0 .0,
            0,
            &mut bytes,
            &mut infos,
            Some(&mut n_bytes),
            Some(&mut n_handles),
        ))?;
        bytes.truncate(n_bytes as usize);
        let infos = infos[..n_handles as usize]
            .iter()
            .map(|info| HandleInfo {
                handle: Handle(info.handle),
                object_type: ObjectType::from_raw(info.type_),
                rights: Rights::from_bits_retain(info.rights),
            })
            .collect();
        Ok((bytes, infos))
    }

    /// Writes a request and waits for the reply carrying its txid (the first 4 bytes, which the
    /// kernel fills in). Wraps `zx_channel_call`.
    pub fn call(
        &self,
        deadline: MonotonicInstant,
        bytes: &[u8],
        handles: &mut Vec<Handle>,
        buf: &mut MessageBuf,
    ) -> Result<()> {
        buf.clear();
        let raw: Vec<sys::zx_handle_t> = handles.drain(..).map(Handle::into_raw).collect();
        let mut rd_bytes = vec![0u8; sys::ZX_CHANNEL_MAX_MSG_BYTES as usize];
        let mut rd_handles = vec![0u32; 64];
        let (mut n_bytes, mut n_handles) = (0u32, 0u32);
        let mut args = sys::zx_channel_call_args_t {
            wr_bytes: bytes,
            wr_handles: &raw,
            rd_bytes: &mut rd_bytes,
            rd_handles: &mut rd_handles,
        };
        ok(sys::zx_channel_call(
            self.0 .0,
            0,
            deadline.into_nanos(),
            &mut args,
            &mut n_bytes,
            &mut n_handles,
        ))?;
        rd_bytes.truncate(n_bytes as usize);
        buf.bytes = rd_bytes;
        buf.handles = rd_handles[..n_handles as usize]
            .iter()
            .map(|&raw| Handle(raw))
            .collect();
        Ok(())
    }
}
