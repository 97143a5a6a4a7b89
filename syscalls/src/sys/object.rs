//! Object syscalls: signals, info, synchronous and asynchronous waits, and the creation of the
//! simplest objects (event, eventpair) (spec §4, §5, §8).

use zxsim_kernel::objects::event::Event;
use zxsim_kernel::objects::eventpair::EventPair;
use zxsim_kernel::objects::port::{self, Port, WaitAsyncOutcome};
use zxsim_kernel::objects::socket::Socket;
use zxsim_kernel::objects::thread::Thread;
use zxsim_kernel::objects::timer::Timer;
use zxsim_kernel::wait::{self, WaitItem, WAIT_MANY_MAX_ITEMS};
use zxsim_kernel::{AnyObject, FaultSite, PolicyException, Rights, Signals, Status};

use super::*;

/// Order: `BAD_HANDLE`, `ACCESS_DENIED` (no SIGNAL), `NOT_SUPPORTED` (not waitable),
/// `INVALID_ARGS` (a bit outside the user-settable set: nothing changes). Inlinable so the C
/// ABI's exported wrapper costs one call, not two.
#[inline]
pub fn zx_object_signal(handle: zx_handle_t, clear_mask: u32, set_mask: u32) -> zx_status_t {
    let status = on_current(|process| {
        process
            .handles()
            .with_object::<AnyObject, _>(handle, Rights::SIGNAL, |_, object| {
                if !object.is_waitable() {
                    return Err(Status::NOT_SUPPORTED);
                }
                let allowed = object.user_signal_mask().bits();
                if (clear_mask | set_mask) & !allowed != 0 {
                    return Err(Status::INVALID_ARGS);
                }
                object.update_signals(
                    Signals::from_bits_retain(clear_mask),
                    Signals::from_bits_retain(set_mask),
                );
                Ok(())
            })?
    });
    traced!("zx_object_signal", status, handle, clear_mask, set_mask)
}

/// Order: `BAD_HANDLE`, `ACCESS_DENIED` (no SIGNAL_PEER), `INVALID_ARGS` (mask),
/// `NOT_SUPPORTED` (no peer), `PEER_CLOSED`.
pub fn zx_object_signal_peer(handle: zx_handle_t, clear_mask: u32, set_mask: u32) -> zx_status_t {
    let status = on_current(|process| {
        let object = process.get_object::<AnyObject>(handle, Rights::SIGNAL_PEER)?;
        if (clear_mask | set_mask) & !object.user_signal_mask().bits() != 0 {
            return Err(Status::INVALID_ARGS);
        }
        object.update_peer_signals(
            Signals::from_bits_retain(clear_mask),
            Signals::from_bits_retain(set_mask),
        )?;
        Ok(())
    });
    traced!(
        "zx_object_signal_peer",
        status,
        handle,
        clear_mask,
        set_mask
    )
}

/// Writes one fixed-size record: `BUFFER_TOO_SMALL` (actual 0, avail 1) if it does not fit.
fn single_record<T: InfoRecord>(
    mut record: T,
    buffer: &mut [u8],
    actual: Option<&mut usize>,
    avail: Option<&mut usize>,
) -> Result<(), Status> {
    let size = std::mem::size_of::<T>();
    let fits = buffer.len() >= size;
    if let Some(actual) = actual {
        *actual = usize::from(fits);
    }
    if let Some(avail) = avail {
        *avail = 1;
    }
    if !fits {
        return Err(Status::BUFFER_TOO_SMALL);
    }
    buffer[..size].copy_from_slice(record.as_bytes_mut());
    Ok(())
}

