//! Channel syscalls (spec §7, §12.1).
//!
//! The rule that shapes this file: **every handle passed to write / write_etc / call is consumed
//! on every path** — MOVE entries and plain handle values are taken out of the caller's table
//! first thing, whatever fails later (options, the channel handle, sizes, the peer); DUPLICATE
//! entries never are. Taken handles either travel in the message or are closed, outside every
//! lock, before the syscall returns.
//!
//! Reads and writes run under the caller's handle-table lock for the channel handle, so a racing
//! transfer of the endpoint (which removes its handle under that table's write lock) happens
//! entirely before or after them.

use zxsim_kernel::handle::derive_rights;
use zxsim_kernel::handle::HandleTableWriter;
use zxsim_kernel::objects::channel::{
    Channel, Message, ReadError, WriteOutcome, CHANNEL_MAX_MSG_BYTES, CHANNEL_MAX_MSG_HANDLES,
    CHANNEL_READ_MAY_DISCARD,
};
use zxsim_kernel::{
    Dispatcher, FaultSite, Handle, Koid, ObjType, PolicyException, Process, Rights, Status,
};

use super::*;

/// `zx_handle_disposition_t` (20 bytes).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct zx_handle_disposition_t {
    pub operation: u32,
    pub handle: zx_handle_t,
    pub type_: zx_obj_type_t,
    pub rights: zx_rights_t,
    pub result: zx_status_t,
}

/// `zx_handle_info_t` (16 bytes).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct zx_handle_info_t {
    pub handle: zx_handle_t,
    /// C's `type` (a Rust keyword).
    pub ty: zx_obj_type_t,
    pub rights: zx_rights_t,
    pub unused: u32,
}

const _: () = assert!(std::mem::size_of::<zx_handle_disposition_t>() == 20);
const _: () = assert!(std::mem::size_of::<zx_handle_info_t>() == 16);

/// `zx_channel_call_args_t`, with each (pointer, count) pair as a slice.
#[derive(Debug)]
pub struct zx_channel_call_args_t<'a> {
    pub wr_bytes: &'a [u8],
    pub wr_handles: &'a [zx_handle_t],
    pub rd_bytes: &'a mut [u8],
    pub rd_handles: &'a mut [zx_handle_t],
}

/// `zx_channel_call_etc_args_t`: dispositions out, handle infos back.
#[derive(Debug)]
pub struct zx_channel_call_etc_args_t<'a> {
    pub wr_bytes: &'a [u8],
    pub wr_handles: &'a mut [zx_handle_disposition_t],
    pub rd_bytes: &'a mut [u8],
    pub rd_handles: &'a mut [zx_handle_info_t],
}

/// `options` must be 0. Both endpoints get 0xF00E (no DUPLICATE) and start WRITABLE.
pub fn zx_channel_create(
    options: u32,
    out0: &mut zx_handle_t,
    out1: &mut zx_handle_t,
) -> zx_status_t {
    let status = on_current(|process| {
        if options != 0 {
            return Err(Status::INVALID_ARGS);
        }
        (*out0, *out1) = process.create_pair(Channel::pair)?;
        Ok(())
    });
    traced!("zx_channel_create", status, options)
}

/// The checks a write-like call makes before its handles are looked at.
struct Checks {
    options: u32,
    /// Rights the channel handle needs (WRITE; READ | WRITE for a call).
    rights: Rights,
    num_bytes: usize,
    num_handles: usize,
    /// A call's request must hold a txid: fewer than 4 bytes is `INVALID_ARGS` (Zircon checks
    /// it once the message is built, before `msg_put_handles`).
    min_bytes: usize,
}

/// The options every write-like call accepts (`INVALID_ARGS` for others, before the handle).
fn check_write_options(options: u32) -> Result<(), Status> {
    if options & !ZX_CHANNEL_WRITE_USE_IOVEC != 0 {
        return Err(Status::INVALID_ARGS);
    }
    if options & ZX_CHANNEL_WRITE_USE_IOVEC != 0 {
        // A byte slice cannot carry iovecs: the flag's rendering is `zx_channel_*_iovec`
        // (iovec.rs), which gathers and then calls here without it.
        return Err(Status::NOT_SUPPORTED);
    }
    Ok(())
}

