/**
 * @file dockfix's Dockerfile grammar, exact to BuildKit's parser.
 * @license MIT
 *
 * Line structure (continuations, comment lines inside continuations, parser
 * directives, the escape character, heredoc bodies, the JSON-or-shell decision)
 * lives in the external scanner (src/scanner.c), because it depends on state
 * (the escape directive, pending heredocs) and on look-ahead across lines.
 */

/// <reference types="tree-sitter-cli/dsl" />
// @ts-check

/** A case-insensitive regular expression for an instruction keyword. */
function caseInsensitive(word) {
  return new RegExp(
    word
      .split('')
      .map((c) => (/[a-z]/i.test(c) ? `[${c.toLowerCase()}${c.toUpperCase()}]` : c))
      .join(''),
  );
}

/** An instruction keyword: case-insensitive, shown upper-case in the tree. */
function keyword(word) {
  return alias(token(caseInsensitive(word)), word.toUpperCase());
}

module.exports = grammar({
  name: 'dockerfile',

  externals: ($) => [
    $._eol,
    $._heredocs_eol,
    $.line_continuation,
    $.comment,
    $._blank_line,
    $._directive_start,
    $.directive_name,
    $.directive_value,
    $.shell_fragment,
    $.heredoc_marker,
    $.heredoc_content,
    $.heredoc_end,
    $.escape_sequence,
    $._immediate_escape_sequence,
    $.double_quoted_string,
    $._dq_immediate,
    $.single_quoted_string,
    $._sq_immediate,
    $._json_start,
    $._shell_start,
    $._flag_start,
    $.end_of_flags,
    $.image_name,
    $._bom,
    $._error_sentinel,
  ],

  // Comment and blank lines are items of the file, not extras: a comment is only a
  // comment where an instruction could start. Inside a continuation, BuildKit skips
  // them; the continuation token takes them along.
  extras: ($) => [/[ \t\f\v\r]/, $.line_continuation],

  conflicts: ($) => [],

  rules: {
    // Directives, then global instructions (ARG), then stages. A stage is a FROM
    // and everything up to the next FROM.
    source_file: ($) =>
      seq(
        // BuildKit strips a byte order mark at the start of the file only.
        optional($._bom),
        repeat(choice($.parser_directive, $.comment, $._blank_line)),
        optional($._global_items),
        optional($._stages),
      ),

    // Left recursion, not repeat(): tree-sitter marks repetition nodes fragile and
    // never reuses them whole, so an edit would revisit every instruction. Left
    // recursion lets an incremental parse reuse everything before the edit as one
    // node, and stages bound what follows it.
    _global_items: ($) => choice($._stage_item, seq($._global_items, $._file_item)),
    _stages: ($) => choice($.stage, seq($._stages, $.stage)),
    stage: ($) => seq(field('from', $.from_instruction), optional($._stage_items)),
    _stage_items: ($) => choice($._file_item, seq($._stage_items, $._file_item)),
    _file_item: ($) => choice($._stage_item, $.comment, $._blank_line),

    // `# name=value` at the very top; the scanner only offers it there.
    parser_directive: ($) =>
      seq($._directive_start, field('name', $.directive_name), '=', field('value', $.directive_value), $._eol),

    _instruction: ($) => choice($.from_instruction, $._stage_item),

    _stage_item: ($) =>
      choice(
        $.run_instruction,
        $.cmd_instruction,
        $.label_instruction,
        $.maintainer_instruction,
        $.expose_instruction,
        $.env_instruction,
        $.add_instruction,
        $.copy_instruction,
        $.entrypoint_instruction,
        $.volume_instruction,
        $.user_instruction,
        $.workdir_instruction,
        $.arg_instruction,
        $.onbuild_instruction,
        $.stopsignal_instruction,
        $.healthcheck_instruction,
        $.shell_instruction,
        $.unknown_instruction,
      ),

    // BuildKit extracts `--flags` on every instruction, so every instruction accepts them.
    _flags: ($) => choice(seq(repeat1(field('flag', $.flag)), optional($.end_of_flags)), $.end_of_flags),

    flag: ($) =>
      seq(
        $._flag_start,
        field('name', alias(token.immediate(/[^\s=]+/), $.flag_name)),
        optional(seq(token.immediate(prec(5, '=')), optional(field('value', $.flag_value)))),
      ),

    flag_value: ($) => $._word_immediate,

    from_instruction: ($) =>
      seq(
        keyword('FROM'),
        optional($._flags),
        optional(
          seq(
            field('image', $.image_spec),
            optional(seq(field('as', keyword('AS')), field('name', alias($._plain_word, $.stage_name)))),
            repeat(field('extra', alias($._plain_word, $.unexpected_argument))),
          ),
        ),
        $._eol,
      ),

    image_spec: ($) =>
      seq(
        field('name', $.image_name),
        optional(seq(token.immediate(prec(5, ':')), field('tag', alias(token.immediate(/[^\s@]+/), $.image_tag)))),
        optional(seq(token.immediate(prec(5, '@')), field('digest', alias(token.immediate(/[^\s]+/), $.image_digest)))),
      ),

    run_instruction: ($) =>
      seq(
        keyword('RUN'),
        optional($._flags),
        optional(choice(seq(field('command', $.json_array), optional(field('ignored', alias($._plain_shell_command, $.ignored_text)))), field('command', $.shell_command))),
        $._end_with_heredocs,
      ),

    // Heredoc bodies follow the instruction's line. The scanner ends the line with
    // `_heredocs_eol` only when markers are pending, so an instruction without
    // heredocs is followed by the same parse state as any other.
    _end_with_heredocs: ($) => choice($._eol, seq($._heredocs_eol, repeat1(field('heredoc', $.heredoc)))),

    cmd_instruction: ($) =>
      seq(keyword('CMD'), optional($._flags), optional(field('command', $._exec_or_shell)), $._eol),

    entrypoint_instruction: ($) =>
      seq(keyword('ENTRYPOINT'), optional($._flags), optional(field('command', $._exec_or_shell)), $._eol),

    shell_instruction: ($) =>
      seq(keyword('SHELL'), optional($._flags), optional(field('command', $._exec_or_shell)), $._eol),

    _exec_or_shell: ($) => choice($._exec_form, alias($._plain_shell_command, $.shell_command)),

    // BuildKit v0.12 ignores text after a complete JSON array.
    _exec_form: ($) => seq($.json_array, optional(field('ignored', alias($._plain_shell_command, $.ignored_text)))),

    healthcheck_instruction: ($) =>
      seq(
        keyword('HEALTHCHECK'),
        optional($._flags),
        optional(
          choice(
            field('none', keyword('NONE')),
            seq(field('cmd', keyword('CMD')), optional(field('command', $._exec_or_shell))),
          ),
        ),
        $._eol,
      ),

    // Shell text of RUN, with heredoc markers split out so their bodies can follow the line.
    shell_command: ($) =>
      seq(optional($._shell_start), repeat1(choice($.shell_fragment, field('heredoc_marker', $.heredoc_marker)))),

    _plain_shell_command: ($) => seq(optional($._shell_start), repeat1($.shell_fragment)),

    heredoc: ($) => seq(optional(field('body', $.heredoc_content)), field('end', $.heredoc_end)),

    json_array: ($) =>
      seq($._json_start, '[', optional(seq($.json_string, repeat(seq(',', $.json_string)))), ']'),

    json_string: ($) => token(seq('"', repeat(choice(/[^"\\\n]+/, /\\./)), '"')),

    copy_instruction: ($) => seq(keyword('COPY'), $._copy_body),
    add_instruction: ($) => seq(keyword('ADD'), $._copy_body),

    _copy_body: ($) =>
      seq(
        optional($._flags),
        optional(
          choice(
            seq(field('arguments', $.json_array), optional(field('ignored', alias($._plain_shell_command, $.ignored_text)))),
            seq(
              repeat(field('source', choice($.path, $.heredoc_marker))),
              field('destination', choice($.path, $.heredoc_marker)),
            ),
          ),
        ),
        $._end_with_heredocs,
      ),

    volume_instruction: ($) =>
      seq(
        keyword('VOLUME'),
        optional($._flags),
        optional(
          choice(
            seq(field('arguments', $.json_array), optional(field('ignored', alias($._plain_shell_command, $.ignored_text)))),
            repeat1(field('path', $.path)),
          ),
        ),
        $._eol,
      ),

    path: ($) => $._word,

    env_instruction: ($) => seq(keyword('ENV'), optional($._flags), optional($._pairs), $._eol),
    label_instruction: ($) => seq(keyword('LABEL'), optional($._flags), optional($._pairs), $._eol),

    // `K=v K2="v 2"` or the legacy `K v w` (the value is the rest of the line).
    _pairs: ($) =>
      choice(
        repeat1(field('pair', $.key_value)),
        field('pair', alias($._legacy_pair, $.key_value)),
      ),

    key_value: ($) =>
      seq(field('name', $.key), token.immediate(prec(5, '=')), optional(field('value', alias($._word_immediate, $.value)))),

    _legacy_pair: ($) => seq(field('name', $.key), field('value', alias($._legacy_value, $.value))),

    _legacy_value: ($) => repeat1($._word),

    key: ($) =>
      seq(
        choice(/[^\s="'$\\`]+/, $.double_quoted_string, $.single_quoted_string, $.expansion, $.escape_sequence, '\\', '`', '$'),
        repeat(
          choice(
            alias(token.immediate(/[^\s="'$\\`]+/), 'text'),
            alias($._dq_immediate, $.double_quoted_string),
            alias($._sq_immediate, $.single_quoted_string),
            alias($._expansion_immediate, $.expansion),
            alias($._immediate_escape_sequence, $.escape_sequence),
          ),
        ),
      ),

    arg_instruction: ($) => seq(keyword('ARG'), optional($._flags), repeat(field('argument', $.arg_declaration)), $._eol),

    arg_declaration: ($) =>
      seq(
        field('name', alias(/[^\s=]+/, $.arg_name)),
        optional(seq(token.immediate(prec(5, '=')), optional(field('default', alias($._word_immediate, $.value))))),
      ),

    expose_instruction: ($) =>
      seq(keyword('EXPOSE'), optional($._flags), repeat(field('port', alias($._word, $.expose_port))), $._eol),

    // BuildKit takes USER's whole argument as one string; anything after the
    // user and group is kept (and reported by the instruction checks).
    user_instruction: ($) =>
      seq(
        keyword('USER'),
        optional($._flags),
        optional(
          seq(
            field('user', alias($._user_part, $.user_name)),
            optional(seq(token.immediate(prec(5, ':')), optional(field('group', alias($._word_immediate, $.group_name))))),
            repeat(field('extra', alias($._word, $.unexpected_argument))),
          ),
        ),
        $._eol,
      ),

    _user_part: ($) => seq($._user_atom, repeat($._user_atom_immediate)),
    _user_part_immediate: ($) => repeat1($._user_atom_immediate),
    _user_atom: ($) => choice(/[^\s:"'$\\`]+/, $.double_quoted_string, $.single_quoted_string, $.expansion, '$', '\\', '`', $.escape_sequence),
    _user_atom_immediate: ($) =>
      choice(
        alias(token.immediate(/[^\s:"'$\\`]+/), 'text'),
        alias($._dq_immediate, $.double_quoted_string),
        alias($._sq_immediate, $.single_quoted_string),
        alias($._expansion_immediate, $.expansion),
        alias($._immediate_escape_sequence, $.escape_sequence),
      ),

    workdir_instruction: ($) =>
      seq(keyword('WORKDIR'), optional($._flags), optional(field('path', alias($._legacy_value, $.path))), $._eol),

    stopsignal_instruction: ($) =>
      seq(keyword('STOPSIGNAL'), optional($._flags), optional(field('signal', alias($._legacy_value, $.signal))), $._eol),

    maintainer_instruction: ($) =>
      seq(keyword('MAINTAINER'), optional($._flags), optional(field('name', alias($._plain_shell_command, $.text))), $._eol),

    onbuild_instruction: ($) =>
      seq(keyword('ONBUILD'), optional($._flags), choice(field('instruction', $._instruction), $._eol)),

    unknown_instruction: ($) =>
      seq(field('name', alias($._unknown_keyword, $.instruction_name)), optional(field('arguments', alias($._plain_shell_command, $.text))), $._eol),

    _unknown_keyword: (_) => /[^\s\\`#]+/,

    // Words: unquoted text, quotes, variables and escapes glued together.
    _plain_word: ($) => $._word,

    _word: ($) => seq($._atom, repeat($._atom_immediate)),
    _word_immediate: ($) => repeat1($._atom_immediate),

    _atom: ($) =>
      choice(
        /[^\s"'$\\`]+/,
        $.double_quoted_string,
        $.single_quoted_string,
        $.expansion,
        $.escape_sequence,
        '$',
        '\\',
        '`',
      ),

    _atom_immediate: ($) =>
      choice(
        alias(token.immediate(/[^\s"'$\\`]+/), 'text'),
        alias($._dq_immediate, $.double_quoted_string),
        alias($._sq_immediate, $.single_quoted_string),
        alias($._expansion_immediate, $.expansion),
        alias($._immediate_escape_sequence, $.escape_sequence),
        alias(token.immediate('$'), '$'),
        alias(token.immediate('\\'), '\\'),
        alias(token.immediate('`'), '`'),
      ),

    // `$NAME`, `${NAME}` and `${NAME:-word}` with nesting.
    expansion: ($) => choice(field('name', alias($._dollar_name, $.variable)), seq('${', $._braced_expansion_body)),
    _expansion_immediate: ($) =>
      choice(field('name', alias($._dollar_name_immediate, $.variable)), seq(token.immediate('${'), $._braced_expansion_body)),

    // A name is what BuildKit's lexer reads as one after `$` or `${`
    // (processName): Unicode letters (Go's unicode.IsLetter), decimal digits
    // (unicode.IsDigit) and `_`, not starting with a digit; or a run of digits
    // (a positional parameter) or one special parameter character, which
    // expand to an empty string. Without braces, `$` and the name are one
    // token (its `variable` node includes the `$`): as two, the name tied with
    // the plain text token after a `$` and lost, and `USER $UID:$GID` split at
    // the second `$`. `$$FOO` is `$$` and the text `FOO`, as BuildKit reads it.
    _dollar_name: (_) => token(/\$([\p{L}_][\p{L}\p{Nd}_]*|\p{Nd}+|[@*#?$!-])/),
    _dollar_name_immediate: (_) => token.immediate(/\$([\p{L}_][\p{L}\p{Nd}_]*|\p{Nd}+|[@*#?$!-])/),
    // In braces the positional and special parameters are a token of their
    // own: folded into the name's regex they changed error recovery, and an
    // unclosed `${` then swallowed the next line (fixture
    // `invalid/expansion-unterminated`).
    _braced_expansion_body: ($) =>
      seq(
        field(
          'name',
          choice(
            alias(token.immediate(/[\p{L}_][\p{L}\p{Nd}_]*/), $.variable),
            alias(token.immediate(/\p{Nd}+|[@*#?$!-]/), $.variable),
          ),
        ),
        optional(
          seq(
            field('operator', alias(token.immediate(/:?[-+?]|#{1,2}|%{1,2}|\/{1,2}/), $.operator)),
            optional(field('word', $.expansion_word)),
          ),
        ),
        token.immediate('}'),
      ),

    // The word ends with its line, as BuildKit's line parser ends it there. An
    // unterminated `${` is then a missing `}` at the end of its line, which
    // BuildKit's parser accepts (only the build fails), so it is no syntax error.
    // Escape characters stay out of the text so that a line continuation inside
    // the braces is still one. Quotes are read as BuildKit's word lexer reads
    // them there (processStopOn): `${A:-'${B'}` defaults to the text `${B`,
    // and `${A:-"}"}` to `}`.
    expansion_word: ($) =>
      repeat1(
        choice(
          alias(token.immediate(/[^}$\r\n\\`'"]+/), 'text'),
          alias($._sq_immediate, $.single_quoted_string),
          alias($._dq_immediate, $.double_quoted_string),
          alias($._expansion_immediate, $.expansion),
          alias(token.immediate('$'), '$'),
          alias(token.immediate('\\'), '\\'),
          alias(token.immediate('`'), '`'),
        ),
      ),
  },
});
