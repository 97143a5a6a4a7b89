//! Server bindings: [`bind_server`], [`ServerBindingRef`] (`unbind`, `close`, events) and the
//! completers ([`Completer`], [`AsyncCompleter`]).
//!
//! A server binding is a [`Binding`] with a [`ServerSide`]: the implementation, owned by the
//! binding, checked out while one of its methods runs, and handed to the unbound handler — by
//! value — as the final to-user call. Owning it is what rules out, in Rust, the C++ hazard of an
//! unbound handler or a late method call reaching a destroyed implementation.

use std::marker::PhantomData;

use zxsim_async::Dispatcher;
use zxsim_syscalls::zx::{self, Status};

use crate::binding::{Binding, Phase, Side};
use crate::protocol::{Event, IncomingRequest, Method, Protocol, ServerEnd, ServerProtocol};
use crate::sync::Arc;
use crate::unbind_info::UnbindInfo;
use crate::wire::{Encode, Header, EPITAPH_ORDINAL};

/// A server implementation and its unbound handler, type-erased.
pub(crate) trait ErasedServer: Send {
    fn dispatch(
        &mut self,
        binding: &Arc<Binding<ServerSide>>,
        header: &Header,
        body: &[u8],
    ) -> Result<(), UnbindInfo>;
    fn unbound(self: Box<Self>, info: UnbindInfo, channel: zx::Channel);
}

struct HeldServer<P, S, F> {
    server: S,
    on_unbound: F,
    _protocol: PhantomData<fn() -> P>,
}

impl<P, S, F> ErasedServer for HeldServer<P, S, F>
where
    P: ServerProtocol<S>,
    S: Send + 'static,
    F: FnOnce(S, UnbindInfo, Option<ServerEnd<P>>) + Send + 'static,
{
    fn dispatch(
        &mut self,
        binding: &Arc<Binding<ServerSide>>,
        header: &Header,
        body: &[u8],
    ) -> Result<(), UnbindInfo> {
        P::dispatch(
            &mut self.server,
            IncomingRequest {
                header,
                body,
                binding,
            },
        )
    }

    /// The endpoint comes back only for `unbind()`; otherwise it is closed first.
    fn unbound(self: Box<Self>, info: UnbindInfo, channel: zx::Channel) {
        let end = if info.reason() == crate::Reason::Unbind {
            Some(ServerEnd::new(channel))
        } else {
            drop(channel);
            None
        };
        let HeldServer {
            server, on_unbound, ..
        } = *self;
        on_unbound(server, info, end);
    }
}

pub(crate) struct ServerSide {
    server: Option<Box<dyn ErasedServer>>,
}

impl Side for ServerSide {
    type Work = Box<dyn ErasedServer>;
    type Back = Box<dyn ErasedServer>;
    type Final = Option<Box<dyn ErasedServer>>;

    fn accept(&mut self, header: &Header, _body: &[u8]) -> Result<Self::Work, UnbindInfo> {
        if header.ordinal == EPITAPH_ORDINAL {
            return Err(UnbindInfo::unexpected_message());
        }
        self.server
            .take()
            .ok_or_else(UnbindInfo::unexpected_message)
    }

    fn perform(
        binding: &Arc<Binding<ServerSide>>,
        mut server: Self::Work,
        header: &Header,
        body: &[u8],
    ) -> (Option<Self::Back>, Result<(), UnbindInfo>) {
        let result = server.dispatch(binding, header, body);
        (Some(server), result)
    }

    fn restore(&mut self, back: Self::Back) {
        self.server = Some(back);
    }

    fn take_final(&mut self) -> Self::Final {
        self.server.take()
    }

    fn finish(last: Self::Final, info: UnbindInfo, channel: zx::Channel) {
        match last {
            Some(server) => server.unbound(info, channel),
            None => drop(channel),
        }
    }
}

/// Binds `server` to `server_end` on `dispatcher` (the seed's `fidl::BindServer`). Requests are
/// dispatched one at a time, on dispatcher threads. `on_unbound` is the **final to-user call**:
/// it runs once, after every in-flight method handler returned, with the implementation (by
/// value), the reason, and — for [`ServerBindingRef::unbind`] only — the endpoint. Shutting
/// the dispatcher down completes the teardown of its live bindings (reason
/// `DispatcherShutdown`, possibly on the shutting-down thread). `BAD_STATE` if the dispatcher
/// already shut down.
pub fn bind_server<P, S, F>(
    dispatcher: &Dispatcher,
    server_end: ServerEnd<P>,
    server: S,
    on_unbound: F,
) -> Result<ServerBindingRef<P>, Status>
where
    P: ServerProtocol<S>,
    S: Send + 'static,
    F: FnOnce(S, UnbindInfo, Option<ServerEnd<P>>) + Send + 'static,
{
    let side = ServerSide {
        server: Some(Box::new(HeldServer::<P, S, F> {
            server,
            on_unbound,
            _protocol: PhantomData,
        })),
    };
    Ok(ServerBindingRef {
        binding: Binding::bind(dispatcher, server_end.into_channel(), side)?,
        _protocol: PhantomData,
    })
}

