// The add-on phases' descriptions (addons-plan.ts), without the lab: the journey's description as
// it stands when the add-on group starts (keepalived + haproxy, no load balancer or ingress, the
// spare hosts out, hardening's Pod Security baseline), with MetalLB and Traefik added, is a
// description the program accepts and plans both releases for; the pool change is accepted, the
// planted pool refused; the exemption the first phase rolls out is MetalLB's namespace, it changes
// the control planes' settings (so pulumi up rolls them), and the apiservers' AdmissionConfiguration
// as the program renders it then lists it.
import { describe, expect, it } from "vitest";
import { addonReleases } from "../../../components/addons/plan";
import { METALLB_NAMESPACE } from "../../../components/addons/metallb/values";
import { renderAdmissionConfiguration } from "../../../components/kubeadm/hardening";
import { settingsDigest } from "../../../components/kubeadm/settings";
import { labCluster, labDescriptionSpec, type LabFacts } from "../../lab/stack-config";
import { OUTSIDE_POOL, admissionExemptions, changedPools, firstPools, ingressAddress, missingExemptions, withAddons } from "./addons-plan";
import { SPARE_CONTROL_PLANES, SPARE_WORKERS, withoutSpareHosts } from "./growth";

const address = (octet: number) => `10.251.0.${octet}`;
const lab: LabFacts = {
  hosts: [
    ...["k8s-master", "k8s-master-2", "k8s-master-3", ...SPARE_CONTROL_PLANES].map((name, i) => ({ name, role: "control-plane" as const, address: address([100, 110, 111, 112, 113][i]!) })),
    ...["k8s-node1", ...SPARE_WORKERS].map((name, i) => ({ name, role: "worker" as const, address: address(101 + i) })),
  ],
  subnet: "10.251.0.0/24",
  gateway: address(1),
  vip: address(99),
  sshUser: "root",
  sshPort: 22,
  publicKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHk8Jq3w2vB7rL0c9pXy4Zt1sM6nQe5uRk2aD8fGh1Tj lab",
  kubernetesVersion: "1.34.4",
  packageRepository: "http://10.251.0.1:8080/repo",
  interfaceName: "eth0",
};

/** The journey's description when the add-on group starts: its stack (day2/journey.ts journeyStack) after the hardening group. */
const journey = labCluster(lab, (cluster) => {
  cluster.endpoint = { mode: "keepalived-haproxy", vip: cluster.endpoint.vip, dnsName: "k8s-apiserver.lab.example.internal", port: 16443, virtualRouterId: 51 };
  cluster.addons.loadBalancer = { type: "none" };
  cluster.addons.ingress = { type: "none" };
  withoutSpareHosts(cluster);
  cluster.kubernetes.podSecurity = { enforce: "baseline", warn: "restricted" };
});

describe("the add-on phases' descriptions", () => {
  it("plan MetalLB and Traefik for the journey's description, the ingress at its fixed address inside the pool", () => {
    const planned = labDescriptionSpec(withAddons(journey, lab.gateway, firstPools(lab.gateway)));
    expect(addonReleases(planned).map((r) => r.name)).toEqual(expect.arrayContaining(["metallb", "traefik"]));
    expect(planned.addons.loadBalancer).toMatchObject({ type: "metallb", mode: "l2", pools: [{ name: "default", addresses: ["10.251.0.200-10.251.0.220"] }] });
    expect(planned.addons.ingress).toMatchObject({ type: "traefik", loadBalancerIP: ingressAddress(lab.gateway) });
    // The journey's own description is untouched: its stack keeps no load balancer.
    expect(labDescriptionSpec(journey).addons.loadBalancer.type).toBe("none");
  });

  it("accept the pool change (the ingress's address kept) and refuse the planted pool outside the node subnet", () => {
    expect(labDescriptionSpec(withAddons(journey, lab.gateway, changedPools(lab.gateway))).addons.loadBalancer.pools[0]!.addresses).toEqual(["10.251.0.200/32", "10.251.0.230-10.251.0.240"]);
    expect(() => labDescriptionSpec(withAddons(journey, lab.gateway, [...changedPools(lab.gateway), OUTSIDE_POOL]))).toThrow(/an L2 pool must lie inside the node subnet/);
  });

  it("exempt MetalLB's namespace from the enforced Pod Security, as the program would, once", () => {
    const before = labDescriptionSpec(journey);
    const planned = labDescriptionSpec(withAddons(journey, lab.gateway, firstPools(lab.gateway)));
    const missing = missingExemptions(before, planned);
    expect(missing).toEqual([METALLB_NAMESPACE]);
    expect(admissionExemptions(renderAdmissionConfiguration({ ...before.kubernetes.podSecurity, exemptNamespaces: ["kube-system"] }))).not.toContain(METALLB_NAMESPACE);
    // The first phase's edit: the stack's own exemptions then hold it, and nothing is missing any more.
    const exempted = structuredClone(journey);
    exempted.kubernetes.podSecurity.exemptNamespaces = missing;
    const after = labDescriptionSpec(exempted);
    expect(missingExemptions(after, labDescriptionSpec(withAddons(exempted, lab.gateway, firstPools(lab.gateway))))).toEqual([]);
    // The edit changes the control planes' settings, so its pulumi up rolls them (the phase expects one settings step each).
    expect(settingsDigest(after)).not.toBe(settingsDigest(before));
    expect(admissionExemptions(renderAdmissionConfiguration({ ...after.kubernetes.podSecurity, exemptNamespaces: ["kube-system", ...after.kubernetes.podSecurity.exemptNamespaces] }))).toEqual(["kube-system", METALLB_NAMESPACE]);
    expect(admissionExemptions("")).toEqual([]);
  });
});
