//! The executor layer: executors, tasks, `OnSignals`, `Timer` and the async wrappers, each test
//! in a fresh kernel (virtual clock unless it needs real time), under both profiles.
#![allow(clippy::disallowed_types, clippy::disallowed_methods)]

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use std::sync::Arc;
use std::task::Poll;

use futures::io::{AsyncReadExt, AsyncWriteExt};
use zxsim_async::{
    async_, EHandle, LocalExecutor, OnSignals, SendExecutor, Task, TestExecutor, Timer,
};
use zxsim_syscalls::kernel::{Config, Kernel, Profile};
use zxsim_syscalls::sys::*;
use zxsim_syscalls::zx::{self, AsHandleRef, HandleBased};

fn both(virtual_clock: bool, body: impl Fn(Profile)) {
    for profile in Profile::ALL {
        let mut config = Config::default().with_profile(profile);
        if virtual_clock {
            config = config.with_virtual_clock();
        }
        let kernel = Kernel::new(config);
        let process = kernel.create_process();
        {
            let _bound = process.bind();
            body(profile);
        }
        assert_eq!(
            (kernel.live_objects(), kernel.live_handles()),
            (0, 0),
            "{profile}: leaked"
        );
    }
}

#[test]
fn on_signals_checks_current_signals_first() {
    both(true, |_| {
        let mut executor = TestExecutor::new();
        let event = zx::Event::create();
        event
            .signal_handle(zx::Signals::NONE, zx::Signals::USER_1)
            .unwrap();
        let mut future = Box::pin(OnSignals::new(&event, zx::Signals::USER_1));
        assert_eq!(
            executor.run_until_stalled(&mut future),
            Poll::Ready(Ok(zx::Signals::USER_1))
        );
        assert_eq!(future.key(), 0, "no wait was registered");
    });
}

#[test]
fn on_signals_waits_and_drop_cancels_by_key() {
    both(true, |_| {
        let mut executor = TestExecutor::new();
        let event = zx::Event::create();
        let mut future = Box::pin(OnSignals::new(&event, zx::Signals::USER_0));
        assert_eq!(executor.run_until_stalled(&mut future), Poll::Pending);
        let key = future.key();
        assert_ne!(key, 0);
        event
            .signal_handle(zx::Signals::NONE, zx::Signals::USER_0)
            .unwrap();
        assert_eq!(
            executor.run_until_stalled(&mut future),
            Poll::Ready(Ok(zx::Signals::USER_0))
        );
        // A second one, dropped while pending: its wait is gone from the port.
        let port = executor.ehandle().dispatcher().port_handle();
        event
            .signal_handle(zx::Signals::USER_0, zx::Signals::NONE)
            .unwrap();
        let mut future = Box::pin(OnSignals::new(&event, zx::Signals::USER_0));
        assert_eq!(executor.run_until_stalled(&mut future), Poll::Pending);
        let key = future.key();
        drop(future);
        assert_eq!(zx_port_cancel_key(port, 0, key), ZX_ERR_NOT_FOUND);
        event
            .signal_handle(zx::Signals::NONE, zx::Signals::USER_0)
            .unwrap();
        let mut idle = Box::pin(std::future::pending::<()>());
        assert_eq!(executor.run_until_stalled(&mut idle), Poll::Pending);
    });
}

/// The packet of a dropped `OnSignals` was already queued: cancel removes it, and a packet
/// that slipped through anyway (queued by hand here) finds no key and is dropped.
#[test]
fn on_signals_dropped_after_its_packet_was_queued() {
    both(true, |_| {
        let mut executor = TestExecutor::new();
        let event = zx::Event::create();
        let mut future = Box::pin(OnSignals::new(&event, zx::Signals::USER_0));
        assert_eq!(executor.run_until_stalled(&mut future), Poll::Pending);
        let key = future.key();
        event
            .signal_handle(zx::Signals::NONE, zx::Signals::USER_0)
            .unwrap();
        drop(future);
        let port = executor.ehandle().dispatcher().port_handle();
        let stray = zx_port_packet_t {
            key,
            ..Default::default()
        };
        assert_eq!(zx_port_queue(port, &stray), ZX_OK);
        let mut idle = Box::pin(std::future::pending::<()>());
        assert_eq!(executor.run_until_stalled(&mut idle), Poll::Pending);
    });
}

