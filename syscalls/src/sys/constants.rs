//! Zircon's constants with their C names and exact values (spec §1).
#![allow(non_camel_case_types)]

use super::types::*;

// Status codes (zx_status_t).
pub const ZX_OK: zx_status_t = 0;
pub const ZX_ERR_INTERNAL: zx_status_t = -1;
pub const ZX_ERR_NOT_SUPPORTED: zx_status_t = -2;
pub const ZX_ERR_NO_RESOURCES: zx_status_t = -3;
pub const ZX_ERR_NO_MEMORY: zx_status_t = -4;
pub const ZX_ERR_INTERNAL_INTR_RETRY: zx_status_t = -6;
pub const ZX_ERR_INVALID_ARGS: zx_status_t = -10;
pub const ZX_ERR_BAD_HANDLE: zx_status_t = -11;
pub const ZX_ERR_WRONG_TYPE: zx_status_t = -12;
pub const ZX_ERR_BAD_SYSCALL: zx_status_t = -13;
pub const ZX_ERR_OUT_OF_RANGE: zx_status_t = -14;
pub const ZX_ERR_BUFFER_TOO_SMALL: zx_status_t = -15;
pub const ZX_ERR_BAD_STATE: zx_status_t = -20;
pub const ZX_ERR_TIMED_OUT: zx_status_t = -21;
pub const ZX_ERR_SHOULD_WAIT: zx_status_t = -22;
pub const ZX_ERR_CANCELED: zx_status_t = -23;
pub const ZX_ERR_PEER_CLOSED: zx_status_t = -24;
pub const ZX_ERR_NOT_FOUND: zx_status_t = -25;
pub const ZX_ERR_ALREADY_EXISTS: zx_status_t = -26;
pub const ZX_ERR_ALREADY_BOUND: zx_status_t = -27;
pub const ZX_ERR_UNAVAILABLE: zx_status_t = -28;
pub const ZX_ERR_ACCESS_DENIED: zx_status_t = -30;
pub const ZX_ERR_IO: zx_status_t = -40;
pub const ZX_ERR_IO_REFUSED: zx_status_t = -41;
pub const ZX_ERR_IO_DATA_INTEGRITY: zx_status_t = -42;
pub const ZX_ERR_IO_DATA_LOSS: zx_status_t = -43;
pub const ZX_ERR_IO_NOT_PRESENT: zx_status_t = -44;
pub const ZX_ERR_IO_OVERRUN: zx_status_t = -45;
pub const ZX_ERR_IO_MISSED_DEADLINE: zx_status_t = -46;
pub const ZX_ERR_IO_INVALID: zx_status_t = -47;
pub const ZX_ERR_BAD_PATH: zx_status_t = -50;
pub const ZX_ERR_NOT_DIR: zx_status_t = -51;
pub const ZX_ERR_NOT_FILE: zx_status_t = -52;
pub const ZX_ERR_FILE_BIG: zx_status_t = -53;
pub const ZX_ERR_NO_SPACE: zx_status_t = -54;
pub const ZX_ERR_NOT_EMPTY: zx_status_t = -55;
pub const ZX_ERR_STOP: zx_status_t = -60;
pub const ZX_ERR_NEXT: zx_status_t = -61;
pub const ZX_ERR_ASYNC: zx_status_t = -62;
pub const ZX_ERR_PROTOCOL_NOT_SUPPORTED: zx_status_t = -70;
pub const ZX_ERR_ADDRESS_UNREACHABLE: zx_status_t = -71;
pub const ZX_ERR_ADDRESS_IN_USE: zx_status_t = -72;
pub const ZX_ERR_NOT_CONNECTED: zx_status_t = -73;
pub const ZX_ERR_CONNECTION_REFUSED: zx_status_t = -74;
pub const ZX_ERR_CONNECTION_RESET: zx_status_t = -75;
pub const ZX_ERR_CONNECTION_ABORTED: zx_status_t = -76;
pub const ZX_ERR_INTERNAL_INTR_KILLED: zx_status_t = -502;

