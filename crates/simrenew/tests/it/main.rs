//! The integration tests: one binary, one module per feature. Every test runs twice, on
//! SQLite and on PostgreSQL (`TEST_DATABASE_URL`), through the [`both!`] macro.

mod support;

mod access;
mod audit;
mod auto_renew;
mod bounds;
mod browser;
mod calendar;
mod catalog;
mod cli;
mod concurrency;
mod contract;
mod email_signin;
mod enumeration;
mod esims;
mod gdpr;
mod idempotency;
mod identification;
mod input;
mod jobs;
mod limits;
mod lines;
mod logs;
mod network;
mod openapi;
mod pages;
mod passkeys;
mod payment_crash;
mod payments;
mod prism;
mod provider_ids;
mod provider_mock;
mod pruning;
mod reminders;
mod renewal_crash;
mod renewals;
mod scopes;
mod several;
mod signin;
mod spec_check;
mod staff_signin;
mod telemetry;
mod usage;
mod vouchers;
