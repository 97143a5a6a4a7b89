//! The header cross-check: headers and Rust can never disagree.
//!
//! Chosen design: the values come from the compiled Rust definitions (constants, `size_of`,
//! `offset_of!`), are written into a generated C file as `_Static_assert`s against the headers,
//! and that file is compiled by the same C compiler programs use. A mismatch is a compile error
//! naming the constant or field. Unlike generating the headers (cbindgen), this keeps the
//! headers hand-written in Zircon's shape (macros with Zircon's spellings and casts, anonymous
//! unions, inline time helpers) while still proving every value and layout equal; and unlike a
//! runtime probe it needs nothing but the compiler. A second check makes every constant of the
//! `sys` layer appear in the list below, so a new Rust constant cannot skip the cross-check.

use std::fmt::Write as _;
use std::mem::{offset_of, size_of};

use zxsim_capi as capi;
use zxsim_syscalls::sys;

macro_rules! consts {
    ($($name:ident),* $(,)?) => { vec![$((stringify!($name), sys::$name as i128)),*] };
}

fn constants() -> Vec<(&'static str, i128)> {
    let mut list = consts![
        ZX_OK,
        ZX_ERR_INTERNAL,
        ZX_ERR_NOT_SUPPORTED,
        ZX_ERR_NO_RESOURCES,
        ZX_ERR_NO_MEMORY,
        ZX_ERR_INTERNAL_INTR_RETRY,
        ZX_ERR_INVALID_ARGS,
        ZX_ERR_BAD_HANDLE,
        ZX_ERR_WRONG_TYPE,
        ZX_ERR_BAD_SYSCALL,
        ZX_ERR_OUT_OF_RANGE,
        ZX_ERR_BUFFER_TOO_SMALL,
        ZX_ERR_BAD_STATE,
        ZX_ERR_TIMED_OUT,
        ZX_ERR_SHOULD_WAIT,
        ZX_ERR_CANCELED,
        ZX_ERR_PEER_CLOSED,
        ZX_ERR_NOT_FOUND,
        ZX_ERR_ALREADY_EXISTS,
        ZX_ERR_ALREADY_BOUND,
        ZX_ERR_UNAVAILABLE,
        ZX_ERR_ACCESS_DENIED,
        ZX_ERR_IO,
        ZX_ERR_IO_REFUSED,
        ZX_ERR_IO_DATA_INTEGRITY,
        ZX_ERR_IO_DATA_LOSS,
        ZX_ERR_IO_NOT_PRESENT,
        ZX_ERR_IO_OVERRUN,
        ZX_ERR_IO_MISSED_DEADLINE,
        ZX_ERR_IO_INVALID,
        ZX_ERR_BAD_PATH,
        ZX_ERR_NOT_DIR,
        ZX_ERR_NOT_FILE,
        ZX_ERR_FILE_BIG,
        ZX_ERR_NO_SPACE,
        ZX_ERR_NOT_EMPTY,
        ZX_ERR_STOP,
        ZX_ERR_NEXT,
        ZX_ERR_ASYNC,
        ZX_ERR_PROTOCOL_NOT_SUPPORTED,
        ZX_ERR_ADDRESS_UNREACHABLE,
        ZX_ERR_ADDRESS_IN_USE,
        ZX_ERR_NOT_CONNECTED,
        ZX_ERR_CONNECTION_REFUSED,
        ZX_ERR_CONNECTION_RESET,
        ZX_ERR_CONNECTION_ABORTED,
        ZX_ERR_INTERNAL_INTR_KILLED,
        ZX_HANDLE_INVALID,
        ZX_HANDLE_FIXED_BITS_MASK,
        ZX_KOID_INVALID,
        ZX_KOID_KERNEL,
        ZX_KOID_FIRST,
        ZX_TIME_INFINITE,
        ZX_TIME_INFINITE_PAST,
        ZX_CLOCK_MONOTONIC,
        ZX_CLOCK_BOOT,
        ZX_RIGHT_NONE,
        ZX_RIGHT_DUPLICATE,
        ZX_RIGHT_TRANSFER,
        ZX_RIGHT_READ,
        ZX_RIGHT_WRITE,
        ZX_RIGHT_EXECUTE,
        ZX_RIGHT_MAP,
        ZX_RIGHT_GET_PROPERTY,
        ZX_RIGHT_SET_PROPERTY,
        ZX_RIGHT_ENUMERATE,
        ZX_RIGHT_DESTROY,
        ZX_RIGHT_SET_POLICY,
        ZX_RIGHT_GET_POLICY,
        ZX_RIGHT_SIGNAL,
        ZX_RIGHT_SIGNAL_PEER,
        ZX_RIGHT_WAIT,
        ZX_RIGHT_INSPECT,
        ZX_RIGHT_MANAGE_JOB,
        ZX_RIGHT_MANAGE_PROCESS,
        ZX_RIGHT_MANAGE_THREAD,
        ZX_RIGHT_APPLY_PROFILE,
        ZX_RIGHT_MANAGE_SOCKET,
        ZX_RIGHT_OP_CHILDREN,
        ZX_RIGHT_RESIZE,
        ZX_RIGHT_ATTACH_VMO,
        ZX_RIGHT_MANAGE_VMO,
        ZX_RIGHT_SAME_RIGHTS,
        ZX_RIGHTS_BASIC,
        ZX_RIGHTS_IO,
        ZX_RIGHTS_PROPERTY,
        ZX_DEFAULT_CHANNEL_RIGHTS,
        ZX_DEFAULT_EVENT_RIGHTS,
        ZX_DEFAULT_EVENTPAIR_RIGHTS,
        ZX_DEFAULT_FIFO_RIGHTS,
        ZX_DEFAULT_PORT_RIGHTS,
        ZX_DEFAULT_SOCKET_RIGHTS,
        ZX_DEFAULT_PROCESS_RIGHTS,
        ZX_DEFAULT_THREAD_RIGHTS,
        ZX_DEFAULT_TIMER_RIGHTS,
        ZX_OBJ_TYPE_NONE,
        ZX_OBJ_TYPE_PROCESS,
        ZX_OBJ_TYPE_THREAD,
        ZX_OBJ_TYPE_VMO,
        ZX_OBJ_TYPE_CHANNEL,
        ZX_OBJ_TYPE_EVENT,
        ZX_OBJ_TYPE_PORT,
        ZX_OBJ_TYPE_INTERRUPT,
        ZX_OBJ_TYPE_PCI_DEVICE,
        ZX_OBJ_TYPE_DEBUGLOG,
        ZX_OBJ_TYPE_LOG,
        ZX_OBJ_TYPE_SOCKET,
        ZX_OBJ_TYPE_RESOURCE,
        ZX_OBJ_TYPE_EVENTPAIR,
        ZX_OBJ_TYPE_JOB,
        ZX_OBJ_TYPE_VMAR,
        ZX_OBJ_TYPE_FIFO,
        ZX_OBJ_TYPE_GUEST,
        ZX_OBJ_TYPE_VCPU,
        ZX_OBJ_TYPE_TIMER,
        ZX_OBJ_TYPE_IOMMU,
        ZX_OBJ_TYPE_BTI,
        ZX_OBJ_TYPE_PROFILE,
        ZX_OBJ_TYPE_PMT,
        ZX_OBJ_TYPE_SUSPEND_TOKEN,
        ZX_OBJ_TYPE_PAGER,
        ZX_OBJ_TYPE_EXCEPTION,
        ZX_OBJ_TYPE_CLOCK,
        ZX_OBJ_TYPE_STREAM,
        ZX_OBJ_TYPE_MSI,
        ZX_OBJ_TYPE_IOB,
        ZX_OBJ_TYPE_COUNTER,
        ZX_OBJ_TYPE_IOB_SHARED_REGION,
        ZX_OBJ_TYPE_SAMPLER,
        ZX_OBJ_TYPE_UPPER_BOUND,
        ZX_SIGNAL_NONE,
        ZX_OBJECT_SIGNAL_0,
        ZX_OBJECT_SIGNAL_1,
        ZX_OBJECT_SIGNAL_2,
        ZX_OBJECT_SIGNAL_3,
        ZX_OBJECT_SIGNAL_4,
        ZX_OBJECT_SIGNAL_5,
        ZX_OBJECT_SIGNAL_6,
        ZX_OBJECT_SIGNAL_7,
        ZX_OBJECT_SIGNAL_8,
        ZX_OBJECT_SIGNAL_9,
        ZX_OBJECT_SIGNAL_10,
        ZX_OBJECT_SIGNAL_11,
        ZX_OBJECT_SIGNAL_12,
        ZX_OBJECT_SIGNAL_13,
        ZX_OBJECT_SIGNAL_14,
        ZX_OBJECT_SIGNAL_15,
        ZX_OBJECT_SIGNAL_16,
        ZX_OBJECT_SIGNAL_17,
        ZX_OBJECT_SIGNAL_18,
        ZX_OBJECT_SIGNAL_19,
        ZX_OBJECT_SIGNAL_20,
        ZX_OBJECT_SIGNAL_21,
        ZX_OBJECT_SIGNAL_22,
        ZX_OBJECT_READABLE,
        ZX_OBJECT_WRITABLE,
        ZX_OBJECT_PEER_CLOSED,
        ZX_SIGNAL_HANDLE_CLOSED,
        ZX_USER_SIGNAL_0,
        ZX_USER_SIGNAL_1,
        ZX_USER_SIGNAL_2,
        ZX_USER_SIGNAL_3,
        ZX_USER_SIGNAL_4,
        ZX_USER_SIGNAL_5,
        ZX_USER_SIGNAL_6,
        ZX_USER_SIGNAL_7,
        ZX_USER_SIGNAL_ALL,
        __ZX_OBJECT_SIGNAL_ALL,
        ZX_EVENT_SIGNALED,
        ZX_EVENTPAIR_SIGNALED,
        ZX_EVENTPAIR_PEER_CLOSED,
        ZX_CHANNEL_READABLE,
        ZX_CHANNEL_WRITABLE,
        ZX_CHANNEL_PEER_CLOSED,
        ZX_SOCKET_READABLE,
        ZX_SOCKET_WRITABLE,
        ZX_SOCKET_PEER_CLOSED,
        ZX_SOCKET_PEER_WRITE_DISABLED,
        ZX_SOCKET_WRITE_DISABLED,
        ZX_SOCKET_READ_THRESHOLD,
        ZX_SOCKET_WRITE_THRESHOLD,
        ZX_FIFO_READABLE,
        ZX_FIFO_WRITABLE,
        ZX_FIFO_PEER_CLOSED,
        ZX_TIMER_SIGNALED,
        ZX_TASK_TERMINATED,
        ZX_PROCESS_TERMINATED,
        ZX_THREAD_TERMINATED,
        ZX_JOB_TERMINATED,
        ZX_CLOCK_STARTED,
        ZX_CLOCK_UPDATED,
        ZX_COUNTER_SIGNALED,
        ZX_COUNTER_POSITIVE,
        ZX_COUNTER_NON_POSITIVE,
        ZX_EVENT_SIGNAL_MASK,
        ZX_EVENTPAIR_SIGNAL_MASK,
        ZX_WAIT_ASYNC_ONCE,
        ZX_WAIT_ASYNC_TIMESTAMP,
        ZX_WAIT_ASYNC_EDGE,
        ZX_WAIT_ASYNC_BOOT_TIMESTAMP,
        ZX_PORT_BIND_TO_INTERRUPT,
        ZX_CHANNEL_READ_MAY_DISCARD,
        ZX_CHANNEL_WRITE_USE_IOVEC,
        ZX_HANDLE_OP_MOVE,
        ZX_HANDLE_OP_DUPLICATE,
        ZX_SOCKET_STREAM,
        ZX_SOCKET_DATAGRAM,
        ZX_SOCKET_CREATE_MASK,
        ZX_SOCKET_PEEK,
        ZX_SOCKET_DISPOSITION_WRITE_DISABLED,
        ZX_SOCKET_DISPOSITION_WRITE_ENABLED,
        ZX_TIMER_SLACK_CENTER,
        ZX_TIMER_SLACK_EARLY,
        ZX_TIMER_SLACK_LATE,
        ZX_PKT_TYPE_USER,
        ZX_PKT_TYPE_SIGNAL_ONE,
        ZX_PKT_TYPE_GUEST_BELL,
        ZX_PKT_TYPE_GUEST_MEM,
        ZX_PKT_TYPE_GUEST_IO,
        ZX_PKT_TYPE_GUEST_VCPU,
        ZX_PKT_TYPE_INTERRUPT,
        ZX_PKT_TYPE_PAGE_REQUEST,
        ZX_CHANNEL_MAX_MSG_BYTES,
        ZX_CHANNEL_MAX_MSG_HANDLES,
        ZX_WAIT_MANY_MAX_ITEMS,
        ZX_FIFO_MAX_SIZE_BYTES,
        ZX_MAX_NAME_LEN,
        ZX_INFO_NONE,
        ZX_INFO_HANDLE_VALID,
        ZX_INFO_HANDLE_BASIC,
        ZX_INFO_THREAD,
        ZX_INFO_HANDLE_COUNT,
        ZX_INFO_PROCESS_HANDLE_STATS,
        ZX_INFO_SOCKET,
        ZX_INFO_TIMER,
        ZX_INFO_HANDLE_TABLE,
        ZX_PROP_NAME,
        ZX_PROP_SOCKET_RX_THRESHOLD,
        ZX_PROP_SOCKET_TX_THRESHOLD,
        ZX_THREAD_STATE_NEW,
        ZX_THREAD_STATE_RUNNING,
        ZX_THREAD_STATE_SUSPENDED,
        ZX_THREAD_STATE_BLOCKED,
        ZX_THREAD_STATE_DYING,
        ZX_THREAD_STATE_DEAD,
        ZX_THREAD_STATE_BLOCKED_EXCEPTION,
        ZX_THREAD_STATE_BLOCKED_SLEEPING,
        ZX_THREAD_STATE_BLOCKED_FUTEX,
        ZX_THREAD_STATE_BLOCKED_PORT,
        ZX_THREAD_STATE_BLOCKED_CHANNEL,
        ZX_THREAD_STATE_BLOCKED_WAIT_ONE,
        ZX_THREAD_STATE_BLOCKED_WAIT_MANY,
        ZX_THREAD_STATE_BLOCKED_INTERRUPT,
        ZX_THREAD_STATE_BLOCKED_PAGER,
        ZX_EXCEPTION_CHANNEL_TYPE_NONE,
        ZX_CPU_SET_MAX_CPUS,
        ZX_CPU_SET_BITS_PER_WORD,
        ZX_TASK_RETCODE_EXCEPTION_KILL,
        ZX_CHANNEL_MAX_MSG_IOVECS,
    ];
    list.push((
        "ZX_CHANNEL_MAX_MSG_IOVEC",
        i128::from(capi::ZX_CHANNEL_MAX_MSG_IOVEC),
    ));
    for (name, value) in [
        ("ZXSIM_PROFILE_DEFAULT", capi::ZXSIM_PROFILE_DEFAULT),
        ("ZXSIM_PROFILE_ZIRCON", capi::ZXSIM_PROFILE_ZIRCON),
        ("ZXSIM_PROFILE_RFC0240", capi::ZXSIM_PROFILE_RFC0240),
        (
            "ZXSIM_KERNEL_VIRTUAL_CLOCK",
            capi::ZXSIM_KERNEL_VIRTUAL_CLOCK,
        ),
    ] {
        list.push((name, i128::from(value)));
    }
    list
}

