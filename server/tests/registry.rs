//! The registry client against a real registry: Debian's `docker-registry`
//! (distribution 2.8) on 127.0.0.1, with anonymous, htpasswd (Basic) and token
//! (Bearer, a token server run by the test) authentication.
//!
//! Needs `/usr/bin/docker-registry`, `htpasswd` (apache2-utils) and `openssl`.
//! Without them the tests fail, unless `DOCKFIX_SKIP_REGISTRY_TESTS=1`.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use dockfix::registry::{
    credentials_from_docker_config, Credential, Options, RegistryClient, RegistryError, CACHE_FILE,
};
use sha2::{Digest as _, Sha256};
use tempfile::TempDir;

const REGISTRY_BIN: &str = "/usr/bin/docker-registry";

// ---------------------------------------------------------------------------
// Tools and the registry process
// ---------------------------------------------------------------------------

/// `None` when the tests are to be skipped; panics when a tool is missing.
fn tools() -> Option<()> {
    if std::env::var("DOCKFIX_SKIP_REGISTRY_TESTS").is_ok_and(|v| v == "1") {
        eprintln!("DOCKFIX_SKIP_REGISTRY_TESTS=1: skipping a test that needs a real registry");
        return None;
    }
    assert!(
        Path::new(REGISTRY_BIN).exists(),
        "{REGISTRY_BIN} is missing: run `apt-get install docker-registry apache2-utils openssl` \
         (or set DOCKFIX_SKIP_REGISTRY_TESTS=1 to skip the registry tests)"
    );
    Some(())
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

struct Registry {
    child: Option<Child>,
    port: u16,
    dir: TempDir,
}

impl Registry {
    /// Starts `docker-registry serve` on a free loopback port; `auth` is the
    /// YAML of the `auth:` section (empty for anonymous access).
    fn start(auth: &str) -> Registry {
        // A port picked free may be taken before the registry binds it: retry.
        for _attempt in 0..3 {
            let dir = TempDir::new().unwrap();
            let storage = dir.path().join("storage");
            std::fs::create_dir_all(&storage).unwrap();
            let port = free_port();
            let config = format!(
                "version: 0.1\n\
                 log:\n  level: error\n  accesslog:\n    disabled: true\n\
                 storage:\n  filesystem:\n    rootdirectory: {storage}\n  delete:\n    enabled: true\n\
                 http:\n  addr: 127.0.0.1:{port}\n  secret: dockfix-test-secret\n\
                 {auth}",
                storage = storage.display()
            );
            let config_path = dir.path().join("config.yml");
            std::fs::write(&config_path, config).unwrap();
            let log = std::fs::File::create(dir.path().join("registry.log")).unwrap();
            let child = Command::new(REGISTRY_BIN)
                .arg("serve")
                .arg(&config_path)
                .stdin(Stdio::null())
                .stdout(log.try_clone().unwrap())
                .stderr(log)
                .spawn()
                .unwrap_or_else(|e| panic!("cannot start {REGISTRY_BIN}: {e}"));
            let mut registry = Registry {
                child: Some(child),
                port,
                dir,
            };
            if registry.wait_until_up() {
                return registry;
            }
        }
        panic!("the registry did not start; see its log above");
    }

    fn wait_until_up(&mut self) -> bool {
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(20) {
            if let Some(child) = self.child.as_mut() {
                if let Ok(Some(status)) = child.try_wait() {
                    let log = std::fs::read_to_string(self.dir.path().join("registry.log"))
                        .unwrap_or_default();
                    eprintln!("registry exited with {status}:\n{log}");
                    return false;
                }
            }
            if let Ok(mut stream) = TcpStream::connect(("127.0.0.1", self.port)) {
                let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
                let _ = stream.write_all(b"GET /v2/ HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n");
                let mut answer = [0u8; 12];
                if stream.read_exact(&mut answer).is_ok() && answer.starts_with(b"HTTP/1.") {
                    return true;
                }
            }
            thread::sleep(Duration::from_millis(50));
        }
        false
    }

    fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        self.stop();
    }
}

// ---------------------------------------------------------------------------
// Pushing with plain HTTP calls
// ---------------------------------------------------------------------------

const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
const DOCKER_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";

fn sha256(bytes: &[u8]) -> String {
    format!("sha256:{:x}", Sha256::digest(bytes))
}

struct Pusher {
    agent: ureq::Agent,
    base: String,
    /// `Authorization` header value for pushes.
    authorization: Option<String>,
}

