//! ## What it does
//! Reports a final stage that runs as root: it has no `USER` instruction and
//! its base image is not known to run as a non-root user, or its last `USER`
//! is `root` (or UID 0).
//!
//! ## Why is this bad?
//! A process that runs as root inside the container is root on the
//! container's filesystem and one kernel or runtime bug away from root on the
//! host. Most applications need no privileges at all; running them as an
//! unprivileged user is the single most effective hardening step.
//!
//! ## Example
//! ```dockerfile
//! FROM debian:bookworm-slim
//! COPY app /usr/local/bin/app
//! CMD ["app"]
//! ```
//!
//! ## Use instead
//! ```dockerfile
//! FROM debian:bookworm-slim
//! COPY app /usr/local/bin/app
//! RUN groupadd --system --gid 10001 app && useradd --system --no-log-init --uid 10001 --gid app app
//! USER app
//! CMD ["app"]
//! ```
//!
//! ## Fix safety
//! Unsafe: the process loses root, so it can no longer bind ports below 1024
//! or write to root-owned paths. The fix reuses a user the base image ships
//! (`node` in node images, `nonroot` in distroless), uses `USER 65532:65532`
//! on scratch, and otherwise creates a user with the commands of the base
//! image's distribution (BusyBox `addgroup`/`adduser` on Alpine, `groupadd`/
//! `useradd` on Debian, Ubuntu and RHEL-like images), placed after the last
//! instruction that needs root and before CMD, ENTRYPOINT, EXPOSE and
//! HEALTHCHECK. A final `USER root` is replaced, by the stage's earlier
//! non-root user when it has one. When the distribution is not
//! known, it switches to a numeric UID, which works without a user entry.
//!
//! ## Options
//! `user.name` and `user.uid` in `.dockfix.toml` name the created user
//! (default `app`, 10001).
//!
//! ## References
//! - [hadolint DL3002](https://github.com/hadolint/hadolint/wiki/DL3002)
//! - [Docker best practices: USER](https://docs.docker.com/build/building/best-practices/#user)
//! - [CIS Docker Benchmark 4.1](https://www.cisecurity.org/benchmark/docker)

use super::{Context, FixAvailability, Peers, Report, Rule, FAMILY_PRIVILEGE};
use crate::fix::{Applicability, Edit, Fix};
use crate::knowledge::Family;
use crate::semantics::{self, Base};
use crate::syntax::InstructionKind;
use crate::Severity;

pub static RULE: Rule = Rule {
    code: "DF101",
    name: "root-user",
    family: FAMILY_PRIVILEGE,
    summary: "The final stage runs as root",
    severity: Severity::Warning,
    enabled_by_default: true,
    fix: FixAvailability::Always(Applicability::Unsafe),
    peers: Peers {
        hadolint: &["DL3002"],
        trivy: &["DS-0002"],
        checkov: &["CKV_DOCKER_3", "CKV_DOCKER_8"],
        buildkit: &[],
    },
    module: module_path!(),
    check,
};

fn check(context: &Context<'_>, report: &mut Report<'_>) {
    let Some((stage, facts)) = context.final_stage() else {
        return;
    };
    if facts.final_user(context.model, context.source).is_some() {
        return;
    }
    if matches!(facts.base, Base::Unresolved(_)) && facts.last_user.is_none() {
        // `FROM $IMAGE`: the image may well set a user; we cannot know.
        return;
    }
    let instructions = &context.model.instructions;
    let Some(from) = instructions.get(stage.from) else {
        return;
    };
    let explicit_root = facts
        .last_user
        .and_then(|i| instructions.get(i).map(|u| (i, u)));
    let (range, message) = match explicit_root {
        Some((_, user)) => (
            user.line_range.clone(),
            "The final stage switches back to root: the container runs as root".to_owned(),
        ),
        None => (
            from.line_range.clone(),
            "The final stage has no USER: the container runs as root".to_owned(),
        ),
    };
    let fix = fix(context, stage.instructions.clone(), facts);
    report.push(range, message, fix);
}

