// External scanner for dockfix's Dockerfile grammar.
//
// It owns everything that BuildKit decides line by line or with state:
//   - parser directives (only at the very top) and the escape character they set;
//   - line continuations (escape + blank + newline, or at end of input), and the
//     comment and blank lines that BuildKit skips inside a continuation;
//   - the end of an instruction (newline or end of input);
//   - shell text, split around heredoc markers, and heredoc bodies with exact
//     end-marker matching (`<<-` strips leading tabs before comparing);
//   - the JSON-or-shell decision: `[` starts exec form only when the rest of the
//     logical line is one valid JSON array, as in BuildKit's parseJSON;
//   - `--flags`, and image names whose `:` may belong to a registry port.

#include "tree_sitter/parser.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum TokenType {
  EOL,
  HEREDOCS_EOL,
  LINE_CONTINUATION,
  COMMENT,
  BLANK_LINE,
  DIRECTIVE_START,
  DIRECTIVE_NAME,
  DIRECTIVE_VALUE,
  SHELL_FRAGMENT,
  HEREDOC_MARKER,
  HEREDOC_CONTENT,
  HEREDOC_END,
  ESCAPE_SEQUENCE,
  IMMEDIATE_ESCAPE_SEQUENCE,
  DOUBLE_QUOTED_STRING,
  IMMEDIATE_DOUBLE_QUOTED_STRING,
  SINGLE_QUOTED_STRING,
  IMMEDIATE_SINGLE_QUOTED_STRING,
  JSON_START,
  SHELL_START,
  FLAG_START,
  END_OF_FLAGS,
  IMAGE_NAME,
  BOM,
  ERROR_SENTINEL,
};

#define MAX_HEREDOCS 16
#define MAX_HEREDOC_NAME 200
#define MAX_JSON_DEPTH 64

typedef struct {
  uint8_t length;
  bool chomp;
  char name[MAX_HEREDOC_NAME];
} Heredoc;

typedef struct {
  int32_t escape;            // '\\' or '`'
  bool directives_done;      // a comment, blank line or instruction has been seen
  bool directive_is_escape;  // the directive being parsed is `escape`
  bool in_directive;         // between a directive start and its end of line
  bool word_start;           // the next shell character starts a new word
  uint8_t quote;             // open quote in shell text across continuations
  bool after_shell_token;    // the previous token was shell text, a marker or a shell start
  bool joined_blank;         // the line before this continuation ended in a blank
  bool scan_had_space;       // blanks were skipped in the current scan (not serialized)
  uint8_t heredoc_count;
  Heredoc heredocs[MAX_HEREDOCS];
} Scanner;

static inline void advance(TSLexer *lexer) { lexer->advance(lexer, false); }
static inline void skip(TSLexer *lexer) { lexer->advance(lexer, true); }

static inline bool is_blank(int32_t c) { return c == ' ' || c == '\t'; }

// Whitespace that BuildKit trims at the start of a line (Go's unicode.IsSpace, minus newline).
static inline bool is_line_space(int32_t c) {
  return c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r' || c == 0x85 || c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 ||
         c == 0x202F || c == 0x205F || c == 0x3000;
}

static inline bool is_space(int32_t c) { return is_line_space(c) || c == '\n'; }

// At '\r': consumes the carriage returns; true when they end the line (BuildKit trims
// trailing "\r\n" characters), leaving the lexer at '\n' or end of input.
static bool skip_carriage_returns_to_eol(TSLexer *lexer) {
  while (lexer->lookahead == '\r') advance(lexer);
  return lexer->lookahead == '\n' || lexer->eof(lexer);
}

static inline bool at_eol(TSLexer *lexer) {
  return lexer->lookahead == '\n' || lexer->lookahead == '\r' || lexer->eof(lexer);
}

// Consumes the rest of the line including its newline.
static void consume_line(TSLexer *lexer) {
  while (!lexer->eof(lexer) && lexer->lookahead != '\n') advance(lexer);
  if (lexer->lookahead == '\n') advance(lexer);
}

