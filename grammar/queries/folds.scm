[
  (run_instruction)
  (copy_instruction)
  (add_instruction)
  (heredoc)
  (json_array)
] @fold
