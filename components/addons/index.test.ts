/**
 * The add-on layer as the engine sees it, from the offline plan under Pulumi mocks: every release
 * and manifest on the cluster's provider under the Addons component, the order of the graph
 * (apiReady first, CNI before everything needing pod networking, MetalLB CRs behind the webhook
 * gate, pools before ingress, storage before Velero), and secrets kept secret.
 */
import { describe, expect, it } from "vitest";
import * as path from "node:path";
import { readStackFile } from "../../stacks/stack-file";
import { runPlan, type PlanResult } from "../../scripts/plan/run";
import type { RecordedResource } from "../../scripts/plan/monitor";

const root = path.resolve(__dirname, "../..");
const RELEASE = "kubernetes:helm.sh/v3:Release";

function graph(plan: PlanResult) {
  const byUrn = new Map(plan.resources.map((r) => [r.urn, r]));
  const find = (type: string, name: string): RecordedResource => {
    const r = plan.resources.find((x) => x.type === type && x.name === name);
    if (!r) throw new Error(`no ${type} ${name}; have ${plan.resources.map((x) => `${x.type} ${x.name}`).join(", ")}`);
    return r;
  };
  /** Whether `later` waits for `earlier`, directly or through other resources. */
  const waitsFor = (later: RecordedResource, earlier: RecordedResource): boolean => {
    const seen = new Set<string>();
    const stack = [...later.dependencies];
    while (stack.length > 0) {
      const urn = stack.pop()!;
      if (urn === earlier.urn) return true;
      if (seen.has(urn)) continue;
      seen.add(urn);
      stack.push(...(byUrn.get(urn)?.dependencies ?? []));
    }
    return false;
  };
  return { find, waitsFor };
}

/** Whether the value at `at` is secret (the SDK may mark an enclosing object instead of the leaf). */
const secretAt = (r: RecordedResource, at: string): boolean => r.secretPaths.some((p) => p === at || at.startsWith(`${p}.`));

const plans = new Map<string, Promise<PlanResult>>();
const planOf = (stack: string) => {
  if (!plans.has(stack)) plans.set(stack, runPlan(readStackFile(stack, root)));
  return plans.get(stack)!;
};

const stacks = ["poc", "prod", "examples/existing-hosts-external-lb.yaml", "examples/existing-hosts-traefik-gateway.yaml", "examples/proxmox-keepalived-calico-nfs.yaml", "examples/redos-proxy-calico-metallb-nfs.yaml"];

describe.each(stacks)("add-ons of %s under mocks", (stack) => {
  it("every release and manifest uses the cluster provider, built from the secret kubeconfig, under Addons", async () => {
    const plan = await planOf(stack);
    const component = plan.resources.find((r) => r.type === "onprem-k8s:addons:Addons")!;
    expect(component).toBeDefined();
    const provider = plan.resources.find((r) => r.type === "pulumi:providers:kubernetes")!;
    expect(provider.parent).toBe(component.urn);
    expect(secretAt(provider, "kubeconfig")).toBe(true);
    const k8sResources = plan.resources.filter((r) => r.type.startsWith("kubernetes:"));
    expect(k8sResources.length).toBeGreaterThan(3);
    for (const r of k8sResources) {
      expect(r.provider, `${r.type} ${r.name}`).toMatch(new RegExp(`^${provider.urn.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}::`));
      expect(r.parent, `${r.type} ${r.name}`).toBe(component.urn);
    }
  });

  it("writes the values of every release and every self-rendered manifest", async () => {
    const plan = await planOf(stack);
    const releases = plan.resources.filter((r) => r.type === RELEASE);
    for (const r of releases) {
      const artifact = plan.artifacts.find((a) => a.path === `addons/${r.name}.values.yaml`);
      expect(artifact, r.name).toBeDefined();
      expect(artifact!.kind).toBe("helm-values");
      expect(artifact!.secret).toBe(false);
      expect(r.inputs.version, r.name).toMatch(/^v?\d+\.\d+\.\d+$/);
      expect(r).toMatchObject({ inputs: { skipAwait: false, atomic: true, waitForJobs: true } });
    }
    for (const r of plan.resources.filter((x) => x.type === "kubernetes:yaml/v2:ConfigGroup")) {
      expect(plan.artifacts.find((a) => a.path === `addons/${r.name}.yaml`)?.kind, r.name).toBe("manifest");
    }
  });

  it("orders the graph: CNI first; MetalLB CRs after the webhook gate; pools before ingress", async () => {
    const plan = await planOf(stack);
    const { find, waitsFor } = graph(plan);
    const spec = plan.stack.cluster as any;
    const cni = spec.addons.cni.type === "cilium" ? find(RELEASE, "cilium") : find("command:remote:Command", "calico-ready");
    if (spec.addons.cni.type === "calico") expect(waitsFor(cni, find(RELEASE, "tigera-operator"))).toBe(true);
    const ingress = spec.addons.ingress.type as string; // the release is named after the controller
    for (const name of ["metallb", ingress, "metrics-server"]) expect(waitsFor(find(RELEASE, name), cni), name).toBe(true);
    const metallb = find(RELEASE, "metallb");
    const gate = find("command:remote:Command", "metallb-webhook-ready");
    const pools = find("kubernetes:yaml/v2:ConfigGroup", "metallb-config");
    expect(waitsFor(gate, metallb)).toBe(true);
    expect(waitsFor(pools, gate)).toBe(true);
    expect(waitsFor(find(RELEASE, ingress), pools)).toBe(true);
    expect(gate.inputs.create).toMatch(/METALLB_NAMESPACE=metallb-system; .*bash -s$/);
    expect(gate.inputs.stdin).toContain("--dry-run=server");
    expect(secretAt(gate, "connection.privateKey")).toBe(true);
    expect(waitsFor(find(RELEASE, "metrics-server"), find(RELEASE, "kubelet-csr-approver"))).toBe(true);
  });
});

