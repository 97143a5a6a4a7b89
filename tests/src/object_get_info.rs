//! Conformance cases for `object_get_info` (being written).

cases!["object_get_info";];
