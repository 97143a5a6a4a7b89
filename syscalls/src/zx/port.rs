//! Port: a queue of packets — user packets and the signal packets `wait_async` asks for.

use bitflags::bitflags;

use super::{impl_handle_based, ok, AsHandleRef, Handle, MonotonicInstant, Result, Signals};
use crate::sys;

/// A handle to a port. Default rights `TRANSFER | DUPLICATE | INSPECT | READ | WRITE` (no WAIT:
/// a port is not waitable).
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(transparent)]
pub struct Port(Handle);
impl_handle_based!(Port);

bitflags! {
    /// Options of [`Port::create_with_opts`].
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
    pub struct PortOptions: u32 {
        const BIND_TO_INTERRUPT = sys::ZX_PORT_BIND_TO_INTERRUPT;
    }
}

bitflags! {
    /// Options of [`AsHandleRef::wait_async_handle`] (`ZX_WAIT_ASYNC_*`). The empty set is
    /// `ZX_WAIT_ASYNC_ONCE`: level-triggered, one packet.
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
    pub struct WaitAsyncOpts: u32 {
        /// Record the monotonic time the wait triggered in the packet.
        const TIMESTAMP = sys::ZX_WAIT_ASYNC_TIMESTAMP;
        /// Fire only on a transition to active: a signal already active at the call does not
        /// count.
        const EDGE_TRIGGERED = sys::ZX_WAIT_ASYNC_EDGE;
        /// Record the boot time the wait triggered (zxsim has one clock, so the same value as
        /// `TIMESTAMP`). The two timestamp options together are `INVALID_ARGS`.
        const BOOT_TIMESTAMP = sys::ZX_WAIT_ASYNC_BOOT_TIMESTAMP;
    }
}

impl Port {
    /// Creates a port. Wraps `zx_port_create`.
    ///
    /// # Panics
    ///
    /// If the kernel's handle arena is full (`NO_MEMORY`), as the real crate panics on OOM.
    pub fn create() -> Port {
        Port::create_with_opts(PortOptions::empty())
    }

    /// Creates a port with options. Wraps `zx_port_create`.
    ///
    /// # Panics
    ///
    /// As [`Port::create`].
    pub fn create_with_opts(options: PortOptions) -> Port {
        let mut out = sys::ZX_HANDLE_INVALID;
        ok(sys::zx_port_create(options.bits(), &mut out))
            .expect("port creation fails only when the handle arena is full");
        Port(Handle(out))
    }

    /// Queues a user packet (its type is forced to user). Needs `Rights::WRITE`. Wraps
    /// `zx_port_queue`; `SHOULD_WAIT` when 4096 user packets are already queued.
    pub fn queue(&self, packet: &Packet) -> Result<()> {
        ok(sys::zx_port_queue(self.raw_handle(), &packet.0))
    }

    /// The oldest packet, waiting until `deadline` for one (`INFINITE_PAST` polls). Needs
    /// `Rights::READ`. Wraps `zx_port_wait`.
    pub fn wait(&self, deadline: MonotonicInstant) -> Result<Packet> {
        let mut packet = sys::zx_port_packet_t::default();
        ok(sys::zx_port_wait(
            self.raw_handle(),
            deadline.into_nanos(),
            &mut packet,
        ))?;
        Ok(Packet(packet))
    }

    /// Cancels the async waits registered on `source`'s object with `key` and removes their
    /// queued packets; `NOT_FOUND` if there was none. Wraps `zx_port_cancel` (deprecated by
    /// RFC-0240 in favour of [`Port::cancel_key`]).
    pub fn cancel<H: AsHandleRef>(&self, source: &H, key: u64) -> Result<()> {
        ok(sys::zx_port_cancel(
            self.raw_handle(),
            source.raw_handle(),
            key,
        ))
    }

    /// Cancels every async wait with `key` and removes every queued packet with `key` (user
    /// packets too); `NOT_FOUND` if there was none. Wraps `zx_port_cancel_key` (options 0).
    pub fn cancel_key(&self, key: u64) -> Result<()> {
        ok(sys::zx_port_cancel_key(self.raw_handle(), 0, key))
    }
}

/// A port packet (`zx_port_packet_t`): a key, a status, and contents that depend on its type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Packet(sys::zx_port_packet_t);

/// What a [`Packet`] carries, by packet type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum PacketContents {
    /// `ZX_PKT_TYPE_USER`: queued with [`Port::queue`].
    User(UserPacket),
    /// `ZX_PKT_TYPE_SIGNAL_ONE`: delivered for a [`AsHandleRef::wait_async_handle`].
    SignalOne(SignalPacket),
    /// A type this layer does not decode (yet): the raw type and payload.
    Unknown { packet_type: u32, payload: [u8; 32] },
}

impl Packet {
    /// A user packet, for [`Port::queue`].
    pub fn from_user_packet(key: u64, status: i32, user: UserPacket) -> Packet {
        Packet(sys::zx_port_packet_t {
            key,
            packet_type: sys::ZX_PKT_TYPE_USER,
            status,
            union: user.0,
        })
    }

    /// Wraps a raw packet.
    pub fn from_raw(raw: sys::zx_port_packet_t) -> Packet {
        Packet(raw)
    }