describe("the Gateway API ingress under mocks", () => {
  it("applies the pinned Gateway API CRDs, then Traefik, then the GatewayClass and Gateway; ingress-nginx not at all", async () => {
    const plan = await planOf("examples/existing-hosts-traefik-gateway.yaml");
    const { find, waitsFor } = graph(plan);
    const crds = find("kubernetes:yaml/v2:ConfigFile", "gateway-api-crds");
    expect(crds.inputs.file).toBe("https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.6.1/standard-install.yaml");
    const traefik = find(RELEASE, "traefik");
    expect(traefik.inputs).toMatchObject({ chart: "traefik", version: "41.3.0", namespace: "traefik", repositoryOpts: { repo: "https://traefik.github.io/charts" } });
    expect(waitsFor(traefik, crds)).toBe(true);
    const gateway = find("kubernetes:yaml/v2:ConfigGroup", "ingress-gateway");
    expect(waitsFor(gateway, traefik)).toBe(true);
    expect((gateway.inputs.objs as { kind: string }[]).map((o) => o.kind)).toEqual(["GatewayClass", "Gateway"]);
    expect(plan.resources.some((r) => r.type === RELEASE && r.name === "ingress-nginx")).toBe(false);
  });
});

describe("storage, secrets and backups under mocks", () => {
  it("vSphere: CPI secret before CPI; CSI namespace, config Secret, driver, then StorageClass; credentials secret", async () => {
    const plan = await planOf("prod");
    const { find, waitsFor } = graph(plan);
    const cpiSecret = find("kubernetes:core/v1:Secret", "vsphere-cpi-credentials");
    expect(secretAt(cpiSecret, "stringData")).toBe(true);
    expect(waitsFor(find(RELEASE, "vsphere-cpi"), cpiSecret)).toBe(true);
    const csiSecret = find("kubernetes:core/v1:Secret", "vsphere-csi-config");
    expect(secretAt(csiSecret, "stringData")).toBe(true);
    expect(JSON.stringify(csiSecret.inputs)).toContain("vspherePassword");
    const driver = find("kubernetes:yaml/v2:ConfigFile", "vsphere-csi-driver");
    expect(driver.inputs.file).toBe("https://raw.githubusercontent.com/kubernetes-sigs/vsphere-csi-driver/v3.7.3/manifests/vanilla/vsphere-csi-driver.yaml");
    expect(waitsFor(csiSecret, find("kubernetes:yaml/v2:ConfigGroup", "vsphere-csi-namespace"))).toBe(true);
    expect(waitsFor(driver, csiSecret)).toBe(true);
    const storageClass = find("kubernetes:yaml/v2:ConfigGroup", "vsphere-csi-storageclass");
    expect(waitsFor(storageClass, driver)).toBe(true);
    // Velero (prod) waits for storage and gets its credentials as a secret.
    const veleroSecret = find("kubernetes:core/v1:Secret", "velero-s3-credentials");
    expect(secretAt(veleroSecret, "stringData.cloud")).toBe(true);
    expect(waitsFor(find(RELEASE, "velero"), storageClass)).toBe(true);
    expect(waitsFor(find(RELEASE, "velero"), veleroSecret)).toBe(true);
    // etcd snapshots (prod profile) after the API is up: the snapshot script and the CronJob that runs it.
    const snapshotObjects = find("kubernetes:yaml/v2:ConfigGroup", "etcd-snapshots").inputs.objs as { kind: string }[];
    expect(snapshotObjects.map((o) => o.kind)).toEqual(["ConfigMap", "CronJob"]);
    const written = plan.artifacts.filter((a) => a.path.startsWith("addons/")).map((a) => a.content).join("\n");
    expect(written).not.toContain("<secret");
  });

  it("in-cluster NFS: the server script runs on its node before the provisioner, its env quoted", async () => {
    const plan = await planOf("examples/redos-proxy-calico-metallb-nfs.yaml");
    const { find, waitsFor } = graph(plan);
    const server = find("command:remote:Command", "nfs-server");
    expect(server.inputs.connection).toMatchObject({ host: "10.255.106.34" });
    expect(server.inputs.create).toBe("export NFS_EXPORT_PATH=/srv/storage; export NFS_EXPORT_CLIENTS=10.255.106.0/26; export NFS_DATA_DEVICE=/dev/sdb; export NFS_ALLOW_SYSTEM_DISK=false; sudo -n -E bash -s");
    expect(server.inputs.stdin).toContain("refusing to partition or format it");
    expect(waitsFor(find(RELEASE, "nfs-subdir-external-provisioner"), server)).toBe(true);
    expect(find("kubernetes:crd.projectcalico.org/v1:FelixConfigurationPatch", "calico-felixconfiguration").inputs).toMatchObject({ spec: { featureDetectOverride: "ChecksumOffloadBroken=true" } });
  });
});
