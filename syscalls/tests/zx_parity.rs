//! Checks that the signatures the typed layer shares with Fuchsia's `zx` crate behave as that
//! crate documents them: consumed handles left invalid in place, waits that keep the observed
//! signals, buffers that grow on demand, typed fifos, vectored writes. Each test runs on a
//! private kernel with a virtual clock and ends with nothing left alive.

use std::mem::MaybeUninit;

use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout};
use zxsim_kernel::{Config, Kernel};
use zxsim_syscalls::sys;
use zxsim_syscalls::zx::{
    AsHandleRef, BootDuration, BootInstant, BootTicks, BootTimer, Channel, ChannelIoSlice,
    ChannelReadResult, Event, EventPair, Fifo, Handle, HandleBased, HandleDisposition, HandleInfo,
    HandleOp, MessageBuf, MessageBufEtc, MonotonicDuration, MonotonicInstant, MonotonicTicks,
    ObjectType, Peered, Port, Rights, Signals, Socket, SocketReadOpts, Status, Unowned, WaitResult,
};

fn run(body: impl FnOnce(&Kernel)) {
    let kernel = Kernel::new(Config::default().with_virtual_clock());
    let process = kernel.create_process();
    {
        let _bound = process.bind();
        body(&kernel);
    }
    assert_eq!(
        (kernel.live_objects(), kernel.live_handles()),
        (0, 0),
        "leaked objects or handles"
    );
}

const POLL: MonotonicInstant = MonotonicInstant::INFINITE_PAST;

// ---- waits -------------------------------------------------------------------------------

#[test]
fn a_timed_out_wait_keeps_the_observed_signals() {
    run(|_| {
        let event = Event::create();
        event.signal_handle(Signals::NONE, Signals::USER_1).unwrap();
        let result = event.wait_handle(Signals::USER_0, POLL);
        assert_eq!(result, WaitResult::TimedOut(Signals::USER_1));
        assert_eq!(result.signals(), Some(Signals::USER_1));
        assert_eq!(result.to_result(), Err(Status::TIMED_OUT));
        assert_eq!(result.status(), Status::TIMED_OUT);
        assert!(result.is_err() && !result.is_ok());
        // The older shape still compares.
        assert_eq!(result, Err(Status::TIMED_OUT));

        event.signal_handle(Signals::NONE, Signals::USER_0).unwrap();
        let result = event.wait_handle(Signals::USER_0, POLL);
        assert_eq!(result, WaitResult::Ok(Signals::USER_0 | Signals::USER_1));
        assert_eq!(result.unwrap(), Signals::USER_0 | Signals::USER_1);
        assert_eq!(result, Ok(Signals::USER_0 | Signals::USER_1));
    });
}

#[test]
fn a_wait_on_a_bad_handle_is_an_error_without_signals() {
    run(|_| {
        let event = Event::create();
        let weak = event
            .duplicate_handle(Rights::BASIC.difference(Rights::WAIT))
            .unwrap();
        let result = weak.wait_handle(Signals::USER_0, POLL);
        assert_eq!(result, WaitResult::Err(Status::ACCESS_DENIED));
        assert_eq!(result.signals(), None);
        assert_eq!(result.err(), Some(Status::ACCESS_DENIED));
    });
}

#[test]
fn a_wait_ended_by_closing_the_handle_is_canceled_with_its_signals() {
    run(|kernel| {
        let event = Event::create();
        event.signal_handle(Signals::NONE, Signals::USER_2).unwrap();
        // The waiter's handle is the object's only one, so closing it ends the wait under
        // either semantics profile.
        let raw = event.into_raw();
        let process = zxsim_kernel::Process::current();
        let waiter = process.spawn(move || {
            // SAFETY: `raw` stays open until the main thread closes it, after the wait began.
            let borrowed = unsafe { Unowned::<Event>::from_raw_handle(raw) };
            let deadline = MonotonicInstant::after(MonotonicDuration::from_seconds(1));
            borrowed.wait_handle(Signals::USER_0, deadline)
        });
        while kernel.clock().next_deadline().is_none() {
            std::thread::yield_now();
        }
        assert_eq!(sys::zx_handle_close(raw), sys::ZX_OK);
        // As Zircon reports it: the signals then, plus HANDLE_CLOSED.
        assert_eq!(
            waiter.join().unwrap(),
            WaitResult::Canceled(Signals::USER_2 | Signals::HANDLE_CLOSED)
        );
    });
}

// ---- channel writes consume in place ----------------------------------------------------