    /// The raw packet.
    pub fn raw_packet(&self) -> &sys::zx_port_packet_t {
        &self.0
    }

    pub fn key(&self) -> u64 {
        self.0.key
    }

    /// The packet's status (`ZX_OK` for signal packets; whatever the sender put in user ones).
    pub fn status(&self) -> i32 {
        self.0.status
    }

    pub fn contents(&self) -> PacketContents {
        match self.0.packet_type {
            sys::ZX_PKT_TYPE_USER => PacketContents::User(UserPacket(self.0.union)),
            sys::ZX_PKT_TYPE_SIGNAL_ONE => PacketContents::SignalOne(SignalPacket(self.0.signal())),
            packet_type => PacketContents::Unknown {
                packet_type,
                payload: self.0.union,
            },
        }
    }
}

/// The 32-byte payload of a user packet (`zx_packet_user_t`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct UserPacket([u8; 32]);

impl UserPacket {
    pub fn from_u8_array(bytes: [u8; 32]) -> UserPacket {
        UserPacket(bytes)
    }

    pub fn as_u8_array(&self) -> &[u8; 32] {
        &self.0
    }

    pub fn as_mut_u8_array(&mut self) -> &mut [u8; 32] {
        &mut self.0
    }
}

/// The payload of a signal packet (`zx_packet_signal_t`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SignalPacket(sys::zx_packet_signal_t);

impl SignalPacket {
    /// The signals the wait asked for.
    pub fn trigger(&self) -> Signals {
        Signals::from_bits_retain(self.0.trigger)
    }

    /// The object's signals when the packet was queued.
    pub fn observed(&self) -> Signals {
        Signals::from_bits_retain(self.0.observed)
    }

    /// Always 1 for `SIGNAL_ONE` packets.
    pub fn count(&self) -> u64 {
        self.0.count
    }

    /// When the wait triggered, if it asked for [`WaitAsyncOpts::TIMESTAMP`] (or
    /// `BOOT_TIMESTAMP`); otherwise 0.
    pub fn timestamp(&self) -> MonotonicInstant {
        MonotonicInstant::from_nanos(self.0.timestamp)
    }

    pub fn raw_packet(&self) -> &sys::zx_packet_signal_t {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn option_bits_are_zircons() {
        assert_eq!(WaitAsyncOpts::empty().bits(), sys::ZX_WAIT_ASYNC_ONCE);
        assert_eq!(WaitAsyncOpts::TIMESTAMP.bits(), 1);
        assert_eq!(WaitAsyncOpts::EDGE_TRIGGERED.bits(), 2);
        assert_eq!(WaitAsyncOpts::BOOT_TIMESTAMP.bits(), 4);
        assert_eq!(PortOptions::BIND_TO_INTERRUPT.bits(), 1);
    }

    #[test]
    fn user_packet_round_trips_its_bytes() {
        let mut bytes = [0u8; 32];
        bytes.iter_mut().enumerate().for_each(|(i, b)| *b = i as u8);
        let mut user = UserPacket::from_u8_array(bytes);
        user.as_mut_u8_array()[0] = 0xff;
        let packet = Packet::from_user_packet(7, -3, user);
        assert_eq!((packet.key(), packet.status()), (7, -3));
        assert_eq!(packet.raw_packet().packet_type, sys::ZX_PKT_TYPE_USER);
        match packet.contents() {
            PacketContents::User(user) => {
                assert_eq!(user.as_u8_array()[0], 0xff);
                assert_eq!(&user.as_u8_array()[1..], &bytes[1..]);
            }
            other => panic!("expected a user packet, got {other:?}"),
        }
    }

    #[test]
    fn signal_packet_fields_decode() {
        let mut raw = sys::zx_port_packet_t {
            key: 9,
            packet_type: sys::ZX_PKT_TYPE_SIGNAL_ONE,
            ..Default::default()
        };
        let trigger = u64::from(sys::ZX_USER_SIGNAL_0);
        let observed = u64::from(sys::ZX_USER_SIGNAL_0 | sys::ZX_EVENT_SIGNALED);
        raw.union[..8].copy_from_slice(&(trigger | observed << 32).to_le_bytes());
        raw.union[8..16].copy_from_slice(&1u64.to_le_bytes());
        raw.union[16..24].copy_from_slice(&1234i64.to_le_bytes());
        match Packet::from_raw(raw).contents() {
            PacketContents::SignalOne(signal) => {
                assert_eq!(signal.trigger(), Signals::USER_0);
                assert_eq!(signal.observed(), Signals::USER_0 | Signals::EVENT_SIGNALED);
                assert_eq!(signal.count(), 1);
                assert_eq!(signal.timestamp(), MonotonicInstant::from_nanos(1234));
            }
            other => panic!("expected a signal packet, got {other:?}"),
        }
    }

    #[test]
    fn unknown_packet_types_are_kept_not_panicked_on() {
        let raw = sys::zx_port_packet_t {
            key: 1,
            packet_type: sys::ZX_PKT_TYPE_INTERRUPT,
            status: 0,
            union: [5; 32],
        };
        assert_eq!(
            Packet::from_raw(raw).contents(),
            PacketContents::Unknown {
                packet_type: sys::ZX_PKT_TYPE_INTERRUPT,
                payload: [5; 32]
            }
        );
    }
}
