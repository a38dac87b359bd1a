//! ## What it does
//! Finds a final stage that runs a long-lived service (it exposes a port or
//! its CMD/ENTRYPOINT starts a server) but declares no `HEALTHCHECK`, neither
//! itself nor in a stage it is built on.
//!
//! ## Why is this bad?
//! Without a health check, Docker (and Swarm, Compose `depends_on:
//! condition: service_healthy`) only knows whether the process exists. A hung
//! or deadlocked service keeps receiving traffic and is never restarted.
//!
//! ## Example
//! ```dockerfile
//! FROM alpine:3.20
//! EXPOSE 8080
//! CMD ["/usr/local/bin/app"]
//! ```
//!
//! ## Use instead
//! ```dockerfile
//! FROM alpine:3.20
//! EXPOSE 8080
//! HEALTHCHECK --interval=30s --timeout=5s CMD wget -q --spider http://localhost:8080/ || exit 1
//! CMD ["/usr/local/bin/app"]
//! ```
//!
//! ## Fix safety
//! Unsafe: the fix adds `HEALTHCHECK --interval=30s --timeout=5s CMD <probe>
//! || exit 1` at the end of the stage, probing `http://localhost:<port>/` of
//! the first exposed TCP port with `curl` when the stage installs it, or with
//! `wget` when the stage installs it or the image is Alpine/BusyBox (BusyBox
//! ships `wget`). The service may not answer HTTP on `/`, and a failing
//! check marks the container unhealthy. Display-only when no probe tool or
//! no port is known. Not reported on `scratch`, distroless or Windows images
//! (no shell or tools to probe with).
//!
//! ## References
//! - [hadolint DL3057](https://github.com/hadolint/hadolint/wiki/DL3057)
//! - [Trivy DS-0026](https://avd.aquasec.com/misconfig/ds026)
//! - [Docker: HEALTHCHECK](https://docs.docker.com/reference/dockerfile/#healthcheck)

use super::{Context, FixAvailability, Peers, Report, Rule, FAMILY_RUNTIME};
use crate::fix::{Applicability, Fix};
use crate::knowledge::Family;
use crate::semantics::Base;
use crate::syntax::{CommandForm, InstructionKind};
use crate::Severity;

pub static RULE: Rule = Rule {
    code: "DF702",
    name: "missing-healthcheck",
    family: FAMILY_RUNTIME,
    summary: "final stage of a long-running service without HEALTHCHECK",
    severity: Severity::Info,
    enabled_by_default: true,
    fix: FixAvailability::Sometimes(Applicability::Unsafe),
    peers: Peers {
        hadolint: &["DL3057"],
        trivy: &["DS-0026"],
        checkov: &["CKV_DOCKER_2"],
        buildkit: &[],
    },
    module: module_path!(),
    check,
};

/// Programs that start a long-running server.
const SERVERS: [&str; 30] = [
    "nginx",
    "httpd",
    "httpd-foreground",
    "apache2",
    "apache2-foreground",
    "apachectl",
    "caddy",
    "traefik",
    "haproxy",
    "gunicorn",
    "uvicorn",
    "hypercorn",
    "daphne",
    "waitress-serve",
    "puma",
    "unicorn",
    "passenger",
    "php-fpm",
    "php-fpm8",
    "redis-server",
    "postgres",
    "mysqld",
    "mongod",
    "rabbitmq-server",
    "catalina.sh",
    "envoy",
    "sshd",
    "supervisord",
    "pm2-runtime",
    "serve",
];