#[test]
fn timers_run_on_the_virtual_clock() {
    both(true, |_| {
        let mut executor = TestExecutor::new();
        let start = TestExecutor::now();
        let mut future = Box::pin(async {
            Timer::new(zx::MonotonicInstant::from_nanos(5_000)).await;
            Timer::after(zx::MonotonicDuration::from_seconds(3600)).await;
            TestExecutor::now()
        });
        assert_eq!(executor.run_until_stalled(&mut future), Poll::Pending);
        assert_eq!(TestExecutor::now(), start, "time does not move by itself");
        assert_eq!(
            executor.wake_next_timer(),
            Some(zx::MonotonicInstant::from_nanos(5_000))
        );
        assert_eq!(executor.run_until_stalled(&mut future), Poll::Pending);
        assert!(executor.wake_next_timer().is_some());
        let done = executor.run_until_stalled(&mut future);
        assert_eq!(
            done,
            Poll::Ready(zx::MonotonicInstant::from_nanos(5_000 + 3_600_000_000_000))
        );
        assert_eq!(executor.wake_next_timer(), None);
    });
}

#[test]
fn dropping_a_task_cancels_it_and_detach_lets_it_run() {
    both(true, |_| {
        let mut executor = TestExecutor::new();
        let dropped = Arc::new(AtomicBool::new(false));
        let finished = Arc::new(AtomicUsize::new(0));
        struct Flag(Arc<AtomicBool>);
        impl Drop for Flag {
            fn drop(&mut self) {
                self.0.store(true, SeqCst);
            }
        }
        let (flag, count) = (Flag(dropped.clone()), finished.clone());
        let mut main = Box::pin(async move {
            let task = Task::spawn(async move {
                let _flag = flag;
                std::future::pending::<()>().await;
            });
            Task::spawn(async move {
                count.fetch_add(1, SeqCst);
            })
            .detach();
            let value = Task::local(async { 7 }).await;
            drop(task);
            value
        });
        assert_eq!(executor.run_until_stalled(&mut main), Poll::Ready(7));
        let mut idle = Box::pin(std::future::pending::<()>());
        assert_eq!(executor.run_until_stalled(&mut idle), Poll::Pending);
        assert!(
            dropped.load(SeqCst),
            "the cancelled task's future was dropped"
        );
        assert_eq!(finished.load(SeqCst), 1);
    });
}

#[test]
fn local_executor_channel_round_trip() {
    both(false, |_| {
        let mut executor = LocalExecutor::new();
        let (a, b) = zx::Channel::create();
        let (a, b) = (
            async_::Channel::from_channel(a),
            async_::Channel::from_channel(b),
        );
        let echoed = executor.run_singlethreaded(async move {
            let server = Task::local(async move {
                let mut buf = zx::MessageBuf::new();
                while b.recv_msg(&mut buf).await.is_ok() {
                    let reply: Vec<u8> = buf.bytes().iter().map(|x| x + 1).collect();
                    b.write(&reply, &mut []).unwrap();
                }
            });
            let mut buf = zx::MessageBuf::new();
            let mut got = Vec::new();
            for round in 0..3u8 {
                a.write(&[round], &mut []).unwrap();
                a.recv_msg(&mut buf).await.unwrap();
                got.push(buf.bytes()[0]);
            }
            drop(a);
            server.await;
            got
        });
        assert_eq!(echoed, [1, 2, 3]);
    });
}

#[test]
fn send_executor_ping_pong_on_two_threads() {
    both(false, |_| {
        let mut executor = SendExecutor::new(2);
        let (a, b) = zx::Channel::create();
        let total = executor.run(async move {
            let (a, b) = (
                async_::Channel::from_channel(a),
                async_::Channel::from_channel(b),
            );
            let pong = Task::spawn(async move {
                let mut buf = zx::MessageBuf::new();
                let mut n = 0u32;
                while b.recv_msg(&mut buf).await.is_ok() {
                    b.write(buf.bytes(), &mut []).unwrap();
                    n += 1;
                }
                n
            });
            let mut buf = zx::MessageBuf::new();
            for round in 0..200u32 {
                a.write(&round.to_le_bytes(), &mut []).unwrap();
                a.recv_msg(&mut buf).await.unwrap();
                assert_eq!(buf.bytes(), round.to_le_bytes());
            }
            drop(a);
            pong.await
        });
        assert_eq!(total, 200);
    });
}

