//! Property test against a reference model: posted tasks with arbitrary deadlines, cancels and
//! clock advances run exactly in the model's order — (deadline, post order) — each exactly once,
//! never after a cancel that answered OK, and the rest get CANCELED at shutdown.
#![allow(clippy::disallowed_types, clippy::disallowed_methods)]

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use proptest::prelude::*;
use zxsim_async::{Loop, LoopConfig, PostedTask};
use zxsim_syscalls::kernel::{Config, Kernel, Profile};
use zxsim_syscalls::zx::{self, Status};

#[derive(Clone, Debug)]
enum Op {
    /// Post a task due `at` ns after time 0.
    Post { at: i64 },
    /// Cancel the n-th posted task (modulo the count).
    Cancel { nth: usize },
    /// Advance the clock and run until idle.
    Advance { by: i64 },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0i64..1_000).prop_map(|at| Op::Post { at }),
        2 => (0usize..64).prop_map(|nth| Op::Cancel { nth }),
        2 => (0i64..300).prop_map(|by| Op::Advance { by }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn tasks_follow_the_reference_model(ops in proptest::collection::vec(op(), 1..60)) {
        let kernel = Kernel::new(
            Config::default().with_profile(Profile::Rfc0240).with_virtual_clock(),
        );
        let process = kernel.create_process();
        let _bound = process.bind();
        let event_loop = Loop::new(LoopConfig::default()).unwrap();
        let ran: Arc<Mutex<Vec<(usize, Status)>>> = Arc::default();
        let mut posted: Vec<PostedTask> = Vec::new();
        // The model: pending tasks by (deadline, index), and what must have run, in order.
        let mut pending: BTreeMap<(i64, usize), ()> = BTreeMap::new();
        let mut expected: Vec<(usize, Status)> = Vec::new();
        let mut now = 0i64;
        for op in ops {
            match op {
                Op::Post { at } => {
                    let index = posted.len();
                    let record = ran.clone();
                    let task = event_loop
                        .dispatcher()
                        .post_delayed_task(zx::MonotonicInstant::from_nanos(at), move |_, s| {
                            record.lock().unwrap().push((index, s))
                        })
                        .unwrap();
                    posted.push(task);
                    pending.insert((at, index), ());
                }
                Op::Cancel { nth } if !posted.is_empty() => {
                    let index = nth % posted.len();
                    let task = posted[index];
                    let key = (task.deadline().into_nanos(), index);
                    let model = if pending.remove(&key).is_some() {
                        Ok(())
                    } else {
                        Err(Status::NOT_FOUND)
                    };
                    prop_assert_eq!(event_loop.dispatcher().cancel_task(&task), model);
                }
                Op::Cancel { .. } => {}
                Op::Advance { by } => {
                    now += by;
                    kernel.advance_clock(by);
                    event_loop.run_until_idle().unwrap();
                    let due: Vec<_> = pending.range(..(now + 1, 0)).map(|(k, _)| *k).collect();
                    for key in due {
                        pending.remove(&key);
                        expected.push((key.1, Status::OK));
                    }
                    prop_assert_eq!(&*ran.lock().unwrap(), &expected);
                }
            }
        }
        event_loop.shutdown();
        expected.extend(pending.keys().map(|&(_, index)| (index, Status::CANCELED)));
        prop_assert_eq!(&*ran.lock().unwrap(), &expected);
    }
}
