//! `ZX_CHANNEL_WRITE_USE_IOVEC`: channel writes and calls whose bytes come from an array of
//! `zx_channel_iovec_t`.
//!
//! In the C surface the flag turns the `(bytes, num_bytes)` pair into `(iovecs, num_iovecs)`. A
//! byte slice cannot carry buffer pointers soundly, so this rendering takes the iovecs as their
//! own typed slice: [`zx_channel_iovec_t`] borrows the buffer it describes (its pointer is set
//! only by [`zx_channel_iovec_t::new`]), which makes gathering safe. The `*_iovec` entry points
//! are the flag's rendering: they gather with [`zx_channel_iovec_gather`] and hand the joined
//! bytes to the plain call, so every other rule (handle consumption, error order, tracing) stays
//! in one place — `channel.rs`. A call refused by the gather emits its own trace event (with
//! `num_iovecs`), so every call still emits exactly one.
//!
//! Gathering follows Zircon's `MessagePacket` rules (upstream core-tests
//! `channel/channel-iovec`): more than `ZX_CHANNEL_MAX_MSG_IOVEC` iovecs ⇒ `OUT_OF_RANGE`; a
//! nonzero `reserved` ⇒ `INVALID_ARGS`; more than `ZX_CHANNEL_MAX_MSG_BYTES` in all ⇒
//! `OUT_OF_RANGE`. Those checks come after the options and the channel lookup, as in Zircon; a
//! failed gather still consumes every handle the call names.

use std::marker::PhantomData;

use zxsim_kernel::Status;

use super::*;

/// `zx_channel_iovec_t` (16 bytes, Zircon's layout): one buffer of an iovec write.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct zx_channel_iovec_t<'a> {
    buffer: *const u8,
    capacity: u32,
    /// Must be 0; anything else makes the write `INVALID_ARGS`.
    pub reserved: u32,
    borrow: PhantomData<&'a [u8]>,
}

const _: () = assert!(std::mem::size_of::<zx_channel_iovec_t<'_>>() == 16);

// SAFETY: an iovec is a shared borrow of bytes (`&[u8]` is Send and Sync).
unsafe impl Send for zx_channel_iovec_t<'_> {}
// SAFETY: as above; nothing is ever written through the pointer.
unsafe impl Sync for zx_channel_iovec_t<'_> {}

impl<'a> zx_channel_iovec_t<'a> {
    /// An iovec describing `buffer`. A buffer longer than `u32::MAX` bytes (far over any message
    /// limit) is described by its first `u32::MAX` bytes.
    pub fn new(buffer: &'a [u8]) -> Self {
        zx_channel_iovec_t {
            buffer: buffer.as_ptr(),
            capacity: u32::try_from(buffer.len()).unwrap_or(u32::MAX),
            reserved: 0,
            borrow: PhantomData,
        }
    }

    pub fn buffer(&self) -> *const u8 {
        self.buffer
    }

    pub fn capacity(&self) -> u32 {
        self.capacity
    }

    /// The bytes this iovec describes.
    pub fn as_slice(&self) -> &'a [u8] {
        // SAFETY: `buffer`/`capacity` were set by `new` (or `default`, an empty slice) from a
        // slice that lives for `'a`, and `capacity` never exceeds its length.
        unsafe { std::slice::from_raw_parts(self.buffer, self.capacity as usize) }
    }
}

impl Default for zx_channel_iovec_t<'_> {
    /// An empty iovec.
    fn default() -> Self {
        zx_channel_iovec_t::new(&[])
    }
}

impl std::fmt::Debug for zx_channel_iovec_t<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("zx_channel_iovec_t")
            .field("buffer", &self.buffer)
            .field("capacity", &self.capacity)
            .field("reserved", &self.reserved)
            .finish()
    }
}

