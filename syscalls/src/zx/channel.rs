//! Channel: a pair of endpoints carrying messages of bytes and handles (`zx_channel_create`).
//!
//! Every write and call consumes the handles it is given whatever the outcome, and says so in
//! place: the caller's `Handle`s (or moved `HandleDisposition`s) are left invalid. Reads come in
//! three layers, as in the real crate: `*_uninit` into caller memory (answering
//! [`ChannelReadResult::BufferTooSmall`] with the sizes needed), `*_split` into `Vec`s grown as
//! needed, and the `MessageBuf`/`MessageBufEtc` forms over those.

use std::mem::{self, MaybeUninit};

use super::message_buf::ensure_capacity;
use super::{
    impl_handle_based, ok, AsHandleRef, ChannelIoSlice, Handle, HandleDisposition, HandleInfo,
    MessageBuf, MessageBufEtc, MonotonicInstant, Peered, Result, Status,
};
use crate::sys;

const MAX_BYTES: usize = sys::ZX_CHANNEL_MAX_MSG_BYTES as usize;
const MAX_HANDLES: usize = sys::ZX_CHANNEL_MAX_MSG_HANDLES as usize;

/// A handle to one end of a channel. Default rights `TRANSFER | WAIT | INSPECT | READ | WRITE |
/// SIGNAL | SIGNAL_PEER`: never DUPLICATE, so each endpoint has exactly one handle.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(transparent)]
pub struct Channel(Handle);
impl_handle_based!(Channel);
impl Peered for Channel {}

impl AsRef<Channel> for Channel {
    fn as_ref(&self) -> &Channel {
        self
    }
}

/// The outcome of a read into caller-sized buffers.
#[derive(Debug, PartialEq, Eq)]
pub enum ChannelReadResult<T> {
    Ok(T),
    /// The next message needs this many bytes and handles; it stays queued.
    BufferTooSmall {
        bytes_avail: usize,
        handles_avail: usize,
    },
    Err(Status),
}

impl<T> ChannelReadResult<T> {
    /// The same outcome with `f` applied to a successful read's value.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> ChannelReadResult<U> {
        match self {
            ChannelReadResult::Ok(value) => ChannelReadResult::Ok(f(value)),
            ChannelReadResult::BufferTooSmall {
                bytes_avail,
                handles_avail,
            } => ChannelReadResult::BufferTooSmall {
                bytes_avail,
                handles_avail,
            },
            ChannelReadResult::Err(status) => ChannelReadResult::Err(status),
        }
    }
}

impl<T: std::fmt::Debug> ChannelReadResult<T> {
    /// # Panics
    ///
    /// Unless the read succeeded.
    #[track_caller]
    pub fn unwrap(self) -> T {
        match self {
            ChannelReadResult::Ok(value) => value,
            other => panic!("unwrap() on {other:?}"),
        }
    }

    /// # Panics
    ///
    /// With `msg`, unless the read succeeded.
    #[track_caller]
    pub fn expect(self, msg: &str) -> T {
        match self {
            ChannelReadResult::Ok(value) => value,
            other => panic!("expect() on {other:?}: {msg}"),
        }
    }
}

/// The raw values of `handles`.
fn raw_handles(handles: &[Handle]) -> &[sys::zx_handle_t] {
    // SAFETY: `Handle` is `repr(transparent)` over `zx_handle_t`.
    unsafe { std::slice::from_raw_parts(handles.as_ptr().cast(), handles.len()) }
}

/// Marks handles a call consumed: the values are gone, so nothing may close them again.
fn consumed(handles: &mut [Handle]) {
    for handle in handles {
        mem::forget(mem::take(handle));
    }
}

/// Zero-fills `bytes` so the `sys` layer can write into it as a byte slice.
fn init_bytes(bytes: &mut [MaybeUninit<u8>]) -> &mut [u8] {
    bytes.fill(MaybeUninit::new(0));
    // SAFETY: every element was just initialized; `MaybeUninit<u8>` has `u8`'s layout.
    unsafe { &mut *(bytes as *mut [MaybeUninit<u8>] as *mut [u8]) }
}

/// Moves `values` into the front of `slots` and returns that initialized prefix.
fn fill<T>(slots: &mut [MaybeUninit<T>], values: impl IntoIterator<Item = T>) -> &mut [T] {
    let mut count = 0;
    for (slot, value) in slots.iter_mut().zip(values) {
        slot.write(value);
        count += 1;
    }
    // SAFETY: the first `count` slots were just initialized.
    unsafe { std::slice::from_raw_parts_mut(slots.as_mut_ptr().cast::<T>(), count) }
}

