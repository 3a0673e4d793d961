// adoption (stacks/schema-adoption.ts, stacks/rules/adoption.ts): a description that adopts a
// hand-built single master names the running control plane first, on existing hosts, without the
// stale-state reset; every other shape is refused with field, value, problem and fix before
// anything exists.
import { describe, expect, it } from "vitest";
import { readStackFile } from "./stack-file";
import { validateCluster } from "./validate";

/** The existing-hosts example adopting its first control plane, k8s-master (seed 003's cluster). */
function adopting(edit: (c: any) => void = () => {}) {
  const cluster = structuredClone(readStackFile("examples/existing-hosts-external-lb.yaml").cluster) as Record<string, any>;
  cluster.adoption = { controlPlane: "k8s-master" };
  edit(cluster);
  return validateCluster(cluster, { secretsPresent: new Set(["sshPrivateKey", "veleroS3Credentials"] as const), planMode: true });
}
const errorsOf = (result: ReturnType<typeof adopting>) => (result.ok ? [] : result.problems.filter((p) => p.severity === "error"));

describe("adoption in the description", () => {
  it("takes the running control plane and a backup directory (default /var/lib/onprem-k8s/adoption)", () => {
    const result = adopting();
    expect(errorsOf(result)).toEqual([]);
    expect(result.ok && result.spec.adoption).toEqual({ controlPlane: "k8s-master", backupDir: "/var/lib/onprem-k8s/adoption" });
    const without = validateCluster(readStackFile("examples/existing-hosts-external-lb.yaml").cluster, { secretsPresent: new Set(["sshPrivateKey", "veleroS3Credentials"] as const), planMode: true });
    expect(without.ok && without.spec.adoption).toBeUndefined();
  });

  it.each([
    ["a control plane that is not listed", (c: any) => (c.adoption.controlPlane = "k8s-old"), "cluster.adoption.controlPlane", /k8s-old is not a control plane of controlPlane\.names \(k8s-master, k8s-master-2, k8s-master-3\)/, /list the running control plane first/],
    ["the running control plane listed second", (c: any) => (c.adoption.controlPlane = "k8s-master-2"), "cluster.adoption.controlPlane", /k8s-master-2 is listed, but not first: .*k8s-master here/, /list the running control plane first in controlPlane\.names and controlPlane\.addresses/],
    ["machines the platform would create", (c: any) => (c.platform = { type: "proxmox", proxmox: { endpoint: "https://pve.example.internal:8006/", nodes: ["pve1"], templateVmId: 9000, templateNode: "pve1", datastore: "local-lvm", vmIdStart: 200 } }), "cluster.platform.type", /platform\.type proxmox creates new machines/, /set platform\.type to existing/],
    ["the stale-state reset", (c: any) => (c.kubeadm = { resetStaleState: true }), "cluster.kubeadm.resetStaleState", /would be reset/, /set it to false\) while adoption is set/],
    ["a relative backup directory", (c: any) => (c.adoption.backupDir = "adoption"), "cluster.adoption.backupDir", /absolute path/, /./],
    ["an unknown key", (c: any) => (c.adoption.node = "k8s-master"), "cluster.adoption.node", /./, /./],
  ])("refuses %s, naming the field, the problem and the fix", (_what, edit, path, problem, fix) => {
    const found = errorsOf(adopting(edit)).filter((p) => p.path === path);
    expect(found, JSON.stringify(errorsOf(adopting(edit)))).toHaveLength(1);
    expect(found[0]!.problem).toMatch(problem);
    expect(found[0]!.fix).toMatch(fix);
  });
});