fn check(context: &Context<'_>, report: &mut Report<'_>) {
    let Some(final_index) = context.semantics.final_stage else {
        return;
    };
    let model = context.model;
    let Some(facts) = context.semantics.stages.get(final_index) else {
        return;
    };
    if matches!(facts.base, Base::Scratch)
        || matches!(
            facts.family,
            Family::Scratch | Family::Distroless | Family::Windows
        )
    {
        return;
    }
    // The final stage and the stages it is built on.
    let mut chain = vec![final_index];
    let mut current = facts;
    while let Base::Stage(parent) = current.base {
        if chain.contains(&parent) {
            break;
        }
        chain.push(parent);
        match context.semantics.stages.get(parent) {
            Some(p) => current = p,
            None => break,
        }
    }
    let instructions: Vec<usize> = chain
        .iter()
        .rev()
        .filter_map(|&s| model.stages.get(s))
        .flat_map(|s| s.instructions.clone())
        .collect();
    let kinds = |kind| {
        instructions
            .iter()
            .filter(move |&&i| model.instructions.get(i).is_some_and(|x| x.kind == kind))
            .copied()
    };
    if kinds(InstructionKind::Healthcheck).next().is_some() {
        return;
    }
    let port = kinds(InstructionKind::Expose)
        .filter_map(|i| model.instructions.get(i))
        .flat_map(|i| i.arguments.iter())
        .map(|a| context.text(a))
        .find_map(|spec| {
            let (port, protocol) = spec.split_once('/').unwrap_or((spec, "tcp"));
            (protocol.eq_ignore_ascii_case("tcp") && !port.contains('-'))
                .then(|| port.parse::<u16>().ok())
                .flatten()
        });
    let exposes = kinds(InstructionKind::Expose).next().is_some();
    let server = kinds(InstructionKind::Cmd)
        .chain(kinds(InstructionKind::Entrypoint))
        .any(|i| runs_server(context, i));
    if !exposes && !server {
        return;
    }
    let Some(stage) = model.stages.get(final_index) else {
        return;
    };
    let Some(last) = stage
        .instructions
        .clone()
        .last()
        .and_then(|i| model.instructions.get(i))
    else {
        return;
    };
    let installs = |tool: &str| {
        chain.iter().any(|&s| {
            context.semantics.stages.get(s).is_some_and(|f| {
                f.installs.iter().any(|install| {
                    install
                        .packages
                        .iter()
                        .any(|p| p.split(['=', '<', '>', '~', '@']).next() == Some(tool))
                })
            })
        })
    };
    let probe_tool = if installs("curl") {
        Some("curl")
    } else if installs("wget") || matches!(facts.family, Family::Alpine | Family::Busybox) {
        Some("wget")
    } else {
        None
    };
    let probe = |tool: &str, port: u16| match tool {
        "curl" => format!("curl -fsS http://localhost:{port}/"),
        _ => format!("wget -q --spider http://localhost:{port}/"),
    };
    let eol = context.line_ending();
    let indent = context.indentation(last).to_owned();
    let fix = match (probe_tool, port) {
        (Some(tool), Some(port)) => Fix::unsafe_(
            format!("Add a HEALTHCHECK that probes port {port} with {tool}"),
            context.insert_lines_after(
                last,
                &format!(
                    "{indent}HEALTHCHECK --interval=30s --timeout=5s CMD {} || exit 1{eol}",
                    probe(tool, port)
                ),
            ),
        ),
        (tool, port) => Fix::display_only(
            "Add a HEALTHCHECK that probes the service (install curl or wget, or use the service's own check)",
            context.insert_lines_after(
                last,
                &format!(
                    "{indent}HEALTHCHECK --interval=30s --timeout=5s CMD {} || exit 1{eol}",
                    probe(tool.unwrap_or("curl"), port.unwrap_or(8080))
                ),
            ),
        ),
    };
    let from = model
        .instructions
        .get(stage.from)
        .map_or(0..0, |f| f.line_range.clone());
    report.push(
        from,
        "The final stage runs a service but has no HEALTHCHECK",
        Some(fix),
    );
}

/// True when a CMD/ENTRYPOINT starts a known server program.
fn runs_server(context: &Context<'_>, index: usize) -> bool {
    let Some(instruction) = context.model.instructions.get(index) else {
        return false;
    };
    let first = match &instruction.command {
        Some(CommandForm::Exec { items, .. }) => items
            .first()
            .map(|r| context.text(r).trim_matches('"').to_owned()),
        Some(CommandForm::Shell { .. }) => context
            .semantics
            .commands
            .get(index)
            .and_then(|c| c.iter().next().map(|c| c.effective().0.text.clone())),
        None => None,
    };
    let Some(first) = first else {
        return false;
    };
    let program = crate::semantics::shell::program_name(&first);
    SERVERS.contains(&program) || program.ends_with("-server") || program.ends_with("-foreground")
}
