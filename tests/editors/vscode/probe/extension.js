// Test-only companion extension: it runs in the same extension host as
// dockfix and writes what VS Code itself holds, so the end-to-end test can
// assert on data as well as on pixels. It has no part in the product.
const vscode = require('vscode');
const fs = require('fs');
const path = require('path');

const DUMP = process.env.DOCKFIX_E2E_DUMP;

function write(name, value) {
  if (!DUMP) return;
  fs.mkdirSync(DUMP, { recursive: true });
  const file = path.join(DUMP, name);
  fs.writeFileSync(file + '.tmp', JSON.stringify(value, null, 1));
  fs.renameSync(file + '.tmp', file);
}

const severity = (s) => ['Error', 'Warning', 'Information', 'Hint'][s];
const codeOf = (d) => (typeof d.code === 'object' && d.code ? String(d.code.value) : String(d.code ?? ''));

async function snapshot(reason) {
  const files = [];
  for (const document of vscode.workspace.textDocuments) {
    if (document.uri.scheme !== 'file') continue;
    const diagnostics = vscode.languages.getDiagnostics(document.uri);
    const entry = {
      path: document.uri.fsPath,
      languageId: document.languageId,
      version: document.version,
      dirty: document.isDirty,
      text: document.getText(),
      diagnostics: diagnostics.map((d) => ({
        code: codeOf(d), source: d.source, severity: severity(d.severity), message: d.message,
        line: d.range.start.line, character: d.range.start.character,
        endLine: d.range.end.line, endCharacter: d.range.end.character,
      })),
      quickFixes: [],
    };
    for (const d of diagnostics.filter((d) => d.source === 'dockfix')) {
      const actions = await vscode.commands.executeCommand(
        'vscode.executeCodeActionProvider', document.uri, d.range, vscode.CodeActionKind.QuickFix.value);
      for (const a of actions || []) {
        entry.quickFixes.push({ code: codeOf(d), line: d.range.start.line, title: a.title, kind: a.kind && a.kind.value, isPreferred: !!a.isPreferred });
      }
    }
    files.push(entry);
  }
  write('state.json', { reason, time: Date.now(), files });
}

// One snapshot at a time, and at most one more after it: typing a line fires
// dozens of events, and a snapshot per event (each asking for the quick fixes
// of every diagnostic) kept the editor busy for seconds after the typing.
// The last snapshot always starts after the last event, so it sees the end state.
let running = false;
let again = null;
async function schedule(reason) {
  if (running) {
    again = reason;
    return;
  }
  running = true;
  for (let next = reason; next; next = again) {
    again = null;
    await snapshot(next).catch((e) => write('probe-error.json', { error: String(e && e.stack || e) }));
  }
  running = false;
}

exports.activate = function (context) {
  context.subscriptions.push(
    vscode.languages.onDidChangeDiagnostics(() => schedule('diagnostics')),
    vscode.workspace.onDidChangeTextDocument(() => schedule('change')),
    vscode.workspace.onDidSaveTextDocument(() => schedule('save')),
    vscode.workspace.onDidOpenTextDocument(() => schedule('open')),
    // Opens every file under names/ and reports its language and whether dockfix diagnosed it.
    vscode.commands.registerCommand('dockfixE2e.checkNames', async () => {
      const folder = vscode.workspace.workspaceFolders[0].uri;
      const names = fs.readdirSync(path.join(folder.fsPath, 'names'));
      const result = [];
      for (const name of names) {
        const uri = vscode.Uri.joinPath(folder, 'names', name);
        const document = await vscode.workspace.openTextDocument(uri);
        const deadline = Date.now() + 10000;
        let codes = [];
        while (Date.now() < deadline) {
          codes = vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'dockfix').map(codeOf);
          if (codes.length) break;
          await new Promise((r) => setTimeout(r, 50));
        }
        result.push({ name, languageId: document.languageId, codes });
      }
      write('names.json', result);
    }),
  );
  schedule('activate');
};