// Handles, koids, time.
pub const ZX_HANDLE_INVALID: zx_handle_t = 0;
pub const ZX_HANDLE_FIXED_BITS_MASK: u32 = 0x3;
pub const ZX_KOID_INVALID: zx_koid_t = 0;
pub const ZX_KOID_KERNEL: zx_koid_t = 1;
pub const ZX_KOID_FIRST: zx_koid_t = 1024;
pub const ZX_TIME_INFINITE: zx_time_t = i64::MAX;
pub const ZX_TIME_INFINITE_PAST: zx_time_t = i64::MIN;
pub const ZX_CLOCK_MONOTONIC: zx_clock_t = 0;
pub const ZX_CLOCK_BOOT: zx_clock_t = 1;

// Rights (zx_rights_t).
pub const ZX_RIGHT_NONE: zx_rights_t = 0x0;
pub const ZX_RIGHT_DUPLICATE: zx_rights_t = 0x1;
pub const ZX_RIGHT_TRANSFER: zx_rights_t = 0x2;
pub const ZX_RIGHT_READ: zx_rights_t = 0x4;
pub const ZX_RIGHT_WRITE: zx_rights_t = 0x8;
pub const ZX_RIGHT_EXECUTE: zx_rights_t = 0x10;
pub const ZX_RIGHT_MAP: zx_rights_t = 0x20;
pub const ZX_RIGHT_GET_PROPERTY: zx_rights_t = 0x40;
pub const ZX_RIGHT_SET_PROPERTY: zx_rights_t = 0x80;
pub const ZX_RIGHT_ENUMERATE: zx_rights_t = 0x100;
pub const ZX_RIGHT_DESTROY: zx_rights_t = 0x200;
pub const ZX_RIGHT_SET_POLICY: zx_rights_t = 0x400;
pub const ZX_RIGHT_GET_POLICY: zx_rights_t = 0x800;
pub const ZX_RIGHT_SIGNAL: zx_rights_t = 0x1000;
pub const ZX_RIGHT_SIGNAL_PEER: zx_rights_t = 0x2000;
pub const ZX_RIGHT_WAIT: zx_rights_t = 0x4000;
pub const ZX_RIGHT_INSPECT: zx_rights_t = 0x8000;
pub const ZX_RIGHT_MANAGE_JOB: zx_rights_t = 0x10000;
pub const ZX_RIGHT_MANAGE_PROCESS: zx_rights_t = 0x20000;
pub const ZX_RIGHT_MANAGE_THREAD: zx_rights_t = 0x40000;
pub const ZX_RIGHT_APPLY_PROFILE: zx_rights_t = 0x80000;
pub const ZX_RIGHT_MANAGE_SOCKET: zx_rights_t = 0x100000;
pub const ZX_RIGHT_OP_CHILDREN: zx_rights_t = 0x200000;
pub const ZX_RIGHT_RESIZE: zx_rights_t = 0x400000;
pub const ZX_RIGHT_ATTACH_VMO: zx_rights_t = 0x800000;
pub const ZX_RIGHT_MANAGE_VMO: zx_rights_t = 0x1000000;
pub const ZX_RIGHT_SAME_RIGHTS: zx_rights_t = 0x80000000;
pub const ZX_RIGHTS_BASIC: zx_rights_t =
    ZX_RIGHT_TRANSFER | ZX_RIGHT_DUPLICATE | ZX_RIGHT_WAIT | ZX_RIGHT_INSPECT;
pub const ZX_RIGHTS_IO: zx_rights_t = ZX_RIGHT_READ | ZX_RIGHT_WRITE;
pub const ZX_RIGHTS_PROPERTY: zx_rights_t = ZX_RIGHT_GET_PROPERTY | ZX_RIGHT_SET_PROPERTY;
pub const ZX_DEFAULT_CHANNEL_RIGHTS: zx_rights_t =
    (ZX_RIGHTS_BASIC & !ZX_RIGHT_DUPLICATE) | ZX_RIGHTS_IO | ZX_RIGHT_SIGNAL | ZX_RIGHT_SIGNAL_PEER;