/// A reference to a server binding, from any thread. Dropping it does nothing: a server binding
/// lives until it is unbound, closed, its peer closes, an error, or the dispatcher's shutdown.
pub struct ServerBindingRef<P> {
    binding: Arc<Binding<ServerSide>>,
    _protocol: PhantomData<fn() -> P>,
}

impl<P> Clone for ServerBindingRef<P> {
    fn clone(&self) -> Self {
        ServerBindingRef {
            binding: self.binding.clone(),
            _protocol: PhantomData,
        }
    }
}

impl<P: Protocol> ServerBindingRef<P> {
    /// Starts teardown and returns at once; the endpoint comes back through the unbound handler.
    /// Called from a method handler (or any task) on a synchronized dispatcher, no method of
    /// the implementation is called after it returns. From another thread, a handler in flight
    /// finishes first and the unbound handler runs after it returned.
    pub fn unbind(&self) {
        self.binding.start_teardown(UnbindInfo::unbind(), None);
    }

    /// Like [`ServerBindingRef::unbind`], but sends `epitaph` first and closes the endpoint.
    pub fn close(&self, epitaph: Status) {
        self.binding
            .start_teardown(UnbindInfo::close(epitaph), Some(epitaph));
    }

    /// Sends an event. `CANCELED` once teardown began (the event is discarded), else the
    /// channel's answer (`PEER_CLOSED`, ...).
    pub fn send_event<E: Event<Protocol = P>>(&self, payload: &E::Payload) -> Result<(), Status> {
        let _bound = self.binding.enter();
        let mut state = self.binding.lock();
        if !state.is_bound() {
            return Err(Status::CANCELED);
        }
        state.write(Header::new(0, E::ORDINAL), payload)
    }

    /// Whether the binding still dispatches (no teardown began).
    pub fn is_bound(&self) -> bool {
        self.binding.phase() == Phase::Bound
    }
}

/// Writes a reply unless teardown began; a failure other than `PEER_CLOSED` ends the binding.
fn reply_on<T: Encode>(binding: &Arc<Binding<ServerSide>>, txid: u32, ordinal: u64, payload: &T) {
    let _bound = binding.enter();
    let mut state = binding.lock();
    if !state.is_bound() {
        tracing::trace!(target: "zxsim::bindings", txid, "reply after teardown discarded");
        return;
    }
    match state.write(Header::new(txid, ordinal), payload) {
        Ok(()) | Err(Status::PEER_CLOSED) => {}
        Err(status) => {
            drop(state);
            binding.start_teardown(UnbindInfo::encode_error(status), None);
        }
    }
}

/// The completer a method handler receives (the seed's `Completer::Sync`): reply at most once —
/// the methods take `self`, so the type system enforces it — here, or move it to another thread
/// with [`Completer::to_async`]. It is `!Send`, so only `to_async` lets it leave the handler's
/// thread. A reply after teardown began is discarded silently. Dropping it unreplied leaves the
/// client's call pending until teardown (and is logged).
pub struct Completer<M: Method> {
    inner: AsyncCompleter<M>,
    _not_send: PhantomData<*const ()>,
}

impl<M: Method> Completer<M> {
    pub(crate) fn new(binding: Arc<Binding<ServerSide>>, txid: u32) -> Completer<M> {
        Completer {
            inner: AsyncCompleter {
                binding,
                txid,
                replied: false,
                _method: PhantomData,
            },
            _not_send: PhantomData,
        }
    }

    pub fn reply(self, response: M::Response) {
        self.inner.reply(response)
    }

    /// Sends `epitaph` and tears the binding down (see [`ServerBindingRef::close`]).
    pub fn close(self, epitaph: Status) {
        self.inner.close(epitaph)
    }

    /// A completer to reply later, from any thread.
    pub fn to_async(self) -> AsyncCompleter<M> {
        self.inner
    }
}

/// A completer that may reply later from any thread (`Completer::to_async`). Reply at most
/// once (enforced by `self`); a reply after teardown is discarded silently.
pub struct AsyncCompleter<M: Method> {
    binding: Arc<Binding<ServerSide>>,
    txid: u32,
    replied: bool,
    _method: PhantomData<fn() -> M>,
}

impl<M: Method> AsyncCompleter<M> {
    pub fn reply(mut self, response: M::Response) {
        self.replied = true;
        reply_on(&self.binding, self.txid, M::ORDINAL, &response);
    }

    /// Sends `epitaph` and tears the binding down (see [`ServerBindingRef::close`]).
    pub fn close(mut self, epitaph: Status) {
        self.replied = true;
        self.binding
            .start_teardown(UnbindInfo::close(epitaph), Some(epitaph));
    }
}

impl<M: Method> Drop for AsyncCompleter<M> {
    fn drop(&mut self) {
        if !self.replied {
            tracing::warn!(
                target: "zxsim::bindings",
                method = M::NAME,
                txid = self.txid,
                "completer dropped without a reply"
            );
        }
    }
}