// After a continuation's newline, BuildKit skips comment lines and blank lines
// until a line with content. With `mark`, the skipped lines end the current
// token (they belong to the continuation). Returns whether the content line
// starts with blanks.
static bool skip_joined_lines(TSLexer *lexer, bool mark) {
  for (;;) {
    if (mark) lexer->mark_end(lexer);
    bool blanks = false;
    while (is_line_space(lexer->lookahead)) {
      blanks = true;
      advance(lexer);
    }
    if (lexer->lookahead == '\n') {
      advance(lexer);
      continue;
    }
    if (lexer->lookahead == '#') {
      consume_line(lexer);
      continue;
    }
    if (mark && lexer->eof(lexer)) lexer->mark_end(lexer);
    return blanks;
  }
}

// The rest of a continuation token from its newline on.
static void finish_continuation(TSLexer *lexer) {
  if (lexer->lookahead == '\n') advance(lexer);
  skip_joined_lines(lexer, true);
}

// ---------------------------------------------------------------------------
// The logical-line reader used by the JSON check: it yields characters as
// BuildKit sees them after joining continuation lines.

typedef struct {
  TSLexer *lexer;
  int32_t escape;
  int32_t prev;     // previous raw character on the line
  int32_t pending;  // a character to yield before reading further, or -1
  bool ended;
} LogicalReader;

// Skips comment and blank lines that follow a continuation.
static void skip_continuation_fillers(LogicalReader *r) {
  if (skip_joined_lines(r->lexer, false)) r->pending = ' ';
  r->prev = ' ';
}

// Returns the next logical character, or -1 at the end of the logical line.
static int32_t reader_next(LogicalReader *r) {
  TSLexer *lexer = r->lexer;
  if (r->pending >= 0) {
    int32_t c = r->pending;
    r->pending = -1;
    return c;
  }
  for (;;) {
    if (r->ended || lexer->eof(lexer)) {
      r->ended = true;
      return -1;
    }
    int32_t c = lexer->lookahead;
    if (c == '\n') {
      r->ended = true;
      return -1;
    }
    if (c == '\r') {
      if (skip_carriage_returns_to_eol(lexer)) {
        r->ended = true;
        return -1;
      }
      r->prev = '\r';
      return '\r';
    }
    if (c == r->escape && r->prev != r->escape) {
      advance(lexer);
      bool spaces = false;
      while (is_blank(lexer->lookahead)) {
        spaces = true;
        advance(lexer);
      }
      if (lexer->lookahead == '\r' && skip_carriage_returns_to_eol(lexer)) {
        // fallthrough to the newline check below
      }
      if (lexer->lookahead == '\n' || lexer->eof(lexer)) {
        if (lexer->eof(lexer)) {
          r->ended = true;
          return -1;
        }
        advance(lexer);
        skip_continuation_fillers(r);
        continue;
      }
      r->prev = spaces ? ' ' : c;
      if (spaces) r->pending = ' ';
      return c;
    }
    advance(lexer);
    r->prev = c;
    return c;
  }
}

// A small recursive-descent JSON validator (Go's encoding/json grammar).
typedef struct {
  LogicalReader reader;
  int32_t c;
} Json;

static void json_next(Json *j) { j->c = reader_next(&j->reader); }

static void json_ws(Json *j) {
  while (j->c == ' ' || j->c == '\t' || j->c == '\r') json_next(j);
}

static bool json_value(Json *j, int depth);

static bool json_string(Json *j) {
  json_next(j);  // opening quote
  for (;;) {
    if (j->c < 0) return false;
    if (j->c == '"') {
      json_next(j);
      return true;
    }
    if (j->c < 0x20) return false;
    if (j->c == '\\') {
      json_next(j);
      switch (j->c) {
        case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
          json_next(j);
          break;
        case 'u':
          json_next(j);
          for (int i = 0; i < 4; i++) {
            bool hex = (j->c >= '0' && j->c <= '9') || (j->c >= 'a' && j->c <= 'f') || (j->c >= 'A' && j->c <= 'F');
            if (!hex) return false;
            json_next(j);
          }
          break;
        default:
          return false;
      }
      continue;
    }
    json_next(j);
  }
}

static bool json_digits(Json *j) {
  if (j->c < '0' || j->c > '9') return false;
  while (j->c >= '0' && j->c <= '9') json_next(j);
  return true;
}

static bool json_number(Json *j) {
  if (j->c == '-') json_next(j);
  if (j->c == '0') {
    json_next(j);
  } else if (!json_digits(j)) {
    return false;
  }
  if (j->c == '.') {
    json_next(j);
    if (!json_digits(j)) return false;
  }
  if (j->c == 'e' || j->c == 'E') {
    json_next(j);
    if (j->c == '+' || j->c == '-') json_next(j);
    if (!json_digits(j)) return false;
  }
  return true;
}

