//! Errors of registry lookups, worded so that a user can act on them.

use std::fmt;
use std::time::Duration;

/// Why a registry lookup failed.
///
/// Every message names the registry (and the repository where it matters)
/// and, where there is one, what the user can do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegistryError {
    /// The whole lookup took longer than [`super::Options::timeout`].
    Timeout {
        /// The registry host that did not answer in time.
        registry: String,
        /// The time limit that was exceeded.
        after: Duration,
    },
    /// The registry (or its token service) refused access.
    Unauthorized(String),
    /// The repository or tag does not exist.
    NotFound(String),
    /// The registry could not be reached (DNS, connection refused, TLS).
    Network(String),
    /// The registry answered something this client does not understand.
    Protocol(String),
    /// The registry asked us to slow down (HTTP 429).
    RateLimited(String),
    /// The image reference is not one that can be looked up
    /// (empty, contains a variable, bad characters).
    InvalidReference(String),
}

impl fmt::Display for RegistryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Timeout { registry, after } => write!(
                f,
                "registry {registry} did not answer within {:.1} s; try again later or raise the registry timeout",
                after.as_secs_f64()
            ),
            Self::Unauthorized(message)
            | Self::NotFound(message)
            | Self::Network(message)
            | Self::Protocol(message)
            | Self::RateLimited(message)
            | Self::InvalidReference(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for RegistryError {}
