// kubeletUsesExternalCloudProvider: the one condition for the vSphere CPI release and for kubelets'
// `cloud-provider: external` (components/kubeadm renders it into every node's kubeadm config).
import { describe, expect, it } from "vitest";
import { readStackFile, secretsPresent } from "../../stacks/stack-file";
import { validateCluster } from "../../stacks/validate";
import type { ClusterSpec } from "../../stacks/spec";
import { REPO_ROOT } from "../../test/harness";
import { addonReleases, kubeletUsesExternalCloudProvider } from "./plan";

function specOf(stack: string): ClusterSpec {
  const file = readStackFile(stack, REPO_ROOT);
  const result = validateCluster(file.cluster, { secretsPresent: secretsPresent(file), planMode: true });
  if (!result.ok) throw new Error(`${stack} does not validate: ${JSON.stringify(result.problems)}`);
  return result.spec;
}

describe("kubeletUsesExternalCloudProvider", () => {
  it.each([
    ["poc", true],
    ["prod", true],
    ["examples/existing-hosts-external-lb.yaml", false],
    ["examples/proxmox-keepalived-calico-nfs.yaml", false],
    ["examples/redos-proxy-calico-metallb-nfs.yaml", false],
  ])("%s: %s, and the vSphere CPI is installed exactly then", (stack, external) => {
    const spec = specOf(stack);
    expect(kubeletUsesExternalCloudProvider(spec)).toBe(external);
    expect(addonReleases(spec).some((release) => release.name === "vsphere-cpi")).toBe(external);
  });
});
