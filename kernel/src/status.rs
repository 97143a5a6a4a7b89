//! `Status`: Zircon's `zx_status_t` as a transparent `i32` newtype.
//!
//! Every kernel error is a `Status`, never a string. Unknown codes survive a round trip through
//! `Status::from_raw`, and `Debug` prints the Zircon name so test failures read like Zircon's.

use std::fmt;

/// A Zircon status code (`zx_status_t`). `Status::OK` is success; every other value is an error.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(transparent)]
pub struct Status(i32);

macro_rules! statuses {
    ($($name:ident = $value:expr,)*) => {
        impl Status {
            $(pub const $name: Status = Status($value);)*

            /// The Zircon name of this status without the `ZX_`/`ZX_ERR_` prefix, if it has one.
            pub fn name(self) -> Option<&'static str> {
                match self.0 {
                    $($value => Some(stringify!($name)),)*
                    _ => None,
                }
            }
        }
    };
}

statuses! {
    OK = 0,
    INTERNAL = -1,
    NOT_SUPPORTED = -2,
    NO_RESOURCES = -3,
    NO_MEMORY = -4,
    INTERNAL_INTR_RETRY = -6,
    INVALID_ARGS = -10,
    BAD_HANDLE = -11,
    WRONG_TYPE = -12,
    BAD_SYSCALL = -13,
    OUT_OF_RANGE = -14,
    BUFFER_TOO_SMALL = -15,
    BAD_STATE = -20,
    TIMED_OUT = -21,
    SHOULD_WAIT = -22,
    CANCELED = -23,
    PEER_CLOSED = -24,
    NOT_FOUND = -25,
    ALREADY_EXISTS = -26,
    ALREADY_BOUND = -27,
    UNAVAILABLE = -28,
    ACCESS_DENIED = -30,
    IO = -40,
    IO_REFUSED = -41,
    IO_DATA_INTEGRITY = -42,
    IO_DATA_LOSS = -43,
    IO_NOT_PRESENT = -44,
    IO_OVERRUN = -45,
    IO_MISSED_DEADLINE = -46,
    IO_INVALID = -47,
    BAD_PATH = -50,
    NOT_DIR = -51,
    NOT_FILE = -52,
    FILE_BIG = -53,
    NO_SPACE = -54,
    NOT_EMPTY = -55,
    STOP = -60,
    NEXT = -61,
    ASYNC = -62,
    PROTOCOL_NOT_SUPPORTED = -70,
    ADDRESS_UNREACHABLE = -71,
    ADDRESS_IN_USE = -72,
    NOT_CONNECTED = -73,
    CONNECTION_REFUSED = -74,
    CONNECTION_RESET = -75,
    CONNECTION_ABORTED = -76,
    INTERNAL_INTR_KILLED = -502,
}

impl Status {
    pub const fn from_raw(raw: i32) -> Self {
        Status(raw)
    }

    pub const fn into_raw(self) -> i32 {
        self.0
    }

    /// `Ok(())` for `Status::OK`, `Err(self)` otherwise.
    pub fn ok(raw: i32) -> Result<(), Status> {
        if raw == 0 {
            Ok(())
        } else {
            Err(Status(raw))
        }
    }

    /// The raw code of a syscall result: 0 on success.
    pub fn from_result<T>(result: &Result<T, Status>) -> Status {
        match result {
            Ok(_) => Status::OK,
            Err(status) => *status,
        }
    }
}

/// `Status(OK)`, `Status(BAD_HANDLE)`, `Status(-99)`: as Fuchsia's `zx` crate prints it.
impl fmt::Debug for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => write!(f, "Status({name})"),
            None => write!(f, "Status({})", self.0),
        }
    }
}

/// The C name: `ZX_OK`, `ZX_ERR_BAD_HANDLE` (unknown codes as `Status(-99)`).
impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some("OK") => f.write_str("ZX_OK"),
            Some(name) => write!(f, "ZX_ERR_{name}"),
            None => write!(f, "Status({})", self.0),
        }
    }
}

/// `Status::OK` is success; anything else is the error (the `zx` crate's conversion).
impl From<Status> for Result<(), Status> {
    fn from(status: Status) -> Self {
        if status == Status::OK {
            Ok(())
        } else {
            Err(status)
        }
    }
}

impl std::error::Error for Status {}

impl From<Status> for std::io::Error {
    fn from(status: Status) -> Self {
        use std::io::ErrorKind;
        let kind = match status {
            Status::INTERNAL_INTR_RETRY => ErrorKind::Interrupted,
            Status::NOT_FOUND => ErrorKind::NotFound,
            Status::ACCESS_DENIED => ErrorKind::PermissionDenied,
            Status::PEER_CLOSED | Status::CONNECTION_RESET => ErrorKind::ConnectionReset,
            Status::CONNECTION_REFUSED => ErrorKind::ConnectionRefused,
            Status::CONNECTION_ABORTED => ErrorKind::ConnectionAborted,
            Status::NOT_CONNECTED => ErrorKind::NotConnected,
            Status::ADDRESS_IN_USE => ErrorKind::AddrInUse,
            Status::ALREADY_EXISTS => ErrorKind::AlreadyExists,
            Status::SHOULD_WAIT => ErrorKind::WouldBlock,
            Status::INVALID_ARGS => ErrorKind::InvalidInput,
            Status::TIMED_OUT => ErrorKind::TimedOut,
            Status::NO_MEMORY => ErrorKind::OutOfMemory,
            Status::NOT_SUPPORTED => ErrorKind::Unsupported,
            _ => ErrorKind::Other,
        };
        std::io::Error::new(kind, status)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_print_zircon_names_and_keep_unknown_codes() {
        assert_eq!(format!("{:?}", Status::OK), "Status(OK)");
        assert_eq!(format!("{:?}", Status::BAD_HANDLE), "Status(BAD_HANDLE)");
        assert_eq!(format!("{:?}", Status::from_raw(-12345)), "Status(-12345)");
        assert_eq!(format!("{}", Status::OK), "ZX_OK");
        assert_eq!(format!("{}", Status::BAD_HANDLE), "ZX_ERR_BAD_HANDLE");
        assert_eq!(format!("{}", Status::from_raw(-12345)), "Status(-12345)");
        assert_eq!(Result::<(), Status>::from(Status::OK), Ok(()));
        assert_eq!(
            Result::<(), Status>::from(Status::NO_MEMORY),
            Err(Status::NO_MEMORY)
        );
        assert_eq!(Status::from_raw(-11), Status::BAD_HANDLE);
        assert_eq!(Status::PEER_CLOSED.into_raw(), -24);
    }
}