/// `sys` constants deliberately absent from the headers, each with its reason.
const NOT_IN_HEADERS: &[(&str, &str)] = &[];

/// Constants from Zircon's policy and exception headers, which zxsim does not provide yet.
fn policy_or_exception(name: &str) -> bool {
    name.starts_with("ZX_EXCP_POLICY")
}

/// (C type, Rust size, [(C field, Rust offset)]).
type Layout = (&'static str, usize, Vec<(&'static str, usize)>);

macro_rules! layout {
    ($c:literal, $ty:ty { $($field:literal => $rust:ident),* $(,)? }) => {
        ($c, size_of::<$ty>(), vec![$(($field, offset_of!($ty, $rust))),*])
    };
}

fn layouts() -> Vec<Layout> {
    vec![
        layout!("zx_wait_item_t", sys::zx_wait_item_t {
            "handle" => handle, "waitfor" => waitfor, "pending" => pending }),
        layout!("zx_handle_disposition_t", sys::zx_handle_disposition_t {
            "operation" => operation, "handle" => handle, "type" => type_, "rights" => rights,
            "result" => result }),
        layout!("zx_handle_info_t", sys::zx_handle_info_t {
            "handle" => handle, "type" => ty, "rights" => rights, "unused" => unused }),
        layout!("zx_info_handle_basic_t", sys::zx_info_handle_basic_t {
            "koid" => koid, "rights" => rights, "type" => type_, "related_koid" => related_koid,
            "reserved" => reserved, "padding1" => padding1 }),
        layout!("zx_info_handle_count_t", sys::zx_info_handle_count_t {
            "handle_count" => handle_count }),
        layout!("zx_info_socket_t", sys::zx_info_socket_t {
            "options" => options, "padding1" => padding1, "rx_buf_max" => rx_buf_max,
            "rx_buf_size" => rx_buf_size, "rx_buf_available" => rx_buf_available,
            "tx_buf_max" => tx_buf_max, "tx_buf_size" => tx_buf_size }),
        layout!("zx_info_timer_t", sys::zx_info_timer_t {
            "options" => options, "clock_id" => clock_id, "deadline" => deadline,
            "slack" => slack }),
        layout!("zx_info_thread_t", sys::zx_info_thread_t {
            "state" => state, "wait_exception_channel_type" => wait_exception_channel_type,
            "cpu_affinity_mask" => cpu_affinity_mask }),
        layout!("zx_cpu_set_t", sys::zx_cpu_set_t { "mask" => mask }),
        layout!("zx_packet_user_t", sys::zx_packet_user_t { "u64" => u64 }),
        layout!("zx_packet_signal_t", sys::zx_packet_signal_t {
            "trigger" => trigger, "observed" => observed, "count" => count,
            "timestamp" => timestamp, "reserved1" => reserved1 }),
        layout!("zx_port_packet_t", sys::zx_port_packet_t {
            "key" => key, "type" => packet_type, "status" => status, "user" => union,
            "signal" => union }),
        layout!("zx_channel_iovec_t", capi::zx_channel_iovec_t {
            "buffer" => buffer, "capacity" => capacity, "reserved" => reserved }),
        layout!("zx_channel_call_args_t", capi::zx_channel_call_args_t {
            "wr_bytes" => wr_bytes, "wr_handles" => wr_handles, "rd_bytes" => rd_bytes,
            "rd_handles" => rd_handles, "wr_num_bytes" => wr_num_bytes,
            "wr_num_handles" => wr_num_handles, "rd_num_bytes" => rd_num_bytes,
            "rd_num_handles" => rd_num_handles }),
        layout!("zx_channel_call_etc_args_t", capi::zx_channel_call_etc_args_t {
            "wr_bytes" => wr_bytes, "wr_handles" => wr_handles, "rd_bytes" => rd_bytes,
            "rd_handles" => rd_handles, "wr_num_bytes" => wr_num_bytes,
            "wr_num_handles" => wr_num_handles, "rd_num_bytes" => rd_num_bytes,
            "rd_num_handles" => rd_num_handles }),
    ]
}

