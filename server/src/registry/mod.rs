//! An OCI distribution client for digest pinning and tag lists.
//!
//! This module does IO: only the CLI and the language server use it, never
//! the analysis engine. The API is blocking; the language server calls it
//! from `tokio::task::spawn_blocking`.
//!
//! - [`RegistryClient::resolve_digest`]: the digest a tag points to today
//!   (`HEAD /v2/<name>/manifests/<tag>`, falling back to `GET` and hashing the body).
//! - [`RegistryClient::list_tags`]: `GET /v2/<name>/tags/list`, following `Link` pages.
//!
//! Authentication: anonymous first; on 401 the `WWW-Authenticate` challenge
//! decides: `Basic` retries with the host's credential, `Bearer` fetches a
//! token from the realm (with the credential when there is one). Tokens are
//! kept in memory per host and scope for the client's lifetime (or until they
//! expire). Digests are cached on disk (see [`Options::cache_dir`]).

mod auth;
mod cache;
mod error;
mod reference;

use std::collections::HashMap;
use std::io::Read as _;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use sha2::{Digest as _, Sha256};
use ureq::http::{Response, StatusCode};
use ureq::Body;

pub use auth::{credentials_from_docker_config, Credential};
pub use cache::CACHE_FILE;
pub use error::RegistryError;
pub use reference::{ImageReference, DOCKER_HUB, DOCKER_HUB_API};

use auth::Challenge;
use cache::DigestCache;

/// The manifest media types we accept, most specific (multi-platform) first,
/// so that the digest is the one `docker pull` resolves.
const MANIFEST_ACCEPT: &str = "application/vnd.oci.image.index.v1+json, \
     application/vnd.docker.distribution.manifest.list.v2+json, \
     application/vnd.oci.image.manifest.v1+json, \
     application/vnd.docker.distribution.manifest.v2+json";
/// Registries refuse manifests larger than this (distribution's limit).
const MAX_MANIFEST_BYTES: u64 = 4 * 1024 * 1024;
const MAX_JSON_BYTES: u64 = 16 * 1024 * 1024;
const TAG_PAGE_SIZE: usize = 100;
const MAX_TAG_PAGES: usize = 1000;
/// Token lifetime when the token service does not say (the distribution spec's default).
const DEFAULT_TOKEN_LIFETIME: Duration = Duration::from_secs(60);

/// How a [`RegistryClient`] behaves.
#[derive(Debug, Clone)]
pub struct Options {
    /// Time limit for one whole lookup (auth round trips and pages included).
    pub timeout: Duration,
    /// Directory of the digest cache ([`CACHE_FILE`]); `None` = no disk cache.
    pub cache_dir: Option<PathBuf>,
    /// How long a cached digest is trusted.
    pub ttl: Duration,
    /// Registries reached over plain HTTP: `host` (any port) or `host:port`.
    pub insecure_registries: Vec<String>,
    /// Credentials per registry host.
    pub credentials: Vec<Credential>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(3),
            cache_dir: None,
            ttl: Duration::from_secs(24 * 60 * 60),
            insecure_registries: vec!["localhost".into(), "127.0.0.1".into(), "[::1]".into()],
            credentials: Vec::new(),
        }
    }
}

impl Options {
    /// The options of the user's environment: the digest cache under
    /// `$XDG_CACHE_HOME/dockfix` (or `~/.cache/dockfix`), credentials from
    /// `$DOCKER_CONFIG/config.json` (or `~/.docker/config.json`), and extra
    /// plain-HTTP registries from `DOCKFIX_INSECURE_REGISTRIES` (comma-separated).
    pub fn from_environment() -> Self {
        let home = std::env::var_os("HOME").map(PathBuf::from);
        let cache_dir = std::env::var_os("XDG_CACHE_HOME")
            .map(PathBuf::from)
            .or_else(|| home.as_ref().map(|h| h.join(".cache")))
            .map(|dir| dir.join("dockfix"));
        let docker_config = std::env::var_os("DOCKER_CONFIG")
            .map(PathBuf::from)
            .or_else(|| home.as_ref().map(|h| h.join(".docker")))
            .map(|dir| dir.join("config.json"));
        let mut options = Options {
            cache_dir,
            credentials: docker_config
                .map(|path| credentials_from_docker_config(&path))
                .unwrap_or_default(),
            ..Options::default()
        };
        if let Ok(extra) = std::env::var("DOCKFIX_INSECURE_REGISTRIES") {
            options.insecure_registries.extend(
                extra
                    .split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned),
            );
        }
        options
    }
}