impl Pusher {
    fn new(registry: &Registry, authorization: Option<String>) -> Pusher {
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(10)))
            .build()
            .new_agent();
        Pusher {
            agent,
            base: format!("http://{}", registry.host()),
            authorization,
        }
    }

    fn auth<B>(&self, request: ureq::RequestBuilder<B>) -> ureq::RequestBuilder<B> {
        match &self.authorization {
            Some(value) => request.header("Authorization", value),
            None => request,
        }
    }

    /// Monolithic upload: POST an upload session, then PUT the bytes with `?digest=`.
    fn blob(&self, name: &str, bytes: &[u8]) -> String {
        let digest = sha256(bytes);
        let response = self
            .auth(
                self.agent
                    .post(format!("{}/v2/{name}/blobs/uploads/", self.base)),
            )
            .send_empty()
            .unwrap();
        assert_eq!(response.status(), 202, "blob upload start for {name}");
        let location = response
            .headers()
            .get("location")
            .unwrap()
            .to_str()
            .unwrap()
            .to_owned();
        let location = if location.starts_with('/') {
            format!("{}{location}", self.base)
        } else {
            location
        };
        let separator = if location.contains('?') { '&' } else { '?' };
        let response = self
            .auth(
                self.agent
                    .put(format!("{location}{separator}digest={digest}")),
            )
            .header("Content-Type", "application/octet-stream")
            .send(bytes)
            .unwrap();
        assert_eq!(response.status(), 201, "blob upload for {name}");
        digest
    }

    /// PUTs a manifest under `reference` (a tag or digest); returns the digest of its bytes.
    fn manifest(&self, name: &str, reference: &str, media_type: &str, bytes: &[u8]) -> String {
        let mut response = self
            .auth(
                self.agent
                    .put(format!("{}/v2/{name}/manifests/{reference}", self.base)),
            )
            .header("Content-Type", media_type)
            .send(bytes)
            .unwrap();
        let status = response.status();
        let body = response.body_mut().read_to_string().unwrap_or_default();
        assert_eq!(status, 201, "manifest PUT {name}:{reference}: {body}");
        let digest = sha256(bytes);
        let header = response
            .headers()
            .get("docker-content-digest")
            .unwrap()
            .to_str()
            .unwrap();
        assert_eq!(header, digest, "the registry digests the bytes we sent");
        digest
    }

    /// An image manifest (OCI or Docker v2) with one config and one layer blob.
    fn image(&self, name: &str, tag: &str, media_type: &str, variant: &str) -> (String, usize) {
        let config = format!(
            r#"{{"architecture":"amd64","os":"linux","config":{{"Labels":{{"variant":"{variant}"}}}},"rootfs":{{"type":"layers","diff_ids":[]}}}}"#
        );
        let config_digest = self.blob(name, config.as_bytes());
        let layer = format!("layer of {variant}");
        let layer_digest = self.blob(name, layer.as_bytes());
        let (config_type, layer_type) = if media_type == OCI_MANIFEST {
            (
                "application/vnd.oci.image.config.v1+json",
                "application/vnd.oci.image.layer.v1.tar+gzip",
            )
        } else {
            (
                "application/vnd.docker.container.image.v1+json",
                "application/vnd.docker.image.rootfs.diff.tar.gzip",
            )
        };
        // Deliberately not canonical JSON (indentation, key order): the digest
        // must be the one of these exact bytes.
        let manifest = format!(
            "{{\n  \"schemaVersion\": 2,\n  \"mediaType\": \"{media_type}\",\n  \"config\": {{\"mediaType\": \"{config_type}\", \"size\": {}, \"digest\": \"{config_digest}\"}},\n  \"layers\": [{{\"mediaType\": \"{layer_type}\", \"size\": {}, \"digest\": \"{layer_digest}\"}}]\n}}\n",
            config.len(),
            layer.len()
        );
        (
            self.manifest(name, tag, media_type, manifest.as_bytes()),
            manifest.len(),
        )
    }

    /// A multi-platform index over the given (digest, size) image manifests.
    fn index(
        &self,
        name: &str,
        tag: &str,
        media_type: &str,
        child_type: &str,
        children: &[(String, usize)],
    ) -> String {
        let entries: Vec<String> = children
            .iter()
            .zip(["amd64", "arm64"])
            .map(|((digest, size), arch)| {
                format!(
                    r#"{{"mediaType":"{child_type}","digest":"{digest}","size":{size},"platform":{{"architecture":"{arch}","os":"linux"}}}}"#
                )
            })
            .collect();
        let index = format!(
            r#"{{"schemaVersion":2,"mediaType":"{media_type}","manifests":[{}]}}"#,
            entries.join(",")
        );
        self.manifest(name, tag, media_type, index.as_bytes())
    }
}

fn client(options: Options) -> RegistryClient {
    RegistryClient::new(options)
}

fn quick() -> Options {
    Options {
        timeout: Duration::from_secs(5),
        ..Options::default()
    }
}

// ---------------------------------------------------------------------------
// Anonymous registry
// ---------------------------------------------------------------------------

