// Node scripts as shipped over SSH: the parameters as a quoted `export` prefix, then lib.sh, then
// the script, all on the stdin of `bash -s`. The command line itself carries no parameter: the
// command provider puts the command line (never stdin) into its error messages, and the node's
// process list shows it to every local user, so a proxy password must not be there.
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { renderEnvPrefix, type ScriptEnv } from "./params";

export const SCRIPTS_DIR = path.join(__dirname, "scripts");

export const NODE_SCRIPTS = [
  "wait-cloud-init",
  "base",
  "proxy",
  "containerd",
  "kubernetes-packages",
  "firewall",
] as const;
export type NodeScript = (typeof NODE_SCRIPTS)[number];

/** lib.sh + <name>.sh as one text (the script skips sourcing lib.sh when it is already defined). */
export function bundleScript(name: NodeScript): string {
  const lib = fs.readFileSync(path.join(SCRIPTS_DIR, "lib.sh"), "utf8");
  const script = fs.readFileSync(path.join(SCRIPTS_DIR, `${name}.sh`), "utf8");
  return `${lib}\n${script}`;
}

/** What `bash -s` reads: the exported parameters, then the bundle. */
export function scriptStdin(bundle: string, env: ScriptEnv): string {
  return `${renderEnvPrefix(env)}\n${bundle}`;
}

/**
 * The remote command line, the same for every part and node. The scripts need root; an admin
 * user reaches it through `sudo -n`, which fails at once instead of waiting for a password.
 */
export function remoteCommandLine(sshUser: string): string {
  return sshUser === "root" ? "bash -s" : "sudo -n bash -s";
}

/**
 * A part's trigger: a hash of exactly what it runs (bundle and parameters), so a part re-runs
 * when its own script or parameters change and for nothing else.
 */
export function partTrigger(bundle: string, env: ScriptEnv): string {
  const canonical = JSON.stringify({ bundle, env: Object.entries(env).sort(([a], [b]) => a.localeCompare(b)) });
  return `sha256:${createHash("sha256").update(canonical).digest("hex")}`;
}
