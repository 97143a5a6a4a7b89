//! Handle syscalls: close, close_many, duplicate, replace, check_valid (spec §3).

use zxsim_kernel::handle::derive_rights;
use zxsim_kernel::{AnyObject, Rights, Status};

use super::{
    on_current, traced, zx_handle_t, zx_rights_t, zx_status_t, ZX_HANDLE_FIXED_BITS_MASK,
    ZX_HANDLE_INVALID,
};

/// Closes a handle; `ZX_HANDLE_INVALID` is a no-op. Deleting the object's last handle runs its
/// `on_zero_handles` before this returns.
pub fn zx_handle_close(handle: zx_handle_t) -> zx_status_t {
    let status = on_current(|process| {
        if handle == ZX_HANDLE_INVALID {
            return Ok(());
        }
        drop(process.handles().remove(handle)?);
        Ok(())
    });
    traced!("zx_handle_close", status, handle)
}

/// Closes every listed handle; a bad or repeated value makes the call answer `BAD_HANDLE`, but
/// every good handle is still closed.
pub fn zx_handle_close_many(handles: &[zx_handle_t]) -> zx_status_t {
    let status = on_current(|process| {
        let mut result = Ok(());
        let mut closing = Vec::with_capacity(handles.len());
        for &value in handles {
            if value == ZX_HANDLE_INVALID {
                continue;
            }
            match process.handles().remove(value) {
                Ok(handle) => closing.push(handle),
                Err(status) => result = Err(status),
            }
        }
        drop(closing);
        result
    });
    traced!("zx_handle_close_many", status, count = handles.len())
}

/// Order: `BAD_HANDLE`, `ACCESS_DENIED` (no DUPLICATE right), `INVALID_ARGS` (rights not a
/// subset), `NO_MEMORY` (arena full).
pub fn zx_handle_duplicate(
    handle: zx_handle_t,
    rights: zx_rights_t,
    out: &mut zx_handle_t,
) -> zx_status_t {
    let status = on_current(|process| {
        // Looked up and installed under one acquisition of the table's writer lock.
        let owner = process.koid();
        *out = process.handles().add_derived(owner, handle, |source| {
            source.object_as::<AnyObject>(Rights::DUPLICATE)?;
            let rights = derive_rights(source.rights(), rights)?;
            source.duplicate(rights)
        })?;
        Ok(())
    });
    traced!("zx_handle_duplicate", status, handle, rights)
}

/// Needs no right. A rights request that is not a subset closes the source and answers
/// `INVALID_ARGS`; `NO_MEMORY` leaves the source in place (kernel behaviour, spec §12.2).
pub fn zx_handle_replace(
    handle: zx_handle_t,
    rights: zx_rights_t,
    out: &mut zx_handle_t,
) -> zx_status_t {
    let status = on_current(|process| {
        let minted = process.handles().with(handle, |source| {
            derive_rights(source.rights(), rights).map(|rights| source.duplicate(rights))
        })?;
        match minted {
            Err(invalid) => {
                drop(process.handles().remove(handle));
                Err(invalid)
            }
            Ok(Err(no_memory)) => Err(no_memory),
            Ok(Ok(replacement)) => {
                // The new handle exists before the old one goes, so the object never passes
                // through zero handles. A racing close of the source wins: the replacement is
                // then dropped and the caller told the handle was bad.
                let source = process.handles().remove(handle)?;
                *out = process.add_handle(replacement);
                drop(source);
                Ok(())
            }
        }
    });
    traced!("zx_handle_replace", status, handle, rights)
}

/// Answers whether `handle` names a handle of the calling thread's process, without raising the
/// bad-handle policy. Zircon's vDSO decides this in order: `ZX_HANDLE_INVALID` ⇒ `INVALID_ARGS`,
/// a value whose two fixed low bits are not both set ⇒ `OUT_OF_RANGE`, a well-formed value not
/// in the table ⇒ `NOT_FOUND`, else `OK`.
pub fn zx_handle_check_valid(handle: zx_handle_t) -> zx_status_t {
    let status = on_current(|process| {
        if handle == ZX_HANDLE_INVALID {
            return Err(Status::INVALID_ARGS);
        }
        if handle & ZX_HANDLE_FIXED_BITS_MASK != ZX_HANDLE_FIXED_BITS_MASK {
            return Err(Status::OUT_OF_RANGE);
        }
        process
            .handles()
            .with(handle, |_| ())
            .map_err(|_| Status::NOT_FOUND)
    });
    traced!("zx_handle_check_valid", status, handle)
}
