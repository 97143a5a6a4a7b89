//! Clients: [`Client`] (its synchronized dispatcher only; dropping it tears down at once) and
//! [`SharedClient`] (any thread; teardown is two-phase), their calls ([`PendingCall`]) and
//! teardown observers.
//!
//! Both are a [`Binding`] with a [`ClientSide`]: the pending two-way calls by txid, the owned
//! event handler and the teardown observer. A response is matched to its call by txid under the
//! binding's lock and its callback checked out, so a callback runs at most once, and either
//! runs (with the response) or is taken by teardown (dropped for `then`, called with the
//! cancellation status for `then_exactly_once`) — never both.

use std::cell::Cell;
use std::collections::HashMap;
use std::marker::PhantomData;

use rustc_hash::FxBuildHasher;
use zxsim_async::Dispatcher;
use zxsim_syscalls::zx::{self, Status};

use crate::binding::{Binding, Phase, Side};
use crate::protocol::{epitaph_info, ClientEnd, EventProtocol, IncomingEvent, Method, Protocol};
use crate::sync::Arc;
use crate::unbind_info::UnbindInfo;
use crate::wire::{self, Header, EPITAPH_ORDINAL};

/// A response callback, type-erased: decodes the body (or takes the error) and calls the user's
/// closure; `Err` if the body did not decode (the user got `INVALID_ARGS`).
type Respond = Box<dyn FnOnce(Result<&[u8], Status>) -> Result<(), wire::DecodeError> + Send>;

pub(crate) struct PendingResponse {
    ordinal: u64,
    exactly_once: bool,
    respond: Respond,
}

/// An event handler, type-erased.
pub(crate) trait ErasedHandler: Send {
    fn event(&mut self, header: &Header, body: &[u8]) -> Result<(), UnbindInfo>;
    fn error(&mut self, info: UnbindInfo);
}

struct HeldHandler<P, H> {
    handler: H,
    _protocol: PhantomData<fn() -> P>,
}

impl<P: EventProtocol<H>, H: Send + 'static> ErasedHandler for HeldHandler<P, H> {
    fn event(&mut self, header: &Header, body: &[u8]) -> Result<(), UnbindInfo> {
        P::dispatch_event(&mut self.handler, IncomingEvent { header, body })
    }
    fn error(&mut self, info: UnbindInfo) {
        P::on_fidl_error(&mut self.handler, info)
    }
}

/// Notified exactly once when a [`SharedClient`]'s teardown is complete: after its last
/// to-user call, and before nothing else (two-phase shutdown).
pub struct TeardownObserver(Box<dyn FnOnce() + Send>);

/// A teardown observer that calls `f` (e.g. to destroy the objects the callbacks use).
pub fn observe_teardown(f: impl FnOnce() + Send + 'static) -> TeardownObserver {
    TeardownObserver(Box::new(f))
}

/// A teardown observer that keeps a reference to `object` until teardown is complete, then drops
/// it (the object dies then if that was the last reference).
pub fn share_until_teardown<T: Send + Sync + 'static>(object: Arc<T>) -> TeardownObserver {
    TeardownObserver(Box::new(move || drop(object)))
}

impl std::fmt::Debug for TeardownObserver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TeardownObserver")
    }
}

pub(crate) struct ClientSide {
    next_txid: u32,
    /// Txids are small sequential integers chosen here: Fx hashing, not SipHash's flood
    /// resistance.
    pending: HashMap<u32, PendingResponse, FxBuildHasher>,
    handler: Option<Box<dyn ErasedHandler>>,
    observer: Option<TeardownObserver>,
}

pub(crate) enum ClientWork {
    Response(PendingResponse),
    Event(Box<dyn ErasedHandler>),
}

pub(crate) struct ClientFinal {
    pending: Vec<(u32, PendingResponse)>,
    handler: Option<Box<dyn ErasedHandler>>,
    observer: Option<TeardownObserver>,
}

impl Side for ClientSide {
    type Work = ClientWork;
    type Back = Box<dyn ErasedHandler>;
    type Final = ClientFinal;