/// The process-wide client of the user's environment (the CLI and the
/// language server share its token and digest caches).
pub fn shared_client() -> &'static RegistryClient {
    static CLIENT: std::sync::OnceLock<RegistryClient> = std::sync::OnceLock::new();
    CLIENT.get_or_init(|| RegistryClient::new(Options::from_environment()))
}

/// A blocking client for OCI distribution registries. Cheap to share
/// (`&self` methods; the token cache is behind a mutex).
#[derive(Debug)]
pub struct RegistryClient {
    agent: ureq::Agent,
    options: Options,
    cache: Option<DigestCache>,
    /// `host scope` → `Authorization` header value.
    auth: Mutex<HashMap<String, CachedAuth>>,
}

#[derive(Debug, Clone)]
struct CachedAuth {
    header: String,
    expires: Option<Instant>,
}

/// One lookup: its registry, repository and deadline.
struct Lookup<'a> {
    reference: &'a ImageReference,
    base: String,
    deadline: Instant,
    timeout: Duration,
}

#[derive(Clone, Copy)]
enum Method {
    Head,
    Get,
}

impl RegistryClient {
    pub fn new(options: Options) -> Self {
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .user_agent(concat!("dockfix/", env!("CARGO_PKG_VERSION")))
            .max_redirects(5)
            .timeout_global(Some(options.timeout))
            .build();
        let cache = options
            .cache_dir
            .as_deref()
            .map(|dir| DigestCache::new(dir, options.ttl));
        Self {
            agent: config.new_agent(),
            options,
            cache,
            auth: Mutex::new(HashMap::new()),
        }
    }

    pub fn options(&self) -> &Options {
        &self.options
    }

    /// The digest (`sha256:…`) that the tag of `image` points to today.
    /// A reference that already holds a digest returns it without a lookup.
    pub fn resolve_digest(&self, image: &str) -> Result<String, RegistryError> {
        let reference = ImageReference::parse(image)?;
        if let Some(digest) = &reference.digest {
            return Ok(digest.clone());
        }
        let key = reference.canonical();
        if let Some(digest) = self.cache.as_ref().and_then(|cache| cache.get(&key)) {
            return Ok(digest);
        }
        let lookup = self.lookup(&reference);
        let tag = reference.tag.as_deref().unwrap_or("latest");
        let url = format!(
            "{}/v2/{}/manifests/{tag}",
            lookup.base, reference.repository
        );
        let what = || {
            format!(
                "tag `{tag}` of {}/{}",
                reference.registry, reference.repository
            )
        };

        let head = self.send(&lookup, Method::Head, &url, MANIFEST_ACCEPT)?;
        let status = head.status();
        let from_header =
            header(&head, "docker-content-digest").filter(|d| reference::is_digest(d));
        let digest = match (status, from_header) {
            (s, Some(digest)) if s.is_success() => digest,
            (s, _) if s.is_success() || s == StatusCode::METHOD_NOT_ALLOWED => {
                let mut response = self.send(&lookup, Method::Get, &url, MANIFEST_ACCEPT)?;
                check_status(&response, &lookup, &what)?;
                let body = read_body(&mut response, MAX_MANIFEST_BYTES, &lookup)?;
                format!("sha256:{:x}", Sha256::digest(&body))
            }
            _ => return Err(status_error(status, &lookup, &what)),
        };
        if let Some(cache) = &self.cache {
            cache.put(&key, &digest);
        }
        Ok(digest)
    }

