//! Conformance cases for `wait_async` (being written).

cases!["wait_async";];
