// The strict decoder of the apiserver's configuration files (tools/kubeadm/strictdecode, built
// from the pinned Kubernetes v1.34.4 modules): the audit policy, EncryptionConfiguration,
// AdmissionConfiguration (with PodSecurity's) and AuthenticationConfiguration, unknown and
// duplicate fields refused. Built on first use (seconds: the packages are in the Go build cache
// from kube-apiserver's build), keyed by the program's source so an edit builds anew.
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { buildOnce, cacheDir, goBuild, toolsModule } from "./go-binaries";
import { runProcess, type ProcessResult } from "./process";

export type StrictKind = "audit-policy" | "encryption" | "admission" | "authentication";

const SOURCE = path.join(toolsModule("kubeadm"), "strictdecode", "main.go");

export function strictDecodeBinary(): Promise<string> {
  const digest = createHash("sha256").update(fs.readFileSync(SOURCE)).digest("hex").slice(0, 12);
  return buildOnce(path.join(cacheDir, `strictdecode-${digest}`), (target) => goBuild(target, toolsModule("kubeadm"), "./strictdecode", "-s -w"));
}

/** Decodes `text` strictly as `kind`; status 0 and "ok" when it decodes, else the decoder's error. */
export async function strictDecode(kind: StrictKind, text: string, dir: string): Promise<ProcessResult> {
  const file = path.join(dir, `${kind}-${createHash("sha256").update(text).digest("hex").slice(0, 8)}.yaml`);
  fs.writeFileSync(file, text, { mode: 0o600 });
  return runProcess(await strictDecodeBinary(), [kind, file], { allowFail: true });
}
