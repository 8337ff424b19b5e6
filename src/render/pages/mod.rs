//! The HTML pages, one module per kind, each with the hash of what it reads beside it.

mod email;
mod issues;
mod not_found;
mod paper;
pub(crate) use issues::first_listed;
pub(crate) use paper::first_places;
mod search;
mod tags;
