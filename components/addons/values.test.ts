/** Every builder's output, for every option combination, uses only keys its pinned chart declares. */
import { describe, expect, it } from "vitest";
import { unknownValuesKeys } from "./chart-keys";
import { PINNED_CHARTS, type ChartId } from "./charts";
import { calicoValues } from "./calico/values";
import { ciliumValues, type CiliumRouting } from "./cilium/values";
import { ingressNginxValues } from "./ingress-nginx/values";
import { metallbValues, METALLB_LOAD_BALANCER_IPS_ANNOTATION } from "./metallb/values";
import { metricsServerValues } from "./metrics-server/values";
import { nfsProvisionerValues } from "./nfs/values";
import { traefikValues } from "./traefik/values";
import type { Environment, HelmValues } from "./types";
import { veleroValues } from "./velero/values";
import { vsphereCpiValues } from "./vsphere-cpi/values";

const environments: Environment[] = ["poc", "prod"];
const registries = [undefined, "mirror.example.local:5000"];
const bools = [false, true];

function expectKnownKeys(chart: ChartId, values: HelmValues): void {
  expect(unknownValuesKeys(values, PINNED_CHARTS[chart].keys), JSON.stringify(values)).toEqual([]);
}

describe("cilium values", () => {
  const routings: CiliumRouting[] = [
    { mode: "tunnel", tunnelProtocol: "vxlan" },
    { mode: "tunnel", tunnelProtocol: "geneve" },
    { mode: "native", ipv4NativeRoutingCIDR: "10.244.0.0/16", autoDirectNodeRoutes: true },
    { mode: "native", ipv4NativeRoutingCIDR: "10.244.0.0/16", autoDirectNodeRoutes: false },
  ];
  it("uses only chart keys for every routing, hubble, environment and registry choice", () => {
    for (const routing of routings)
      for (const relay of bools)
        for (const ui of bools)
          for (const environment of environments)
            for (const imageRegistry of registries)
              expectKnownKeys(
                "cilium",
                ciliumValues({
                  apiServerHost: "10.0.0.10", apiServerPort: 6443, mtu: 1450, routing, podCidr: "10.244.0.0/16",
                  podCidrMaskSize: 24, hubble: { relay, ui }, environment, imageRegistry,
                }),
              );
  });
  it("sets kube-proxy replacement on the API endpoint, explicit MTU and cluster-pool IPAM", () => {
    const v = ciliumValues({
      apiServerHost: "k8s-api.example", apiServerPort: 6443, mtu: 1400,
      routing: { mode: "tunnel", tunnelProtocol: "geneve" }, podCidr: "10.244.0.0/16", podCidrMaskSize: 24,
      hubble: { relay: false, ui: true }, environment: "prod",
    });
    expect(v).toMatchObject({
      kubeProxyReplacement: true, k8sServiceHost: "k8s-api.example", k8sServicePort: 6443, MTU: 1400,
      routingMode: "tunnel", tunnelProtocol: "geneve",
      ipam: { mode: "cluster-pool", operator: { clusterPoolIPv4PodCIDRList: ["10.244.0.0/16"] } },
      operator: { replicas: 2 },
      hubble: { relay: { enabled: true }, ui: { enabled: true } }, // the UI needs relay
    });
  });
});

describe("calico (tigera-operator) values", () => {
  it("uses only chart keys, VXLAN with BGP off and the pod CIDR as the pool", () => {
    for (const encapsulation of ["VXLAN", "VXLANCrossSubnet"] as const)
      for (const imageRegistry of registries)
        for (const nodeAddressCidrs of [undefined, ["192.168.10.0/24"]]) {
          const v = calicoValues({ podCidr: "10.244.0.0/16", blockSize: 26, encapsulation, mtu: 1450, nodeAddressCidrs, imageRegistry });
          expectKnownKeys("tigera-operator", v);
          const network = (v.installation as HelmValues).calicoNetwork as HelmValues;
          expect(network.bgp).toBe("Disabled");
          expect(network.ipPools).toEqual([expect.objectContaining({ cidr: "10.244.0.0/16", encapsulation })]);
          expect(JSON.stringify(v)).not.toContain("IPIP");
        }
  });
});

describe("metallb values", () => {
  it("uses only chart keys for L2/BGP, dedicated nodes and registries", () => {
    for (const mode of ["l2", "bgp"] as const)
      for (const dedicated of bools)
        for (const imageRegistry of registries) {
          const sel = dedicated ? { "node-role.example/lb": "true" } : undefined;
          const tol = dedicated ? [{ key: "dedicated", operator: "Equal" as const, value: "lb", effect: "NoSchedule" as const }] : undefined;
          expectKnownKeys(
            "metallb",
            metallbValues({ mode, speakerNodeSelector: sel, speakerTolerations: tol, controllerNodeSelector: sel, controllerTolerations: tol, imageRegistry }),
          );
        }
  });
});

