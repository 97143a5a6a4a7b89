//! FIFO: a pair of endpoints exchanging fixed-size elements (`zx_fifo_create`).
//!
//! The element types are part of the handle's type, as in the real crate: `Fifo<R, W>` reads
//! `R`s and writes `W`s (the peer is a `Fifo<W, R>`), both plain-data types (`zerocopy`'s
//! `FromBytes + IntoBytes`, the bounds the real crate uses, so element types keep their derives).
//! An untyped `Fifo` (the default parameter) can only be transferred, or given types with
//! [`Fifo::cast`].

use std::marker::PhantomData;

use zerocopy::{FromBytes, IntoBytes};

use super::{ok, AsHandleRef, Handle, HandleBased, HandleRef, Peered, Result, Status};
use crate::sys;

/// The element type of an untyped [`Fifo`]: it cannot be read or written.
#[derive(Clone, Copy, Debug)]
pub struct UnspecifiedFifoElement;

/// A handle to one end of a fifo reading `R`s and writing `W`s.
#[repr(transparent)]
pub struct Fifo<R = UnspecifiedFifoElement, W = R>(Handle, PhantomData<(R, W)>);

impl<R: IntoBytes + FromBytes, W: IntoBytes + FromBytes> Fifo<R, W> {
    /// Creates both ends, with room for `elem_count` elements. Wraps `zx_fifo_create`
    /// (`OUT_OF_RANGE` for a zero count or size or more than 4096 bytes in all;
    /// `INVALID_ARGS` if `R` and `W` differ in size).
    pub fn create(elem_count: usize) -> Result<(Fifo<R, W>, Fifo<W, R>)> {
        if size_of::<R>() != size_of::<W>() {
            return Err(Status::INVALID_ARGS);
        }
        let (mut out0, mut out1) = (sys::ZX_HANDLE_INVALID, sys::ZX_HANDLE_INVALID);
        ok(sys::zx_fifo_create(
            elem_count,
            size_of::<R>(),
            0,
            &mut out0,
            &mut out1,
        ))?;
        Ok((Fifo::from(Handle(out0)), Fifo::from(Handle(out1))))
    }

    /// Writes as many of `buf`'s elements as fit; answers how many. Wraps `zx_fifo_write`
    /// (`OUT_OF_RANGE` for an empty `buf`, `SHOULD_WAIT` when full, `PEER_CLOSED`).
    pub fn write(&self, buf: &[W]) -> Result<usize> {
        // SAFETY: `W: IntoBytes` has no padding or uninitialized bytes, so its memory may be
        // viewed as bytes; the view lives only for this call.
        let bytes =
            unsafe { std::slice::from_raw_parts(buf.as_ptr().cast::<u8>(), size_of_val(buf)) };
        let mut actual = 0;
        ok(sys::zx_fifo_write(
            self.raw_handle(),
            size_of::<W>(),
            bytes,
            buf.len(),
            Some(&mut actual),
        ))?;
        Ok(actual)
    }

    /// Writes one element.
    pub fn write_one(&self, elem: &W) -> Result<()> {
        self.write(std::slice::from_ref(elem)).map(|_| ())
    }

    /// [`Fifo::write`] over a raw pointer.
    ///
    /// # Safety
    ///
    /// `buf` must be valid for reads of `count` elements.
    pub unsafe fn write_raw(&self, buf: *const W, count: usize) -> Result<usize> {
        if count == 0 {
            return self.write(&[]);
        }
        // SAFETY: the caller's contract.
        self.write(unsafe { std::slice::from_raw_parts(buf, count) })
    }

    /// Reads up to `buf.len()` elements; answers how many. Wraps `zx_fifo_read`
    /// (`OUT_OF_RANGE` for an empty `buf`, `SHOULD_WAIT` when empty, `PEER_CLOSED`).
    pub fn read(&self, buf: &mut [R]) -> Result<usize> {
        let count = buf.len();
        let mut actual = 0;
        ok(sys::zx_fifo_read(
            self.raw_handle(),
            size_of::<R>(),
            buf.as_mut_bytes(),
            count,
            Some(&mut actual),
        ))?;
        Ok(actual)
    }

    /// Reads one element.
    pub fn read_one(&self) -> Result<R> {
        let mut elem = R::new_zeroed();
        self.read(std::slice::from_mut(&mut elem))?;
        Ok(elem)
    }

    /// Reads into uninitialized memory; answers the elements read.
    pub fn read_uninit<'a>(&self, buf: &'a mut [std::mem::MaybeUninit<R>]) -> Result<&'a mut [R]> {
        for slot in buf.iter_mut() {
            slot.write(R::new_zeroed());
        }
        // SAFETY: every slot was just initialized.
        let buf = unsafe { &mut *(buf as *mut [std::mem::MaybeUninit<R>] as *mut [R]) };
        let actual = self.read(buf)?;
        Ok(&mut buf[..actual])
    }

    /// [`Fifo::read`] over a raw pointer.
    ///
    /// # Safety
    ///
    /// `buf` must be valid for writes of `count` elements.
    pub unsafe fn read_raw(&self, buf: *mut R, count: usize) -> Result<usize> {
        if count == 0 {
            return self.read(&mut []);
        }
        // SAFETY: the caller's contract; `read_uninit` never reads the old contents.
        let slots = unsafe { std::slice::from_raw_parts_mut(buf.cast(), count) };
        self.read_uninit(slots).map(|read| read.len())
    }
}

impl Fifo<UnspecifiedFifoElement> {
    /// Gives an untyped fifo its element types (reads and writes fail with `OUT_OF_RANGE` if
    /// their size is not the one the fifo was created with).
    pub fn cast<R2, W2>(self) -> Fifo<R2, W2> {
        Fifo::from(self.0)
    }
}

impl<R, W> Fifo<R, W> {
    /// Forgets the element types.
    pub fn downcast(self) -> Fifo {
        Fifo::from(self.0)
    }
}

impl<R, W> AsHandleRef for Fifo<R, W> {
    fn as_handle_ref(&self) -> HandleRef<'_> {
        self.0.as_handle_ref()
    }
}

impl<R, W> From<Handle> for Fifo<R, W> {
    fn from(handle: Handle) -> Self {
        Fifo(handle, PhantomData)
    }
}

impl<R, W> From<Fifo<R, W>> for Handle {
    fn from(fifo: Fifo<R, W>) -> Handle {
        fifo.0
    }
}

impl<R: IntoBytes + FromBytes, W: IntoBytes + FromBytes> From<Fifo> for Fifo<R, W> {
    fn from(untyped: Fifo) -> Self {
        untyped.cast()
    }
}

impl<R, W> HandleBased for Fifo<R, W> {}
impl<R, W> Peered for Fifo<R, W> {}

impl<R, W> std::fmt::Debug for Fifo<R, W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let short = |name: &'static str| name.rsplit_once("::").map_or(name, |(_, short)| short);
        let name = format!(
            "Fifo<{}, {}>",
            short(std::any::type_name::<R>()),
            short(std::any::type_name::<W>())
        );
        f.debug_tuple(&name).field(&self.0).finish()
    }
}

impl<R, W> PartialEq for Fifo<R, W> {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}

impl<R, W> Eq for Fifo<R, W> {}

impl<R, W> PartialOrd for Fifo<R, W> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl<R, W> Ord for Fifo<R, W> {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.cmp(&other.0)
    }
}

impl<R, W> std::hash::Hash for Fifo<R, W> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.0.hash(state)
    }
}
