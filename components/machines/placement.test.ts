import { describe, expect, it } from "vitest";
import type { NodeSpec } from "../../stacks/spec";
import { placeOnProxmox, proxmoxDisks, proxmoxVmIdBlocks, vsphereDisks, type TemplateDisk } from "./placement";
import { parseVsphereTag, vsphereFolderPath } from "./vsphere";
import { proxmoxProviderSsh, proxmoxTags } from "./proxmox";

function node(name: string, pool: string, index: number, extra: Partial<NodeSpec> = {}): NodeSpec {
  return { name, role: pool === "control-plane" ? "control-plane" : "worker", pool, index, address: "10.0.0.1", cpus: 2, memoryMiB: 4096, diskGiB: 80, labels: {}, taints: [], ...extra };
}

const nodes = [
  node("cp-1", "control-plane", 0),
  node("cp-2", "control-plane", 1),
  node("cp-3", "control-plane", 2),
  node("w-1", "worker", 0),
  node("w-2", "worker", 1),
  node("big-1", "big", 0),
];

describe("placeOnProxmox", () => {
  const pools = ["worker", "big"];

  it("puts control planes on distinct nodes and numbers each pool from its own VMID block", () => {
    expect(placeOnProxmox(nodes, ["a", "b", "c"], 300, pools).map((p) => [p.node.name, p.proxmoxNode, p.vmId])).toEqual([
      ["cp-1", "a", 300],
      ["cp-2", "b", 301],
      ["cp-3", "c", 302],
      ["w-1", "a", 400],
      ["w-2", "b", 401],
      ["big-1", "a", 500],
    ]);
  });

  it("spreads each pool on its own, so growing one pool moves no machine of another", () => {
    const before = placeOnProxmox(nodes, ["a", "b"], 300, pools);
    const after = placeOnProxmox([...nodes.slice(0, 3), node("cp-4", "control-plane", 3), node("cp-5", "control-plane", 4), ...nodes.slice(3)], ["a", "b"], 300, pools);
    const hostOf = (list: typeof before, name: string) => list.find((p) => p.node.name === name)!.proxmoxNode;
    for (const name of ["w-1", "w-2", "big-1"]) expect(hostOf(after, name)).toBe(hostOf(before, name));
    expect(before.slice(0, 3).map((p) => p.proxmoxNode)).toEqual(["a", "b", "a"]);
  });

  it("adding a control plane or a worker leaves every other pool's VMIDs unchanged", () => {
    const vmIds = (list: ReturnType<typeof placeOnProxmox>) => Object.fromEntries(list.map((p) => [p.node.name, p.vmId]));
    const before = vmIds(placeOnProxmox(nodes, ["a", "b", "c"], 300, pools));
    const moreControlPlanes = vmIds(placeOnProxmox([...nodes.slice(0, 3), node("cp-4", "control-plane", 3), node("cp-5", "control-plane", 4), ...nodes.slice(3)], ["a", "b", "c"], 300, pools));
    const moreWorkers = vmIds(placeOnProxmox([...nodes.slice(0, 5), node("w-3", "worker", 2), nodes[5]], ["a", "b", "c"], 300, pools));
    expect(moreControlPlanes).toEqual({ ...before, "cp-4": 303, "cp-5": 304 });
    expect(moreWorkers).toEqual({ ...before, "w-3": 402 });
  });

  it("keeps an empty pool's block, so filling it later moves no pool after it", () => {
    const withEmpty = placeOnProxmox(nodes, ["a"], 300, ["empty", ...pools]);
    expect(withEmpty.map((p) => p.vmId)).toEqual([300, 301, 302, 500, 501, 600]);
  });

  it("refuses an empty node list, a pool past its block and VMIDs past Proxmox's largest", () => {
    expect(() => placeOnProxmox(nodes, [], 300, pools)).toThrow(/at least one Proxmox node/);
    expect(() => placeOnProxmox([node("w-101", "worker", 100)], ["a"], 300, pools)).toThrow(/workerPools\[0\].addresses: w-101 is machine 101 of pool worker, whose VMID block holds 100/);
    expect(() => placeOnProxmox(nodes, ["a"], 999_999_800, pools)).toThrow(/big-1 would get VMID 1000000000, above 999999999/);
    expect(() => placeOnProxmox(nodes, ["a"], 300, ["worker"])).toThrow(/worker pool big is not among the configured pools worker/);
  });
});

