// The dockfix extension: starts `dockfix server` for Dockerfiles and adds the
// commands around it. Everything the editor shows (diagnostics, quick fixes,
// fix on save, hover, symbols, folding, highlighting) comes from the server.

import { execFile } from "child_process";
import * as vscode from "vscode";
import {
  ExecuteCommandRequest,
  LanguageClient,
  LanguageClientOptions,
  RevealOutputChannelOn,
  ServerOptions,
} from "vscode-languageclient/node";

import { findServer } from "./discover";
import { fixOnSaveSkipped, serverSettings } from "./settings";

/** The server's command behind "fix all" (server/src/lsp/handlers/command.rs). */
const APPLY_ALL_FIXES = "dockfix.applyAllFixes";
const RULE_SCHEME = "dockfix-rule";

let client: LanguageClient | undefined;
let serverPath: string | undefined;
let output: vscode.LogOutputChannel;
/** Serializes starts and restarts. */
let lifecycle: Promise<void> = Promise.resolve();
/** Set from a settings change that restarts the server until the new one starts. */
let restartPending = false;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  output = vscode.window.createOutputChannel("dockfix", { log: true });
  const rules = new RuleDocs();
  context.subscriptions.push(
    output,
    vscode.commands.registerCommand("dockfix.restartServer", () => restart(context)),
    vscode.commands.registerCommand("dockfix.showOutput", () => output.show(true)),
    vscode.commands.registerCommand("dockfix.fixAll", () => fixAll(false)),
    vscode.commands.registerCommand("dockfix.fixAllUnsafe", () => fixAll(true)),
    vscode.commands.registerCommand("dockfix.explainRule", (code?: unknown) =>
      explainRule(typeof code === "string" ? code : undefined),
    ),
    vscode.workspace.registerTextDocumentContentProvider(RULE_SCHEME, rules),
    vscode.workspace.onDidChangeConfiguration((event) => {
      // Another binary: a new server. Runs before the client's own listener,
      // which then skips notifying the server that is going away.
      if (event.affectsConfiguration("dockfix.path") && binaryChanged(context)) {
        restartPending = true;
        void restart(context);
      }
      if (event.affectsConfiguration("files.autoSave") || event.affectsConfiguration("editor.codeActionsOnSave")) {
        checkFixOnSave(context);
      }
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(() => restart(context)),
  );
  checkFixOnSave(context);
  await restart(context);
}

/** The `globalState` key of "Don't Show Again" on the fix-on-save warning. */
const FIX_ON_SAVE_WARNING_DISMISSED = "dockfix.fixOnSaveWarningDismissed";
let fixOnSaveWarned = false;

/**
 * Warns, once per window, when fix on save is asked for Dockerfiles but cannot
 * run because auto save after a delay writes the file first (the default of
 * VS Code for the Web and code-server): nothing else would tell the user why
 * saving fixes nothing.
 */
function checkFixOnSave(context: vscode.ExtensionContext): void {
  if (fixOnSaveWarned || context.globalState.get<boolean>(FIX_ON_SAVE_WARNING_DISMISSED)) {
    return;
  }
  const scope = { languageId: "dockerfile" };
  const onSave = vscode.workspace.getConfiguration("editor", scope).get<unknown>("codeActionsOnSave");
  const autoSave = vscode.workspace.getConfiguration("files", scope).get<unknown>("autoSave");
  if (!fixOnSaveSkipped(onSave, autoSave)) {
    return;
  }
  fixOnSaveWarned = true;
  const message =
    "fix on save (editor.codeActionsOnSave) cannot run for Dockerfiles: files.autoSave is afterDelay, " +
    "VS Code runs no code action when it auto saves, and saving an auto-saved file does nothing.";
  output.warn(message);
  const turnOff = "Turn Off Auto Save for Dockerfiles";
  const dismiss = "Don't Show Again";
  void vscode.window.showWarningMessage(`dockfix: ${message}`, turnOff, dismiss).then(async (choice) => {
    try {
      if (choice === turnOff) {
        // `"[dockerfile]": { "files.autoSave": "off" }` in the user settings.
        await vscode.workspace
          .getConfiguration("files", scope)
          .update("autoSave", "off", vscode.ConfigurationTarget.Global, true);
      } else if (choice === dismiss) {
        await context.globalState.update(FIX_ON_SAVE_WARNING_DISMISSED, true);
      }
    } catch (error) {
      output.error(`turning off auto save for Dockerfiles: ${String(error)}`);
    }
  });
}

export async function deactivate(): Promise<void> {
  await stop();
}

/** Whether `dockfix.path` now resolves to another binary (or to none). */
function binaryChanged(context: vscode.ExtensionContext): boolean {
  const found = findServer(vscode.workspace.getConfiguration("dockfix").get<string>("path"), context.extensionPath);
  return "error" in found || found.path !== serverPath || !client;
}

function restart(context: vscode.ExtensionContext): Promise<void> {
  lifecycle = lifecycle.then(async () => {
    await stop();
    await start(context);
  });
  return lifecycle;
}

async function stop(): Promise<void> {
  const running = client;
  client = undefined;
  if (running) {
    try {
      await running.stop();
    } catch (error) {
      output.warn(`stopping the server: ${String(error)}`);
    }
  }
}

async function start(context: vscode.ExtensionContext): Promise<void> {
  restartPending = false;
  const config = vscode.workspace.getConfiguration("dockfix");
  const found = findServer(config.get<string>("path"), context.extensionPath);
  if ("error" in found) {
    serverPath = undefined;
    output.error(found.error);
    void vscode.window
      .showErrorMessage(`dockfix: ${found.error}`, "Open Settings", "Show Output")
      .then((choice) => {
        if (choice === "Open Settings") {
          void vscode.commands.executeCommand("workbench.action.openSettings", "dockfix.path");
        } else if (choice === "Show Output") {
          output.show(true);
        }
      });
    return;
  }
  serverPath = found.path;
  output.info(`starting ${found.path} server (from ${found.source})`);
  const serverOptions: ServerOptions = { command: found.path, args: ["server"] };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { language: "dockerfile", scheme: "file" },
      { language: "dockerfile", scheme: "untitled" },
    ],
    // The server reads `workspace/configuration` (per folder); this also
    // tells it when the `dockfix` settings change.
    synchronize: { configurationSection: "dockfix" },
    initializationOptions: { settings: serverSettings(config) },
    diagnosticCollectionName: "dockfix",
    outputChannel: output,
    traceOutputChannel: output,
    revealOutputChannelOn: RevealOutputChannelOn.Never,
    middleware: {
      workspace: {
        didChangeConfiguration: async (sections, next) => {
          if (!restartPending) {
            await next(sections);
          }
        },
      },
    },
  };
  // The id makes the client read `dockfix.trace.server`.
  const created = new LanguageClient("dockfix", "dockfix", serverOptions, clientOptions);
  try {
    await created.start();
    client = created;
  } catch (error) {
    output.error(`the server did not start: ${String(error)}`);
    void vscode.window
      .showErrorMessage(`dockfix: the server (${found.path}) did not start: ${String(error)}`, "Show Output")
      .then((choice) => choice && output.show(true));
  }
}