pub const ZX_DEFAULT_EVENT_RIGHTS: zx_rights_t = ZX_RIGHTS_BASIC | ZX_RIGHT_SIGNAL;
pub const ZX_DEFAULT_EVENTPAIR_RIGHTS: zx_rights_t =
    ZX_RIGHTS_BASIC | ZX_RIGHT_SIGNAL | ZX_RIGHT_SIGNAL_PEER;
pub const ZX_DEFAULT_FIFO_RIGHTS: zx_rights_t =
    ZX_RIGHTS_BASIC | ZX_RIGHTS_IO | ZX_RIGHT_SIGNAL | ZX_RIGHT_SIGNAL_PEER;
pub const ZX_DEFAULT_PORT_RIGHTS: zx_rights_t = (ZX_RIGHTS_BASIC & !ZX_RIGHT_WAIT) | ZX_RIGHTS_IO;
pub const ZX_DEFAULT_SOCKET_RIGHTS: zx_rights_t = ZX_RIGHTS_BASIC
    | ZX_RIGHTS_IO
    | ZX_RIGHT_GET_PROPERTY
    | ZX_RIGHT_SET_PROPERTY
    | ZX_RIGHT_SIGNAL
    | ZX_RIGHT_SIGNAL_PEER
    | ZX_RIGHT_MANAGE_SOCKET;
pub const ZX_DEFAULT_PROCESS_RIGHTS: zx_rights_t = ZX_RIGHTS_BASIC
    | ZX_RIGHTS_IO
    | ZX_RIGHTS_PROPERTY
    | ZX_RIGHT_ENUMERATE
    | ZX_RIGHT_DESTROY
    | ZX_RIGHT_SIGNAL
    | ZX_RIGHT_MANAGE_PROCESS
    | ZX_RIGHT_MANAGE_THREAD;
pub const ZX_DEFAULT_THREAD_RIGHTS: zx_rights_t =
    ZX_RIGHTS_BASIC | ZX_RIGHTS_IO | ZX_RIGHTS_PROPERTY | ZX_RIGHT_SIGNAL | ZX_RIGHT_MANAGE_THREAD;
pub const ZX_DEFAULT_TIMER_RIGHTS: zx_rights_t = ZX_RIGHTS_BASIC | ZX_RIGHT_WRITE | ZX_RIGHT_SIGNAL;

