//! Property test: random sequences of port and async-wait operations against a small reference
//! model of one port (spec §5, §6, §13.4), under both semantics profiles.
//!
//! The model is deliberately naive — a `VecDeque` of expected packets and a `Vec` of pending
//! registrations — and knows the profile rules of §13.4 for closing, replacing and duplicating
//! the registering handle and for `zx_port_cancel`'s matching (§13.3 decision B). Every syscall's
//! status is checked, every dequeued packet is checked field by field, and after every operation
//! the kernel's pending-wait counts and each event's signal word are compared with the model.
//!
//! Packets fired by one signal change form a *batch*: the spec does not order them among
//! themselves, so a dequeued packet may match any member of the oldest batch. When members of a
//! batch are indistinguishable by content but came from different handles (which matters to
//! `zx_port_cancel` under `zircon`), the model drains the rest of the batch at once instead of
//! guessing which one the kernel kept.

use std::collections::VecDeque;

use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use zxsim_kernel::objects::port::Port;
use zxsim_kernel::{Config, Kernel, Profile};
use zxsim_syscalls::sys::*;

const EVENTS: usize = 3;
const KEYS: u64 = 4;

#[derive(Clone, Debug)]
enum Op {
    Queue {
        key: u64,
    },
    WaitAsync {
        event: usize,
        handle: usize,
        key: u64,
        signals: u32,
        edge: bool,
    },
    Signal {
        event: usize,
        handle: usize,
        clear: u32,
        set: u32,
    },
    Cancel {
        event: usize,
        handle: usize,
        key: u64,
    },
    CancelKey {
        key: u64,
    },
    Close {
        event: usize,
        handle: usize,
    },
    Duplicate {
        event: usize,
        handle: usize,
    },
    Replace {
        event: usize,
        handle: usize,
    },
    Recreate {
        event: usize,
    },
    Poll,
}

/// Three bits of an event's signal word, from a 3-bit index.
fn mask(bits: u8) -> u32 {
    let mut out = 0;
    for (i, signal) in [ZX_USER_SIGNAL_0, ZX_USER_SIGNAL_1, ZX_EVENT_SIGNALED]
        .into_iter()
        .enumerate()
    {
        if bits & (1 << i) != 0 {
            out |= signal;
        }
    }
    out
}

fn op() -> impl Strategy<Value = Op> {
    let event = 0..EVENTS;
    let handle = 0usize..4;
    let key = 0..KEYS;
    let signals = (0u8..8).prop_map(mask);
    prop_oneof![
        2 => key.clone().prop_map(|key| Op::Queue { key }),
        6 => (event.clone(), handle.clone(), key.clone(), signals.clone(), any::<bool>()).prop_map(
            |(event, handle, key, signals, edge)| Op::WaitAsync { event, handle, key, signals, edge }
        ),
        5 => (event.clone(), handle.clone(), signals.clone(), signals).prop_map(
            |(event, handle, clear, set)| Op::Signal { event, handle, clear, set }
        ),
        2 => (event.clone(), handle.clone(), key.clone())
            .prop_map(|(event, handle, key)| Op::Cancel { event, handle, key }),
        2 => key.prop_map(|key| Op::CancelKey { key }),
        2 => (event.clone(), handle.clone()).prop_map(|(event, handle)| Op::Close { event, handle }),
        2 => (event.clone(), handle.clone()).prop_map(|(event, handle)| Op::Duplicate { event, handle }),
        1 => (event.clone(), handle).prop_map(|(event, handle)| Op::Replace { event, handle }),
        1 => event.prop_map(|event| Op::Recreate { event }),
        4 => Just(Op::Poll),
    ]
}

// ---- the model ----

#[derive(Clone, Copy, Debug)]
struct HandleM {
    value: zx_handle_t,
    /// Model identity of the handle (duplicate and replace mint new ones).
    id: u64,
}

#[derive(Debug)]
struct EventM {
    /// Model identity of the object (a recreated event is a new object).
    object: u64,
    handles: Vec<HandleM>,
    signals: u32,
    /// The last value closed or replaced away: a handle value that is no longer valid.
    stale: zx_handle_t,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    User {
        payload: u64,
    },
    Signal {
        trigger: u32,
        observed: u32,
        object: u64,
        handle: u64,
    },
}

#[derive(Clone, Copy, Debug)]
struct Packet {
    key: u64,
    kind: Kind,
    batch: u64,
}

