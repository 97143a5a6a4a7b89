//! Zircon's C types and `#[repr(C)]` structs with their exact layouts (spec §1.11).
#![allow(non_camel_case_types)]

use bytemuck::{Pod, Zeroable};
use zxsim_kernel::objects::port::PortPacket;

pub type zx_handle_t = u32;
pub type zx_status_t = i32;
pub type zx_signals_t = u32;
pub type zx_rights_t = u32;
pub type zx_koid_t = u64;
pub type zx_time_t = i64;
pub type zx_instant_mono_t = i64;
pub type zx_duration_t = i64;
pub type zx_ticks_t = i64;
pub type zx_obj_type_t = u32;
pub type zx_clock_t = u32;
pub type zx_packet_type_t = u32;
pub type zx_object_info_topic_t = u32;

/// One item of `zx_object_wait_many`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct zx_wait_item_t {
    pub handle: zx_handle_t,
    pub waitfor: zx_signals_t,
    pub pending: zx_signals_t,
}

/// `ZX_INFO_HANDLE_BASIC`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Pod, Zeroable)]
pub struct zx_info_handle_basic_t {
    pub koid: zx_koid_t,
    pub rights: zx_rights_t,
    pub type_: zx_obj_type_t,
    pub related_koid: zx_koid_t,
    pub reserved: u32,
    pub padding1: [u8; 4],
}

/// `ZX_INFO_HANDLE_COUNT`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Pod, Zeroable)]
pub struct zx_info_handle_count_t {
    pub handle_count: u32,
}

/// `ZX_INFO_SOCKET`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Pod, Zeroable)]
pub struct zx_info_socket_t {
    pub options: u32,
    pub padding1: [u8; 4],
    pub rx_buf_max: usize,
    pub rx_buf_size: usize,
    pub rx_buf_available: usize,
    pub tx_buf_max: usize,
    pub tx_buf_size: usize,
}

/// `ZX_INFO_TIMER`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Pod, Zeroable)]
pub struct zx_info_timer_t {
    pub options: u32,
    pub clock_id: zx_clock_t,
    pub deadline: zx_time_t,
    pub slack: zx_duration_t,
}

/// `zx_cpu_set_t`: one bit per CPU, `ZX_CPU_SET_MAX_CPUS` (512) bits.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Pod, Zeroable)]
pub struct zx_cpu_set_t {
    pub mask: [u64; 8],
}

/// `ZX_INFO_THREAD`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Pod, Zeroable)]
pub struct zx_info_thread_t {
    pub state: u32,
    pub wait_exception_channel_type: u32,
    pub cpu_affinity_mask: zx_cpu_set_t,
}

/// `zx_packet_user_t`: 32 bytes of user payload.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct zx_packet_user_t {
    pub u64: [u64; 4],
}

/// `zx_packet_signal_t`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct zx_packet_signal_t {
    pub trigger: zx_signals_t,
    pub observed: zx_signals_t,
    pub count: u64,
    pub timestamp: zx_time_t,
    pub reserved1: u64,
}

/// `zx_port_packet_t`: 48 bytes — key, type, status, then a 32-byte union kept as bytes (as
/// Fuchsia's `zx-sys` does); read it with [`zx_port_packet_t::user`] / [`zx_port_packet_t::signal`].
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct zx_port_packet_t {
    pub key: u64,
    pub packet_type: zx_packet_type_t,
    pub status: zx_status_t,
    pub union: [u8; 32],
}

const _: () = assert!(std::mem::size_of::<zx_port_packet_t>() == 48);
const _: () = assert!(std::mem::size_of::<zx_packet_signal_t>() == 32);
const _: () = assert!(std::mem::size_of::<zx_packet_user_t>() == 32);
const _: () = assert!(std::mem::size_of::<zx_wait_item_t>() == 12);
const _: () = assert!(std::mem::size_of::<zx_info_handle_basic_t>() == 32);
const _: () = assert!(std::mem::size_of::<zx_info_thread_t>() == 72);

fn words(bytes: &[u8; 32]) -> [u64; 4] {
    let mut out = [0u64; 4];
    for (word, chunk) in out.iter_mut().zip(bytes.chunks_exact(8)) {
        *word = u64::from_le_bytes(chunk.try_into().expect("8-byte chunk"));
    }
    out
}

fn bytes(words: &[u64; 4]) -> [u8; 32] {
    let mut out = [0u8; 32];
    for (chunk, word) in out.chunks_exact_mut(8).zip(words) {
        chunk.copy_from_slice(&word.to_le_bytes());
    }
    out
}

impl zx_port_packet_t {
    /// A user packet (`zx_port_queue` overwrites the type with `ZX_PKT_TYPE_USER` anyway).
    pub fn new_user(key: u64, status: zx_status_t, user: zx_packet_user_t) -> Self {
        zx_port_packet_t {
            key,
            packet_type: 0,
            status,
            union: bytes(&user.u64),
        }
    }

    pub fn user(&self) -> zx_packet_user_t {
        zx_packet_user_t {
            u64: words(&self.union),
        }
    }

    /// The signal packet's fields, decoded by the kernel's packet (the one place that layout
    /// lives).
    pub fn signal(&self) -> zx_packet_signal_t {
        let packet = PortPacket::from(self);
        let (trigger, observed, count, timestamp) = packet.signal_fields();
        zx_packet_signal_t {
            trigger: trigger.bits(),
            observed: observed.bits(),
            count,
            timestamp,
            reserved1: packet.payload[3],
        }
    }
}

impl From<PortPacket> for zx_port_packet_t {
    fn from(packet: PortPacket) -> Self {
        zx_port_packet_t {
            key: packet.key,
            packet_type: packet.packet_type,
            status: packet.status,
            union: bytes(&packet.payload),
        }
    }
}

impl From<&zx_port_packet_t> for PortPacket {
    fn from(packet: &zx_port_packet_t) -> Self {
        PortPacket {
            key: packet.key,
            packet_type: packet.packet_type,
            status: packet.status,
            payload: words(&packet.union),
        }
    }
}

/// An info record `zx_object_get_info` fills: plain old data, which `bytemuck::Pod` proves at
/// compile time (no padding, every bit pattern valid), so viewing and writing it as bytes is
/// sound without an `unsafe` line here.
pub trait InfoRecord: Pod + Default {
    fn as_bytes_mut(&mut self) -> &mut [u8] {
        bytemuck::bytes_of_mut(self)
    }
}

impl InfoRecord for zx_info_handle_basic_t {}
impl InfoRecord for zx_info_handle_count_t {}
impl InfoRecord for zx_info_socket_t {}
impl InfoRecord for zx_info_timer_t {}
impl InfoRecord for zx_info_thread_t {}
