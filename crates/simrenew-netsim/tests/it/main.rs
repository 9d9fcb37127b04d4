//! The network adapters of `simrenew-network` against the simulator: every fault, retries that
//! converge on one effect, signatures, the ES2+ envelope, mutual TLS, install callbacks.

mod es2plus;
mod mtls;
mod openapi;
mod provisioning;
mod support;
