// The Kubernetes packages on a lab node: the version the description names, installed from the
// lab's repository and held, so an unattended apt upgrade cannot move them.
import { expect } from "vitest";
import type { LabNode } from "../../cluster/node";

export async function expectPackagesHeld(node: LabNode, name: string, version: string): Promise<void> {
  const installed = await node.exec("dpkg-query -W -f='${Package}=${Version}\\n' kubeadm kubelet kubectl", { check: true });
  expect(installed.stdout.split("\n").filter(Boolean), name).toEqual(["kubeadm", "kubectl", "kubelet"].map((p) => `${p}=${version}-1.1`));
  expect((await node.exec("apt-mark showhold", { check: true })).stdout.split("\n").filter(Boolean).sort(), name).toEqual(["kubeadm", "kubectl", "kubelet"]);
  expect((await node.exec("kubelet --version", { check: true })).stdout.trim(), name).toBe(`Kubernetes v${version}`);
}