    fn accept(&mut self, header: &Header, body: &[u8]) -> Result<ClientWork, UnbindInfo> {
        if header.ordinal == EPITAPH_ORDINAL {
            return Err(epitaph_info(body));
        }
        if header.txid != 0 {
            return match self.pending.remove(&header.txid) {
                Some(pending) if pending.ordinal == header.ordinal => {
                    Ok(ClientWork::Response(pending))
                }
                // A response to no call (or to another method): the server is broken. The
                // call's callback stays with teardown, which settles it.
                Some(pending) => {
                    self.pending.insert(header.txid, pending);
                    Err(UnbindInfo::unexpected_message())
                }
                None => Err(UnbindInfo::unexpected_message()),
            };
        }
        match self.handler.take() {
            Some(handler) => Ok(ClientWork::Event(handler)),
            None => Err(UnbindInfo::unexpected_message()),
        }
    }

    fn perform(
        _binding: &Arc<Binding<ClientSide>>,
        work: ClientWork,
        header: &Header,
        body: &[u8],
    ) -> (Option<Box<dyn ErasedHandler>>, Result<(), UnbindInfo>) {
        match work {
            ClientWork::Response(pending) => (
                None,
                (pending.respond)(Ok(body)).map_err(UnbindInfo::decode_error),
            ),
            ClientWork::Event(mut handler) => {
                let result = handler.event(header, body);
                (Some(handler), result)
            }
        }
    }

    fn restore(&mut self, back: Box<dyn ErasedHandler>) {
        self.handler = Some(back);
    }

    fn take_final(&mut self) -> ClientFinal {
        let mut pending: Vec<_> = self.pending.drain().collect();
        pending.sort_by_key(|(txid, _)| *txid);
        ClientFinal {
            pending,
            handler: self.handler.take(),
            observer: self.observer.take(),
        }
    }

    /// The final to-user calls of a client, in order: `on_fidl_error` (errors only), each
    /// pending `then_exactly_once` callback with the cancellation status (`then` callbacks are
    /// dropped uncalled), then the event handler is dropped and the observer called.
    fn finish(last: ClientFinal, info: UnbindInfo, channel: zx::Channel) {
        drop(channel);
        let ClientFinal {
            pending,
            mut handler,
            observer,
        } = last;
        if !info.is_user_initiated() {
            if let Some(handler) = handler.as_mut() {
                handler.error(info);
            }
        }
        let status = info.cancellation_status();
        for (_, call) in pending {
            if call.exactly_once {
                let _ = (call.respond)(Err(status));
            }
        }
        drop(handler);
        if let Some(TeardownObserver(observe)) = observer {
            observe();
        }
    }
}

fn bind_client<P: EventProtocol<H>, H: Send + 'static>(
    client_end: ClientEnd<P>,
    dispatcher: &Dispatcher,
    handler: H,
    observer: Option<TeardownObserver>,
) -> Result<Arc<Binding<ClientSide>>, Status> {
    let side = ClientSide {
        next_txid: 1,
        pending: HashMap::default(),
        handler: Some(Box::new(HeldHandler::<P, H> {
            handler,
            _protocol: PhantomData,
        })),
        observer,
    };
    Binding::bind(dispatcher, client_end.into_channel(), side)
}

/// A two-way call waiting for its continuation: the request is sent when [`PendingCall::then`]
/// or [`PendingCall::then_exactly_once`] registers one.
#[must_use = "a call is sent only when a continuation is registered with then / then_exactly_once"]
pub struct PendingCall<'a, M: Method> {
    binding: &'a Arc<Binding<ClientSide>>,
    /// A `Client`'s call: checked to be on its dispatcher's thread.
    checked: bool,
    request: M::Request,
}

