//! The fuzzed syscalls and, for each, the statuses the spec allows it to answer.
//!
//! One table, one row per syscall, built from /work/shared/spec/zircon-semantics.md (§3–§11,
//! "Errors" of each syscall) and the Zircon docs it cites. A row lists every status a call may
//! answer for *some* arguments and *some* interleaving: the fuzzer feeds random handles, options
//! and sizes, so the lookup errors (BAD_HANDLE, WRONG_TYPE, ACCESS_DENIED) are in nearly every row;
//! what a row excludes is what the syscall can never answer (e.g. `zx_event_create` never answers
//! BAD_HANDLE, nothing answers INTERNAL). NO_MEMORY is listed where a call creates handles or
//! kernel records (the handle arena can be full).

use zxsim_syscalls::sys::*;

macro_rules! ops {
    ($($variant:ident = $name:literal: [$($status:ident),* $(,)?],)*) => {
        /// One fuzzed syscall.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        #[repr(u8)]
        pub enum Op {
            $($variant,)*
        }

        impl Op {
            pub const ALL: &'static [Op] = &[$(Op::$variant,)*];

            /// The syscall's Zircon name.
            pub fn name(self) -> &'static str {
                match self { $(Op::$variant => $name,)* }
            }

            /// The statuses the spec allows this syscall to answer.
            pub fn allowed(self) -> &'static [zx_status_t] {
                match self { $(Op::$variant => &[$($status),*],)* }
            }
        }
    };
}