impl Packet {
    /// The fields a reader sees (everything but where a signal packet came from).
    fn content(&self) -> (u64, u32, u32, u64) {
        match self.kind {
            Kind::User { payload } => (self.key, 0, 0, payload),
            Kind::Signal {
                trigger, observed, ..
            } => (self.key, trigger, observed, u64::MAX),
        }
    }
}

#[derive(Clone, Copy, Debug)]
struct Registration {
    object: u64,
    handle: u64,
    key: u64,
    trigger: u32,
}

struct Model {
    profile: Profile,
    events: Vec<EventM>,
    registrations: Vec<Registration>,
    packets: VecDeque<Packet>,
    next_id: u64,
}

impl Model {
    fn fresh_id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    /// The handle `index` selects on `event`, or `None` when the event has no handle left.
    fn pick(&self, event: usize, index: usize) -> Option<(usize, HandleM)> {
        let handles = &self.events[event].handles;
        (!handles.is_empty()).then(|| {
            let i = index % handles.len();
            (i, handles[i])
        })
    }

    /// The registering handle `id` was deleted: under `zircon` its waits end (no packet).
    fn handle_deleted(&mut self, id: u64) {
        if self.profile == Profile::Zircon {
            self.registrations.retain(|r| r.handle != id);
        }
    }

    /// The object's last handle is gone: every wait on it ends (no packet), in both profiles.
    fn object_gone(&mut self, object: u64) {
        self.registrations.retain(|r| r.object != object);
    }
}

fn check_signal_packet(
    got: &zx_port_packet_t,
    trigger: u32,
    observed: u32,
) -> Result<(), TestCaseError> {
    prop_assert_eq!(got.packet_type, ZX_PKT_TYPE_SIGNAL_ONE);
    prop_assert_eq!(got.status, ZX_OK);
    let signal = got.signal();
    prop_assert_eq!((signal.trigger, signal.observed), (trigger, observed));
    prop_assert_eq!(
        (signal.count, signal.timestamp, signal.reserved1),
        (1, 0, 0)
    );
    Ok(())
}

fn matches(expected: &Packet, got: &zx_port_packet_t) -> bool {
    if expected.key != got.key {
        return false;
    }
    match expected.kind {
        Kind::User { payload } => {
            got.packet_type == ZX_PKT_TYPE_USER
                && got.status == payload as i32
                && got.user().u64 == [payload, expected.key, 0, 0]
        }
        Kind::Signal {
            trigger, observed, ..
        } => {
            let signal = got.signal();
            got.packet_type == ZX_PKT_TYPE_SIGNAL_ONE
                && signal.trigger == trigger
                && signal.observed == observed
        }
    }
}

/// Dequeues one packet from the kernel and removes its match from the oldest batch of the model.
/// Returns whether the batch held indistinguishable packets from different handles.
fn dequeue_one(model: &mut Model, port: zx_handle_t) -> Result<bool, TestCaseError> {
    let mut got = zx_port_packet_t::default();
    let status = zx_port_wait(port, 0, &mut got);
    let Some(front) = model.packets.front().map(|p| p.batch) else {
        prop_assert_eq!(status, ZX_ERR_TIMED_OUT, "the model's port is empty");
        return Ok(false);
    };
    prop_assert_eq!(status, ZX_OK, "the model expects a packet");
    let batch: Vec<usize> = (0..model.packets.len())
        .take_while(|&i| model.packets[i].batch == front)
        .collect();
    let Some(&position) = batch.iter().find(|&&i| matches(&model.packets[i], &got)) else {
        return Err(TestCaseError::fail(format!(
            "dequeued {got:?} (signal {:?}), expected one of {:?}",
            got.signal(),
            batch.iter().map(|&i| model.packets[i]).collect::<Vec<_>>()
        )));
    };
    let taken = model.packets.remove(position).expect("in range");
    if let Kind::Signal {
        trigger, observed, ..
    } = taken.kind
    {
        check_signal_packet(&got, trigger, observed)?;
    }
    let ambiguous = batch.iter().filter(|&&i| i != position).any(|&i| {
        let other = model.packets[if i > position { i - 1 } else { i }];
        other.content() == taken.content()
            && match (other.kind, taken.kind) {
                (Kind::Signal { handle: a, .. }, Kind::Signal { handle: b, .. }) => a != b,
                _ => false,
            }
    });
    Ok(ambiguous)
}

/// `zx_port_wait` poll: one packet, and the rest of its batch if it was ambiguous.
fn poll(model: &mut Model, port: zx_handle_t) -> Result<(), TestCaseError> {
    let batch = model.packets.front().map(|p| p.batch);
    if dequeue_one(model, port)? {
        while model.packets.front().map(|p| p.batch) == batch {
            dequeue_one(model, port)?;
        }
    }
    Ok(())
}

