// The `dockfix` settings the server reads (see server/src/config.rs). The
// extension-only keys (`path`, `trace`) stay here.

/** The keys of the `dockfix` section the server understands. */
export const SERVER_KEYS = [
  "select",
  "extendSelect",
  "ignore",
  "severity",
  "trustedRegistries",
  "user",
  "online",
  "fixAll",
] as const;

export interface SettingsSource {
  get<T>(key: string): T | undefined;
}

/**
 * A plain JSON object of the server's settings, for `initializationOptions`
 * (VS Code's configuration object carries methods and does not serialize).
 */
export function serverSettings(config: SettingsSource): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of SERVER_KEYS) {
    const value = config.get<unknown>(key);
    if (value !== undefined && value !== null) {
      out[key] = value;
    }
  }
  return out;
}

/** The code action kind of the server's fix-all action. */
const FIX_ALL_KIND = "source.fixAll.dockfix";

/**
 * Whether `editor.codeActionsOnSave` (its value for Dockerfiles) runs the
 * server's fix-all action on save. Kinds are hierarchical: `source` and
 * `source.fixAll` include ours, and the most specific key that does decides,
 * as in VS Code (`{"source.fixAll": "explicit", "source.fixAll.dockfix": "never"}`
 * runs nothing of ours).
 */
export function fixOnSaveRequested(codeActionsOnSave: unknown): boolean {
  const covers = (kind: string) => FIX_ALL_KIND === kind || FIX_ALL_KIND.startsWith(`${kind}.`);
  if (Array.isArray(codeActionsOnSave)) {
    return codeActionsOnSave.some((kind) => typeof kind === "string" && covers(kind));
  }
  if (typeof codeActionsOnSave !== "object" || codeActionsOnSave === null) {
    return false;
  }
  const deciding = Object.entries(codeActionsOnSave)
    .filter(([kind]) => covers(kind))
    .sort(([a], [b]) => b.length - a.length)[0];
  if (!deciding) {
    return false;
  }
  const value = deciding[1];
  return value === true || value === "explicit" || value === "always";
}

/**
 * Whether fix on save is asked for but cannot run: with `files.autoSave` set to
 * `afterDelay` (the default of VS Code for the Web and code-server), VS Code
 * runs no code action when it auto saves, and `Ctrl+S` on the file it has
 * already saved does nothing.
 */
export function fixOnSaveSkipped(codeActionsOnSave: unknown, autoSave: unknown): boolean {
  return autoSave === "afterDelay" && fixOnSaveRequested(codeActionsOnSave);
}
