// The control plane's step bundles (components/remote/bundle.ts): the node library, the kubeadm
// library, then the script (init and join also carry remove.sh, for their delete).
import * as path from "node:path";
import type { ArtifactSink } from "../artifacts";
import { NODE_LIBRARY, PACKAGES_LIBRARY } from "../node/bundle";
import { readBundle, scriptStdin } from "../remote/bundle";
import type { ScriptEnv } from "../remote/env";
import type { ScriptBundle } from "../remote/script-step";

export const KUBEADM_SCRIPTS_DIR = path.join(__dirname, "scripts");
const KUBEADM_LIBRARY = path.join(KUBEADM_SCRIPTS_DIR, "lib.sh");
const script = (name: string) => path.join(KUBEADM_SCRIPTS_DIR, `${name}.sh`);

/** Files of each step's bundle, in order (libraries first, the script with `main` last). */
export const KUBEADM_BUNDLES = {
  pki: [NODE_LIBRARY, KUBEADM_LIBRARY, script("apiserver-files"), script("pki")],
  init: [NODE_LIBRARY, KUBEADM_LIBRARY, script("remove"), script("init")],
  join: [NODE_LIBRARY, KUBEADM_LIBRARY, script("remove"), script("join")],
  token: [NODE_LIBRARY, KUBEADM_LIBRARY, script("token")],
  membership: [NODE_LIBRARY, KUBEADM_LIBRARY, script("membership")],
  upgrade: [NODE_LIBRARY, PACKAGES_LIBRARY, KUBEADM_LIBRARY, script("upgrade")],
  "renew-certs": [NODE_LIBRARY, KUBEADM_LIBRARY, script("renew-certs")],
  settings: [NODE_LIBRARY, KUBEADM_LIBRARY, script("apiserver-files"), script("settings")],
} as const;
export type KubeadmScript = keyof typeof KUBEADM_BUNDLES;

/** Adoption's steps (docs/adoption.md): not part of a cluster the program builds itself. */
export const ADOPTION_BUNDLES = {
  "adopt-inspect": [NODE_LIBRARY, KUBEADM_LIBRARY, script("adopt-inspect")],
  "adopt-endpoint": [NODE_LIBRARY, KUBEADM_LIBRARY, script("adopt-endpoint")],
  "adopt-kubeconfigs": [NODE_LIBRARY, KUBEADM_LIBRARY, script("adopt-kubeconfigs")],
} as const;
export type AdoptionScript = keyof typeof ADOPTION_BUNDLES;

export function adoptionBundle(name: AdoptionScript): ScriptBundle {
  return { name, text: readBundle(ADOPTION_BUNDLES[name]) };
}

export function kubeadmBundle(name: KubeadmScript): ScriptBundle {
  return { name, text: readBundle(KUBEADM_BUNDLES[name]) };
}

/** stdin of a step: every parameter exported (shell-quote), then the bundle. */
export function stepStdin(name: KubeadmScript, env: ScriptEnv): string {
  return scriptStdin(kubeadmBundle(name).text, env);
}

/** Every bundle once (scripts/control-plane/<script>.sh); parameters go per node in nodes/<node>/. */
export function addKubeadmBundleArtifacts(artifacts: ArtifactSink): void {
  for (const name of Object.keys(KUBEADM_BUNDLES) as KubeadmScript[]) artifacts.add("script", `scripts/control-plane/${name}.sh`, kubeadmBundle(name).text);
}
