//! ## What it does
//! Finds COPY and ADD of files that usually hold credentials: `.env`,
//! SSH private keys (`id_rsa`, `id_ed25519`…), private keys and key stores
//! (`*.key`, `*.pem` that is not a certificate, `*.p12`, `*.pfx`), `.npmrc`,
//! `.pypirc`, `.netrc`, `.git-credentials`, `.aws/`, `.docker/config.json`,
//! `.kube/config` and kubeconfig files.
//!
//! ## Why is this bad?
//! Every file copied into a layer stays in the image, even if a later step
//! deletes it: anyone who can pull the image can extract the credentials
//! from its layers.
//!
//! ## Example
//! ```dockerfile
//! FROM node:22-slim
//! WORKDIR /app
//! COPY .npmrc package.json package-lock.json ./
//! RUN npm ci
//! ```
//!
//! ## Use instead
//! ```dockerfile
//! # syntax=docker/dockerfile:1
//! FROM node:22-slim
//! WORKDIR /app
//! COPY package.json package-lock.json ./
//! RUN --mount=type=secret,id=npmrc,target=/root/.npmrc npm ci
//! ```
//!
//! ## Fix safety
//! No automatic fix: which step needs the file, where it expects it and
//! whether the application reads it at runtime are not mechanical. Mount it
//! as a build secret on the RUN that needs it
//! (`RUN --mount=type=secret,id=npmrc,target=/root/.npmrc …`, built with
//! `docker build --secret id=npmrc,src=.npmrc`), give runtime secrets to the
//! container when it starts, and list the file in `.dockerignore`. Templates
//! (`.env.example`, `.env.sample`, `.env.template`, `.env.dist`) and public
//! keys and certificates (`*.pub`, `cert.pem`, `ca.pem`, `fullchain.pem`…)
//! are not reported.
//!
//! ## References
//! - [Docker: build secrets](https://docs.docker.com/build/building/secrets/)
//! - [OWASP Docker Security Cheat Sheet](https://cheatsheetseries.owasp.org/cheatsheets/Docker_Security_Cheat_Sheet.html)

use super::{Context, FixAvailability, Peers, Report, Rule, FAMILY_SECRETS};
use crate::syntax::InstructionKind;
use crate::Severity;

pub static RULE: Rule = Rule {
    code: "DF403",
    name: "secret-file-copied",
    family: FAMILY_SECRETS,
    summary: "COPY/ADD of secret files (`.env`, `id_rsa`, `*.key`, `.npmrc`, `.aws/`, kubeconfig…)",
    severity: Severity::Error,
    enabled_by_default: true,
    fix: FixAvailability::None,
    peers: Peers::NONE,
    module: module_path!(),
    check,
};

const EXACT: [&str; 15] = [
    ".env",
    "id_rsa",
    "id_dsa",
    "id_ecdsa",
    "id_ed25519",
    ".npmrc",
    ".pypirc",
    ".netrc",
    "_netrc",
    ".git-credentials",
    ".pgpass",
    "kubeconfig",
    ".htpasswd",
    "credentials.json",
    ".dockercfg",
];

const TEMPLATE_SUFFIXES: [&str; 6] = [".example", ".sample", ".template", ".dist", ".tmpl", ".tpl"];

/// Words in a `.pem` name that mean a certificate, not a key.
const CERTIFICATE_WORDS: [&str; 7] = ["cert", "ca", "chain", "bundle", "root", "pub", "crt"];

/// What kind of secret a source path looks like.
pub fn secret_kind(source: &str) -> Option<&'static str> {
    let path = source.trim_end_matches('/');
    let lower = path.to_ascii_lowercase();
    let base = lower.rsplit('/').next().unwrap_or(&lower);
    if TEMPLATE_SUFFIXES.iter().any(|s| base.ends_with(s)) || base.ends_with(".pub") {
        return None;
    }
    if lower.contains(".aws/") || base == ".aws" {
        return Some("AWS credentials");
    }
    if lower.ends_with(".docker/config.json") {
        return Some("Docker registry credentials");
    }
    if lower.ends_with(".kube/config") || base == "kubeconfig" || base.ends_with(".kubeconfig") {
        return Some("a kubeconfig");
    }
    if base == ".ssh" || lower.contains(".ssh/id_") {
        return Some("SSH keys");
    }
    if base == ".env" || (base.starts_with(".env.") && !base.contains('*')) {
        return Some("an environment file");
    }
    if EXACT.contains(&base) {
        return Some(if base.starts_with("id_") {
            "an SSH private key"
        } else {
            "a credentials file"
        });
    }
    let stem_words = || {
        base.rsplit_once('.')
            .map_or(base, |(stem, _)| stem)
            .split(|c: char| !c.is_ascii_alphanumeric())
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    if base.ends_with(".key") || base.ends_with(".p12") || base.ends_with(".pfx") {
        return Some("a private key");
    }
    if base.ends_with(".pem")
        && !stem_words()
            .iter()
            .any(|w| CERTIFICATE_WORDS.iter().any(|c| w.contains(c)) && !w.contains("key"))
    {
        return Some("a private key");
    }
    None
}

fn check(context: &Context<'_>, report: &mut Report<'_>) {
    for instruction in &context.model.instructions {
        if !matches!(
            instruction.kind,
            InstructionKind::Copy | InstructionKind::Add
        ) {
            continue;
        }
        let count = instruction.arguments.len();
        for range in instruction.arguments.iter().take(count.saturating_sub(1)) {
            let source = crate::semantics::unquote(context.text(range));
            if source.contains("://") {
                continue;
            }
            if let Some(kind) = secret_kind(&source) {
                report.push(
                    range.clone(),
                    format!("`{source}` looks like {kind}: copied files stay in the image layers; mount it as a build secret instead"),
                    None,
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::secret_kind;

    #[test]
    fn kinds() {
        for s in [
            ".env",
            "./.env",
            ".env.production",
            "id_rsa",
            "/root/.ssh/id_ed25519",
            "server.key",
            "key.pem",
            "privkey.pem",
            ".npmrc",
            "config/.aws/credentials",
            ".aws",
            ".docker/config.json",
            "kubeconfig",
            ".kube/config",
        ] {
            assert!(secret_kind(s).is_some(), "{s}");
        }
        for s in [
            ".env.example",
            "id_rsa.pub",
            "cert.pem",
            "ca.pem",
            "fullchain.pem",
            "package.json",
            "src/",
            ".envrc",
            "environment.yml",
            "ca-certificates.crt",
            "keys/",
        ] {
            assert!(secret_kind(s).is_none(), "{s}");
        }
    }
}