static bool json_literal(Json *j, const char *word) {
  for (const char *p = word; *p; p++) {
    if (j->c != *p) return false;
    json_next(j);
  }
  return true;
}

static bool json_container(Json *j, int depth, int32_t close, bool object) {
  if (depth > MAX_JSON_DEPTH) return false;
  json_next(j);
  json_ws(j);
  if (j->c == close) {
    json_next(j);
    return true;
  }
  for (;;) {
    if (object) {
      if (j->c != '"' || !json_string(j)) return false;
      json_ws(j);
      if (j->c != ':') return false;
      json_next(j);
      json_ws(j);
    }
    if (!json_value(j, depth + 1)) return false;
    json_ws(j);
    if (j->c == ',') {
      json_next(j);
      json_ws(j);
      continue;
    }
    if (j->c == close) {
      json_next(j);
      return true;
    }
    return false;
  }
}

static bool json_value(Json *j, int depth) {
  switch (j->c) {
    case '"': return json_string(j);
    case '[': return json_container(j, depth, ']', false);
    case '{': return json_container(j, depth, '}', true);
    case 't': return json_literal(j, "true");
    case 'f': return json_literal(j, "false");
    case 'n': return json_literal(j, "null");
    default: return json_number(j);
  }
}

// True when the logical line starts with one complete JSON array. BuildKit
// v0.12 decodes the first JSON value with a json.Decoder and ignores what
// follows it (newer releases require the array to end the line).
static bool rest_is_json_array(TSLexer *lexer, int32_t escape) {
  Json j = {.reader = {.lexer = lexer, .escape = escape, .prev = ' ', .pending = -1, .ended = false}, .c = 0};
  json_next(&j);
  if (j.c != '[') return false;
  return json_container(&j, 0, ']', false);
}

// ---------------------------------------------------------------------------
// Heredocs

static void push_heredoc(Scanner *s, const char *name, size_t length, bool chomp) {
  if (s->heredoc_count >= MAX_HEREDOCS || length == 0 || length > MAX_HEREDOC_NAME) return;
  Heredoc *h = &s->heredocs[s->heredoc_count++];
  memcpy(h->name, name, length);
  h->length = (uint8_t)length;
  h->chomp = chomp;
}

static void pop_heredoc(Scanner *s) {
  if (s->heredoc_count == 0) return;
  memmove(&s->heredocs[0], &s->heredocs[1], sizeof(Heredoc) * (s->heredoc_count - 1));
  s->heredoc_count--;
}

// Reads heredoc body lines until the end marker of the first pending heredoc.
static bool scan_heredoc(Scanner *s, TSLexer *lexer, const bool *valid) {
  Heredoc *h = &s->heredocs[0];
  bool has_content = false;
  for (;;) {
    lexer->mark_end(lexer);
    if (lexer->eof(lexer)) {
      if (has_content && valid[HEREDOC_CONTENT]) {
        lexer->result_symbol = HEREDOC_CONTENT;
        return true;
      }
      return false;
    }
    if (h->chomp) {
      while (lexer->lookahead == '\t') advance(lexer);
    }
    size_t i = 0;
    while (i < h->length && lexer->lookahead == (unsigned char)h->name[i] && !lexer->eof(lexer)) {
      advance(lexer);
      i++;
    }
    if (i == h->length) {
      while (lexer->lookahead == '\r') advance(lexer);
      if (lexer->lookahead == '\n' || lexer->eof(lexer)) {
        if (has_content) {
          if (!valid[HEREDOC_CONTENT]) return false;
          lexer->result_symbol = HEREDOC_CONTENT;
          return true;
        }
        if (!valid[HEREDOC_END]) return false;
        if (lexer->lookahead == '\n') advance(lexer);
        lexer->mark_end(lexer);
        pop_heredoc(s);
        lexer->result_symbol = HEREDOC_END;
        return true;
      }
    }
    consume_line(lexer);
    has_content = true;
  }
}

