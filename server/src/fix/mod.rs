//! Fixes: byte-range edits with an applicability, applied without overlaps and
//! repeated until the document stops changing.

use std::ops::Range;

use serde::{Deserialize, Serialize};

/// How safe it is to apply a fix without looking (ruff's model).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Applicability {
    /// Needs a human: shown, never applied in bulk.
    DisplayOnly,
    /// May change what the image does: applied only on explicit request.
    Unsafe,
    /// The image behaves the same: applied by fix-all and `check --fix`.
    Safe,
}

impl Applicability {
    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::DisplayOnly => "display-only",
            Applicability::Unsafe => "unsafe",
            Applicability::Safe => "safe",
        }
    }
}

/// Replace `range` of the source with `content` (an insertion when the range is empty).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Edit {
    pub range: Range<usize>,
    pub content: String,
}

impl Edit {
    pub fn replace(range: Range<usize>, content: impl Into<String>) -> Self {
        Edit {
            range,
            content: content.into(),
        }
    }

    pub fn insert(at: usize, content: impl Into<String>) -> Self {
        Edit::replace(at..at, content)
    }

    pub fn delete(range: Range<usize>) -> Self {
        Edit::replace(range, "")
    }
}

/// The edits that resolve one diagnostic, applied together or not at all.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Fix {
    /// What the fix does, e.g. "Add `--no-install-recommends`".
    pub title: String,
    pub applicability: Applicability,
    /// Sorted by start, non-overlapping.
    pub edits: Vec<Edit>,
    /// Changes to other files of the build context (DF404 creates or extends
    /// `.dockerignore`). The document's fix-all loop ignores them: the CLI
    /// and the language server apply them to the workspace.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<FileChange>,
}

/// An edit of a file beside the Dockerfile.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct FileChange {
    /// Relative to the Dockerfile's folder.
    pub path: String,
    /// The file does not exist yet: create it with the edits' text.
    pub create: bool,
    /// Edits of the file's current text (one insertion when creating).
    pub edits: Vec<Edit>,
}

impl Fix {
    pub fn new(
        title: impl Into<String>,
        applicability: Applicability,
        mut edits: Vec<Edit>,
    ) -> Self {
        edits.sort_by_key(|e| (e.range.start, e.range.end));
        Fix {
            title: title.into(),
            applicability,
            edits,
            files: Vec::new(),
        }
    }

    /// A fix that changes other files of the build context.
    pub fn with_files(mut self, files: Vec<FileChange>) -> Self {
        self.files = files;
        self
    }

    pub fn safe(title: impl Into<String>, edits: Vec<Edit>) -> Self {
        Fix::new(title, Applicability::Safe, edits)
    }

    pub fn unsafe_(title: impl Into<String>, edits: Vec<Edit>) -> Self {
        Fix::new(title, Applicability::Unsafe, edits)
    }

    pub fn display_only(title: impl Into<String>, edits: Vec<Edit>) -> Self {
        Fix::new(title, Applicability::DisplayOnly, edits)
    }

    /// The source range the edits span.
    pub fn span(&self) -> Option<Range<usize>> {
        let start = self.edits.iter().map(|e| e.range.start).min()?;
        let end = self.edits.iter().map(|e| e.range.end).max()?;
        Some(start..end)
    }
}