#[test]
fn write_leaves_consumed_handles_invalid_in_place() {
    run(|_| {
        let (a, b) = Channel::create();
        let mut handles: [Handle; 2] = [Event::create().into(), Port::create().into()];
        a.write(b"two", &mut handles).unwrap();
        assert!(handles.iter().all(Handle::is_invalid));

        // On failure too: the peer is gone, the handles are still consumed.
        drop(b);
        let mut handles = vec![Handle::from(Event::create())];
        assert_eq!(a.write(b"x", &mut handles), Err(Status::PEER_CLOSED));
        assert!(handles[0].is_invalid());
    });
}

#[test]
fn writev_sends_the_joined_bytes_and_checks_iovec_limits() {
    run(|_| {
        let (a, b) = Channel::create();
        let parts: [&[u8]; 4] = [b"zx", b"", b"sim ", b"iovec"];
        let slices: Vec<ChannelIoSlice<'_>> =
            parts.iter().map(|p| ChannelIoSlice::new(p)).collect();
        assert_eq!(&*slices[2], b"sim ");
        let mut handles = [Handle::from(Event::create())];
        a.writev(&slices, &mut handles).unwrap();
        assert!(handles[0].is_invalid());
        let mut buf = MessageBuf::new();
        b.read(&mut buf).unwrap();
        assert_eq!(buf.bytes(), parts.concat());
        assert_eq!(buf.n_handles(), 1);

        let one = [1u8];
        let too_many = vec![ChannelIoSlice::new(&one); sys::ZX_CHANNEL_MAX_MSG_IOVEC as usize + 1];
        let mut handles = [Handle::from(Event::create())];
        assert_eq!(a.writev(&too_many, &mut handles), Err(Status::OUT_OF_RANGE));
        assert!(handles[0].is_invalid(), "consumed on a gather failure too");
        assert_eq!(b.read(&mut buf), Err(Status::SHOULD_WAIT));
    });
}

#[test]
fn write_etc_consumes_moves_keeps_duplicates_and_reports_per_entry() {
    run(|_| {
        let (a, b) = Channel::create();
        let port = Port::create();
        let event = Event::create();
        let no_transfer = event
            .duplicate_handle(Rights::BASIC.difference(Rights::TRANSFER))
            .unwrap();
        let mut dispositions = [
            HandleDisposition::new(
                HandleOp::Duplicate(port.as_handle_ref()),
                ObjectType::PORT,
                Rights::SAME_RIGHTS,
                Status::OK,
            ),
            HandleDisposition::new(
                HandleOp::Move(no_transfer.into()),
                ObjectType::EVENT,
                Rights::SAME_RIGHTS,
                Status::OK,
            ),
        ];
        assert!(dispositions[0].is_duplicate() && dispositions[1].is_move());
        assert_eq!(
            a.write_etc(b"", &mut dispositions),
            Err(Status::ACCESS_DENIED)
        );
        assert_eq!(
            dispositions[0].raw_handle(),
            port.raw_handle(),
            "a duplicate source stays"
        );
        assert_eq!(
            dispositions[1].raw_handle(),
            sys::ZX_HANDLE_INVALID,
            "a move is consumed"
        );
        assert_eq!(dispositions[0].result, Status::OK);
        assert_eq!(dispositions[1].result, Status::ACCESS_DENIED);
        assert!(port.basic_info().is_ok());

        let mut moved = [HandleDisposition::new(
            HandleOp::Move(event.into()),
            ObjectType::EVENT,
            Rights::WAIT | Rights::TRANSFER,
            Status::OK,
        )];
        a.write_etc(b"etc", &mut moved).unwrap();
        let mut buf = MessageBufEtc::new();
        b.read_etc(&mut buf).unwrap();
        assert_eq!(buf.bytes(), b"etc");
        let info = buf.take_handle_info(0).expect("one handle");
        assert_eq!(info.object_type, ObjectType::EVENT);
        assert_eq!(info.rights, Rights::WAIT | Rights::TRANSFER);
        assert!(buf.take_handle_info(0).is_none(), "already taken");
    });
}

#[test]
fn an_unsent_disposition_closes_its_moved_handle_and_into_raw_hands_it_over() {
    run(|kernel| {
        let event = Event::create();
        let koid = event.get_koid().unwrap();
        let entry = HandleDisposition::new(
            HandleOp::Move(event.into()),
            ObjectType::EVENT,
            Rights::SAME_RIGHTS,
            Status::OK,
        );
        let raw = entry.into_raw();
        assert_eq!(raw.operation, sys::ZX_HANDLE_OP_MOVE);
        assert_eq!(raw.type_, sys::ZX_OBJ_TYPE_EVENT);
        // SAFETY: `into_raw` handed over ownership of this handle.
        let back = unsafe {
            HandleInfo::from_raw(sys::zx_handle_info_t {
                handle: raw.handle,
                ty: raw.type_,
                rights: raw.rights,
                unused: 0,
            })
        };
        assert_eq!(back.handle.get_koid().unwrap(), koid);
        drop(back);
        assert_eq!(kernel.live_objects(), 0);

        let dropped = HandleDisposition::new(
            HandleOp::Move(Event::create().into()),
            ObjectType::EVENT,
            Rights::SAME_RIGHTS,
            Status::OK,
        );
        assert_eq!(kernel.live_handles(), 1);
        drop(dropped);
        assert_eq!(
            kernel.live_handles(),
            0,
            "dropping an unsent move closes its handle"
        );
    });
}

