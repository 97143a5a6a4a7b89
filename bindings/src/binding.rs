//! `Binding`: the teardown state machine every client and server binding shares — one channel,
//! one dispatcher [`Wait`] on it, and the rule that decides who makes the final to-user calls.
//!
//! What it owns: the channel endpoint, the wait, the phase, and the side's state ([`Side`]: the
//! pending calls and event handler of a client, the implementation of a server). Everything sits
//! behind one lock; no user code is ever called with it held.
//!
//! Invariants:
//! - **Phases.** `Bound` → `Unbinding(info)` → `Done`, each once; the first reason wins. New
//!   messages are dispatched only while `Bound`.
//! - **Who finishes.** While not `Done`, the wait is `armed` (registered, its handler not yet
//!   started) or `dispatching` (its handler is between reading and re-arming), or both are false
//!   only inside one critical section. Teardown completes — `finish`, which makes the final
//!   to-user calls — on exactly one party that sees, under the lock, a phase of `Unbinding` with
//!   neither `armed` nor `dispatching`: the wait handler when it stops dispatching (or when
//!   the loop cancels it at shutdown), a posted teardown task after `Wait::cancel` answered
//!   `OK`, or — for [`Client`](crate::Client) only, on its synchronized dispatcher —
//!   [`Binding::teardown_now`], whose cancel wins there. So the final calls come after every
//!   other to-user call returned, and nothing is called after them.
//! - **The user object is checked out** of the state while it is being called (a server
//!   implementation, an event handler, a response callback) and put back only if the binding is
//!   not `Done`; the finisher takes whatever is in the state.
//! - **The kernel wait is never pending at `finish`**, so closing the channel there is correct
//!   under both profiles (under `zircon` a wait must be cancelled while its handle is valid).
//!
//! Lock order: a dispatcher's serial lock and wait-handler lock → this lock → the dispatcher's
//! own lock and kernel locks (`Wait::begin`/`cancel`, `post_task` and channel syscalls are
//! called with this lock held; the dispatcher never calls back into a binding while holding
//! its own lock).

use zxsim_async::{Dispatcher, Wait};
use zxsim_syscalls::kernel::{BindGuard, Process};
use zxsim_syscalls::sys;
use zxsim_syscalls::zx::{self, AsHandleRef, Status};

use crate::sync::{Arc, Mutex, MutexGuard};
use crate::unbind_info::UnbindInfo;
use crate::wire::{self, Encode, Header};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Phase {
    Bound,
    Unbinding(UnbindInfo),
    Done,
}

/// The client- or server-specific half of a binding.
pub(crate) trait Side: Send + Sized + 'static {
    /// What [`Side::accept`] checks out of the state for [`Side::perform`].
    type Work: Send;
    /// What [`Side::perform`] hands back (the checked-out user object).
    type Back: Send;
    /// What the finisher takes out of the state for [`Side::finish`].
    type Final: Send;

    /// Under the lock: what an incoming message means, or the reason it ends the binding.
    fn accept(&mut self, header: &Header, body: &[u8]) -> Result<Self::Work, UnbindInfo>;
    /// Without the lock: the to-user call for one message.
    fn perform(
        binding: &Arc<Binding<Self>>,
        work: Self::Work,
        header: &Header,
        body: &[u8],
    ) -> (Option<Self::Back>, Result<(), UnbindInfo>);
    /// Under the lock: puts a checked-out object back.
    fn restore(&mut self, back: Self::Back);
    /// Under the lock, as the phase becomes `Done`.
    fn take_final(&mut self) -> Self::Final;
    /// Without the lock: the final to-user calls. `channel` is the endpoint, to close or hand
    /// back.
    fn finish(last: Self::Final, info: UnbindInfo, channel: zx::Channel);
}

