// The endpoint layer's step bundles (components/remote/bundle.ts): the node library, then the script.
import * as path from "node:path";
import type { ArtifactSink } from "../artifacts";
import { NODE_LIBRARY } from "../node/bundle";
import { readBundle, scriptStdin } from "../remote/bundle";
import type { ScriptEnv } from "../remote/env";
import type { ScriptBundle } from "../remote/script-step";

export const ENDPOINT_SCRIPTS_DIR = path.join(__dirname, "scripts");

/** Files of each step's bundle, in order (libraries first, the script with `main` last). */
export const ENDPOINT_BUNDLES = {
  "kube-vip": [NODE_LIBRARY, path.join(ENDPOINT_SCRIPTS_DIR, "kube-vip.sh")],
  "keepalived-haproxy": [NODE_LIBRARY, path.join(ENDPOINT_SCRIPTS_DIR, "keepalived-haproxy.sh")],
} as const;
export type EndpointScript = keyof typeof ENDPOINT_BUNDLES;

export function endpointBundle(script: EndpointScript): ScriptBundle {
  return { name: script, text: readBundle(ENDPOINT_BUNDLES[script]) };
}

/** stdin of a step: every parameter exported (shell-quote), then the bundle. */
export function stepStdin(script: EndpointScript, env: ScriptEnv): string {
  return scriptStdin(endpointBundle(script).text, env);
}

/** Every bundle once, beside the control plane's (scripts/control-plane/<script>.sh). */
export function addEndpointBundleArtifacts(artifacts: ArtifactSink): void {
  for (const script of Object.keys(ENDPOINT_BUNDLES) as EndpointScript[]) artifacts.add("script", `scripts/control-plane/${script}.sh`, endpointBundle(script).text);
}
