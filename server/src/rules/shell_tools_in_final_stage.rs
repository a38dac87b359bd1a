//! ## What it does
//! Finds network and interactive tools installed in the final image: `curl`,
//! `wget`, netcat (`netcat`, `nc`, `ncat`, `socat`), SSH clients and servers,
//! `telnet`, `vim`. Installs in a RUN of the final stage (or of a stage it is
//! built `FROM`) are reported, unless a later command of the stage removes the
//! package again. Build stages are never reported.
//!
//! ## Why is this bad?
//! These are the first tools an intruder needs: to download a payload, open a
//! reverse shell or move to another host. A runtime image should contain the
//! application and its libraries; download in a build stage and copy the
//! result, or use a distroless or minimal base.
//!
//! ## Example
//! ```dockerfile
//! FROM debian:bookworm-slim
//! RUN apt-get update && apt-get install --no-install-recommends -y curl && rm -rf /var/lib/apt/lists/*
//! CMD ["/app"]
//! ```
//!
//! ## Use instead
//! ```dockerfile
//! FROM debian:bookworm-slim AS fetch
//! RUN apt-get update && apt-get install --no-install-recommends -y curl && rm -rf /var/lib/apt/lists/*
//! RUN curl -fsSLo /app https://example.com/app
//!
//! FROM gcr.io/distroless/base-debian12
//! COPY --from=fetch /app /app
//! CMD ["/app"]
//! ```
//!
//! ## Fix safety
//! No fix: removing the tool needs a human (a health check or an entrypoint
//! script may use it). Move it to a build stage or use a distroless base.
//!
//! ## References
//! - [hadolint DL3001](https://github.com/hadolint/hadolint/wiki/DL3001)
//! - [Docker: multi-stage builds](https://docs.docker.com/build/building/multi-stage/)

use super::{Context, FixAvailability, Peers, Report, Rule, FAMILY_PACKAGES};
use crate::semantics::packages::final_image_system_packages;
use crate::Severity;

pub static RULE: Rule = Rule {
    code: "DF311",
    name: "shell-tools-in-final-stage",
    family: FAMILY_PACKAGES,
    summary: "curl/wget/netcat/ssh/telnet/vim installed in the final stage",
    severity: Severity::Info,
    enabled_by_default: true,
    fix: FixAvailability::None,
    peers: Peers {
        hadolint: &["DL3001"],
        trivy: &[],
        checkov: &[],
        buildkit: &[],
    },
    module: module_path!(),
    check,
};

const TOOLS: [&str; 20] = [
    "curl",
    "wget",
    "netcat",
    "netcat-openbsd",
    "netcat-traditional",
    "nc",
    "ncat",
    "nmap-ncat",
    "socat",
    "openssh",
    "openssh-client",
    "openssh-clients",
    "openssh-server",
    "ssh",
    "dropbear",
    "telnet",
    "inetutils-telnet",
    "vim",
    "vim-tiny",
    "vim-minimal",
];

fn check(context: &Context<'_>, report: &mut Report<'_>) {
    for (_, packages) in final_image_system_packages(context) {
        for (word, base) in packages {
            if TOOLS.contains(&base.as_str()) {
                report.push(
                    word.range.clone(),
                    format!("`{base}` in the final image is a ready tool for an intruder: install it in a build stage or use a minimal base"),
                    None,
                );
            }
        }
    }
}
