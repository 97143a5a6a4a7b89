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
use zxsim_kernel::objects::channel::{
    Channel, Message, ReadError, WriteOutcome, CHANNEL_MAX_MSG_BYTES, CHANNEL_MAX_MSG_HANDLES,
    CHANNEL_READ_MAY_DISCARD,
};
use zxsim_kernel::sync::Arc;
use zxsim_kernel::{Handle, ObjType, Object, PolicyException, Process, Rights, Status};

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

/// The checks every write-like call makes before its handles are looked at: options, the channel
/// handle (with `rights`), and the message size limits.
fn prologue(
    process: &Process,
    handle: zx_handle_t,
    options: u32,
    rights: Rights,
    num_bytes: usize,
    num_handles: usize,
) -> Result<Arc<Object>, Status> {
    if options & !ZX_CHANNEL_WRITE_USE_IOVEC != 0 {
        return Err(Status::INVALID_ARGS);
    }
    if options & ZX_CHANNEL_WRITE_USE_IOVEC != 0 {
        // A byte slice cannot carry iovecs: the flag's rendering is `zx_channel_*_iovec`
        // (iovec.rs), which gathers and then calls here without it.
        return Err(Status::NOT_SUPPORTED);
    }
    let (channel, _) = process.get_object::<Channel>(handle, rights)?;
    if num_bytes > CHANNEL_MAX_MSG_BYTES || num_handles > CHANNEL_MAX_MSG_HANDLES {
        return Err(Status::OUT_OF_RANGE);
    }
    Ok(channel)
}

/// Takes every listed handle out of the table (all of them, whatever fails), checking each for
/// TRANSFER and for being the endpoint written to. Returns the handles and the first error.
fn take_handles(
    process: &Process,
    channel: Option<&Arc<Object>>,
    values: &[zx_handle_t],
) -> (Vec<Handle>, Result<(), Status>) {
    let mut taken = Vec::with_capacity(values.len());
    let mut result = Ok(());
    for &value in values {
        let outcome = process.handles().remove(value).and_then(|handle| {
            let check = if !handle.has_rights(Rights::TRANSFER) {
                Err(Status::ACCESS_DENIED)
            } else if channel.is_some_and(|channel| Arc::ptr_eq(channel, handle.object())) {
                Err(Status::NOT_SUPPORTED)
            } else {
                Ok(())
            };
            taken.push(handle);
            check
        });
        if let Err(status) = outcome {
            result = result.and(Err(status));
        }
    }
    (taken, result)
}