// Object types (zx_obj_type_t).
pub const ZX_OBJ_TYPE_NONE: zx_obj_type_t = 0;
pub const ZX_OBJ_TYPE_PROCESS: zx_obj_type_t = 1;
pub const ZX_OBJ_TYPE_THREAD: zx_obj_type_t = 2;
pub const ZX_OBJ_TYPE_VMO: zx_obj_type_t = 3;
pub const ZX_OBJ_TYPE_CHANNEL: zx_obj_type_t = 4;
pub const ZX_OBJ_TYPE_EVENT: zx_obj_type_t = 5;
pub const ZX_OBJ_TYPE_PORT: zx_obj_type_t = 6;
pub const ZX_OBJ_TYPE_INTERRUPT: zx_obj_type_t = 9;
pub const ZX_OBJ_TYPE_PCI_DEVICE: zx_obj_type_t = 11;
pub const ZX_OBJ_TYPE_DEBUGLOG: zx_obj_type_t = 12;
pub const ZX_OBJ_TYPE_LOG: zx_obj_type_t = 12;
pub const ZX_OBJ_TYPE_SOCKET: zx_obj_type_t = 14;
pub const ZX_OBJ_TYPE_RESOURCE: zx_obj_type_t = 15;
pub const ZX_OBJ_TYPE_EVENTPAIR: zx_obj_type_t = 16;
pub const ZX_OBJ_TYPE_JOB: zx_obj_type_t = 17;
pub const ZX_OBJ_TYPE_VMAR: zx_obj_type_t = 18;
pub const ZX_OBJ_TYPE_FIFO: zx_obj_type_t = 19;
pub const ZX_OBJ_TYPE_GUEST: zx_obj_type_t = 20;
pub const ZX_OBJ_TYPE_VCPU: zx_obj_type_t = 21;
pub const ZX_OBJ_TYPE_TIMER: zx_obj_type_t = 22;
pub const ZX_OBJ_TYPE_IOMMU: zx_obj_type_t = 23;
pub const ZX_OBJ_TYPE_BTI: zx_obj_type_t = 24;
pub const ZX_OBJ_TYPE_PROFILE: zx_obj_type_t = 25;
pub const ZX_OBJ_TYPE_PMT: zx_obj_type_t = 26;
pub const ZX_OBJ_TYPE_SUSPEND_TOKEN: zx_obj_type_t = 27;
pub const ZX_OBJ_TYPE_PAGER: zx_obj_type_t = 28;
pub const ZX_OBJ_TYPE_EXCEPTION: zx_obj_type_t = 29;
pub const ZX_OBJ_TYPE_CLOCK: zx_obj_type_t = 30;
pub const ZX_OBJ_TYPE_STREAM: zx_obj_type_t = 31;
pub const ZX_OBJ_TYPE_MSI: zx_obj_type_t = 32;
pub const ZX_OBJ_TYPE_IOB: zx_obj_type_t = 33;
pub const ZX_OBJ_TYPE_COUNTER: zx_obj_type_t = 34;
pub const ZX_OBJ_TYPE_IOB_SHARED_REGION: zx_obj_type_t = 35;
pub const ZX_OBJ_TYPE_SAMPLER: zx_obj_type_t = 36;
pub const ZX_OBJ_TYPE_UPPER_BOUND: zx_obj_type_t = 64;