/// The channel checks, in Zircon's order: the options, the handle (`BAD_HANDLE`, `WRONG_TYPE`,
/// `ACCESS_DENIED`), the sizes (`OUT_OF_RANGE`), a call's txid room (`INVALID_ARGS`). Returns
/// the endpoint's koid, which no handle in the message may name.
fn check_channel(
    writer: &HandleTableWriter<'_>,
    handle: zx_handle_t,
    checks: &Checks,
) -> Result<Koid, Status> {
    check_write_options(checks.options)?;
    let (_, channel) = writer.object::<Channel>(handle, checks.rights)?;
    if checks.num_bytes > CHANNEL_MAX_MSG_BYTES || checks.num_handles > CHANNEL_MAX_MSG_HANDLES {
        return Err(Status::OUT_OF_RANGE);
    }
    if checks.num_bytes < checks.min_bytes {
        return Err(Status::INVALID_ARGS);
    }
    Ok(channel.koid())
}

/// The shape of every write-like call with handles, under **one** acquisition of the caller's
/// table writer lock: the channel checks; then `take`, which removes the message's handles (and
/// decides, from the checks' outcome, which are consumed on failure); then `send` on the
/// endpoint — still under the lock, so a racing transfer of the endpoint is ordered with the
/// whole call. Handles to destroy go to `closing` and are dropped after the lock is released.
fn send_locked<R>(
    process: &Process,
    handle: zx_handle_t,
    checks: Checks,
    take: impl FnOnce(
        &mut HandleTableWriter<'_>,
        Result<Koid, Status>,
        &mut Vec<Handle>,
    ) -> Result<Vec<Handle>, Status>,
    send: impl FnOnce(&Handle, &Dispatcher<Channel>, Vec<Handle>) -> Result<R, (Status, Vec<Handle>)>,
) -> Result<R, Status> {
    let mut closing = Vec::new();
    let result = {
        let mut writer = process.handles().write();
        let channel = check_channel(&writer, handle, &checks).and_then(|koid| {
            process
                .kernel()
                .faults()
                .check(FaultSite::ChannelMessage)
                .map(|()| koid)
        });
        take(&mut writer, channel, &mut closing).and_then(|taken| {
            match writer.object::<Channel>(handle, checks.rights) {
                Ok((h, endpoint)) => send(h, endpoint, taken).map_err(|(status, handles)| {
                    closing.extend(handles);
                    status
                }),
                Err(status) => {
                    closing.extend(taken);
                    Err(status)
                }
            }
        })
    };
    drop(closing);
    result
}

/// `take` for plain handle values: every one is removed, whatever fails, and checked for
/// TRANSFER and for being the endpoint written to. On any failure all are destroyed.
fn take_values<'a>(
    values: &'a [zx_handle_t],
) -> impl FnOnce(
    &mut HandleTableWriter<'_>,
    Result<Koid, Status>,
    &mut Vec<Handle>,
) -> Result<Vec<Handle>, Status>
       + 'a {
    move |writer, channel, closing| {
        let endpoint = channel.as_ref().ok().copied();
        let mut taken = Vec::with_capacity(values.len());
        let mut result = channel.map(|_| ());
        for &value in values {
            let outcome = writer.remove(value).and_then(|handle| {
                let check = if !handle.has_rights(Rights::TRANSFER) {
                    Err(Status::ACCESS_DENIED)
                } else if endpoint == Some(handle.object().koid()) {
                    Err(Status::NOT_SUPPORTED)
                } else {
                    Ok(())
                };
                taken.push(handle);
                check
            });
            result = result.and(outcome);
        }
        match result {
            Ok(()) => Ok(taken),
            Err(status) => {
                closing.extend(taken);
                Err(status)
            }
        }
    }
}