/// The loop of the growing reads: read into the spare capacity of `bytes` and `handles` (their
/// old contents dropped first), and on `BufferTooSmall` grow them and read again. `read` answers
/// how many bytes and handles it initialized.
fn read_growing<H>(
    bytes: &mut Vec<u8>,
    handles: &mut Vec<H>,
    mut read: impl FnMut(
        &mut [MaybeUninit<u8>],
        &mut [MaybeUninit<H>],
    ) -> ChannelReadResult<(usize, usize)>,
) -> Result<()> {
    loop {
        bytes.clear();
        handles.clear();
        match read(bytes.spare_capacity_mut(), handles.spare_capacity_mut()) {
            ChannelReadResult::Ok((read_bytes, read_handles)) => {
                // SAFETY: the read initialized these prefixes of the spare capacity.
                unsafe {
                    bytes.set_len(read_bytes);
                    handles.set_len(read_handles);
                }
                return Ok(());
            }
            ChannelReadResult::BufferTooSmall {
                bytes_avail,
                handles_avail,
            } => {
                ensure_capacity(bytes, bytes_avail);
                ensure_capacity(handles, handles_avail);
            }
            ChannelReadResult::Err(status) => return Err(status),
        }
    }
}

/// A `&mut [MaybeUninit<T>]` over caller memory (empty for a zero length, whatever the pointer).
///
/// # Safety
///
/// `ptr` must be valid for writes of `len` elements for `'a`.
unsafe fn uninit_slice<'a, T>(ptr: *mut T, len: usize) -> &'a mut [MaybeUninit<T>] {
    if len == 0 {
        return &mut [];
    }
    // SAFETY: the caller's contract.
    unsafe { std::slice::from_raw_parts_mut(ptr.cast(), len) }
}

/// A `&[T]` over caller memory (empty for a zero length).
///
/// # Safety
///
/// `ptr` must be valid for reads of `len` initialized elements for `'a`.
unsafe fn input_slice<'a, T>(ptr: *const T, len: usize) -> &'a [T] {
    if len == 0 {
        return &[];
    }
    // SAFETY: the caller's contract.
    unsafe { std::slice::from_raw_parts(ptr, len) }
}

/// A `&mut [T]` over caller memory (empty for a zero length).
///
/// # Safety
///
/// `ptr` must be valid for reads and writes of `len` initialized elements for `'a`.
unsafe fn inout_slice<'a, T>(ptr: *mut T, len: usize) -> &'a mut [T] {
    if len == 0 {
        return &mut [];
    }
    // SAFETY: the caller's contract.
    unsafe { std::slice::from_raw_parts_mut(ptr, len) }
}

/// Up to this many bytes of room, a read zero-fills the whole buffer and reads at once; above
/// it, it first learns the next message's size (a read with no room leaves the message queued)
/// and fills only that, so a large reused buffer costs no large fill per small message.
const FILL_WHOLE_BUFFER_UP_TO: usize = 4096;

/// Reads the next message into `bytes` with `read(initialized bytes, handle room, actuals)`,
/// which wraps one `zx_channel_read`/`_etc`. Answers the bytes read and the handle count.
fn read_message(
    bytes: &mut [MaybeUninit<u8>],
    handle_room: usize,
    mut read: impl FnMut(&mut [u8], usize, (&mut u32, &mut u32)) -> sys::zx_status_t,
) -> ChannelReadResult<(&mut [u8], usize)> {
    let capacity = bytes.len();
    let (n_bytes, n_handles) = loop {
        let (mut n_bytes, mut n_handles) = (0u32, 0u32);
        let prefix = if capacity <= FILL_WHOLE_BUFFER_UP_TO {
            capacity
        } else {
            let status = read(&mut [], 0, (&mut n_bytes, &mut n_handles));
            match Status::from_raw(status) {
                // An empty message fits no room: it was read.
                Status::OK => break (0, 0),
                Status::BUFFER_TOO_SMALL
                    if n_bytes as usize <= capacity && n_handles as usize <= handle_room =>
                {
                    n_bytes as usize
                }
                Status::BUFFER_TOO_SMALL => {
                    return ChannelReadResult::BufferTooSmall {
                        bytes_avail: n_bytes as usize,
                        handles_avail: n_handles as usize,
                    }
                }
                status => return ChannelReadResult::Err(status),
            }
        };
        let room = init_bytes(&mut bytes[..prefix]);
        let status = read(room, handle_room, (&mut n_bytes, &mut n_handles));
        match Status::from_raw(status) {
            Status::OK => break (n_bytes as usize, n_handles as usize),
            // Another reader took the message measured above, and the next one is bigger.
            Status::BUFFER_TOO_SMALL if prefix < capacity => continue,
            Status::BUFFER_TOO_SMALL => {
                return ChannelReadResult::BufferTooSmall {
                    bytes_avail: n_bytes as usize,
                    handles_avail: n_handles as usize,
                }
            }
            status => return ChannelReadResult::Err(status),
        }
    };
    // SAFETY: the read succeeded into a zero-filled prefix at least `n_bytes` long.
    let read_bytes =
        unsafe { std::slice::from_raw_parts_mut(bytes.as_mut_ptr().cast::<u8>(), n_bytes) };
    ChannelReadResult::Ok((read_bytes, n_handles))
}