// Signals (zx_signals_t).
pub const ZX_SIGNAL_NONE: zx_signals_t = 0x0;
pub const ZX_OBJECT_SIGNAL_0: zx_signals_t = 0x1;
pub const ZX_OBJECT_SIGNAL_1: zx_signals_t = 0x2;
pub const ZX_OBJECT_SIGNAL_2: zx_signals_t = 0x4;
pub const ZX_OBJECT_SIGNAL_3: zx_signals_t = 0x8;
pub const ZX_OBJECT_SIGNAL_4: zx_signals_t = 0x10;
pub const ZX_OBJECT_SIGNAL_5: zx_signals_t = 0x20;
pub const ZX_OBJECT_SIGNAL_6: zx_signals_t = 0x40;
pub const ZX_OBJECT_SIGNAL_7: zx_signals_t = 0x80;
pub const ZX_OBJECT_SIGNAL_8: zx_signals_t = 0x100;
pub const ZX_OBJECT_SIGNAL_9: zx_signals_t = 0x200;
pub const ZX_OBJECT_SIGNAL_10: zx_signals_t = 0x400;
pub const ZX_OBJECT_SIGNAL_11: zx_signals_t = 0x800;
pub const ZX_OBJECT_SIGNAL_12: zx_signals_t = 0x1000;
pub const ZX_OBJECT_SIGNAL_13: zx_signals_t = 0x2000;
pub const ZX_OBJECT_SIGNAL_14: zx_signals_t = 0x4000;
pub const ZX_OBJECT_SIGNAL_15: zx_signals_t = 0x8000;
pub const ZX_OBJECT_SIGNAL_16: zx_signals_t = 0x10000;
pub const ZX_OBJECT_SIGNAL_17: zx_signals_t = 0x20000;
pub const ZX_OBJECT_SIGNAL_18: zx_signals_t = 0x40000;
pub const ZX_OBJECT_SIGNAL_19: zx_signals_t = 0x80000;
pub const ZX_OBJECT_SIGNAL_20: zx_signals_t = 0x100000;
pub const ZX_OBJECT_SIGNAL_21: zx_signals_t = 0x200000;
pub const ZX_OBJECT_SIGNAL_22: zx_signals_t = 0x400000;
pub const ZX_OBJECT_READABLE: zx_signals_t = 0x1;
pub const ZX_OBJECT_WRITABLE: zx_signals_t = 0x2;
pub const ZX_OBJECT_PEER_CLOSED: zx_signals_t = 0x4;
pub const ZX_SIGNAL_HANDLE_CLOSED: zx_signals_t = 0x800000;
pub const ZX_USER_SIGNAL_0: zx_signals_t = 1 << 24;
pub const ZX_USER_SIGNAL_1: zx_signals_t = 1 << 25;
pub const ZX_USER_SIGNAL_2: zx_signals_t = 1 << 26;
pub const ZX_USER_SIGNAL_3: zx_signals_t = 1 << 27;
pub const ZX_USER_SIGNAL_4: zx_signals_t = 1 << 28;
pub const ZX_USER_SIGNAL_5: zx_signals_t = 1 << 29;
pub const ZX_USER_SIGNAL_6: zx_signals_t = 1 << 30;
pub const ZX_USER_SIGNAL_7: zx_signals_t = 1 << 31;
pub const ZX_USER_SIGNAL_ALL: zx_signals_t = 0xff00_0000;
pub const __ZX_OBJECT_SIGNAL_ALL: zx_signals_t = 0x00ff_ffff;
pub const ZX_EVENT_SIGNALED: zx_signals_t = 0x8;
pub const ZX_EVENTPAIR_SIGNALED: zx_signals_t = 0x8;
pub const ZX_EVENTPAIR_PEER_CLOSED: zx_signals_t = 0x4;
pub const ZX_CHANNEL_READABLE: zx_signals_t = 0x1;
pub const ZX_CHANNEL_WRITABLE: zx_signals_t = 0x2;
pub const ZX_CHANNEL_PEER_CLOSED: zx_signals_t = 0x4;
pub const ZX_SOCKET_READABLE: zx_signals_t = 0x1;
pub const ZX_SOCKET_WRITABLE: zx_signals_t = 0x2;
pub const ZX_SOCKET_PEER_CLOSED: zx_signals_t = 0x4;
pub const ZX_SOCKET_PEER_WRITE_DISABLED: zx_signals_t = 0x10;
pub const ZX_SOCKET_WRITE_DISABLED: zx_signals_t = 0x20;
pub const ZX_SOCKET_READ_THRESHOLD: zx_signals_t = 0x400;
pub const ZX_SOCKET_WRITE_THRESHOLD: zx_signals_t = 0x800;
pub const ZX_FIFO_READABLE: zx_signals_t = 0x1;
pub const ZX_FIFO_WRITABLE: zx_signals_t = 0x2;
pub const ZX_FIFO_PEER_CLOSED: zx_signals_t = 0x4;
pub const ZX_TIMER_SIGNALED: zx_signals_t = 0x8;
pub const ZX_TASK_TERMINATED: zx_signals_t = 0x8;
pub const ZX_PROCESS_TERMINATED: zx_signals_t = 0x8;
pub const ZX_THREAD_TERMINATED: zx_signals_t = 0x8;
pub const ZX_JOB_TERMINATED: zx_signals_t = 0x8;
pub const ZX_CLOCK_STARTED: zx_signals_t = 0x10;
pub const ZX_CLOCK_UPDATED: zx_signals_t = 0x20;
pub const ZX_COUNTER_SIGNALED: zx_signals_t = 0x8;
pub const ZX_COUNTER_POSITIVE: zx_signals_t = 0x10;
pub const ZX_COUNTER_NON_POSITIVE: zx_signals_t = 0x20;
pub const ZX_EVENT_SIGNAL_MASK: zx_signals_t = ZX_USER_SIGNAL_ALL | ZX_EVENT_SIGNALED;
pub const ZX_EVENTPAIR_SIGNAL_MASK: zx_signals_t =
    ZX_USER_SIGNAL_ALL | ZX_EVENTPAIR_SIGNALED | ZX_EVENTPAIR_PEER_CLOSED;

