//! Image reference names, normalised the way Docker does it, so `node`,
//! `library/node` and `docker.io/library/node` are one repository.

/// A repository name, normalised.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ImageName {
    /// `docker.io` for Docker Hub (also for `index.docker.io` and
    /// `registry-1.docker.io`), else the registry host (with port).
    pub registry: String,
    /// The repository path: `library/node`, `bitnami/redis`, `distroless/static-debian12`.
    pub path: String,
    /// The name as people write it: `node`, `bitnami/redis`, `gcr.io/distroless/static-debian12`.
    pub short: String,
}

impl ImageName {
    /// A Docker Official Image (`docker.io/library/*`).
    pub fn is_official(&self) -> bool {
        self.registry == DOCKER_HUB && self.path.starts_with("library/")
    }

    /// The Docker Hub namespace (`bitnami` for `bitnami/redis`); `None` off Hub.
    pub fn hub_namespace(&self) -> Option<&str> {
        if self.registry != DOCKER_HUB {
            return None;
        }
        self.path.split('/').next()
    }

    /// `registry/path`, the key the knowledge base indexes by.
    pub fn full(&self) -> String {
        format!("{}/{}", self.registry, self.path)
    }
}

pub(crate) const DOCKER_HUB: &str = "docker.io";

/// Normalises a repository name with Docker's rules: the first component is
/// a registry iff it contains `.` or `:` or is `localhost`; Docker Hub names
/// without `/` live in `library/`. A trailing `:tag` or `@digest` is ignored.
/// Names are compared lowercase (Docker rejects uppercase anyway).
pub fn normalize(name: &str) -> ImageName {
    let (repository, _) = split_reference(name);
    let lower = repository.trim().to_ascii_lowercase();
    let (registry, rest) = match lower.split_once('/') {
        Some((first, rest))
            if first.contains('.') || first.contains(':') || first == "localhost" =>
        {
            (first.to_string(), rest.to_string())
        }
        _ => (DOCKER_HUB.to_string(), lower.clone()),
    };
    let registry = match registry.as_str() {
        "index.docker.io" | "registry-1.docker.io" | "registry.hub.docker.com" => {
            DOCKER_HUB.to_string()
        }
        _ => registry,
    };
    let path = if registry == DOCKER_HUB && !rest.contains('/') {
        format!("library/{rest}")
    } else {
        rest
    };
    let short = if registry == DOCKER_HUB {
        path.strip_prefix("library/").unwrap_or(&path).to_string()
    } else {
        format!("{registry}/{path}")
    };
    ImageName {
        registry,
        path,
        short,
    }
}

/// Splits `name[:tag][@digest]` into the repository and the tag. A `:` only
/// starts a tag after the last `/`, so `localhost:5000/app` has no tag.
pub(crate) fn split_reference(reference: &str) -> (&str, Option<&str>) {
    let without_digest = reference.split('@').next().unwrap_or(reference);
    let last_slash = without_digest.rfind('/').map_or(0, |i| i + 1);
    match without_digest[last_slash..].find(':') {
        Some(colon) => {
            let at = last_slash + colon;
            (&without_digest[..at], Some(&without_digest[at + 1..]))
        }
        None => (without_digest, None),
    }
}