    /// All tags of the repository of `image` (its tag, if any, is ignored),
    /// in the registry's order, following `Link: <…>; rel="next"` pages.
    pub fn list_tags(&self, image: &str) -> Result<Vec<String>, RegistryError> {
        let reference = ImageReference::parse(image)?;
        let lookup = self.lookup(&reference);
        let what = || format!("repository {}/{}", reference.registry, reference.repository);
        let mut url = format!(
            "{}/v2/{}/tags/list?n={TAG_PAGE_SIZE}",
            lookup.base, reference.repository
        );
        let mut tags = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for _ in 0..MAX_TAG_PAGES {
            if !seen.insert(url.clone()) {
                break;
            }
            let mut response = self.send(&lookup, Method::Get, &url, "application/json")?;
            check_status(&response, &lookup, &what)?;
            let next = header(&response, "link").and_then(|link| next_link(&link, &lookup.base));
            let body = read_body(&mut response, MAX_JSON_BYTES, &lookup)?;
            let page: TagList = serde_json::from_slice(&body).map_err(|e| {
                RegistryError::Protocol(format!(
                    "registry {} sent a tag list that is not valid JSON: {e}",
                    reference.registry
                ))
            })?;
            tags.extend(page.tags.unwrap_or_default());
            match next {
                Some(next) => url = next,
                None => break,
            }
        }
        Ok(tags)
    }