// Option flags.
pub const ZX_WAIT_ASYNC_ONCE: u32 = 0;
pub const ZX_WAIT_ASYNC_TIMESTAMP: u32 = 1;
pub const ZX_WAIT_ASYNC_EDGE: u32 = 2;
pub const ZX_WAIT_ASYNC_BOOT_TIMESTAMP: u32 = 4;
pub const ZX_PORT_BIND_TO_INTERRUPT: u32 = 1;
pub const ZX_CHANNEL_READ_MAY_DISCARD: u32 = 1;
pub const ZX_CHANNEL_WRITE_USE_IOVEC: u32 = 2;
pub const ZX_HANDLE_OP_MOVE: u32 = 0;
pub const ZX_HANDLE_OP_DUPLICATE: u32 = 1;
pub const ZX_SOCKET_STREAM: u32 = 0;
pub const ZX_SOCKET_DATAGRAM: u32 = 1;
pub const ZX_SOCKET_CREATE_MASK: u32 = 1;
pub const ZX_SOCKET_PEEK: u32 = 8;
pub const ZX_SOCKET_DISPOSITION_WRITE_DISABLED: u32 = 1;
pub const ZX_SOCKET_DISPOSITION_WRITE_ENABLED: u32 = 2;
pub const ZX_TIMER_SLACK_CENTER: u32 = 0;
pub const ZX_TIMER_SLACK_EARLY: u32 = 1;
pub const ZX_TIMER_SLACK_LATE: u32 = 2;

// Port packet types.
pub const ZX_PKT_TYPE_USER: zx_packet_type_t = 0x0;
pub const ZX_PKT_TYPE_SIGNAL_ONE: zx_packet_type_t = 0x1;
pub const ZX_PKT_TYPE_GUEST_BELL: zx_packet_type_t = 0x3;
pub const ZX_PKT_TYPE_GUEST_MEM: zx_packet_type_t = 0x4;
pub const ZX_PKT_TYPE_GUEST_IO: zx_packet_type_t = 0x5;
pub const ZX_PKT_TYPE_GUEST_VCPU: zx_packet_type_t = 0x6;
pub const ZX_PKT_TYPE_INTERRUPT: zx_packet_type_t = 0x7;
pub const ZX_PKT_TYPE_PAGE_REQUEST: zx_packet_type_t = 0x9;

// Limits.
pub const ZX_CHANNEL_MAX_MSG_BYTES: u32 = 65536;
pub const ZX_CHANNEL_MAX_MSG_HANDLES: u32 = 64;
pub const ZX_CHANNEL_MAX_MSG_IOVEC: u32 = 8192;
/// zxsim's earlier spelling of [`ZX_CHANNEL_MAX_MSG_IOVEC`].
pub const ZX_CHANNEL_MAX_MSG_IOVECS: u32 = ZX_CHANNEL_MAX_MSG_IOVEC;
pub const ZX_WAIT_MANY_MAX_ITEMS: usize = 64;
pub const ZX_FIFO_MAX_SIZE_BYTES: u32 = 4096;
pub const ZX_MAX_NAME_LEN: usize = 32;

// zx_object_get_info topics.
pub const ZX_INFO_NONE: zx_object_info_topic_t = 0;
pub const ZX_INFO_HANDLE_VALID: zx_object_info_topic_t = 1;
pub const ZX_INFO_HANDLE_BASIC: zx_object_info_topic_t = 2;
pub const ZX_INFO_THREAD: zx_object_info_topic_t = 10;
pub const ZX_INFO_HANDLE_COUNT: zx_object_info_topic_t = 19;
pub const ZX_INFO_PROCESS_HANDLE_STATS: zx_object_info_topic_t = 21;
pub const ZX_INFO_SOCKET: zx_object_info_topic_t = 22;
pub const ZX_INFO_TIMER: zx_object_info_topic_t = 25;
pub const ZX_INFO_HANDLE_TABLE: zx_object_info_topic_t = 27;
pub const ZX_PROP_NAME: u32 = 3;
pub const ZX_PROP_SOCKET_RX_THRESHOLD: u32 = 12;
pub const ZX_PROP_SOCKET_TX_THRESHOLD: u32 = 13;

