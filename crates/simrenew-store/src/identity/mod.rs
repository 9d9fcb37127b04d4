//! The identity ports on SQL: staff, API keys, subscribers and the counter lookup
//! ([`accounts`]), subscriber sign-in ([`signin`]), staff authentication, the second factor
//! both share, and passkeys.

pub(crate) mod accounts;
pub(crate) mod passkeys;
pub(crate) mod second_factor;
pub(crate) mod signin;
pub(crate) mod staff_auth;