fn c_value(value: i128) -> String {
    if value == i128::from(i64::MIN) {
        "(-9223372036854775807LL - 1)".to_string()
    } else {
        format!("{value}LL")
    }
}

fn generated_check() -> String {
    let mut c = String::from(
        "/* Generated by capi/tests/layout.rs from the Rust definitions. */\n\
         #include <stddef.h>\n#include <zircon/syscalls.h>\n#include <zircon/status.h>\n\
         #include <zxsim/zxsim.h>\n\n",
    );
    for (name, value) in constants() {
        writeln!(
            c,
            "_Static_assert((long long)({name}) == {}, \"{name} differs from Rust\");",
            c_value(value)
        )
        .unwrap();
    }
    for (ty, size, fields) in layouts() {
        writeln!(
            c,
            "_Static_assert(sizeof({ty}) == {size}, \"sizeof({ty})\");"
        )
        .unwrap();
        for (field, offset) in fields {
            writeln!(
                c,
                "_Static_assert(offsetof({ty}, {field}) == {offset}, \"offsetof({ty}, {field})\");"
            )
            .unwrap();
        }
    }
    c
}

#[test]
fn headers_match_rust_definitions() {
    let path = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("layout_check.c");
    std::fs::write(&path, generated_check()).unwrap();
    // Compiled as C and as C++: both must see the same values and layouts.
    super::build("layout_check_c", std::slice::from_ref(&path), false, false);
    let cxx = path.with_extension("cc");
    std::fs::write(
        &cxx,
        generated_check().replace("_Static_assert", "static_assert"),
    )
    .unwrap();
    super::build("layout_check_cxx", &[cxx], true, false);
}

#[test]
fn every_sys_constant_is_cross_checked() {
    let source = include_str!("../../../syscalls/src/sys/constants.rs");
    let checked: Vec<&str> = constants().iter().map(|(name, _)| *name).collect();
    let missing: Vec<&str> = source
        .lines()
        .filter_map(|line| line.strip_prefix("pub const "))
        .filter_map(|rest| rest.split(':').next())
        .filter(|name| !checked.contains(name))
        .filter(|name| !NOT_IN_HEADERS.iter().any(|(n, _)| n == name))
        .filter(|name| !policy_or_exception(name))
        .collect();
    assert!(
        missing.is_empty(),
        "sys constants not cross-checked against the headers: {missing:?}"
    );
}