describe("ingress-nginx values", () => {
  it("uses only chart keys and pins the service to a MetalLB address", () => {
    for (const environment of environments)
      for (const defaultIngressClass of bools)
        for (const imageRegistry of registries)
          for (const addressPool of [undefined, "ingress"])
            for (const nodeSelector of [undefined, { "node-role.example/lb": "true" }])
              for (const externalTrafficPolicyLocal of bools) {
                const v = ingressNginxValues({ loadBalancerIp: "192.168.10.240", addressPool, environment, defaultIngressClass, nodeSelector, externalTrafficPolicyLocal, imageRegistry });
                expectKnownKeys("ingress-nginx", v);
                const c = v.controller as HelmValues;
                expect((c.service as HelmValues).annotations).toMatchObject({ [METALLB_LOAD_BALANCER_IPS_ANNOTATION]: "192.168.10.240" });
                expect(c.replicaCount).toBe(environment === "prod" ? 2 : 1);
                expect(c.affinity !== undefined).toBe(environment === "prod");
              }
  });
});

describe("traefik values", () => {
  it("uses only chart keys and pins the service to a MetalLB address", () => {
    for (const environment of environments)
      for (const imageRegistry of registries)
        for (const replicas of [undefined, 3])
          for (const loadBalancerIp of [undefined, "192.168.10.240"]) {
            const v = traefikValues({ loadBalancerIp, environment, replicas, imageRegistry });
            expectKnownKeys("traefik", v);
            expect((v.service as HelmValues).annotations).toEqual(loadBalancerIp ? { [METALLB_LOAD_BALANCER_IPS_ANNOTATION]: loadBalancerIp } : {});
            expect((v.deployment as HelmValues).replicas).toBe(replicas ?? (environment === "prod" ? 2 : 1));
            expect(v.affinity !== undefined).toBe(environment === "prod");
            expect(v.image).toEqual(imageRegistry ? { registry: imageRegistry } : undefined);
          }
  });
});

describe("nfs-subdir-external-provisioner values", () => {
  it("uses only chart keys", () => {
    for (const defaultStorageClass of bools)
      for (const reclaimPolicy of ["Delete", "Retain"] as const)
        for (const archiveOnDelete of bools)
          for (const mountOptions of [undefined, ["nfsvers=4.1"]])
            for (const imageRegistry of registries)
              expectKnownKeys(
                "nfs-subdir-external-provisioner",
                nfsProvisionerValues({ server: "192.168.10.5", path: "/export/k8s", storageClassName: "nfs", defaultStorageClass, reclaimPolicy, archiveOnDelete, mountOptions, imageRegistry }),
              );
  });
});

describe("metrics-server values", () => {
  it("uses only chart keys and is insecure only when asked", () => {
    for (const environment of environments)
      for (const kubeletTls of ["verify", "insecure"] as const)
        for (const imageRegistry of registries) {
          const v = metricsServerValues({ environment, kubeletTls, imageRegistry });
          expectKnownKeys("metrics-server", v);
          expect((v.args as string[]).includes("--kubelet-insecure-tls")).toBe(kubeletTls === "insecure");
        }
  });
});

describe("velero values", () => {
  it("uses only chart keys and never inlines credentials", () => {
    for (const fileSystemBackup of bools)
      for (const prefix of [undefined, "cluster-a"])
        for (const caCertPem of [undefined, "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"])
          for (const imageRegistry of registries) {
            const v = veleroValues({
              s3Url: "https://s3.example.local:9000", bucket: "velero", region: "minio", prefix,
              credentialsSecretName: "velero-s3", schedule: "0 2 * * *", ttl: "720h", fileSystemBackup, caCertPem, imageRegistry,
            });
            expectKnownKeys("velero", v);
            expect(v.credentials).toEqual({ useSecret: true, existingSecret: "velero-s3" });
            expect((v.initContainers as HelmValues[])[0].image).toMatch(/velero-plugin-for-aws:v1\.14\.2$/);
          }
  });
});

describe("vsphere-cpi values", () => {
  it("uses only chart keys", () => {
    for (const thumbprint of [undefined, "AA:BB"])
      for (const imageRegistry of registries)
        expectKnownKeys("vsphere-cpi", vsphereCpiValues({ vcenterHost: "vc.example.local", datacenter: "dc1", credentialsSecretName: "vsphere-cloud-secret", thumbprint, imageRegistry }));
  });
});
