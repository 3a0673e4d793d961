// Node scripts as shipped over SSH: lib.sh followed by the script, fed to `bash -s`
// with the parameters as a quoted environment prefix.
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

/** The remote command: `export ...; bash -s` (the bundle goes to its stdin). */
export function remoteCommand(env: ScriptEnv): string {
  return `${renderEnvPrefix(env)}bash -s`;
}
