//! Protocols declared in Rust: the [`Protocol`], [`Method`] and [`Event`] traits, typed
//! endpoints, and the [`protocol!`](crate::protocol) macro that writes them (with a server
//! trait, an event-handler trait and a calls trait) from a dozen lines.

use std::marker::PhantomData;

use zxsim_syscalls::zx::{self, AsHandleRef};

use crate::unbind_info::UnbindInfo;
use crate::wire::{self, Header, Payload};

/// A protocol: a name, methods and events.
pub trait Protocol: Send + Sync + 'static {
    const NAME: &'static str;
}

/// A two-way method of protocol `Protocol`.
pub trait Method: Send + 'static {
    type Protocol: Protocol;
    const NAME: &'static str;
    const ORDINAL: u64;
    type Request: Payload;
    type Response: Payload;
}

/// An event (server to client, txid 0) of protocol `Protocol`.
pub trait Event: Send + 'static {
    type Protocol: Protocol;
    const NAME: &'static str;
    const ORDINAL: u64;
    type Payload: Payload;
}

/// How a protocol dispatches requests to a server implementation `S` (written by
/// [`protocol!`](crate::protocol)).
pub trait ServerProtocol<S>: Protocol {
    fn dispatch(server: &mut S, request: IncomingRequest<'_>) -> Result<(), UnbindInfo>;
}

/// How a protocol dispatches events to an event handler `H` (written by
/// [`protocol!`](crate::protocol)).
pub trait EventProtocol<H>: Protocol {
    fn dispatch_event(handler: &mut H, event: IncomingEvent<'_>) -> Result<(), UnbindInfo>;
    fn on_fidl_error(handler: &mut H, info: UnbindInfo);
}

/// The event handler of a client that needs none: events (known ones) and errors are ignored.
/// An event with an ordinal the protocol does not declare is still an unexpected message.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoEventHandler;

/// One request as a server's dispatch sees it.
pub struct IncomingRequest<'a> {
    pub(crate) header: &'a Header,
    pub(crate) body: &'a [u8],
    pub(crate) binding: &'a crate::sync::Arc<crate::binding::Binding<crate::server::ServerSide>>,
}

impl IncomingRequest<'_> {
    pub fn ordinal(&self) -> u64 {
        self.header.ordinal
    }

    /// The request payload and its completer; a decode error (or a one-way message for a
    /// two-way method) ends the binding.
    pub fn decode<M: Method>(
        &self,
    ) -> Result<(M::Request, crate::server::Completer<M>), UnbindInfo> {
        if self.header.txid == 0 {
            return Err(UnbindInfo::unexpected_message());
        }
        let request = wire::decode_body(self.body).map_err(UnbindInfo::decode_error)?;
        Ok((
            request,
            crate::server::Completer::new(self.binding.clone(), self.header.txid),
        ))
    }

    /// The reason for an ordinal the protocol does not know.
    pub fn unexpected(&self) -> UnbindInfo {
        UnbindInfo::unexpected_message()
    }
}

/// One event as a client's dispatch sees it.
pub struct IncomingEvent<'a> {
    pub(crate) header: &'a Header,
    pub(crate) body: &'a [u8],
}

impl IncomingEvent<'_> {
    pub fn ordinal(&self) -> u64 {
        self.header.ordinal
    }

    pub fn decode<E: Event>(&self) -> Result<E::Payload, UnbindInfo> {
        wire::decode_body(self.body).map_err(UnbindInfo::decode_error)
    }

    pub fn unexpected(&self) -> UnbindInfo {
        UnbindInfo::unexpected_message()
    }
}

/// The client end of a channel speaking protocol `P`.
#[derive(Debug)]
pub struct ClientEnd<P> {
    channel: zx::Channel,
    _protocol: PhantomData<fn() -> P>,
}

/// The server end of a channel speaking protocol `P`.
#[derive(Debug)]
pub struct ServerEnd<P> {
    channel: zx::Channel,
    _protocol: PhantomData<fn() -> P>,
}

macro_rules! endpoint {
    ($end:ident) => {
        impl<P> $end<P> {
            pub fn new(channel: zx::Channel) -> $end<P> {
                $end {
                    channel,
                    _protocol: PhantomData,
                }
            }
            pub fn channel(&self) -> &zx::Channel {
                &self.channel
            }
            pub fn into_channel(self) -> zx::Channel {
                self.channel
            }
            pub fn is_valid(&self) -> bool {
                self.channel.raw_handle() != zxsim_syscalls::sys::ZX_HANDLE_INVALID
            }
        }
    };
}
endpoint!(ClientEnd);
endpoint!(ServerEnd);

/// A channel's two ends, typed for protocol `P`.
pub fn create_endpoints<P: Protocol>() -> (ClientEnd<P>, ServerEnd<P>) {
    let (client, server) = zx::Channel::create();
    (ClientEnd::new(client), ServerEnd::new(server))
}