#[test]
fn resolves_the_digest_of_each_manifest_kind_and_lists_tags() {
    let Some(()) = tools() else { return };
    let registry = Registry::start("");
    let host = registry.host();
    let push = Pusher::new(&registry, None);

    let docker = push.image("team/app", "docker-v2", DOCKER_MANIFEST, "docker");
    let oci = push.image("team/app", "oci", OCI_MANIFEST, "oci");
    let arm = push.image("team/app", "oci-arm64", OCI_MANIFEST, "arm64");
    let index = push.index(
        "team/app",
        "multi",
        OCI_INDEX,
        OCI_MANIFEST,
        &[oci.clone(), arm.clone()],
    );
    let docker_arm = push.image("team/app", "docker-arm64", DOCKER_MANIFEST, "docker-arm64");
    let list = push.index(
        "team/app",
        "1.2",
        DOCKER_LIST,
        DOCKER_MANIFEST,
        &[docker.clone(), docker_arm],
    );

    let client = client(quick());
    assert_eq!(
        client
            .resolve_digest(&format!("{host}/team/app:docker-v2"))
            .unwrap(),
        docker.0
    );
    assert_eq!(
        client
            .resolve_digest(&format!("{host}/team/app:oci"))
            .unwrap(),
        oci.0
    );
    // For a multi-platform image the digest is the index's, not a platform's.
    assert_eq!(
        client
            .resolve_digest(&format!("{host}/team/app:multi"))
            .unwrap(),
        index
    );
    assert_eq!(
        client
            .resolve_digest(&format!("{host}/team/app:1.2"))
            .unwrap(),
        list
    );
    // Pinned references are returned as they are, without a lookup.
    let pinned = format!("{host}/team/app:oci@{}", oci.0);
    assert_eq!(client.resolve_digest(&pinned).unwrap(), oci.0);

    // Moving a tag moves the digest.
    let moved = push.image("team/app", "oci", OCI_MANIFEST, "oci-rebuilt");
    assert_eq!(
        client
            .resolve_digest(&format!("{host}/team/app:oci"))
            .unwrap(),
        moved.0
    );

    let mut tags = client.list_tags(&format!("{host}/team/app")).unwrap();
    tags.sort();
    assert_eq!(
        tags,
        [
            "1.2",
            "docker-arm64",
            "docker-v2",
            "multi",
            "oci",
            "oci-arm64"
        ]
    );

    match client.resolve_digest(&format!("{host}/team/app:nope")) {
        Err(RegistryError::NotFound(message)) => {
            assert!(
                message.contains("nope") && message.contains("team/app"),
                "{message}"
            )
        }
        other => panic!("expected NotFound, got {other:?}"),
    }
    match client.list_tags(&format!("{host}/team/missing")) {
        Err(RegistryError::NotFound(message)) => {
            assert!(message.contains("team/missing"), "{message}")
        }
        other => panic!("expected NotFound, got {other:?}"),
    }
    match client.resolve_digest("${BASE_IMAGE}") {
        Err(RegistryError::InvalidReference(message)) => {
            assert!(message.contains("variable"), "{message}")
        }
        other => panic!("expected InvalidReference, got {other:?}"),
    }
}

#[test]
fn tag_lists_follow_link_pages() {
    let Some(()) = tools() else { return };
    let registry = Registry::start("");
    let host = registry.host();
    let push = Pusher::new(&registry, None);
    let (_, _) = push.image("many/tags", "v0", OCI_MANIFEST, "paged");
    // The client asks for pages of 100; 201 tags take three pages (100, 100, 1).
    let manifest = push
        .agent
        .get(format!("http://{host}/v2/many/tags/manifests/v0"))
        .header("Accept", OCI_MANIFEST)
        .call()
        .unwrap()
        .body_mut()
        .read_to_vec()
        .unwrap();
    for i in 1..201 {
        push.manifest("many/tags", &format!("v{i}"), OCI_MANIFEST, &manifest);
    }
    let tags = client(quick())
        .list_tags(&format!("{host}/many/tags:v0"))
        .unwrap();
    assert_eq!(tags.len(), 201, "{tags:?}");
    let unique: std::collections::BTreeSet<_> = tags.iter().collect();
    assert_eq!(unique.len(), 201);
    assert!(tags.contains(&"v200".to_owned()));
}

// ---------------------------------------------------------------------------
// Basic auth (htpasswd)
// ---------------------------------------------------------------------------

