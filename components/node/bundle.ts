// The node-preparation scripts and their bundles (components/remote/bundle.ts): lib.sh, then the
// script. lib.sh is also the first library of the endpoint's and kubeadm's bundles.
import * as path from "node:path";
import { readBundle } from "../remote/bundle";

// The sandbox (test/sandbox) ships node scripts the way the program does, from here.
export { scriptStdin } from "../remote/bundle";
export { remoteCommandLine } from "../remote/command-line";

export const SCRIPTS_DIR = path.join(__dirname, "scripts");
/** The node library every bundle starts with. */
export const NODE_LIBRARY = path.join(SCRIPTS_DIR, "lib.sh");
/** The package repository and pinned packages: node preparation's and the upgrade steps'. */
export const PACKAGES_LIBRARY = path.join(SCRIPTS_DIR, "packages-lib.sh");

/** Libraries a script needs beyond lib.sh, shipped between lib.sh and the script. */
const SCRIPT_LIBRARIES: Partial<Record<string, string[]>> = { "kubernetes-packages": [PACKAGES_LIBRARY] };

export const NODE_SCRIPTS = [
  "wait-cloud-init",
  "base",
  "proxy",
  "containerd",
  "kubernetes-packages",
  "firewall",
  "images",
] as const;
export type NodeScript = (typeof NODE_SCRIPTS)[number];

/** lib.sh (+ its libraries) + <name>.sh as one text (the script skips sourcing what is already defined). */
export function bundleScript(name: NodeScript): string {
  return readBundle([NODE_LIBRARY, ...(SCRIPT_LIBRARIES[name] ?? []), path.join(SCRIPTS_DIR, `${name}.sh`)]);
}
