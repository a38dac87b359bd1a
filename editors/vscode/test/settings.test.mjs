// When the extension says that fix on save cannot run (src/settings.ts).
//   npm test
import assert from "node:assert/strict";
import * as esbuild from "esbuild";
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dockfix-settings-"));
await esbuild.build({ entryPoints: ["src/settings.ts"], bundle: true, platform: "node", format: "cjs", outfile: path.join(dir, "settings.js"), logLevel: "silent" });
const { fixOnSaveRequested, fixOnSaveSkipped } = createRequire(import.meta.url)(path.join(dir, "settings.js"));

test("fix on save is asked for by our kind or a kind that includes it", () => {
  for (const value of [true, "explicit", "always"]) {
    assert.equal(fixOnSaveRequested({ "source.fixAll.dockfix": value }), true, `source.fixAll.dockfix: ${value}`);
  }
  assert.equal(fixOnSaveRequested({ "source.fixAll": "explicit" }), true);
  assert.equal(fixOnSaveRequested({ source: "always" }), true);
  assert.equal(fixOnSaveRequested(["source.fixAll"]), true);
});

test("fix on save is not asked for by other kinds, `never`, false or nothing", () => {
  assert.equal(fixOnSaveRequested({ "source.fixAll.eslint": "explicit" }), false);
  assert.equal(fixOnSaveRequested({ "source.fixAllOther": "explicit" }), false);
  assert.equal(fixOnSaveRequested({ "source.organizeImports": "explicit" }), false);
  assert.equal(fixOnSaveRequested({ "source.fixAll.dockfix": "never" }), false);
  assert.equal(fixOnSaveRequested({ "source.fixAll.dockfix": false }), false);
  assert.equal(fixOnSaveRequested(["source.fixAll.eslint"]), false);
  assert.equal(fixOnSaveRequested({}), false);
  assert.equal(fixOnSaveRequested(undefined), false);
  assert.equal(fixOnSaveRequested("source.fixAll.dockfix"), false);
});

test("the most specific kind decides", () => {
  assert.equal(fixOnSaveRequested({ "source.fixAll": "explicit", "source.fixAll.dockfix": "never" }), false);
  assert.equal(fixOnSaveRequested({ "source.fixAll": "never", "source.fixAll.dockfix": "explicit" }), true);
  assert.equal(fixOnSaveRequested({ source: "never", "source.fixAll": "always" }), true);
});

test("fix on save is skipped only when auto save runs after a delay", () => {
  const onSave = { "source.fixAll.dockfix": "explicit" };
  assert.equal(fixOnSaveSkipped(onSave, "afterDelay"), true);
  for (const autoSave of ["off", "onFocusChange", "onWindowChange", undefined]) {
    assert.equal(fixOnSaveSkipped(onSave, autoSave), false, `files.autoSave: ${autoSave}`);
  }
  assert.equal(fixOnSaveSkipped({}, "afterDelay"), false);
});