#[test]
fn basic_auth_needs_the_hosts_credentials() {
    let Some(()) = tools() else { return };
    let dir = TempDir::new().unwrap();
    let htpasswd = dir.path().join("htpasswd");
    let output = Command::new("htpasswd")
        .args(["-Bbn", "alice", "s3cret:with:colons"])
        .output()
        .expect("htpasswd is missing: run `apt-get install apache2-utils`");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    std::fs::write(&htpasswd, &output.stdout).unwrap();
    let registry = Registry::start(&format!(
        "auth:\n  htpasswd:\n    realm: dockfix-test\n    path: {}\n",
        htpasswd.display()
    ));
    let host = registry.host();
    let basic = format!("Basic {}", STANDARD.encode("alice:s3cret:with:colons"));
    let push = Pusher::new(&registry, Some(basic));
    let (digest, _) = push.image("private/app", "1.0", OCI_MANIFEST, "private");
    let image = format!("{host}/private/app:1.0");

    match client(quick()).resolve_digest(&image) {
        Err(RegistryError::Unauthorized(message)) => {
            assert!(
                message.contains(&host) && message.contains("docker login"),
                "{message}"
            )
        }
        other => panic!("expected Unauthorized without credentials, got {other:?}"),
    }
    let wrong = Options {
        credentials: vec![Credential {
            host: host.clone(),
            username: "alice".into(),
            password: "wrong".into(),
        }],
        ..quick()
    };
    match client(wrong).resolve_digest(&image) {
        Err(RegistryError::Unauthorized(message)) => {
            assert!(message.contains("alice"), "{message}")
        }
        other => panic!("expected Unauthorized with a wrong password, got {other:?}"),
    }

    // Credentials as `docker login` stores them.
    let config = dir.path().join("config.json");
    std::fs::write(
        &config,
        format!(
            r#"{{"auths":{{"http://{host}":{{"auth":"{}"}},"ghcr.io":{{"username":"bob","password":"pat"}}}}}}"#,
            STANDARD.encode("alice:s3cret:with:colons")
        ),
    )
    .unwrap();
    let credentials = credentials_from_docker_config(&config);
    assert_eq!(credentials.len(), 2);
    let with = client(Options {
        credentials,
        ..quick()
    });
    assert_eq!(with.resolve_digest(&image).unwrap(), digest);
    assert_eq!(with.list_tags(&image).unwrap(), ["1.0"]);
}

#[test]
fn docker_config_decodes_auth_entries() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("config.json");
    std::fs::write(
        &path,
        format!(
            r#"{{"auths":{{
                "https://index.docker.io/v1/":{{"auth":"{}"}},
                "registry.example.com:5000":{{"auth":"{}"}},
                "broken.example.com":{{"auth":"***not base64***"}},
                "helper.example.com":{{}}
            }},"credsStore":"desktop"}}"#,
            STANDARD.encode("hubuser:hub:pass"),
            STANDARD.encode("ci:token")
        ),
    )
    .unwrap();
    let mut credentials = credentials_from_docker_config(&path);
    credentials.sort_by(|a, b| a.host.cmp(&b.host));
    assert_eq!(credentials.len(), 2, "{credentials:?}");
    assert_eq!(credentials[0].host, "https://index.docker.io/v1/");
    assert_eq!(
        (
            credentials[0].username.as_str(),
            credentials[0].password.as_str()
        ),
        ("hubuser", "hub:pass")
    );
    assert_eq!(
        (
            credentials[1].username.as_str(),
            credentials[1].password.as_str()
        ),
        ("ci", "token")
    );
    assert!(
        !format!("{credentials:?}").contains("hub:pass"),
        "Debug must not print passwords"
    );
    assert!(credentials_from_docker_config(&dir.path().join("missing.json")).is_empty());
    std::fs::write(&path, "{not json").unwrap();
    assert!(credentials_from_docker_config(&path).is_empty());
}

// ---------------------------------------------------------------------------
// Token auth: the registry's `auth: token` and a token server run here
// ---------------------------------------------------------------------------

struct TokenKeys {
    dir: TempDir,
    /// The certificate, DER in standard base64 (the JWT `x5c` entry).
    x5c: String,
}

