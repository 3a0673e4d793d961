// The Proxmox machines of the home-lab example as the engine would receive them: clone source,
// placement over the Proxmox nodes, VMIDs, sizes, network, the snippet holding the rendered
// user-data, and protect only under the prod profile.
import { beforeAll, describe, expect, it } from "vitest";
import { artifactAt, planStack, resourceNamed, resourcesOfType, type PlanResult } from "../../test/harness";

const EXAMPLE = "examples/proxmox-keepalived-calico-nfs.yaml";
const VM = "proxmoxve:index/vmLegacy:VmLegacy";
const FILE = "proxmoxve:index/fileLegacy:FileLegacy";
const COMMAND = "command:remote:Command";
const PROVIDER = "pulumi:providers:proxmoxve";

let lab: PlanResult;
beforeAll(async () => {
  lab = await planStack(EXAMPLE);
});

describe("Proxmox machines (home-lab example)", () => {
  it("clones the template with the node's sizes, disk, network, agent, onBoot and static address", () => {
    const vm = resourceNamed(lab, VM, "k8s-master-2");
    expect(vm.inputs).toEqual({
      name: "k8s-master-2",
      nodeName: "pve2",
      vmId: 201,
      description: expect.stringMatching(/control-plane k8s-master-2 of Kubernetes cluster homelab/),
      tags: ["control-plane", "homelab", "onprem-k8s"],
      clone: { vmId: 9000, nodeName: "pve1", full: true, datastoreId: "local-lvm", retries: 3 },
      cpu: { cores: 4, sockets: 1, type: "x86-64-v2-AES" },
      memory: { dedicated: 16384 },
      agent: { enabled: true, trim: true },
      disks: [{ interface: "scsi0", datastoreId: "local-lvm", size: 64, discard: "on" }],
      networkDevices: [{ bridge: "vmbr1", vlanId: 20, model: "virtio", mtu: 1500 }],
      operatingSystem: { type: "l26" },
      initialization: {
        datastoreId: "local-lvm",
        ipConfigs: [{ ipv4: { address: "10.0.20.110/24", gateway: "10.0.20.1" } }],
        dns: { servers: ["10.0.20.1"], domain: "lab.example.internal" },
        userDataFileId: "k8s-master-2-user-data-id",
      },
      onBoot: true,
      started: true,
    });
    expect(vm.dependencies).toContain(resourceNamed(lab, FILE, "k8s-master-2-user-data").urn);
  });

  it("spreads control planes over distinct Proxmox nodes and numbers each pool from its own VMID block", () => {
    const placement = resourcesOfType(lab, VM).map((vm) => [vm.name, vm.inputs.nodeName, vm.inputs.vmId]);
    expect(placement).toEqual([
      ["k8s-master", "pve1", 200],
      ["k8s-master-2", "pve2", 201],
      ["k8s-master-3", "pve3", 202],
      ["k8s-node1", "pve1", 300],
      ["k8s-node2", "pve2", 301],
      ["k8s-node3", "pve3", 302],
      ["k8s-node4", "pve1", 303],
    ]);
  });

  it("adding a control plane leaves every worker's VM (VMID, node, inputs) unchanged", async () => {
    const grown = await planStack(EXAMPLE, (c) => {
      c.controlPlane.names.push("k8s-master-4", "k8s-master-5");
      c.controlPlane.addresses.push("10.0.20.112", "10.0.20.113");
    });
    const workersOf = (plan: PlanResult) => resourcesOfType(plan, VM).filter((vm) => vm.name.startsWith("k8s-node")).map((vm) => [vm.name, vm.inputs]);
    expect(workersOf(grown)).toEqual(workersOf(lab));
    expect(workersOf(lab).map(([, inputs]) => (inputs as { vmId: number }).vmId)).toEqual([300, 301, 302, 303]);
    expect(resourceNamed(grown, VM, "k8s-master-5").inputs.vmId).toBe(204);
  });

  it("uploads each machine's rendered user-data as a snippet on the VM's own Proxmox node", () => {
    for (const vm of resourcesOfType(lab, VM)) {
      const snippet = resourceNamed(lab, FILE, `${vm.name}-user-data`);
      expect(snippet.inputs).toEqual({
        nodeName: vm.inputs.nodeName,
        datastoreId: "local",
        contentType: "snippets",
        sourceRaw: { fileName: `homelab-${vm.name}-user-data.yaml`, data: artifactAt(lab, `machines/${vm.name}/user-data.yaml`) },
        overwrite: true,
      });
    }
    const userData = artifactAt(lab, "machines/k8s-node1/user-data.yaml");
    expect(userData).toMatch(/^#cloud-config\nhostname: k8s-node1\n/);
    expect(userData).toMatch(/packages:\n  - qemu-guest-agent/);
  });

  it("uses its own provider with the API token as a secret; machines depend on their VM", () => {
    const [provider] = resourcesOfType(lab, PROVIDER);
    expect(provider.inputs).toMatchObject({ endpoint: "https://pve1.lab.example.internal:8006/", insecure: "true" });
    expect(provider.secretPaths).toContain("apiToken");
    expect(provider.secretPaths).not.toContain("endpoint");
    for (const vm of resourcesOfType(lab, VM)) {
      expect(vm.provider).toContain("homelab-machines-proxmox");
      expect(resourceNamed(lab, COMMAND, `${vm.name}-reachable`).dependencies).toContain(vm.urn);
    }
  });

  it("gives the provider the SSH login for snippet uploads, the private key only as a secret", () => {
    const [provider] = resourcesOfType(lab, PROVIDER);
    const ssh = typeof provider.inputs.ssh === "string" ? JSON.parse(provider.inputs.ssh) : provider.inputs.ssh;
    expect(ssh).toEqual({ username: "root", agent: false, privateKey: "<secret proxmoxSshPrivateKey: not set in the stack file>" });
    // Provider config travels JSON-encoded, so the key makes the whole ssh block a secret.
    expect(provider.secretPaths).toEqual(["apiToken", "ssh"]);
  });

  it("with the SSH agent and node addresses: no key, per-node addresses, no secret ssh block", async () => {
    const agent = await planStack(EXAMPLE, (c) => (c.platform.proxmox.ssh = { username: "root", agent: true, nodeAddresses: { pve2: "10.0.10.2", pve3: "pve3.mgmt.example.internal" } }));
    const [provider] = resourcesOfType(agent, PROVIDER);
    const ssh = typeof provider.inputs.ssh === "string" ? JSON.parse(provider.inputs.ssh) : provider.inputs.ssh;
    expect(ssh).toEqual({ username: "root", agent: true, nodes: [{ name: "pve2", address: "10.0.10.2" }, { name: "pve3", address: "pve3.mgmt.example.internal" }] });
    expect(provider.secretPaths.filter((path) => path.startsWith("ssh"))).toEqual([]);
  });

  it("protects nothing under the poc profile", () => {
    expect(lab.resources.filter((r) => r.protect).map((r) => r.name)).toEqual([]);
  });

  it("under the prod profile protects the VMs and their snippets, not the provider or SSH steps", async () => {
    const prod = await planStack(EXAMPLE, (c) => {
      c.profile = "prod";
      c.addons.backups = { velero: { enabled: false } };
    });
    for (const type of [VM, FILE]) for (const r of resourcesOfType(prod, type)) expect(r.protect, r.name).toBe(true);
    for (const type of [PROVIDER, COMMAND]) for (const r of resourcesOfType(prod, type)) expect(r.protect, r.name).toBe(false);
  });

  it("warns when there are fewer Proxmox nodes than control planes, and still spreads what it can", async () => {
    const two = await planStack(EXAMPLE, (c) => (c.platform.proxmox.nodes = ["pve1", "pve2"]));
    expect(two.warnings.map((w) => w.path)).toContain("cluster.platform.proxmox.nodes");
    expect(resourcesOfType(two, VM).slice(0, 3).map((vm) => vm.inputs.nodeName)).toEqual(["pve1", "pve2", "pve1"]);
  });
});
