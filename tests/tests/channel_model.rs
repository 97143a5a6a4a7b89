//! Property test: random programs over 2–3 simulated processes, four channels and four events
//! (spec §2.2, §2.3, §7, §12.1, §15 items 2, 8, 12) against a reference model of where every
//! message and every handle is, under both semantics profiles (512 programs of up to 60 steps
//! each; well under a second in a debug build).
//!
//! Every object here has exactly one handle (channel handles cannot be duplicated, and the
//! program never duplicates events), so the model tracks *tokens*: each token is one object and
//! its one handle, which is in some process's table (with a known value), in flight inside a
//! message queued on some endpoint, or gone. Operations — `zx_channel_write` (bytes plus a few
//! handles: events, channel endpoints including the one written to, and stale, foreign or zero
//! values), `zx_channel_read` (fitting, too small, `MAY_DISCARD`, bad options) and
//! `zx_handle_close` — may be made by the token's holder or by another process using the value
//! it knows (stale or foreign). Transfers between processes happen whenever an endpoint or event
//! written by one process is read by another.
//!
//! Checked: every status (with Zircon's precedence), every message's bytes and handles (each
//! read message is the model's head of that queue, and no message is read twice), that received
//! handles name the right objects with unchanged rights, and after every operation the kernel's
//! live object and handle counts, each process's table size, each held value's object, and each
//! held endpoint's signals and queue length. At the end everything is closed and the kernel must
//! be empty.
//!
//! A write that would put an endpoint's handle into its own queue (directly or through nested
//! endpoints) makes a cycle that Zircon leaks too (§2.2: handles in unread messages keep their
//! object alive); the model skips such writes so the final "nothing left" check stays exact.

use std::collections::{BTreeMap, HashSet, VecDeque};
use std::sync::Arc;

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{TestCaseError, TestRunner};
use zxsim_kernel::objects::channel::Channel;
use zxsim_kernel::{Config, Kernel, Process, Profile};
use zxsim_syscalls::sys::*;

const CHANNELS: usize = 4;
const EVENTS: usize = 4;
/// Tokens `0..2*CHANNELS` are endpoints (`t` and `t ^ 1` are peers), then the events.
const TOKENS: usize = 2 * CHANNELS + EVENTS;
const MAX_PROCESSES: usize = 3;

fn is_endpoint(token: usize) -> bool {
    token < 2 * CHANNELS
}

