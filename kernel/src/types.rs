//! Zircon's value types as the kernel sees them: koids, rights, signals, object types, time.
//!
//! The numeric values are Zircon's exactly (spec §1); the `sys` layer re-exports them as the C
//! constants and the `zx` layer as the bitflags users of Fuchsia's `zx` crate know.

use bitflags::bitflags;

/// A kernel object id. Zircon hands out koids from `ZX_KOID_FIRST` = 1024 upwards.
pub type Koid = u64;
/// The first koid a kernel hands out; 0..1024 are reserved.
pub const KOID_FIRST: Koid = 1024;

/// A point in time on a kernel clock, in nanoseconds (`zx_time_t`).
pub type Time = i64;
pub const TIME_INFINITE: Time = i64::MAX;
pub const TIME_INFINITE_PAST: Time = i64::MIN;

bitflags! {
    /// `zx_rights_t`. `SAME_RIGHTS` is a request flag for duplicate/replace, never a real right.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
    pub struct Rights: u32 {
        const NONE = 0;
        const DUPLICATE = 1 << 0;
        const TRANSFER = 1 << 1;
        const READ = 1 << 2;
        const WRITE = 1 << 3;
        const EXECUTE = 1 << 4;
        const MAP = 1 << 5;
        const GET_PROPERTY = 1 << 6;
        const SET_PROPERTY = 1 << 7;
        const ENUMERATE = 1 << 8;
        const DESTROY = 1 << 9;
        const SET_POLICY = 1 << 10;
        const GET_POLICY = 1 << 11;
        const SIGNAL = 1 << 12;
        const SIGNAL_PEER = 1 << 13;
        const WAIT = 1 << 14;
        const INSPECT = 1 << 15;
        const MANAGE_JOB = 1 << 16;
        const MANAGE_PROCESS = 1 << 17;
        const MANAGE_THREAD = 1 << 18;
        const APPLY_PROFILE = 1 << 19;
        const MANAGE_SOCKET = 1 << 20;
        const OP_CHILDREN = 1 << 21;
        const RESIZE = 1 << 22;
        const ATTACH_VMO = 1 << 23;
        const MANAGE_VMO = 1 << 24;
        const SAME_RIGHTS = 1 << 31;

        const BASIC = Self::TRANSFER.bits() | Self::DUPLICATE.bits() | Self::WAIT.bits() | Self::INSPECT.bits();
        const IO = Self::READ.bits() | Self::WRITE.bits();
        const PROPERTY = Self::GET_PROPERTY.bits() | Self::SET_PROPERTY.bits();
    }
}

bitflags! {
    /// `zx_signals_t`: the 32-bit signal word of an object.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
    pub struct Signals: u32 {
        const NONE = 0;
        const READABLE = 1 << 0;
        const WRITABLE = 1 << 1;
        const PEER_CLOSED = 1 << 2;
        const SIGNALED = 1 << 3;
        const SIGNAL_4 = 1 << 4;
        const SIGNAL_5 = 1 << 5;
        const SIGNAL_6 = 1 << 6;
        const SIGNAL_7 = 1 << 7;
        const SIGNAL_8 = 1 << 8;
        const SIGNAL_9 = 1 << 9;
        const SIGNAL_10 = 1 << 10;
        const SIGNAL_11 = 1 << 11;
        const SIGNAL_12 = 1 << 12;
        const SIGNAL_13 = 1 << 13;
        const SIGNAL_14 = 1 << 14;
        const SIGNAL_15 = 1 << 15;
        const SIGNAL_16 = 1 << 16;
        const SIGNAL_17 = 1 << 17;
        const SIGNAL_18 = 1 << 18;
        const SIGNAL_19 = 1 << 19;
        const SIGNAL_20 = 1 << 20;
        const SIGNAL_21 = 1 << 21;
        const SIGNAL_22 = 1 << 22;
        /// Synthetic: reported by wait_one/wait_many when the waited handle was closed.
        const HANDLE_CLOSED = 1 << 23;
        const USER_0 = 1 << 24;
        const USER_1 = 1 << 25;
        const USER_2 = 1 << 26;
        const USER_3 = 1 << 27;
        const USER_4 = 1 << 28;
        const USER_5 = 1 << 29;
        const USER_6 = 1 << 30;
        const USER_7 = 1 << 31;
        const USER_ALL = 0xFF00_0000;

        const CHANNEL_READABLE = Self::READABLE.bits();
        const CHANNEL_WRITABLE = Self::WRITABLE.bits();
        const CHANNEL_PEER_CLOSED = Self::PEER_CLOSED.bits();
        const EVENT_SIGNALED = Self::SIGNALED.bits();
        const EVENTPAIR_SIGNALED = Self::SIGNALED.bits();
        const EVENTPAIR_PEER_CLOSED = Self::PEER_CLOSED.bits();
        const TIMER_SIGNALED = Self::SIGNALED.bits();
        const SOCKET_READABLE = Self::READABLE.bits();
        const SOCKET_WRITABLE = Self::WRITABLE.bits();
        const SOCKET_PEER_CLOSED = Self::PEER_CLOSED.bits();
        const SOCKET_PEER_WRITE_DISABLED = Self::SIGNAL_4.bits();
        const SOCKET_WRITE_DISABLED = Self::SIGNAL_5.bits();
        const SOCKET_READ_THRESHOLD = Self::SIGNAL_10.bits();
        const SOCKET_WRITE_THRESHOLD = Self::SIGNAL_11.bits();
        const FIFO_READABLE = Self::READABLE.bits();
        const FIFO_WRITABLE = Self::WRITABLE.bits();
        const FIFO_PEER_CLOSED = Self::PEER_CLOSED.bits();
    }
}

/// `zx_obj_type_t`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(transparent)]
pub struct ObjType(pub u32);

impl ObjType {
    pub const NONE: ObjType = ObjType(0);
    pub const PROCESS: ObjType = ObjType(1);
    pub const THREAD: ObjType = ObjType(2);
    pub const VMO: ObjType = ObjType(3);
    pub const CHANNEL: ObjType = ObjType(4);
    pub const EVENT: ObjType = ObjType(5);
    pub const PORT: ObjType = ObjType(6);
    pub const INTERRUPT: ObjType = ObjType(9);
    pub const SOCKET: ObjType = ObjType(14);
    pub const EVENTPAIR: ObjType = ObjType(16);
    pub const JOB: ObjType = ObjType(17);
    pub const FIFO: ObjType = ObjType(19);
    pub const TIMER: ObjType = ObjType(22);
    pub const CLOCK: ObjType = ObjType(30);
    pub const COUNTER: ObjType = ObjType(34);

    pub const fn into_raw(self) -> u32 {
        self.0
    }
}
