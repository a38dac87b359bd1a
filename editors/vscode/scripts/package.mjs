// Builds the .vsix.
//   node scripts/package.mjs                       universal: the server comes from dockfix.path or PATH
//   node scripts/package.mjs --target linux-x64    platform-specific: bundles the dockfix binary
//        [--binary ../../target/release/dockfix] [--out dockfix-linux-x64.vsix]
// Targets are vsce's (linux-x64, linux-arm64, darwin-arm64, win32-x64, alpine-x64…);
// the binary goes to server/<platform>-<arch>/ as Node names them.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { fileURLToPath } from "url";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
process.chdir(root);

function option(name) {
  const at = process.argv.indexOf(name);
  if (at < 0) return undefined;
  const value = process.argv[at + 1];
  if (!value || value.startsWith("--")) throw new Error(`${name} needs a value`);
  return value;
}

function run(command, args) {
  console.log(`$ ${command} ${args.join(" ")}`);
  execFileSync(command, args, { stdio: "inherit" });
}

const bin = (name) => path.join(root, "node_modules", ".bin", name);
const target = option("--target");
const pkg = JSON.parse(fs.readFileSync("package.json", "utf8"));
const out = path.resolve(option("--out") ?? `${pkg.name}-${target ?? "universal"}-${pkg.version}.vsix`);

run(bin("tsc"), ["--noEmit", "-p", "."]);
run(process.execPath, ["scripts/build.mjs", "--production"]);

fs.rmSync("server", { recursive: true, force: true });
if (target) {
  const [os, arch] = target.split("-");
  const platform = os === "alpine" ? "linux" : os;
  const exe = platform === "win32" ? "dockfix.exe" : "dockfix";
  const binary = path.resolve(option("--binary") ?? path.join("..", "..", "target", "release", exe));
  if (!fs.existsSync(binary)) {
    throw new Error(`no dockfix binary at ${binary}: build it (cargo build --release) or pass --binary`);
  }
  const dir = path.join("server", `${platform}-${arch}`);
  fs.mkdirSync(dir, { recursive: true });
  const bundled = path.join(dir, exe);
  fs.copyFileSync(binary, bundled);
  fs.chmodSync(bundled, 0o755);
  // Release builds keep line tables for backtraces; the shipped copy does not
  // need them (59 MB → 11 MB). Only a host-format binary can be stripped here.
  const host = `${process.platform}-${process.arch}`;
  if (host === `${platform}-${arch}` && platform !== "win32") {
    try {
      run("strip", [bundled]);
    } catch {
      console.warn("strip failed or is missing: the binary is bundled unstripped");
    }
  }
}

const base = "https://github.com/dockfix/dockfix/raw/HEAD/editors/vscode";
const args = ["package", "--no-dependencies", "--skip-license", "--out", out, "--baseContentUrl", base, "--baseImagesUrl", base];
if (target) args.push("--target", target);
run(bin("vsce"), args);
console.log(`packaged ${out}`);