/// An epitaph received by a client ends its binding with this status.
pub(crate) fn epitaph_info(body: &[u8]) -> UnbindInfo {
    match wire::decode_epitaph(body) {
        Ok(status) => UnbindInfo::peer_closed(status),
        Err(error) => UnbindInfo::decode_error(error),
    }
}

/// Declares a protocol: a marker type implementing [`Protocol`], one type per method and event,
/// a server trait, an event-handler trait (every method has a default) and a calls trait
/// implemented for [`Client`](crate::Client) and [`SharedClient`](crate::SharedClient).
///
/// ```
/// zxsim_bindings::protocol! {
///     /// Echoes strings back.
///     pub protocol Echo {
///         server EchoServer;
///         events EchoEventHandler;
///         calls EchoCalls;
///         method echo_string(EchoString = 0x7a1d_0001): String => String;
///         event on_string(OnString = 0x7a1d_0002): String;
///     }
/// }
/// ```
///
/// Methods are two-way (`request => response`); events are one-way from server to client.
/// Ordinals must be distinct, non-zero and not `u64::MAX` (the epitaph's).
#[macro_export]
macro_rules! protocol {
    (
        $(#[$meta:meta])*
        $vis:vis protocol $name:ident {
            server $server:ident;
            events $handler:ident;
            calls $calls:ident;
            $( method $method:ident ( $mtype:ident = $mord:expr ) : $req:ty => $resp:ty ; )*
            $( event $event:ident ( $etype:ident = $eord:expr ) : $payload:ty ; )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, Default)]
        $vis struct $name;

        impl $crate::Protocol for $name {
            const NAME: &'static str = stringify!($name);
        }

        $(
            #[doc = concat!("The `", stringify!($method), "` method of `", stringify!($name), "`.")]
            #[derive(Clone, Copy, Debug, Default)]
            $vis struct $mtype;
            impl $crate::Method for $mtype {
                type Protocol = $name;
                const NAME: &'static str = stringify!($method);
                const ORDINAL: u64 = $mord;
                type Request = $req;
                type Response = $resp;
            }
        )*

        $(
            #[doc = concat!("The `", stringify!($event), "` event of `", stringify!($name), "`.")]
            #[derive(Clone, Copy, Debug, Default)]
            $vis struct $etype;
            impl $crate::Event for $etype {
                type Protocol = $name;
                const NAME: &'static str = stringify!($event);
                const ORDINAL: u64 = $eord;
                type Payload = $payload;
            }
        )*

        #[doc = concat!("A server of `", stringify!($name), "`: one handler per method.")]
        $vis trait $server: Send + 'static {
            $(
                fn $method(&mut self, request: $req, completer: $crate::Completer<$mtype>);
            )*
        }

        impl<S: $server> $crate::ServerProtocol<S> for $name {
            fn dispatch(
                server: &mut S,
                request: $crate::IncomingRequest<'_>,
            ) -> ::std::result::Result<(), $crate::UnbindInfo> {
                $(
                    if request.ordinal() == <$mtype as $crate::Method>::ORDINAL {
                        let (payload, completer) = request.decode::<$mtype>()?;
                        server.$method(payload, completer);
                        return Ok(());
                    }
                )*
                Err(request.unexpected())
            }
        }

        #[doc = concat!(
            "Events of `", stringify!($name), "` and binding errors, as a client sees them."
        )]
        $vis trait $handler: Send + 'static {
            $(
                fn $event(&mut self, event: $payload) {
                    let _ = event;
                }
            )*
            /// Teardown for any reason but the user's own.
            fn on_fidl_error(&mut self, info: $crate::UnbindInfo) {
                let _ = info;
            }
        }

        impl $handler for $crate::NoEventHandler {}

        impl<H: $handler> $crate::EventProtocol<H> for $name {
            fn dispatch_event(
                handler: &mut H,
                event: $crate::IncomingEvent<'_>,
            ) -> ::std::result::Result<(), $crate::UnbindInfo> {
                $(
                    if event.ordinal() == <$etype as $crate::Event>::ORDINAL {
                        let payload = event.decode::<$etype>()?;
                        handler.$event(payload);
                        return Ok(());
                    }
                )*
                Err(event.unexpected())
            }
            fn on_fidl_error(handler: &mut H, info: $crate::UnbindInfo) {
                $handler::on_fidl_error(handler, info)
            }
        }

        #[doc = concat!("The calls of `", stringify!($name), "`, on `Client` and `SharedClient`.")]
        $vis trait $calls {
            $(
                fn $method(&self, request: $req) -> $crate::PendingCall<'_, $mtype>;
            )*
        }

        impl $calls for $crate::Client<$name> {
            $(
                fn $method(&self, request: $req) -> $crate::PendingCall<'_, $mtype> {
                    self.call::<$mtype>(request)
                }
            )*
        }

        impl $calls for $crate::SharedClient<$name> {
            $(
                fn $method(&self, request: $req) -> $crate::PendingCall<'_, $mtype> {
                    self.call::<$mtype>(request)
                }
            )*
        }
    };
}
