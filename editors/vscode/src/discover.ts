// Finding the dockfix binary: the `dockfix.path` setting, else the binary
// bundled in a platform-specific VSIX, else `dockfix` on PATH. No VS Code API
// here, so the order can be tested with plain Node.

import * as fs from "fs";
import * as os from "os";
import * as path from "path";

export type Found = { path: string; source: "setting" | "bundled" | "PATH" };
export type NotFound = { error: string };

export interface Environment {
  platform: NodeJS.Platform;
  arch: string;
  /** The PATH variable. */
  pathVariable: string | undefined;
  home: string;
}

export function currentEnvironment(): Environment {
  return {
    platform: process.platform,
    arch: process.arch,
    pathVariable: process.env.PATH,
    home: os.homedir(),
  };
}

export function executableName(platform: NodeJS.Platform): string {
  return platform === "win32" ? "dockfix.exe" : "dockfix";
}

/** `server/<platform>-<arch>/dockfix` inside the extension. */
export function bundledPath(extensionPath: string, env: Environment): string {
  return path.join(extensionPath, "server", `${env.platform}-${env.arch}`, executableName(env.platform));
}

function isExecutable(file: string, platform: NodeJS.Platform): boolean {
  try {
    const stat = fs.statSync(file);
    if (!stat.isFile()) {
      return false;
    }
    if (platform !== "win32") {
      fs.accessSync(file, fs.constants.X_OK);
    }
    return true;
  } catch {
    return false;
  }
}

function expandHome(file: string, home: string): string {
  if (file === "~") {
    return home;
  }
  if (file.startsWith("~/") || file.startsWith("~\\")) {
    return path.join(home, file.slice(2));
  }
  return file;
}

export function onPath(env: Environment): string | undefined {
  const separator = env.platform === "win32" ? ";" : ":";
  for (const dir of (env.pathVariable ?? "").split(separator)) {
    if (!dir) {
      continue;
    }
    const candidate = path.join(dir, executableName(env.platform));
    if (isExecutable(candidate, env.platform)) {
      return candidate;
    }
  }
  return undefined;
}

/**
 * The binary to run. A `dockfix.path` that points nowhere is an error, not a
 * silent fallback: the user asked for that binary.
 */
export function findServer(
  setting: string | undefined,
  extensionPath: string,
  env: Environment = currentEnvironment(),
): Found | NotFound {
  const configured = setting?.trim();
  if (configured) {
    const file = path.resolve(expandHome(configured, env.home));
    if (isExecutable(file, env.platform)) {
      return { path: file, source: "setting" };
    }
    return {
      error: `the setting dockfix.path is "${configured}", which is not an executable file.`,
    };
  }
  const bundled = bundledPath(extensionPath, env);
  if (isExecutable(bundled, env.platform)) {
    return { path: bundled, source: "bundled" };
  }
  const found = onPath(env);
  if (found) {
    return { path: found, source: "PATH" };
  }
  return {
    error:
      `no dockfix binary found: this extension has none for ${env.platform}-${env.arch} ` +
      "and there is no `dockfix` on PATH. Install dockfix (`cargo install --path server --locked` " +
      "in its repository) or set dockfix.path to the binary.",
  };
}