/// `take` for dispositions. If the channel checks failed, only MOVE (and invalid-operation)
/// entries are consumed and no entry's `result` is written. Otherwise every entry is attempted
/// in order: MOVE takes the handle out first and then checks it; DUPLICATE leaves it and mints a
/// new one; any other operation closes the handle and fails. On failure the failing entries'
/// `result`s are written back and every handle taken is destroyed.
fn take_dispositions<'a>(
    entries: &'a mut [zx_handle_disposition_t],
) -> impl FnOnce(
    &mut HandleTableWriter<'_>,
    Result<Koid, Status>,
    &mut Vec<Handle>,
) -> Result<Vec<Handle>, Status>
       + 'a {
    move |writer, channel, closing| {
        let endpoint = match channel {
            Ok(koid) => koid,
            Err(status) => {
                let consumed = entries
                    .iter()
                    .filter(|entry| entry.operation != ZX_HANDLE_OP_DUPLICATE)
                    .filter_map(|entry| writer.remove(entry.handle).ok());
                closing.extend(consumed);
                return Err(status);
            }
        };
        let check = |handle: &Handle, entry: &zx_handle_disposition_t| -> Result<Rights, Status> {
            if !handle.has_rights(Rights::TRANSFER) {
                return Err(Status::ACCESS_DENIED);
            }
            if handle.object().koid() == endpoint {
                return Err(Status::NOT_SUPPORTED);
            }
            if entry.type_ != ZX_OBJ_TYPE_NONE && ObjType(entry.type_) != handle.object().obj_type()
            {
                return Err(Status::WRONG_TYPE);
            }
            derive_rights(handle.rights(), entry.rights)
        };
        let mut taken = Vec::with_capacity(entries.len());
        let mut results = Vec::with_capacity(entries.len());
        for entry in entries.iter() {
            let outcome = match entry.operation {
                ZX_HANDLE_OP_MOVE => writer.remove(entry.handle).and_then(|handle| {
                    let rights = check(&handle, entry);
                    match rights {
                        Ok(rights) if rights == handle.rights() => Ok(handle),
                        Ok(rights) => {
                            // Reduced rights mint a new handle; the source is closed either way.
                            let minted = handle.duplicate(rights);
                            closing.push(handle);
                            minted
                        }
                        Err(status) => {
                            closing.push(handle);
                            Err(status)
                        }
                    }
                }),
                ZX_HANDLE_OP_DUPLICATE => writer.handle(entry.handle).and_then(|handle| {
                    let rights = check(handle, entry)?;
                    if !handle.has_rights(Rights::DUPLICATE) {
                        return Err(Status::ACCESS_DENIED);
                    }
                    handle.duplicate(rights)
                }),
                _ => writer.remove(entry.handle).and_then(|closed| {
                    closing.push(closed);
                    Err(Status::INVALID_ARGS)
                }),
            };
            match outcome {
                Ok(handle) => {
                    taken.push(handle);
                    results.push(Status::OK);
                }
                Err(status) => results.push(status),
            }
        }
        match results.iter().find(|status| **status != Status::OK) {
            None => Ok(taken),
            Some(&first) => {
                closing.extend(taken);
                write_back_failures(entries, &results);
                Err(first)
            }
        }
    }
}

/// Copies each failing entry's status into its `result`; entries that succeeded keep whatever
/// the caller put there (Zircon copies the array back only on failure, and sets `result` only
/// for the entries that failed).
fn write_back_failures(entries: &mut [zx_handle_disposition_t], results: &[Status]) {
    for (entry, result) in entries.iter_mut().zip(results) {
        if *result != Status::OK {
            entry.result = result.into_raw();
        }
    }
}

/// Raises `CHANNEL_FULL_WRITE` for a write that left more than 3 500 messages queued.
fn finish_write(process: &Process, outcome: Result<WriteOutcome, Status>) -> Result<(), Status> {
    if outcome? == WriteOutcome::QueueFull {
        process.raise_policy_exception(PolicyException::ChannelFullWrite);
    }
    Ok(())
}

/// A write with no handles to consume: the whole call is one lookup under the table's reader
/// lock, with the checks in Zircon's order (options, then BAD_HANDLE, WRONG_TYPE,
/// ACCESS_DENIED, then sizes).
fn write_without_handles(
    process: &Process,
    handle: zx_handle_t,
    options: u32,
    bytes: &[u8],
) -> Result<(), Status> {
    check_write_options(options)?;
    let outcome =
        process
            .handles()
            .with_object::<Channel, _>(handle, Rights::WRITE, |_, endpoint| {
                if bytes.len() > CHANNEL_MAX_MSG_BYTES {
                    return Err(Status::OUT_OF_RANGE);
                }
                process.kernel().faults().check(FaultSite::ChannelMessage)?;
                endpoint
                    .write_bytes(process.koid(), bytes, Vec::new())
                    .map_err(|(status, _)| status)
            })?;
    finish_write(process, outcome)
}