/// Topics: `ZX_INFO_HANDLE_VALID`, `ZX_INFO_HANDLE_BASIC`, `ZX_INFO_HANDLE_COUNT`,
/// `ZX_INFO_SOCKET`, `ZX_INFO_TIMER`, `ZX_INFO_THREAD` (INSPECT and the right type). An unknown
/// topic answers `NOT_SUPPORTED` without looking at the handle.
pub fn zx_object_get_info(
    handle: zx_handle_t,
    topic: zx_object_info_topic_t,
    buffer: &mut [u8],
    actual: Option<&mut usize>,
    avail: Option<&mut usize>,
) -> zx_status_t {
    let status = on_current(|process| match topic {
        ZX_INFO_HANDLE_VALID => process.handles().with(handle, |_| ()),
        ZX_INFO_HANDLE_BASIC => {
            let record = process.handles().with(handle, |h| zx_info_handle_basic_t {
                koid: h.object().koid(),
                rights: h.rights().bits(),
                type_: h.object().obj_type().into_raw(),
                related_koid: h.object().peer_koid(),
                reserved: 0,
                padding1: [0; 4],
            })?;
            single_record(record, buffer, actual, avail)
        }
        ZX_INFO_HANDLE_COUNT => {
            let object = process.get_object::<AnyObject>(handle, Rights::INSPECT)?;
            single_record(
                zx_info_handle_count_t {
                    handle_count: object.handle_count(),
                },
                buffer,
                actual,
                avail,
            )
        }
        ZX_INFO_SOCKET => {
            let object = process.get_object::<Socket>(handle, Rights::INSPECT)?;
            let info = object.info();
            let record = zx_info_socket_t {
                options: info.options,
                padding1: [0; 4],
                rx_buf_max: info.rx_buf_max,
                rx_buf_size: info.rx_buf_size,
                rx_buf_available: info.rx_buf_available,
                tx_buf_max: info.tx_buf_max,
                tx_buf_size: info.tx_buf_size,
            };
            single_record(record, buffer, actual, avail)
        }
        ZX_INFO_TIMER => {
            let object = process.get_object::<Timer>(handle, Rights::INSPECT)?;
            let info = object.info();
            let record = zx_info_timer_t {
                options: info.options,
                clock_id: info.clock_id,
                deadline: info.deadline,
                slack: info.slack,
            };
            single_record(record, buffer, actual, avail)
        }
        ZX_INFO_THREAD => {
            let object = process.get_object::<Thread>(handle, Rights::INSPECT)?;
            let thread = object;
            let record = zx_info_thread_t {
                state: thread.state(),
                wait_exception_channel_type: ZX_EXCEPTION_CHANNEL_TYPE_NONE,
                cpu_affinity_mask: all_cpus(),
            };
            single_record(record, buffer, actual, avail)
        }
        _ => Err(Status::NOT_SUPPORTED),
    });
    traced!("zx_object_get_info", status, handle, topic)
}

/// A thread may run on every CPU the host offers (zxsim sets no affinity).
fn all_cpus() -> zx_cpu_set_t {
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut set = zx_cpu_set_t::default();
    for cpu in 0..cpus.min(ZX_CPU_SET_MAX_CPUS) {
        set.mask[cpu / ZX_CPU_SET_BITS_PER_WORD] |= 1 << (cpu % ZX_CPU_SET_BITS_PER_WORD);
    }
    set
}

/// Order: `BAD_HANDLE`, `ACCESS_DENIED` (no WAIT), `NOT_SUPPORTED`; then `OK` (a requested bit
/// is active), `TIMED_OUT` (deadline; a past deadline polls) or `CANCELED` (this handle was
/// closed meanwhile; `observed` then has `ZX_SIGNAL_HANDLE_CLOSED`).
pub fn zx_object_wait_one(
    handle: zx_handle_t,
    signals: zx_signals_t,
    deadline: zx_time_t,
    observed: Option<&mut zx_signals_t>,
) -> zx_status_t {
    super::entered();
    let status = zxsim_kernel::Process::with_current(|process| {
        let (status, seen) = wait::wait_one(
            process,
            handle,
            Signals::from_bits_retain(signals),
            deadline,
        );
        if matches!(status, Status::OK | Status::TIMED_OUT | Status::CANCELED) {
            if let Some(observed) = observed {
                *observed = seen.bits();
            }
        }
        status.into_raw()
    });
    traced!("zx_object_wait_one", status, handle, signals, deadline)
}