/// The bytes a write sends: plain, or gathered from iovecs by the `sys` layer.
#[derive(Clone, Copy)]
enum Payload<'a, 'b> {
    Bytes(&'a [u8]),
    Slices(&'a [ChannelIoSlice<'b>]),
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

    // --- reads ---------------------------------------------------------------------------------

    /// Reads the next message into caller memory. Wraps `zx_channel_read`; a message that does
    /// not fit stays queued and the answer says how much room it needs.
    pub fn read_uninit<'b, 'h>(
        &self,
        bytes: &'b mut [MaybeUninit<u8>],
        handles: &'h mut [MaybeUninit<Handle>],
    ) -> ChannelReadResult<(&'b mut [u8], &'h mut [Handle])> {
        let mut raw = [sys::ZX_HANDLE_INVALID; MAX_HANDLES];
        let room = handles.len().min(MAX_HANDLES);
        let result = read_message(bytes, room, |bytes, room, actual| {
            let (n_bytes, n_handles) = actual;
            sys::zx_channel_read(
                self.raw_handle(),
                0,
                bytes,
                &mut raw[..room],
                Some(n_bytes),
                Some(n_handles),
            )
        });
        result.map(|(bytes, n_handles)| {
            let received = raw[..n_handles].iter().map(|&value| Handle(value));
            (bytes, fill(handles, received))
        })
    }

    /// [`Channel::read_uninit`] over raw pointers; answers the counts read.
    ///
    /// # Safety
    ///
    /// `bytes` must be valid for writes of `bytes_len` bytes and `handles` for `handles_len`
    /// handles.
    pub unsafe fn read_raw(
        &self,
        bytes: *mut u8,
        bytes_len: usize,
        handles: *mut Handle,
        handles_len: usize,
    ) -> ChannelReadResult<(usize, usize)> {
        // SAFETY: the caller's contract.
        let (bytes, handles) = unsafe {
            (
                uninit_slice(bytes, bytes_len),
                uninit_slice(handles, handles_len),
            )
        };
        self.read_uninit(bytes, handles)
            .map(|(bytes, handles)| (bytes.len(), handles.len()))
    }

    /// Reads the next message into `buf`, growing it as needed. Wraps `zx_channel_read`.
    pub fn read(&self, buf: &mut MessageBuf) -> Result<()> {
        let (bytes, handles) = buf.split_mut();
        self.read_split(bytes, handles)
    }

    /// Reads the next message into two `Vec`s (their old contents are dropped first), growing
    /// them as needed.
    pub fn read_split(&self, bytes: &mut Vec<u8>, handles: &mut Vec<Handle>) -> Result<()> {
        read_growing(bytes, handles, |bytes, handles| {
            self.read_uninit(bytes, handles)
                .map(|(bytes, handles)| (bytes.len(), handles.len()))
        })
    }

    /// Like [`Channel::read_uninit`], with each handle's type and rights. Wraps
    /// `zx_channel_read_etc`.
    pub fn read_etc_uninit<'b, 'h>(
        &self,
        bytes: &'b mut [MaybeUninit<u8>],
        handles: &'h mut [MaybeUninit<HandleInfo>],
    ) -> ChannelReadResult<(&'b mut [u8], &'h mut [HandleInfo])> {
        let mut raw = [sys::zx_handle_info_t::default(); MAX_HANDLES];
        let room = handles.len().min(MAX_HANDLES);
        let result = read_message(bytes, room, |bytes, room, actual| {
            let (n_bytes, n_handles) = actual;
            sys::zx_channel_read_etc(
                self.raw_handle(),
                0,
                bytes,
                &mut raw[..room],
                Some(n_bytes),
                Some(n_handles),
            )
        });
        match result {
            ChannelReadResult::Ok((bytes, n_handles)) => {
                // SAFETY: the kernel just installed these handles for this process.
                let received = raw[..n_handles]
                    .iter()
                    .map(|&info| unsafe { HandleInfo::from_raw(info) });
                ChannelReadResult::Ok((bytes, fill(handles, received)))
            }
            ChannelReadResult::BufferTooSmall {
                bytes_avail,
                handles_avail,
            } => ChannelReadResult::BufferTooSmall {
                bytes_avail,
                handles_avail,
            },
            ChannelReadResult::Err(status) => ChannelReadResult::Err(status),
        }
    }

