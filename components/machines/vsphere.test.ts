// The vSphere machines as the engine would receive them for the PoC and prod stacks: clone
// source, sizes, placement, network, disks, guestinfo decoding to the rendered cloud-init, the
// DRS rule, and protect only in prod.
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { artifactAt, planStack, resourceNamed, resourcesOfType, type PlanResult } from "../../test/harness";

const VM = "vsphere:index/virtualMachine:VirtualMachine";
const RULE = "vsphere:index/computeClusterVmAntiAffinityRule:ComputeClusterVmAntiAffinityRule";
const COMMAND = "command:remote:Command";
const PROVIDER = "pulumi:providers:vsphere";

const decode = (text: unknown) => Buffer.from(String(text), "base64").toString("utf8");

let poc: PlanResult;
let prod: PlanResult;
beforeAll(async () => {
  poc = await planStack("poc");
  prod = await planStack("prod");
});

describe("vSphere machines (PoC stack)", () => {
  it("clones the template once per node with the node's sizes, placement and network", () => {
    expect(resourcesOfType(poc, VM).map((vm) => vm.name)).toEqual(["nsx-poc-cp-1", "nsx-poc-cp-2", "nsx-poc-cp-3", "nsx-poc-worker-1", "nsx-poc-worker-2"]);
    const cp = resourceNamed(poc, VM, "nsx-poc-cp-1");
    const { extraConfig, clone, annotation, ...rest } = cp.inputs as Record<string, any>;
    // Lookups answer with `<name asked for>-id` under the mocks, so the ids show what was looked up.
    expect(rest).toEqual({
      name: "nsx-poc-cp-1",
      resourcePoolId: "Cluster-A/Resources/k8s-poc-id",
      datastoreId: "vsanDatastore-id",
      folder: "k8s/poc",
      numCpus: 2,
      memory: 8192,
      guestId: "ubuntu64Guest",
      firmware: "efi",
      scsiType: "pvscsi",
      networkInterfaces: [{ networkId: "seg-k8s-nodes-id", adapterType: "vmxnet3" }],
      disks: [{ label: "disk0", unitNumber: 0, size: 80, thinProvisioned: true, eagerlyScrub: false }],
      enableDiskUuid: true,
      tags: ["poc-id"],
    });
    expect(clone).toEqual({ templateUuid: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-/), linkedClone: false });
    expect(annotation).toMatch(/control-plane nsx-poc-cp-1 of Kubernetes cluster nsx-poc/);
    const worker = resourceNamed(poc, VM, "nsx-poc-worker-1").inputs as Record<string, any>;
    expect([worker.numCpus, worker.memory, worker.disks[0].size]).toEqual([4, 16384, 100]);
  });

  it("hands cloud-init the rendered user-data and metadata through base64 guestinfo keys", () => {
    const extraConfig = resourceNamed(poc, VM, "nsx-poc-worker-2").inputs.extraConfig as Record<string, string>;
    expect(Object.keys(extraConfig).sort()).toEqual(["guestinfo.metadata", "guestinfo.metadata.encoding", "guestinfo.userdata", "guestinfo.userdata.encoding"]);
    expect(extraConfig["guestinfo.userdata.encoding"]).toBe("base64");
    expect(extraConfig["guestinfo.metadata.encoding"]).toBe("base64");
    expect(decode(extraConfig["guestinfo.userdata"])).toBe(artifactAt(poc, "machines/nsx-poc-worker-2/user-data.yaml"));
    expect(decode(extraConfig["guestinfo.metadata"])).toBe(artifactAt(poc, "machines/nsx-poc-worker-2/meta-data.yaml"));
    const metadata = parse(decode(extraConfig["guestinfo.metadata"]));
    expect(metadata["local-hostname"]).toBe("nsx-poc-worker-2");
    expect(metadata.network.ethernets.ens192).toMatchObject({ addresses: ["192.168.100.22/24"], routes: [{ to: "0.0.0.0/0", via: "192.168.100.1" }], mtu: 1500 });
    const userData = parse(decode(extraConfig["guestinfo.userdata"]));
    expect(userData.hostname).toBe("nsx-poc-worker-2");
    expect(userData.users[0].name).toBe("k8sadmin");
  });

  it("uses its own provider with the vCenter password as a secret, and creates no DRS rule", () => {
    const provider = resourcesOfType(poc, PROVIDER);
    expect(provider).toHaveLength(1);
    // Provider inputs reach the engine as strings.
    expect(provider[0].inputs).toMatchObject({ vsphereServer: "vcenter.corp.example.internal", user: "svc-k8s-provisioner@vsphere.local", allowUnverifiedSsl: "false" });
    expect(provider[0].secretPaths).toContain("password");
    for (const vm of resourcesOfType(poc, VM)) expect(vm.provider).toContain("nsx-poc-machines-vsphere");
    expect(resourcesOfType(poc, RULE)).toEqual([]);
  });

  it("protects nothing in the PoC", () => {
    expect(poc.resources.filter((r) => r.protect).map((r) => r.name)).toEqual([]);
  });

  it("gives every machine a reachable step that waits for its VM and re-runs with it", () => {
    for (const vm of resourcesOfType(poc, VM)) {
      const step = resourceNamed(poc, COMMAND, `${vm.name}-reachable`);
      expect(step.dependencies).toContain(vm.urn);
      expect(step.inputs.triggers).toEqual([expect.stringMatching(/^[0-9a-f-]{36}$/)]);
      expect(step.inputs.create).toMatch(/NODE_NAME=/);
      expect(step.inputs.stdin).toMatch(/cloud-init status --wait/);
      expect(step.inputs.connection).toMatchObject({ host: expect.any(String), user: "k8sadmin", dialErrorLimit: 20, perDialTimeout: 15 });
      // The private key makes the whole connection secret.
      expect(step.secretPaths).toContain("connection");
    }
  });
});

