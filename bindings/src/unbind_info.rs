//! `UnbindInfo`: why a binding was torn down, as the final to-user calls report it.

use zxsim_syscalls::zx::Status;

use crate::wire::DecodeError;

/// Why teardown happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reason {
    /// The user tore the binding down: a client dropped or `async_teardown()`, a server's
    /// `unbind()`. Not an error.
    Unbind,
    /// A server's `close(epitaph)` (binding ref or completer): the epitaph was sent first. Not
    /// an error.
    Close,
    /// The peer closed its endpoint (for a client, maybe after an epitaph, whose status
    /// [`UnbindInfo::status`] carries).
    PeerClosed,
    /// The dispatcher shut down while the binding was live.
    DispatcherShutdown,
    /// A message could not be decoded.
    DecodeError,
    /// A message could not be sent (the kernel refused it, e.g. too large).
    EncodeError,
    /// A message with an unknown ordinal, or a response to no pending call.
    UnexpectedMessage,
}

/// The reason for teardown and the status that goes with it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UnbindInfo {
    reason: Reason,
    status: Status,
}

impl UnbindInfo {
    pub(crate) fn unbind() -> UnbindInfo {
        UnbindInfo {
            reason: Reason::Unbind,
            status: Status::OK,
        }
    }
    pub(crate) fn close(epitaph: Status) -> UnbindInfo {
        UnbindInfo {
            reason: Reason::Close,
            status: epitaph,
        }
    }
    pub(crate) fn peer_closed(status: Status) -> UnbindInfo {
        UnbindInfo {
            reason: Reason::PeerClosed,
            status,
        }
    }
    pub(crate) fn dispatcher_shutdown() -> UnbindInfo {
        UnbindInfo {
            reason: Reason::DispatcherShutdown,
            status: Status::CANCELED,
        }
    }
    pub(crate) fn decode_error(error: DecodeError) -> UnbindInfo {
        UnbindInfo {
            reason: Reason::DecodeError,
            status: error.status(),
        }
    }
    pub(crate) fn encode_error(status: Status) -> UnbindInfo {
        UnbindInfo {
            reason: Reason::EncodeError,
            status,
        }
    }
    pub(crate) fn unexpected_message() -> UnbindInfo {
        UnbindInfo {
            reason: Reason::UnexpectedMessage,
            status: Status::NOT_SUPPORTED,
        }
    }

    pub fn reason(&self) -> Reason {
        self.reason
    }

    /// `OK` for user-initiated teardown; the epitaph for `Close` and for a peer that sent one;
    /// otherwise the error (`PEER_CLOSED`, `CANCELED` at dispatcher shutdown, `INVALID_ARGS`
    /// for a decode error, ...).
    pub fn status(&self) -> Status {
        self.status
    }

    /// Teardown the user asked for (`Unbind` or `Close`): not an error.
    pub fn is_user_initiated(&self) -> bool {
        matches!(self.reason, Reason::Unbind | Reason::Close)
    }

    /// Same as [`UnbindInfo::is_user_initiated`], named as the C++ bindings' `ok()`.
    pub fn ok(&self) -> bool {
        self.is_user_initiated()
    }

    pub fn is_peer_closed(&self) -> bool {
        self.reason == Reason::PeerClosed
    }

    pub fn is_dispatcher_shutdown(&self) -> bool {
        self.reason == Reason::DispatcherShutdown
    }

    /// The status pending `then_exactly_once` callbacks receive when this teardown cancels them:
    /// `CANCELED` for user-initiated teardown and dispatcher shutdown, else the error's status.
    pub fn cancellation_status(&self) -> Status {
        if self.is_user_initiated() || self.is_dispatcher_shutdown() {
            Status::CANCELED
        } else {
            self.status
        }
    }
}

impl std::fmt::Display for UnbindInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?} ({:?})", self.reason, self.status)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_user_initiated_teardown_is_ok() {
        assert!(UnbindInfo::unbind().ok());
        assert!(UnbindInfo::close(Status::NOT_SUPPORTED).is_user_initiated());
        for error in [
            UnbindInfo::peer_closed(Status::PEER_CLOSED),
            UnbindInfo::dispatcher_shutdown(),
            UnbindInfo::decode_error(DecodeError::Truncated),
            UnbindInfo::encode_error(Status::OUT_OF_RANGE),
            UnbindInfo::unexpected_message(),
        ] {
            assert!(!error.ok(), "{error}");
        }
    }

    #[test]
    fn cancellation_status_names_the_cause() {
        assert_eq!(UnbindInfo::unbind().cancellation_status(), Status::CANCELED);
        assert_eq!(
            UnbindInfo::close(Status::NOT_SUPPORTED).cancellation_status(),
            Status::CANCELED
        );
        assert_eq!(
            UnbindInfo::dispatcher_shutdown().cancellation_status(),
            Status::CANCELED
        );
        assert_eq!(
            UnbindInfo::peer_closed(Status::ACCESS_DENIED).cancellation_status(),
            Status::ACCESS_DENIED
        );
        assert_eq!(
            UnbindInfo::decode_error(DecodeError::BadUtf8).cancellation_status(),
            Status::INVALID_ARGS
        );
    }
}
