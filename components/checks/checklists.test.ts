import { describe, expect, it } from "vitest";
import { stackSpec as specOf } from "../../test/stack-spec";
import { ArtifactSink } from "../artifacts";
import type { ClusterContext } from "../context";
import { mtuChecklist, nsxFirewallRules, onNsxSegment, acceptanceChecklist } from "./checklists";
import { renderChecklists } from "./index";

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
