//! GitHub Actions workflow commands: one `::error`/`::warning`/`::notice`
//! annotation per problem, shown on the pull request's diff.

use std::io::Write;

use super::Run;
use crate::Severity;

/// Escapes a command's message (GitHub's `escapeData`).
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a command's property value (GitHub's `escapeProperty`).
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

pub fn github(out: &mut dyn Write, run: &Run<'_>) {
    for (report, d) in run.diagnostics() {
        let command = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info | Severity::Hint => "notice",
        };
        let (line, column) = report.line_column(d.range.start);
        let (end_line, end_column) = report.line_column(d.range.end.max(d.range.start));
        let mut message = d.message.clone();
        if let Some(fix) = &d.fix {
            message.push_str(&format!(
                "\n{} fix: {}",
                fix.applicability.as_str(),
                fix.title
            ));
        }
        let _ = writeln!(
            out,
            "::{command} file={},line={line},col={column},endLine={end_line},endColumn={end_column},title={}::{}",
            escape_property(&report.path),
            escape_property(&format!("{} {}", d.code, d.name)),
            escape_data(&message)
        );
    }
    for error in run.errors {
        let _ = writeln!(
            out,
            "::error file={},title=dockfix::{}",
            escape_property(&error.path),
            escape_data(&error.message)
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        assert_eq!(escape_data("100% a\r\nb"), "100%25 a%0D%0Ab");
        assert_eq!(escape_property("a:b,c"), "a%3Ab%2Cc");
    }
}
