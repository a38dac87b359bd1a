#!/usr/bin/env node
// Edit -> publishDiagnostics latency for edits INSIDE an instruction, which
// ../shared/tools/lsp-probe does not measure (its --bench appends a comment at
// the end of the file, which dockfix answers from its previous analysis).
// Each edit types or deletes one character in a package name of the RUN in
// the middle of the file, sent as a full-text didChange like lsp-probe's.
//
// Usage: node tests/bench/edit-latency.js --file F [--edits N] [--wait MS] [--json OUT] -- SERVER ARGS...
'use strict';
const { spawn } = require('child_process');
const fs = require('fs');
const path = require('path');

const argv = process.argv.slice(2);
const opts = { file: null, edits: 30, wait: 10000, json: null };
let command = [];
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  if (a === '--') { command = argv.slice(i + 1); break; }
  else if (a === '--file') opts.file = argv[++i];
  else if (a === '--edits') opts.edits = Number(argv[++i]);
  else if (a === '--wait') opts.wait = Number(argv[++i]);
  else if (a === '--json') opts.json = argv[++i];
  else { console.error(`unknown argument ${a}`); process.exit(2); }
}
if (!opts.file || command.length === 0) {
  console.error('usage: edit-latency.js --file F [--edits N] [--wait MS] [--json OUT] -- SERVER ARGS...');
  process.exit(2);
}

const text = fs.readFileSync(opts.file, 'utf8');
// The edit point: the end of the first word of a continuation line of the RUN
// instruction nearest the middle of the file (a package name or a command).
const middle = Math.floor(text.length / 2);
const runAt = text.indexOf('\nRUN ', middle) >= 0 ? text.indexOf('\nRUN ', middle) : text.lastIndexOf('\nRUN ', middle);
if (runAt < 0) { console.error('no RUN instruction in the file'); process.exit(2); }
const lineAfter = text.indexOf('\n', runAt + 1) + 1;
const nextLine = text.slice(lineAfter, text.indexOf('\n', lineAfter));
const word = /^\s*[A-Za-z0-9_.+-]+/.exec(nextLine);
const editAt = lineAfter + (word ? word[0].length : nextLine.length);

const root = path.dirname(path.resolve(opts.file));
const uri = 'file://' + path.join(root, 'Dockerfile');
const srv = spawn(command[0], command.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
srv.stderr.on('data', () => {});
const now = () => Number(process.hrtime.bigint()) / 1e6;
let buf = Buffer.alloc(0);
let nextId = 1;
const pending = new Map();
const waiters = [];
function send(message) {
  const body = Buffer.from(JSON.stringify(message), 'utf8');
  srv.stdin.write(`Content-Length: ${body.length}\r\n\r\n`);
  srv.stdin.write(body);
}
function request(method, params) {
  const id = nextId++;
  return new Promise((resolve) => { pending.set(id, resolve); send({ jsonrpc: '2.0', id, method, params }); });
}
srv.stdout.on('data', (chunk) => {
  buf = Buffer.concat([buf, chunk]);
  for (;;) {
    const headerEnd = buf.indexOf('\r\n\r\n');
    if (headerEnd < 0) return;
    const m = /Content-Length:\s*(\d+)/i.exec(buf.slice(0, headerEnd).toString('ascii'));
    const length = m ? Number(m[1]) : 0;
    if (buf.length < headerEnd + 4 + length) return;
    const message = JSON.parse(buf.slice(headerEnd + 4, headerEnd + 4 + length).toString('utf8'));
    buf = buf.slice(headerEnd + 4 + length);
    if (message.id !== undefined && message.method) {
      const result = message.method === 'workspace/configuration' ? (message.params.items || []).map(() => null) : null;
      send({ jsonrpc: '2.0', id: message.id, result });
    } else if (message.id !== undefined) {
      const resolve = pending.get(message.id);
      if (resolve) { pending.delete(message.id); resolve(message); }
    } else if (message.method === 'textDocument/publishDiagnostics' && message.params.uri === uri) {
      while (waiters.length) waiters.shift()(message.params);
    }
  }
});
function nextDiagnostics(ms) {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(null), ms);
    waiters.push((p) => { clearTimeout(timer); resolve(p); });
  });
}

(async () => {
  await request('initialize', {
    processId: process.pid, rootUri: 'file://' + root, workspaceFolders: [{ uri: 'file://' + root, name: 'bench' }],
    capabilities: { textDocument: { publishDiagnostics: { versionSupport: true } }, workspace: { configuration: true } },
  });
  send({ jsonrpc: '2.0', method: 'initialized', params: {} });
  let first = nextDiagnostics(opts.wait);
  send({ jsonrpc: '2.0', method: 'textDocument/didOpen', params: { textDocument: { uri, languageId: 'dockerfile', version: 1, text } } });
  await first;
  const latencies = [];
  for (let v = 2; v < 2 + opts.edits; v++) {
    // Odd versions type a character, even ones delete it again.
    const edited = v % 2 === 0 ? text.slice(0, editAt) + 'x' + text.slice(editAt) : text;
    const got = nextDiagnostics(opts.wait);
    const start = now();
    send({ jsonrpc: '2.0', method: 'textDocument/didChange', params: { textDocument: { uri, version: v }, contentChanges: [{ text: edited }] } });
    if (await got) latencies.push(now() - start);
  }
  latencies.sort((a, b) => a - b);
  const q = (p) => (latencies.length ? +latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))].toFixed(2) : null);
  const result = { file: opts.file, edits: opts.edits, received: latencies.length, p50_ms: q(0.5), p95_ms: q(0.95) };
  if (opts.json) fs.writeFileSync(opts.json, JSON.stringify(result, null, 2));
  console.log(JSON.stringify(result));
  await request('shutdown', null);
  send({ jsonrpc: '2.0', method: 'exit' });
  setTimeout(() => process.exit(0), 200);
})();
