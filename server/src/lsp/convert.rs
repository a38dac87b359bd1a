//! Conversions between the engine's byte offsets and LSP positions, in the
//! negotiated position encoding, using the document's rope.

use std::ops::Range;

use ropey::Rope;
use tower_lsp_server::ls_types::{Position, PositionEncodingKind};

/// The position encoding agreed with the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Encoding {
    Utf8,
    /// The LSP default when the client offers nothing.
    #[default]
    Utf16,
    Utf32,
}

impl Encoding {
    /// Picks from what the client offers: UTF-8 first, then UTF-16, then UTF-32.
    pub fn negotiate(offered: Option<&[PositionEncodingKind]>) -> Self {
        let Some(offered) = offered else {
            return Encoding::Utf16;
        };
        if offered.contains(&PositionEncodingKind::UTF8) {
            Encoding::Utf8
        } else if offered.contains(&PositionEncodingKind::UTF16) || offered.is_empty() {
            Encoding::Utf16
        } else if offered.contains(&PositionEncodingKind::UTF32) {
            Encoding::Utf32
        } else {
            Encoding::Utf16
        }
    }

    pub fn kind(self) -> PositionEncodingKind {
        match self {
            Encoding::Utf8 => PositionEncodingKind::UTF8,
            Encoding::Utf16 => PositionEncodingKind::UTF16,
            Encoding::Utf32 => PositionEncodingKind::UTF32,
        }
    }

    fn width(self, c: char) -> usize {
        match self {
            Encoding::Utf8 => c.len_utf8(),
            Encoding::Utf16 => c.len_utf16(),
            Encoding::Utf32 => 1,
        }
    }
}

/// The byte offset of an LSP position. Out-of-range lines clamp to the end of
/// the document and out-of-range characters to the end of the line, as the
/// LSP specification asks; a position inside a character moves to its start.
pub fn offset(rope: &Rope, position: Position, encoding: Encoding) -> usize {
    let line = position.line as usize;
    if line >= rope.len_lines() {
        return rope.len_bytes();
    }
    let line_start = rope.line_to_byte(line);
    let wanted = position.character as usize;
    let mut units = 0;
    let mut bytes = 0;
    let mut chars = rope.line(line).chars().peekable();
    while let Some(c) = chars.next() {
        // The line ends before its line break (`\n` or `\r\n`).
        if c == '\n' || (c == '\r' && chars.peek() == Some(&'\n')) {
            break;
        }
        let width = encoding.width(c);
        if units + width > wanted {
            break;
        }
        units += width;
        bytes += c.len_utf8();
    }
    line_start + bytes
}

/// The LSP position of a byte offset (clamped to the document, moved to the
/// start of a character it falls inside). Every step is O(log n) in the rope's
/// own char and UTF-16 metrics: counting the line's characters instead made a
/// line of 100 KB with 35,000 findings quadratic.
pub fn position(rope: &Rope, offset: usize, encoding: Encoding) -> Position {
    let offset = offset.min(rope.len_bytes());
    let line = rope.byte_to_line(offset);
    let line_start = rope.line_to_byte(line);
    let character = match encoding {
        Encoding::Utf8 => rope.char_to_byte(rope.byte_to_char(offset)) - line_start,
        Encoding::Utf16 => {
            let start = rope.char_to_utf16_cu(rope.byte_to_char(line_start));
            rope.char_to_utf16_cu(rope.byte_to_char(offset)) - start
        }
        Encoding::Utf32 => rope.byte_to_char(offset) - rope.byte_to_char(line_start),
    };
    Position {
        line: line as u32,
        character: character as u32,
    }
}

/// The line starts of a document, for converting many offsets at once (a
/// publish of 5,000 lines converts hundreds). On a line of ASCII text every
/// encoding counts bytes, so the position is a subtraction; other lines go
/// through the rope as [`position`] does.
pub struct Lines<'a> {
    rope: &'a Rope,
    /// The byte offset where each line starts (after each `\n`, as the rope
    /// counts lines).
    starts: Vec<usize>,
    /// Per line, whether it holds only ASCII (its line break included).
    ascii: Vec<bool>,
}

