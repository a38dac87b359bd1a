// End-to-end test of the dockfix VS Code extension in a real VS Code
// (code-server) driven through headless Chromium with playwright-core.
// tests/editors/run starts code-server with the packaged .vsix and the probe
// extension installed, then runs:
//   node e2e.js <url> <workspace> <dump dir> <artifacts dir> <user settings.json> <extensions dir>
// Assertions read the screen (squiggles, Problems panel, light-bulb menu,
// notifications, output) and what VS Code holds (the probe's dump), and the
// file on disk. Exit status 0 when every check passed.
const { chromium } = require('playwright-core');
const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const [URL_, WS, DUMP, ART, SETTINGS, EXTENSIONS] = process.argv.slice(2);
const DOCKFIX = process.env.DOCKFIX_BIN;
const t0 = Date.now();
const log = (...a) => console.log(`[${String(Date.now() - t0).padStart(6)}ms]`, ...a);
let failures = 0;
let passes = 0;
const check = (ok, what) => {
  if (ok) passes++; else failures++;
  log(ok ? 'PASS' : 'FAIL', what);
  return ok;
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function waitFor(fn, ms = 30000, step = 100) {
  const end = Date.now() + ms;
  for (;;) {
    const value = await fn();
    if (value || Date.now() > end) return value;
    await sleep(step);
  }
}
const readJson = (name) => { try { return JSON.parse(fs.readFileSync(path.join(DUMP, name), 'utf8')); } catch { return null; } };
const DOCKERFILE = path.join(WS, 'Dockerfile');
const state = () => (readJson('state.json')?.files || []).find((f) => f.path === DOCKERFILE);
const ours = () => (state()?.diagnostics || []).filter((d) => d.source === 'dockfix');
const find = (code, line) => ours().find((d) => d.code === code && (line === undefined || d.line === line));
const codes = () => ours().map((d) => `${d.code}@${d.line + 1}`).join(' ');
const baseSettings = JSON.parse(fs.readFileSync(SETTINGS, 'utf8'));

(async () => {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  page.on('pageerror', (e) => log('pageerror:', e.message));
  // The workbench's own console (save participants, extension host errors), for a failure's post-mortem.
  const consoleLog = fs.createWriteStream(path.join(ART, 'vscode-console.log'));
  page.on('console', (m) => consoleLog.write(`[${String(Date.now() - t0).padStart(6)}ms] ${m.type()}: ${m.text()}\n`));
  const shot = async (name) => { await page.screenshot({ path: path.join(ART, name) }); log('screenshot', name); };
  const lines = async () => (await page.locator('.monaco-editor .view-lines .view-line').allInnerTexts()).map((l) => l.replace(/\u00a0/g, ' '));
  const palette = async (command) => {
    const input = page.locator('.quick-input-widget input');
    // On a loaded machine F1 can land while focus is still in a closing
    // webview (the rule documentation preview) and open nothing: give the
    // focus back to the active tab (the cursor stays) and press it again.
    for (let attempt = 1; ; attempt++) {
      await page.keyboard.press('F1');
      const opened = await input.waitFor({ timeout: 4000 }).then(() => true, () => false);
      if (opened) break;
      if (attempt === 3) {
        await input.waitFor({ timeout: 10000 });
        break;
      }
      log(`the command palette did not open, attempt ${attempt + 1}`);
      await page.keyboard.press('Escape');
      await page.locator('.tabs-container .tab.active').first().click({ timeout: 5000 }).catch(() => {});
    }
    await input.fill(`>${command}`);
    const row = page.locator('.quick-input-list .monaco-list-row', { hasText: command }).first();
    await row.waitFor({ timeout: 10000 });
    // Click the matching row: Enter while the list is still filtering (a loaded
    // machine) can run another command or none.
    await row.click({ timeout: 10000 }).catch(() => page.keyboard.press('Enter'));
  };
  // Edits settings the way a user does: the settings JSON editor, then save.
  // `dockfix.path` is machine-overridable: code-server, a remote, ignores it
  // in user settings, so it goes to the workspace settings.
  const settings = async (scope, values) => {
    await palette(`Preferences: Open ${scope} Settings (JSON)`);
    await page.locator('.tabs-container .tab', { hasText: 'settings.json' }).first().waitFor({ timeout: 10000 });
    await sleep(500);
    await page.keyboard.press('Control+A');
    await page.keyboard.insertText(JSON.stringify(values));
    // Brackets the editor auto-closed sit after the cursor.
    await page.keyboard.press('Shift+Control+End');
    await page.keyboard.press('Delete');
    await page.keyboard.press('Control+S');
    const file = scope === 'User' ? SETTINGS : path.join(WS, '.vscode', 'settings.json');
    const saved = await waitFor(() => {
      try { return JSON.stringify(JSON.parse(fs.readFileSync(file, 'utf8'))) === JSON.stringify(values); } catch { return false; }
    }, 5000);
    if (!check(!!saved, `${scope} settings saved from the settings editor: ${JSON.stringify(values)}`)) {
      log('settings file:', JSON.stringify(fs.existsSync(file) && fs.readFileSync(file, 'utf8')));
    }
    await page.keyboard.press('Control+W');
  };
  const goTo = async (line, column) => {
    await page.keyboard.press('Control+G');
    await page.locator('.quick-input-widget input').waitFor({ timeout: 10000 });
    await page.keyboard.type(`${line}:${column}`);
    await page.keyboard.press('Enter');
    await sleep(200);
  };
  try {
    await page.goto(`${URL_}/?folder=${encodeURIComponent(WS)}`);
    await page.waitForSelector('.monaco-workbench', { timeout: 60000 });
    log('workbench loaded');

    // Open the Dockerfile with Quick Open (Enter before the row exists does nothing).
    await page.keyboard.press('Control+P');
    await page.locator('.quick-input-widget input').waitFor({ timeout: 10000 });
    await page.keyboard.type('Dockerfile');
    const row = page.locator('.quick-input-list .monaco-list-row', { hasText: 'Dockerfile' }).first();
    await row.waitFor({ timeout: 15000 });
    await page.keyboard.press('Enter');
    await page.waitForSelector('.monaco-editor .view-lines', { timeout: 15000 });

    const mode = await waitFor(async () => (await page.locator('#status\\.editor\\.mode').textContent().catch(() => ''))?.trim(), 10000);
    check(mode === 'Dockerfile', `status bar language mode is Dockerfile: ${mode}`);

    // Diagnostics: squiggles, the probe's copy, once each.
    check(!!await page.waitForSelector('.monaco-editor .squiggly-warning', { timeout: 30000 }).catch(() => null), 'warning squiggles rendered');
    check(!!await waitFor(() => find('DF302', 2) && find('DF201', 0) && find('DF101', 0)), `diagnostics DF101, DF201 (node:latest), DF302 (apt lists): ${codes()}`);
    check(find('DF201', 0)?.character === 10 && find('DF201', 0)?.severity === 'Warning', 'DF201 is a warning at line 1, column 11');
    await sleep(1500); // a pulling client would add its copy by now
    const keys = ours().map((d) => `${d.code}:${d.line}:${d.character}`);
    check(keys.length >= 7 && new Set(keys).size === keys.length, `each problem shown once (${keys.length} diagnostics)`);
    check(ours().every((d) => /^DF\d{3}$/.test(d.code)), 'every diagnostic has a DFxxx code');

    // The process behind them is the binary bundled in the .vsix.
    const processes = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).split('\n');
    const server = processes.find((p) => /server\/linux-x64\/dockfix server/.test(p));
    check(!!server && server.startsWith(EXTENSIONS), `the server runs from the bundled binary: ${server}`);

    // Problems panel: message, source and code.
    await page.keyboard.press('Control+Shift+M');
    await page.waitForSelector('.markers-panel .monaco-list-row', { timeout: 10000 }).catch(() => null);
    const problems = await waitFor(async () => {
      const rows = await page.locator('.markers-panel .monaco-list-row').allInnerTexts();
      return rows.some((r) => /\ndockfix\nDF302\n/.test(r)) ? rows : null;
    }, 10000) || await page.locator('.markers-panel .monaco-list-row').allInnerTexts();
    log('PROBLEMS', JSON.stringify(problems));
    for (const code of ['DF101', 'DF201', 'DF302']) {
      check(problems.some((r) => new RegExp(`\\ndockfix\\n${code}\\n\\[Ln`).test(r)), `Problems panel lists source dockfix, code ${code}`);
    }
    check(problems.some((r) => r.includes('`node:latest` is not reproducible')), 'Problems panel shows the DF201 message');

    // The light bulb on the apt-get line: our fixes, the safe one preferred and first.
    const quick = state().quickFixes.filter((a) => a.line === 2);
    log('QUICK_FIXES line 3', JSON.stringify(quick));
    const append = quick.find((a) => a.title === 'Append `&& rm -rf /var/lib/apt/lists/*`');
    const recommends = quick.find((a) => a.title === 'Add `--no-install-recommends` (unsafe)');
    check(append?.isPreferred === true && recommends?.isPreferred === false, 'safe DF302 fix preferred, unsafe DF301 fix not');
    await goTo(3, 23);
    await page.keyboard.press('Control+.');
    await page.waitForSelector('.action-widget .monaco-list-row', { timeout: 10000 }).catch(() => null);
    const menu = (await page.locator('.action-widget .monaco-list-row').allInnerTexts()).map((t) => t.trim()).filter(Boolean);
    log('LIGHT_BULB_MENU', JSON.stringify(menu));
    check(menu.includes('Append `&& rm -rf /var/lib/apt/lists/*`') && menu.includes('Add `--no-install-recommends` (unsafe)')
      && menu.includes('Disable DF302 for this line'), 'light-bulb menu lists our fixes and "Disable DF302 for this line"');
    const firstAction = menu.find((t) => !/^(Quick Fix|More Actions)/i.test(t));
    check(firstAction === 'Append `&& rm -rf /var/lib/apt/lists/*`', `the preferred safe fix comes first: ${firstAction}`);
    await shot('vscode-quick-fix.png');
    await page.keyboard.press('Escape');

    // Apply the preferred fix with Auto Fix (it applies only a preferred quick fix).
    // On a loaded machine the palette can swallow the command (Enter before the
    // list settled) or Auto Fix can run before the code actions at the cursor
    // are known; retry from the cursor position, up to three times.
    const fixedLine = 'RUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*';
    let autoFixed = false;
    for (let attempt = 1; attempt <= 3 && !autoFixed; attempt++) {
      if (attempt > 1) {
        log(`Auto Fix not applied yet, attempt ${attempt}`);
        await page.keyboard.press('Escape');
        await goTo(3, 23);
      }
      await palette('Auto Fix...');
      autoFixed = !!await waitFor(() => state()?.text.split('\n')[2] === fixedLine, 10000);
    }
    check(autoFixed, 'Auto Fix applied the preferred fix: line 3 ends with `&& rm -rf /var/lib/apt/lists/*`');
    check(!!await waitFor(() => find('DF301', 2) && !find('DF302'), 30000), 'DF302 gone after the fix, DF301 stays');

    // Typing updates diagnostics.
    await page.locator('.monaco-editor .view-lines').first().click();
    await page.keyboard.press('Control+End'); // the empty line after the final newline
    await page.keyboard.type('RUN sudo chown -R root /srv');
    check(!!await waitFor(() => find('DF102', 6)), `typing \`RUN sudo …\` on line 7 brings DF102 there: ${codes()}`);
    await page.keyboard.press('Escape');
    await sleep(500);
    await page.keyboard.press('Control+Shift+M');
    await shot('vscode-diagnostics.png');

    // Save: editor.codeActionsOnSave runs source.fixAll.dockfix (safe fixes only).
    const before = state().text;
    const expected = execFileSync(DOCKFIX, ['check', '--fix', '--exit-zero', '--stdin-filename', DOCKERFILE, '-'], { input: before, encoding: 'utf8' });
    // The file on disk still holds what the workspace started with (no `sudo`
    // either), so wait for a write, not merely for a text without `sudo`.
    const unsaved = fs.readFileSync(DOCKERFILE, 'utf8');
    await page.locator('.monaco-editor .view-lines').first().click();
    await page.keyboard.press('Control+S');
    const disk = await waitFor(() => {
      const text = fs.readFileSync(DOCKERFILE, 'utf8');
      return text === unsaved || text.includes('sudo') ? null : text;
    }, 15000) || fs.readFileSync(DOCKERFILE, 'utf8');
    log('FILE_ON_DISK', JSON.stringify(disk));
    if (disk.includes('sudo')) await shot('vscode-save-failed.png');
    check(disk.includes('npm install -g serve && npm cache clean --force\n') && disk.includes('\nCOPY app.js /app/\n')
      && disk.includes('\nLABEL org.opencontainers.image.authors="someone@example.com"\n') && disk.includes('\nRUN chown -R root /srv'),
      'saving applied every safe fix (DF306, DF502, DF705, DF102) to the file on disk');
    check(disk.startsWith('FROM node:latest\n') && !disk.includes('--no-install-recommends') && !disk.includes('\nUSER '),
      'saving left the unsafe fixes alone (node:latest, no --no-install-recommends, no USER)');
    check(disk === expected, 'the saved file equals `dockfix check --fix` of the buffer');
    check(!!await waitFor(() => state() && !state().dirty), 'the editor is not dirty after saving');

    // Settings change rule severity live.
    await settings('User', { ...baseSettings, 'dockfix.severity': { DF201: 'error' }, 'dockfix.ignore': ['DF311'] });
    check(!!await waitFor(() => find('DF201', 0)?.severity === 'Error' && !find('DF311')),
      `settings applied live: DF201 is an error, DF311 ignored: ${JSON.stringify(ours().map((d) => [d.code, d.severity]))}`);
    check(!!await page.waitForSelector('.monaco-editor .squiggly-error', { timeout: 10000 }).catch(() => null), 'an error squiggle appears');
    await shot('vscode-settings-severity.png');

    // Explain rule: the DF201 documentation in a Markdown preview.
    await goTo(1, 12);
    await palette('dockfix: Explain Rule');
    const pick = page.locator('.quick-input-list .monaco-list-row', { hasText: 'DF201' }).first();
    if (await pick.waitFor({ timeout: 5000 }).then(() => true).catch(() => false)) {
      await pick.click();
    }
    const tab = await waitFor(async () => {
      const tabs = await page.locator('.tabs-container .tab').allInnerTexts();
      return tabs.find((t) => t.includes('DF201'));
    }, 15000);
    check(!!tab, `a tab shows the rule documentation: ${tab}`);
    // The preview is a webview: its text lives in a nested frame.
    const rendered = await waitFor(async () => {
      for (const frame of page.frames()) {
        const text = await frame.locator('body').innerText({ timeout: 1000 }).catch(() => '');
        if (text.includes('Why is this bad')) return text;
      }
      return null;
    }, 15000);
    check(!!rendered && rendered.includes('DF201'), `the preview renders the DF201 documentation: ${JSON.stringify((rendered || '').slice(0, 80))}`);
    await shot('vscode-explain-rule.png');
    await page.keyboard.press('Control+W');

    // Fix all including unsafe fixes (workspace/executeCommand → applyEdit).
    await page.locator('.tabs-container .tab', { hasText: 'Dockerfile' }).first().click();
    await palette('dockfix: Fix All Problems, Including Unsafe Fixes');
    check(!!await waitFor(() => /\nUSER node\n?$/.test(state()?.text || '') && !state().text.includes('node:latest')),
      `"Fix All Problems, Including Unsafe Fixes" added USER node and pinned the tag: ${JSON.stringify(state()?.text)}`);
    const toast = await waitFor(async () => (await page.locator('.notifications-toasts').innerText().catch(() => '')).includes('including unsafe ones'), 10000);
    check(!!toast, 'a notification says unsafe fixes were applied');
    await page.keyboard.press('Control+S');

    // File associations: names VS Code's Docker support does not know.
    await palette('dockfix e2e: check file associations');
    const names = await waitFor(() => readJson('names.json'), 30000) || [];
    log('NAMES', JSON.stringify(names));
    for (const name of ['Dockerfile-dev', 'Dockerfile_ci', 'Containerfile-dev', 'api.Containerfile', 'web.Dockerfile']) {
      const entry = names.find((n) => n.name === name);
      check(entry?.languageId === 'dockerfile' && entry.codes.includes('DF201'), `${name}: language dockerfile, dockfix diagnostics`);
    }

    // The output channel.
    let output = false;
    for (let attempt = 1; attempt <= 3 && !output; attempt++) {
      if (attempt > 1) log(`the output channel is not shown yet, attempt ${attempt}`);
      await palette('dockfix: Show Output');
      output = !!await waitFor(async () => (await page.getByText('(from bundled)').count()) > 0, 10000);
    }
    check(output, '"Show Output" shows the dockfix channel with the bundled server');

    // Auto save after a delay (code-server's default) would skip fix on save:
    // a warning, whose button turns auto save off for Dockerfiles.
    await settings('User', { ...baseSettings, '[dockerfile]': { 'files.autoSave': 'afterDelay' } });
    const turnOff = page.locator('.notifications-toasts .monaco-button', { hasText: 'Turn Off Auto Save for Dockerfiles' }).first();
    const warned = await turnOff.waitFor({ timeout: 15000 }).then(() => true, () => false);
    check(warned, `a warning says fix on save cannot run with auto save after a delay: ${JSON.stringify(
      await page.locator('.notifications-toasts').innerText().catch(() => ''))}`);
    if (warned) await turnOff.click();
    const autoSaveOff = await waitFor(() => {
      try { return JSON.parse(fs.readFileSync(SETTINGS, 'utf8'))['[dockerfile]']?.['files.autoSave'] === 'off'; } catch { return false; }
    }, 10000);
    check(autoSaveOff, `"Turn Off Auto Save for Dockerfiles" wrote it to the user settings: ${fs.readFileSync(SETTINGS, 'utf8')}`);

    // A dockfix.path that points nowhere: a clear error notification.
    await settings('Workspace', { 'dockfix.path': '/nonexistent/dockfix' });
    const error = await waitFor(async () => {
      const text = await page.locator('.notifications-toasts').innerText().catch(() => '');
      return text.includes('dockfix.path') ? text : null;
    }, 15000);
    check(!!error && error.includes('/nonexistent/dockfix') && error.includes('Open Settings'),
      `error notification for a bad dockfix.path: ${JSON.stringify(error)}`);
    await shot('vscode-bad-path.png');
  } catch (e) {
    check(false, `no exception: ${e && e.stack || e}`);
    await shot('vscode-error.png').catch(() => {});
  } finally {
    await browser.close();
    log(`${passes} passed, ${failures} failed`);
    process.exit(failures === 0 ? 0 : 1);
  }
})();
