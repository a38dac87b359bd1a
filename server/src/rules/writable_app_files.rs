//! ## What it does
//! Finds COPY and ADD instructions in the final stage that give the copied
//! files to the user the container runs as (`--chown=app` with `USER app`).
//!
//! ## Why is this bad?
//! The process can then rewrite its own code and configuration: a remote
//! code execution or path traversal bug becomes a persistent backdoor. Code
//! owned by root and readable by everyone runs just as well; only the few
//! paths that really need writing (a data or cache directory) should belong
//! to the runtime user.
//!
//! ## Example
//! ```dockerfile
//! FROM node:22-slim
//! WORKDIR /app
//! COPY --chown=node:node . .
//! USER node
//! CMD ["node", "server.js"]
//! ```
//!
//! ## Use instead
//! ```dockerfile
//! FROM node:22-slim
//! WORKDIR /app
//! COPY . .
//! USER node
//! CMD ["node", "server.js"]
//! ```
//!
//! ## Fix safety
//! Display only: the suggested edit drops `--chown`, so the files stay owned
//! by root (readable by everyone). Whether the application writes into these
//! paths at runtime is something only you know; give those paths alone to the
//! runtime user.
//!
//! ## References
//! - [OWASP Docker Security Cheat Sheet, rule 8](https://cheatsheetseries.owasp.org/cheatsheets/Docker_Security_Cheat_Sheet.html)

use super::{Context, FixAvailability, Peers, Report, Rule, FAMILY_PRIVILEGE};
use crate::fix::{Applicability, Edit, Fix};
use crate::syntax::InstructionKind;
use crate::Severity;

pub static RULE: Rule = Rule {
    code: "DF105",
    name: "writable-app-files",
    family: FAMILY_PRIVILEGE,
    summary: "Application files owned by the runtime user (`--chown` to it)",
    severity: Severity::Info,
    enabled_by_default: true,
    fix: FixAvailability::Always(Applicability::DisplayOnly),
    peers: Peers::NONE,
    module: module_path!(),
    check,
};

fn check(context: &Context<'_>, report: &mut Report<'_>) {
    let Some((stage, facts)) = context.final_stage() else {
        return;
    };
    let Some(runtime_user) = facts.final_user(context.model, context.source) else {
        return;
    };
    let runtime_name = runtime_user.split(':').next().unwrap_or_default();
    for index in stage.instructions.clone() {
        let Some(instruction) = context.model.instructions.get(index) else {
            continue;
        };
        if !matches!(
            instruction.kind,
            InstructionKind::Copy | InstructionKind::Add
        ) {
            continue;
        }
        for flag in &instruction.flags {
            if context.text(&flag.name) != "chown" {
                continue;
            }
            let owner = flag
                .value
                .as_ref()
                .map(|v| context.text(v))
                .unwrap_or_default();
            let owner_name = owner.split(':').next().unwrap_or_default();
            if owner_name.is_empty() || owner_name != runtime_name {
                continue;
            }
            let mut end = flag.range.end;
            while context.source.as_bytes().get(end) == Some(&b' ') {
                end += 1;
            }
            report.push(
                flag.range.clone(),
                format!("The files belong to `{owner_name}`, the user the container runs as, so the process can rewrite its own code"),
                Some(Fix::display_only(
                    "Keep the files owned by root (drop `--chown`); give only the paths written at runtime to the user",
                    vec![Edit::delete(flag.range.start..end)],
                )),
            );
        }
    }
}