impl<M: Method> PendingCall<'_, M> {
    /// Sends the call; `callback` gets the response — or is dropped **without being called** if
    /// teardown comes first. Safe for callbacks whose captures die with the client (the
    /// seed's `Then`).
    pub fn then(self, callback: impl FnOnce(Result<M::Response, Status>) + Send + 'static) {
        self.send(false, callback)
    }

    /// Sends the call; `callback` is called exactly once: with the response, or with the
    /// cancellation status if teardown comes first (`CANCELED` for user-initiated teardown and
    /// dispatcher shutdown, the error's status otherwise, `INVALID_ARGS` for an undecodable
    /// response). On a client already torn down it is called at once with `CANCELED`.
    pub fn then_exactly_once(
        self,
        callback: impl FnOnce(Result<M::Response, Status>) + Send + 'static,
    ) {
        self.send(true, callback)
    }

    fn send(
        self,
        exactly_once: bool,
        callback: impl FnOnce(Result<M::Response, Status>) + Send + 'static,
    ) {
        if self.checked {
            check_thread(&self.binding.dispatcher, "call");
        }
        let respond: Respond = Box::new(move |outcome| match outcome {
            Ok(body) => match wire::decode_body::<M::Response>(body) {
                Ok(response) => {
                    callback(Ok(response));
                    Ok(())
                }
                Err(error) => {
                    callback(Err(error.status()));
                    Err(error)
                }
            },
            Err(status) => {
                callback(Err(status));
                Ok(())
            }
        });
        let pending = PendingResponse {
            ordinal: M::ORDINAL,
            exactly_once,
            respond,
        };
        let bound = self.binding.enter();
        let mut state = self.binding.lock();
        if state.phase == Phase::Done {
            // The callback runs in the caller's own process context.
            drop((state, bound));
            if exactly_once {
                let _ = (pending.respond)(Err(Status::CANCELED));
            }
            return;
        }
        let side = &mut state.side;
        // Never 0 (events) and never one still pending (after the counter wrapped).
        let txid = loop {
            let txid = side.next_txid;
            side.next_txid = txid.checked_add(1).unwrap_or(1);
            if !side.pending.contains_key(&txid) {
                break txid;
            }
        };
        side.pending.insert(txid, pending);
        if !state.is_bound() {
            // Teardown has begun: the finisher settles the call.
            return;
        }
        match state.write(Header::new(txid, M::ORDINAL), &self.request) {
            // PEER_CLOSED: the wait sees it and the teardown settles the call.
            Ok(()) | Err(Status::PEER_CLOSED) => {}
            Err(status) => {
                drop(state);
                self.binding
                    .start_teardown(UnbindInfo::encode_error(status), None);
            }
        }
    }
}

fn check_thread(dispatcher: &Dispatcher, what: &str) {
    assert!(
        dispatcher.is_current(),
        "zxsim_bindings::Client::{what} on a thread that is not running its dispatcher: a Client \
         is used only from its synchronized dispatcher's tasks (use SharedClient elsewhere)"
    );
}

/// A client for its synchronized dispatcher only (the seed's `fidl::Client`).
///
/// - **Threading check.** [`Client::bind`], every call and the drop must run on a thread that
///   is running the dispatcher (inside its `run` or one of its handlers), which must be
///   synchronized: otherwise they **panic** — the C++ bindings' threading checks abort. The one
///   exception: dropping a client whose binding already tore down (an error, or the loop's
///   shutdown) is allowed anywhere, since nothing can race it.
/// - **Teardown at once.** Dropping the client tears down before `drop` returns: pending `then`
///   callbacks are dropped uncalled, pending `then_exactly_once` callbacks are called with
///   `CANCELED`, the event handler is dropped — and no to-user call is made after `drop`
///   returns. (The C++ bindings deliver the cancellations later, from the loop; doing it
///   inside `drop` is what makes "drop returned" mean "teardown complete". The callbacks own
///   what they capture, so either order is memory-safe.) User-initiated teardown is not
///   reported to `on_fidl_error`.
/// - `Send` (it may move into a task of its dispatcher) but not `Sync`.
pub struct Client<P: Protocol> {
    binding: Arc<Binding<ClientSide>>,
    _protocol: PhantomData<fn() -> P>,
    _not_sync: PhantomData<Cell<()>>,
}

impl<P: Protocol> Client<P> {
    /// Binds `client_end` on `dispatcher` (synchronized, and running on this thread — else a
    /// panic) with an owned event handler. `BAD_STATE` if the dispatcher shut down.
    pub fn bind<H: Send + 'static>(
        client_end: ClientEnd<P>,
        dispatcher: &Dispatcher,
        handler: H,
    ) -> Result<Client<P>, Status>
    where
        P: EventProtocol<H>,
    {
        assert!(
            dispatcher.is_synchronized(),
            "zxsim_bindings::Client needs a synchronized dispatcher (use SharedClient)"
        );
        check_thread(dispatcher, "bind");
        Ok(Client {
            binding: bind_client(client_end, dispatcher, handler, None)?,
            _protocol: PhantomData,
            _not_sync: PhantomData,
        })
    }

    /// A two-way call, sent when a continuation is registered.
    pub fn call<M: Method<Protocol = P>>(&self, request: M::Request) -> PendingCall<'_, M> {
        check_thread(&self.binding.dispatcher, "call");
        PendingCall {
            binding: &self.binding,
            checked: true,
            request,
        }
    }

    /// Whether the binding still dispatches (no teardown began).
    pub fn is_bound(&self) -> bool {
        self.binding.phase() == Phase::Bound
    }
}

