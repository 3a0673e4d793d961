// Where test tooling keeps what it builds or downloads (kubeadm binary, the Debian sandbox root,
// the kubernetes-validate packages, CRDs): outside the checkout, so a fresh clone on the same
// machine (CI) reuses it. ONPREM_K8S_CACHE overrides the location.
import * as os from "node:os";
import * as path from "node:path";

export function toolCache(...parts: string[]): string {
  const root = process.env.ONPREM_K8S_CACHE ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), ".cache"), "onprem-k8s");
  return path.join(root, ...parts);
}