/// Joins the iovecs' bytes, with Zircon's checks (see the module doc).
pub fn zx_channel_iovec_gather(iovecs: &[zx_channel_iovec_t<'_>]) -> Result<Vec<u8>, Status> {
    if iovecs.len() > ZX_CHANNEL_MAX_MSG_IOVEC as usize {
        return Err(Status::OUT_OF_RANGE);
    }
    let mut total = 0usize;
    for iovec in iovecs {
        if iovec.reserved != 0 {
            return Err(Status::INVALID_ARGS);
        }
        total += iovec.capacity as usize;
        if total > ZX_CHANNEL_MAX_MSG_BYTES as usize {
            return Err(Status::OUT_OF_RANGE);
        }
    }
    let mut joined = Vec::with_capacity(total);
    for iovec in iovecs {
        joined.extend_from_slice(iovec.as_slice());
    }
    Ok(joined)
}

/// What a write or call answers when its gather fails: options first, then the channel lookup
/// (`BAD_HANDLE`, `WRONG_TYPE`, `ACCESS_DENIED` without `rights`), then the gather's status.
fn gather_failure(
    handle: zx_handle_t,
    options: u32,
    rights: zx_rights_t,
    gather: Status,
) -> Status {
    if options & !ZX_CHANNEL_WRITE_USE_IOVEC != 0 {
        return Status::INVALID_ARGS;
    }
    let mut info = zx_info_handle_basic_t::default();
    let looked_up = zx_object_get_info(
        handle,
        ZX_INFO_HANDLE_BASIC,
        bytemuck::bytes_of_mut(&mut info),
        None,
        None,
    );
    if looked_up != ZX_OK {
        return Status::from_raw(looked_up);
    }
    if info.type_ != ZX_OBJ_TYPE_CHANNEL {
        return Status::WRONG_TYPE;
    }
    if info.rights & rights != rights {
        return Status::ACCESS_DENIED;
    }
    gather
}

/// Closes the handles a failed write would have consumed (all but DUPLICATE entries).
fn consume_dispositions(entries: &[zx_handle_disposition_t]) {
    for entry in entries
        .iter()
        .filter(|e| e.operation != ZX_HANDLE_OP_DUPLICATE)
    {
        let _ = zx_handle_close(entry.handle);
    }
}

/// `zx_channel_write(handle, options | ZX_CHANNEL_WRITE_USE_IOVEC, iovecs, handles)`.
pub fn zx_channel_write_iovec(
    handle: zx_handle_t,
    options: u32,
    iovecs: &[zx_channel_iovec_t<'_>],
    handles: &[zx_handle_t],
) -> zx_status_t {
    match zx_channel_iovec_gather(iovecs) {
        Ok(bytes) => zx_channel_write(
            handle,
            options & !ZX_CHANNEL_WRITE_USE_IOVEC,
            &bytes,
            handles,
        ),
        Err(gather) => {
            let _ = zx_handle_close_many(handles);
            let status = gather_failure(handle, options, ZX_RIGHT_WRITE, gather).into_raw();
            traced!(
                "zx_channel_write",
                status,
                handle,
                options,
                num_iovecs = iovecs.len()
            )
        }
    }
}

/// `zx_channel_write_etc(handle, options | ZX_CHANNEL_WRITE_USE_IOVEC, iovecs, handles)`.
pub fn zx_channel_write_etc_iovec(
    handle: zx_handle_t,
    options: u32,
    iovecs: &[zx_channel_iovec_t<'_>],
    handles: &mut [zx_handle_disposition_t],
) -> zx_status_t {
    match zx_channel_iovec_gather(iovecs) {
        Ok(bytes) => zx_channel_write_etc(
            handle,
            options & !ZX_CHANNEL_WRITE_USE_IOVEC,
            &bytes,
            handles,
        ),
        Err(gather) => {
            consume_dispositions(handles);
            let status = gather_failure(handle, options, ZX_RIGHT_WRITE, gather).into_raw();
            traced!(
                "zx_channel_write_etc",
                status,
                handle,
                options,
                num_iovecs = iovecs.len()
            )
        }
    }
}

/// `zx_channel_call(handle, options | ZX_CHANNEL_WRITE_USE_IOVEC, ...)`: `wr_iovecs` replaces
/// `args.wr_bytes` (which is ignored).
pub fn zx_channel_call_iovec(
    handle: zx_handle_t,
    options: u32,
    deadline: zx_time_t,
    wr_iovecs: &[zx_channel_iovec_t<'_>],
    args: &mut zx_channel_call_args_t<'_>,
    actual_bytes: &mut u32,
    actual_handles: &mut u32,
) -> zx_status_t {
    match zx_channel_iovec_gather(wr_iovecs) {
        Ok(bytes) => {
            let mut joined = zx_channel_call_args_t {
                wr_bytes: &bytes,
                wr_handles: args.wr_handles,
                rd_bytes: &mut *args.rd_bytes,
                rd_handles: &mut *args.rd_handles,
            };
            let options = options & !ZX_CHANNEL_WRITE_USE_IOVEC;
            zx_channel_call(
                handle,
                options,
                deadline,
                &mut joined,
                actual_bytes,
                actual_handles,
            )
        }
        Err(gather) => {
            let _ = zx_handle_close_many(args.wr_handles);
            let rights = ZX_RIGHT_READ | ZX_RIGHT_WRITE;
            let status = gather_failure(handle, options, rights, gather).into_raw();
            traced!(
                "zx_channel_call",
                status,
                handle,
                options,
                num_iovecs = wr_iovecs.len()
            )
        }
    }
}

/// `zx_channel_call_etc(handle, options | ZX_CHANNEL_WRITE_USE_IOVEC, ...)`: `wr_iovecs`
/// replaces `args.wr_bytes` (which is ignored).
pub fn zx_channel_call_etc_iovec(
    handle: zx_handle_t,
    options: u32,
    deadline: zx_time_t,
    wr_iovecs: &[zx_channel_iovec_t<'_>],
    args: &mut zx_channel_call_etc_args_t<'_>,
    actual_bytes: &mut u32,
    actual_handles: &mut u32,
) -> zx_status_t {
    match zx_channel_iovec_gather(wr_iovecs) {
        Ok(bytes) => {
            let mut joined = zx_channel_call_etc_args_t {
                wr_bytes: &bytes,
                wr_handles: &mut *args.wr_handles,
                rd_bytes: &mut *args.rd_bytes,
                rd_handles: &mut *args.rd_handles,
            };
            let options = options & !ZX_CHANNEL_WRITE_USE_IOVEC;
            zx_channel_call_etc(
                handle,
                options,
                deadline,
                &mut joined,
                actual_bytes,
                actual_handles,
            )
        }
        Err(gather) => {
            consume_dispositions(args.wr_handles);
            let rights = ZX_RIGHT_READ | ZX_RIGHT_WRITE;
            let status = gather_failure(handle, options, rights, gather).into_raw();
            traced!(
                "zx_channel_call_etc",
                status,
                handle,
                options,
                num_iovecs = wr_iovecs.len()
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gather_joins_in_order() {
        let iovecs = [
            zx_channel_iovec_t::new(b"ab"),
            zx_channel_iovec_t::default(),
            zx_channel_iovec_t::new(b"cde"),
        ];
        assert_eq!(zx_channel_iovec_gather(&iovecs).unwrap(), b"abcde");
        assert_eq!(zx_channel_iovec_gather(&[]).unwrap(), b"");
    }

    #[test]
    fn gather_limits() {
        let one = [0u8; 1];
        let at_limit = vec![zx_channel_iovec_t::new(&one); ZX_CHANNEL_MAX_MSG_IOVEC as usize];
        assert_eq!(zx_channel_iovec_gather(&at_limit).unwrap().len(), 8192);
        let over = vec![zx_channel_iovec_t::default(); ZX_CHANNEL_MAX_MSG_IOVEC as usize + 1];
        assert_eq!(zx_channel_iovec_gather(&over), Err(Status::OUT_OF_RANGE));

        let big = vec![0u8; ZX_CHANNEL_MAX_MSG_BYTES as usize];
        let exact = [zx_channel_iovec_t::new(&big)];
        assert_eq!(zx_channel_iovec_gather(&exact).unwrap().len(), big.len());
        let too_big = [zx_channel_iovec_t::new(&big), zx_channel_iovec_t::new(&one)];
        assert_eq!(zx_channel_iovec_gather(&too_big), Err(Status::OUT_OF_RANGE));

        let mut reserved = zx_channel_iovec_t::new(&one);
        reserved.reserved = 1;
        assert_eq!(
            zx_channel_iovec_gather(&[reserved]),
            Err(Status::INVALID_ARGS)
        );
    }
}
