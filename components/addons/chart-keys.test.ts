import { describe, expect, it } from "vitest";
import { extractValuesKeys, unknownValuesKeys, type ValuesKeyList } from "./chart-keys";
import { PINNED_CHARTS } from "./charts";
import { chartAndVersionFromFileName } from "../../scripts/chart-keys";

const sampleValues = `
replicas: 1
image:
  repository: example.org/app
  tag: ""
nodeSelector:
  kubernetes.io/os: linux
podAnnotations: {}
extraArgs: {}
resources:
  requests:
    cpu: 10m
tolerations: []
service:
  type: ClusterIP
  annotations: {}
locations:
  - name: default
    bucket: ""
optional:
`;

const sample: ValuesKeyList = { chart: "sample", version: "1.0.0", source: "test", paths: extractValuesKeys(sampleValues) };

describe("extractValuesKeys", () => {
  it("classifies structured maps, user-keyed maps, lists and scalars", () => {
    expect(sample.paths).toMatchObject({
      replicas: "scalar",
      image: "map",
      "image.repository": "scalar",
      nodeSelector: "free",
      podAnnotations: "free",
      extraArgs: "free",
      resources: "free",
      tolerations: "list",
      service: "map",
      "service.annotations": "free",
      locations: "list",
      "locations.[]": "map",
      "locations.[].bucket": "scalar",
      optional: "scalar",
    });
    expect(sample.paths["nodeSelector.kubernetes\\.io/os"]).toBeUndefined();
  });
});

describe("unknownValuesKeys", () => {
  it("accepts declared keys and any key under a free-form map or passthrough object", () => {
    const values = {
      replicas: 2,
      image: { repository: "mirror.local/app" },
      nodeSelector: { "node-role.example/lb": "true" },
      podAnnotations: { anything: "goes" },
      extraArgs: { "v": "2" },
      resources: { limits: { memory: "1Gi" } },
      tolerations: [{ key: "dedicated", operator: "Exists" }],
      service: { type: "LoadBalancer", annotations: { "metallb.io/loadBalancerIPs": "10.0.0.5" } },
      locations: [{ name: "a", bucket: "b" }],
      optional: { nested: true },
    };
    expect(unknownValuesKeys(values, sample)).toEqual([]);
  });

  it("reports a key invented at a structured path, at any depth and inside list items", () => {
    const values = {
      replica: 2,
      image: { registry: "mirror.local" },
      service: { loadBalancerIPz: "10.0.0.5" },
      locations: [{ name: "a", bukket: "b" }],
    };
    expect(unknownValuesKeys(values, sample)).toEqual([
      "replica",
      "image.registry",
      "service.loadBalancerIPz",
      "locations.[].bukket",
    ]);
  });

  it("fails on an invented key against a real pinned chart", () => {
    const keys = PINNED_CHARTS.cilium.keys;
    expect(unknownValuesKeys({ kubeProxyReplacement: true, hubble: { relay: { enabled: true } } }, keys)).toEqual([]);
    expect(unknownValuesKeys({ hubble: { relay: { enable: true } }, tunnelMode: "vxlan" }, keys)).toEqual([
      "hubble.relay.enable",
      "tunnelMode",
    ]);
  });
});

describe("chart key list files", () => {
  it("name chart and version as the registry pins them", () => {
    for (const pinned of Object.values(PINNED_CHARTS)) {
      expect(pinned.keys.chart).toBe(pinned.chart);
      expect(pinned.keys.version).toBe(pinned.version);
      expect(Object.keys(pinned.keys.paths).length).toBeGreaterThan(10);
    }
    expect(chartAndVersionFromFileName("x/tigera-operator-v3.30.3.json")).toEqual({ chart: "tigera-operator", version: "v3.30.3" });
    expect(chartAndVersionFromFileName("nfs-subdir-external-provisioner-4.0.18.json")).toEqual({
      chart: "nfs-subdir-external-provisioner",
      version: "4.0.18",
    });
  });
});