// At a word start: scans `[fd]<<[-]word` when it is a heredoc marker as BuildKit
// reads one. Returns 1 for a marker, 0 when the characters consumed are plain text.
static int scan_heredoc_marker(Scanner *s, TSLexer *lexer, int *consumed, bool commit) {
  int n = 0;
  while (lexer->lookahead >= '0' && lexer->lookahead <= '9') {
    advance(lexer);
    n++;
  }
  for (int k = 0; k < 2; k++) {
    if (lexer->lookahead != '<') {
      *consumed = n;
      return 0;
    }
    advance(lexer);
    n++;
  }
  bool chomp = false;
  if (lexer->lookahead == '-') {
    chomp = true;
    advance(lexer);
    n++;
  }
  char name[MAX_HEREDOC_NAME];
  size_t length = 0;
  uint8_t quote = 0;
  bool any = false;
  for (;;) {
    int32_t c = lexer->lookahead;
    if (lexer->eof(lexer) || c == '\n') break;
    if (quote == 0 && is_space(c)) break;
    if (c == s->escape && quote == 0) {
      // A continuation ends the word; anything else is an escaped character.
      if (commit) lexer->mark_end(lexer);
      advance(lexer);
      n++;
      while (is_blank(lexer->lookahead)) advance(lexer);
      if (at_eol(lexer)) break;
      c = lexer->lookahead;
      if (c == '<') {
        *consumed = n;
        s->quote = quote;
        return 0;
      }
      if (s->escape == '\\') {
        if (length < MAX_HEREDOC_NAME) name[length++] = (char)c;
      } else {
        if (length < MAX_HEREDOC_NAME) name[length++] = '`';
        if (length < MAX_HEREDOC_NAME) name[length++] = (char)c;
      }
      advance(lexer);
      n++;
      any = true;
      if (commit) lexer->mark_end(lexer);
      continue;
    }
    if (c == '<') {
      *consumed = n;
      s->quote = quote;
      return 0;
    }
    any = true;
    if (quote == 0 && (c == '"' || c == '\'')) {
      quote = (uint8_t)c;
    } else if (quote != 0 && c == quote) {
      quote = 0;
    } else if (c == '\\' && quote == '"') {
      advance(lexer);
      n++;
      int32_t next = lexer->lookahead;
      if (next != '"' && next != '\\' && next != '$') {
        if (length < MAX_HEREDOC_NAME) name[length++] = '\\';
      }
      if (at_eol(lexer)) break;
      if (length < MAX_HEREDOC_NAME && next < 0x80) name[length++] = (char)next;
    } else if (c < 0x80) {
      if (length < MAX_HEREDOC_NAME) name[length++] = (char)c;
    }
    advance(lexer);
    n++;
    if (commit) lexer->mark_end(lexer);
  }
  if (!any || quote != 0) {
    *consumed = n;
    s->quote = quote;
    return 0;
  }
  push_heredoc(s, name, length, chomp);
  return 1;
}

// ---------------------------------------------------------------------------
// Shell text

static bool scan_shell_fragment(Scanner *s, TSLexer *lexer, const bool *valid, bool word_start, int consumed,
                                int32_t prev) {
  bool markers = valid[HEREDOC_MARKER];
  lexer->mark_end(lexer);
  for (;;) {
    int32_t c = lexer->lookahead;
    if (lexer->eof(lexer) || c == '\n') break;
    if (c == '\r') {
      if (skip_carriage_returns_to_eol(lexer)) break;
      consumed++;
      prev = '\r';
      word_start = s->quote == 0;
      lexer->mark_end(lexer);
      continue;
    }
    if (c == s->escape && prev != s->escape) {
      advance(lexer);
      bool blanks = false;
      while (is_blank(lexer->lookahead)) {
        blanks = true;
        advance(lexer);
      }
      if (lexer->lookahead == '\r') skip_carriage_returns_to_eol(lexer);
      if (lexer->lookahead == '\n' || lexer->eof(lexer)) {
        if (consumed > 0) break;  // the continuation is the next token
        finish_continuation(lexer);
        lexer->result_symbol = LINE_CONTINUATION;
        return true;
      }
      consumed++;
      word_start = false;
      if (blanks) {
        prev = ' ';
      } else {
        // The escaped character has no quoting effect.
        prev = lexer->lookahead;
        advance(lexer);
      }
      lexer->mark_end(lexer);
      continue;
    }
    if (markers && word_start && s->quote == 0 && (c == '<' || (c >= '0' && c <= '9'))) {
      int extra = 0;
      if (consumed > 0) {
        // Look ahead only: a marker becomes its own token, so the fragment ends here.
        Scanner saved = *s;
        int found = scan_heredoc_marker(s, lexer, &extra, false);
        *s = saved;
        if (found) break;
      } else if (scan_heredoc_marker(s, lexer, &extra, true)) {
        s->word_start = false;
        lexer->result_symbol = HEREDOC_MARKER;
        return true;
      }
      consumed += extra;
      word_start = false;
      prev = '<';
      lexer->mark_end(lexer);
      continue;
    }
    if (s->quote == 0) {
      if (c == '"' || c == '\'') s->quote = (uint8_t)c;
    } else if (c == s->quote) {
      s->quote = 0;
    }
    word_start = s->quote == 0 && is_blank(c);
    prev = c;
    advance(lexer);
    consumed++;
    lexer->mark_end(lexer);
  }
  if (consumed == 0) return false;
  s->word_start = word_start || is_blank(prev);
  lexer->result_symbol = SHELL_FRAGMENT;
  return true;
}