interface ApplyAllResult {
  applied: boolean;
  fixes: number;
}

async function fixAll(includeUnsafe: boolean): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  if (!editor || editor.document.languageId !== "dockerfile") {
    void vscode.window.showWarningMessage("dockfix: open a Dockerfile to fix.");
    return;
  }
  await lifecycle;
  if (!client) {
    void vscode.window.showErrorMessage("dockfix: the server is not running (see the dockfix output).");
    return;
  }
  const uri = client.code2ProtocolConverter.asUri(editor.document.uri);
  try {
    // The server sends the edit back as `workspace/applyEdit` (one undo step).
    const result = (await client.sendRequest(ExecuteCommandRequest.type, {
      command: APPLY_ALL_FIXES,
      arguments: [{ uri, unsafe: includeUnsafe }],
    })) as ApplyAllResult | null;
    const fixes = result?.fixes ?? 0;
    if (fixes === 0) {
      void vscode.window.showInformationMessage(
        includeUnsafe ? "dockfix: nothing to fix." : "dockfix: no safe fixes to apply.",
      );
    } else if (!result?.applied) {
      void vscode.window.showWarningMessage("dockfix: the document changed while fixing; try again.");
    } else if (includeUnsafe) {
      void vscode.window.showInformationMessage(
        `dockfix: applied ${fixes} fix${fixes === 1 ? "" : "es"}, including unsafe ones that may change ` +
          "what the image does: review the changes (Undo reverts them).",
      );
    }
  } catch (error) {
    output.error(`fix all: ${String(error)}`);
    void vscode.window.showErrorMessage(`dockfix: ${errorMessage(error)}`);
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Runs the dockfix binary (`dockfix rule …`). */
function runDockfix(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    if (!serverPath) {
      reject(new Error("no dockfix binary (see the dockfix output)"));
      return;
    }
    execFile(serverPath, args, { maxBuffer: 4 << 20, timeout: 10_000 }, (error, stdout, stderr) => {
      if (error) {
        reject(new Error(stderr.trim() || error.message));
      } else {
        resolve(stdout);
      }
    });
  });
}

