//! Everything between the node and the gateway: the mTLS connection ([`gateway`]), the stream
//! of events to the gateway ([`publisher`]) and of notices from it ([`inbox`]), and how both
//! come back after an outage ([`reconnect`]).

pub mod gateway;
pub mod inbox;
pub mod publisher;
pub mod reconnect;
