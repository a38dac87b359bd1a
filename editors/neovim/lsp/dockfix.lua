-- dockfix, the Dockerfile security language server, for Neovim 0.11+:
--   vim.lsp.enable('dockfix')
-- Override any field with vim.lsp.config('dockfix', { ... }).

---@type vim.lsp.Config
return {
  cmd = { 'dockfix', 'server' },
  filetypes = { 'dockerfile' },
  root_markers = { '.dockfix.toml', '.git' },
  -- Answered to the server's `workspace/configuration` request (section
  -- `dockfix`): select, extendSelect, ignore, severity, trustedRegistries,
  -- user, online, fixAll. A `.dockfix.toml` next to the files wins over these.
  settings = {
    dockfix = {},
  },
}