pub(crate) struct State<S> {
    pub(crate) phase: Phase,
    armed: bool,
    dispatching: bool,
    teardown_posted: bool,
    /// `None` only once `Done`.
    channel: Option<zx::Channel>,
    wait: Option<Wait>,
    /// Encoding buffer for outgoing messages.
    out: Vec<u8>,
    pub(crate) side: S,
}

impl<S> State<S> {
    pub(crate) fn is_bound(&self) -> bool {
        self.phase == Phase::Bound
    }

    /// Encodes and writes one message. `PEER_CLOSED` is the peer's business (the wait sees
    /// it); any other failure is the caller's to act on.
    pub(crate) fn write<T: Encode + ?Sized>(
        &mut self,
        header: Header,
        payload: &T,
    ) -> Result<(), Status> {
        let channel = self.channel.as_ref().ok_or(Status::BAD_STATE)?;
        wire::encode_message(&mut self.out, header, payload);
        zx::ok(sys::zx_channel_write(
            channel.raw_handle(),
            0,
            &self.out,
            &[],
        ))
    }

    fn write_epitaph(&mut self, epitaph: Status) {
        if let Some(channel) = &self.channel {
            wire::encode_epitaph(&mut self.out, epitaph);
            // The peer may be gone already; an epitaph is best-effort by definition.
            let _ = sys::zx_channel_write(channel.raw_handle(), 0, &self.out, &[]);
        }
    }
}

pub(crate) struct Binding<S: Side> {
    pub(crate) dispatcher: Dispatcher,
    /// The process whose handle table holds the channel (the binder's, which must be the
    /// dispatcher's: the wait names the channel by its handle value).
    process: Arc<Process>,
    state: Mutex<State<S>>,
}

/// The read buffer's first size, and the most it ever grows to (any message the kernel accepts).
const FIRST_READ_BYTES: usize = 512;
const READ_BYTES: usize = sys::ZX_CHANNEL_MAX_MSG_BYTES as usize;
const READ_HANDLES: usize = sys::ZX_CHANNEL_MAX_MSG_HANDLES as usize;

