//! ## What it does
//! Finds `EXPOSE` of ports used by remote administration services: SSH (22),
//! Telnet (23), the Docker daemon API (2375, 2376), RDP (3389), VNC (5900)
//! and WinRM (5985, 5986), alone or inside a range such as `20-25`.
//!
//! ## Why is this bad?
//! A container should run one service, not a remote shell. Exposing these
//! ports advertises (and with `-P` publishes) an administration interface
//! that gives whoever reaches it control of the container or, for the Docker
//! API, of the host.
//!
//! ## Example
//! ```dockerfile
//! FROM debian:bookworm-slim
//! EXPOSE 22 8080
//! ```
//!
//! ## Use instead
//! ```dockerfile
//! FROM debian:bookworm-slim
//! EXPOSE 8080
//! ```
//!
//! ## Fix safety
//! Safe: `EXPOSE` is metadata; removing the port (and the instruction when no
//! port is left) changes what `docker run -P` publishes, not what the image
//! runs. A range that contains a sensitive port is reported without a fix.
//!
//! ## References
//! - [Trivy DS-0004](https://avd.aquasec.com/misconfig/ds004)
//! - [Docker: EXPOSE](https://docs.docker.com/reference/dockerfile/#expose)

use super::{Context, FixAvailability, Peers, Report, Rule, FAMILY_RUNTIME};
use crate::fix::{Applicability, Edit, Fix};
use crate::syntax::InstructionKind;
use crate::Severity;

pub static RULE: Rule = Rule {
    code: "DF701",
    name: "sensitive-port-exposed",
    family: FAMILY_RUNTIME,
    summary: "EXPOSE of a remote administration port (SSH, Telnet, Docker API, RDP, VNC, WinRM)",
    severity: Severity::Warning,
    enabled_by_default: true,
    fix: FixAvailability::Sometimes(Applicability::Safe),
    peers: Peers {
        hadolint: &[],
        trivy: &["DS-0004"],
        checkov: &["CKV_DOCKER_1"],
        buildkit: &[],
    },
    module: module_path!(),
    check,
};

const SENSITIVE: [(u32, &str); 8] = [
    (22, "SSH"),
    (23, "Telnet"),
    (2375, "the Docker API"),
    (2376, "the Docker API"),
    (3389, "RDP"),
    (5900, "VNC"),
    (5985, "WinRM"),
    (5986, "WinRM"),
];

/// The sensitive port a port spec names or contains, and whether it is a range.
fn sensitive(spec: &str) -> Option<((u32, &'static str), bool)> {
    let ports = spec.split('/').next().unwrap_or(spec);
    let (low, high) = match ports.split_once('-') {
        Some((a, b)) => (a.parse::<u32>().ok()?, b.parse::<u32>().ok()?),
        None => {
            let p = ports.parse::<u32>().ok()?;
            (p, p)
        }
    };
    SENSITIVE
        .iter()
        .find(|(p, _)| low <= *p && *p <= high)
        .map(|found| (*found, low != high))
}

fn check(context: &Context<'_>, report: &mut Report<'_>) {
    for instruction in &context.model.instructions {
        if instruction.kind != InstructionKind::Expose {
            continue;
        }
        let args = &instruction.arguments;
        let flagged: Vec<bool> = args
            .iter()
            .map(|a| sensitive(context.text(a)).is_some())
            .collect();
        let all = flagged.iter().all(|f| *f);
        let has_comment = context
            .model
            .comments
            .iter()
            .any(|c| instruction.range.start <= c.start && c.end <= instruction.range.end);
        for (i, arg) in args.iter().enumerate() {
            let Some(((port, service), range)) = sensitive(context.text(arg)) else {
                continue;
            };
            let edit = if range || has_comment {
                None
            } else if all {
                Some(Edit::delete(
                    context.line_start(instruction.range.start)..instruction.range.end,
                ))
            } else if i > 0 {
                args.get(i - 1).map(|prev| Edit::delete(prev.end..arg.end))
            } else {
                args.get(i + 1)
                    .map(|next| Edit::delete(arg.start..next.start))
            };
            let fix = edit.map(|e| {
                let title = if all {
                    "Remove the EXPOSE instruction".to_owned()
                } else {
                    format!("Remove port `{}`", context.text(arg))
                };
                Fix::safe(title, vec![e])
            });
            let what = if range {
                format!(
                    "The port range `{}` includes port {port} ({service})",
                    context.text(arg)
                )
            } else {
                format!("Port {port} ({service}) is exposed: containers should not offer remote administration")
            };
            report.push(arg.clone(), what, fix);
        }
    }
}
