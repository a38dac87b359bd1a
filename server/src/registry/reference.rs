//! Image references as written in `FROM` lines, normalised the way Docker does.

use super::RegistryError;

/// The registry name Docker uses for Docker Hub.
pub const DOCKER_HUB: &str = "docker.io";
/// The host that serves Docker Hub's registry API.
pub const DOCKER_HUB_API: &str = "registry-1.docker.io";

/// A parsed image reference: `[registry/]repository[:tag][@digest]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageReference {
    /// `docker.io` for Docker Hub, else the host (with port) as written.
    pub registry: String,
    /// The repository path, with `library/` for official Docker Hub images.
    pub repository: String,
    /// The tag; `latest` when neither tag nor digest was written.
    pub tag: Option<String>,
    /// The digest, when the reference is already pinned.
    pub digest: Option<String>,
}

impl ImageReference {
    /// Parses `node:20`, `docker.io/library/node:20`, `127.0.0.1:5000/team/app:1.2`,
    /// `alpine@sha256:…`.
    pub fn parse(image: &str) -> Result<Self, RegistryError> {
        let invalid = |why: &str| {
            RegistryError::InvalidReference(format!(
                "`{image}` is not an image reference that can be looked up: {why}"
            ))
        };
        if image.is_empty() {
            return Err(invalid("it is empty"));
        }
        if image.contains('$') {
            return Err(invalid("it contains a variable"));
        }
        if image.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(invalid("it contains whitespace"));
        }
        let (rest, digest) = match image.split_once('@') {
            Some((rest, digest)) => {
                if !is_digest(digest) {
                    return Err(invalid("the digest is not `algorithm:hex`"));
                }
                (rest, Some(digest.to_owned()))
            }
            None => (image, None),
        };
        let (registry, path) = match rest.split_once('/') {
            Some((first, path))
                if first.contains(['.', ':'])
                    || first == "localhost"
                    || first.chars().any(|c| c.is_ascii_uppercase()) =>
            {
                (first.to_owned(), path)
            }
            _ => (DOCKER_HUB.to_owned(), rest),
        };
        let (repository, tag) = match path.rsplit_once(':') {
            Some((repository, tag)) if !tag.contains('/') => (repository, Some(tag.to_owned())),
            _ => (path, None),
        };
        if !is_registry(&registry) {
            return Err(invalid("the registry must be `host` or `host:port`"));
        }
        if let Some(tag) = &tag {
            if !is_tag(tag) {
                return Err(invalid(
                    "the tag may hold only letters, digits, `_`, `.` and `-` (at most 128)",
                ));
            }
        }
        if !is_repository(repository) {
            return Err(invalid(
                "the repository name may hold only lowercase letters, digits and `.`, `_`, `-`, `/` separators",
            ));
        }
        let registry = match registry.as_str() {
            "index.docker.io" | "registry-1.docker.io" | "registry.hub.docker.com" => {
                DOCKER_HUB.to_owned()
            }
            _ => registry,
        };
        let repository = if registry == DOCKER_HUB && !repository.contains('/') {
            format!("library/{repository}")
        } else {
            repository.to_owned()
        };
        let tag = match (&tag, &digest) {
            (None, None) => Some("latest".to_owned()),
            _ => tag,
        };
        Ok(Self {
            registry,
            repository,
            tag,
            digest,
        })
    }

    /// The host (with port) that serves the registry API.
    pub fn api_host(&self) -> &str {
        if self.registry == DOCKER_HUB {
            DOCKER_HUB_API
        } else {
            &self.registry
        }
    }

    /// The fully qualified reference, e.g. `docker.io/library/node:20`.
    pub fn canonical(&self) -> String {
        let mut out = format!("{}/{}", self.registry, self.repository);
        if let Some(tag) = &self.tag {
            out.push(':');
            out.push_str(tag);
        }
        if let Some(digest) = &self.digest {
            out.push('@');
            out.push_str(digest);
        }
        out
    }
}

/// `algorithm:hex` as in the OCI image spec (`sha256:` + 64 hex digits and kin).
pub fn is_digest(value: &str) -> bool {
    let Some((algorithm, encoded)) = value.split_once(':') else {
        return false;
    };
    !algorithm.is_empty()
        && algorithm
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "+._-".contains(c))
        && encoded.len() >= 32
        && encoded
            .chars()
            .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c))
        && (algorithm != "sha256" || encoded.len() == 64)
}

/// `host`, `host:port`, `[ipv6]` or `[ipv6]:port`.
fn is_registry(registry: &str) -> bool {
    let split = if registry.starts_with('[') {
        registry.find(']').map(|end| end + 1)
    } else {
        Some(registry.find(':').unwrap_or(registry.len()))
    };
    let Some(split) = split else { return false };
    let (host, port) = registry.split_at(split);
    let port_ok = port.is_empty()
        || port
            .strip_prefix(':')
            .is_some_and(|p| (1..=5).contains(&p.len()) && p.chars().all(|c| c.is_ascii_digit()));
    let host_ok = match host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        Some(ipv6) => !ipv6.is_empty() && ipv6.chars().all(|c| c.is_ascii_hexdigit() || c == ':'),
        None => {
            !host.is_empty()
                && host
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
        }
    };
    host_ok && port_ok
}

fn is_tag(tag: &str) -> bool {
    let mut chars = tag.chars();
    tag.len() <= 128
        && chars
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c))
}

fn is_repository(repository: &str) -> bool {
    !repository.is_empty()
        && repository.split('/').all(|component| {
            component.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
                && component.ends_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
                && component
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(image: &str) -> ImageReference {
        ImageReference::parse(image).unwrap_or_else(|e| panic!("{image}: {e}"))
    }

    #[test]
    fn docker_hub_names_get_library_and_latest() {
        let r = parse("node");
        assert_eq!(r.canonical(), "docker.io/library/node:latest");
        assert_eq!(r.api_host(), DOCKER_HUB_API);
        assert_eq!(parse("node:20").canonical(), "docker.io/library/node:20");
        assert_eq!(
            parse("docker.io/library/node:20").canonical(),
            "docker.io/library/node:20"
        );
        assert_eq!(
            parse("index.docker.io/bitnami/redis:7").canonical(),
            "docker.io/bitnami/redis:7"
        );
    }

    #[test]
    fn registries_with_ports_and_paths() {
        let r = parse("127.0.0.1:5000/team/app:1.2");
        assert_eq!(r.registry, "127.0.0.1:5000");
        assert_eq!(r.repository, "team/app");
        assert_eq!(r.tag.as_deref(), Some("1.2"));
        let r = parse("localhost/app");
        assert_eq!(r.canonical(), "localhost/app:latest");
        assert_eq!(parse("[::1]:5000/app:1").api_host(), "[::1]:5000");
        let r = parse("ghcr.io/owner/image");
        assert_eq!(r.api_host(), "ghcr.io");
    }

    #[test]
    fn digests_are_kept() {
        let digest = format!("sha256:{}", "a".repeat(64));
        let r = parse(&format!("alpine@{digest}"));
        assert_eq!(r.tag, None);
        assert_eq!(r.digest.as_deref(), Some(digest.as_str()));
        assert!(ImageReference::parse("alpine@sha256:abc").is_err());
    }

    #[test]
    fn rejects_what_cannot_be_looked_up() {
        for bad in [
            "",
            "${BASE}",
            "Node:20",
            "node:bad/tag",
            "a b",
            "node:",
            "/node",
            "host:/app",
            "[zz]/app",
        ] {
            assert!(ImageReference::parse(bad).is_err(), "{bad}");
        }
    }
}