/// Writes `bytes` and the handles `take` removes, under one writer-lock acquisition.
fn write_locked(
    process: &Process,
    handle: zx_handle_t,
    options: u32,
    bytes: &[u8],
    num_handles: usize,
    take: impl FnOnce(
        &mut HandleTableWriter<'_>,
        Result<Koid, Status>,
        &mut Vec<Handle>,
    ) -> Result<Vec<Handle>, Status>,
) -> Result<(), Status> {
    let checks = Checks {
        options,
        rights: Rights::WRITE,
        num_bytes: bytes.len(),
        num_handles,
        min_bytes: 0,
    };
    let outcome = send_locked(process, handle, checks, take, |_, endpoint, handles| {
        endpoint.write_bytes(process.koid(), bytes, handles)
    });
    finish_write(process, outcome)
}

/// Order: options (`INVALID_ARGS`), the channel (`BAD_HANDLE`, `WRONG_TYPE`, `ACCESS_DENIED`
/// without WRITE), sizes (`OUT_OF_RANGE`), each handle (`BAD_HANDLE`, `ACCESS_DENIED` without
/// TRANSFER, `NOT_SUPPORTED` for the endpoint itself), owner (`BAD_HANDLE`), `PEER_CLOSED`.
/// Every handle in `handles` is consumed on every path.
pub fn zx_channel_write(
    handle: zx_handle_t,
    options: u32,
    bytes: &[u8],
    handles: &[zx_handle_t],
) -> zx_status_t {
    let status = on_current(|process| {
        if handles.is_empty() {
            return write_without_handles(process, handle, options, bytes);
        }
        write_locked(
            process,
            handle,
            options,
            bytes,
            handles.len(),
            take_values(handles),
        )
    });
    traced!(
        "zx_channel_write",
        status,
        handle,
        options,
        num_bytes = bytes.len(),
        num_handles = handles.len()
    )
}

/// Like `zx_channel_write` with dispositions: MOVE entries are consumed on every path, DUPLICATE
/// entries never; each entry's `result` is written back only if the call fails.
pub fn zx_channel_write_etc(
    handle: zx_handle_t,
    options: u32,
    bytes: &[u8],
    handles: &mut [zx_handle_disposition_t],
) -> zx_status_t {
    let status = on_current(|process| {
        let num_handles = handles.len();
        write_locked(
            process,
            handle,
            options,
            bytes,
            num_handles,
            take_dispositions(handles),
        )
    });
    traced!(
        "zx_channel_write_etc",
        status,
        handle,
        options,
        num_bytes = bytes.len(),
        num_handles = handles.len()
    )
}

/// Reads the oldest message under the table lock; `BUFFER_TOO_SMALL` reports the required sizes.
fn read_message(
    process: &Process,
    handle: zx_handle_t,
    options: u32,
    bytes: &mut [u8],
    max_handles: usize,
    actual_bytes: Option<&mut u32>,
    actual_handles: Option<&mut u32>,
) -> Result<Vec<Handle>, Status> {
    let outcome = process.handles().with(handle, |h| {
        let endpoint = h
            .object_as::<Channel>(Rights::READ)
            .map_err(|status| ReadError {
                status,
                required: (0, 0),
                discarded: None,
            })?;
        if options & !CHANNEL_READ_MAY_DISCARD != 0 {
            return Err(ReadError {
                status: Status::NOT_SUPPORTED,
                required: (0, 0),
                discarded: None,
            });
        }
        endpoint.read_into(
            process.koid(),
            bytes,
            max_handles,
            options & CHANNEL_READ_MAY_DISCARD != 0,
        )
    })?;
    match outcome {
        Ok((count, handles)) => {
            if let Some(actual) = actual_bytes {
                *actual = count as u32;
            }
            if let Some(actual) = actual_handles {
                *actual = handles.len() as u32;
            }
            Ok(handles)
        }
        Err(error) => {
            if error.status == Status::BUFFER_TOO_SMALL {
                if let Some(actual) = actual_bytes {
                    *actual = error.required.0 as u32;
                }
                if let Some(actual) = actual_handles {
                    *actual = error.required.1 as u32;
                }
            }
            drop(error.discarded);
            Err(error.status)
        }
    }
}