#[test]
fn socket_async_read_write_and_fifo() {
    both(true, |_| {
        let mut executor = TestExecutor::new();
        let (a, b) = zx::Socket::create_stream();
        let (fa, fb) = zx::Fifo::<[u8; 8]>::create(4).unwrap();
        let result = executor.run_singlethreaded(async move {
            let mut a = async_::Socket::from_socket(a);
            let mut b = async_::Socket::from_socket(b);
            let reader = Task::local(async move {
                let mut all = Vec::new();
                b.read_to_end(&mut all).await.unwrap();
                all
            });
            let payload: Vec<u8> = (0..100_000u32).map(|x| x as u8).collect();
            a.write_all(&payload).await.unwrap();
            a.close().await.unwrap();
            let all = reader.await;
            assert_eq!(all, payload);

            let (fa, fb) = (
                async_::Fifo::from_fifo(fa.downcast(), 8),
                async_::Fifo::from_fifo(fb.downcast(), 8),
            );
            let consumer = Task::local(async move {
                let mut sum = 0u64;
                let mut buf = [0u8; 16];
                while let Ok(n) = fb.read_entries(&mut buf).await {
                    for entry in buf[..n * 8].chunks(8) {
                        sum += u64::from_le_bytes(entry.try_into().unwrap());
                    }
                }
                sum
            });
            for value in 1..=20u64 {
                fa.write_entries(&value.to_le_bytes()).await.unwrap();
            }
            drop(fa);
            consumer.await
        });
        assert_eq!(result, 210);
    });
}

#[test]
fn ehandle_local_names_the_running_executor() {
    both(true, |_| {
        assert!(EHandle::try_local().is_none());
        let mut executor = TestExecutor::new();
        let port = executor.ehandle().dispatcher().port_handle();
        let mut main = Box::pin(async { EHandle::local().dispatcher().port_handle() });
        assert_eq!(executor.run_until_stalled(&mut main), Poll::Ready(port));
        assert_ne!(port, ZX_HANDLE_INVALID);
    });
}

#[test]
fn shutdown_drops_pending_tasks_and_fails_their_waits_with_canceled() {
    both(true, |_| {
        let event = zx::Event::create();
        let dup = event.duplicate_handle(zx::Rights::SAME_RIGHTS).unwrap();
        let outcome = Arc::new(std::sync::Mutex::new(None));
        {
            let mut executor = TestExecutor::new();
            let record = outcome.clone();
            let mut main = Box::pin(async move {
                Task::spawn(async move {
                    let result = OnSignals::new(&dup, zx::Signals::USER_0).await;
                    *record.lock().unwrap() = Some(result);
                })
                .detach();
            });
            assert_eq!(executor.run_until_stalled(&mut main), Poll::Ready(()));
        }
        // Teardown called the wait's handler with CANCELED, then dropped the task.
        assert_eq!(*outcome.lock().unwrap(), None);
        let _ = event.raw_handle();
    });
}

/// More tasks ready at once than a port holds user packets (4096): the wake-ups that do not
/// fit wait in the loop's deferred queue; none is lost.
#[test]
fn more_ready_tasks_than_the_port_holds() {
    both(true, |_| {
        let mut executor = TestExecutor::new();
        let count = Arc::new(AtomicUsize::new(0));
        let counter = count.clone();
        let mut main = Box::pin(async move {
            let tasks: Vec<Task<()>> = (0..5_000)
                .map(|_| {
                    let counter = counter.clone();
                    Task::spawn(async move {
                        counter.fetch_add(1, SeqCst);
                    })
                })
                .collect();
            for task in tasks {
                task.await;
            }
        });
        assert_eq!(executor.run_until_stalled(&mut main), Poll::Ready(()));
        assert_eq!(count.load(SeqCst), 5_000);
    });
}

/// A panicking task is dropped; the executor and the other tasks carry on, and awaiting the
/// panicked task's handle panics instead of hanging.
#[test]
fn a_panicking_task_does_not_stop_the_executor() {
    both(true, |_| {
        let mut executor = TestExecutor::new();
        let mut main = Box::pin(async {
            let doomed = Task::spawn(async { panic!("deliberate") });
            let fine = Task::spawn(async { 5 });
            let value = fine.await;
            let awaited =
                futures::FutureExt::catch_unwind(std::panic::AssertUnwindSafe(doomed)).await;
            (value, awaited.is_err())
        });
        assert_eq!(
            executor.run_until_stalled(&mut main),
            Poll::Ready((5, true))
        );
    });
}