    fn lookup<'a>(&self, reference: &'a ImageReference) -> Lookup<'a> {
        let host = reference.api_host();
        let scheme = if self.is_insecure(host) {
            "http"
        } else {
            "https"
        };
        Lookup {
            reference,
            base: format!("{scheme}://{host}"),
            deadline: Instant::now() + self.options.timeout,
            timeout: self.options.timeout,
        }
    }

    fn is_insecure(&self, host: &str) -> bool {
        let host = host.to_ascii_lowercase();
        self.options.insecure_registries.iter().any(|entry| {
            let entry = auth::normalize_host(entry);
            entry == host || (!has_port(&entry) && host_without_port(&host) == entry)
        })
    }

    fn is_insecure_url(&self, url: &str) -> bool {
        url.strip_prefix("http://")
            .map(|rest| rest.split(['/', '?']).next().unwrap_or(rest))
            .is_some_and(|host| self.is_insecure(host))
    }

    fn credential(&self, registry: &str) -> Option<&Credential> {
        self.options
            .credentials
            .iter()
            .find(|c| c.matches(registry))
    }

    /// Sends one request to the registry, authenticating on a 401 challenge.
    fn send(
        &self,
        lookup: &Lookup<'_>,
        method: Method,
        url: &str,
        accept: &str,
    ) -> Result<Response<Body>, RegistryError> {
        let key = format!(
            "{} repository:{}:pull",
            lookup.reference.api_host(),
            lookup.reference.repository
        );
        let cached = self.cached_auth(&key);
        let response = self.request(lookup, method, url, accept, cached.as_deref())?;
        if response.status() != StatusCode::UNAUTHORIZED {
            return Ok(response);
        }
        let challenges: Vec<Challenge> = response
            .headers()
            .get_all("www-authenticate")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .filter_map(auth::parse_challenge)
            .collect();
        let challenge = challenges
            .iter()
            .find(|c| matches!(c, Challenge::Bearer { .. }))
            .or_else(|| challenges.first())
            .ok_or_else(|| {
                RegistryError::Unauthorized(format!(
                    "registry {} refused access to {} without a usable authentication challenge",
                    lookup.reference.registry, lookup.reference.repository
                ))
            })?;
        let fresh = self.authorize(lookup, challenge)?;
        self.remember_auth(&key, fresh.clone());
        let response = self.request(lookup, method, url, accept, Some(&fresh.header))?;
        if response.status() == StatusCode::UNAUTHORIZED {
            self.forget_auth(&key);
            return Err(self.denied(lookup));
        }
        Ok(response)
    }

    fn denied(&self, lookup: &Lookup<'_>) -> RegistryError {
        let registry = &lookup.reference.registry;
        let repository = &lookup.reference.repository;
        RegistryError::Unauthorized(match self.credential(registry) {
            Some(c) => format!(
                "registry {registry} refused the credentials of user `{}` for {repository} (check the password, the user's access, or that the repository exists)",
                c.username
            ),
            None => format!(
                "registry {registry} requires a login for {repository} (run `docker login {registry}` or configure credentials; or the repository does not exist)"
            ),
        })
    }

    /// Answers a challenge: the `Authorization` header value to retry with.
    fn authorize(
        &self,
        lookup: &Lookup<'_>,
        challenge: &Challenge,
    ) -> Result<CachedAuth, RegistryError> {
        let registry = &lookup.reference.registry;
        let credential = self.credential(registry);
        match challenge {
            Challenge::Basic => match credential {
                Some(c) => Ok(CachedAuth {
                    header: c.basic_header(),
                    expires: None,
                }),
                None => Err(self.denied(lookup)),
            },
            Challenge::Bearer {
                realm,
                service,
                scope,
            } => {
                if !realm.starts_with("https://") && !realm.starts_with("http://") {
                    return Err(RegistryError::Protocol(format!(
                        "registry {registry} names a token service that is not an http(s) URL: {realm}"
                    )));
                }
                if credential.is_some()
                    && realm.starts_with("http://")
                    && !self.is_insecure_url(realm)
                {
                    return Err(RegistryError::Protocol(format!(
                        "registry {registry} asks for credentials to be sent to {realm} over plain HTTP; refusing (list that host as an insecure registry if this is intended)"
                    )));
                }
                let scope = scope
                    .clone()
                    .unwrap_or_else(|| format!("repository:{}:pull", lookup.reference.repository));
                let mut url = realm.clone();
                let mut separator = if realm.contains('?') { '&' } else { '?' };
                for (name, value) in [
                    ("service", service.as_deref()),
                    ("scope", Some(scope.as_str())),
                ] {
                    if let Some(value) = value {
                        url.push(separator);
                        url.push_str(name);
                        url.push('=');
                        url.push_str(&auth::encode_query(value));
                        separator = '&';
                    }
                }
                let basic = credential.map(Credential::basic_header);
                let mut response = self.request(
                    lookup,
                    Method::Get,
                    &url,
                    "application/json",
                    basic.as_deref(),
                )?;
                let status = response.status();
                if status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN {
                    return Err(self.denied(lookup));
                }
                if !status.is_success() {
                    return Err(RegistryError::Protocol(format!(
                        "the token service of registry {registry} ({realm}) answered HTTP {status}"
                    )));
                }
                let body = read_body(&mut response, MAX_JSON_BYTES, lookup)?;
                let token: TokenResponse = serde_json::from_slice(&body).map_err(|e| {
                    RegistryError::Protocol(format!(
                        "the token service of registry {registry} ({realm}) sent an answer that is not valid JSON: {e}"
                    ))
                })?;
                let value = token
                    .token
                    .filter(|t| !t.is_empty())
                    .or(token.access_token.filter(|t| !t.is_empty()))
                    .ok_or_else(|| {
                        RegistryError::Protocol(format!(
                            "the token service of registry {registry} ({realm}) sent no token"
                        ))
                    })?;
                let lifetime = token
                    .expires_in
                    .filter(|&s| s > 0)
                    .map_or(DEFAULT_TOKEN_LIFETIME, Duration::from_secs);
                // Renew a little early so a token does not expire in flight.
                let expires = Instant::now() + lifetime.saturating_sub(Duration::from_secs(5));
                Ok(CachedAuth {
                    header: format!("Bearer {value}"),
                    expires: Some(expires),
                })
            }
        }
    }

    fn cached_auth(&self, key: &str) -> Option<String> {
        let mut map = self
            .auth
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        match map.get(key) {
            Some(entry) if entry.expires.is_none_or(|e| e > Instant::now()) => {
                Some(entry.header.clone())
            }
            Some(_) => {
                map.remove(key);
                None
            }
            None => None,
        }
    }

    fn remember_auth(&self, key: &str, value: CachedAuth) {
        self.auth
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(key.to_owned(), value);
    }

    fn forget_auth(&self, key: &str) {
        self.auth
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .remove(key);
    }

    /// One HTTP exchange within the lookup's deadline.
    fn request(
        &self,
        lookup: &Lookup<'_>,
        method: Method,
        url: &str,
        accept: &str,
        authorization: Option<&str>,
    ) -> Result<Response<Body>, RegistryError> {
        let remaining = lookup
            .deadline
            .checked_duration_since(Instant::now())
            .filter(|d| !d.is_zero())
            .ok_or_else(|| self.timeout(lookup))?;
        let builder = match method {
            Method::Head => self.agent.head(url),
            Method::Get => self.agent.get(url),
        };
        let mut builder = builder
            .config()
            .timeout_global(Some(remaining))
            .timeout_connect(Some(remaining))
            .build()
            .header("Accept", accept);
        if let Some(value) = authorization {
            builder = builder.header("Authorization", value);
        }
        builder
            .call()
            .map_err(|e| self.transport_error(lookup, url, e))
    }

    fn timeout(&self, lookup: &Lookup<'_>) -> RegistryError {
        RegistryError::Timeout {
            registry: lookup.reference.registry.clone(),
            after: lookup.timeout,
        }
    }

    fn transport_error(&self, lookup: &Lookup<'_>, url: &str, error: ureq::Error) -> RegistryError {
        let registry = &lookup.reference.registry;
        let target = url.split(['/', '?']).nth(2).unwrap_or(registry);
        let place = if auth::normalize_host(target) == auth::normalize_host(registry)
            || target == lookup.reference.api_host()
        {
            format!("registry {registry}")
        } else {
            format!("the token service {target} of registry {registry}")
        };
        match error {
            ureq::Error::Timeout(_) => self.timeout(lookup),
            ureq::Error::Io(e) if matches!(e.kind(), std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock) => {
                self.timeout(lookup)
            }
            ureq::Error::Io(e) => RegistryError::Network(format!("{place} is unreachable: {}", io_message(&e))),
            ureq::Error::HostNotFound => {
                RegistryError::Network(format!("{place} is unreachable: host {target} not found (check the name and DNS)"))
            }
            ureq::Error::ConnectionFailed => RegistryError::Network(format!("{place} is unreachable: connection failed")),
            ureq::Error::Tls(_) | ureq::Error::Rustls(_) => RegistryError::Network(format!(
                "TLS with {place} failed: {error} (if it serves plain HTTP, list it as an insecure registry)"
            )),
            ureq::Error::BodyExceedsLimit(limit) => {
                RegistryError::Protocol(format!("{place} sent an answer larger than {limit} bytes"))
            }
            other => RegistryError::Network(format!("request to {place} failed: {other}")),
        }
    }
}

