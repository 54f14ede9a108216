//! Active tests: the only place that sends packets. Each submodule does one
//! job; the logic sits on top of the [`net`] traits so it runs against a
//! scripted fake in unit tests.

pub mod ike;
pub mod kex;
pub mod net;

#[cfg(test)]
mod fake;
