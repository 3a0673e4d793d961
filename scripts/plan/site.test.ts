import { describe, expect, it } from "vitest";
import { stackSpec } from "../../test/stack-spec";
import { siteAddons } from "./site-addons";
import { checklistLinks, osLines, reservedAddresses, siteMarkdown } from "./site";

const REDOS = "examples/redos-proxy-calico-metallb-nfs.yaml";
const EXISTING = "examples/existing-hosts-external-lb.yaml";

describe("summary: add-ons", () => {
  it("lists the vSphere CSI driver (a manifest) with its pinned release and where it is fetched from, the site's copy when given", () => {
    const row = (edit: (c: any) => void = () => {}) => siteAddons(stackSpec("prod", edit)).find((a) => a.name === "vSphere CSI driver");
    expect(row()).toMatchObject({ kind: "manifest", version: "v3.7.3", source: expect.stringContaining("raw.githubusercontent.com/kubernetes-sigs/vsphere-csi-driver/v3.7.3/") });
    const mirrored = row((c) => (c.addons.storage.vsphereCsi = { ...c.addons.storage.vsphereCsi, manifestUrl: "https://mirror.corp.example/csi/v3.7.3/vsphere-csi-driver.yaml" }));
    expect(mirrored?.source).toMatch(/^https:\/\/mirror\.corp\.example\/csi\//);
  });

  it("lists NodeLocal DNSCache with its image tag and the mirror registry where there is one", () => {
    expect(siteAddons(stackSpec("poc")).some((a) => a.name === "NodeLocal DNSCache")).toBe(false);
    const rows = siteAddons(
      stackSpec("poc", (c) => {
        c.addons.nodeLocalDns = { enabled: true };
        c.registries = { ...c.registries, imageRegistry: "registry.corp.example:5000" };
      }),
    );
    expect(rows.find((a) => a.name === "NodeLocal DNSCache")).toMatchObject({ kind: "manifest", version: "1.26.7", source: expect.stringContaining("registry.corp.example:5000/dns/k8s-dns-node-cache:1.26.7") });
  });

  it("Helm charts come from the chart mirror where one is set", () => {
    const rows = siteAddons(stackSpec("poc", (c) => (c.registries = { ...c.registries, chartRepository: "oci://registry.corp.example/charts" })));
    expect(rows.find((a) => a.name === "cilium")).toMatchObject({ kind: "Helm chart", version: "1.20.0", source: "oci://registry.corp.example/charts/cilium" });
  });

  it("names the API endpoint's pieces and a node's NFS server, which are no Kubernetes resources", () => {
    const redos = siteAddons(stackSpec(REDOS));
    expect(redos[0]).toMatchObject({ name: "keepalived and haproxy (API VIP)", kind: "node packages" });
    expect(redos.some((a) => a.name === "NFS server on pcp-nfs-1")).toBe(true);
    expect(siteAddons(stackSpec("poc"))[0]).toMatchObject({ name: "kube-vip (API VIP)", kind: "static pod", version: "v1.2.3" });
  });
});

describe("summary: site", () => {
  it("addresses to reserve: VIP, ingress address, every pool, then the nodes", () => {
    const spec = stackSpec(REDOS);
    expect(reservedAddresses(spec).map((r) => r.address)).toEqual(["10.255.106.20", "10.255.106.21", "10.255.106.21-10.255.106.30", spec.nodes.map((n) => n.address).join(", ")]);
  });

  it("existing hosts: no vCPU, memory or disk the program does not set", () => {
    const spec = stackSpec(EXISTING);
    const text = siteMarkdown(spec, []).join("\n");
    expect(text).toContain("| node | role | pool | address |\n");
    expect(text).not.toMatch(/GiB|vCPU/);
    expect(text).toContain("neither creates nor sizes them");
    expect(siteMarkdown(stackSpec("poc"), []).join("\n")).toContain("| node | role | pool | address | vCPU | memory | disk |");
  });

  it("the OS, and on the dnf family what happens to firewalld", () => {
    expect(osLines(stackSpec("poc"))).toEqual([expect.stringMatching(/^- OS: ubuntu 24\.04 \(apt family\), from the template$/)]);
    const redos = osLines(stackSpec(REDOS)).join("\n");
    expect(redos).toMatch(/^- OS: redos 8 \(dnf family\)/);
    expect(redos).toContain("zone k8s-pods trusts cali+, vxlan.calico and 10.244.0.0/16");
    expect(redos).toContain("Calico's system requirements ask for firewalld to be disabled");
    expect(osLines(stackSpec(REDOS, (c) => (c.os.firewall = "disabled"))).join("\n")).toContain("firewalld: turned off on every node");
  });

  it("Hubble is named with Cilium, on or off", () => {
    expect(siteMarkdown(stackSpec("poc", (c) => (c.addons.cni.hubble = true)), []).join("\n")).toContain("- Hubble: relay and UI on");
    expect(siteMarkdown(stackSpec(REDOS), []).join("\n")).not.toContain("Hubble");
  });

  it("links the checklists relative to summary.md, NSX ones marked", () => {
    expect(checklistLinks([{ kind: "checklist", path: "checks/nsx-dfw-rules.md" }, { kind: "manifest", path: "addons/x.yaml" }])).toEqual(["- [checks/nsx-dfw-rules.md](artifacts/checks/nsx-dfw-rules.md) (NSX)"]);
  });
});