/// Applies the fixes in order of position, skipping any fix that overlaps one
/// already taken (it is picked up in the next round, on the new text). Two
/// insertions at one offset count as overlapping: their order would be a guess.
/// Returns the new text and the indices of the applied fixes.
pub fn apply<'a>(source: &str, fixes: impl IntoIterator<Item = &'a Fix>) -> (String, Vec<usize>) {
    let mut candidates: Vec<(usize, &Fix)> = fixes
        .into_iter()
        .enumerate()
        .filter(|(_, fix)| !fix.edits.is_empty() && edits_are_valid(source, &fix.edits))
        .collect();
    candidates.sort_by_key(|(i, fix)| (fix.span().map(|s| (s.start, s.end)), *i));
    let mut taken: Vec<Range<usize>> = Vec::new();
    let mut applied = Vec::new();
    let mut edits: Vec<&Edit> = Vec::new();
    for (index, fix) in candidates {
        let clashes = fix
            .edits
            .iter()
            .any(|edit| taken.iter().any(|t| overlaps(&edit.range, t)));
        if clashes {
            continue;
        }
        taken.extend(fix.edits.iter().map(|e| e.range.clone()));
        edits.extend(fix.edits.iter());
        applied.push(index);
    }
    edits.sort_by_key(|e| (e.range.start, e.range.end));
    let mut out = String::with_capacity(source.len() + 64);
    let mut cursor = 0;
    for edit in edits {
        out.push_str(source.get(cursor..edit.range.start).unwrap_or_default());
        out.push_str(&edit.content);
        cursor = edit.range.end;
    }
    out.push_str(source.get(cursor..).unwrap_or_default());
    applied.sort_unstable();
    (out, applied)
}

fn overlaps(a: &Range<usize>, b: &Range<usize>) -> bool {
    if a.start == b.start {
        return true;
    }
    a.start < b.end && b.start < a.end
}

/// Edits inside the source, on character boundaries, sorted and disjoint.
fn edits_are_valid(source: &str, edits: &[Edit]) -> bool {
    let in_bounds = edits.iter().all(|e| {
        e.range.start <= e.range.end
            && e.range.end <= source.len()
            && source.is_char_boundary(e.range.start)
            && source.is_char_boundary(e.range.end)
    });
    in_bounds
        && edits
            .windows(2)
            .all(|w| w[0].range.end <= w[1].range.start && w[0].range.start < w[1].range.start)
}

/// The smallest single edit that turns `old` into `new` (common prefix and
/// suffix kept), on character boundaries.
pub fn minimal_edit(old: &str, new: &str) -> Edit {
    let mut prefix = common_prefix(old.as_bytes(), new.as_bytes());
    while !old.is_char_boundary(prefix) || !new.is_char_boundary(prefix) {
        prefix -= 1;
    }
    let max_suffix = old.len().min(new.len()) - prefix;
    let mut suffix =
        common_suffix(&old.as_bytes()[prefix..], &new.as_bytes()[prefix..]).min(max_suffix);
    while !old.is_char_boundary(old.len() - suffix) || !new.is_char_boundary(new.len() - suffix) {
        suffix -= 1;
    }
    Edit::replace(
        prefix..old.len() - suffix,
        new.get(prefix..new.len() - suffix).unwrap_or_default(),
    )
}

/// Compared a chunk at a time (a `memcmp`): the language server diffs every
/// full-text change against the document, 150 KB for 5,000 lines.
const CHUNK: usize = 64;

fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    let n = a.len().min(b.len());
    let mut i = 0;
    while i + CHUNK <= n && a[i..i + CHUNK] == b[i..i + CHUNK] {
        i += CHUNK;
    }
    i + a[i..n]
        .iter()
        .zip(&b[i..n])
        .take_while(|(x, y)| x == y)
        .count()
}

fn common_suffix(a: &[u8], b: &[u8]) -> usize {
    let n = a.len().min(b.len());
    let (a, b) = (&a[a.len() - n..], &b[b.len() - n..]);
    let mut i = 0;
    while i + CHUNK <= n && a[n - i - CHUNK..n - i] == b[n - i - CHUNK..n - i] {
        i += CHUNK;
    }
    i + a[..n - i]
        .iter()
        .rev()
        .zip(b[..n - i].iter().rev())
        .take_while(|(x, y)| x == y)
        .count()
}

/// One fix that was applied while fixing to convergence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    pub code: &'static str,
    pub title: String,
}

/// The result of fixing a document until nothing changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub text: String,
    pub applied: Vec<Applied>,
    pub rounds: usize,
    /// False when the round limit was hit while fixes still changed the text.
    pub converged: bool,
}

/// The most rounds a fix-all runs; fixes that need more do not converge.
pub const MAX_ROUNDS: usize = 8;

