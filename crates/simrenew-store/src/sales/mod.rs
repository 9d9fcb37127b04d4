//! The sales ports on SQL: reads and the writes of one transaction.

pub(crate) mod reads;
pub(crate) mod tx;