impl TokenKeys {
    fn generate() -> TokenKeys {
        let dir = TempDir::new().unwrap();
        let status = Command::new("openssl")
            .args([
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "2",
                "-subj",
                "/CN=dockfix-test-token",
            ])
            .arg("-keyout")
            .arg(dir.path().join("key.pem"))
            .arg("-out")
            .arg(dir.path().join("cert.pem"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("openssl is missing: run `apt-get install openssl`");
        assert!(status.success());
        let pem = std::fs::read_to_string(dir.path().join("cert.pem")).unwrap();
        let x5c: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
        TokenKeys { dir, x5c }
    }

    fn cert(&self) -> PathBuf {
        self.dir.path().join("cert.pem")
    }

    /// An RS256 JWT as distribution's token auth expects it.
    fn token(&self, subject: &str, access: &[(String, String, Vec<String>)]) -> String {
        let header = format!(r#"{{"typ":"JWT","alg":"RS256","x5c":["{}"]}}"#, self.x5c);
        let now = unix_now();
        let access: Vec<String> = access
            .iter()
            .map(|(kind, name, actions)| {
                let actions: Vec<String> = actions.iter().map(|a| format!("\"{a}\"")).collect();
                format!(
                    r#"{{"type":"{kind}","name":"{name}","actions":[{}]}}"#,
                    actions.join(",")
                )
            })
            .collect();
        let claims = format!(
            r#"{{"iss":"dockfix-test-issuer","sub":"{subject}","aud":"dockfix-test","exp":{},"nbf":{},"iat":{},"jti":"{now}-{subject}","access":[{}]}}"#,
            now + 600,
            now - 60,
            now - 60,
            access.join(",")
        );
        let input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header),
            URL_SAFE_NO_PAD.encode(claims)
        );
        let mut child = Command::new("openssl")
            .args(["dgst", "-sha256", "-binary", "-sign"])
            .arg(self.dir.path().join("key.pem"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
        let output = child.wait_with_output().unwrap();
        assert!(output.status.success());
        format!("{input}.{}", URL_SAFE_NO_PAD.encode(output.stdout))
    }
}

/// A token server on 127.0.0.1: `GET /token?service=…&scope=…` with Basic
/// `alice:wonderland` grants the requested scopes; without it, 401.
struct TokenServer {
    port: u16,
    issued: Arc<AtomicUsize>,
}

fn query_params(target: &str) -> Vec<(String, String)> {
    let query = target.split_once('?').map_or("", |(_, q)| q);
    query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .map(|(k, v)| (k.to_owned(), percent_decode(v)))
        .collect()
}

fn percent_decode(value: &str) -> String {
    let bytes = value.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap();
            out.push(u8::from_str_radix(hex, 16).unwrap());
            i += 3;
        } else {
            out.push(if bytes[i] == b'+' { b' ' } else { bytes[i] });
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

/// Reads one request's head; returns (request line, headers).
fn read_request(stream: &TcpStream) -> Option<(String, Vec<(String, String)>)> {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut headers = Vec::new();
    loop {
        let mut header = String::new();
        reader.read_line(&mut header).ok()?;
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((k, v)) = header.split_once(':') {
            headers.push((k.trim().to_ascii_lowercase(), v.trim().to_owned()));
        }
    }
    Some((line.trim_end().to_owned(), headers))
}

fn respond(mut stream: &TcpStream, status: &str, headers: &[(&str, String)], body: &[u8]) {
    let mut head = format!(
        "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(body);
    let _ = stream.flush();
}

impl TokenServer {
    fn start(keys: Arc<TokenKeys>) -> TokenServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let issued = Arc::new(AtomicUsize::new(0));
        let counter = issued.clone();
        let expected = format!("Basic {}", STANDARD.encode("alice:wonderland"));
        thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let Some((line, headers)) = read_request(&stream) else {
                    continue;
                };
                let target = line.split_whitespace().nth(1).unwrap_or("/").to_owned();
                let authorized = headers
                    .iter()
                    .any(|(k, v)| k == "authorization" && *v == expected);
                if !authorized {
                    respond(
                        &stream,
                        "401 Unauthorized",
                        &[],
                        br#"{"details":"bad credentials"}"#,
                    );
                    continue;
                }
                let params = query_params(&target);
                let access: Vec<(String, String, Vec<String>)> = params
                    .iter()
                    .filter(|(k, _)| k == "scope")
                    .filter_map(|(_, scope)| {
                        let mut parts = scope.splitn(2, ':');
                        let kind = parts.next()?.to_owned();
                        let (name, actions) = parts.next()?.rsplit_once(':')?;
                        Some((
                            kind,
                            name.to_owned(),
                            actions.split(',').map(str::to_owned).collect(),
                        ))
                    })
                    .collect();
                let token = keys.token("alice", &access);
                counter.fetch_add(1, Ordering::SeqCst);
                // Docker Hub style: `token`, plus `access_token` (OAuth style).
                let body =
                    format!(r#"{{"token":"{token}","access_token":"{token}","expires_in":600}}"#);
                respond(
                    &stream,
                    "200 OK",
                    &[("Content-Type", "application/json".into())],
                    body.as_bytes(),
                );
            }
        });
        TokenServer { port, issued }
    }
}

#[test]
fn bearer_token_auth_with_a_token_server() {
    let Some(()) = tools() else { return };
    let keys = Arc::new(TokenKeys::generate());
    let server = TokenServer::start(keys.clone());
    let registry = Registry::start(&format!(
        "auth:\n  token:\n    realm: http://127.0.0.1:{}/token\n    service: dockfix-test\n    issuer: dockfix-test-issuer\n    rootcertbundle: {}\n",
        server.port,
        keys.cert().display()
    ));
    let host = registry.host();
    let push_token = keys.token(
        "pusher",
        &[(
            "repository".into(),
            "secure/app".into(),
            vec!["pull".into(), "push".into()],
        )],
    );
    let push = Pusher::new(&registry, Some(format!("Bearer {push_token}")));
    let (digest, _) = push.image("secure/app", "2.0", OCI_MANIFEST, "secure");
    let image = format!("{host}/secure/app:2.0");

    match client(quick()).resolve_digest(&image) {
        Err(RegistryError::Unauthorized(message)) => {
            assert!(message.contains("docker login"), "{message}")
        }
        other => panic!("expected Unauthorized without credentials, got {other:?}"),
    }
    let issued_before = server.issued.load(Ordering::SeqCst);
    let with = client(Options {
        credentials: vec![Credential {
            host: host.clone(),
            username: "alice".into(),
            password: "wonderland".into(),
        }],
        ..quick()
    });
    assert_eq!(with.resolve_digest(&image).unwrap(), digest);
    assert_eq!(
        server.issued.load(Ordering::SeqCst),
        issued_before + 1,
        "one token for the lookup"
    );
    // The token is kept for the scope: no second token request.
    assert_eq!(with.resolve_digest(&image).unwrap(), digest);
    assert_eq!(with.list_tags(&image).unwrap(), ["2.0"]);
    assert_eq!(
        server.issued.load(Ordering::SeqCst),
        issued_before + 1,
        "the token was reused"
    );
}

// ---------------------------------------------------------------------------
// Failures: nothing listening, a silent server, a HEAD without a digest
// ---------------------------------------------------------------------------

#[test]
fn an_unreachable_registry_fails_fast_and_caches_nothing() {
    let cache = TempDir::new().unwrap();
    let port = free_port();
    let client = client(Options {
        timeout: Duration::from_secs(3),
        cache_dir: Some(cache.path().to_owned()),
        ..Options::default()
    });
    let start = Instant::now();
    let error = client
        .resolve_digest(&format!("127.0.0.1:{port}/team/app:1.2"))
        .unwrap_err();
    assert!(
        start.elapsed() < Duration::from_secs(3),
        "took {:?}",
        start.elapsed()
    );
    assert!(matches!(error, RegistryError::Network(_)), "{error:?}");
    assert_eq!(
        error.to_string(),
        format!("registry 127.0.0.1:{port} is unreachable: connection refused")
    );
    assert!(
        !cache.path().join(CACHE_FILE).exists(),
        "failures are not cached"
    );
    assert!(client
        .list_tags(&format!("127.0.0.1:{port}/team/app"))
        .is_err());
}

#[test]
fn a_silent_registry_times_out() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    // Accepts connections and never answers; ends with the test process.
    thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().take(8) {
            held.push(stream);
        }
        thread::sleep(Duration::from_secs(30));
    });
    let timeout = Duration::from_millis(700);
    let client = client(Options {
        timeout,
        ..Options::default()
    });
    let start = Instant::now();
    let error = client
        .resolve_digest(&format!("127.0.0.1:{port}/team/app:1.2"))
        .unwrap_err();
    let elapsed = start.elapsed();
    assert!(matches!(error, RegistryError::Timeout { .. }), "{error:?}");
    assert!(
        elapsed >= timeout && elapsed < timeout + Duration::from_secs(1),
        "took {elapsed:?}"
    );
    assert!(
        error.to_string().contains(&format!("127.0.0.1:{port}")),
        "{error}"
    );
}