/// Applies every fix at or above `level` (never DisplayOnly), re-analysing after
/// each round, until a round changes nothing.
pub fn fix_all(
    source: &str,
    level: Applicability,
    mut analyze: impl FnMut(&str) -> Vec<crate::Diagnostic>,
) -> Outcome {
    let level = level.max(Applicability::Unsafe);
    let mut text = source.to_owned();
    let mut applied = Vec::new();
    for round in 0..MAX_ROUNDS {
        let diagnostics = analyze(&text);
        let fixable: Vec<(&'static str, &Fix)> = diagnostics
            .iter()
            .filter_map(|d| d.fix.as_ref().map(|f| (d.code, f)))
            .filter(|(_, f)| f.applicability >= level)
            .collect();
        let (next, taken) = apply(&text, fixable.iter().map(|(_, f)| *f));
        if taken.is_empty() || next == text {
            return Outcome {
                text,
                applied,
                rounds: round,
                converged: true,
            };
        }
        for index in taken {
            if let Some((code, fix)) = fixable.get(index) {
                applied.push(Applied {
                    code,
                    title: fix.title.clone(),
                });
            }
        }
        text = next;
    }
    let converged = {
        let diagnostics = analyze(&text);
        let (next, _) = apply(
            &text,
            diagnostics
                .iter()
                .filter_map(|d| d.fix.as_ref())
                .filter(|f| f.applicability >= level),
        );
        next == text
    };
    Outcome {
        text,
        applied,
        rounds: MAX_ROUNDS,
        converged,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The chunked comparison finds the same edit as a byte-by-byte one,
        /// and the edit turns the old text into the new one.
        #[test]
        fn minimal_edit_is_exact_and_minimal(
            common in "[ab\n🐳]{0,200}",
            old_middle in "[ab\n🐳]{0,5}",
            new_middle in "[ab\n🐳]{0,5}",
            tail in "[ab\n🐳]{0,200}",
        ) {
            let old = format!("{common}{old_middle}{tail}");
            let new = format!("{common}{new_middle}{tail}");
            let edit = minimal_edit(&old, &new);
            let mut applied = old.clone();
            applied.replace_range(edit.range.clone(), &edit.content);
            proptest::prop_assert_eq!(&applied, &new);
            let prefix = old.bytes().zip(new.bytes()).take_while(|(a, b)| a == b).count();
            let mut expected = prefix;
            while !old.is_char_boundary(expected) || !new.is_char_boundary(expected) {
                expected -= 1;
            }
            proptest::prop_assert_eq!(edit.range.start, expected);
            let suffix = old.len() - edit.range.end;
            let longest = old.bytes().rev().zip(new.bytes().rev())
                .take(old.len().min(new.len()) - edit.range.start)
                .take_while(|(a, b)| a == b).count();
            proptest::prop_assert!(suffix <= longest && longest - suffix < 4, "suffix {} of {}", suffix, longest);
        }
    }

    #[test]
    fn overlapping_fixes_wait_for_the_next_round() {
        let source = "abcdef";
        let first = Fix::safe("x", vec![Edit::replace(1..3, "X")]);
        let second = Fix::safe("y", vec![Edit::replace(2..4, "Y")]);
        let third = Fix::safe("z", vec![Edit::insert(6, "!")]);
        let (text, applied) = apply(source, [&first, &second, &third]);
        assert_eq!(text, "aXdef!");
        assert_eq!(applied, vec![0, 2]);
    }

    #[test]
    fn insertions_at_one_offset_are_not_both_applied() {
        let a = Fix::safe("a", vec![Edit::insert(1, "A")]);
        let b = Fix::safe("b", vec![Edit::insert(1, "B")]);
        let (text, applied) = apply("xy", [&a, &b]);
        assert_eq!(text, "xAy");
        assert_eq!(applied, vec![0]);
    }

    #[test]
    fn invalid_edits_are_skipped() {
        let out_of_range = Fix::safe("a", vec![Edit::insert(10, "A")]);
        let mid_char = Fix::safe("b", vec![Edit::insert(1, "B")]);
        let (text, applied) = apply("é", [&out_of_range, &mid_char]);
        assert_eq!(text, "é");
        assert!(applied.is_empty());
    }
}