/// Installs received handles in the reader's table; returns (value, type, rights) of each.
fn install(process: &Process, handles: Vec<Handle>) -> Vec<(zx_handle_t, u32, u32)> {
    let described: Vec<(u32, u32)> = handles
        .iter()
        .map(|handle| {
            handle.object().handle_received(handle.id());
            (
                handle.object().obj_type().into_raw(),
                handle.rights().bits(),
            )
        })
        .collect();
    process
        .add_handles(handles)
        .into_iter()
        .zip(described)
        .map(|(value, (kind, rights))| (value, kind, rights))
        .collect()
}

/// Order: `BAD_HANDLE`, `WRONG_TYPE`, `ACCESS_DENIED` (no READ), unknown options
/// `NOT_SUPPORTED`, owner `BAD_HANDLE`, empty queue `SHOULD_WAIT` or (peer gone) `PEER_CLOSED`,
/// too small `BUFFER_TOO_SMALL` (message kept unless `MAY_DISCARD`).
pub fn zx_channel_read(
    handle: zx_handle_t,
    options: u32,
    bytes: &mut [u8],
    handles: &mut [zx_handle_t],
    actual_bytes: Option<&mut u32>,
    actual_handles: Option<&mut u32>,
) -> zx_status_t {
    let status = on_current(|process| {
        let received = read_message(
            process,
            handle,
            options,
            bytes,
            handles.len(),
            actual_bytes,
            actual_handles,
        )?;
        for (slot, (value, _, _)) in handles.iter_mut().zip(install(process, received)) {
            *slot = value;
        }
        Ok(())
    });
    traced!("zx_channel_read", status, handle, options)
}

/// `zx_channel_read` returning a `zx_handle_info_t` (value, type, rights, unused = 0) per handle.
pub fn zx_channel_read_etc(
    handle: zx_handle_t,
    options: u32,
    bytes: &mut [u8],
    handles: &mut [zx_handle_info_t],
    actual_bytes: Option<&mut u32>,
    actual_handles: Option<&mut u32>,
) -> zx_status_t {
    let status = on_current(|process| {
        let received = read_message(
            process,
            handle,
            options,
            bytes,
            handles.len(),
            actual_bytes,
            actual_handles,
        )?;
        for (slot, (value, type_, rights)) in handles.iter_mut().zip(install(process, received)) {
            *slot = zx_handle_info_t {
                handle: value,
                ty: type_,
                rights,
                unused: 0,
            };
        }
        Ok(())
    });
    traced!("zx_channel_read_etc", status, handle, options)
}

/// Writes the request — its checks, handles and write under one writer-lock acquisition, as
/// for a write, with READ and WRITE on the channel — and waits, with no lock held, for the
/// reply; shared by call and call_etc. Returns the reply and its sizes (reported even for
/// `BUFFER_TOO_SMALL`).
fn call(
    process: &Process,
    handle: zx_handle_t,
    options: u32,
    deadline: zx_time_t,
    (bytes, num_handles): (&[u8], usize),
    take: impl FnOnce(
        &mut HandleTableWriter<'_>,
        Result<Koid, Status>,
        &mut Vec<Handle>,
    ) -> Result<Vec<Handle>, Status>,
    rd_limits: (usize, usize),
) -> (Result<Message, Status>, Option<(u32, u32)>) {
    let checks = Checks {
        options,
        rights: Rights::READ | Rights::WRITE,
        num_bytes: bytes.len(),
        num_handles,
        min_bytes: 4,
    };
    let request = bytes.to_vec();
    let started = send_locked(process, handle, checks, take, |h, endpoint, handles| {
        let owner = match h.object_arc::<Channel>(Rights::NONE) {
            Ok(owner) => owner,
            Err(status) => return Err((status, handles)),
        };
        endpoint
            .call_start(process.koid(), Message::new(request, handles))
            .map(|pending| (pending, owner))
            .map_err(|(status, message)| (status, message.handles))
    });
    let (pending, endpoint) = match started {
        Ok(started) => started,
        Err(status) => return (Err(status), None),
    };
    if pending.write == WriteOutcome::QueueFull {
        process.raise_policy_exception(PolicyException::ChannelFullWrite);
    }
    let reply = match pending.finish(&endpoint, deadline) {
        Ok(reply) => reply,
        Err(status) => return (Err(status), None),
    };
    let sizes = Some((reply.bytes.len() as u32, reply.handles.len() as u32));
    if reply.bytes.len() > rd_limits.0 || reply.handles.len() > rd_limits.1 {
        drop(reply); // too large: discarded, its handles closed
        return (Err(Status::BUFFER_TOO_SMALL), sizes);
    }
    (Ok(reply), sizes)
}