#[test]
#[should_panic(expected = "the main future panicked")]
fn send_executor_reports_a_panicking_main_future() {
    let kernel = Kernel::new(Config::default());
    let process = kernel.create_process();
    let _bound = process.bind();
    let mut executor = SendExecutor::new(1);
    executor.run(async { panic!("deliberate") });
}

/// `recv_msg` takes small messages through stack buffers and larger ones (bytes or handles)
/// through buffers of their exact size; every byte and handle arrives.
#[test]
fn recv_msg_small_and_large_messages() {
    both(true, |_| {
        let mut executor = TestExecutor::new();
        let (a, b) = zx::Channel::create();
        let b = async_::Channel::from_channel(b);
        let sizes = [(0usize, 0usize), (8, 1), (512, 4), (513, 0), (40_000, 6)];
        for &(n_bytes, n_handles) in &sizes {
            let bytes: Vec<u8> = (0..n_bytes).map(|i| i as u8).collect();
            let mut handles: Vec<zx::Handle> = (0..n_handles)
                .map(|_| zx::Event::create().into_handle())
                .collect();
            a.write(&bytes, &mut handles).unwrap();
        }
        let mut main = Box::pin(async {
            let mut got = Vec::new();
            let mut buf = zx::MessageBuf::new();
            for _ in 0..sizes.len() {
                b.recv_msg(&mut buf).await.unwrap();
                assert!(buf.bytes().iter().enumerate().all(|(i, &x)| x == i as u8));
                for index in 0..buf.n_handles() {
                    let handle = buf.take_handle(index).unwrap();
                    assert!(handle.basic_info().is_ok(), "a live handle");
                }
                got.push((buf.bytes().len(), buf.n_handles()));
            }
            got
        });
        assert_eq!(
            executor.run_until_stalled(&mut main),
            Poll::Ready(sizes.to_vec())
        );
    });
}

/// Wakers are called from any thread — here one bound to another process and one bound to
/// none: the loop binds its own process for the wake-up (a handle value means the port only in
/// the loop's process), so the woken future and task still run at once.
#[test]
fn wakers_called_from_foreign_threads() {
    use std::sync::Mutex;
    use std::task::Waker;

    #[derive(Default)]
    struct Flag {
        set: bool,
        waker: Option<Waker>,
    }
    fn wait_for(flag: Arc<Mutex<Flag>>) -> impl std::future::Future<Output = ()> {
        std::future::poll_fn(move |cx| {
            let mut flag = flag.lock().unwrap();
            if flag.set {
                Poll::Ready(())
            } else {
                flag.waker = Some(cx.waker().clone());
                Poll::Pending
            }
        })
    }
    fn set_later(flag: Arc<Mutex<Flag>>, other: Option<Arc<zxsim_syscalls::kernel::Process>>) {
        std::thread::spawn(move || {
            let _bound = other.as_ref().map(|process| process.bind());
            std::thread::sleep(std::time::Duration::from_millis(5));
            let waker = {
                let mut flag = flag.lock().unwrap();
                flag.set = true;
                flag.waker.take()
            };
            if let Some(waker) = waker {
                waker.wake();
            }
        });
    }
    both(false, |profile| {
        let other_kernel = Kernel::new(Config::default().with_profile(profile));
        let other = other_kernel.create_process();
        let _spare_port = {
            let _bound = other.bind();
            zx::Port::create() // so the loop's handle value might name something there
        };
        /// Fails instead of hanging if the wake-up is lost.
        async fn within(future: impl std::future::Future<Output = ()>) {
            let deadline = Timer::after(zx::MonotonicDuration::from_seconds(10));
            // The deadline first: once it fired, it wins even if the future is ready too.
            match futures::future::select(Box::pin(deadline), Box::pin(future)).await {
                futures::future::Either::Left(_) => panic!("the wake-up was lost"),
                futures::future::Either::Right(_) => {}
            }
        }
        let mut executor = LocalExecutor::new();
        executor.run_singlethreaded(async {
            let (main_flag, task_flag) = (Arc::default(), Arc::default());
            set_later(Arc::clone(&main_flag), Some(other.clone()));
            within(wait_for(main_flag)).await;
            let task = Task::spawn(wait_for(Arc::clone(&task_flag)));
            set_later(task_flag, None);
            within(task).await;
        });
        let _bound = other.bind();
        drop(_spare_port);
    });
}