// ---------------------------------------------------------------------------
// Quoted strings in words. BuildKit joins continuation lines before it looks at
// quotes, so a quoted string may span continuations (and the comment and blank
// lines they skip). Without a continuation, a newline ends an unclosed string.

static bool scan_quoted_string(Scanner *s, TSLexer *lexer, int32_t quote) {
  advance(lexer);  // the opening quote
  int32_t prev = quote;
  for (;;) {
    lexer->mark_end(lexer);
    int32_t c = lexer->lookahead;
    if (lexer->eof(lexer) || c == '\n') return true;
    if (c == '\r') {
      if (skip_carriage_returns_to_eol(lexer)) return true;
      prev = '\r';
      continue;
    }
    if (c == s->escape && prev != s->escape) {
      advance(lexer);
      while (is_blank(lexer->lookahead)) advance(lexer);
      if (lexer->lookahead == '\r') skip_carriage_returns_to_eol(lexer);
      if (lexer->lookahead == '\n') {
        advance(lexer);
        skip_joined_lines(lexer, false);
        prev = ' ';
        continue;
      }
      if (lexer->eof(lexer)) {
        lexer->mark_end(lexer);
        return true;
      }
      if (quote == '"' && lexer->lookahead != '\n') {
        prev = lexer->lookahead;
        advance(lexer);
        prev = prev == s->escape ? 0 : prev;
      } else {
        prev = s->escape;
      }
      continue;
    }
    advance(lexer);
    if (c == quote) {
      lexer->mark_end(lexer);
      return true;
    }
    prev = c;
  }
}

// ---------------------------------------------------------------------------
// Parser directives: `#` blank* name blank* `=` blank* value (BuildKit's regex).

