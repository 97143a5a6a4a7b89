//! Reusable receive buffers: [`MessageBuf`] (bytes and handles) and [`MessageBufEtc`] (bytes and
//! handles with their type and rights).
//!
//! A buffer keeps its capacity across reads, so a loop reading into the same buffer allocates
//! only when a message is bigger than any before it.

use super::{Handle, HandleInfo};

/// A message's bytes and handles, as read by [`Channel::read`](super::Channel::read) or
/// [`Channel::call`](super::Channel::call). The handles are owned by the buffer until taken.
#[derive(Debug, Default)]
pub struct MessageBuf {
    pub bytes: Vec<u8>,
    pub handles: Vec<Handle>,
}

impl MessageBuf {
    pub fn new() -> MessageBuf {
        MessageBuf::default()
    }

    /// A message made of `bytes` and `handles`.
    pub fn new_with(bytes: Vec<u8>, handles: Vec<Handle>) -> MessageBuf {
        MessageBuf { bytes, handles }
    }

    /// The two parts, borrowed separately.
    pub fn split_mut(&mut self) -> (&mut Vec<u8>, &mut Vec<Handle>) {
        (&mut self.bytes, &mut self.handles)
    }

    pub fn split(self) -> (Vec<u8>, Vec<Handle>) {
        (self.bytes, self.handles)
    }

    /// Makes room for at least `n_bytes` bytes without reallocating.
    pub fn ensure_capacity_bytes(&mut self, n_bytes: usize) {
        ensure_capacity(&mut self.bytes, n_bytes);
    }

    /// Makes room for at least `n_handles` handles without reallocating.
    pub fn ensure_capacity_handles(&mut self, n_handles: usize) {
        ensure_capacity(&mut self.handles, n_handles);
    }

    /// Makes the first `n_bytes` bytes initialized (zero-filling any new ones).
    pub fn ensure_initialized_bytes(&mut self, n_bytes: usize) {
        if self.bytes.len() < n_bytes {
            self.bytes.resize(n_bytes, 0);
        }
    }

    pub fn shrink_bytes_to_fit(&mut self) {
        self.bytes.shrink_to_fit();
    }

    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    pub fn n_handles(&self) -> usize {
        self.handles.len()
    }

    /// Takes the handle at `index`; `None` if there is none or it was already taken.
    pub fn take_handle(&mut self, index: usize) -> Option<Handle> {
        self.handles
            .get_mut(index)
            .filter(|handle| !handle.is_invalid())
            .map(std::mem::take)
    }

    /// Drops the handles (closing them) and clears the bytes; capacity is kept.
    pub fn clear(&mut self) {
        self.bytes.clear();
        self.handles.clear();
    }
}

/// A message's bytes and handle infos, as read by
/// [`Channel::read_etc`](super::Channel::read_etc) or
/// [`Channel::call_etc`](super::Channel::call_etc).
#[derive(Debug, Default)]
pub struct MessageBufEtc {
    pub bytes: Vec<u8>,
    pub handle_infos: Vec<HandleInfo>,
}

impl MessageBufEtc {
    pub fn new() -> MessageBufEtc {
        MessageBufEtc::default()
    }

    pub fn new_with(bytes: Vec<u8>, handle_infos: Vec<HandleInfo>) -> MessageBufEtc {
        MessageBufEtc {
            bytes,
            handle_infos,
        }
    }

    pub fn split_mut(&mut self) -> (&mut Vec<u8>, &mut Vec<HandleInfo>) {
        (&mut self.bytes, &mut self.handle_infos)
    }

    pub fn split(self) -> (Vec<u8>, Vec<HandleInfo>) {
        (self.bytes, self.handle_infos)
    }

    pub fn ensure_capacity_bytes(&mut self, n_bytes: usize) {
        ensure_capacity(&mut self.bytes, n_bytes);
    }

    pub fn ensure_capacity_handle_infos(&mut self, n_handle_infos: usize) {
        ensure_capacity(&mut self.handle_infos, n_handle_infos);
    }

    pub fn ensure_initialized_bytes(&mut self, n_bytes: usize) {
        if self.bytes.len() < n_bytes {
            self.bytes.resize(n_bytes, 0);
        }
    }

    pub fn shrink_bytes_to_fit(&mut self) {
        self.bytes.shrink_to_fit();
    }

    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    pub fn n_handle_infos(&self) -> usize {
        self.handle_infos.len()
    }

    /// Takes the handle info at `index`; `None` if there is none or its handle was already
    /// taken.
    pub fn take_handle_info(&mut self, index: usize) -> Option<HandleInfo> {
        self.handle_infos
            .get_mut(index)
            .filter(|info| !info.handle.is_invalid())
            .map(|info| {
                HandleInfo::new(
                    std::mem::take(&mut info.handle),
                    info.object_type,
                    info.rights,
                )
            })
    }

    pub fn clear(&mut self) {
        self.bytes.clear();
        self.handle_infos.clear();
    }
}

/// Grows `vec`'s capacity to at least `size` (its length is unchanged).
pub(super) fn ensure_capacity<T>(vec: &mut Vec<T>, size: usize) {
    if let Some(missing) = size.checked_sub(vec.len()) {
        vec.reserve(missing);
    }
}