impl<'a> Lines<'a> {
    pub fn new(rope: &'a Rope) -> Self {
        let lines = rope.len_lines();
        let mut starts = Vec::with_capacity(lines + 1);
        starts.push(0);
        let mut ascii = Vec::with_capacity(lines + 1);
        let mut line_ascii = true;
        let mut base = 0;
        for chunk in rope.chunks() {
            let bytes = chunk.as_bytes();
            // Most chunks are all ASCII: one check for all their lines.
            let chunk_ascii = bytes.is_ascii();
            let mut from = 0;
            for at in memchr::memchr_iter(b'\n', bytes) {
                ascii.push(line_ascii && (chunk_ascii || bytes[from..at].is_ascii()));
                line_ascii = true;
                starts.push(base + at + 1);
                from = at + 1;
            }
            line_ascii &= chunk_ascii || bytes[from..].is_ascii();
            base += chunk.len();
        }
        ascii.push(line_ascii);
        Lines {
            rope,
            starts,
            ascii,
        }
    }

    pub fn position(&self, offset: usize, encoding: Encoding) -> Position {
        let offset = offset.min(self.rope.len_bytes());
        let line = self.starts.partition_point(|&start| start <= offset) - 1;
        match (self.starts.get(line), self.ascii.get(line)) {
            (Some(&start), Some(true)) => Position {
                line: line as u32,
                character: (offset - start) as u32,
            },
            _ => position(self.rope, offset, encoding),
        }
    }
}

/// The LSP range of a byte range.
pub fn range(
    rope: &Rope,
    range: Range<usize>,
    encoding: Encoding,
) -> tower_lsp_server::ls_types::Range {
    tower_lsp_server::ls_types::Range {
        start: position(rope, range.start, encoding),
        end: position(rope, range.end, encoding),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pos(line: u32, character: u32) -> Position {
        Position { line, character }
    }

    #[test]
    fn round_trips_in_every_encoding() {
        let text = "FROM alpine\r\nLABEL a=\"🐳 日本\"\nRUN echo é\n";
        let rope = Rope::from_str(text);
        for encoding in [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32] {
            for (offset, _) in text.char_indices() {
                if text[..offset].ends_with('\r') && text[offset..].starts_with('\n') {
                    continue; // inside a CRLF line break: no LSP position
                }
                let p = position(&rope, offset, encoding);
                assert_eq!(
                    self::offset(&rope, p, encoding),
                    offset,
                    "{encoding:?} at {offset}"
                );
            }
        }
    }

    #[test]
    fn lines_agree_with_the_rope() {
        for text in [
            "",
            "\n",
            "FROM alpine\r\nLABEL a=\"🐳 日本\"\nRUN echo é\n",
            "a\rb\n\n🐳\nx",
            "RUN x\u{2028}y\u{85}z\n",
        ] {
            let rope = Rope::from_str(text);
            let lines = Lines::new(&rope);
            for encoding in [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32] {
                for offset in 0..=text.len() + 2 {
                    assert_eq!(
                        lines.position(offset, encoding),
                        position(&rope, offset, encoding),
                        "{text:?} {encoding:?} at {offset}"
                    );
                }
            }
        }
        // Lines that span the rope's chunks.
        let text = format!(
            "{}\n{}é\n{}",
            "a".repeat(5000),
            "b".repeat(3000),
            "c".repeat(7000)
        );
        let rope = Rope::from_str(&text);
        assert!(rope.chunks().count() > 3);
        let lines = Lines::new(&rope);
        for encoding in [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32] {
            for offset in (0..=text.len()).step_by(7) {
                assert_eq!(
                    lines.position(offset, encoding),
                    position(&rope, offset, encoding),
                    "{encoding:?} at {offset}"
                );
            }
        }
    }

    #[test]
    fn counts_units_per_encoding() {
        let rope = Rope::from_str("LABEL a=\"🐳日\"x\n");
        let x = "LABEL a=\"🐳日\"".len();
        assert_eq!(position(&rope, x, Encoding::Utf8), pos(0, x as u32));
        assert_eq!(position(&rope, x, Encoding::Utf16), pos(0, 9 + 2 + 1 + 1));
        assert_eq!(position(&rope, x, Encoding::Utf32), pos(0, 9 + 1 + 1 + 1));
    }

    #[test]
    fn clamps_out_of_range_positions() {
        let rope = Rope::from_str("FROM a\r\nRUN b\n");
        assert_eq!(offset(&rope, pos(0, 99), Encoding::Utf16), 6);
        assert_eq!(offset(&rope, pos(99, 0), Encoding::Utf16), 14);
        // Inside a surrogate pair: the start of the character.
        let rope = Rope::from_str("🐳x");
        assert_eq!(offset(&rope, pos(0, 1), Encoding::Utf16), 0);
    }
}
