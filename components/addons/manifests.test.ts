/**
 * Rendered manifests checked by real validators (test/tools/kube-validate.ts): kubernetes-validate
 * --strict for built-in kinds; CRD openAPIV3Schemas via jsonschema for custom resources.
 *
 * CRD schemas come from Go modules pinned in tools/crds (crdsForTest): fetched once into ~/.cache/onprem-k8s/crds/;
 * a developer machine without the Go proxy skips those checks with a warning, CI (CI=true) fails.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { crdsForTest, validateManifests } from "../../test/tools/kube-validate";
import { calicoFelixConfiguration, calicoValues, installationResourceFromValues } from "./calico/values";
import { gatewayObjects } from "./gateway-api/manifests";
import { metallbResources } from "./metallb/values";
import { clusterDnsServiceIp } from "../kubeadm/kubelet";
import { nodeLocalDnsCorefile, nodeLocalDnsManifests } from "./nodelocaldns/manifests";
import { nfsStorageClass, vsphereCsiStorageClass } from "./storage-classes";
import { gcfgQuote, vsphereCsiConfig, vsphereCsiConfigSecret } from "./vsphere-csi/config";

const KUBERNETES_VERSION = "1.33.0";
const toYaml = (docs: unknown[]): string => docs.map((d) => `---\n${stringify(d)}`).join("");

let metallbCrds: string | undefined;
let calicoCrds: string | undefined;
let gatewayApiCrds: string | undefined;
beforeAll(async () => {
  metallbCrds = await crdsForTest("metallb-v0.16.1");
  calicoCrds = await crdsForTest("calico-v3.30.1");
  gatewayApiCrds = await crdsForTest("gateway-api-v1.6.1");
}, 600_000);

describe("clusterDnsServiceIp", () => {
  it("is the 10th address of the service CIDR", () => {
    expect(clusterDnsServiceIp("10.96.0.0/12")).toBe("10.96.0.10");
    expect(clusterDnsServiceIp("10.96.0.5/16")).toBe("10.96.0.10"); // host bits ignored
    expect(clusterDnsServiceIp("172.20.255.0/24")).toBe("172.20.255.10");
    expect(clusterDnsServiceIp("fd00:10:96::/112")).toBe("fd00:10:96::a");
    expect(() => clusterDnsServiceIp("10.0.0.0/30")).toThrow(/too small/);
  });
});

describe("NodeLocal DNSCache", () => {
  for (const bindClusterDnsIp of [true, false]) {
    it(`renders valid manifests (bindClusterDnsIp=${bindClusterDnsIp})`, async () => {
      const params = { clusterDomain: "cluster.local", clusterDnsIp: "10.96.0.10", bindClusterDnsIp, imageRegistry: bindClusterDnsIp ? undefined : "mirror.local" };
      const docs = nodeLocalDnsManifests(params);
      const result = await validateManifests(toYaml(docs), { kubernetesVersion: KUBERNETES_VERSION });
      expect(result.ok, result.output).toBe(true);
      const corefile = nodeLocalDnsCorefile(params);
      expect(corefile).toContain(bindClusterDnsIp ? "bind 169.254.20.10 10.96.0.10" : "bind 169.254.20.10\n");
      expect(JSON.stringify(docs)).toContain(bindClusterDnsIp ? "registry.k8s.io/dns/k8s-dns-node-cache:1.26.7" : "mirror.local/dns/k8s-dns-node-cache:1.26.7");
    });
  }

  it("a wrong field fails strict validation", async () => {
    const docs = nodeLocalDnsManifests({ clusterDomain: "cluster.local", clusterDnsIp: "10.96.0.10", bindClusterDnsIp: true });
    const ds = docs[3] as { spec: { template: { spec: Record<string, unknown> } } };
    ds.spec.template.spec.hostNetworking = true; // misspelt hostNetwork
    const result = await validateManifests(toYaml(docs), { kubernetesVersion: KUBERNETES_VERSION });
    expect(result.ok).toBe(false);
    expect(result.output).toMatch(/hostNetworking/);
  });
});

describe("storage manifests", () => {
  it("StorageClasses and the CSI config Secret are valid", async () => {
    const docs = [
      vsphereCsiStorageClass({ name: "vsphere", placement: { storagePolicyName: "k8s-gold" }, isDefault: true, reclaimPolicy: "Delete" }),
      vsphereCsiStorageClass({ name: "vsphere-ds", placement: { datastoreUrl: "ds:///vmfs/volumes/abc/" }, isDefault: false, reclaimPolicy: "Retain", fsType: "xfs" }),
      nfsStorageClass({ name: "nfs", provisionerName: "cluster.local/nfs-subdir-external-provisioner", isDefault: false, reclaimPolicy: "Retain", archiveOnDelete: true, mountOptions: ["nfsvers=4.1"] }),
      vsphereCsiConfigSecret(vsphereCsiConfig({ clusterId: "c1", vcenterHost: "vc", user: "u", password: "p", datacenters: ["dc"], tls: { insecure: true } })),
    ];
    const result = await validateManifests(toYaml(docs), { kubernetesVersion: KUBERNETES_VERSION });
    expect(result.ok, result.output).toBe(true);
  });

  it("an invalid reclaimPolicy type fails", async () => {
    const sc = nfsStorageClass({ name: "nfs", provisionerName: "p", isDefault: false, reclaimPolicy: "Delete", archiveOnDelete: false });
    sc.reclaimPolicy = ["Delete"];
    expect((await validateManifests(toYaml([sc]), { kubernetesVersion: KUBERNETES_VERSION })).ok).toBe(false);
  });

  it("csi-vsphere.conf quotes every value and escapes quotes in the password", () => {
    const conf = vsphereCsiConfig({
      clusterId: "prod-a", vcenterHost: "vc.example.local", user: "k8s@vsphere.local", password: 'p"a\\ss',
      datacenters: ["dc1", "dc2"], tls: { thumbprint: "AA:BB" },
    });
    expect(conf).toBe(
      [
        "[Global]", 'cluster-id = "prod-a"', "", '[VirtualCenter "vc.example.local"]', 'user = "k8s@vsphere.local"',
        'password = "p\\"a\\\\ss"', 'port = "443"', 'datacenters = "dc1, dc2"', 'insecure-flag = "false"', 'thumbprint = "AA:BB"', "",
      ].join("\n"),
    );
    expect(() => gcfgQuote("a\nb")).toThrow();
  });
});

describe("validateManifests", () => {
  it("rejects a custom resource it has no CRD for, rather than passing it unchecked", async () => {
    const result = await validateManifests(
      toYaml([{ apiVersion: "metallb.io/v1beta1", kind: "IPAddressPool", metadata: { name: "x" }, spec: { addresses: ["10.0.0.1/32"] } }]),
    );
    expect(result.ok).toBe(false);
  });
});

describe("MetalLB custom resources against the v0.16.1 CRDs", () => {
  const pools = [
    { name: "ingress", addresses: ["192.168.10.240/32"], autoAssign: false },
    { name: "general", addresses: ["192.168.10.241-192.168.10.250"], autoAssign: true },
  ];
  it("L2 (with and without node selection) and BGP renderings are valid", async (ctx) => {
    if (!metallbCrds) return ctx.skip();
    const crds = [metallbCrds];
    for (const advertisement of [
      { kind: "l2" as const },
      { kind: "l2" as const, nodeSelectorLabels: { "node-role.example/lb": "true" }, interfaces: ["ens192"] },
      { kind: "bgp" as const, myASN: 64512, peers: [{ name: "tor1", peerAddress: "192.168.10.1", peerASN: 64501, nodeSelectorLabels: { rack: "a" } }] },
    ]) {
      const result = await validateManifests(toYaml(metallbResources({ pools, advertisement })), { customResourceDefinitions: crds });
      expect(result.ok, result.output).toBe(true);
    }
  });
  it("a misspelt field fails", async (ctx) => {
    if (!metallbCrds) return ctx.skip();
    const crds = [metallbCrds];
    const docs = metallbResources({ pools, advertisement: { kind: "l2" } });
    (docs[0].spec as Record<string, unknown>).autoAsign = true;
    const result = await validateManifests(toYaml(docs), { customResourceDefinitions: crds });
    expect(result.ok).toBe(false);
    expect(result.output).toMatch(/autoAsign/);
  });
});

describe("Gateway API objects against the v1.6.1 standard-channel CRDs", () => {
  const params = {
    gatewayClassName: "traefik", controllerName: "traefik.io/gateway-controller", gatewayName: "traefik-gateway", namespace: "traefik",
    httpPort: 8000, httpsPort: 8443, tlsSecretName: "traefik-gateway-tls",
  };
  it("the GatewayClass and the Gateway (with and without the address annotation) are valid", async (ctx) => {
    if (!gatewayApiCrds) return ctx.skip();
    for (const loadBalancerIp of [undefined, "192.168.10.240"]) {
      const result = await validateManifests(toYaml(gatewayObjects({ ...params, loadBalancerIp })), { customResourceDefinitions: [gatewayApiCrds] });
      expect(result.ok, result.output).toBe(true);
    }
  });
  it("a listener with an unknown protocol field fails", async (ctx) => {
    if (!gatewayApiCrds) return ctx.skip();
    const [, gateway] = gatewayObjects(params);
    (gateway.spec as { listeners: Record<string, unknown>[] }).listeners[0]!.protocoll = "HTTP";
    const result = await validateManifests(toYaml([gateway]), { customResourceDefinitions: [gatewayApiCrds] });
    expect(result.ok).toBe(false);
    expect(result.output).toMatch(/protocoll/);
  });
});

describe("Calico custom resources against the registry-served Calico CRDs (tools/crds)", () => {
  it("the Installation the chart renders from our values, and the FelixConfiguration, are valid", async (ctx) => {
    if (!calicoCrds) return ctx.skip();
    const crds = [calicoCrds];
    for (const encapsulation of ["VXLAN", "VXLANCrossSubnet"] as const) {
      const values = calicoValues({ podCidr: "10.244.0.0/16", blockSize: 26, encapsulation, mtu: 1450, nodeAddressCidrs: ["192.168.10.0/24"], imageRegistry: "mirror.local" });
      const docs = [installationResourceFromValues(values), calicoFelixConfiguration({ checksumOffloadBroken: true })];
      const result = await validateManifests(toYaml(docs), { customResourceDefinitions: crds });
      expect(result.ok, result.output).toBe(true);
    }
  });
  it("an invalid encapsulation and a malformed featureDetectOverride fail", async (ctx) => {
    if (!calicoCrds) return ctx.skip();
    const crds = [calicoCrds];
    const values = calicoValues({ podCidr: "10.244.0.0/16", blockSize: 26, encapsulation: "VXLAN", mtu: 1450 });
    const installation = installationResourceFromValues(values) as { spec: { calicoNetwork: { ipPools: Record<string, unknown>[] } } };
    installation.spec.calicoNetwork.ipPools[0].encapsulation = "Vxlan";
    const felix = calicoFelixConfiguration({ checksumOffloadBroken: true }) as { spec: Record<string, unknown> };
    felix.spec.featureDetectOverride = "ChecksumOffloadBroken = yes";
    const result = await validateManifests(toYaml([installation, felix]), { customResourceDefinitions: crds });
    expect(result.ok).toBe(false);
    expect(result.output).toMatch(/encapsulation/);
    expect(result.output).toMatch(/featureDetectOverride/);
  });
});
