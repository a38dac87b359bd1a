//! Checkstyle and JUnit XML, the formats CI servers (Jenkins, GitLab,
//! Azure Pipelines, Bitbucket) ingest.

use std::io::Write;

use super::{fix_marker, Run};
use crate::Severity;

/// Text for an XML attribute or element. Characters XML 1.0 cannot hold at
/// all (most C0 controls) become U+FFFD.
pub(super) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Attribute values normalise raw newlines and tabs to spaces:
            // keep them as references.
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

const HEADER: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>";

/// Checkstyle: one `<file>` per checked file, one `<error>` per problem.
pub fn checkstyle(out: &mut dyn Write, run: &Run<'_>) {
    let _ = writeln!(out, "{HEADER}");
    let _ = writeln!(out, "<checkstyle version=\"4.3\">");
    for report in run.reports {
        let _ = writeln!(out, "  <file name=\"{}\">", escape(&report.path));
        for d in &report.diagnostics {
            let (line, column) = report.line_column(d.range.start);
            let severity = match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Info | Severity::Hint => "info",
            };
            let _ = writeln!(
                out,
                "    <error line=\"{line}\" column=\"{column}\" severity=\"{severity}\" message=\"{}\" source=\"dockfix.{}\"/>",
                escape(&d.message),
                d.code
            );
        }
        let _ = writeln!(out, "  </file>");
    }
    for error in run.errors {
        let _ = writeln!(out, "  <file name=\"{}\">", escape(&error.path));
        let _ = writeln!(
            out,
            "    <error severity=\"error\" message=\"{}\" source=\"dockfix.io\"/>",
            escape(&error.message)
        );
        let _ = writeln!(out, "  </file>");
    }
    let _ = writeln!(out, "</checkstyle>");
}

/// JUnit: one test suite per file, one failed test case per problem, one
/// passed test case for a clean file and one errored for an unreadable one.
pub fn junit(out: &mut dyn Write, run: &Run<'_>) {
    let failures: usize = run.reports.iter().map(|r| r.diagnostics.len()).sum();
    let clean = run
        .reports
        .iter()
        .filter(|r| r.diagnostics.is_empty())
        .count();
    let errors = run.errors.len();
    let _ = writeln!(out, "{HEADER}");
    let _ = writeln!(
        out,
        "<testsuites name=\"dockfix\" tests=\"{}\" failures=\"{failures}\" errors=\"{errors}\">",
        failures + clean + errors
    );
    for report in run.reports {
        let path = escape(&report.path);
        let count = report.diagnostics.len();
        let _ = writeln!(
            out,
            "  <testsuite name=\"{path}\" tests=\"{}\" failures=\"{count}\" errors=\"0\">",
            count.max(1)
        );
        if count == 0 {
            let _ = writeln!(
                out,
                "    <testcase name=\"dockfix\" classname=\"{path}\" file=\"{path}\"/>"
            );
        }
        for d in &report.diagnostics {
            let (line, column) = report.line_column(d.range.start);
            let _ = writeln!(
                out,
                "    <testcase name=\"{} {} at {line}:{column}\" classname=\"{path}\" file=\"{path}\" line=\"{line}\">",
                d.code, d.name
            );
            let _ = writeln!(
                out,
                "      <failure message=\"{}\" type=\"{}\">{}</failure>",
                escape(&d.message),
                d.severity.as_str(),
                escape(&format!(
                    "{}:{line}:{column}: {} {}{}",
                    report.path,
                    d.code,
                    fix_marker(d, run.level),
                    d.message
                ))
            );
            let _ = writeln!(out, "    </testcase>");
        }
        let _ = writeln!(out, "  </testsuite>");
    }
    for error in run.errors {
        let path = escape(&error.path);
        let _ = writeln!(
            out,
            "  <testsuite name=\"{path}\" tests=\"1\" failures=\"0\" errors=\"1\">"
        );
        let _ = writeln!(
            out,
            "    <testcase name=\"dockfix\" classname=\"{path}\" file=\"{path}\">"
        );
        let _ = writeln!(
            out,
            "      <error message=\"{}\" type=\"io\"/>",
            escape(&error.message)
        );
        let _ = writeln!(out, "    </testcase>");
        let _ = writeln!(out, "  </testsuite>");
    }
    let _ = writeln!(out, "</testsuites>");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_controls() {
        assert_eq!(
            escape("a<b & \"c\" 'd'>\n\u{1}"),
            "a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;&#10;\u{FFFD}"
        );
    }
}
