import { describe, expect, it } from "vitest";
import { stackSpec as specOf } from "../../test/stack-spec";
import { ArtifactSink } from "../artifacts";
import type { ClusterContext } from "../context";
import { mtuChecklist, nsxFirewallRules, onNsxSegment, acceptanceChecklist } from "./checklists";
import { renderChecklists } from "./index";
import { requiredPorts } from "../../stacks/ports";

/** Rows of the markdown table, in order; a table split by a blank line would lose its tail here. */
function tableRows(markdown: string): string[] {
  const lines = markdown.split("\n");
  const header = lines.indexOf("| source | destination | service | purpose |");
  const rows: string[] = [];
  for (const line of lines.slice(header + 2)) {
    if (!line.startsWith("|")) break;
    rows.push(line);
  }
  return rows;
}

describe("NSX DFW rules", () => {
  it.each(["poc", "prod"])("%s: one unbroken table that covers the API VIP, the ingress address, every pool and ICMP", (stack) => {
    const spec = specOf(stack);
    const rules = nsxFirewallRules(spec);
    const rows = tableRows(rules);
    expect(rules.split("\n").filter((l) => l.startsWith("|")).slice(2)).toEqual(rows);
    const vip = spec.apiEndpoint.vip!;
    expect(rows).toContainEqual(`| any | ${vip} (API VIP) | ${spec.apiEndpoint.port}/TCP | Kubernetes API through the VIP (kube-vip) |`);
    const ingress = spec.addons.ingress;
    expect(ingress.type !== "none" && ingress.loadBalancerIP).toBeTruthy();
    expect(rows.some((r) => r.includes(`| ${ingress.type !== "none" ? ingress.loadBalancerIP : ""} (ingress) | 80/TCP, 443/TCP |`))).toBe(true);
    const lb = spec.addons.loadBalancer;
    if (lb.type !== "metallb") throw new Error("the NSX stacks use MetalLB");
    expect(lb.pools.length).toBeGreaterThan(0);
    for (const pool of lb.pools) expect(rows.some((r) => r.includes(`${pool.addresses.join(", ")} (MetalLB pool ${pool.name})`)), pool.name).toBe(true);
    expect(rows.some((r) => /^\| k8s-nodes \| k8s-nodes \| ICMP echo, ICMP destination unreachable/.test(r))).toBe(true);
    // the MTU checklist's probe is the one the ICMP rule allows
    expect(mtuChecklist(spec)).toContain("ping -M do");
  });

  it("names the VRRP rule only where keepalived runs, without splitting the table", () => {
    const spec = specOf("poc");
    const keepalived = { ...spec, apiEndpoint: { ...spec.apiEndpoint, mode: "keepalived-haproxy" as const } };
    const rows = tableRows(nsxFirewallRules(keepalived));
    expect(rows.filter((r) => r.includes("VRRP"))).toHaveLength(1);
    expect(rows.at(-1)).toMatch(/^\| k8s-nodes \| any \| any \|/);
    expect(tableRows(nsxFirewallRules(spec)).some((r) => r.includes("VRRP"))).toBe(false);
  });
});

