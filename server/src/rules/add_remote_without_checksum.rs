//! ## What it does
//! Finds `ADD <url>` without `--checksum`.
//!
//! ## Why is this bad?
//! The build trusts whatever the server returns at build time: a compromised
//! server, a hijacked domain or a changed release silently puts different
//! bytes into the image. `--checksum=sha256:…` makes BuildKit verify the
//! download and fail the build when it differs.
//!
//! ## Example
//! ```dockerfile
//! FROM alpine:3.22
//! ADD https://example.com/tool-1.2.3.tar.gz /tmp/
//! ```
//!
//! ## Use instead
//! ```dockerfile
//! # syntax=docker/dockerfile:1
//! FROM alpine:3.22
//! ADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d https://example.com/tool-1.2.3.tar.gz /tmp/
//! ```
//!
//! ## Fix safety
//! Display only: the fix inserts `--checksum=sha256:<sha256>` with a
//! placeholder; download the file once, compute its digest (`sha256sum`) and
//! put it in. (`--checksum` needs `# syntax=docker/dockerfile:1.6` or later.)
//! Git sources are not reported.
//!
//! ## References
//! - [Docker: ADD --checksum](https://docs.docker.com/reference/dockerfile/#add---checksum)

use super::{Context, FixAvailability, Peers, Report, Rule, FAMILY_DOWNLOADS};
use crate::fix::{Applicability, Edit, Fix};
use crate::syntax::InstructionKind;
use crate::Severity;

pub static RULE: Rule = Rule {
    code: "DF501",
    name: "add-remote-without-checksum",
    family: FAMILY_DOWNLOADS,
    summary: "`ADD <url>` without `--checksum`",
    severity: Severity::Warning,
    enabled_by_default: true,
    fix: FixAvailability::Always(Applicability::DisplayOnly),
    peers: Peers::NONE,
    module: module_path!(),
    check,
};

fn check(context: &Context<'_>, report: &mut Report<'_>) {
    for instruction in &context.model.instructions {
        if instruction.kind != InstructionKind::Add
            || instruction
                .flags
                .iter()
                .any(|f| context.text(&f.name) == "checksum")
        {
            continue;
        }
        let sources = super::add_instead_of_copy::sources(context, instruction);
        let Some(url) = sources
            .iter()
            .find(|s| super::add_instead_of_copy::is_url(s))
        else {
            continue;
        };
        let range = instruction
            .arguments
            .iter()
            .find(|r| crate::semantics::unquote(context.text(r)) == *url)
            .cloned()
            .unwrap_or_else(|| instruction.keyword.clone());
        report.push(
            range,
            format!("`{url}` is downloaded without a checksum: the build trusts whatever the server returns"),
            Some(Fix::display_only(
                "Add `--checksum=sha256:<sha256>` with the download's digest",
                vec![Edit::insert(
                    instruction.keyword.end,
                    " --checksum=sha256:<sha256>",
                )],
            )),
        );
    }
}