fn peer_of(endpoint: usize) -> usize {
    endpoint ^ 1
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ReadMode {
    Fit,
    TooFewBytes,
    TooFewHandles,
    Discard,
    BadOptions,
}

/// Chooses an operand among the tokens that make sense at that point of the program (held
/// endpoints to write to, endpoints with messages to read, the actor's own handles to send...),
/// by `pick` modulo their number. A `wild` selector names token `pick % TOKENS` whatever its
/// state — gone, in flight or in another process's table — which exercises the error paths.
#[derive(Clone, Copy, Debug)]
struct Sel {
    pick: usize,
    wild: bool,
}

fn sel() -> impl Strategy<Value = Sel> {
    (0..64usize, prop::bool::weighted(0.04)).prop_map(|(pick, wild)| Sel { pick, wild })
}

/// How a write lists one handle.
#[derive(Clone, Copy, Debug)]
enum Entry {
    /// One of the actor's handles (other than the endpoint written to), chosen by the selector.
    Held(Sel),
    /// `ZX_HANDLE_INVALID`.
    Zero,
    /// The endpoint being written to (`NOT_SUPPORTED`, and it is closed).
    Own,
}

fn entry() -> impl Strategy<Value = Entry> {
    prop_oneof![
        95 => sel().prop_map(Entry::Held),
        2 => Just(Entry::Zero),
        3 => Just(Entry::Own),
    ]
}

/// Names token `token` exactly (for scripted programs).
fn exact(token: usize) -> Sel {
    Sel {
        pick: token,
        wild: true,
    }
}

/// One step of a program. The process holding the target token acts, unless `by_holder` is false
/// (or the token is in no table): then process `actor` acts, with whatever value it knows.
#[derive(Clone, Debug)]
enum Op {
    Write {
        actor: usize,
        by_holder: bool,
        endpoint: Sel,
        handles: Vec<Entry>,
        extra_bytes: usize,
    },
    Read {
        actor: usize,
        by_holder: bool,
        endpoint: Sel,
        mode: ReadMode,
    },
    Close {
        actor: usize,
        by_holder: bool,
        token: Sel,
    },
}

fn op() -> impl Strategy<Value = Op> {
    let actor = 0..MAX_PROCESSES;
    let by_holder = prop::bool::weighted(0.94);
    prop_oneof![
        5 => (
            actor.clone(),
            by_holder,
            sel(),
            prop::collection::vec(entry(), 0..4),
            0..12usize,
        )
            .prop_map(|(actor, by_holder, endpoint, handles, extra_bytes)| Op::Write {
                actor,
                by_holder,
                endpoint,
                handles,
                extra_bytes,
            }),
        5 => (
            actor.clone(),
            by_holder,
            sel(),
            prop_oneof![
                6 => Just(ReadMode::Fit),
                1 => Just(ReadMode::TooFewBytes),
                1 => Just(ReadMode::TooFewHandles),
                1 => Just(ReadMode::Discard),
                1 => Just(ReadMode::BadOptions),
            ],
        )
            .prop_map(|(actor, by_holder, endpoint, mode)| Op::Read {
                actor,
                by_holder,
                endpoint,
                mode,
            }),
        1 => (actor, by_holder, sel())
            .prop_map(|(actor, by_holder, token)| Op::Close { actor, by_holder, token }),
    ]
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Loc {
    Table { process: usize, value: zx_handle_t },
    InFlight,
    Gone,
}

#[derive(Clone, Debug)]
struct Message {
    seq: u32,
    bytes: Vec<u8>,
    tokens: Vec<usize>,
}

/// The reference model: where each token is, what each endpoint has queued.
struct Model {
    processes: usize,
    loc: [Loc; TOKENS],
    koid: [zx_koid_t; TOKENS],
    /// The last value each token had in each process (0: never there).
    known: [[zx_handle_t; MAX_PROCESSES]; TOKENS],
    queues: Vec<VecDeque<Message>>,
    next_seq: u32,
    read_seqs: HashSet<u32>,
}

impl Model {
    fn alive(&self, token: usize) -> bool {
        self.loc[token] != Loc::Gone
    }

    fn holder(&self, token: usize) -> Option<usize> {
        match self.loc[token] {
            Loc::Table { process, .. } => Some(process),
            _ => None,
        }
    }

    fn actor(&self, token: usize, actor: usize, by_holder: bool) -> usize {
        match self.holder(token) {
            Some(process) if by_holder => process,
            _ => actor % self.processes,
        }
    }

    /// Resolves `sel` among the tokens satisfying `wanted` (see [`Sel`]).
    fn choose(&self, sel: Sel, wanted: impl Fn(usize) -> bool) -> usize {
        let candidates: Vec<usize> = (0..TOKENS).filter(|&t| wanted(t)).collect();
        if sel.wild || candidates.is_empty() {
            sel.pick % TOKENS
        } else {
            candidates[sel.pick % candidates.len()]
        }
    }

    /// The value `process` would use for `token`: its current one, else the stale one it had,
    /// else the value it has (or had) in another process, else 0.
    fn value_for(&self, token: usize, process: usize) -> zx_handle_t {
        match self.loc[token] {
            Loc::Table { process: p, value } if p == process => value,
            _ if self.known[token][process] != 0 => self.known[token][process],
            _ => self.known[token]
                .iter()
                .copied()
                .find(|&v| v != 0)
                .unwrap_or(ZX_HANDLE_INVALID),
        }
    }

    fn valid(&self, token: usize, process: usize, value: zx_handle_t) -> bool {
        value != ZX_HANDLE_INVALID && self.loc[token] == Loc::Table { process, value }
    }

    fn install(&mut self, token: usize, process: usize, value: zx_handle_t) {
        self.loc[token] = Loc::Table { process, value };
        self.known[token][process] = value;
    }

    /// The token's handle is deleted: the object dies (one handle each), and a dying endpoint
    /// destroys its unread messages, whose handles die in turn.
    /// Returns how many handles died in flight (inside destroyed messages).
    fn kill(&mut self, token: usize) -> usize {
        let mut doomed = vec![token];
        let mut in_flight = 0;
        while let Some(token) = doomed.pop() {
            match self.loc[token] {
                Loc::Gone => continue,
                Loc::InFlight => in_flight += 1,
                Loc::Table { .. } => {}
            }
            self.loc[token] = Loc::Gone;
            for message in std::mem::take(&mut self.queues[token]) {
                doomed.extend(message.tokens);
            }
        }
        in_flight
    }

    /// Whether `target` is among `tokens` or inside a message queued (transitively) on one of
    /// them: queuing `tokens` on `target` would then make a cycle.
    fn reaches(&self, tokens: &[usize], target: usize) -> bool {
        let mut seen = [false; TOKENS];
        let mut stack = tokens.to_vec();
        while let Some(token) = stack.pop() {
            if token == target {
                return true;
            }
            if std::mem::replace(&mut seen[token], true) {
                continue;
            }
            for message in &self.queues[token] {
                stack.extend(message.tokens.iter().copied());
            }
        }
        false
    }
}

struct World {
    kernel: Kernel,
    processes: Vec<Arc<Process>>,
    model: Model,
    /// The process that last sent each token (to tell cross-process transfers apart).
    sent_by: [usize; TOKENS],
    /// How often each outcome happened (see `generator_reaches_every_outcome`).
    stats: BTreeMap<&'static str, usize>,
}

fn default_rights(token: usize) -> zx_rights_t {
    if is_endpoint(token) {
        ZX_DEFAULT_CHANNEL_RIGHTS
    } else {
        ZX_DEFAULT_EVENT_RIGHTS
    }
}

fn basic(value: zx_handle_t) -> Result<zx_info_handle_basic_t, zx_status_t> {
    let mut info = zx_info_handle_basic_t::default();
    match zx_object_get_info(value, ZX_INFO_HANDLE_BASIC, info.as_bytes_mut(), None, None) {
        ZX_OK => Ok(info),
        status => Err(status),
    }
}

impl World {
    fn new(
        profile: Profile,
        processes: usize,
        placement: &[usize],
    ) -> Result<World, TestCaseError> {
        let kernel = Kernel::new(Config::default().with_profile(profile).with_virtual_clock());
        let procs: Vec<Arc<Process>> = (0..processes).map(|_| kernel.create_process()).collect();
        let mut model = Model {
            processes,
            loc: [Loc::Gone; TOKENS],
            koid: [0; TOKENS],
            known: [[ZX_HANDLE_INVALID; MAX_PROCESSES]; TOKENS],
            queues: (0..TOKENS).map(|_| VecDeque::new()).collect(),
            next_seq: 0,
            read_seqs: HashSet::new(),
        };
        let place = |token: usize| placement[token] % processes;
        for channel in 0..CHANNELS {
            let (t0, t1) = (2 * channel, 2 * channel + 1);
            let (p0, p1) = (place(t0), place(t1));
            let _bound = procs[p0].bind();
            let (mut a, mut b) = (0, 0);
            prop_assert_eq!(zx_channel_create(0, &mut a, &mut b), ZX_OK);
            model.koid[t0] = basic(a).map_err(fail)?.koid;
            model.koid[t1] = basic(b).map_err(fail)?.koid;
            // Hand the second endpoint over as a launcher would.
            let b = if p1 == p0 {
                b
            } else {
                let handle = procs[p0]
                    .handles()
                    .remove(b)
                    .map_err(|s| fail(s.into_raw()))?;
                procs[p1].add_handle(handle)
            };
            model.install(t0, p0, a);
            model.install(t1, p1, b);
        }
        for token in 2 * CHANNELS..TOKENS {
            let process = place(token);
            let _bound = procs[process].bind();
            let mut event = 0;
            prop_assert_eq!(zx_event_create(0, &mut event), ZX_OK);
            model.koid[token] = basic(event).map_err(fail)?.koid;
            model.install(token, process, event);
        }
        Ok(World {
            kernel,
            processes: procs,
            model,
            sent_by: [0; TOKENS],
            stats: BTreeMap::new(),
        })
    }

    /// Resolves the operands against the model's current state, then runs the step.
    fn apply(&mut self, op: &Op) -> Result<(), TestCaseError> {
        let m = &self.model;
        let held_endpoint = |t: usize| is_endpoint(t) && m.holder(t).is_some();
        match op {
            Op::Write {
                actor,
                by_holder,
                endpoint,
                handles,
                extra_bytes,
            } => {
                // Prefer endpoints whose peer is alive, so most writes can succeed.
                let open = |t: usize| held_endpoint(t) && m.alive(peer_of(t));
                let endpoint = if (0..TOKENS).any(open) {
                    m.choose(*endpoint, open)
                } else {
                    m.choose(*endpoint, held_endpoint)
                };
                let actor = m.actor(endpoint, *actor, *by_holder);
                let others = |t: usize| t != endpoint && m.holder(t) == Some(actor);
                let handles: Vec<(usize, bool)> = handles
                    .iter()
                    .filter_map(|entry| match *entry {
                        // An actor with nothing else to send sends nothing (wild entries aside).
                        Entry::Held(sel) if !sel.wild && !(0..TOKENS).any(others) => None,
                        Entry::Held(sel) => Some((m.choose(sel, others), false)),
                        Entry::Zero => Some((endpoint, true)),
                        Entry::Own => Some((endpoint, false)),
                    })
                    .collect();
                self.write(actor, endpoint, &handles, *extra_bytes)
            }
            Op::Read {
                actor,
                by_holder,
                endpoint,
                mode,
            } => {
                let with_mail = |t: usize| held_endpoint(t) && !m.queues[t].is_empty();
                let endpoint = if (0..TOKENS).any(with_mail) {
                    m.choose(*endpoint, with_mail)
                } else {
                    m.choose(*endpoint, held_endpoint)
                };
                let actor = m.actor(endpoint, *actor, *by_holder);
                self.read(actor, endpoint, *mode)
            }
            Op::Close {
                actor,
                by_holder,
                token,
            } => {
                let token = m.choose(*token, |t| m.holder(t).is_some());
                let actor = m.actor(token, *actor, *by_holder);
                self.close(actor, token)
            }
        }
    }

    fn write(
        &mut self,
        actor: usize,
        endpoint: usize,
        entries: &[(usize, bool)],
        extra_bytes: usize,
    ) -> Result<(), TestCaseError> {
        let m = &self.model;
        let channel_value = m.value_for(endpoint, actor);
        let values: Vec<(usize, zx_handle_t)> = entries
            .iter()
            .map(|&(token, zero)| {
                (
                    token,
                    if zero {
                        ZX_HANDLE_INVALID
                    } else {
                        m.value_for(token, actor)
                    },
                )
            })
            .collect();
        // Predict: the channel (BAD_HANDLE, WRONG_TYPE), then each handle in order (BAD_HANDLE
        // for unknown or already-taken values, NOT_SUPPORTED for the endpoint itself), then the
        // peer. Every valid listed handle is taken, whatever fails.
        let channel_status = if !m.valid(endpoint, actor, channel_value) {
            ZX_ERR_BAD_HANDLE
        } else if !is_endpoint(endpoint) {
            ZX_ERR_WRONG_TYPE
        } else {
            ZX_OK
        };
        let mut taken: Vec<usize> = Vec::new();
        let mut first_error = ZX_OK;
        for &(token, value) in &values {
            let status = if m.valid(token, actor, value) && !taken.contains(&token) {
                taken.push(token);
                if channel_status == ZX_OK && token == endpoint {
                    ZX_ERR_NOT_SUPPORTED
                } else {
                    ZX_OK
                }
            } else {
                ZX_ERR_BAD_HANDLE
            };
            if first_error == ZX_OK {
                first_error = status;
            }
        }
        let expected = if channel_status != ZX_OK {
            channel_status
        } else if first_error != ZX_OK {
            first_error
        } else if !m.alive(peer_of(endpoint)) {
            ZX_ERR_PEER_CLOSED
        } else {
            ZX_OK
        };
        if expected == ZX_OK && m.reaches(&taken, peer_of(endpoint)) {
            self.note("write: skipped (would make a cycle)");
            return Ok(()); // see the module docs
        }
        let seq = self.model.next_seq;
        self.model.next_seq += 1;
        let mut bytes = seq.to_le_bytes().to_vec();
        bytes.extend(std::iter::repeat_n(seq as u8, extra_bytes));
        let raw: Vec<zx_handle_t> = values.iter().map(|&(_, value)| value).collect();
        let status = {
            let _bound = self.processes[actor].bind();
            zx_channel_write(channel_value, 0, &bytes, &raw)
        };
        prop_assert_eq!(
            status,
            expected,
            "write by P{} on token {} with {:?}",
            actor,
            endpoint,
            entries
        );
        self.note(match status {
            ZX_OK => "write: ok",
            ZX_ERR_BAD_HANDLE => "write: BAD_HANDLE",
            ZX_ERR_WRONG_TYPE => "write: WRONG_TYPE",
            ZX_ERR_NOT_SUPPORTED => "write: NOT_SUPPORTED (own endpoint)",
            ZX_ERR_PEER_CLOSED => "write: PEER_CLOSED",
            _ => "write: other",
        });
        if status == ZX_OK {
            if taken.iter().any(|&t| is_endpoint(t)) {
                self.note("write: an endpoint sent");
            }
            for &token in &taken {
                self.model.loc[token] = Loc::InFlight;
                self.sent_by[token] = actor;
            }
            self.model.queues[peer_of(endpoint)].push_back(Message {
                seq,
                bytes,
                tokens: taken,
            });
        } else {
            for &token in &taken {
                self.model.kill(token);
            }
        }
        Ok(())
    }

    fn read(&mut self, actor: usize, endpoint: usize, mode: ReadMode) -> Result<(), TestCaseError> {
        let m = &self.model;
        let value = m.value_for(endpoint, actor);
        let head = m.queues[endpoint].front().cloned();
        let (len, count) = head
            .as_ref()
            .map_or((0, 0), |h| (h.bytes.len(), h.tokens.len()));
        let (max_bytes, max_handles, options) = match mode {
            ReadMode::Fit => (64, 64, 0),
            ReadMode::TooFewBytes => (len.saturating_sub(1), 64, 0),
            ReadMode::TooFewHandles => (64, count.saturating_sub(1), 0),
            ReadMode::Discard => (len.saturating_sub(1), 64, ZX_CHANNEL_READ_MAY_DISCARD),
            ReadMode::BadOptions => (64, 64, 2),
        };
        let fits = len <= max_bytes && count <= max_handles;
        let expected = if !m.valid(endpoint, actor, value) {
            ZX_ERR_BAD_HANDLE
        } else if !is_endpoint(endpoint) {
            ZX_ERR_WRONG_TYPE
        } else if mode == ReadMode::BadOptions {
            ZX_ERR_NOT_SUPPORTED
        } else if head.is_none() {
            if m.alive(peer_of(endpoint)) {
                ZX_ERR_SHOULD_WAIT
            } else {
                ZX_ERR_PEER_CLOSED
            }
        } else if fits {
            ZX_OK
        } else {
            ZX_ERR_BUFFER_TOO_SMALL
        };
        let mut bytes = vec![0u8; max_bytes];
        let mut handles = vec![ZX_HANDLE_INVALID; max_handles];
        let (mut nb, mut nh) = (u32::MAX, u32::MAX);
        let _bound = self.processes[actor].bind();
        let status = zx_channel_read(
            value,
            options,
            &mut bytes,
            &mut handles,
            Some(&mut nb),
            Some(&mut nh),
        );
        prop_assert_eq!(
            status,
            expected,
            "read by P{} on token {} ({:?})",
            actor,
            endpoint,
            mode
        );
        self.note(match status {
            ZX_OK => "read: ok",
            ZX_ERR_BAD_HANDLE => "read: BAD_HANDLE",
            ZX_ERR_WRONG_TYPE => "read: WRONG_TYPE",
            ZX_ERR_NOT_SUPPORTED => "read: NOT_SUPPORTED (options)",
            ZX_ERR_SHOULD_WAIT => "read: SHOULD_WAIT",
            ZX_ERR_PEER_CLOSED => "read: PEER_CLOSED",
            ZX_ERR_BUFFER_TOO_SMALL => "read: BUFFER_TOO_SMALL",
            _ => "read: other",
        });
        match status {
            ZX_OK => {
                let head = self.model.queues[endpoint]
                    .pop_front()
                    .expect("predicted a message");
                prop_assert!(
                    self.model.read_seqs.insert(head.seq),
                    "message {} read twice",
                    head.seq
                );
                prop_assert_eq!((nb as usize, nh as usize), (len, count));
                prop_assert_eq!(
                    &bytes[..len],
                    &head.bytes[..],
                    "the model's head message, whole"
                );
                for (&token, &received) in head.tokens.iter().zip(&handles) {
                    let info = basic(received).map_err(fail)?;
                    prop_assert_eq!(
                        info.koid,
                        self.model.koid[token],
                        "received handle names its object"
                    );
                    prop_assert_eq!(info.rights, default_rights(token), "rights kept");
                    self.model.install(token, actor, received);
                    if self.sent_by[token] != actor {
                        self.note(if is_endpoint(token) {
                            "read: an endpoint moved to another process"
                        } else {
                            "read: an event moved to another process"
                        });
                    }
                }
            }
            ZX_ERR_BUFFER_TOO_SMALL => {
                prop_assert_eq!((nb as usize, nh as usize), (len, count), "required sizes");
                if options & ZX_CHANNEL_READ_MAY_DISCARD != 0 {
                    let head = self.model.queues[endpoint]
                        .pop_front()
                        .expect("predicted a message");
                    if !head.tokens.is_empty() {
                        self.note("read: MAY_DISCARD closed handles");
                    }
                    for token in head.tokens {
                        self.model.kill(token);
                    }
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn close(&mut self, actor: usize, token: usize) -> Result<(), TestCaseError> {
        let value = self.model.value_for(token, actor);
        let valid = self.model.valid(token, actor, value);
        let expected = if valid || value == ZX_HANDLE_INVALID {
            ZX_OK
        } else {
            ZX_ERR_BAD_HANDLE
        };
        let status = {
            let _bound = self.processes[actor].bind();
            zx_handle_close(value)
        };
        prop_assert_eq!(status, expected, "close by P{} of token {}", actor, token);
        self.note(if status == ZX_OK {
            "close: ok"
        } else {
            "close: BAD_HANDLE"
        });
        if valid && self.model.kill(token) > 0 {
            self.note("close: handles in unread messages destroyed");
        }
        Ok(())
    }

    fn note(&mut self, outcome: &'static str) {
        *self.stats.entry(outcome).or_default() += 1;
    }

    /// Compares the kernel with the model: counts, tables, held values, endpoint state.
    fn check(&self) -> Result<(), TestCaseError> {
        let m = &self.model;
        let alive = (0..TOKENS).filter(|&t| m.alive(t)).count();
        prop_assert_eq!(
            self.kernel.live_handles(),
            alive,
            "live handles (none duplicated or lost)"
        );
        prop_assert_eq!(
            self.kernel.live_objects(),
            alive,
            "live objects (one handle each)"
        );
        for (p, process) in self.processes.iter().enumerate() {
            let held = (0..TOKENS).filter(|&t| m.holder(t) == Some(p)).count();
            prop_assert_eq!(process.handles().len(), held, "P{} table size", p);
        }
        for token in 0..TOKENS {
            let Loc::Table { process, value } = m.loc[token] else {
                continue;
            };
            let _bound = self.processes[process].bind();
            let info = basic(value).map_err(fail)?;
            prop_assert_eq!(
                info.koid,
                m.koid[token],
                "P{}'s value for token {}",
                process,
                token
            );
            if !is_endpoint(token) {
                continue;
            }
            let mut observed = 0;
            prop_assert_eq!(
                zx_object_wait_one(value, 0, 0, Some(&mut observed)),
                ZX_ERR_TIMED_OUT
            );
            let mut expected = 0;
            if !m.queues[token].is_empty() {
                expected |= ZX_CHANNEL_READABLE;
            }
            expected |= if m.alive(peer_of(token)) {
                ZX_CHANNEL_WRITABLE
            } else {
                ZX_CHANNEL_PEER_CLOSED
            };
            prop_assert_eq!(observed, expected, "signals of token {}", token);
            let queued = self.processes[process]
                .handles()
                .with(value, |h| {
                    h.object()
                        .downcast::<Channel>()
                        .map(|channel| channel.queued_messages())
                })
                .map_err(|s| fail(s.into_raw()))?;
            prop_assert_eq!(
                queued,
                Some(m.queues[token].len()),
                "queue of token {}",
                token
            );
        }
        Ok(())
    }

    /// Closes every handle still in a table; nothing may be left in the kernel.
    fn finish(mut self) -> Result<(), TestCaseError> {
        for token in 0..TOKENS {
            if let Loc::Table { process, value } = self.model.loc[token] {
                let _bound = self.processes[process].bind();
                prop_assert_eq!(zx_handle_close(value), ZX_OK);
                self.model.kill(token);
            }
        }
        prop_assert!(
            (0..TOKENS).all(|t| !self.model.alive(t)),
            "the model lost track of a token"
        );
        prop_assert_eq!(
            (self.kernel.live_objects(), self.kernel.live_handles()),
            (0, 0),
            "leaked objects/handles"
        );
        Ok(())
    }
}

fn fail(status: zx_status_t) -> TestCaseError {
    TestCaseError::fail(format!("unexpected status {status}"))
}

fn run(
    profile: Profile,
    processes: usize,
    placement: &[usize],
    ops: &[Op],
) -> Result<(), TestCaseError> {
    let mut world = World::new(profile, processes, placement)?;
    world.check()?;
    for op in ops {
        world.apply(op)?;
        world.check()?;
    }
    world.finish()
}

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 512,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

fn program() -> impl Strategy<Value = (usize, Vec<usize>, Vec<Op>)> {
    (
        2..=MAX_PROCESSES,
        prop::collection::vec(0..MAX_PROCESSES, TOKENS),
        prop::collection::vec(op(), 1..60),
    )
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn channels_match_model_under_zircon((processes, placement, ops) in program()) {
        run(Profile::Zircon, processes, &placement, &ops)?;
    }

    #[test]
    fn channels_match_model_under_rfc0240((processes, placement, ops) in program()) {
        run(Profile::Rfc0240, processes, &placement, &ops)?;
    }
}

/// The model is not vacuous: a scripted program moves an endpoint and an event to another
/// process, uses the endpoint there, tries stale and foreign values, writes an endpoint into
/// itself, and destroys a queue holding an event — checking the model's view along the way.
#[test]
fn scripted_transfer_matches_model() {
    // P1 holds endpoints 1 and 3; P0 holds every other endpoint and all the events, among
    // them `ev_a` and `ev_b`.
    let mut placement = [0; TOKENS];
    placement[1] = 1;
    placement[3] = 1;
    let (ev_a, ev_b) = (2 * CHANNELS + 1, 2 * CHANNELS + 2);
    let write = |actor, by_holder, endpoint, handles: &[(usize, bool)]| Op::Write {
        actor,
        by_holder,
        endpoint: exact(endpoint),
        handles: handles
            .iter()
            .map(|&(token, zero)| {
                if zero {
                    Entry::Zero
                } else {
                    Entry::Held(exact(token))
                }
            })
            .collect(),
        extra_bytes: 2,
    };
    let read = |endpoint, mode| Op::Read {
        actor: 0,
        by_holder: true,
        endpoint: exact(endpoint),
        mode,
    };
    for profile in Profile::ALL {
        let mut world = World::new(profile, 2, &placement).expect("world");
        let mut step = |op: Op| {
            world
                .apply(&op)
                .unwrap_or_else(|e| panic!("{profile}: {op:?}: {e}"));
            world
                .check()
                .unwrap_or_else(|e| panic!("{profile}: after {op:?}: {e}"));
        };
        // P1 writes through endpoint 0 with a foreign value: BAD_HANDLE, and endpoint 3 (P1's,
        // listed) is consumed: it dies and endpoint 2 sees PEER_CLOSED.
        step(write(1, false, 0, &[(3, false)]));
        // P0 sends event `ev_a` and endpoint 5 to P1 (endpoint 1); P1 reads them (too few handle
        // slots first: the message stays).
        step(write(0, true, 0, &[(ev_a, false), (5, false)]));
        step(read(1, ReadMode::TooFewHandles));
        step(read(1, ReadMode::Fit));
        // P0's stale value for endpoint 5 fails; P1's zero value fails; P1 writes to P0.
        step(write(0, false, 5, &[]));
        step(write(0, true, 5, &[(ev_b, true)]));
        step(write(0, true, 5, &[]));
        step(read(4, ReadMode::Fit));
        // Event `ev_b` goes into endpoint 5's queue, which P1 then destroys.
        step(write(0, true, 4, &[(ev_b, false)]));
        step(Op::Close {
            actor: 0,
            by_holder: true,
            token: exact(5),
        });
        step(read(4, ReadMode::Fit));
        // Writing endpoint 2 into itself: NOT_SUPPORTED, and it is closed.
        step(write(0, true, 2, &[(2, false)]));
        let m = &world.model;
        assert_eq!(
            m.holder(ev_a),
            Some(1),
            "{profile}: event `ev_a` moved to P1"
        );
        assert!(
            !m.alive(3) && !m.alive(5) && !m.alive(ev_b) && !m.alive(2),
            "{profile}: the deaths happened"
        );
        assert_eq!(m.read_seqs.len(), 2, "{profile}: two messages were read");
        world.finish().unwrap_or_else(|e| panic!("{profile}: {e}"));
    }
}

/// The generator is not vacuous: over a fixed set of programs it reaches every outcome the model
/// distinguishes — successful and failing writes of each kind, endpoints and events moving to
/// another process, reads of every status, discards and destruction of handles in flight.
#[test]
fn generator_reaches_every_outcome() {
    let mut runner = TestRunner::deterministic();
    let mut stats: BTreeMap<&'static str, usize> = BTreeMap::new();
    for _ in 0..256 {
        let (processes, placement, ops) = program()
            .new_tree(&mut runner)
            .expect("a program")
            .current();
        let mut world = World::new(Profile::default(), processes, &placement).expect("world");
        for op in &ops {
            world.apply(op).unwrap_or_else(|e| panic!("{op:?}: {e}"));
        }
        for (outcome, count) in std::mem::take(&mut world.stats) {
            *stats.entry(outcome).or_default() += count;
        }
        world.finish().unwrap_or_else(|e| panic!("{e}"));
    }
    if std::env::var_os("ZXSIM_MODEL_STATS").is_some() {
        eprintln!("{stats:#?}");
    }
    let expected = [
        "write: ok",
        "write: an endpoint sent",
        "write: BAD_HANDLE",
        "write: WRONG_TYPE",
        "write: NOT_SUPPORTED (own endpoint)",
        "write: PEER_CLOSED",
        "write: skipped (would make a cycle)",
        "read: ok",
        "read: an endpoint moved to another process",
        "read: an event moved to another process",
        "read: BAD_HANDLE",
        "read: WRONG_TYPE",
        "read: NOT_SUPPORTED (options)",
        "read: SHOULD_WAIT",
        "read: PEER_CLOSED",
        "read: BUFFER_TOO_SMALL",
        "read: MAY_DISCARD closed handles",
        "close: ok",
        "close: BAD_HANDLE",
        "close: handles in unread messages destroyed",
    ];
    for outcome in expected {
        assert!(
            stats.get(outcome).copied().unwrap_or(0) > 0,
            "never reached: {outcome}\n{stats:#?}"
        );
    }
}