/** `dockfix-rule:/DF201.md`: a rule's documentation, as `dockfix rule DF201` prints it. */
class RuleDocs implements vscode.TextDocumentContentProvider {
  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const code = uri.path.replace(/^\//, "").replace(/\.md$/, "");
    try {
      return await runDockfix(["rule", code]);
    } catch (error) {
      return `# ${code}\n\nThe documentation could not be read: ${errorMessage(error)}\n`;
    }
  }
}

interface RuleItem extends vscode.QuickPickItem {
  code: string;
}

async function explainRule(code: string | undefined): Promise<void> {
  await lifecycle;
  let chosen = code;
  if (!chosen) {
    const atCursor = codesAtCursor();
    chosen = atCursor.length === 1 ? atCursor[0] : await pickRule(atCursor);
  }
  if (!chosen) {
    return;
  }
  const uri = vscode.Uri.from({ scheme: RULE_SCHEME, path: `/${chosen}.md` });
  try {
    await vscode.commands.executeCommand("markdown.showPreview", uri);
  } catch {
    const document = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(document, { preview: true });
  }
}

/** The codes of our diagnostics under the cursor. */
function codesAtCursor(): string[] {
  const editor = vscode.window.activeTextEditor;
  if (!editor) {
    return [];
  }
  const position = editor.selection.active;
  const codes = vscode.languages
    .getDiagnostics(editor.document.uri)
    .filter((d) => d.source === "dockfix" && d.range.contains(position))
    .map((d) => (typeof d.code === "object" ? String(d.code.value) : String(d.code ?? "")))
    .filter((c) => c.length > 0);
  return [...new Set(codes)];
}

async function pickRule(first: string[]): Promise<string | undefined> {
  let listing: string;
  try {
    listing = await runDockfix(["rule"]);
  } catch (error) {
    void vscode.window.showErrorMessage(`dockfix: cannot list the rules: ${errorMessage(error)}`);
    return undefined;
  }
  // `DF201  latest-tag  warning  on   summary`
  const items: RuleItem[] = [];
  for (const line of listing.split("\n")) {
    const match = /^(DF\d+)\s+(\S+)\s+(\S+)\s+(on|off)\s+(.*)$/.exec(line.trim());
    if (match) {
      items.push({
        code: match[1],
        label: `${match[1]} ${match[2]}`,
        description: `${match[3]}${match[4] === "off" ? ", off by default" : ""}`,
        detail: match[5],
      });
    }
  }
  items.sort((a, b) => Number(first.includes(b.code)) - Number(first.includes(a.code)));
  const picked = await vscode.window.showQuickPick(items, {
    placeHolder: "Which dockfix rule?",
    matchOnDescription: true,
    matchOnDetail: true,
  });
  return picked?.code;
}
