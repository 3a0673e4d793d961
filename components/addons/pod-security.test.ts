// Pod Security Admission's exemptions (components/kubeadm/hardening.ts privilegedNamespacesOf) are
// written below the add-on layer; this checks them against the add-ons the program installs: every
// namespace whose Pods need host access (host network, host paths, privileged containers) at the
// enforced level is exempt whenever its add-on is chosen, in every shipped stack.
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { stackSpec } from "../../test/stack-spec";
import { privilegedNamespacesOf } from "../kubeadm/hardening";
import { VSPHERE_CSI_RELEASE } from "./charts";
import { METALLB_NAMESPACE } from "./metallb/values";
import { VELERO_NAMESPACE, addonReleases } from "./plan";

const root = path.resolve(__dirname, "..", "..");
const stacks = ["poc", "prod", ...fs.readdirSync(path.join(root, "examples")).filter((f) => f.endsWith(".yaml")).map((f) => `examples/${f}`)];

/** Releases whose Pods need host access, by chart: the namespace they run in must be exempt. */
const PRIVILEGED_CHARTS = ["cilium", "tigera-operator", "metallb", "velero", "vsphere-cpi"];

describe.each(stacks)("%s", (stack) => {
  const spec = stackSpec(stack);
  const exempt = privilegedNamespacesOf(spec);

  it("exempts every privileged add-on's namespace", () => {
    for (const release of addonReleases(spec).filter((r) => PRIVILEGED_CHARTS.includes(r.chart))) {
      expect(exempt, `${release.name} in ${release.namespace}`).toContain(release.namespace);
    }
    if (spec.addons.cni.type === "calico") expect(exempt).toContain("calico-system"); // the operator's own
    if (spec.addons.loadBalancer.type === "metallb") expect(exempt).toContain(METALLB_NAMESPACE);
    if (spec.addons.storage.type === "vsphere-csi") expect(exempt).toContain(VSPHERE_CSI_RELEASE.namespace);
    if (spec.addons.backups.velero?.enabled) expect(exempt).toContain(VELERO_NAMESPACE);
    expect(exempt).toContain("kube-system"); // kubeadm's static Pods, NodeLocal DNSCache, etcd snapshots
  });

  it("exempts no namespace of an add-on that is not chosen", () => {
    const installed = new Set(["kube-system", "calico-system", ...addonReleases(spec).map((r) => r.namespace), ...(spec.addons.storage.type === "vsphere-csi" ? [VSPHERE_CSI_RELEASE.namespace] : [])]);
    for (const namespace of exempt) expect(installed, namespace).toContain(namespace);
  });
});