ops! {
    HandleClose = "zx_handle_close": [ZX_OK, ZX_ERR_BAD_HANDLE],
    HandleCloseMany = "zx_handle_close_many": [ZX_OK, ZX_ERR_BAD_HANDLE],
    HandleCheckValid = "zx_handle_check_valid":
        [ZX_OK, ZX_ERR_INVALID_ARGS, ZX_ERR_OUT_OF_RANGE, ZX_ERR_NOT_FOUND],
    HandleDuplicate = "zx_handle_duplicate":
        [ZX_OK, ZX_ERR_BAD_HANDLE, ZX_ERR_ACCESS_DENIED, ZX_ERR_INVALID_ARGS, ZX_ERR_NO_MEMORY],
    HandleReplace = "zx_handle_replace":
        [ZX_OK, ZX_ERR_BAD_HANDLE, ZX_ERR_INVALID_ARGS, ZX_ERR_NO_MEMORY],
    ObjectSignal = "zx_object_signal":
        [ZX_OK, ZX_ERR_BAD_HANDLE, ZX_ERR_ACCESS_DENIED, ZX_ERR_INVALID_ARGS, ZX_ERR_NOT_SUPPORTED],
    ObjectSignalPeer = "zx_object_signal_peer":
        [ZX_OK, ZX_ERR_BAD_HANDLE, ZX_ERR_ACCESS_DENIED, ZX_ERR_INVALID_ARGS, ZX_ERR_NOT_SUPPORTED,
         ZX_ERR_PEER_CLOSED],
    ObjectGetInfo = "zx_object_get_info":
        [ZX_OK, ZX_ERR_BAD_HANDLE, ZX_ERR_WRONG_TYPE, ZX_ERR_ACCESS_DENIED, ZX_ERR_INVALID_ARGS,
         ZX_ERR_BUFFER_TOO_SMALL, ZX_ERR_NOT_SUPPORTED],
    ObjectWaitOne = "zx_object_wait_one":
        [ZX_OK, ZX_ERR_BAD_HANDLE, ZX_ERR_ACCESS_DENIED, ZX_ERR_NOT_SUPPORTED, ZX_ERR_TIMED_OUT,
         ZX_ERR_CANCELED],
    ObjectWaitMany = "zx_object_wait_many":
        [ZX_OK, ZX_ERR_BAD_HANDLE, ZX_ERR_ACCESS_DENIED, ZX_ERR_NOT_SUPPORTED, ZX_ERR_TIMED_OUT,
         ZX_ERR_CANCELED, ZX_ERR_OUT_OF_RANGE, ZX_ERR_NO_MEMORY],
    ObjectWaitAsync = "zx_object_wait_async":
        [ZX_OK, ZX_ERR_INVALID_ARGS, ZX_ERR_BAD_HANDLE, ZX_ERR_WRONG_TYPE, ZX_ERR_ACCESS_DENIED,
         ZX_ERR_NOT_SUPPORTED, ZX_ERR_NO_MEMORY],
    EventCreate = "zx_event_create": [ZX_OK, ZX_ERR_INVALID_ARGS, ZX_ERR_NO_MEMORY],
    EventpairCreate = "zx_eventpair_create": [ZX_OK, ZX_ERR_NOT_SUPPORTED, ZX_ERR_NO_MEMORY],
    PortCreate = "zx_port_create": [ZX_OK, ZX_ERR_INVALID_ARGS, ZX_ERR_NO_MEMORY],
    PortQueue = "zx_port_queue":
        [ZX_OK, ZX_ERR_BAD_HANDLE, ZX_ERR_WRONG_TYPE, ZX_ERR_ACCESS_DENIED, ZX_ERR_SHOULD_WAIT,
         ZX_ERR_NO_MEMORY],
    PortWait = "zx_port_wait":
        [ZX_OK, ZX_ERR_BAD_HANDLE, ZX_ERR_WRONG_TYPE, ZX_ERR_ACCESS_DENIED, ZX_ERR_TIMED_OUT],
    PortCancel = "zx_port_cancel":
        [ZX_OK, ZX_ERR_BAD_HANDLE, ZX_ERR_WRONG_TYPE, ZX_ERR_ACCESS_DENIED, ZX_ERR_NOT_SUPPORTED,
         ZX_ERR_NOT_FOUND],
    PortCancelKey = "zx_port_cancel_key":
        [ZX_OK, ZX_ERR_INVALID_ARGS, ZX_ERR_BAD_HANDLE, ZX_ERR_WRONG_TYPE, ZX_ERR_ACCESS_DENIED,
         ZX_ERR_NOT_FOUND],
    ChannelCreate = "zx_channel_create": [ZX_OK, ZX_ERR_INVALID_ARGS, ZX_ERR_NO_MEMORY],
    ChannelWrite = "zx_channel_write":
        [ZX_OK, ZX_ERR_INVALID_ARGS, ZX_ERR_BAD_HANDLE, ZX_ERR_WRONG_TYPE, ZX_ERR_ACCESS_DENIED,
         ZX_ERR_OUT_OF_RANGE, ZX_ERR_NOT_SUPPORTED, ZX_ERR_PEER_CLOSED, ZX_ERR_NO_MEMORY],
    ChannelWriteEtc = "zx_channel_write_etc":
        [ZX_OK, ZX_ERR_INVALID_ARGS, ZX_ERR_BAD_HANDLE, ZX_ERR_WRONG_TYPE, ZX_ERR_ACCESS_DENIED,
         ZX_ERR_OUT_OF_RANGE, ZX_ERR_NOT_SUPPORTED, ZX_ERR_PEER_CLOSED, ZX_ERR_NO_MEMORY],
    ChannelRead = "zx_channel_read":
        [ZX_OK, ZX_ERR_BAD_HANDLE, ZX_ERR_WRONG_TYPE, ZX_ERR_ACCESS_DENIED, ZX_ERR_NOT_SUPPORTED,
         ZX_ERR_SHOULD_WAIT, ZX_ERR_PEER_CLOSED, ZX_ERR_BUFFER_TOO_SMALL],
    ChannelReadEtc = "zx_channel_read_etc":
        [ZX_OK, ZX_ERR_BAD_HANDLE, ZX_ERR_WRONG_TYPE, ZX_ERR_ACCESS_DENIED, ZX_ERR_NOT_SUPPORTED,
         ZX_ERR_SHOULD_WAIT, ZX_ERR_PEER_CLOSED, ZX_ERR_BUFFER_TOO_SMALL],
    ChannelCall = "zx_channel_call":
        [ZX_OK, ZX_ERR_INVALID_ARGS, ZX_ERR_BAD_HANDLE, ZX_ERR_WRONG_TYPE, ZX_ERR_ACCESS_DENIED,
         ZX_ERR_OUT_OF_RANGE, ZX_ERR_NOT_SUPPORTED, ZX_ERR_PEER_CLOSED, ZX_ERR_TIMED_OUT,
         ZX_ERR_CANCELED, ZX_ERR_BUFFER_TOO_SMALL, ZX_ERR_NO_MEMORY],
    SocketCreate = "zx_socket_create": [ZX_OK, ZX_ERR_INVALID_ARGS, ZX_ERR_NO_MEMORY],
    SocketWrite = "zx_socket_write":
        [ZX_OK, ZX_ERR_INVALID_ARGS, ZX_ERR_BAD_HANDLE, ZX_ERR_WRONG_TYPE, ZX_ERR_ACCESS_DENIED,
         ZX_ERR_PEER_CLOSED, ZX_ERR_BAD_STATE, ZX_ERR_SHOULD_WAIT, ZX_ERR_OUT_OF_RANGE],
    SocketRead = "zx_socket_read":
        [ZX_OK, ZX_ERR_INVALID_ARGS, ZX_ERR_BAD_HANDLE, ZX_ERR_WRONG_TYPE, ZX_ERR_ACCESS_DENIED,
         ZX_ERR_PEER_CLOSED, ZX_ERR_BAD_STATE, ZX_ERR_SHOULD_WAIT],
    SocketSetDisposition = "zx_socket_set_disposition":
        [ZX_OK, ZX_ERR_INVALID_ARGS, ZX_ERR_BAD_HANDLE, ZX_ERR_WRONG_TYPE, ZX_ERR_ACCESS_DENIED,
         ZX_ERR_BAD_STATE],
    ObjectGetProperty = "zx_object_get_property":
        [ZX_OK, ZX_ERR_BAD_HANDLE, ZX_ERR_WRONG_TYPE, ZX_ERR_ACCESS_DENIED,
         ZX_ERR_BUFFER_TOO_SMALL, ZX_ERR_NOT_SUPPORTED, ZX_ERR_INVALID_ARGS],
    ObjectSetProperty = "zx_object_set_property":
        [ZX_OK, ZX_ERR_BAD_HANDLE, ZX_ERR_WRONG_TYPE, ZX_ERR_ACCESS_DENIED,
         ZX_ERR_BUFFER_TOO_SMALL, ZX_ERR_NOT_SUPPORTED, ZX_ERR_INVALID_ARGS, ZX_ERR_PEER_CLOSED],
    FifoCreate = "zx_fifo_create":
        [ZX_OK, ZX_ERR_OUT_OF_RANGE, ZX_ERR_INVALID_ARGS, ZX_ERR_NO_MEMORY],
    FifoWrite = "zx_fifo_write":
        [ZX_OK, ZX_ERR_BAD_HANDLE, ZX_ERR_WRONG_TYPE, ZX_ERR_ACCESS_DENIED, ZX_ERR_PEER_CLOSED,
         ZX_ERR_OUT_OF_RANGE, ZX_ERR_SHOULD_WAIT],
    FifoRead = "zx_fifo_read":
        [ZX_OK, ZX_ERR_BAD_HANDLE, ZX_ERR_WRONG_TYPE, ZX_ERR_ACCESS_DENIED, ZX_ERR_PEER_CLOSED,
         ZX_ERR_OUT_OF_RANGE, ZX_ERR_SHOULD_WAIT],
    TimerCreate = "zx_timer_create": [ZX_OK, ZX_ERR_INVALID_ARGS, ZX_ERR_NO_MEMORY],
    TimerSet = "zx_timer_set":
        [ZX_OK, ZX_ERR_OUT_OF_RANGE, ZX_ERR_BAD_HANDLE, ZX_ERR_WRONG_TYPE, ZX_ERR_ACCESS_DENIED],
    TimerCancel = "zx_timer_cancel":
        [ZX_OK, ZX_ERR_BAD_HANDLE, ZX_ERR_WRONG_TYPE, ZX_ERR_ACCESS_DENIED],
}