describe("NSX DFW rules: what the program itself connects to, and what the CNI mode needs", () => {
  it("SSH from the machine running Pulumi to every node, and the API through the VIP, as a placeholder to fill in without network.operatorCidr", () => {
    const spec = specOf("poc");
    expect(spec.network.operatorCidr).toBeUndefined();
    const markdown = nsxFirewallRules(spec);
    const rows = tableRows(markdown);
    const placeholder = "<the machine running Pulumi: fill in its address, or set network.operatorCidr>";
    expect(rows).toContainEqual(`| ${placeholder} | k8s-nodes | ${spec.ssh.port}/tcp | SSH: node preparation, kubeadm and every day-2 step run over it |`);
    expect(rows).toContainEqual(`| ${placeholder} | ${spec.apiEndpoint.vip} (API VIP) | ${spec.apiEndpoint.port}/TCP | Pulumi's kubernetes provider installs the add-ons through the VIP |`);
    expect(markdown).toMatch(/runs over SSH from the machine running Pulumi/);
  });

  it("names network.operatorCidr as the source where the description gives it, and the SSH port it sets", () => {
    const spec = specOf("poc", (c) => {
      c.network.operatorCidr = "10.20.30.0/28";
      c.ssh.port = 2222;
    });
    const rows = tableRows(nsxFirewallRules(spec));
    expect(rows.filter((r) => r.startsWith("| 10.20.30.0/28 (machine running Pulumi) |"))).toHaveLength(3);
    expect(rows).toContainEqual(expect.stringMatching(/^\| 10\.20\.30\.0\/28 \(machine running Pulumi\) \| k8s-nodes \| 2222\/tcp \| SSH/));
    expect(rows.some((r) => r.includes("<the machine running Pulumi"))).toBe(false);
  });

  it("Calico IP-in-IP gets IP protocol 4 and BGP; VXLAN gets 4789/udp and neither", () => {
    const ipip = tableRows(nsxFirewallRules(specOf("poc", (c) => (c.addons.cni = { type: "calico", mode: "ipip" }))));
    expect(ipip).toContainEqual("| k8s-nodes | k8s-nodes | IP protocol 4 (IP-in-IP) | Calico IP-in-IP tunnel |");
    expect(ipip).toContainEqual("| k8s-nodes | k8s-nodes | 179/tcp | Calico BGP |");
    const vxlan = tableRows(nsxFirewallRules(specOf("poc", (c) => (c.addons.cni = { type: "calico", mode: "vxlan" }))));
    expect(vxlan).toContainEqual("| k8s-nodes | k8s-nodes | 4789/udp | Calico VXLAN |");
    expect(vxlan.some((r) => /IP protocol 4|179\/tcp/.test(r))).toBe(false);
  });

  it("Cilium: Geneve or VXLAN by tunnel mode, health always, Hubble only with the relay", () => {
    const geneve = tableRows(nsxFirewallRules(specOf("poc", (c) => (c.addons.cni = { type: "cilium", mode: "geneve", hubble: true }))));
    expect(geneve.map((r) => r.split(" | ")[2])).toEqual(expect.arrayContaining(["6081/udp", "4240/tcp", "4244/tcp"]));
    expect(geneve.some((r) => r.includes("8472/udp"))).toBe(false);
    const vxlan = tableRows(nsxFirewallRules(specOf("poc", (c) => (c.addons.cni = { type: "cilium", mode: "vxlan", hubble: false }))));
    expect(vxlan.map((r) => r.split(" | ")[2])).toEqual(expect.arrayContaining(["8472/udp", "4240/tcp"]));
    expect(vxlan.some((r) => r.includes("4244/tcp") || r.includes("6081/udp"))).toBe(false);
  });

  it("every rule of the one port list is a row", () => {
    for (const stack of ["poc", "prod", "examples/redos-proxy-calico-metallb-nfs.yaml"]) {
      const spec = specOf(stack);
      const rows = tableRows(nsxFirewallRules(spec));
      for (const rule of requiredPorts(spec)) expect(rows.some((r) => r.endsWith(`| ${rule.purpose} |`)), rule.purpose).toBe(true);
    }
  });
});

describe("NSX artifacts only on NSX segments", () => {
  const rendered = (stack: string) => {
    const artifacts = new ArtifactSink();
    renderChecklists({ spec: specOf(stack), artifacts } as unknown as ClusterContext);
    return artifacts.list().map((a) => a.path);
  };

  it.each(["poc", "prod"])("%s (nsx: true) gets the DFW rules and SpoofGuard allow-list", (stack) => {
    expect(onNsxSegment(specOf(stack))).toBe(true);
    expect(rendered(stack)).toEqual(expect.arrayContaining(["checks/nsx-dfw-rules.md", "checks/spoofguard-allow-list.md"]));
    expect(acceptanceChecklist(specOf(stack))).toContain("NSX DFW");
  });

  it.each(["examples/redos-proxy-calico-metallb-nfs.yaml", "examples/proxmox-keepalived-calico-nfs.yaml", "examples/existing-hosts-external-lb.yaml"])(
    "%s (a VLAN port group, Proxmox or existing hosts) gets none, and no checklist mentions NSX",
    (stack) => {
      const spec = specOf(stack);
      expect(onNsxSegment(spec)).toBe(false);
      expect(rendered(stack).filter((p) => /nsx|spoofguard/.test(p))).toEqual([]);
      expect(acceptanceChecklist(spec)).not.toMatch(/NSX/);
      expect(mtuChecklist(spec)).not.toMatch(/NSX/);
    },
  );
});
