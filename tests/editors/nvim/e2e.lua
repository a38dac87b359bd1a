-- End-to-end test of editors/neovim in a real Neovim 0.11 (headless) against
-- the dockfix binary:
--   PATH=<dir of dockfix>:$PATH nvim --headless -u NONE -l tests/editors/nvim/e2e.lua
-- Env: DOCKFIX_REPO (the repository root; default: the cwd), E2E_ARTIFACTS
-- (where the transcript goes), TEST_TIMEOUT_MS. Exit status 0 when every check passed.

local t0 = vim.uv.hrtime()
local function ms() return math.floor((vim.uv.hrtime() - t0) / 1e6) end
local function log(fmt, ...) io.stdout:write(string.format('[%5dms] ' .. fmt, ms(), ...) .. '\n') end

local failures, passes = 0, 0
local function check(cond, what)
  if cond then
    passes = passes + 1
    log('PASS %s', what)
  else
    failures = failures + 1
    log('FAIL %s', what)
  end
  return cond
end

local function finish()
  for _, c in ipairs(vim.lsp.get_clients()) do c:stop() end
  vim.wait(2000, function() return #vim.lsp.get_clients() == 0 end, 20)
  if failures > 0 then
    local file = vim.lsp.log.get_filename()
    local lines = vim.fn.filereadable(file) == 1 and vim.fn.readfile(file) or {}
    for i = math.max(1, #lines - 40), #lines do log('lsp.log: %s', lines[i]:sub(1, 400)) end
  end
  log('%d passed, %d failed', passes, failures)
  io.stdout:flush()
  os.exit(failures == 0 and 0 or 1)
end

local watchdog = vim.uv.new_timer()
watchdog:start(tonumber(os.getenv('TEST_TIMEOUT_MS') or 90000), 0, vim.schedule_wrap(function()
  check(false, 'finished before the watchdog')
  finish()
end))

local ok, err = xpcall(function()
  local WAIT = 10000
  local repo = os.getenv('DOCKFIX_REPO') or vim.fn.getcwd()
  vim.lsp.log.set_level('DEBUG')
  log('lsp log: %s', vim.lsp.log.get_filename())

  -- `-u NONE` skips `:filetype on`, which a normal startup does.
  vim.cmd('filetype on')
  vim.opt.rtp:prepend(repo .. '/editors/neovim')
  check(vim.fn.executable('dockfix') == 1, 'dockfix is on PATH: ' .. vim.fn.exepath('dockfix'))

  -- The plain config of editors/neovim/README.md, run as written there.
  local readme = table.concat(vim.fn.readfile(repo .. '/editors/neovim/README.md'), '\n')
  local snippet = readme:match('<!%-%- tested by tests/editors/nvim/e2e.lua[^\n]*\n```lua\n(.-)```')
  if not check(snippet ~= nil, 'README has the tested plain-config block') then return end
  log('README snippet: %s', vim.trim(snippet))
  assert(load(snippet, 'README.md'))()

  -- Count what the client receives and sends.
  local publishes = 0
  local default_publish = vim.lsp.handlers['textDocument/publishDiagnostics']
  vim.lsp.handlers['textDocument/publishDiagnostics'] = function(e, result, ctx)
    publishes = publishes + 1
    return default_publish(e, result, ctx)
  end

  local dir = vim.fn.tempname()
  vim.fn.mkdir(dir .. '/.git', 'p')
  local path = dir .. '/Dockerfile'
  vim.fn.writefile({
    'FROM node:latest',
    'MAINTAINER someone@example.com',
    'RUN apt-get update && apt-get install -y curl',
    'RUN npm install -g serve',
    'ADD app.js /app/',
    'CMD ["node", "/app/app.js"]',
  }, path)

  vim.cmd.edit(vim.fn.fnameescape(path))
  local buf = vim.api.nvim_get_current_buf()
  check(vim.bo[buf].filetype == 'dockerfile', 'Dockerfile has filetype dockerfile')
  local client
  check(vim.wait(WAIT, function()
    client = vim.lsp.get_clients({ bufnr = buf, name = 'dockfix' })[1]
    return client ~= nil and client.initialized
  end, 10), 'the dockfix client attached and initialized')
  if not client then return end
  check(client.root_dir == dir, ('root is the folder with .git: %s'):format(tostring(client.root_dir)))
  check(client.server_info and client.server_info.name == 'dockfix', 'serverInfo.name is dockfix')

  -- Count the requests the plugin sends (fix on save must be one round).
  local sent = {}
  local request_sync = client.request_sync
  client.request_sync = function(self, method, params, ...)
    local key = method .. (params and params.context and params.context.only and (':' .. table.concat(params.context.only, ',')) or '')
    sent[key] = (sent[key] or 0) + 1
    return request_sync(self, method, params, ...)
  end

  local function diagnostics(b)
    local out = {}
    for _, d in ipairs(vim.diagnostic.get(b or buf)) do
      out[#out + 1] = { code = d.code, lnum = d.lnum, col = d.col, source = d.source, severity = d.severity, message = d.message, namespace = d.namespace }
    end
    table.sort(out, function(a, c) return a.lnum < c.lnum or (a.lnum == c.lnum and (a.col < c.col or (a.col == c.col and a.code < c.code))) end)
    return out
  end
  local function find(code, lnum, b)
    for _, d in ipairs(vim.diagnostic.get(b or buf)) do
      if d.code == code and (lnum == nil or d.lnum == lnum) then return d end
    end
  end
  local function codes(b)
    return table.concat(vim.tbl_map(function(d) return ('%s@%d'):format(d.code, d.lnum + 1) end, diagnostics(b)), ' ')
  end

  -- Diagnostics: the three problems of the brief, ours, once each.
  check(vim.wait(WAIT, function() return find('DF302', 2) ~= nil end, 10), 'diagnostics arrived')
  log('DIAGNOSTICS %s', vim.json.encode(diagnostics()))
  check(find('DF201', 0) ~= nil and find('DF201', 0).col == 10, 'DF201 on `node:latest` (line 1, column 11)')
  check(find('DF302', 2) ~= nil, 'DF302: apt-get install without cleanup (line 3)')
  check(find('DF101', 0) ~= nil, 'DF101: no USER, the container runs as root')
  local all = diagnostics()
  check(#all >= 7 and vim.iter(all):all(function(d) return d.source == 'dockfix' and d.code:match('^DF%d%d%d$') end),
    ('every diagnostic has source dockfix and a DFxxx code: %s'):format(codes()))
  -- A client that also pulls would get a second copy a moment later: give it time.
  local function duplicated()
    local seen, namespaces, duplicates = {}, {}, 0
    for _, d in ipairs(diagnostics()) do
      local key = ('%s:%d:%d'):format(d.code, d.lnum, d.col)
      if seen[key] then duplicates = duplicates + 1 end
      seen[key] = true
      namespaces[d.namespace] = true
    end
    return duplicates > 0 or vim.tbl_count(namespaces) > 1
  end
  vim.wait(1000, duplicated, 20)
  check(not duplicated(), 'each problem shown once (no pushed+pulled duplicates)')
  check(find('DF201', 0).severity == vim.diagnostic.severity.WARN, 'DF201 is a warning')

  -- A quick fix, the way a user picks one: the preferred (safe) action on the MAINTAINER line.
  local maintainer = find('DF705', 1)
  check(maintainer ~= nil, 'DF705 on MAINTAINER (line 2)')
  local params = vim.lsp.util.make_range_params(0, client.offset_encoding)
  params.range = maintainer.user_data.lsp.range
  params.context = { diagnostics = { maintainer.user_data.lsp }, only = { 'quickfix' } }
  local response = client:request_sync('textDocument/codeAction', params, WAIT, buf)
  local actions = response and response.result or {}
  log('QUICK_FIXES %s', vim.json.encode(vim.tbl_map(function(a) return { title = a.title, preferred = a.isPreferred } end, actions)))
  check(#actions >= 2 and actions[1].isPreferred == true and actions[1].title:find('LABEL', 1, true) ~= nil,
    'the safe fix is offered first and preferred')
  check(vim.iter(actions):any(function(a) return a.title == 'Disable DF705 for this line' end), '"Disable DF705 for this line" is offered')
  local apt = find('DF301', 2).user_data.lsp
  params.range, params.context = apt.range, { diagnostics = { apt }, only = { 'quickfix' } }
  local apt_actions = client:request_sync('textDocument/codeAction', params, WAIT, buf).result or {}
  local unsafe = vim.iter(apt_actions):find(function(a) return a.title:find('(unsafe)', 1, true) end)
  check(unsafe ~= nil and unsafe.isPreferred == false, 'the unsafe DF301 fix says so and is not preferred')

  local before = publishes
  vim.api.nvim_win_set_cursor(0, { 2, 0 })
  vim.lsp.buf.code_action({
    context = { only = { 'quickfix' }, diagnostics = { maintainer.user_data.lsp } },
    filter = function(a) return a.isPreferred end,
    apply = true,
  })
  check(vim.wait(WAIT, function()
    return vim.api.nvim_buf_get_lines(buf, 1, 2, false)[1] == 'LABEL org.opencontainers.image.authors="someone@example.com"'
  end, 10), 'vim.lsp.buf.code_action applied the quick fix (line 2 is the LABEL)')
  check(vim.wait(WAIT, function() return publishes > before and find('DF705') == nil end, 10),
    'diagnostics re-published without DF705')

  -- Typing updates diagnostics.
  before = publishes
  vim.cmd('normal! GoRUN sudo chown -R root /srv')
  check(vim.wait(WAIT, function() return publishes > before and find('DF102', 6) ~= nil end, 10),
    'typing `RUN sudo …` on line 7 brings DF102 there')
  log('DIAGNOSTICS %s', codes())

  -- :w with fix_on_save: every safe fix in one round, unsafe ones untouched.
  local buffer_text = table.concat(vim.api.nvim_buf_get_lines(buf, 0, -1, false), '\n') .. '\n'
  local cli = vim.system({ 'dockfix', 'check', '--fix', '--stdin-filename', path, '-' }, { stdin = buffer_text, text = true }):wait()
  local expected = cli.stdout
  log('CLI --fix of the buffer (exit %d): %s', cli.code, vim.json.encode(expected))
  vim.cmd('silent write')
  local disk = table.concat(vim.fn.readfile(path), '\n') .. '\n'
  log('FILE_ON_DISK %s', vim.json.encode(disk))
  check(sent['textDocument/codeAction:source.fixAll.dockfix'] == 1 and (sent['codeAction/resolve'] or 0) <= 1,
    ('one fix-all round on save: %s'):format(vim.json.encode(sent)))
  check(disk:find('apt-get install -y curl && rm -rf /var/lib/apt/lists/*', 1, true) ~= nil, 'on disk: apt lists removed in the same RUN (DF302)')
  check(disk:find('npm install -g serve && npm cache clean --force', 1, true) ~= nil, 'on disk: npm cache cleaned (DF306)')
  check(disk:find('\nCOPY app.js /app/\n', 1, true) ~= nil, 'on disk: ADD became COPY (DF502)')
  check(disk:find('\nRUN chown -R root /srv\n', 1, true) ~= nil, 'on disk: sudo removed (DF102)')
  check(disk:find('^FROM node:latest\n') ~= nil and disk:find('--no-install-recommends', 1, true) == nil and disk:find('\nUSER ', 1, true) == nil,
    'on disk: unsafe fixes untouched (node:latest, no --no-install-recommends, no USER)')
  check(expected ~= '' and disk == expected, 'on disk: the same text as `dockfix check --fix`')
  check(not vim.bo[buf].modified, 'buffer written')
  check(vim.wait(WAIT, function() return find('DF302') == nil and find('DF102') == nil and find('DF201', 0) ~= nil end, 10),
    'after save: the fixed problems are gone, DF201 stays: ' .. codes())

  -- :DockfixFixAll! applies the unsafe fixes too (workspace/executeCommand → applyEdit).
  vim.cmd('DockfixFixAll!')
  check(vim.wait(WAIT, function()
    local text = table.concat(vim.api.nvim_buf_get_lines(buf, 0, -1, false), '\n')
    return text:find('\nUSER node', 1, true) ~= nil and text:find('node:latest', 1, true) == nil
  end, 10), ':DockfixFixAll! added USER node and pinned node:latest')
  check(vim.bo[buf].modified, 'the unsafe fixes are in the buffer, not yet saved')
  log('BUFFER %s', vim.json.encode(vim.api.nvim_buf_get_lines(buf, 0, -1, false)))
  vim.cmd('silent write')

  -- Hover over the base image.
  local hover = client:request_sync('textDocument/hover', {
    textDocument = { uri = vim.uri_from_bufnr(buf) }, position = { line = 0, character = 6 },
  }, WAIT, buf)
  local hover_text = hover and hover.result and hover.result.contents and hover.result.contents.value or ''
  check(hover_text:find('node', 1, true) ~= nil, 'hover on the base image answers')

  -- :DockfixExplain shows a rule's documentation.
  vim.cmd('DockfixExplain DF201')
  local doc = table.concat(vim.api.nvim_buf_get_lines(0, 0, -1, false), '\n')
  check(vim.bo.filetype == 'markdown' and doc:find('DF201', 1, true) ~= nil and doc:find('Why is this bad', 1, true) ~= nil,
    ':DockfixExplain DF201 shows the rule documentation')
  vim.cmd('bwipeout')

  -- Names Neovim does not know get the server too.
  for _, name in ipairs({ 'Dockerfile-dev', 'Dockerfile_ci', 'api.Containerfile', 'Containerfile-dev', 'Dockerfile.prod', 'web.Dockerfile' }) do
    local file = dir .. '/' .. name
    vim.fn.writefile({ 'FROM node:latest', 'USER node' }, file)
    vim.cmd.edit(vim.fn.fnameescape(file))
    local b = vim.api.nvim_get_current_buf()
    check(vim.bo[b].filetype == 'dockerfile', name .. ' has filetype dockerfile')
    check(vim.wait(WAIT, function() return find('DF201', 0, b) ~= nil end, 10), name .. ' gets dockfix diagnostics (DF201)')
  end
  check(#vim.lsp.get_clients({ name = 'dockfix' }) == 1, 'one dockfix server for the folder')
end, debug.traceback)

if not ok then check(false, 'no Lua error: ' .. tostring(err)) end
finish()