// Thread states (zx_info_thread_t::state).
pub const ZX_THREAD_STATE_NEW: u32 = 0x0000;
pub const ZX_THREAD_STATE_RUNNING: u32 = 0x0001;
pub const ZX_THREAD_STATE_SUSPENDED: u32 = 0x0002;
pub const ZX_THREAD_STATE_BLOCKED: u32 = 0x0003;
pub const ZX_THREAD_STATE_DYING: u32 = 0x0004;
pub const ZX_THREAD_STATE_DEAD: u32 = 0x0005;
pub const ZX_THREAD_STATE_BLOCKED_EXCEPTION: u32 = 0x0103;
pub const ZX_THREAD_STATE_BLOCKED_SLEEPING: u32 = 0x0203;
pub const ZX_THREAD_STATE_BLOCKED_FUTEX: u32 = 0x0303;
pub const ZX_THREAD_STATE_BLOCKED_PORT: u32 = 0x0403;
pub const ZX_THREAD_STATE_BLOCKED_CHANNEL: u32 = 0x0503;
pub const ZX_THREAD_STATE_BLOCKED_WAIT_ONE: u32 = 0x0603;
pub const ZX_THREAD_STATE_BLOCKED_WAIT_MANY: u32 = 0x0703;
pub const ZX_THREAD_STATE_BLOCKED_INTERRUPT: u32 = 0x0803;
pub const ZX_THREAD_STATE_BLOCKED_PAGER: u32 = 0x0903;
pub const ZX_EXCEPTION_CHANNEL_TYPE_NONE: u32 = 0;
pub const ZX_CPU_SET_MAX_CPUS: usize = 512;
pub const ZX_CPU_SET_BITS_PER_WORD: usize = 64;

// Policy exception codes (synth_code of ZX_EXCP_POLICY_ERROR).
pub const ZX_EXCP_POLICY_ERROR: u32 = 0x8208;
pub const ZX_EXCP_POLICY_CODE_BAD_HANDLE: u32 = 0;
pub const ZX_EXCP_POLICY_CODE_WRONG_OBJECT: u32 = 1;
pub const ZX_EXCP_POLICY_CODE_NEW_CHANNEL: u32 = 5;
pub const ZX_EXCP_POLICY_CODE_NEW_EVENT: u32 = 6;
pub const ZX_EXCP_POLICY_CODE_NEW_EVENTPAIR: u32 = 7;
pub const ZX_EXCP_POLICY_CODE_NEW_PORT: u32 = 8;
pub const ZX_EXCP_POLICY_CODE_NEW_SOCKET: u32 = 9;
pub const ZX_EXCP_POLICY_CODE_NEW_FIFO: u32 = 10;
pub const ZX_EXCP_POLICY_CODE_NEW_TIMER: u32 = 11;
pub const ZX_EXCP_POLICY_CODE_CHANNEL_FULL_WRITE: u32 = 16;
pub const ZX_EXCP_POLICY_CODE_PORT_TOO_MANY_PACKETS: u32 = 17;
pub const ZX_EXCP_POLICY_CODE_BAD_SYSCALL: u32 = 18;
pub const ZX_EXCP_POLICY_CODE_PORT_TOO_MANY_OBSERVERS: u32 = 19;
pub const ZX_EXCP_POLICY_CODE_HANDLE_LEAK: u32 = 20;
pub const ZX_TASK_RETCODE_EXCEPTION_KILL: i64 = -1028;