describe("proxmoxVmIdBlocks", () => {
  it("gives control planes the first block and each worker pool the next, by position", () => {
    expect(proxmoxVmIdBlocks(["worker", "nfs"], 200)).toEqual([
      { pool: "control-plane", path: "controlPlane.addresses", first: 200, size: 100 },
      { pool: "worker", path: "workerPools[0].addresses", first: 300, size: 100 },
      { pool: "nfs", path: "workerPools[1].addresses", first: 400, size: 100 },
    ]);
  });
});

describe("proxmoxDisks", () => {
  it("resizes scsi0 and adds a data disk on scsi1 only when asked", () => {
    expect(proxmoxDisks(node("n", "worker", 0), "local-lvm")).toEqual([{ interface: "scsi0", datastoreId: "local-lvm", size: 80, discard: "on" }]);
    expect(proxmoxDisks(node("n", "worker", 0, { dataDiskGiB: 200 }), "ceph")[1]).toEqual({ interface: "scsi1", datastoreId: "ceph", size: 200, discard: "on" });
  });
});

describe("vsphereDisks", () => {
  const template: TemplateDisk[] = [
    { label: "Hard disk 2", size: 10, thinProvisioned: false, eagerlyScrub: false, unitNumber: 1 },
    { label: "Hard disk 1", size: 20, thinProvisioned: false, eagerlyScrub: true, unitNumber: 0 },
  ];

  it("lines up with the template by unit number, grows the system disk and makes full clones thin", () => {
    expect(vsphereDisks(template, node("n", "worker", 0, { dataDiskGiB: 50 }), false)).toEqual([
      { label: "disk0", unitNumber: 0, size: 80, thinProvisioned: true, eagerlyScrub: false },
      { label: "disk1", unitNumber: 1, size: 10, thinProvisioned: true, eagerlyScrub: false },
      { label: "disk2", unitNumber: 2, size: 50, thinProvisioned: true, eagerlyScrub: false },
    ]);
  });

  it("copies the template's disks exactly for a linked clone", () => {
    expect(vsphereDisks(template, node("n", "worker", 0, { diskGiB: 20 }), true)).toEqual([
      { label: "disk0", unitNumber: 0, size: 20, thinProvisioned: false, eagerlyScrub: true },
      { label: "disk1", unitNumber: 1, size: 10, thinProvisioned: false, eagerlyScrub: false },
    ]);
  });

  it("skips the SCSI controller's unit 7 for a data disk", () => {
    const seven = Array.from({ length: 7 }, (_, i) => ({ label: `d${i}`, size: 1, thinProvisioned: true, eagerlyScrub: false, unitNumber: i }));
    expect(vsphereDisks(seven, node("n", "worker", 0, { dataDiskGiB: 5 }), false).at(-1)!.unitNumber).toBe(8);
  });

  it("explains what cannot be cloned", () => {
    expect(() => vsphereDisks(template, node("n", "worker", 0), true)).toThrow(/linked clone keeps the template's 20 GiB system disk, but diskGiB is 80; set the pool's diskGiB to 20/);
    expect(() => vsphereDisks(template, node("n", "worker", 0, { diskGiB: 16 }), false)).toThrow(/diskGiB 16 is smaller than the template's 20 GiB/);
    expect(() => vsphereDisks([], node("n", "worker", 0), false)).toThrow(/template has no disk/);
  });
});

describe("vSphere and Proxmox naming helpers", () => {
  it("parses category/tag and builds the folder's inventory path", () => {
    expect(parseVsphereTag("k8s/poc")).toEqual({ category: "k8s", tag: "poc" });
    expect(() => parseVsphereTag("poc")).toThrow(/not category\/tag/);
    expect(vsphereFolderPath("DC1", "/k8s/poc/")).toBe("/DC1/vm/k8s/poc");
  });

  it("gives Proxmox tags sorted, as Proxmox stores them", () => {
    expect(proxmoxTags("homelab", "worker")).toEqual(["homelab", "onprem-k8s", "worker"]);
  });
});

describe("proxmoxProviderSsh", () => {
  it("leaves the provider's environment alone without settings, and needs a key without the agent", () => {
    expect(proxmoxProviderSsh(undefined, undefined)).toBeUndefined();
    expect(() => proxmoxProviderSsh({ username: "root", agent: false, nodeAddresses: {} }, undefined)).toThrow(/secret proxmoxSshPrivateKey is required/);
    expect(proxmoxProviderSsh({ username: "root", agent: true, nodeAddresses: {} }, "ignored")).toEqual({ username: "root", agent: true, privateKey: undefined, nodes: undefined });
  });
});