    /// [`Channel::read_etc_uninit`] over raw pointers; answers the counts read.
    ///
    /// # Safety
    ///
    /// `bytes` must be valid for writes of `bytes_len` bytes and `handles` for `handles_len`
    /// handle infos.
    pub unsafe fn read_etc_raw(
        &self,
        bytes: *mut u8,
        bytes_len: usize,
        handles: *mut HandleInfo,
        handles_len: usize,
    ) -> ChannelReadResult<(usize, usize)> {
        // SAFETY: the caller's contract.
        let (bytes, handles) = unsafe {
            (
                uninit_slice(bytes, bytes_len),
                uninit_slice(handles, handles_len),
            )
        };
        self.read_etc_uninit(bytes, handles)
            .map(|(bytes, handles)| (bytes.len(), handles.len()))
    }

    /// Reads the next message with handle infos into `buf`, growing it as needed.
    pub fn read_etc(&self, buf: &mut MessageBufEtc) -> Result<()> {
        let (bytes, handles) = buf.split_mut();
        self.read_etc_split(bytes, handles)
    }

    /// Reads the next message with handle infos into two `Vec`s, growing them as needed.
    pub fn read_etc_split(&self, bytes: &mut Vec<u8>, handles: &mut Vec<HandleInfo>) -> Result<()> {
        read_growing(bytes, handles, |bytes, handles| {
            self.read_etc_uninit(bytes, handles)
                .map(|(bytes, handles)| (bytes.len(), handles.len()))
        })
    }

    // --- writes --------------------------------------------------------------------------------

    fn write_payload(&self, payload: Payload<'_, '_>, handles: &mut [Handle]) -> Result<()> {
        let status = match payload {
            Payload::Bytes(bytes) => {
                sys::zx_channel_write(self.raw_handle(), 0, bytes, raw_handles(handles))
            }
            Payload::Slices(slices) => sys::zx_channel_write_iovec(
                self.raw_handle(),
                0,
                ChannelIoSlice::as_iovecs(slices),
                raw_handles(handles),
            ),
        };
        consumed(handles);
        ok(status)
    }

