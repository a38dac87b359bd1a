-- dockfix for Neovim 0.11+: filetype detection for the Dockerfile names Neovim
-- does not know, the language server, fix on save and a few commands.
--
--   require('dockfix').setup({ fix_on_save = true })

local M = {}

--- The LSP config name (lsp/dockfix.lua).
M.name = 'dockfix'

--- The server's command behind "fix all" (workspace/executeCommand).
local APPLY_ALL_FIXES = 'dockfix.applyAllFixes'
local FIX_ALL_KIND = 'source.fixAll.dockfix'

---@class dockfix.Options
---@field fix_on_save? boolean apply every safe fix before writing a Dockerfile (default false)
---@field timeout_ms? integer how long fix on save waits for the server (default 2000)
---@field filetypes? boolean add filetype detection for Dockerfile-*, Dockerfile_*, *.Containerfile… (default true)
---@field enable? boolean call vim.lsp.enable('dockfix') (default true)
---@field lsp? vim.lsp.Config merged into lsp/dockfix.lua, e.g. { cmd = { '/path/to/dockfix', 'server' }, settings = { dockfix = { ignore = { 'DF205' } } } }
local defaults = {
  fix_on_save = false,
  timeout_ms = 2000,
  filetypes = true,
  enable = true,
  lsp = nil,
}

---@type dockfix.Options
M.options = vim.deepcopy(defaults)

--- Names Neovim 0.11 does not map to `dockerfile` (it knows Dockerfile,
--- Dockerfile.*, *.Dockerfile, *.dockerfile, Containerfile, Containerfile.*).
function M.add_filetypes()
  vim.filetype.add({
    pattern = {
      ['[Dd]ockerfile[-_].*'] = 'dockerfile',
      ['[Cc]ontainerfile[-_].*'] = 'dockerfile',
      ['.*%.[Cc]ontainerfile'] = 'dockerfile',
    },
  })
end

local function client_for(bufnr)
  return vim.lsp.get_clients({ bufnr = bufnr, name = M.name })[1]
end

--- Applies `source.fixAll.dockfix` (every safe fix, to convergence) to the
--- buffer and waits for it. Returns true when the buffer changed.
---@param bufnr? integer
---@param timeout_ms? integer
---@return boolean changed
function M.fix_all_sync(bufnr, timeout_ms)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  timeout_ms = timeout_ms or M.options.timeout_ms
  local client = client_for(bufnr)
  if not client then
    return false
  end
  local params = {
    textDocument = vim.lsp.util.make_text_document_params(bufnr),
    range = {
      start = { line = 0, character = 0 },
      ['end'] = { line = vim.api.nvim_buf_line_count(bufnr), character = 0 },
    },
    context = { diagnostics = {}, only = { FIX_ALL_KIND }, triggerKind = 2 },
  }
  local response, err = client:request_sync('textDocument/codeAction', params, timeout_ms, bufnr)
  if not response or response.err then
    vim.notify('dockfix: fix on save: ' .. tostring(err or (response and response.err.message)), vim.log.levels.WARN)
    return false
  end
  local changed = false
  for _, action in ipairs(response.result or {}) do
    if action.kind == FIX_ALL_KIND then
      -- The edit is computed lazily, in codeAction/resolve.
      if not action.edit and action.data then
        local resolved = client:request_sync('codeAction/resolve', action, timeout_ms, bufnr)
        if resolved and resolved.result then
          action = resolved.result
        end
      end
      if action.edit then
        vim.lsp.util.apply_workspace_edit(action.edit, client.offset_encoding)
        changed = true
      end
    end
  end
  return changed
end

--- Asks the server for every fix, safe only or unsafe too, as one edit.
---@param bufnr? integer
---@param include_unsafe boolean
function M.fix_all(bufnr, include_unsafe)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  local client = client_for(bufnr)
  if not client then
    vim.notify('dockfix: no dockfix server for this buffer', vim.log.levels.WARN)
    return
  end
  -- The server answers with a workspace/applyEdit request, which Neovim applies.
  client:exec_cmd({
    title = include_unsafe and 'Fix all, including unsafe fixes' or 'Fix all safe problems',
    command = APPLY_ALL_FIXES,
    arguments = { { uri = vim.uri_from_bufnr(bufnr), unsafe = include_unsafe } },
  }, { bufnr = bufnr }, function(err, result)
    if err then
      vim.notify('dockfix: ' .. err.message, vim.log.levels.ERROR)
    elseif result and result.fixes == 0 then
      vim.notify('dockfix: nothing to fix', vim.log.levels.INFO)
    elseif include_unsafe then
      vim.notify(('dockfix: applied %d fixes, including unsafe ones: review them (u undoes)'):format(result.fixes))
    end
  end)
end

--- Shows a rule's documentation (`dockfix rule CODE`) in a scratch buffer;
--- without a code, the rule of the diagnostic under the cursor.
---@param code? string
function M.explain(code)
  if not code or code == '' then
    local lnum = vim.api.nvim_win_get_cursor(0)[1] - 1
    for _, d in ipairs(vim.diagnostic.get(0, { lnum = lnum })) do
      if d.source == 'dockfix' and d.code then
        code = tostring(d.code)
        break
      end
    end
  end
  if not code then
    vim.notify('dockfix: no dockfix diagnostic on this line; give a code, e.g. :DockfixExplain DF201', vim.log.levels.WARN)
    return
  end
  local config = vim.lsp.config[M.name] or {}
  local binary = type(config.cmd) == 'table' and config.cmd[1] or 'dockfix'
  local result = vim.system({ binary, 'rule', code }, { text = true }):wait()
  if result.code ~= 0 then
    vim.notify('dockfix: ' .. vim.trim(result.stderr or ''), vim.log.levels.ERROR)
    return
  end
  vim.cmd('new')
  local buf = vim.api.nvim_get_current_buf()
  vim.api.nvim_buf_set_lines(buf, 0, -1, false, vim.split(result.stdout, '\n', { trimempty = false }))
  vim.bo[buf].buftype = 'nofile'
  vim.bo[buf].bufhidden = 'wipe'
  vim.bo[buf].modifiable = false
  vim.bo[buf].filetype = 'markdown'
  vim.api.nvim_buf_set_name(buf, 'dockfix://rule/' .. code)
end

local group = vim.api.nvim_create_augroup('dockfix', { clear = true })

--- Sets up dockfix. Safe to call again with new options.
---@param opts? dockfix.Options
function M.setup(opts)
  M.options = vim.tbl_deep_extend('force', vim.deepcopy(defaults), opts or {})
  vim.api.nvim_clear_autocmds({ group = group })
  if M.options.filetypes then
    M.add_filetypes()
  end
  if M.options.lsp then
    vim.lsp.config(M.name, M.options.lsp)
  end
  if M.options.enable then
    vim.lsp.enable(M.name)
  end
  if M.options.fix_on_save then
    -- One autocmd for every buffer: it acts where a dockfix client is attached.
    vim.api.nvim_create_autocmd('BufWritePre', {
      group = group,
      callback = function(ev)
        if client_for(ev.buf) then
          M.fix_all_sync(ev.buf)
        end
      end,
    })
  end
end

vim.api.nvim_create_user_command('DockfixFixAll', function(cmd)
  M.fix_all(0, cmd.bang)
end, { bang = true, desc = 'dockfix: apply every safe fix (with !: unsafe fixes too)' })

vim.api.nvim_create_user_command('DockfixExplain', function(cmd)
  M.explain(cmd.args)
end, { nargs = '?', desc = 'dockfix: show the documentation of a rule' })

return M