#[derive(serde::Deserialize)]
struct TagList {
    tags: Option<Vec<String>>,
}

#[derive(serde::Deserialize)]
struct TokenResponse {
    token: Option<String>,
    access_token: Option<String>,
    expires_in: Option<u64>,
}

fn header(response: &Response<Body>, name: &str) -> Option<String> {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.trim().to_owned())
}

fn check_status(
    response: &Response<Body>,
    lookup: &Lookup<'_>,
    what: &dyn Fn() -> String,
) -> Result<(), RegistryError> {
    let status = response.status();
    if status.is_success() {
        Ok(())
    } else {
        Err(status_error(status, lookup, what))
    }
}

fn status_error(
    status: StatusCode,
    lookup: &Lookup<'_>,
    what: &dyn Fn() -> String,
) -> RegistryError {
    let registry = &lookup.reference.registry;
    match status {
        StatusCode::NOT_FOUND => RegistryError::NotFound(format!("{} not found", what())),
        StatusCode::FORBIDDEN => {
            RegistryError::Unauthorized(format!("registry {registry} forbids access to {}", what()))
        }
        StatusCode::TOO_MANY_REQUESTS => RegistryError::RateLimited(format!(
            "registry {registry} is rate limiting requests; try again later (or log in for a higher limit)"
        )),
        s if s.is_server_error() => RegistryError::Network(format!(
            "registry {registry} failed with HTTP {s} while looking up {}; try again later",
            what()
        )),
        s => RegistryError::Protocol(format!(
            "registry {registry} answered HTTP {s} while looking up {}",
            what()
        )),
    }
}

