//! Koids, object types and the `zx_object_get_info` records about handles.

use std::fmt;

use super::{ok, Result, Rights};
use crate::sys;

/// A kernel object id (`zx_koid_t`). Real koids start at `ZX_KOID_FIRST` (1024); 0 is
/// `ZX_KOID_INVALID`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(transparent)]
pub struct Koid(sys::zx_koid_t);

impl Koid {
    pub const fn from_raw(raw: sys::zx_koid_t) -> Koid {
        Koid(raw)
    }

    pub const fn raw_koid(&self) -> sys::zx_koid_t {
        self.0
    }
}

/// A Zircon object type (`zx_obj_type_t`). Unknown values survive a round trip.
#[derive(Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(transparent)]
pub struct ObjectType(sys::zx_obj_type_t);

macro_rules! object_types {
    ($($name:ident = $value:expr;)*) => {
        impl ObjectType {
            $(pub const $name: ObjectType = ObjectType($value);)*

            /// The Zircon name without the `ZX_OBJ_TYPE_` prefix, if the value has one.
            pub fn name(self) -> Option<&'static str> {
                // Not a `match`: DEBUGLOG and LOG share a value, and the first name wins.
                $(if self.0 == $value {
                    return Some(stringify!($name));
                })*
                None
            }
        }
    };
}

object_types! {
    NONE = sys::ZX_OBJ_TYPE_NONE;
    PROCESS = sys::ZX_OBJ_TYPE_PROCESS;
    THREAD = sys::ZX_OBJ_TYPE_THREAD;
    VMO = sys::ZX_OBJ_TYPE_VMO;
    CHANNEL = sys::ZX_OBJ_TYPE_CHANNEL;
    EVENT = sys::ZX_OBJ_TYPE_EVENT;
    PORT = sys::ZX_OBJ_TYPE_PORT;
    INTERRUPT = sys::ZX_OBJ_TYPE_INTERRUPT;
    PCI_DEVICE = sys::ZX_OBJ_TYPE_PCI_DEVICE;
    DEBUGLOG = sys::ZX_OBJ_TYPE_DEBUGLOG;
    SOCKET = sys::ZX_OBJ_TYPE_SOCKET;
    RESOURCE = sys::ZX_OBJ_TYPE_RESOURCE;
    EVENTPAIR = sys::ZX_OBJ_TYPE_EVENTPAIR;
    JOB = sys::ZX_OBJ_TYPE_JOB;
    VMAR = sys::ZX_OBJ_TYPE_VMAR;
    FIFO = sys::ZX_OBJ_TYPE_FIFO;
    GUEST = sys::ZX_OBJ_TYPE_GUEST;
    VCPU = sys::ZX_OBJ_TYPE_VCPU;
    TIMER = sys::ZX_OBJ_TYPE_TIMER;
    IOMMU = sys::ZX_OBJ_TYPE_IOMMU;
    BTI = sys::ZX_OBJ_TYPE_BTI;
    PROFILE = sys::ZX_OBJ_TYPE_PROFILE;
    PMT = sys::ZX_OBJ_TYPE_PMT;
    SUSPEND_TOKEN = sys::ZX_OBJ_TYPE_SUSPEND_TOKEN;
    PAGER = sys::ZX_OBJ_TYPE_PAGER;
    EXCEPTION = sys::ZX_OBJ_TYPE_EXCEPTION;
    CLOCK = sys::ZX_OBJ_TYPE_CLOCK;
    STREAM = sys::ZX_OBJ_TYPE_STREAM;
    MSI = sys::ZX_OBJ_TYPE_MSI;
    IOB = sys::ZX_OBJ_TYPE_IOB;
    COUNTER = sys::ZX_OBJ_TYPE_COUNTER;
}

impl ObjectType {
    pub const fn from_raw(raw: sys::zx_obj_type_t) -> Self {
        ObjectType(raw)
    }

    pub const fn into_raw(self) -> sys::zx_obj_type_t {
        self.0
    }
}

impl fmt::Debug for ObjectType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => write!(f, "ObjectType({name})"),
            None => write!(f, "ObjectType({})", self.0),
        }
    }
}

/// `ZX_INFO_HANDLE_BASIC`: what [`AsHandleRef::basic_info`](super::AsHandleRef::basic_info)
/// answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HandleBasicInfo {
    pub koid: Koid,
    pub rights: Rights,
    pub object_type: ObjectType,
    /// The peer's koid for peered objects (event pair, channel...), else `Koid(0)`.
    pub related_koid: Koid,
}

impl Default for HandleBasicInfo {
    fn default() -> Self {
        HandleBasicInfo::from(sys::zx_info_handle_basic_t::default())
    }
}

impl From<sys::zx_info_handle_basic_t> for HandleBasicInfo {
    fn from(info: sys::zx_info_handle_basic_t) -> Self {
        HandleBasicInfo {
            koid: Koid(info.koid),
            rights: Rights::from_bits_retain(info.rights),
            object_type: ObjectType(info.type_),
            related_koid: Koid(info.related_koid),
        }
    }
}

/// `ZX_INFO_HANDLE_COUNT`: what [`AsHandleRef::count_info`](super::AsHandleRef::count_info)
/// answers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HandleCountInfo {
    /// Handles to the object, in every process and in messages in flight.
    pub handle_count: u32,
}

impl From<sys::zx_info_handle_count_t> for HandleCountInfo {
    fn from(info: sys::zx_info_handle_count_t) -> Self {
        HandleCountInfo {
            handle_count: info.handle_count,
        }
    }
}

/// Reads one fixed-size info record for `handle`.
pub(super) fn get_info_single<T: sys::InfoRecord>(
    handle: sys::zx_handle_t,
    topic: sys::zx_object_info_topic_t,
) -> Result<T> {
    let mut record = T::default();
    ok(sys::zx_object_get_info(
        handle,
        topic,
        record.as_bytes_mut(),
        None,
        None,
    ))?;
    Ok(record)
}