fn step(model: &mut Model, port: zx_handle_t, op: &Op) -> Result<(), TestCaseError> {
    match *op {
        Op::Queue { key } => {
            let payload = model.fresh_id();
            let packet = zx_port_packet_t::new_user(
                key,
                payload as i32,
                zx_packet_user_t {
                    u64: [payload, key, 0, 0],
                },
            );
            prop_assert_eq!(zx_port_queue(port, &packet), ZX_OK);
            model.packets.push_back(Packet {
                key,
                kind: Kind::User { payload },
                batch: payload,
            });
        }
        Op::WaitAsync {
            event,
            handle,
            key,
            signals,
            edge,
        } => {
            let options = if edge { ZX_WAIT_ASYNC_EDGE } else { 0 };
            let Some((_, h)) = model.pick(event, handle) else {
                let stale = model.events[event].stale;
                prop_assert_eq!(
                    zx_object_wait_async(stale, port, key, signals, options),
                    ZX_ERR_BAD_HANDLE
                );
                return Ok(());
            };
            prop_assert_eq!(
                zx_object_wait_async(h.value, port, key, signals, options),
                ZX_OK
            );
            let (object, current) = (model.events[event].object, model.events[event].signals);
            if !edge && signals & current != 0 {
                let batch = model.fresh_id();
                let kind = Kind::Signal {
                    trigger: signals,
                    observed: current,
                    object,
                    handle: h.id,
                };
                model.packets.push_back(Packet { key, kind, batch });
            } else {
                model.registrations.push(Registration {
                    object,
                    handle: h.id,
                    key,
                    trigger: signals,
                });
            }
        }
        Op::Signal {
            event,
            handle,
            clear,
            set,
        } => {
            let Some((_, h)) = model.pick(event, handle) else {
                let stale = model.events[event].stale;
                prop_assert_eq!(zx_object_signal(stale, clear, set), ZX_ERR_BAD_HANDLE);
                return Ok(());
            };
            prop_assert_eq!(zx_object_signal(h.value, clear, set), ZX_OK);
            let e = &mut model.events[event];
            let previous = e.signals;
            let current = (previous & !clear) | set;
            e.signals = current;
            let object = e.object;
            // §2.4: examined only if a bit of `set` was inactive; all matching waits fire with
            // the whole word.
            if set & !previous != 0 {
                let batch = model.fresh_id();
                let mut kept = Vec::new();
                for r in std::mem::take(&mut model.registrations) {
                    if r.object == object && r.trigger & current != 0 {
                        let kind = Kind::Signal {
                            trigger: r.trigger,
                            observed: current,
                            object,
                            handle: r.handle,
                        };
                        model.packets.push_back(Packet {
                            key: r.key,
                            kind,
                            batch,
                        });
                    } else {
                        kept.push(r);
                    }
                }
                model.registrations = kept;
            }
        }
        Op::Cancel { event, handle, key } => {
            let Some((_, h)) = model.pick(event, handle) else {
                let stale = model.events[event].stale;
                prop_assert_eq!(zx_port_cancel(port, stale, key), ZX_ERR_BAD_HANDLE);
                return Ok(());
            };
            let object = model.events[event].object;
            // zircon: the exact registering handle; rfc0240 (§13.3 decision B): the object.
            let exact = model.profile == Profile::Zircon;
            let hit = |o: u64, id: u64| o == object && (!exact || id == h.id);
            let before = model.registrations.len() + model.packets.len();
            model
                .registrations
                .retain(|r| !(r.key == key && hit(r.object, r.handle)));
            model.packets.retain(|p| match p.kind {
                Kind::Signal {
                    object: o,
                    handle: id,
                    ..
                } => !(p.key == key && hit(o, id)),
                Kind::User { .. } => true,
            });
            let any = model.registrations.len() + model.packets.len() < before;
            let expected = if any { ZX_OK } else { ZX_ERR_NOT_FOUND };
            prop_assert_eq!(zx_port_cancel(port, h.value, key), expected);
        }
        Op::CancelKey { key } => {
            let before = model.registrations.len() + model.packets.len();
            model.registrations.retain(|r| r.key != key);
            model.packets.retain(|p| p.key != key);
            let any = model.registrations.len() + model.packets.len() < before;
            let expected = if any { ZX_OK } else { ZX_ERR_NOT_FOUND };
            prop_assert_eq!(zx_port_cancel_key(port, 0, key), expected);
        }
        Op::Close { event, handle } => {
            let Some((i, h)) = model.pick(event, handle) else {
                let stale = model.events[event].stale;
                prop_assert_eq!(zx_handle_close(stale), ZX_ERR_BAD_HANDLE);
                return Ok(());
            };
            prop_assert_eq!(zx_handle_close(h.value), ZX_OK);
            let e = &mut model.events[event];
            e.handles.remove(i);
            e.stale = h.value;
            let (object, last) = (e.object, e.handles.is_empty());
            model.handle_deleted(h.id);
            if last {
                model.object_gone(object);
            }
        }
        Op::Duplicate { event, handle } => {
            let mut out = ZX_HANDLE_INVALID;
            let Some((_, h)) = model.pick(event, handle) else {
                let stale = model.events[event].stale;
                prop_assert_eq!(
                    zx_handle_duplicate(stale, ZX_RIGHT_SAME_RIGHTS, &mut out),
                    ZX_ERR_BAD_HANDLE
                );
                return Ok(());
            };
            prop_assert_eq!(
                zx_handle_duplicate(h.value, ZX_RIGHT_SAME_RIGHTS, &mut out),
                ZX_OK
            );
            let id = model.fresh_id();
            model.events[event].handles.push(HandleM { value: out, id });
        }
        Op::Replace { event, handle } => {
            let mut out = ZX_HANDLE_INVALID;
            let Some((i, h)) = model.pick(event, handle) else {
                let stale = model.events[event].stale;
                prop_assert_eq!(
                    zx_handle_replace(stale, ZX_RIGHT_SAME_RIGHTS, &mut out),
                    ZX_ERR_BAD_HANDLE
                );
                return Ok(());
            };
            prop_assert_eq!(
                zx_handle_replace(h.value, ZX_RIGHT_SAME_RIGHTS, &mut out),
                ZX_OK
            );
            let id = model.fresh_id();
            let e = &mut model.events[event];
            e.handles[i] = HandleM { value: out, id };
            e.stale = h.value;
            model.handle_deleted(h.id);
        }
        Op::Recreate { event } => {
            if model.events[event].handles.is_empty() {
                let mut value = ZX_HANDLE_INVALID;
                prop_assert_eq!(zx_event_create(0, &mut value), ZX_OK);
                let (object, id) = (model.fresh_id(), model.fresh_id());
                let e = &mut model.events[event];
                e.object = object;
                e.handles.push(HandleM { value, id });
                e.signals = 0;
            }
        }
        Op::Poll => poll(model, port)?,
    }
    Ok(())
}