/// Processes dispositions in order (every entry is attempted): MOVE takes the handle out first
/// and then checks it; DUPLICATE leaves it and mints a new one; any other operation closes the
/// handle and fails. Returns the handles for the message and each entry's status.
fn take_dispositions(
    process: &Process,
    channel: Option<&Arc<Object>>,
    entries: &[zx_handle_disposition_t],
) -> (Vec<Handle>, Vec<Status>) {
    let mut taken = Vec::with_capacity(entries.len());
    let mut results = Vec::with_capacity(entries.len());
    let check = |handle: &Handle, entry: &zx_handle_disposition_t| -> Result<Rights, Status> {
        if !handle.has_rights(Rights::TRANSFER) {
            return Err(Status::ACCESS_DENIED);
        }
        if channel.is_some_and(|channel| Arc::ptr_eq(channel, handle.object())) {
            return Err(Status::NOT_SUPPORTED);
        }
        if entry.type_ != ZX_OBJ_TYPE_NONE && ObjType(entry.type_) != handle.object().obj_type() {
            return Err(Status::WRONG_TYPE);
        }
        derive_rights(handle.rights(), entry.rights)
    };
    for entry in entries {
        let outcome = match entry.operation {
            ZX_HANDLE_OP_MOVE => process.handles().remove(entry.handle).and_then(|handle| {
                let rights = check(&handle, entry)?;
                if rights == handle.rights() {
                    Ok(handle)
                } else {
                    // Reduced rights mint a new handle; the source is closed either way.
                    handle.duplicate(rights)
                }
            }),
            ZX_HANDLE_OP_DUPLICATE => process
                .handles()
                .with(entry.handle, |handle| {
                    let rights = check(handle, entry)?;
                    if !handle.has_rights(Rights::DUPLICATE) {
                        return Err(Status::ACCESS_DENIED);
                    }
                    handle.duplicate(rights)
                })
                .and_then(|minted| minted),
            _ => process
                .handles()
                .remove(entry.handle)
                .and_then(|_closed| Err(Status::INVALID_ARGS)),
        };
        match outcome {
            Ok(handle) => {
                taken.push(handle);
                results.push(Status::OK);
            }
            Err(status) => results.push(status),
        }
    }
    (taken, results)
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

/// Consumes the MOVE (and invalid-operation) entries of a write that failed before its handles
/// were examined; DUPLICATE entries stay untouched.
fn consume_dispositions(process: &Process, entries: &[zx_handle_disposition_t]) {
    let closing: Vec<Handle> = entries
        .iter()
        .filter(|entry| entry.operation != ZX_HANDLE_OP_DUPLICATE)
        .filter_map(|entry| process.handles().remove(entry.handle).ok())
        .collect();
    drop(closing);
}

/// Writes `message` through the endpoint `handle` names, under the table lock. The message comes
/// back on failure so it is destroyed by the caller, outside the lock.
fn write_message(
    process: &Process,
    handle: zx_handle_t,
    channel: &Arc<Object>,
    bytes: &[u8],
    handles: Vec<Handle>,
) -> Result<(), Status> {
    let mut handles = Some(handles);
    let outcome = process.handles().with(handle, |h| {
        let handles = handles.take().expect("taken once");
        match h.object().downcast::<Channel>() {
            Some(endpoint) if Arc::ptr_eq(h.object(), channel) => {
                endpoint.write_bytes(process.koid(), bytes, handles)
            }
            _ => Err((Status::BAD_HANDLE, handles)),
        }
    });
    drop(handles);
    finish_write(process, outcome)
}

/// Closes the handles of a failed write (outside every lock) and raises `CHANNEL_FULL_WRITE`.
fn finish_write(
    process: &Process,
    outcome: Result<Result<WriteOutcome, (Status, Vec<Handle>)>, Status>,
) -> Result<(), Status> {
    match outcome {
        Err(status) => Err(status),
        Ok(Err((status, handles))) => {
            drop(handles);
            Err(status)
        }
        Ok(Ok(WriteOutcome::QueueFull)) => {
            process.raise_policy_exception(PolicyException::ChannelFullWrite);
            Ok(())
        }
        Ok(Ok(WriteOutcome::Queued)) => Ok(()),
    }
}

/// A write with no handles to consume: the whole call is one lookup, with the checks in
/// Zircon's order (options, then BAD_HANDLE, WRONG_TYPE, ACCESS_DENIED, then sizes).
fn write_without_handles(
    process: &Process,
    handle: zx_handle_t,
    options: u32,
    bytes: &[u8],
) -> Result<(), Status> {
    if options & !ZX_CHANNEL_WRITE_USE_IOVEC != 0 {
        return Err(Status::INVALID_ARGS);
    }
    if options & ZX_CHANNEL_WRITE_USE_IOVEC != 0 {
        return Err(Status::NOT_SUPPORTED);
    }
    let outcome = process.handles().with(handle, |h| {
        let endpoint = h
            .object()
            .downcast::<Channel>()
            .ok_or((Status::WRONG_TYPE, Vec::new()))?;
        if !h.has_rights(Rights::WRITE) {
            return Err((Status::ACCESS_DENIED, Vec::new()));
        }
        if bytes.len() > CHANNEL_MAX_MSG_BYTES {
            return Err((Status::OUT_OF_RANGE, Vec::new()));
        }
        endpoint.write_bytes(process.koid(), bytes, Vec::new())
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
        let channel = prologue(
            process,
            handle,
            options,
            Rights::WRITE,
            bytes.len(),
            handles.len(),
        );
        let (taken, handles_ok) = take_handles(process, channel.as_ref().ok(), handles);
        let channel = match channel.and_then(|channel| handles_ok.map(|()| channel)) {
            Ok(channel) => channel,
            Err(status) => {
                drop(taken);
                return Err(status);
            }
        };
        write_message(process, handle, &channel, bytes, taken)
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
        let channel = match prologue(
            process,
            handle,
            options,
            Rights::WRITE,
            bytes.len(),
            handles.len(),
        ) {
            Ok(channel) => channel,
            Err(status) => {
                consume_dispositions(process, handles);
                return Err(status);
            }
        };
        let (taken, results) = take_dispositions(process, Some(&channel), handles);
        if let Some(&first) = results.iter().find(|status| **status != Status::OK) {
            drop(taken);
            write_back_failures(handles, &results);
            return Err(first);
        }
        write_message(process, handle, &channel, bytes, taken)
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
        let Some(endpoint) = h.object().downcast::<Channel>() else {
            return Err(ReadError {
                status: Status::WRONG_TYPE,
                required: (0, 0),
                discarded: None,
            });
        };
        if !h.has_rights(Rights::READ) {
            return Err(ReadError {
                status: Status::ACCESS_DENIED,
                required: (0, 0),
                discarded: None,
            });
        }
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
    handles
        .into_iter()
        .map(|handle| {
            handle.object().handle_received(handle.id());
            if let Some(endpoint) = handle.object().downcast::<Channel>() {
                // Zircon's `CancelMessageWaiters`: calls waiting on a received endpoint end.
                endpoint.cancel_message_waiters();
            }
            let (kind, rights) = (
                handle.object().obj_type().into_raw(),
                handle.rights().bits(),
            );
            (process.add_handle(handle), kind, rights)
        })
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

/// Writes the request and waits for the reply; shared by call and call_etc. `taken` holds the
/// request's handles (already consumed from the table).
fn call(
    process: &Process,
    handle: zx_handle_t,
    channel: &Arc<Object>,
    deadline: zx_time_t,
    message: Message,
    rd_limits: (usize, usize),
) -> (Result<Message, Status>, Option<(u32, u32)>) {
    let mut message = Some(message);
    let started = process.handles().with(handle, |h| {
        let message = message.take().expect("taken once");
        match h.object().downcast::<Channel>() {
            Some(endpoint) if Arc::ptr_eq(h.object(), channel) => {
                endpoint.call_start(process.koid(), message)
            }
            _ => Err((Status::BAD_HANDLE, message)),
        }
    });
    drop(message);
    let pending = match started {
        Err(status) => return (Err(status), None),
        Ok(Err((status, message))) => {
            drop(message);
            return (Err(status), None);
        }
        Ok(Ok(pending)) => pending,
    };
    if pending.write == WriteOutcome::QueueFull {
        process.raise_policy_exception(PolicyException::ChannelFullWrite);
    }
    let reply = match pending.finish(channel, deadline) {
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

/// The checks a call makes before its handles are looked at: those of a write (with READ and
/// WRITE on the channel), then a request shorter than a txid (`INVALID_ARGS`) — Zircon checks
/// the size once the message packet is built, before `msg_put_handles`.
fn call_prologue(
    process: &Process,
    handle: zx_handle_t,
    options: u32,
    num_bytes: usize,
    num_handles: usize,
) -> Result<Arc<Object>, Status> {
    let channel = prologue(
        process,
        handle,
        options,
        Rights::READ | Rights::WRITE,
        num_bytes,
        num_handles,
    )?;
    if num_bytes < 4 {
        return Err(Status::INVALID_ARGS);
    }
    Ok(channel)
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
        let channel = call_prologue(
            process,
            handle,
            options,
            args.wr_bytes.len(),
            args.wr_handles.len(),
        );
        let (taken, handles_ok) = take_handles(process, channel.as_ref().ok(), args.wr_handles);
        let channel = match channel.and_then(|channel| handles_ok.map(|()| channel)) {
            Ok(channel) => channel,
            Err(status) => {
                drop(taken);
                return Err(status);
            }
        };
        let message = Message::new(args.wr_bytes.to_vec(), taken);
        let limits = (args.rd_bytes.len(), args.rd_handles.len());
        let reply = with_actuals(
            call(process, handle, &channel, deadline, message, limits),
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
        let channel = match call_prologue(
            process,
            handle,
            options,
            args.wr_bytes.len(),
            args.wr_handles.len(),
        ) {
            Ok(channel) => channel,
            Err(status) => {
                consume_dispositions(process, args.wr_handles);
                return Err(status);
            }
        };
        let (taken, results) = take_dispositions(process, Some(&channel), args.wr_handles);
        if let Some(&first) = results.iter().find(|status| **status != Status::OK) {
            drop(taken);
            write_back_failures(args.wr_handles, &results);
            return Err(first);
        }
        let message = Message::new(args.wr_bytes.to_vec(), taken);
        let limits = (args.rd_bytes.len(), args.rd_handles.len());
        let reply = with_actuals(
            call(process, handle, &channel, deadline, message, limits),
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