fn read_body(
    response: &mut Response<Body>,
    limit: u64,
    lookup: &Lookup<'_>,
) -> Result<Vec<u8>, RegistryError> {
    let mut bytes = Vec::new();
    let mut reader = response.body_mut().as_reader().take(limit + 1);
    match reader.read_to_end(&mut bytes) {
        Ok(_) if bytes.len() as u64 > limit => Err(RegistryError::Protocol(format!(
            "registry {} sent an answer larger than {limit} bytes",
            lookup.reference.registry
        ))),
        Ok(_) => Ok(bytes),
        Err(e)
            if matches!(
                e.kind(),
                std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock
            ) =>
        {
            Err(RegistryError::Timeout {
                registry: lookup.reference.registry.clone(),
                after: lookup.timeout,
            })
        }
        Err(e) => Err(RegistryError::Network(format!(
            "registry {} broke off while sending: {}",
            lookup.reference.registry,
            io_message(&e)
        ))),
    }
}

/// `Link: </v2/x/tags/list?n=100&last=b>; rel="next"` → absolute URL.
fn next_link(link: &str, base: &str) -> Option<String> {
    link.split(',').find_map(|part| {
        let (target, params) = part.trim().split_once(';')?;
        let is_next = params.split(';').any(|p| {
            let p = p.trim();
            p.eq_ignore_ascii_case("rel=\"next\"") || p.eq_ignore_ascii_case("rel=next")
        });
        if !is_next {
            return None;
        }
        let target = target.trim().strip_prefix('<')?.strip_suffix('>')?;
        Some(
            if target.starts_with("http://") || target.starts_with("https://") {
                target.to_owned()
            } else if target.starts_with('/') {
                format!("{base}{target}")
            } else {
                format!("{base}/{target}")
            },
        )
    })
}

fn has_port(host: &str) -> bool {
    host_without_port(host).len() != host.len()
}

fn host_without_port(host: &str) -> &str {
    if host.starts_with('[') {
        host.find(']').map_or(host, |end| &host[..=end])
    } else {
        host.split(':').next().unwrap_or(host)
    }
}

fn io_message(error: &std::io::Error) -> String {
    use std::io::ErrorKind;
    match error.kind() {
        ErrorKind::ConnectionRefused => "connection refused".to_owned(),
        ErrorKind::ConnectionReset => "connection reset".to_owned(),
        ErrorKind::ConnectionAborted => "connection aborted".to_owned(),
        ErrorKind::UnexpectedEof => "connection closed early".to_owned(),
        _ => error.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_headers() {
        let base = "http://127.0.0.1:5000";
        assert_eq!(
            next_link(r#"</v2/a/tags/list?n=2&last=b>; rel="next""#, base).as_deref(),
            Some("http://127.0.0.1:5000/v2/a/tags/list?n=2&last=b")
        );
        assert_eq!(next_link(r#"<https://x/y>; rel="prev""#, base), None);
    }

    #[test]
    fn insecure_hosts_match_any_port() {
        let client = RegistryClient::new(Options::default());
        assert!(client.is_insecure("127.0.0.1:5000"));
        assert!(client.is_insecure("localhost"));
        assert!(client.is_insecure("[::1]:5000"));
        assert!(!client.is_insecure("ghcr.io"));
        assert!(!client.is_insecure("127.0.0.1.example.com"));
        let client = RegistryClient::new(Options {
            insecure_registries: vec!["reg.lan:5000".into()],
            ..Options::default()
        });
        assert!(client.is_insecure("reg.lan:5000"));
        assert!(!client.is_insecure("reg.lan:443"));
    }
}
