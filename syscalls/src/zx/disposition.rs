//! Handles travelling in channel messages: [`HandleDisposition`] (what a `write_etc` does with
//! each handle) and [`HandleInfo`] (a received handle with its type and rights).

use std::marker::PhantomData;

use super::{Handle, HandleRef, ObjectType, Rights, Status, Unowned};
use crate::sys;

/// What a [`HandleDisposition`] does with its handle.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum HandleOp<'a> {
    /// Transfer the handle (`ZX_HANDLE_OP_MOVE`): it is consumed whatever the outcome.
    Move(Handle),
    /// Send a duplicate (`ZX_HANDLE_OP_DUPLICATE`): the borrowed handle stays open.
    Duplicate(HandleRef<'a>),
}

/// One handle of [`Channel::write_etc`](super::Channel::write_etc) and the `call_etc` family
/// (`zx_handle_disposition_t`).
///
/// After the call a moved handle is gone: [`HandleDisposition::raw_handle`] answers
/// `ZX_HANDLE_INVALID`, and on failure `result` says what went wrong with this entry.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct HandleDisposition<'a> {
    operation: u32,
    handle: sys::zx_handle_t,
    borrow: PhantomData<HandleRef<'a>>,
    pub object_type: ObjectType,
    pub rights: Rights,
    pub result: Status,
}

impl<'a> HandleDisposition<'a> {
    pub fn new(
        handle_op: HandleOp<'a>,
        object_type: ObjectType,
        rights: Rights,
        result: Status,
    ) -> HandleDisposition<'a> {
        let (operation, handle) = match handle_op {
            HandleOp::Move(handle) => (sys::ZX_HANDLE_OP_MOVE, handle.into_raw()),
            HandleOp::Duplicate(handle) => (sys::ZX_HANDLE_OP_DUPLICATE, handle.raw_handle()),
        };
        HandleDisposition {
            operation,
            handle,
            borrow: PhantomData,
            object_type,
            rights,
            result,
        }
    }

    /// The handle value (`ZX_HANDLE_INVALID` once a moved handle was consumed).
    pub fn raw_handle(&self) -> sys::zx_handle_t {
        self.handle
    }

    pub fn is_move(&self) -> bool {
        self.operation == sys::ZX_HANDLE_OP_MOVE
    }

    pub fn is_duplicate(&self) -> bool {
        self.operation == sys::ZX_HANDLE_OP_DUPLICATE
    }

    /// Takes the operation back out; a moved handle leaves `ZX_HANDLE_INVALID` behind.
    pub fn take_op(&mut self) -> HandleOp<'a> {
        if self.is_move() {
            HandleOp::Move(Handle(std::mem::replace(
                &mut self.handle,
                sys::ZX_HANDLE_INVALID,
            )))
        } else {
            // SAFETY: a DUPLICATE entry was built from a `HandleRef<'a>`, so the value stays open
            // for `'a`.
            HandleOp::Duplicate(unsafe { Unowned::from_raw_handle(self.handle) })
        }
    }

    /// The raw record; the caller now owns a moved handle.
    pub fn into_raw(mut self) -> sys::zx_handle_disposition_t {
        let (operation, handle) = match self.take_op() {
            HandleOp::Move(handle) => (sys::ZX_HANDLE_OP_MOVE, handle.into_raw()),
            HandleOp::Duplicate(handle) => (sys::ZX_HANDLE_OP_DUPLICATE, handle.raw_handle()),
        };
        sys::zx_handle_disposition_t {
            operation,
            handle,
            type_: self.object_type.into_raw(),
            rights: self.rights.bits(),
            result: self.result.into_raw(),
        }
    }

    /// The raw record for a `sys` call: the handle stays in `self` until the call consumed it
    /// (see [`HandleDisposition::consumed`]).
    pub(super) fn as_raw(&self) -> sys::zx_handle_disposition_t {
        sys::zx_handle_disposition_t {
            operation: self.operation,
            handle: self.handle,
            type_: self.object_type.into_raw(),
            rights: self.rights.bits(),
            result: self.result.into_raw(),
        }
    }

    /// Records that a write consumed this entry: a moved handle is gone, and `result` is the
    /// kernel's answer for it.
    pub(super) fn consumed(&mut self, raw: &sys::zx_handle_disposition_t) {
        if self.is_move() {
            self.handle = sys::ZX_HANDLE_INVALID;
        }
        self.result = Status::from_raw(raw.result);
    }
}

impl Drop for HandleDisposition<'_> {
    fn drop(&mut self) {
        if self.is_move() {
            drop(Handle(std::mem::replace(
                &mut self.handle,
                sys::ZX_HANDLE_INVALID,
            )));
        }
    }
}

/// A received handle with the type and rights the kernel reported for it (`zx_handle_info_t`).
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct HandleInfo {
    pub handle: Handle,
    pub object_type: ObjectType,
    pub rights: Rights,
    _unused: u32,
}

impl HandleInfo {
    pub const fn new(handle: Handle, object_type: ObjectType, rights: Rights) -> HandleInfo {
        HandleInfo {
            handle,
            object_type,
            rights,
            _unused: 0,
        }
    }

    /// Adopts a raw record.
    ///
    /// # Safety
    ///
    /// `raw.handle` must satisfy [`Handle::from_raw`]'s contract: the returned value closes it.
    /// `raw.ty` need not match the handle's real type.
    pub const unsafe fn from_raw(raw: sys::zx_handle_info_t) -> HandleInfo {
        HandleInfo::new(
            Handle(raw.handle),
            ObjectType::from_raw(raw.ty),
            Rights::from_bits_retain(raw.rights),
        )
    }
}