/// Reports the reply's sizes (also for `BUFFER_TOO_SMALL`) and passes the result on.
fn with_actuals(
    (result, sizes): (Result<Message, Status>, Option<(u32, u32)>),
    actual_bytes: &mut u32,
    actual_handles: &mut u32,
) -> Result<Message, Status> {
    if let Some((bytes, handles)) = sizes {
        *actual_bytes = bytes;
        *actual_handles = handles;
    }
    result
}

/// Needs READ and WRITE. Write handles are consumed on every path. Fewer than 4 bytes:
/// `INVALID_ARGS`. The first 4 bytes become a kernel txid ≥ 0x80000000; the matching reply goes
/// straight to this caller. `TIMED_OUT`, `PEER_CLOSED`, `CANCELED` (endpoint closed or
/// transferred), `BUFFER_TOO_SMALL` (reply discarded).
pub fn zx_channel_call(
    handle: zx_handle_t,
    options: u32,
    deadline: zx_time_t,
    args: &mut zx_channel_call_args_t<'_>,
    actual_bytes: &mut u32,
    actual_handles: &mut u32,
) -> zx_status_t {
    let status = on_current(|process| {
        let limits = (args.rd_bytes.len(), args.rd_handles.len());
        let take = take_values(args.wr_handles);
        let num_handles = args.wr_handles.len();
        let reply = with_actuals(
            call(
                process,
                handle,
                options,
                deadline,
                (args.wr_bytes, num_handles),
                take,
                limits,
            ),
            actual_bytes,
            actual_handles,
        )?;
        args.rd_bytes[..reply.bytes.len()].copy_from_slice(&reply.bytes);
        for (slot, (value, _, _)) in args
            .rd_handles
            .iter_mut()
            .zip(install(process, reply.handles))
        {
            *slot = value;
        }
        Ok(())
    });
    traced!("zx_channel_call", status, handle, options, deadline)
}

/// `zx_channel_call` with dispositions for the request and handle infos for the reply.
pub fn zx_channel_call_etc(
    handle: zx_handle_t,
    options: u32,
    deadline: zx_time_t,
    args: &mut zx_channel_call_etc_args_t<'_>,
    actual_bytes: &mut u32,
    actual_handles: &mut u32,
) -> zx_status_t {
    let status = on_current(|process| {
        let limits = (args.rd_bytes.len(), args.rd_handles.len());
        let num_handles = args.wr_handles.len();
        let take = take_dispositions(args.wr_handles);
        let reply = with_actuals(
            call(
                process,
                handle,
                options,
                deadline,
                (args.wr_bytes, num_handles),
                take,
                limits,
            ),
            actual_bytes,
            actual_handles,
        )?;
        args.rd_bytes[..reply.bytes.len()].copy_from_slice(&reply.bytes);
        for (slot, (value, type_, rights)) in args
            .rd_handles
            .iter_mut()
            .zip(install(process, reply.handles))
        {
            *slot = zx_handle_info_t {
                handle: value,
                ty: type_,
                rights,
                unused: 0,
            };
        }
        Ok(())
    });
    traced!("zx_channel_call_etc", status, handle, options, deadline)
}