/// A registry that answers HEAD without `Docker-Content-Digest` (some
/// registries and proxies do): the client GETs the manifest and hashes it.
#[test]
fn a_head_without_digest_falls_back_to_hashing_the_manifest() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let manifest = br#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}"#;
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = seen.clone();
    thread::spawn(move || {
        for stream in listener.incoming().take(4) {
            let Ok(stream) = stream else { continue };
            let Some((line, headers)) = read_request(&stream) else {
                continue;
            };
            let accept = headers
                .iter()
                .find(|(k, _)| k == "accept")
                .map(|(_, v)| v.clone())
                .unwrap_or_default();
            log.lock().unwrap().push((line.clone(), accept));
            let content_type = [("Content-Type", OCI_INDEX.to_owned())];
            if line.starts_with("HEAD ") {
                let head = format!(
                    "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nContent-Type: {OCI_INDEX}\r\nConnection: close\r\n\r\n",
                    manifest.len()
                );
                let _ = (&stream).write_all(head.as_bytes());
            } else {
                respond(&stream, "200 OK", &content_type, manifest);
            }
        }
    });
    let digest = client(quick())
        .resolve_digest(&format!("127.0.0.1:{port}/plain/app:1"))
        .unwrap();
    assert_eq!(digest, sha256(manifest));
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 2, "{seen:?}");
    assert!(
        seen[0].0.starts_with("HEAD /v2/plain/app/manifests/1 "),
        "{seen:?}"
    );
    assert!(
        seen[1].0.starts_with("GET /v2/plain/app/manifests/1 "),
        "{seen:?}"
    );
    for media_type in [OCI_INDEX, DOCKER_LIST, OCI_MANIFEST, DOCKER_MANIFEST] {
        assert!(
            seen[0].1.contains(media_type),
            "Accept lacks {media_type}: {}",
            seen[0].1
        );
    }
}

// ---------------------------------------------------------------------------
// The disk cache
// ---------------------------------------------------------------------------

fn cache_entries(dir: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(dir.join(CACHE_FILE)).unwrap();
    serde_json::from_str::<serde_json::Value>(&text).unwrap()["entries"].clone()
}