impl<P: Protocol> Drop for Client<P> {
    fn drop(&mut self) {
        if self.binding.phase() == Phase::Done || std::thread::panicking() {
            return;
        }
        check_thread(&self.binding.dispatcher, "drop");
        self.binding.teardown_now(UnbindInfo::unbind());
    }
}

impl<P: Protocol> std::fmt::Debug for Client<P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("protocol", &P::NAME)
            .field("phase", &self.binding.phase())
            .finish()
    }
}

/// Starts teardown when the last [`SharedClient`] clone is dropped.
struct Owner {
    binding: Arc<Binding<ClientSide>>,
}

impl Drop for Owner {
    fn drop(&mut self) {
        self.binding.start_teardown(UnbindInfo::unbind(), None);
    }
}

/// A client usable from any thread (the seed's `fidl::SharedClient`); clones share the binding.
///
/// - **Two-phase shutdown.** Dropping the last clone, or [`SharedClient::async_teardown`], only
///   *starts* teardown and returns at once; to-user calls already running on dispatcher
///   threads may still finish. Teardown completes on the dispatcher (or on the thread shutting
///   it down): pending `then_exactly_once` callbacks get `CANCELED` (or the error), `then`
///   callbacks are dropped, then the owned event handler is dropped and the
///   [`TeardownObserver`] runs — exactly once, after the last to-user call, and nothing is
///   called after it. Destroy what the callbacks use from there.
/// - A reply racing teardown: its callback gets the response or is cancelled, never both.
#[derive(Clone)]
pub struct SharedClient<P: Protocol> {
    owner: Arc<Owner>,
    _protocol: PhantomData<fn() -> P>,
}

impl<P: Protocol> SharedClient<P> {
    /// Binds with an owned event handler, dropped when teardown is complete.
    pub fn bind<H: Send + 'static>(
        client_end: ClientEnd<P>,
        dispatcher: &Dispatcher,
        handler: H,
    ) -> Result<SharedClient<P>, Status>
    where
        P: EventProtocol<H>,
    {
        Self::bind_inner(client_end, dispatcher, handler, None)
    }

    /// Binds with an event handler and a teardown observer ([`observe_teardown`],
    /// [`share_until_teardown`]), notified after the handler is dropped.
    pub fn bind_with_observer<H: Send + 'static>(
        client_end: ClientEnd<P>,
        dispatcher: &Dispatcher,
        handler: H,
        observer: TeardownObserver,
    ) -> Result<SharedClient<P>, Status>
    where
        P: EventProtocol<H>,
    {
        Self::bind_inner(client_end, dispatcher, handler, Some(observer))
    }

    fn bind_inner<H: Send + 'static>(
        client_end: ClientEnd<P>,
        dispatcher: &Dispatcher,
        handler: H,
        observer: Option<TeardownObserver>,
    ) -> Result<SharedClient<P>, Status>
    where
        P: EventProtocol<H>,
    {
        Ok(SharedClient {
            owner: Arc::new(Owner {
                binding: bind_client(client_end, dispatcher, handler, observer)?,
            }),
            _protocol: PhantomData,
        })
    }

    /// A two-way call from any thread, sent when a continuation is registered.
    pub fn call<M: Method<Protocol = P>>(&self, request: M::Request) -> PendingCall<'_, M> {
        PendingCall {
            binding: &self.owner.binding,
            checked: false,
            request,
        }
    }

    /// Starts teardown (phase one of two) and returns at once; see the type's doc.
    pub fn async_teardown(&self) {
        self.owner
            .binding
            .start_teardown(UnbindInfo::unbind(), None);
    }

    /// Whether the binding still dispatches (no teardown began).
    pub fn is_bound(&self) -> bool {
        self.owner.binding.phase() == Phase::Bound
    }
}

impl<P: Protocol> std::fmt::Debug for SharedClient<P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SharedClient")
            .field("protocol", &P::NAME)
            .field("phase", &self.owner.binding.phase())
            .finish()
    }
}
