//! The local API for the agency's own systems, on a Unix socket ([`local`]), and the client
//! the command line uses to call it ([`client`]).

pub mod client;
pub mod local;
