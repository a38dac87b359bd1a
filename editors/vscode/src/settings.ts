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