impl<S: Side> Binding<S> {
    /// Binds `channel` on `dispatcher` and arms the wait. `BAD_STATE` if the dispatcher shut
    /// down (the channel is closed and `side` dropped).
    pub(crate) fn bind(
        dispatcher: &Dispatcher,
        channel: zx::Channel,
        side: S,
    ) -> Result<Arc<Binding<S>>, Status> {
        let binding = Arc::new(Binding {
            dispatcher: dispatcher.clone(),
            process: Process::current(),
            state: Mutex::new(State {
                phase: Phase::Bound,
                armed: false,
                dispatching: false,
                teardown_posted: false,
                channel: None,
                wait: None,
                out: Vec::new(),
                side,
            }),
        });
        let wait = {
            let binding = binding.clone();
            let (mut bytes, mut handles) = (Vec::new(), vec![0; READ_HANDLES]);
            Wait::new(
                dispatcher,
                &channel,
                zx::Signals::CHANNEL_READABLE | zx::Signals::CHANNEL_PEER_CLOSED,
                zx::WaitAsyncOpts::empty(),
                move |_, _, status, _| binding.on_wait(status, &mut bytes, &mut handles),
            )
        };
        let mut state = binding.state.lock();
        state.channel = Some(channel);
        match wait.begin() {
            Ok(()) => {
                state.armed = true;
                state.wait = Some(wait);
                drop(state);
                Ok(binding)
            }
            Err(status) => {
                state.phase = Phase::Done;
                let channel = state.channel.take();
                drop(state);
                // The wait's handler holds the binding: dropping the wait breaks the cycle.
                drop((wait, channel));
                Err(status)
            }
        }
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, State<S>> {
        self.state.lock()
    }

    /// Binds the binding's process on a thread bound to another process, or to none: to-binding
    /// calls (calls, replies, events, teardown) may come from any thread, and the channel's
    /// handle value means this channel only in its process. A thread already bound to it (every
    /// dispatcher thread) pays one thread-local read.
    pub(crate) fn enter(&self) -> Option<BindGuard> {
        if Process::with_current(|current| Arc::ptr_eq(current, &self.process)) {
            None
        } else {
            Some(self.process.bind())
        }
    }

    pub(crate) fn phase(&self) -> Phase {
        self.state.lock().phase
    }

    /// The wait's handler: dispatches the next message on the channel, then re-arms — or
    /// finishes teardown if it began meanwhile (or the loop is shutting down: `CANCELED`).
    fn on_wait(self: &Arc<Self>, status: Status, bytes: &mut Vec<u8>, handles: &mut [u32]) {
        let mut state = self.state.lock();
        state.armed = false;
        if status != Status::OK && state.phase == Phase::Bound {
            state.phase = Phase::Unbinding(UnbindInfo::dispatcher_shutdown());
        }
        match state.phase {
            Phase::Done => return,
            Phase::Unbinding(_) => return self.finish(state),
            Phase::Bound => {}
        }
        state.dispatching = true;
        if bytes.is_empty() {
            bytes.resize(FIRST_READ_BYTES, 0);
        }
        let mut late_back = None;
        // One message per wake, as the C++ bindings read: the re-armed (level) wait fires at
        // once while more are queued, and a lone message costs no extra SHOULD_WAIT read.
        'message: {
            let Some(channel) = state.channel.as_ref() else {
                break 'message;
            };
            let (mut n_bytes, mut n_handles) = (0u32, 0u32);
            let mut read = sys::ZX_ERR_BUFFER_TOO_SMALL;
            // The buffer grows to the largest message seen: a too-small read leaves the message
            // in the channel and says its size.
            for _ in 0..2 {
                read = sys::zx_channel_read(
                    channel.raw_handle(),
                    0,
                    bytes,
                    handles,
                    Some(&mut n_bytes),
                    Some(&mut n_handles),
                );
                if read != sys::ZX_ERR_BUFFER_TOO_SMALL {
                    break;
                }
                bytes.resize((n_bytes as usize).clamp(bytes.len(), READ_BYTES), 0);
            }
            match read {
                sys::ZX_OK => {}
                // A spurious wake-up (another reader took the message): wait again.
                sys::ZX_ERR_SHOULD_WAIT => break 'message,
                sys::ZX_ERR_PEER_CLOSED => {
                    state.phase = Phase::Unbinding(UnbindInfo::peer_closed(Status::PEER_CLOSED));
                    break 'message;
                }
                other => {
                    state.phase =
                        Phase::Unbinding(UnbindInfo::peer_closed(Status::from_raw(other)));
                    break 'message;
                }
            }
            if n_handles > 0 {
                // Payloads carry no handles: any that came along are destroyed, not leaked.
                sys::zx_handle_close_many(&handles[..n_handles as usize]);
            }
            let message = &bytes[..n_bytes as usize];
            let (header, body) = match Header::decode(message) {
                Ok(split) => split,
                Err(error) => {
                    state.phase = Phase::Unbinding(UnbindInfo::decode_error(error));
                    break 'message;
                }
            };
            tracing::trace!(
                target: "zxsim::bindings",
                txid = header.txid,
                ordinal = header.ordinal,
                "dispatching a message"
            );
            let work = match state.side.accept(&header, body) {
                Ok(work) => work,
                Err(info) => {
                    state.phase = Phase::Unbinding(info);
                    break 'message;
                }
            };
            drop(state);
            let (back, result) = S::perform(self, work, &header, body);
            state = self.state.lock();
            if let Some(back) = back {
                if state.phase == Phase::Done {
                    // Torn down from inside the call (a `Client` dropped by its own
                    // callback): the object is dropped below, outside the lock.
                    late_back = Some(back);
                } else {
                    state.side.restore(back);
                }
            }
            if let Err(info) = result {
                if state.phase == Phase::Bound {
                    state.phase = Phase::Unbinding(info);
                }
            }
        }
        state.dispatching = false;
        match state.phase {
            Phase::Done => drop(state),
            Phase::Unbinding(_) => self.finish(state),
            Phase::Bound => {
                let begun = state.wait.as_ref().map(Wait::begin);
                match begun {
                    Some(Ok(())) => {
                        state.armed = true;
                        drop(state);
                    }
                    _ => {
                        state.phase = Phase::Unbinding(UnbindInfo::dispatcher_shutdown());
                        self.finish(state);
                    }
                }
            }
        }
        drop(late_back);
    }