impl Op {
    pub fn index(self) -> usize {
        self as usize
    }
}

/// Buckets of the status histogram: `-status` for 0..=40 (ZX_OK … ZX_ERR_IO), then "other".
pub const STATUS_BUCKETS: usize = 42;

pub fn status_bucket(status: zx_status_t) -> usize {
    if (-40..=0).contains(&status) {
        (-status) as usize
    } else {
        STATUS_BUCKETS - 1
    }
}

/// The Zircon name of a histogram bucket.
pub fn bucket_name(bucket: usize) -> String {
    if bucket == STATUS_BUCKETS - 1 {
        return "other".to_string();
    }
    let status = zxsim_kernel::Status::from_raw(-(bucket as i32));
    status
        .name()
        .map(str::to_string)
        .unwrap_or_else(|| format!("{}", -(bucket as i32)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_row_allows_ok_and_no_row_allows_internal() {
        for &op in Op::ALL {
            assert!(op.allowed().contains(&ZX_OK), "{}", op.name());
            assert!(!op.allowed().contains(&ZX_ERR_INTERNAL), "{}", op.name());
            assert_eq!(Op::ALL[op.index()], op);
        }
        assert_eq!(bucket_name(status_bucket(ZX_ERR_BAD_HANDLE)), "BAD_HANDLE");
        assert_eq!(status_bucket(-1000), STATUS_BUCKETS - 1);
    }
}