/// Where the user switch goes: after the last instruction that needs root.
fn anchor(context: &Context<'_>, instructions: std::ops::Range<usize>) -> Option<usize> {
    instructions.rev().find(|&i| {
        context
            .model
            .instructions
            .get(i)
            .is_some_and(|instruction| {
                matches!(
                    instruction.kind,
                    InstructionKind::From
                        | InstructionKind::Run
                        | InstructionKind::Copy
                        | InstructionKind::Add
                        | InstructionKind::Workdir
                        | InstructionKind::User
                        | InstructionKind::Shell
                        | InstructionKind::Onbuild
                )
            })
    })
}

fn fix(
    context: &Context<'_>,
    instructions: std::ops::Range<usize>,
    facts: &semantics::StageFacts,
) -> Option<Fix> {
    let anchor_index = anchor(context, instructions)?;
    let anchor = context.model.instructions.get(anchor_index)?;
    let image = facts.image(&context.semantics.stages);
    let info = image.and_then(|i| i.info.as_ref());
    let family = match &facts.base {
        Base::Scratch => Family::Scratch,
        _ => facts.family,
    };
    let settings = &context.settings.user;
    let earlier_user = instructions_users(context, facts);
    let (create, user, title) = if let Some(earlier) = earlier_user {
        (
            None,
            earlier.clone(),
            format!("Switch back to `{earlier}`, the stage's earlier user"),
        )
    } else if let Some(shipped) = info.and_then(|i| i.users.first()) {
        (
            None,
            shipped.name.to_string(),
            format!("Switch to the `{}` user the base image ships", shipped.name),
        )
    } else {
        match family {
            Family::Scratch => (
                None,
                "65532:65532".to_owned(),
                "Run as UID 65532 (scratch has no user database)".to_owned(),
            ),
            Family::Distroless => (
                None,
                "nonroot:nonroot".to_owned(),
                "Switch to distroless's `nonroot` user".to_owned(),
            ),
            Family::Windows => (
                None,
                "ContainerUser".to_owned(),
                "Switch to `ContainerUser`".to_owned(),
            ),
            Family::Unknown => (
                None,
                format!("{0}:{0}", settings.uid),
                format!(
                    "Run as UID {} (the distribution is unknown, so no user is created)",
                    settings.uid
                ),
            ),
            family => (
                Some(create_user(family, &settings.name, settings.uid)),
                settings.name.clone(),
                format!("Create user `{}` and switch to it", settings.name),
            ),
        }
    };
    let eol = context.line_ending();
    let indent = context.indentation(anchor).to_owned();
    let mut text = String::new();
    if let Some(create) = &create {
        text.push_str(&format!("{indent}RUN {create}{eol}"));
    }
    text.push_str(&format!("{indent}USER {user}{eol}"));
    let replaces_root_user = anchor.kind == InstructionKind::User;
    let edits = if replaces_root_user {
        // `USER root` as the last step that matters: replace it.
        let start = context.line_start(anchor.range.start);
        let end = anchor.range.end;
        if !context.ends_with_newline(anchor) {
            text.truncate(text.len() - eol.len());
        }
        vec![Edit::replace(start..end, text)]
    } else {
        context.insert_lines_after(anchor, &text)
    };
    Some(Fix::unsafe_(title, edits))
}

/// The last non-root user an earlier USER of the stage switched to.
fn instructions_users(context: &Context<'_>, facts: &semantics::StageFacts) -> Option<String> {
    let stage = context.model.stages.get(facts.index)?;
    stage
        .instructions
        .clone()
        .filter_map(|i| context.model.instructions.get(i))
        .filter(|i| i.kind == InstructionKind::User)
        .filter_map(|i| semantics::user_of(i, context.source))
        .collect::<Vec<_>>()
        .into_iter()
        .rfind(|u| !u.contains('$'))
}

/// The commands that create a system user and group on a distribution.
pub fn create_user(family: Family, name: &str, uid: u32) -> String {
    match family {
        Family::Alpine | Family::Busybox | Family::Wolfi => format!(
            "addgroup -S -g {uid} {name} && adduser -S -D -H -u {uid} -G {name} {name}"
        ),
        Family::Rhel | Family::Suse => format!(
            "groupadd -r -g {uid} {name} && useradd -r -l -u {uid} -g {name} {name}"
        ),
        _ => format!(
            "groupadd --system --gid {uid} {name} && useradd --system --no-log-init --uid {uid} --gid {name} {name}"
        ),
    }
}
