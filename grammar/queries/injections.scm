; Shell text of RUN, CMD, ENTRYPOINT and HEALTHCHECK CMD in shell form is bash.
((shell_command) @injection.content
  (#set! injection.language "bash")
  (#set! injection.include-children))

; Heredoc bodies of RUN are shell scripts.
((run_instruction
  (heredoc
    body: (heredoc_content) @injection.content))
  (#set! injection.language "bash"))

((comment) @injection.content
  (#set! injection.language "comment"))