describe("vSphere machines (prod stack)", () => {
  it("keeps the control planes apart with a DRS anti-affinity rule in the compute cluster", () => {
    const [rule] = resourcesOfType(prod, RULE);
    const controlPlanes = ["nsx-prod-cp-1", "nsx-prod-cp-2", "nsx-prod-cp-3"].map((name) => resourceNamed(prod, VM, name));
    expect(rule.inputs).toEqual({
      name: "nsx-prod-control-planes-apart",
      computeClusterId: "Cluster-B-id",
      virtualMachineIds: controlPlanes.map((vm) => `${vm.name}-id`),
      enabled: true,
      mandatory: false,
    });
    for (const vm of controlPlanes) expect(rule.dependencies).toContain(vm.urn);
    expect(resourceNamed(prod, VM, "nsx-prod-worker-1").inputs.resourcePoolId).toBe("Cluster-B-root-pool-id");
  });

  it("protects the VMs themselves, but not the provider, the DRS rule or the SSH steps", () => {
    for (const vm of resourcesOfType(prod, VM)) expect(vm.protect, vm.name).toBe(true);
    for (const type of [PROVIDER, RULE, COMMAND]) {
      for (const resource of resourcesOfType(prod, type)) expect(resource.protect, resource.name).toBe(false);
    }
    const cp = resourceNamed(prod, VM, "nsx-prod-cp-1").inputs as Record<string, any>;
    expect([cp.numCpus, cp.memory]).toEqual([4, 16384]);
  });

  it("skips the DRS rule when there is a single control plane", async () => {
    const single = await planStack("poc", (c) => {
      c.platform.vsphere.antiAffinity = true;
      c.controlPlane.addresses = ["192.168.100.11"];
    });
    expect(resourcesOfType(single, RULE)).toEqual([]);
    expect(single.warnings.map((w) => w.path)).toContain("cluster.platform.vsphere.antiAffinity");
  });
});
