; Instruction keywords
[
  "FROM" "AS" "RUN" "CMD" "LABEL" "MAINTAINER" "EXPOSE" "ENV" "ADD" "COPY"
  "ENTRYPOINT" "VOLUME" "USER" "WORKDIR" "ARG" "ONBUILD" "STOPSIGNAL"
  "HEALTHCHECK" "SHELL" "NONE"
] @keyword

(unknown_instruction name: (instruction_name) @keyword)

(comment) @comment @spell

(parser_directive) @keyword.directive
(parser_directive name: (directive_name) @attribute)
(parser_directive value: (directive_value) @string.special)

(flag) @attribute
(flag name: (flag_name) @property)
(flag value: (flag_value) @string)
(end_of_flags) @punctuation.delimiter

(image_spec name: (image_name) @type)
(image_spec tag: (image_tag) @label)
(image_spec digest: (image_digest) @number)
(stage_name) @label

(expansion) @variable
(expansion name: (variable) @variable)
(expansion operator: (operator) @operator)

(key_value name: (key) @property)
(arg_declaration name: (arg_name) @variable.parameter)
(expose_port) @number
(user_name) @variable
(group_name) @variable

[
  (double_quoted_string)
  (single_quoted_string)
  (json_string)
] @string

(escape_sequence) @string.escape
(line_continuation) @punctuation.special

(heredoc_marker) @label
(heredoc_content) @string
(heredoc_end) @label

["[" "]" ","] @punctuation.bracket
["=" ":" "@"] @operator