/// No items: sleeps to the deadline then `TIMED_OUT`. More than 64: `OUT_OF_RANGE`. The first
/// bad item answers `BAD_HANDLE`/`ACCESS_DENIED`/`NOT_SUPPORTED`. On `OK`, `TIMED_OUT` and
/// `CANCELED` every item's `pending` is filled.
pub fn zx_object_wait_many(items: &mut [zx_wait_item_t], deadline: zx_time_t) -> zx_status_t {
    let status = on_current(|process| {
        if items.is_empty() {
            wait::sleep_until(process.kernel(), deadline);
            return Err(Status::TIMED_OUT);
        }
        if items.len() > WAIT_MANY_MAX_ITEMS {
            return Err(Status::OUT_OF_RANGE);
        }
        let mut kernel_items: Vec<WaitItem> = items
            .iter()
            .map(|item| WaitItem {
                handle: item.handle,
                waitfor: Signals::from_bits_retain(item.waitfor),
                pending: Signals::NONE,
            })
            .collect();
        let result = wait::wait_many(process, &mut kernel_items, deadline);
        if matches!(result, Ok(()) | Err(Status::TIMED_OUT | Status::CANCELED)) {
            for (item, done) in items.iter_mut().zip(&kernel_items) {
                item.pending = done.pending.bits();
            }
        }
        result
    });
    traced!("zx_object_wait_many", status, count = items.len(), deadline)
}

const WAIT_ASYNC_OPTIONS: u32 =
    port::WAIT_ASYNC_TIMESTAMP | port::WAIT_ASYNC_EDGE | port::WAIT_ASYNC_BOOT_TIMESTAMP;

/// Order: options (`INVALID_ARGS`, incl. both timestamps), the port (`BAD_HANDLE`, `WRONG_TYPE`,
/// `ACCESS_DENIED` without WRITE), then the object (`BAD_HANDLE`, `ACCESS_DENIED` without WAIT,
/// `NOT_SUPPORTED`). Level mode queues the packet during the call if a bit is already active.
pub fn zx_object_wait_async(
    handle: zx_handle_t,
    port: zx_handle_t,
    key: u64,
    signals: zx_signals_t,
    options: u32,
) -> zx_status_t {
    let status = on_current(|process| {
        if options & !WAIT_ASYNC_OPTIONS != 0 {
            return Err(Status::INVALID_ARGS);
        }
        if options & port::WAIT_ASYNC_TIMESTAMP != 0
            && options & port::WAIT_ASYNC_BOOT_TIMESTAMP != 0
        {
            return Err(Status::INVALID_ARGS);
        }
        // Both handles are resolved under one acquisition of the handle-table reader lock, and
        // the wait is registered under it: a racing close of `handle` is ordered with it.
        let table = process.handles().read();
        let (_, port) = table.object::<Port>(port, Rights::WRITE)?;
        let (h, object) = table.object::<AnyObject>(handle, Rights::WAIT)?;
        if !object.is_waitable() {
            return Err(Status::NOT_SUPPORTED);
        }
        process.kernel().faults().check(FaultSite::Observer)?;
        let outcome = port::wait_async(
            h.object(),
            h.id(),
            port,
            key,
            Signals::from_bits_retain(signals),
            options,
        );
        drop(table);
        if let WaitAsyncOutcome::Pending(count) = outcome {
            if count
                > process
                    .kernel()
                    .faults()
                    .observer_limit(port::MAX_OBSERVERS)
            {
                process.raise_policy_exception(PolicyException::PortTooManyObservers);
            }
        }
        Ok(())
    });
    traced!(
        "zx_object_wait_async",
        status,
        handle,
        port,
        key,
        signals,
        options
    )
}

/// `options` must be 0 (`INVALID_ARGS`). Rights 0xD003.
pub fn zx_event_create(options: u32, out: &mut zx_handle_t) -> zx_status_t {
    let status = on_current(|process| {
        if options != 0 {
            return Err(Status::INVALID_ARGS);
        }
        *out = process.create_object(Event::new())?;
        Ok(())
    });
    traced!("zx_event_create", status, options)
}

/// `options` must be 0 — answering `NOT_SUPPORTED`, unlike event and channel. Rights 0xF003.
pub fn zx_eventpair_create(
    options: u32,
    out0: &mut zx_handle_t,
    out1: &mut zx_handle_t,
) -> zx_status_t {
    let status = on_current(|process| {
        if options != 0 {
            return Err(Status::NOT_SUPPORTED);
        }
        (*out0, *out1) = process.create_pair(EventPair::pair)?;
        Ok(())
    });
    traced!("zx_eventpair_create", status, options)
}