    /// Starts teardown from any thread and returns at once; `false` if it had already begun.
    /// With `epitaph`, the epitaph is written first (before any reply that would follow). The
    /// final to-user calls are made on the dispatcher: by the wait handler if it is dispatching
    /// or its packet was already taken, else by a posted teardown task — or, when shutdown has
    /// begun, by the loop's teardown cancelling the armed wait (G1).
    pub(crate) fn start_teardown(
        self: &Arc<Self>,
        info: UnbindInfo,
        epitaph: Option<Status>,
    ) -> bool {
        let _bound = self.enter();
        let mut state = self.state.lock();
        if state.phase != Phase::Bound {
            return false;
        }
        if let Some(epitaph) = epitaph {
            state.write_epitaph(epitaph);
        }
        state.phase = Phase::Unbinding(info);
        if state.dispatching || state.teardown_posted {
            return true;
        }
        let binding = self.clone();
        if self
            .dispatcher
            .post_task(move |_, _| binding.teardown_task())
            .is_ok()
        {
            state.teardown_posted = true;
        }
        true
    }

    /// The posted half of [`Binding::start_teardown`], on a dispatcher thread (or on the
    /// shutting-down thread with `CANCELED`, which changes nothing here).
    fn teardown_task(self: &Arc<Self>) {
        let mut state = self.state.lock();
        if !matches!(state.phase, Phase::Unbinding(_)) || state.dispatching {
            return;
        }
        if state.armed {
            match state.wait.as_ref().map(Wait::cancel) {
                Some(Ok(())) => state.armed = false,
                // NOT_FOUND: the handler's packet is taken; it runs next and finishes.
                _ => return,
            }
        }
        self.finish(state);
    }

    /// Tears down now, on a synchronized dispatcher's thread (the caller checked): the final
    /// to-user calls are made before this returns, and nothing is called afterwards. From a
    /// handler of a synchronized loop the cancel answers `OK` even if another loop thread already
    /// took the wait's packet (the dispatcher drops it: that thread waits for the serial lock
    /// and finds the key gone); should it answer `NOT_FOUND`, that handler finds the binding
    /// `Done` and returns.
    pub(crate) fn teardown_now(self: &Arc<Self>, info: UnbindInfo) {
        let mut state = self.state.lock();
        match state.phase {
            Phase::Done => return,
            Phase::Bound => state.phase = Phase::Unbinding(info),
            Phase::Unbinding(_) => {}
        }
        if state.armed && state.wait.as_ref().map(Wait::cancel) == Some(Ok(())) {
            state.armed = false;
        }
        self.finish(state);
    }

    /// `Done`: takes the channel, the wait and the side's final state, and makes the final
    /// to-user calls outside the lock.
    fn finish(&self, mut state: MutexGuard<'_, State<S>>) {
        let Phase::Unbinding(info) = state.phase else {
            return;
        };
        state.phase = Phase::Done;
        let channel = state.channel.take();
        let wait = state.wait.take();
        let last = state.side.take_final();
        drop(state);
        // The wait's handler holds this binding: dropping our clone breaks the cycle.
        drop(wait);
        tracing::debug!(target: "zxsim::bindings", %info, "binding torn down");
        if let Some(channel) = channel {
            S::finish(last, info, channel);
        }
    }
}
