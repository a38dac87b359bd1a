//! ## What it does
//! Finds permissions that let any user write: `chmod 777`, `chmod 666`,
//! `chmod o+w`/`a+w` in RUN, and `--chmod=777`/`--chmod=666` on COPY and ADD.
//!
//! ## Why is this bad?
//! Any process in the container, whatever user it runs as, can then rewrite
//! those files: an attacker who gets code execution as an unprivileged user
//! can replace the application or its configuration.
//!
//! ## Example
//! ```dockerfile
//! FROM alpine:3.22
//! COPY app /app
//! RUN chmod -R 777 /app
//! ```
//!
//! ## Use instead
//! ```dockerfile
//! FROM alpine:3.22
//! COPY app /app
//! RUN chmod -R 755 /app
//! ```
//!
//! ## Fix safety
//! Unsafe: removing the write bits for group and others (777 → 755,
//! 666 → 644, `a+w` → `u+w`) breaks a process that really writes there as
//! another user. Directories with the sticky bit (`1777`, like `/tmp`) are
//! left alone: that is the intended shared-writable pattern.
//!
//! ## References
//! - [CIS Docker Benchmark 4.8](https://www.cisecurity.org/benchmark/docker)

use std::ops::Range;

use super::{Context, FixAvailability, Peers, Report, Rule, FAMILY_PRIVILEGE};
use crate::fix::{Applicability, Edit, Fix};
use crate::syntax::InstructionKind;
use crate::Severity;

pub static RULE: Rule = Rule {
    code: "DF103",
    name: "world-writable-permissions",
    family: FAMILY_PRIVILEGE,
    summary: "`chmod 777`/`o+w`, `--chmod=777`/`666` on COPY and ADD",
    severity: Severity::Warning,
    enabled_by_default: true,
    fix: FixAvailability::Always(Applicability::Unsafe),
    peers: Peers::NONE,
    module: module_path!(),
    check,
};

fn check(context: &Context<'_>, report: &mut Report<'_>) {
    for (index, instruction) in context.model.instructions.iter().enumerate() {
        if matches!(
            instruction.kind,
            InstructionKind::Copy | InstructionKind::Add
        ) {
            for flag in &instruction.flags {
                if context.text(&flag.name) != "chmod" {
                    continue;
                }
                if let Some(value) = &flag.value {
                    check_mode(context.text(value), value.clone(), report);
                }
            }
        }
        for command in context.semantics.commands.get(index).into_iter().flatten() {
            let (name, args) = command.effective();
            if crate::semantics::shell::program_name(&name.text) != "chmod" {
                continue;
            }
            let Some(mode) = args
                .iter()
                .find(|w| !w.text.starts_with('-') || is_symbolic(&w.text))
            else {
                continue;
            };
            if mode.literal {
                check_mode(&mode.text, mode.range.clone(), report);
            }
        }
    }
}

fn is_symbolic(text: &str) -> bool {
    text.starts_with('-') && text.len() > 1 && text[1..].chars().all(|c| "rwxXst".contains(c))
}

fn check_mode(mode: &str, range: Range<usize>, report: &mut Report<'_>) {
    let Some(fixed) = fixed_mode(mode) else {
        return;
    };
    report.push(
        range.clone(),
        format!("`{mode}` lets every user write these files"),
        Some(Fix::unsafe_(
            format!("Use `{fixed}` (no write access for group and others)"),
            vec![Edit::replace(range, fixed)],
        )),
    );
}

/// The mode without group/other write access, or `None` when `mode` does not
/// grant others write access.
pub fn fixed_mode(mode: &str) -> Option<String> {
    if !mode.is_empty() && mode.len() <= 4 && mode.chars().all(|c| ('0'..='7').contains(&c)) {
        let digits: Vec<u32> = mode.chars().filter_map(|c| c.to_digit(8)).collect();
        let others = *digits.last()?;
        let sticky = digits.len() == 4 && digits[0] & 1 == 1;
        if others & 2 == 0 || sticky || digits.len() < 3 {
            return None;
        }
        let n = digits.len();
        let fixed: String = digits
            .iter()
            .enumerate()
            .map(|(i, d)| if i >= n - 2 { d & !2 } else { *d })
            .map(|d| char::from_digit(d, 8).unwrap_or('0'))
            .collect();
        return Some(fixed);
    }
    // Symbolic: comma-separated clauses `[ugoa]*[+=][rwxXst]*`.
    let mut changed = false;
    let mut clauses = Vec::new();
    for clause in mode.split(',') {
        let who_end = clause.find(['+', '-', '=']).unwrap_or(clause.len());
        let (who, rest) = clause.split_at(who_end);
        let Some(op) = rest.chars().next() else {
            clauses.push(clause.to_owned());
            continue;
        };
        let perms = &rest[1..];
        let who_all = who.contains('a');
        let others = who.contains('o') || who_all;
        if op == '-' || !perms.contains('w') || !others || !who.chars().all(|c| "ugoa".contains(c))
        {
            clauses.push(clause.to_owned());
            continue;
        }
        changed = true;
        let owner = who_all || who.contains('u');
        let without_w: String = perms.chars().filter(|&c| c != 'w').collect();
        if owner {
            clauses.push(format!("u{op}{perms}"));
            if !without_w.is_empty() {
                clauses.push(format!("go{op}{without_w}"));
            }
        } else {
            let rest_who: String = who.chars().filter(|&c| c != 'o' && c != 'g').collect();
            if !rest_who.is_empty() {
                clauses.push(format!("{rest_who}{op}{perms}"));
            }
            let group_others: String = who.chars().filter(|&c| c == 'o' || c == 'g').collect();
            if !without_w.is_empty() {
                clauses.push(format!("{group_others}{op}{without_w}"));
            }
        }
    }
    if !changed {
        return None;
    }
    if clauses.is_empty() {
        // `o+w` alone: the intent left is "no write access for others".
        clauses.push("go-w".to_owned());
    }
    Some(clauses.join(","))
}

#[cfg(test)]
mod tests {
    use super::fixed_mode;

    #[test]
    fn modes() {
        assert_eq!(fixed_mode("777").as_deref(), Some("755"));
        assert_eq!(fixed_mode("0666").as_deref(), Some("0644"));
        assert_eq!(fixed_mode("757").as_deref(), Some("755"));
        assert_eq!(fixed_mode("1777"), None);
        assert_eq!(fixed_mode("755"), None);
        assert_eq!(fixed_mode("775"), None);
        assert_eq!(fixed_mode("a+rwx").as_deref(), Some("u+rwx,go+rx"));
        assert_eq!(fixed_mode("o+w").as_deref(), Some("go-w"));
        assert_eq!(fixed_mode("u+x,o+rw").as_deref(), Some("u+x,o+r"));
        assert_eq!(fixed_mode("g+w"), None);
    }
}