#[test]
fn the_disk_cache_answers_within_ttl_and_refetches_after() {
    let Some(()) = tools() else { return };
    let mut registry = Registry::start("");
    let host = registry.host();
    let push = Pusher::new(&registry, None);
    let (digest, _) = push.image("cached/app", "1", OCI_MANIFEST, "cached");
    let image = format!("{host}/cached/app:1");
    let key = format!("{host}/cached/app:1");
    let cache = TempDir::new().unwrap();
    let options = || Options {
        cache_dir: Some(cache.path().to_owned()),
        ..quick()
    };

    // A corrupt cache file is ignored and overwritten.
    std::fs::write(cache.path().join(CACHE_FILE), "{ this is not json").unwrap();
    assert_eq!(client(options()).resolve_digest(&image).unwrap(), digest);
    let entries = cache_entries(cache.path());
    assert_eq!(entries[&key]["digest"], digest.as_str());
    let fetched_at = entries[&key]["fetched_at"].as_u64().unwrap();
    assert!(unix_now().abs_diff(fetched_at) < 60);

    // An expired entry (fetched long ago, holding a stale digest) is refetched.
    let stale = format!("sha256:{}", "0".repeat(64));
    std::fs::write(
        cache.path().join(CACHE_FILE),
        format!(
            r#"{{"version":1,"entries":{{"{key}":{{"digest":"{stale}","fetched_at":1000}}}}}}"#
        ),
    )
    .unwrap();
    assert_eq!(client(options()).resolve_digest(&image).unwrap(), digest);
    assert_eq!(cache_entries(cache.path())[&key]["digest"], digest.as_str());

    // Within ttl the cache answers, even with the registry gone, and a
    // fresh client (a new process, say) reads the same file.
    registry.stop();
    let start = Instant::now();
    assert_eq!(client(options()).resolve_digest(&image).unwrap(), digest);
    assert!(
        start.elapsed() < Duration::from_millis(500),
        "served from the cache"
    );
    // The same image written differently shares the entry.
    assert_eq!(
        client(options())
            .resolve_digest(&format!("{host}/cached/app:1"))
            .unwrap(),
        digest
    );

    // With ttl 0 every entry is expired: the lookup goes to the (stopped) registry.
    let expired = client(Options {
        ttl: Duration::ZERO,
        ..options()
    });
    match expired.resolve_digest(&image) {
        Err(RegistryError::Network(message)) => {
            assert!(message.contains("unreachable"), "{message}")
        }
        other => panic!("expected a network error, got {other:?}"),
    }
    // No temporary files are left behind by the atomic writes.
    let files: Vec<_> = std::fs::read_dir(cache.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(files, [std::ffi::OsString::from(CACHE_FILE)]);
}

// ---------------------------------------------------------------------------
// DF203 end to end: `dockfix check --fix` and the language server's
// `codeAction/resolve`, pinning against the real registry.
// ---------------------------------------------------------------------------

/// A project folder with a Dockerfile and a `.dockfix.toml` that turns
/// online lookups and DF203 on; the cache goes to its own folder.
fn pin_project(image: &str) -> (TempDir, PathBuf) {
    let dir = TempDir::new().unwrap();
    let file = dir.path().join("Dockerfile");
    std::fs::write(&file, format!("FROM {image} AS app\nUSER 65532\n")).unwrap();
    std::fs::write(
        dir.path().join(".dockfix.toml"),
        "online = true\nselect = [\"DF203\"]\n",
    )
    .unwrap();
    (dir, file)
}

fn dockfix(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_dockfix"))
        .args(args)
        .current_dir(dir)
        .env("XDG_CACHE_HOME", dir.join("cache"))
        .env("HOME", dir)
        .output()
        .unwrap()
}

#[test]
fn check_fix_pins_the_digest_from_the_registry() {
    let Some(()) = tools() else { return };
    let registry = Registry::start("");
    let push = Pusher::new(&registry, None);
    let (digest, _) = push.image("team/app", "1.0", OCI_MANIFEST, "app");
    let image = format!("{}/team/app:1.0", registry.host());
    let (dir, file) = pin_project(&image);

    let output = dockfix(dir.path(), &["check", "--fix", "Dockerfile"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "{stderr}\n{}",
        String::from_utf8_lossy(&output.stdout)
    );
    let fixed = std::fs::read_to_string(&file).unwrap();
    assert_eq!(fixed, format!("FROM {image}@{digest} AS app\nUSER 65532\n"));
    // Idempotent: nothing left to pin.
    let again = dockfix(dir.path(), &["check", "--fix", "Dockerfile"]);
    assert!(again.status.success());
    assert_eq!(std::fs::read_to_string(&file).unwrap(), fixed);
}

#[test]
fn check_with_the_registry_down_reports_and_changes_nothing() {
    let Some(()) = tools() else { return };
    let port = free_port();
    let image = format!("127.0.0.1:{port}/team/app:1.0");
    let (dir, file) = pin_project(&image);
    let before = std::fs::read_to_string(&file).unwrap();
    let started = Instant::now();
    let output = dockfix(dir.path(), &["check", "--fix", "Dockerfile"]);
    assert!(started.elapsed() < Duration::from_secs(5));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&format!("cannot pin `{image}`")),
        "{stderr}"
    );
    assert!(stderr.contains("unreachable"), "{stderr}");
    // The finding stays, unfixed; the file is untouched.
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stdout).contains("DF203"));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), before);
}