static bool is_alpha(int32_t c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static bool is_alnum(int32_t c) { return is_alpha(c) || (c >= '0' && c <= '9'); }
static bool is_directive_space(int32_t c) { return c == ' ' || c == '\t' || c == '\f' || c == '\r'; }

static bool known_directive(const char *name) {
  return strcmp(name, "syntax") == 0 || strcmp(name, "escape") == 0 || strcmp(name, "check") == 0;
}

// At '#' on a line in the directive section: a directive start or a comment line.
static bool scan_hash_line(Scanner *s, TSLexer *lexer, const bool *valid) {
  advance(lexer);  // '#'
  if (valid[DIRECTIVE_START] && !s->directives_done) {
    while (is_directive_space(lexer->lookahead)) advance(lexer);
    lexer->mark_end(lexer);
    char name[16];
    size_t length = 0;
    if (is_alpha(lexer->lookahead)) {
      while (is_alnum(lexer->lookahead)) {
        int32_t c = lexer->lookahead;
        if (length < sizeof(name) - 1) name[length++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
        advance(lexer);
      }
      name[length] = 0;
      while (is_directive_space(lexer->lookahead)) advance(lexer);
      if (lexer->lookahead == '=' && length < sizeof(name) - 1 && known_directive(name)) {
        advance(lexer);
        while (is_directive_space(lexer->lookahead)) advance(lexer);
        if (!at_eol(lexer)) {
          s->directive_is_escape = strcmp(name, "escape") == 0;
          s->in_directive = true;
          lexer->result_symbol = DIRECTIVE_START;
          return true;
        }
      }
    }
  }
  consume_line(lexer);
  lexer->mark_end(lexer);
  s->directives_done = true;
  lexer->result_symbol = COMMENT;
  return true;
}

// ---------------------------------------------------------------------------
// Image names: `registry:port/ns/name` stops before the tag's `:` and the digest's `@`.

static bool scan_image_name(Scanner *s, TSLexer *lexer) {
  int length = 0;
  int brace_depth = 0;
  bool colon_pending = false;
  lexer->mark_end(lexer);
  for (;;) {
    int32_t c = lexer->lookahead;
    if (lexer->eof(lexer) || is_space(c) || c == s->escape) break;
    if (brace_depth == 0 && c == '@') break;
    if (c == '$') {
      advance(lexer);
      length++;
      if (lexer->lookahead == '{') {
        brace_depth++;
        advance(lexer);
        length++;
      }
      continue;
    }
    if (c == '}' && brace_depth > 0) brace_depth--;
    if (brace_depth == 0 && c == ':') {
      if (length == 0) return false;
      lexer->mark_end(lexer);
      colon_pending = true;
    } else if (brace_depth == 0 && c == '/') {
      colon_pending = false;
    }
    advance(lexer);
    length++;
  }
  if (length == 0) return false;
  if (!colon_pending) lexer->mark_end(lexer);
  lexer->result_symbol = IMAGE_NAME;
  return true;
}

// ---------------------------------------------------------------------------

static bool scan_line_continuation(TSLexer *lexer) {
  advance(lexer);  // the escape character
  while (is_blank(lexer->lookahead)) advance(lexer);
  if (lexer->lookahead == '\r') skip_carriage_returns_to_eol(lexer);
  if (lexer->lookahead == '\n' || lexer->eof(lexer)) {
    finish_continuation(lexer);
    lexer->result_symbol = LINE_CONTINUATION;
    return true;
  }
  return false;
}

static bool scan_directive_value(Scanner *s, TSLexer *lexer) {
  int32_t first = lexer->lookahead;
  int length = 0;
  for (;;) {
    int32_t c = lexer->lookahead;
    if (lexer->eof(lexer) || c == '\n') break;
    if (c == '\r') {
      if (skip_carriage_returns_to_eol(lexer)) break;
      continue;
    }
    advance(lexer);
    if (!is_directive_space(c)) {
      length++;
      lexer->mark_end(lexer);
    }
  }
  if (length == 0) return false;
  if (s->directive_is_escape && length == 1 && (first == '`' || first == '\\')) s->escape = first;
  s->directive_is_escape = false;
  lexer->result_symbol = DIRECTIVE_VALUE;
  return true;
}

static bool scan(Scanner *s, TSLexer *lexer, const bool *valid) {
  bool recovering = valid[ERROR_SENTINEL];

  if (valid[BOM] && !recovering && lexer->lookahead == 0xFEFF) {
    advance(lexer);
    lexer->mark_end(lexer);
    lexer->result_symbol = BOM;
    return true;
  }

  if (s->heredoc_count > 0 && (valid[HEREDOC_CONTENT] || valid[HEREDOC_END]) && !recovering) {
    return scan_heredoc(s, lexer, valid);
  }

  bool had_space = false;
  s->scan_had_space = false;

  while (is_line_space(lexer->lookahead) && lexer->lookahead != '\r') {
    skip(lexer);
    had_space = true;
  }
  if (lexer->lookahead == '\r') {
    // Carriage returns right before a newline belong to the line end.
    while (lexer->lookahead == '\r') skip(lexer);
    if (lexer->lookahead != '\n' && !lexer->eof(lexer)) had_space = true;
  }

  s->scan_had_space = had_space;

  // Comment and blank lines are only valid where an item of the file starts,
  // which is always the start of a line: no column is needed.
  if (!recovering) {
    if (lexer->lookahead == '#' && (valid[COMMENT] || valid[DIRECTIVE_START])) {
      return scan_hash_line(s, lexer, valid);
    }
    if (lexer->lookahead == '\n' && valid[BLANK_LINE] && !valid[EOL]) {
      advance(lexer);
      lexer->mark_end(lexer);
      s->directives_done = true;
      lexer->result_symbol = BLANK_LINE;
      return true;
    }
  }

  if ((valid[EOL] || valid[HEREDOCS_EOL]) && !recovering && (lexer->lookahead == '\n' || lexer->eof(lexer))) {
    bool heredocs = s->heredoc_count > 0 && valid[HEREDOCS_EOL];
    if (lexer->lookahead == '\n') advance(lexer);
    lexer->mark_end(lexer);
    s->quote = 0;
    s->word_start = true;
    s->directive_is_escape = false;
    if (!s->in_directive) s->directives_done = true;
    s->in_directive = false;
    if (!heredocs) s->heredoc_count = 0;
    lexer->result_symbol = heredocs ? HEREDOCS_EOL : EOL;
    return true;
  }
  if (lexer->eof(lexer)) return false;

  int32_t c = lexer->lookahead;

  if (recovering) {
    // Keep errors inside one instruction: still find line ends and continuations.
    if (lexer->lookahead == '\n' && valid[EOL]) {
      advance(lexer);
      lexer->mark_end(lexer);
      s->quote = 0;
      s->word_start = true;
      s->directives_done = true;
      s->in_directive = false;
      lexer->result_symbol = EOL;
      return true;
    }
    if (c == s->escape) return scan_line_continuation(lexer);
    return false;
  }

  if (valid[DIRECTIVE_NAME] && is_alpha(c)) {
    while (is_alnum(lexer->lookahead)) advance(lexer);
    lexer->mark_end(lexer);
    lexer->result_symbol = DIRECTIVE_NAME;
    return true;
  }

  if (valid[DIRECTIVE_VALUE]) return scan_directive_value(s, lexer);

  if (c == '-' && (valid[FLAG_START] || valid[END_OF_FLAGS])) {
    lexer->mark_end(lexer);
    advance(lexer);
    if (lexer->lookahead == '-') {
      advance(lexer);
      lexer->mark_end(lexer);
      bool ends = is_space(lexer->lookahead) || lexer->eof(lexer);
      lexer->result_symbol = ends ? END_OF_FLAGS : FLAG_START;
      return true;
    }
    if (valid[SHELL_FRAGMENT]) return scan_shell_fragment(s, lexer, valid, false, 1, '-');
    return false;
  }

  if (c == '[' && valid[JSON_START]) {
    lexer->mark_end(lexer);
    if (rest_is_json_array(lexer, s->escape)) {
      lexer->result_symbol = JSON_START;
      return true;
    }
    if (valid[SHELL_START]) {
      // Not JSON: BuildKit falls back to shell form, read from here by the next token.
      lexer->result_symbol = SHELL_START;
      return true;
    }
    return false;
  }

  // Shell text, image names and heredoc markers start after blanks or right after
  // other shell text. BuildKit joins a continuation line to the text before it,
  // so a line that starts without blanks continues whatever came before.
  bool separated = had_space || s->after_shell_token || s->joined_blank;

  if (valid[SHELL_FRAGMENT] && separated) {
    return scan_shell_fragment(s, lexer, valid, had_space || s->word_start, 0, ' ');
  }

  if (c == s->escape) {
    // A continuation, or an escaped character inside a word.
    lexer->mark_end(lexer);
    advance(lexer);
    bool blank_after = false;
    if (is_blank(lexer->lookahead)) {
      advance(lexer);
      lexer->mark_end(lexer);
      blank_after = true;
      while (is_blank(lexer->lookahead)) advance(lexer);
    }
    if (lexer->lookahead == '\r') skip_carriage_returns_to_eol(lexer);
    if (lexer->lookahead == '\n' || lexer->eof(lexer)) {
      finish_continuation(lexer);
      lexer->result_symbol = LINE_CONTINUATION;
      return true;
    }
    bool immediate = !had_space && valid[IMMEDIATE_ESCAPE_SEQUENCE];
    if (!immediate && !valid[ESCAPE_SEQUENCE]) return false;
    if (!blank_after) {
      advance(lexer);
      lexer->mark_end(lexer);
    }
    lexer->result_symbol = immediate ? IMMEDIATE_ESCAPE_SEQUENCE : ESCAPE_SEQUENCE;
    return true;
  }

  if (valid[IMAGE_NAME] && separated) return scan_image_name(s, lexer);

  if (c == '"' || c == '\'') {
    bool dq = c == '"';
    bool immediate = !had_space && valid[dq ? IMMEDIATE_DOUBLE_QUOTED_STRING : IMMEDIATE_SINGLE_QUOTED_STRING];
    if (immediate || valid[dq ? DOUBLE_QUOTED_STRING : SINGLE_QUOTED_STRING]) {
      scan_quoted_string(s, lexer, c);
      lexer->result_symbol = dq ? (immediate ? IMMEDIATE_DOUBLE_QUOTED_STRING : DOUBLE_QUOTED_STRING)
                                : (immediate ? IMMEDIATE_SINGLE_QUOTED_STRING : SINGLE_QUOTED_STRING);
      return true;
    }
  }

  if (valid[HEREDOC_MARKER] && separated && (c == '<' || (c >= '0' && c <= '9'))) {
    lexer->mark_end(lexer);
    int consumed = 0;
    if (scan_heredoc_marker(s, lexer, &consumed, true)) {
      lexer->result_symbol = HEREDOC_MARKER;
      return true;
    }
    return false;
  }

  return false;
}

// ---------------------------------------------------------------------------

void *tree_sitter_dockerfile_external_scanner_create(void) {
  Scanner *s = (Scanner *)calloc(1, sizeof(Scanner));
  s->escape = '\\';
  s->word_start = true;
  return s;
}

void tree_sitter_dockerfile_external_scanner_destroy(void *payload) { free(payload); }

unsigned tree_sitter_dockerfile_external_scanner_serialize(void *payload, char *buffer) {
  Scanner *s = (Scanner *)payload;
  unsigned size = 0;
  buffer[size++] = (char)(s->escape == '`' ? 1 : 0);
  buffer[size++] = (char)((s->directives_done ? 1 : 0) | (s->directive_is_escape ? 2 : 0) | (s->word_start ? 4 : 0) |
                           (s->in_directive ? 8 : 0) | (s->after_shell_token ? 16 : 0) |
                           (s->joined_blank ? 32 : 0));
  buffer[size++] = (char)s->quote;
  size_t count_at = size++;
  uint8_t written = 0;
  for (uint8_t i = 0; i < s->heredoc_count; i++) {
    Heredoc *h = &s->heredocs[i];
    if (size + 2 + h->length > TREE_SITTER_SERIALIZATION_BUFFER_SIZE) break;
    buffer[size++] = (char)h->length;
    buffer[size++] = (char)h->chomp;
    memcpy(&buffer[size], h->name, h->length);
    size += h->length;
    written++;
  }
  buffer[count_at] = (char)written;
  return size;
}

void tree_sitter_dockerfile_external_scanner_deserialize(void *payload, const char *buffer, unsigned length) {
  Scanner *s = (Scanner *)payload;
  s->escape = '\\';
  s->directives_done = false;
  s->directive_is_escape = false;
  s->in_directive = false;
  s->after_shell_token = false;
  s->joined_blank = false;
  s->word_start = true;
  s->quote = 0;
  s->heredoc_count = 0;
  if (length < 4) return;
  unsigned pos = 0;
  s->escape = buffer[pos++] == 1 ? '`' : '\\';
  uint8_t flags = (uint8_t)buffer[pos++];
  s->directives_done = flags & 1;
  s->directive_is_escape = flags & 2;
  s->word_start = flags & 4;
  s->in_directive = flags & 8;
  s->after_shell_token = flags & 16;
  s->joined_blank = flags & 32;
  s->quote = (uint8_t)buffer[pos++];
  uint8_t count = (uint8_t)buffer[pos++];
  for (uint8_t i = 0; i < count && i < MAX_HEREDOCS && pos + 2 <= length; i++) {
    Heredoc *h = &s->heredocs[i];
    h->length = (uint8_t)buffer[pos++];
    h->chomp = buffer[pos++] != 0;
    if (pos + h->length > length || h->length > MAX_HEREDOC_NAME) break;
    memcpy(h->name, &buffer[pos], h->length);
    pos += h->length;
    s->heredoc_count++;
  }
}

bool tree_sitter_dockerfile_external_scanner_scan(void *payload, TSLexer *lexer, const bool *valid_symbols) {
  Scanner *s = (Scanner *)payload;
  bool found = scan(s, lexer, valid_symbols);
  if (found) {
    TSSymbol symbol = lexer->result_symbol;
    // Continuations and the comment and blank lines they skip keep the context:
    // BuildKit joins the lines around them.
    bool joins = symbol == LINE_CONTINUATION;
    if (!joins) {
      s->after_shell_token = symbol == SHELL_FRAGMENT || symbol == HEREDOC_MARKER || symbol == SHELL_START;
      s->joined_blank = false;
    } else if (symbol == LINE_CONTINUATION) {
      s->joined_blank = s->scan_had_space;
    }
  }
  return found;
}