/// Compares the kernel's pending waits and signal words with the model.
fn check_state(
    model: &Model,
    process: &zxsim_kernel::Process,
    port: zx_handle_t,
) -> Result<(), TestCaseError> {
    let port_observers = process
        .handles()
        .with(port, |h| {
            h.object()
                .downcast::<Port>()
                .expect("a port")
                .observer_count()
        })
        .expect("the port handle");
    prop_assert_eq!(
        port_observers,
        model.registrations.len(),
        "pending waits on the port"
    );
    for (i, e) in model.events.iter().enumerate() {
        let Some(h) = e.handles.first() else { continue };
        let observers = process
            .handles()
            .with(h.value, |h| h.object().with_signals(|s| s.observer_count()))
            .expect("a live event handle");
        let expected = model
            .registrations
            .iter()
            .filter(|r| r.object == e.object)
            .count();
        prop_assert_eq!(observers, expected, "pending waits on event {}", i);
        let mut observed = 0;
        prop_assert_eq!(
            zx_object_wait_one(h.value, 0, 0, Some(&mut observed)),
            ZX_ERR_TIMED_OUT
        );
        prop_assert_eq!(observed, e.signals, "signals of event {}", i);
    }
    Ok(())
}

/// Prefixes a failure's reason with where it happened.
fn context(error: TestCaseError, at: String) -> TestCaseError {
    match error {
        TestCaseError::Fail(reason) => TestCaseError::fail(format!("{at}: {}", reason.message())),
        reject => reject,
    }
}