// ---- reads --------------------------------------------------------------------------------

#[test]
fn read_uninit_answers_sizes_and_leaves_the_message_queued() {
    run(|_| {
        let (a, b) = Channel::create();
        a.write(b"hello", &mut [Event::create().into()]).unwrap();
        let mut bytes = [MaybeUninit::<u8>::uninit(); 2];
        let mut handles: [MaybeUninit<Handle>; 0] = [];
        assert_eq!(
            b.read_uninit(&mut bytes, &mut handles),
            ChannelReadResult::BufferTooSmall {
                bytes_avail: 5,
                handles_avail: 1
            }
        );
        let mut bytes = [MaybeUninit::<u8>::uninit(); 8];
        let mut handles = [const { MaybeUninit::<Handle>::uninit() }; 1];
        let (read_bytes, read_handles) = b.read_uninit(&mut bytes, &mut handles).unwrap();
        assert_eq!(read_bytes, b"hello");
        assert_eq!(read_handles.len(), 1);
        // The slice's handles are owned by the caller: take them out to close them.
        drop(std::mem::take(&mut read_handles[0]));
        assert_eq!(
            b.read_uninit(&mut bytes, &mut handles),
            ChannelReadResult::Err(Status::SHOULD_WAIT)
        );
    });
}

#[test]
fn reads_into_large_buffers_measure_first_and_keep_the_rules() {
    run(|_| {
        let (a, b) = Channel::create();
        let mut bytes = vec![MaybeUninit::<u8>::uninit(); 20_000];
        let mut no_handles: [MaybeUninit<Handle>; 0] = [];
        // An empty message is read (not left queued) by the measuring read.
        a.write(b"", &mut []).unwrap();
        let (read, handles) = b.read_uninit(&mut bytes, &mut no_handles).unwrap();
        assert!(read.is_empty() && handles.is_empty());
        // Too few handle slots: the message stays queued and the answer has its sizes.
        a.write(&[4; 10_000], &mut [Event::create().into()])
            .unwrap();
        assert_eq!(
            b.read_uninit(&mut bytes, &mut no_handles),
            ChannelReadResult::BufferTooSmall {
                bytes_avail: 10_000,
                handles_avail: 1
            }
        );
        let mut slots = [const { MaybeUninit::<Handle>::uninit() }; 4];
        let (read, handles) = b.read_uninit(&mut bytes, &mut slots).unwrap();
        assert_eq!(read, &[4; 10_000][..]);
        drop(std::mem::take(&mut handles[0]));
        // Too few bytes: the same.
        a.write(&[5; 30_000], &mut []).unwrap();
        assert_eq!(
            b.read_uninit(&mut bytes, &mut no_handles),
            ChannelReadResult::BufferTooSmall {
                bytes_avail: 30_000,
                handles_avail: 0
            }
        );
        let mut buf = MessageBufEtc::new();
        b.read_etc(&mut buf).unwrap();
        assert_eq!(buf.bytes(), &[5; 30_000][..]);
    });
}

#[test]
fn message_bufs_grow_on_demand_and_keep_capacity() {
    run(|_| {
        let (a, b) = Channel::create();
        let big = vec![9u8; 40_000];
        a.write(&big, &mut []).unwrap();
        a.write(b"small", &mut [Event::create().into()]).unwrap();
        let mut buf = MessageBuf::new();
        b.read(&mut buf).unwrap();
        assert_eq!(buf.bytes(), &big[..]);
        let capacity = buf.bytes.capacity();
        b.read(&mut buf).unwrap();
        assert_eq!(buf.bytes(), b"small");
        assert_eq!(
            buf.bytes.capacity(),
            capacity,
            "no reallocation for a smaller message"
        );
        let handle = buf.take_handle(0).expect("one handle");
        assert!(!handle.is_invalid());
        assert_eq!(buf.n_handles(), 1, "taking leaves the slot");
        assert!(buf.take_handle(0).is_none(), "a taken slot answers None");
        assert!(buf.take_handle(7).is_none());
    });
}

// ---- fifo ---------------------------------------------------------------------------------

