/**
 * The add-on plan of every stack and example: each release's values (exactly what the program
 * passes) use only keys of the pinned chart version, and every manifest the program renders
 * itself validates against the Kubernetes API (kubernetes-validate --strict) and, for custom
 * resources, the CRD schemas (tools/crds). The examples together cover both CNIs, both storage
 * back ends and both MetalLB modes; that coverage is asserted too.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { readStackFile, secretsPresent } from "../../stacks/stack-file";
import { validateCluster } from "../../stacks/validate";
import type { ClusterSpec } from "../../stacks/spec";
import { crdsForTest, looksLikeCustomResource, validateManifests } from "../../test/tools/kube-validate";
import { unknownValuesKeys } from "./chart-keys";
import { PINNED_CHARTS } from "./charts";
import { exactNamesRegex } from "./kubelet-csr-approver/values";
import {
  addonManifests,
  addonReleases,
  chartSource,
  gatewayApiCrdsLocation,
  kubeletClusterDns,
  kubeletServerTlsBootstrap,
  nfsServerEnvOf,
  vsphereCsiConfigParamsOf,
} from "./plan";

const root = path.resolve(__dirname, "../..");
const stacks = ["poc", "prod", ...fs.readdirSync(path.join(root, "examples")).filter((f) => f.endsWith(".yaml")).map((f) => `examples/${f}`)];

export function specOf(stack: string, mutate?: (cluster: Record<string, any>) => void): ClusterSpec {
  const file = readStackFile(stack, root);
  const cluster = structuredClone(file.cluster) as Record<string, any>;
  mutate?.(cluster);
  const result = validateCluster(cluster, { secretsPresent: secretsPresent(file), planMode: true });
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.spec;
}

const toYaml = (docs: unknown[]): string => docs.map((d) => `---\n${stringify(d)}`).join("");

let crds: string[] | undefined;
beforeAll(async () => {
  const metallb = await crdsForTest("metallb-v0.16.1");
  const calico = await crdsForTest("calico-v3.30.1");
  const gatewayApi = await crdsForTest("gateway-api-v1.6.1");
  crds = metallb && calico && gatewayApi ? [metallb, calico, gatewayApi] : undefined;
}, 600_000);

describe.each(stacks)("add-on plan of %s", (stack) => {
  const spec = specOf(stack);

  it("every release's values use only keys of its pinned chart version", () => {
    const releases = addonReleases(spec);
    expect(releases.length).toBeGreaterThan(0);
    for (const release of releases) {
      expect(unknownValuesKeys(release.values, PINNED_CHARTS[release.chart].keys), `${release.name}: ${JSON.stringify(release.values)}`).toEqual([]);
    }
  });

  it("every self-rendered manifest validates against the API and CRD schemas", async (ctx) => {
    const docs = Object.values(addonManifests(spec)).flat();
    const custom = docs.filter((d) => looksLikeCustomResource(d as { apiVersion: string; kind: string }));
    if (custom.length > 0 && !crds) return ctx.skip();
    const result = await validateManifests(toYaml(docs), { kubernetesVersion: spec.kubernetes.version, customResourceDefinitions: crds ?? [] });
    expect(result.ok, result.output).toBe(true);
  });
});

describe("description to values", () => {
  it("examples cover both CNIs, both storage options, both MetalLB modes and both ingress controllers", () => {
    const specs = stacks.map((s) => specOf(s));
    expect(new Set(specs.map((s) => s.addons.cni.type))).toEqual(new Set(["cilium", "calico"]));
    expect(new Set(specs.map((s) => s.addons.ingress.type))).toEqual(new Set(["traefik", "ingress-nginx"]));
    expect(new Set(specs.map((s) => s.addons.storage.type))).toEqual(new Set(["vsphere-csi", "nfs"]));
    expect(new Set(specs.map((s) => s.addons.loadBalancer.mode))).toEqual(new Set(["l2", "bgp"]));
  });

  it("Cilium: API endpoint host/port, cniMtu, tunnel protocol, cluster-pool on the pod CIDR, Hubble by choice", () => {
    const spec = specOf("poc");
    const cilium = addonReleases(spec).find((r) => r.name === "cilium")!.values;
    expect(cilium).toMatchObject({
      k8sServiceHost: spec.apiEndpoint.host, k8sServicePort: spec.apiEndpoint.port, MTU: spec.cniMtu,
      routingMode: "tunnel", tunnelProtocol: "vxlan", kubeProxyReplacement: true,
      ipam: { mode: "cluster-pool", operator: { clusterPoolIPv4PodCIDRList: [spec.kubernetes.podCidr] } },
      hubble: { relay: { enabled: true }, ui: { enabled: true } },
    });
    const geneve = addonReleases(specOf("examples/existing-hosts-external-lb.yaml")).find((r) => r.name === "cilium")!.values;
    expect(geneve).toMatchObject({ tunnelProtocol: "geneve", hubble: { ui: { enabled: false } } });
    const native = addonReleases(specOf("poc", (c) => { c.addons.cni.mode = "native"; delete c.addons.cni.mtu; })).find((r) => r.name === "cilium")!.values;
    expect(native).toMatchObject({ routingMode: "native", ipv4NativeRoutingCIDR: "10.244.0.0/16", autoDirectNodeRoutes: true });
  });

  it("Calico: VXLAN with BGP off and IPIP absent; the FelixConfiguration only with the workaround", () => {
    const spec = specOf("examples/redos-proxy-calico-metallb-nfs.yaml");
    const values = addonReleases(spec).find((r) => r.name === "tigera-operator")!.values;
    expect(values).toMatchObject({ installation: { calicoNetwork: { bgp: "Disabled", mtu: spec.cniMtu, ipPools: [{ cidr: spec.kubernetes.podCidr, encapsulation: "VXLAN" }] } } });
    expect(JSON.stringify(values)).not.toContain("IPIP");
    expect(addonManifests(spec)["calico-felixconfiguration"]).toEqual([expect.objectContaining({ spec: { featureDetectOverride: "ChecksumOffloadBroken=true" } })]);
    const ipip = specOf("examples/proxmox-keepalived-calico-nfs.yaml");
    expect(addonReleases(ipip).find((r) => r.name === "tigera-operator")!.values).toMatchObject({ installation: { calicoNetwork: { bgp: "Enabled", ipPools: [{ encapsulation: "IPIP" }] } } });
    expect(addonManifests(ipip)["calico-felixconfiguration"]).toBeUndefined();
  });

  it("MetalLB: L2 limited by the node selector and speakers pinned there; BGP peers and advertisement", () => {
    const l2 = specOf("examples/redos-proxy-calico-metallb-nfs.yaml");
    const sel = { "node-role.kubernetes.io/metallb": "true" };
    expect(addonManifests(l2)["metallb-config"]).toEqual([
      expect.objectContaining({ kind: "IPAddressPool", spec: { addresses: ["10.255.106.21-10.255.106.30"], autoAssign: true } }),
      expect.objectContaining({ kind: "L2Advertisement", spec: { ipAddressPools: ["ingress"], nodeSelectors: [{ matchLabels: sel }] } }),
    ]);
    expect(addonReleases(l2).find((r) => r.name === "metallb")!.values).toMatchObject({ frrk8s: { enabled: false }, speaker: { nodeSelector: sel } });
    const bgp = specOf("examples/proxmox-keepalived-calico-nfs.yaml");
    expect(addonManifests(bgp)["metallb-config"]!.map((d) => d.kind)).toEqual(["IPAddressPool", "BGPPeer", "BGPAdvertisement"]);
    expect(addonReleases(bgp).find((r) => r.name === "metallb")!.values).toMatchObject({ frrk8s: { enabled: true } });
    const tainted = specOf("examples/redos-proxy-calico-metallb-nfs.yaml", (c) => {
      c.workerPools[1].taints = [{ key: "dedicated", value: "lb", effect: "NoSchedule" }];
    });
    expect(addonReleases(tainted).find((r) => r.name === "metallb")!.values).toMatchObject({
      speaker: { tolerations: [{ key: "dedicated", operator: "Equal", value: "lb", effect: "NoSchedule" }] },
    });
  });

  it("ingress-nginx: MetalLB address annotation, default class, replicas by profile or description, anti-affinity in prod", () => {
    const poc = addonReleases(specOf("poc")).find((r) => r.name === "ingress-nginx")!.values as any;
    expect(poc.controller.service.annotations).toEqual({ "metallb.io/loadBalancerIPs": "192.168.100.200" });
    expect(poc.controller).toMatchObject({ replicaCount: 1, ingressClassResource: { default: true } });
    expect(poc.controller.affinity).toBeUndefined();
    const prod = addonReleases(specOf("prod")).find((r) => r.name === "ingress-nginx")!.values as any;
    expect(prod.controller.replicaCount).toBe(2);
    expect(prod.controller.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution).toHaveLength(1);
    const three = addonReleases(specOf("prod", (c) => { c.addons.ingress.replicas = 3; })).find((r) => r.name === "ingress-nginx")!.values as any;
    expect(three.controller.replicaCount).toBe(3);
  });

  it("traefik: Gateway API provider on, the chart's own Gateway off, MetalLB address, replicas by profile or description", () => {
    const spec = specOf("examples/existing-hosts-traefik-gateway.yaml");
    const values = addonReleases(spec).find((r) => r.name === "traefik")!.values as any;
    expect(values).toMatchObject({
      providers: { kubernetesGateway: { enabled: true } }, gateway: { enabled: false }, gatewayClass: { enabled: false },
      service: { annotations: { "metallb.io/loadBalancerIPs": "10.0.40.200" }, spec: { type: "LoadBalancer" } },
      deployment: { replicas: 1 },
    });
    expect(values.affinity).toBeUndefined();
    const [gatewayClass, gateway] = addonManifests(spec)["ingress-gateway"] as any[];
    expect(gatewayClass).toMatchObject({ kind: "GatewayClass", metadata: { name: "traefik" }, spec: { controllerName: "traefik.io/gateway-controller" } });
    expect(gateway).toMatchObject({ kind: "Gateway", metadata: { name: "traefik-gateway", namespace: "traefik" }, spec: { gatewayClassName: "traefik" } });
    // The listeners are Traefik's entry points, which its Service publishes as 80 and 443.
    expect(gateway.spec.listeners.map((l: any) => [l.name, l.protocol, l.port])).toEqual([["http", "HTTP", values.ports.web.port], ["https", "HTTPS", values.ports.websecure.port]]);
    expect([values.ports.web.exposedPort, values.ports.websecure.exposedPort]).toEqual([80, 443]);
    const prod = specOf("prod", (c) => { c.addons.ingress = { type: "traefik", loadBalancerIP: "192.168.110.200" }; });
    const prodValues = addonReleases(prod).find((r) => r.name === "traefik")!.values as any;
    expect(prodValues.deployment.replicas).toBe(2);
    expect(prodValues.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution).toHaveLength(1);
    expect(addonReleases(prod).map((r) => r.name)).not.toContain("ingress-nginx");
    expect(gatewayApiCrdsLocation(spec)).toBe("https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.6.1/standard-install.yaml");
    const offline = specOf("examples/existing-hosts-traefik-gateway.yaml", (c) => { c.addons.ingress.gatewayApiCrdsUrl = "https://files.mirror.local/gateway-api/v1.6.1/standard-install.yaml"; });
    expect(gatewayApiCrdsLocation(offline)).toBe("https://files.mirror.local/gateway-api/v1.6.1/standard-install.yaml");
    const three = specOf("prod", (c) => { c.addons.ingress = { type: "traefik", replicas: 3 }; });
    expect((addonReleases(three).find((r) => r.name === "traefik")!.values as any).deployment.replicas).toBe(3);
  });

  it("a description without an ingress type gets its profile's: traefik", () => {
    for (const profile of ["poc", "prod"]) {
      const spec = specOf(profile, (c) => { delete c.addons.ingress.type; });
      expect(spec.addons.ingress.type, profile).toBe("traefik");
      expect(addonReleases(spec).map((r) => r.name), profile).toContain("traefik");
    }
  });

  it("storage: vSphere CSI default class on the policy; NFS provisioner on the external or in-cluster server", () => {
    const poc = specOf("poc");
    expect(addonManifests(poc)["vsphere-csi-storageclass"]).toEqual([
      expect.objectContaining({ provisioner: "csi.vsphere.vmware.com", parameters: expect.objectContaining({ storagepolicyname: "k8s-poc-thin" }), metadata: expect.objectContaining({ annotations: { "storageclass.kubernetes.io/is-default-class": "true" } }) }),
    ]);
    expect(vsphereCsiConfigParamsOf(poc)).toMatchObject({ clusterId: "nsx-poc", tls: { caFile: expect.any(String) } });
    const external = addonReleases(specOf("examples/existing-hosts-external-lb.yaml")).find((r) => r.name === "nfs-subdir-external-provisioner")!.values;
    expect(external).toMatchObject({ nfs: { server: "10.0.20.5", path: "/srv/nfs/k8s" }, storageClass: { create: true, defaultClass: true } });
    const inCluster = specOf("examples/redos-proxy-calico-metallb-nfs.yaml");
    expect(addonReleases(inCluster).find((r) => r.name === "nfs-subdir-external-provisioner")!.values).toMatchObject({ nfs: { server: "10.255.106.34", path: "/srv/storage" } });
    expect(nfsServerEnvOf(inCluster)).toEqual({ NFS_EXPORT_PATH: "/srv/storage", NFS_EXPORT_CLIENTS: "10.255.106.0/26", NFS_DATA_DEVICE: "/dev/sdb", NFS_ALLOW_SYSTEM_DISK: "false" });
    expect(nfsServerEnvOf(specOf("examples/existing-hosts-external-lb.yaml"))).toBeUndefined();
  });

  it("metrics-server verifies kubelets by default (approver installed); insecure only when asked", () => {
    const secure = specOf("poc");
    expect(kubeletServerTlsBootstrap(secure)).toBe(true);
    expect(addonReleases(secure).find((r) => r.name === "metrics-server")!.values).toMatchObject({ args: [] });
    const approver = addonReleases(secure).find((r) => r.name === "kubelet-csr-approver")!.values;
    expect(approver).toMatchObject({ providerRegex: exactNamesRegex(secure.nodes.map((n) => n.name)), providerIpPrefixes: ["192.168.100.0/24"] });
    expect(new RegExp(approver.providerRegex as string).test("nsx-poc-cp-1")).toBe(true);
    expect(new RegExp(approver.providerRegex as string).test("nsx-poc-cp-10")).toBe(false);
    const insecure = specOf("poc", (c) => { c.addons.metrics = { insecureKubeletTls: true }; });
    expect(kubeletServerTlsBootstrap(insecure)).toBe(false);
    expect(addonReleases(insecure).map((r) => r.name)).not.toContain("kubelet-csr-approver");
    expect(addonReleases(insecure).find((r) => r.name === "metrics-server")!.values).toMatchObject({ args: ["--kubelet-insecure-tls"] });
  });

  it("NodeLocal DNSCache: kubelet clusterDNS is the link-local address with Cilium KPR, the kube-dns IP with kube-proxy", () => {
    expect(kubeletClusterDns(specOf("poc"))).toBe("10.96.0.10");
    const cilium = specOf("poc", (c) => { c.addons.nodeLocalDns = { enabled: true }; });
    expect(kubeletClusterDns(cilium)).toBe("169.254.20.10");
    expect(JSON.stringify(addonManifests(cilium).nodelocaldns)).toContain('"-localip","169.254.20.10"');
    const calico = specOf("examples/redos-proxy-calico-metallb-nfs.yaml", (c) => { c.addons.nodeLocalDns = { enabled: true }; });
    expect(kubeletClusterDns(calico)).toBe("10.96.0.10");
    expect(JSON.stringify(addonManifests(calico).nodelocaldns)).toContain("169.254.20.10,10.96.0.10");
  });

  it("chart repository and image registry mirrors", () => {
    expect(chartSource("metallb")).toEqual({ chart: "metallb", version: "0.16.1", repo: "https://metallb.github.io/metallb" });
    expect(chartSource("metallb", "https://charts.mirror.local/")).toEqual({ chart: "metallb", version: "0.16.1", repo: "https://charts.mirror.local" });
    expect(chartSource("cilium", "oci://registry.mirror.local/charts")).toEqual({ chart: "oci://registry.mirror.local/charts/cilium", version: "1.20.0" });
    const mirrored = specOf("prod", (c) => { c.registries = { imageRegistry: "registry.mirror.local:5000", chartRepository: "https://charts.mirror.local" }; c.addons.nodeLocalDns = { enabled: true }; });
    for (const release of addonReleases(mirrored)) {
      expect(unknownValuesKeys(release.values, PINNED_CHARTS[release.chart].keys), release.name).toEqual([]);
      for (const image of JSON.stringify(release.values).match(/"(?:image|repository|registry)":"[^"]+"/g) ?? []) {
        expect(image, release.name).toContain("registry.mirror.local:5000");
      }
    }
    expect(JSON.stringify(addonManifests(mirrored))).not.toMatch(/docker\.io|quay\.io|"registry\.k8s\.io/);
  });
});