/// Runs `ops` on a kernel with `kernel_profile`, checked against a model that follows
/// `model_profile`.
fn run(kernel_profile: Profile, model_profile: Profile, ops: &[Op]) -> Result<(), TestCaseError> {
    let kernel = Kernel::new(
        Config::default()
            .with_profile(kernel_profile)
            .with_virtual_clock(),
    );
    let process = kernel.create_process();
    let _bound = process.bind();
    let mut port = ZX_HANDLE_INVALID;
    prop_assert_eq!(zx_port_create(0, &mut port), ZX_OK);
    let mut model = Model {
        profile: model_profile,
        events: Vec::new(),
        registrations: Vec::new(),
        packets: VecDeque::new(),
        next_id: 0,
    };
    for _ in 0..EVENTS {
        let mut value = ZX_HANDLE_INVALID;
        prop_assert_eq!(zx_event_create(0, &mut value), ZX_OK);
        let (object, id) = (model.fresh_id(), model.fresh_id());
        model.events.push(EventM {
            object,
            handles: vec![HandleM { value, id }],
            signals: 0,
            stale: ZX_HANDLE_INVALID,
        });
    }
    for (i, op) in ops.iter().enumerate() {
        step(&mut model, port, op).map_err(|e| context(e, format!("op #{i} {op:?}")))?;
        check_state(&model, &process, port)
            .map_err(|e| context(e, format!("after op #{i} {op:?}")))?;
    }
    // Everything still queued comes out as the model says, then nothing.
    while !model.packets.is_empty() {
        poll(&mut model, port)?;
    }
    poll(&mut model, port)?;
    for e in &model.events {
        for h in &e.handles {
            prop_assert_eq!(zx_handle_close(h.value), ZX_OK);
        }
    }
    prop_assert_eq!(zx_handle_close(port), ZX_OK);
    prop_assert_eq!(
        (kernel.live_objects(), kernel.live_handles()),
        (0, 0),
        "leaked objects/handles"
    );
    Ok(())
}

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 256,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn port_matches_model_under_zircon(ops in prop::collection::vec(op(), 1..80)) {
        run(Profile::Zircon, Profile::Zircon, &ops)?;
    }

    #[test]
    fn port_matches_model_under_rfc0240(ops in prop::collection::vec(op(), 1..80)) {
        run(Profile::Rfc0240, Profile::Rfc0240, &ops)?;
    }
}

/// The model is not vacuous: §13.4 row 4 (duplicate, close the original, signal) tells the
/// profiles apart, so a model of the wrong profile rejects the kernel.
#[test]
fn model_tells_the_profiles_apart() {
    let ops = [
        Op::WaitAsync {
            event: 0,
            handle: 0,
            key: 1,
            signals: ZX_USER_SIGNAL_0,
            edge: false,
        },
        Op::Duplicate {
            event: 0,
            handle: 0,
        },
        Op::Close {
            event: 0,
            handle: 0,
        },
        Op::Signal {
            event: 0,
            handle: 0,
            clear: 0,
            set: ZX_USER_SIGNAL_0,
        },
        Op::Poll,
    ];
    for profile in Profile::ALL {
        run(profile, profile, &ops).unwrap_or_else(|e| panic!("{profile}: {e}"));
    }
    assert!(run(Profile::Zircon, Profile::Rfc0240, &ops).is_err());
    assert!(run(Profile::Rfc0240, Profile::Zircon, &ops).is_err());
}

/// The core test CancelEventKeyAfter (§13.2.5) and a `port_cancel` through a duplicate (§13.4
/// row 8), replayed through the model.
#[test]
fn model_replays_cancel_scenarios() {
    let ops = [
        Op::WaitAsync {
            event: 0,
            handle: 0,
            key: 3,
            signals: ZX_EVENT_SIGNALED,
            edge: false,
        },
        Op::WaitAsync {
            event: 1,
            handle: 0,
            key: 3,
            signals: ZX_EVENT_SIGNALED,
            edge: false,
        },
        Op::Cancel {
            event: 0,
            handle: 0,
            key: 3,
        },
        Op::Cancel {
            event: 1,
            handle: 0,
            key: 3,
        },
        Op::WaitAsync {
            event: 2,
            handle: 0,
            key: 2,
            signals: ZX_USER_SIGNAL_1,
            edge: true,
        },
        Op::Duplicate {
            event: 2,
            handle: 0,
        },
        Op::Cancel {
            event: 2,
            handle: 1,
            key: 2,
        },
        Op::Signal {
            event: 2,
            handle: 1,
            clear: 0,
            set: ZX_USER_SIGNAL_1,
        },
        Op::Queue { key: 2 },
        Op::CancelKey { key: 2 },
        Op::Poll,
    ];
    for profile in Profile::ALL {
        run(profile, profile, &ops).unwrap_or_else(|e| panic!("{profile}: {e}"));
    }
    assert!(run(Profile::Zircon, Profile::Rfc0240, &ops).is_err());
}