#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
struct Request {
    id: u32,
    op: u16,
    flags: u16,
    offset: u64,
}

#[test]
fn a_typed_fifo_round_trips_a_repr_c_struct() {
    run(|_| {
        let (client, server) = Fifo::<Request>::create(4).unwrap();
        let requests: Vec<Request> = (0..5)
            .map(|i| Request {
                id: i,
                op: 2,
                flags: 0x8001,
                offset: 512 * u64::from(i),
            })
            .collect();
        assert_eq!(client.write(&requests).unwrap(), 4, "room for 4");
        assert_eq!(client.write_one(&requests[4]), Err(Status::SHOULD_WAIT));
        assert_eq!(server.read_one().unwrap(), requests[0]);
        let mut rest = [MaybeUninit::uninit(); 8];
        assert_eq!(server.read_uninit(&mut rest).unwrap(), &requests[1..4]);
        assert_eq!(server.read_one(), Err(Status::SHOULD_WAIT));

        // Mismatched element sizes are refused; an untyped end casts back.
        assert_eq!(
            Fifo::<u32, u64>::create(4).map(|_| ()),
            Err(Status::INVALID_ARGS)
        );
        let untyped = server.downcast();
        let typed: Fifo<Request> = untyped.cast();
        let wrong: Fifo<u64> = typed.downcast().cast();
        assert_eq!(wrong.read_one(), Err(Status::OUT_OF_RANGE));
        drop(client);
        assert!(wrong.is_closed().unwrap());
    });
}

// ---- socket -------------------------------------------------------------------------------

#[test]
fn socket_half_close_info_and_uninit_reads() {
    run(|_| {
        let (a, b) = Socket::create_stream();
        assert_eq!(a.write(b"abc").unwrap(), 3);
        let info = b.info().unwrap();
        assert_eq!((info.rx_buf_available, info.rx_buf_size), (3, 3));
        assert_eq!(b.outstanding_read_bytes(), Ok(3));
        let mut buf = [MaybeUninit::<u8>::uninit(); 8];
        assert_eq!(
            b.read_uninit_opts(&mut buf, SocketReadOpts::PEEK).unwrap(),
            b"abc"
        );
        assert_eq!(b.read_uninit(&mut buf).unwrap(), b"abc");
        assert_eq!(b.get_rx_threshold(), Ok(0));
        b.set_rx_threshold(&2).unwrap();
        assert_eq!(b.get_rx_threshold(), Ok(2));
        a.set_tx_threshold(&1).unwrap();
        assert_eq!(a.get_tx_threshold(), Ok(1));
        b.half_close().unwrap();
        assert_eq!(a.write(b"no"), Err(Status::BAD_STATE));
        assert_eq!(b.write(b"yes").unwrap(), 3);
    });
}

// ---- time ---------------------------------------------------------------------------------

#[test]
fn ticks_boot_time_and_boot_timers_follow_the_kernel_clock() {
    run(|kernel| {
        let (t0, b0, k0) = (
            MonotonicInstant::get(),
            BootInstant::get(),
            MonotonicTicks::get(),
        );
        kernel.advance_clock(MonotonicDuration::from_millis(3).into_nanos());
        assert_eq!(
            MonotonicInstant::get() - t0,
            MonotonicDuration::from_millis(3)
        );
        assert_eq!((BootInstant::get() - b0).into_nanos(), 3_000_000);
        assert_eq!(
            (MonotonicTicks::get() - k0).into_raw(),
            3 * MonotonicTicks::per_second() / 1000
        );
        assert!(BootTicks::get().into_raw() >= k0.into_raw());
        assert_eq!(
            format!("{:?}", BootInstant::from_nanos(7)),
            "Instant<BootTimeline, NsUnit>(7)"
        );
        assert_eq!(
            format!("{:?}", MonotonicTicks::from_raw(7)),
            "Instant<MonotonicTimeline, TicksUnit>(7)"
        );

        let timer = BootTimer::create();
        let one_ms = BootDuration::from_millis(1);
        timer
            .set(BootInstant::after(one_ms), BootDuration::ZERO)
            .unwrap();
        assert_eq!(
            timer.wait_handle(Signals::TIMER_SIGNALED, POLL),
            WaitResult::TimedOut(Signals::NONE)
        );
        kernel.advance_clock(MonotonicDuration::from_millis(1).into_nanos());
        assert_eq!(
            timer.wait_handle(Signals::TIMER_SIGNALED, MonotonicInstant::INFINITE),
            WaitResult::Ok(Signals::TIMER_SIGNALED)
        );
        let (left, right) = EventPair::create();
        drop(right);
        assert!(left.is_closed().unwrap());
    });
}