/// A minimal JSON-RPC client over the real server's stdio.
struct Lsp {
    child: Child,
    stdin: std::process::ChildStdin,
    reader: BufReader<std::process::ChildStdout>,
    next_id: i64,
}

impl Lsp {
    fn start(dir: &Path) -> Lsp {
        let mut child = Command::new(env!("CARGO_BIN_EXE_dockfix"))
            .args(["server", "--stdio"])
            .env("XDG_CACHE_HOME", dir.join("cache"))
            .env("HOME", dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let reader = BufReader::new(child.stdout.take().unwrap());
        Lsp {
            child,
            stdin,
            reader,
            next_id: 1,
        }
    }

    fn send(&mut self, message: serde_json::Value) {
        let body = message.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        self.stdin.flush().unwrap();
    }

    fn read(&mut self) -> serde_json::Value {
        let mut length = 0;
        loop {
            let mut line = String::new();
            assert!(
                self.reader.read_line(&mut line).unwrap() > 0,
                "the server exited"
            );
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some(value) = line.strip_prefix("Content-Length: ") {
                length = value.parse().unwrap();
            }
        }
        let mut body = vec![0; length];
        self.reader.read_exact(&mut body).unwrap();
        serde_json::from_slice(&body).unwrap()
    }

    fn request(&mut self, method: &str, params: serde_json::Value) -> serde_json::Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(
            serde_json::json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}),
        );
        loop {
            let message = self.read();
            if message["id"] == id && message.get("method").is_none() {
                return message;
            }
        }
    }

    fn wait_for(&mut self, method: &str) -> serde_json::Value {
        loop {
            let message = self.read();
            if message["method"] == method {
                return message;
            }
        }
    }
}

impl Drop for Lsp {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}

#[test]
fn the_language_server_pins_the_digest_on_resolve() {
    use serde_json::json;
    let Some(()) = tools() else { return };
    let registry = Registry::start("");
    let push = Pusher::new(&registry, None);
    let (digest, _) = push.image("team/app", "1.0", OCI_MANIFEST, "app");
    let image = format!("{}/team/app:1.0", registry.host());
    let (dir, file) = pin_project(&image);
    let uri = format!("file://{}", file.display());
    let text = std::fs::read_to_string(&file).unwrap();

    let mut lsp = Lsp::start(dir.path());
    lsp.request(
        "initialize",
        json!({"processId": null, "capabilities": {"textDocument": {"codeAction": {"resolveSupport": {"properties": ["edit"]}}}}}),
    );
    lsp.send(json!({"jsonrpc": "2.0", "method": "initialized", "params": {}}));
    lsp.send(json!({"jsonrpc": "2.0", "method": "textDocument/didOpen",
        "params": {"textDocument": {"uri": uri, "languageId": "dockerfile", "version": 1, "text": text}}}));
    let published = lsp.wait_for("textDocument/publishDiagnostics");
    let diagnostic = published["params"]["diagnostics"][0].clone();
    assert_eq!(diagnostic["code"], "DF203", "{published}");
    // Typing never waits for the registry: the action comes without an edit…
    let actions = lsp.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": diagnostic["range"], "context": {"diagnostics": [diagnostic]}}),
    );
    let pin = actions["result"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["title"].as_str().unwrap().starts_with("Pin"))
        .cloned()
        .unwrap_or_else(|| panic!("no pin action: {actions}"));
    assert!(pin.get("edit").is_none());
    // …and resolving it asks the registry.
    let resolved = lsp.request("codeAction/resolve", pin);
    let edit = &resolved["result"]["edit"]["changes"][&uri][0];
    assert_eq!(edit["newText"], format!("@{digest}"), "{resolved}");
    assert_eq!(
        edit["range"]["start"],
        json!({"line": 0, "character": 5 + image.len()})
    );
}

#[test]
fn online_pinning_uses_the_newest_version_the_registry_lists() {
    let Some(()) = tools() else { return };
    let registry = Registry::start("");
    let push = Pusher::new(&registry, None);
    for tag in ["latest", "1.0", "1.2", "1.10", "2.0-rc1", "1.11-alpine"] {
        push.image("team/tool", tag, OCI_MANIFEST, tag);
    }
    let dir = TempDir::new().unwrap();
    let file = dir.path().join("Dockerfile");
    let host = registry.host();
    std::fs::write(
        &file,
        format!("FROM {host}/team/tool:latest AS a\nFROM {host}/team/tool\nUSER 65532\n"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join(".dockfix.toml"),
        "online = true\nselect = [\"DF201\", \"DF202\"]\n",
    )
    .unwrap();
    let output = dockfix(dir.path(), &["check", "--unsafe-fixes", "Dockerfile"]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        format!("FROM {host}/team/tool:1.10 AS a\nFROM {host}/team/tool:1.10\nUSER 65532\n")
    );
}
