// The order in which the extension looks for the dockfix binary
// (src/discover.ts): dockfix.path, then the bundled binary, then PATH.
//   npm test
import assert from "node:assert/strict";
import * as esbuild from "esbuild";
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dockfix-discover-"));
await esbuild.build({ entryPoints: ["src/discover.ts"], bundle: true, platform: "node", format: "cjs", outfile: path.join(dir, "discover.js"), logLevel: "silent" });
const { findServer, bundledPath } = createRequire(import.meta.url)(path.join(dir, "discover.js"));

function executable(file) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, "#!/bin/sh\n");
  fs.chmodSync(file, 0o755);
  return file;
}

const home = path.join(dir, "home");
const extension = path.join(dir, "extension");
const onPath = path.join(dir, "bin");
const env = { platform: "linux", arch: "x64", pathVariable: `/nonexistent:${onPath}`, home };

test("PATH is the last resort, and its absence is a clear error", () => {
  const none = findServer("", extension, { ...env, pathVariable: "/nonexistent" });
  assert.match(none.error, /no dockfix binary found: this extension has none for linux-x64/);
  assert.match(none.error, /dockfix\.path/);
  const binary = executable(path.join(onPath, "dockfix"));
  assert.deepEqual(findServer(undefined, extension, env), { path: binary, source: "PATH" });
});

test("a file without the executable bit is not taken", () => {
  const plain = path.join(dir, "plain", "dockfix");
  fs.mkdirSync(path.dirname(plain), { recursive: true });
  fs.writeFileSync(plain, "");
  fs.chmodSync(plain, 0o644);
  assert.equal(findServer(undefined, extension, { ...env, pathVariable: path.dirname(plain) }).error !== undefined, true);
});

test("the bundled binary comes before PATH", () => {
  executable(path.join(onPath, "dockfix"));
  const bundled = executable(bundledPath(extension, env));
  assert.equal(bundled, path.join(extension, "server", "linux-x64", "dockfix"));
  assert.deepEqual(findServer("  ", extension, env), { path: bundled, source: "bundled" });
  // Another platform's binary is not this one.
  assert.equal(findServer("", extension, { ...env, arch: "arm64" }).source, "PATH");
});

test("dockfix.path comes first, with ~ expanded, and a wrong one is an error", () => {
  executable(bundledPath(extension, env));
  const mine = executable(path.join(home, "tools", "dockfix"));
  assert.deepEqual(findServer("~/tools/dockfix", extension, env), { path: mine, source: "setting" });
  assert.deepEqual(findServer(mine, extension, env), { path: mine, source: "setting" });
  const wrong = findServer("/nonexistent/dockfix", extension, env);
  assert.match(wrong.error, /dockfix\.path is "\/nonexistent\/dockfix", which is not an executable file/);
});

test("Windows looks for dockfix.exe", () => {
  assert.equal(path.basename(bundledPath(extension, { ...env, platform: "win32" })), "dockfix.exe");
});