    fn write_etc_payload(
        &self,
        payload: Payload<'_, '_>,
        handles: &mut [HandleDisposition<'_>],
    ) -> Result<()> {
        let mut raw: Vec<_> = handles.iter().map(HandleDisposition::as_raw).collect();
        let status = match payload {
            Payload::Bytes(bytes) => {
                sys::zx_channel_write_etc(self.raw_handle(), 0, bytes, &mut raw)
            }
            Payload::Slices(slices) => sys::zx_channel_write_etc_iovec(
                self.raw_handle(),
                0,
                ChannelIoSlice::as_iovecs(slices),
                &mut raw,
            ),
        };
        for (entry, raw) in handles.iter_mut().zip(&raw) {
            entry.consumed(raw);
        }
        ok(status)
    }

    /// Writes a message. Wraps `zx_channel_write`; the handles are consumed whatever the
    /// outcome and left invalid in `handles`.
    pub fn write(&self, bytes: &[u8], handles: &mut [Handle]) -> Result<()> {
        self.write_payload(Payload::Bytes(bytes), handles)
    }

    /// Writes a message whose bytes are the concatenation of `buffers`. Wraps
    /// `zx_channel_write(ZX_CHANNEL_WRITE_USE_IOVEC)`; handles as in [`Channel::write`].
    pub fn writev(&self, buffers: &[ChannelIoSlice<'_>], handles: &mut [Handle]) -> Result<()> {
        self.write_payload(Payload::Slices(buffers), handles)
    }

    /// [`Channel::write`] over raw pointers.
    ///
    /// # Safety
    ///
    /// `bytes` must be valid for reads of `bytes_len` bytes, `handles` for reads and writes of
    /// `handles_len` handles.
    pub unsafe fn write_raw(
        &self,
        bytes: *const u8,
        bytes_len: usize,
        handles: *mut Handle,
        handles_len: usize,
    ) -> Result<()> {
        // SAFETY: the caller's contract.
        let (bytes, handles) = unsafe {
            (
                input_slice(bytes, bytes_len),
                inout_slice(handles, handles_len),
            )
        };
        self.write(bytes, handles)
    }

    /// [`Channel::writev`] over raw pointers.
    ///
    /// # Safety
    ///
    /// `buffers` must be valid for reads of `buffers_len` slices, `handles` for reads and writes
    /// of `handles_len` handles.
    pub unsafe fn writev_raw(
        &self,
        buffers: *const ChannelIoSlice<'_>,
        buffers_len: usize,
        handles: *mut Handle,
        handles_len: usize,
    ) -> Result<()> {
        // SAFETY: the caller's contract.
        let (buffers, handles) = unsafe {
            (
                input_slice(buffers, buffers_len),
                inout_slice(handles, handles_len),
            )
        };
        self.writev(buffers, handles)
    }

    /// Writes a message with per-handle dispositions. Wraps `zx_channel_write_etc`: moved
    /// handles are consumed whatever the outcome, and on failure each entry's `result` says what
    /// went wrong with it.
    pub fn write_etc(&self, bytes: &[u8], handles: &mut [HandleDisposition<'_>]) -> Result<()> {
        self.write_etc_payload(Payload::Bytes(bytes), handles)
    }

    /// [`Channel::write_etc`] with the bytes gathered from `buffers`.
    pub fn writev_etc(
        &self,
        buffers: &[ChannelIoSlice<'_>],
        handles: &mut [HandleDisposition<'_>],
    ) -> Result<()> {
        self.write_etc_payload(Payload::Slices(buffers), handles)
    }

    /// [`Channel::write_etc`] over raw pointers.
    ///
    /// # Safety
    ///
    /// `bytes` must be valid for reads of `bytes_len` bytes, `handles` for reads and writes of
    /// `handles_len` dispositions.
    pub unsafe fn write_etc_raw(
        &self,
        bytes: *const u8,
        bytes_len: usize,
        handles: *mut HandleDisposition<'_>,
        handles_len: usize,
    ) -> Result<()> {
        // SAFETY: the caller's contract.
        let (bytes, handles) = unsafe {
            (
                input_slice(bytes, bytes_len),
                inout_slice(handles, handles_len),
            )
        };
        self.write_etc(bytes, handles)
    }

    /// [`Channel::writev_etc`] over raw pointers.
    ///
    /// # Safety
    ///
    /// `buffers` must be valid for reads of `buffers_len` slices, `handles` for reads and writes
    /// of `handles_len` dispositions.
    pub unsafe fn writev_etc_raw(
        &self,
        buffers: *const ChannelIoSlice<'_>,
        buffers_len: usize,
        handles: *mut HandleDisposition<'_>,
        handles_len: usize,
    ) -> Result<()> {
        // SAFETY: the caller's contract.
        let (buffers, handles) = unsafe {
            (
                input_slice(buffers, buffers_len),
                inout_slice(handles, handles_len),
            )
        };
        self.writev_etc(buffers, handles)
    }

    // --- calls ---------------------------------------------------------------------------------

    fn call_payload<'b, 'h>(
        &self,
        timeout: MonotonicInstant,
        payload: Payload<'_, '_>,
        handles_in: &mut [Handle],
        bytes_out: &'b mut [MaybeUninit<u8>],
        handles_out: &'h mut [MaybeUninit<Handle>],
    ) -> Result<(&'b mut [u8], &'h mut [Handle])> {
        // A reply that does not fit would be discarded by the kernel: refuse up front, before
        // anything is consumed, as the real crate does.
        if bytes_out.len() < MAX_BYTES || handles_out.len() < MAX_HANDLES {
            return Err(Status::BUFFER_TOO_SMALL);
        }
        let bytes_out = init_bytes(bytes_out);
        let mut raw = [sys::ZX_HANDLE_INVALID; MAX_HANDLES];
        let (mut n_bytes, mut n_handles) = (0, 0);
        let mut args = sys::zx_channel_call_args_t {
            wr_bytes: &[],
            wr_handles: raw_handles(handles_in),
            rd_bytes: bytes_out,
            rd_handles: &mut raw,
        };
        let deadline = timeout.into_nanos();
        let status = match payload {
            Payload::Bytes(bytes) => {
                args.wr_bytes = bytes;
                let handle = self.raw_handle();
                sys::zx_channel_call(handle, 0, deadline, &mut args, &mut n_bytes, &mut n_handles)
            }
            Payload::Slices(slices) => sys::zx_channel_call_iovec(
                self.raw_handle(),
                0,
                deadline,
                ChannelIoSlice::as_iovecs(slices),
                &mut args,
                &mut n_bytes,
                &mut n_handles,
            ),
        };
        consumed(handles_in);
        ok(status)?;
        let received = raw[..n_handles as usize].iter().map(|&value| Handle(value));
        Ok((
            &mut bytes_out[..n_bytes as usize],
            fill(handles_out, received),
        ))
    }

    fn call_etc_payload<'b, 'h>(
        &self,
        timeout: MonotonicInstant,
        payload: Payload<'_, '_>,
        handles_in: &mut [HandleDisposition<'_>],
        bytes_out: &'b mut [MaybeUninit<u8>],
        handles_out: &'h mut [MaybeUninit<HandleInfo>],
    ) -> Result<(&'b mut [u8], &'h mut [HandleInfo])> {
        if bytes_out.len() < MAX_BYTES || handles_out.len() < MAX_HANDLES {
            return Err(Status::BUFFER_TOO_SMALL);
        }
        let bytes_out = init_bytes(bytes_out);
        let mut raw_in: Vec<_> = handles_in.iter().map(HandleDisposition::as_raw).collect();
        let mut raw_out = [sys::zx_handle_info_t::default(); MAX_HANDLES];
        let (mut n_bytes, mut n_handles) = (0, 0);
        let mut args = sys::zx_channel_call_etc_args_t {
            wr_bytes: &[],
            wr_handles: &mut raw_in,
            rd_bytes: bytes_out,
            rd_handles: &mut raw_out,
        };
        let deadline = timeout.into_nanos();
        let status = match payload {
            Payload::Bytes(bytes) => {
                args.wr_bytes = bytes;
                let handle = self.raw_handle();
                sys::zx_channel_call_etc(
                    handle,
                    0,
                    deadline,
                    &mut args,
                    &mut n_bytes,
                    &mut n_handles,
                )
            }
            Payload::Slices(slices) => sys::zx_channel_call_etc_iovec(
                self.raw_handle(),
                0,
                deadline,
                ChannelIoSlice::as_iovecs(slices),
                &mut args,
                &mut n_bytes,
                &mut n_handles,
            ),
        };
        for (entry, raw) in handles_in.iter_mut().zip(&raw_in) {
            entry.consumed(raw);
        }
        ok(status)?;
        // SAFETY: the kernel just installed these handles for this process.
        let received = raw_out[..n_handles as usize]
            .iter()
            .map(|&info| unsafe { HandleInfo::from_raw(info) });
        Ok((
            &mut bytes_out[..n_bytes as usize],
            fill(handles_out, received),
        ))
    }

    /// Writes a request and waits until `timeout` for the reply carrying its txid (the first 4
    /// bytes, which the kernel fills in). Wraps `zx_channel_call`; `handles` are consumed
    /// whatever the outcome, and `buf` grows to the maximum message size.
    pub fn call(
        &self,
        timeout: MonotonicInstant,
        bytes: &[u8],
        handles: &mut [Handle],
        buf: &mut MessageBuf,
    ) -> Result<()> {
        self.call_into(timeout, Payload::Bytes(bytes), handles, buf)
    }

    /// [`Channel::call`] with the request gathered from `buffers`.
    pub fn callv(
        &self,
        timeout: MonotonicInstant,
        buffers_in: &[ChannelIoSlice<'_>],
        handles: &mut [Handle],
        buf: &mut MessageBuf,
    ) -> Result<()> {
        self.call_into(timeout, Payload::Slices(buffers_in), handles, buf)
    }

    fn call_into(
        &self,
        timeout: MonotonicInstant,
        payload: Payload<'_, '_>,
        handles: &mut [Handle],
        buf: &mut MessageBuf,
    ) -> Result<()> {
        buf.clear();
        buf.ensure_capacity_bytes(MAX_BYTES);
        buf.ensure_capacity_handles(MAX_HANDLES);
        let (bytes, handles_out) = buf.split_mut();
        let (read_bytes, read_handles) = self.call_payload(
            timeout,
            payload,
            handles,
            bytes.spare_capacity_mut(),
            handles_out.spare_capacity_mut(),
        )?;
        let lengths = (read_bytes.len(), read_handles.len());
        // SAFETY: the call initialized these prefixes of the spare capacity.
        unsafe {
            bytes.set_len(lengths.0);
            handles_out.set_len(lengths.1);
        }
        Ok(())
    }

    /// [`Channel::call`] into caller memory, which must hold a maximum-size message
    /// (`BUFFER_TOO_SMALL` otherwise, with nothing sent or consumed).
    pub fn call_uninit<'b, 'h>(
        &self,
        timeout: MonotonicInstant,
        bytes_in: &[u8],
        handles_in: &mut [Handle],
        bytes_out: &'b mut [MaybeUninit<u8>],
        handles_out: &'h mut [MaybeUninit<Handle>],
    ) -> Result<(&'b mut [u8], &'h mut [Handle])> {
        self.call_payload(
            timeout,
            Payload::Bytes(bytes_in),
            handles_in,
            bytes_out,
            handles_out,
        )
    }

    /// [`Channel::callv`] into caller memory; see [`Channel::call_uninit`].
    pub fn callv_uninit<'b, 'h>(
        &self,
        timeout: MonotonicInstant,
        buffers_in: &[ChannelIoSlice<'_>],
        handles_in: &mut [Handle],
        bytes_out: &'b mut [MaybeUninit<u8>],
        handles_out: &'h mut [MaybeUninit<Handle>],
    ) -> Result<(&'b mut [u8], &'h mut [Handle])> {
        let payload = Payload::Slices(buffers_in);
        self.call_payload(timeout, payload, handles_in, bytes_out, handles_out)
    }

    /// [`Channel::call_uninit`] over raw pointers; answers the counts read.
    ///
    /// # Safety
    ///
    /// `bytes_in` must be valid for reads of `bytes_in_len` bytes, `handles_in` for reads and
    /// writes of `handles_in_len` handles, `bytes_out` and `handles_out` for writes of their
    /// lengths; the output buffers must not overlap the inputs.
    #[allow(clippy::too_many_arguments)]
    pub unsafe fn call_raw(
        &self,
        timeout: MonotonicInstant,
        bytes_in: *const u8,
        bytes_in_len: usize,
        handles_in: *mut Handle,
        handles_in_len: usize,
        bytes_out: *mut u8,
        bytes_out_len: usize,
        handles_out: *mut Handle,
        handles_out_len: usize,
    ) -> Result<(usize, usize)> {
        // SAFETY: the caller's contract.
        let (bytes_in, handles_in, bytes_out, handles_out) = unsafe {
            (
                input_slice(bytes_in, bytes_in_len),
                inout_slice(handles_in, handles_in_len),
                uninit_slice(bytes_out, bytes_out_len),
                uninit_slice(handles_out, handles_out_len),
            )
        };
        self.call_uninit(timeout, bytes_in, handles_in, bytes_out, handles_out)
            .map(|(bytes, handles)| (bytes.len(), handles.len()))
    }

    /// [`Channel::callv_uninit`] over raw pointers; see [`Channel::call_raw`].
    ///
    /// # Safety
    ///
    /// As [`Channel::call_raw`], with `buffers_in` valid for reads of `buffers_in_len` slices.
    #[allow(clippy::too_many_arguments)]
    pub unsafe fn callv_raw(
        &self,
        timeout: MonotonicInstant,
        buffers_in: *const ChannelIoSlice<'_>,
        buffers_in_len: usize,
        handles_in: *mut Handle,
        handles_in_len: usize,
        bytes_out: *mut u8,
        bytes_out_len: usize,
        handles_out: *mut Handle,
        handles_out_len: usize,
    ) -> Result<(usize, usize)> {
        // SAFETY: the caller's contract.
        let (buffers_in, handles_in, bytes_out, handles_out) = unsafe {
            (
                input_slice(buffers_in, buffers_in_len),
                inout_slice(handles_in, handles_in_len),
                uninit_slice(bytes_out, bytes_out_len),
                uninit_slice(handles_out, handles_out_len),
            )
        };
        self.callv_uninit(timeout, buffers_in, handles_in, bytes_out, handles_out)
            .map(|(bytes, handles)| (bytes.len(), handles.len()))
    }

    /// [`Channel::call`] with dispositions for the request and handle infos for the reply.
    /// Wraps `zx_channel_call_etc`.
    pub fn call_etc(
        &self,
        timeout: MonotonicInstant,
        bytes: &[u8],
        handle_dispositions: &mut [HandleDisposition<'_>],
        buf: &mut MessageBufEtc,
    ) -> Result<()> {
        self.call_etc_into(timeout, Payload::Bytes(bytes), handle_dispositions, buf)
    }

    /// [`Channel::call_etc`] with the request gathered from `buffers_in`.
    pub fn callv_etc(
        &self,
        timeout: MonotonicInstant,
        buffers_in: &[ChannelIoSlice<'_>],
        handle_dispositions: &mut [HandleDisposition<'_>],
        buf: &mut MessageBufEtc,
    ) -> Result<()> {
        self.call_etc_into(
            timeout,
            Payload::Slices(buffers_in),
            handle_dispositions,
            buf,
        )
    }

    fn call_etc_into(
        &self,
        timeout: MonotonicInstant,
        payload: Payload<'_, '_>,
        handle_dispositions: &mut [HandleDisposition<'_>],
        buf: &mut MessageBufEtc,
    ) -> Result<()> {
        buf.clear();
        buf.ensure_capacity_bytes(MAX_BYTES);
        buf.ensure_capacity_handle_infos(MAX_HANDLES);
        let (bytes, infos) = buf.split_mut();
        let (read_bytes, read_infos) = self.call_etc_payload(
            timeout,
            payload,
            handle_dispositions,
            bytes.spare_capacity_mut(),
            infos.spare_capacity_mut(),
        )?;
        let lengths = (read_bytes.len(), read_infos.len());
        // SAFETY: the call initialized these prefixes of the spare capacity.
        unsafe {
            bytes.set_len(lengths.0);
            infos.set_len(lengths.1);
        }
        Ok(())
    }

    /// [`Channel::call_etc`] into caller memory; see [`Channel::call_uninit`].
    pub fn call_etc_uninit<'b, 'h>(
        &self,
        timeout: MonotonicInstant,
        bytes_in: &[u8],
        handles_in: &mut [HandleDisposition<'_>],
        bytes_out: &'b mut [MaybeUninit<u8>],
        handles_out: &'h mut [MaybeUninit<HandleInfo>],
    ) -> Result<(&'b mut [u8], &'h mut [HandleInfo])> {
        let payload = Payload::Bytes(bytes_in);
        self.call_etc_payload(timeout, payload, handles_in, bytes_out, handles_out)
    }

    /// [`Channel::callv_etc`] into caller memory; see [`Channel::call_uninit`].
    pub fn callv_etc_uninit<'b, 'h>(
        &self,
        timeout: MonotonicInstant,
        buffers_in: &[ChannelIoSlice<'_>],
        handles_in: &mut [HandleDisposition<'_>],
        bytes_out: &'b mut [MaybeUninit<u8>],
        handles_out: &'h mut [MaybeUninit<HandleInfo>],
    ) -> Result<(&'b mut [u8], &'h mut [HandleInfo])> {
        let payload = Payload::Slices(buffers_in);
        self.call_etc_payload(timeout, payload, handles_in, bytes_out, handles_out)
    }

    /// [`Channel::call_etc_uninit`] over raw pointers; answers the counts read.
    ///
    /// # Safety
    ///
    /// As [`Channel::call_raw`], with `handles_in` dispositions and `handles_out` handle infos.
    #[allow(clippy::too_many_arguments)]
    pub unsafe fn call_etc_raw(
        &self,
        timeout: MonotonicInstant,
        bytes_in: *const u8,
        bytes_in_len: usize,
        handles_in: *mut HandleDisposition<'_>,
        handles_in_len: usize,
        bytes_out: *mut u8,
        bytes_out_len: usize,
        handles_out: *mut HandleInfo,
        handles_out_len: usize,
    ) -> Result<(usize, usize)> {
        // SAFETY: the caller's contract.
        let (bytes_in, handles_in, bytes_out, handles_out) = unsafe {
            (
                input_slice(bytes_in, bytes_in_len),
                inout_slice(handles_in, handles_in_len),
                uninit_slice(bytes_out, bytes_out_len),
                uninit_slice(handles_out, handles_out_len),
            )
        };
        self.call_etc_uninit(timeout, bytes_in, handles_in, bytes_out, handles_out)
            .map(|(bytes, handles)| (bytes.len(), handles.len()))
    }

    /// [`Channel::callv_etc_uninit`] over raw pointers; see [`Channel::call_etc_raw`].
    ///
    /// # Safety
    ///
    /// As [`Channel::call_etc_raw`], with `buffers_in` valid for reads of `buffers_in_len`
    /// slices.
    #[allow(clippy::too_many_arguments)]
    pub unsafe fn callv_etc_raw(
        &self,
        timeout: MonotonicInstant,
        buffers_in: *const ChannelIoSlice<'_>,
        buffers_in_len: usize,
        handles_in: *mut HandleDisposition<'_>,
        handles_in_len: usize,
        bytes_out: *mut u8,
        bytes_out_len: usize,
        handles_out: *mut HandleInfo,
        handles_out_len: usize,
    ) -> Result<(usize, usize)> {
        // SAFETY: the caller's contract.
        let (buffers_in, handles_in, bytes_out, handles_out) = unsafe {
            (
                input_slice(buffers_in, buffers_in_len),
                inout_slice(handles_in, handles_in_len),
                uninit_slice(bytes_out, bytes_out_len),
                uninit_slice(handles_out, handles_out_len),
            )
        };
        self.callv_etc_uninit(timeout, buffers_in, handles_in, bytes_out, handles_out)
            .map(|(bytes, handles)| (bytes.len(), handles.len()))
    }
}
