// The pure pieces of the lab's add-on phases (addon-checks.ts, and the pins of addons.ts and
// images.ts checked against the tools modules that build and fetch them). No lab here: the
// phases themselves run in the day-2 journey (test/engine/day2/addons.ts).
import * as fs from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { PINNED_CHARTS } from "../../components/addons/charts";
import { crdsForTest, validateManifests } from "../tools/kube-validate";
import { PINNED_HELM_VERSION, PINNED_METALLB_VERSION, PINNED_TRAEFIK_VERSION, toolsModule } from "../tools/go-binaries";
import { addressVerdict, criImageName, echoHttpRoute, echoIngress, echoServer, labKubeProxyConfig, podNetworkRoutes, renderedImages } from "./addon-checks";
import { LAB_CHARTS, chartDeviation, labChartDir } from "./addons";
import { ADDON_IMAGES, WORKLOAD_IMAGE, labCanBuild } from "./images";

const toYaml = (docs: unknown[]): string => docs.map((d) => `---\n${stringify(d)}`).join("");
/** The version a tools module's go.mod requires (or lists as a tool's module) for `module`. */
const required = (tools: string, module: string): string | undefined => {
  const text = fs.readFileSync(path.join(toolsModule(tools), "go.mod"), "utf8");
  return text.match(new RegExp(`^\\s*${module.replaceAll(".", "\\.")} (v\\S+)`, "m"))?.[1];
};

describe("criImageName: the name containerd's CRI looks an image up by", () => {
  it("spells out Docker Hub's registry and library/", () => {
    expect(criImageName("docker.io/traefik:v3.7.13")).toBe("docker.io/library/traefik:v3.7.13");
    expect(criImageName("traefik:v3.7.13")).toBe("docker.io/library/traefik:v3.7.13");
    expect(criImageName("velero/velero:v1.18.1")).toBe("docker.io/velero/velero:v1.18.1");
  });
  it("leaves references that already name their registry", () => {
    for (const ref of ["quay.io/metallb/speaker:v0.16.1", "registry.k8s.io/pause:3.10.1", "docker.io/velero/velero:v1.18.1", "localhost:5000/echo:1", WORKLOAD_IMAGE]) expect(criImageName(ref)).toBe(ref);
  });
  it("every add-on image is registered under that name, and the lab can build it", () => {
    for (const ref of Object.values(ADDON_IMAGES)) {
      expect(criImageName(ref)).toBe(ref);
      expect(labCanBuild(ref), ref).toBe(true);
    }
    expect(labCanBuild("docker.io/library/traefik:v3.7.13")).toBe(true);
    expect(labCanBuild("quay.io/frrouting/frr:10.5.3")).toBe(false);
  });
});

describe("renderedImages", () => {
  it("lists the containers' and init containers' images of every object once, nested templates included", () => {
    const rendered = [
      "---\n# Source: chart/templates/empty.yaml\n",
      stringify({ kind: "Deployment", spec: { template: { spec: { initContainers: [{ name: "init", image: "b:1" }], containers: [{ name: "c", image: "a:1" }] } } } }),
      "---\n",
      stringify({ kind: "DaemonSet", spec: { template: { spec: { containers: [{ name: "c", image: "a:1" }, { name: "d", image: "c:2" }] } } } }),
      "---\n",
      stringify({ kind: "CronJob", spec: { jobTemplate: { spec: { template: { spec: { containers: [{ name: "j", image: "d:3" }] } } } } } }),
      "---\n",
      stringify({ kind: "ConfigMap", data: { image: "not-a-container:1" } }),
    ].join("");
    expect(renderedImages(rendered)).toEqual(["a:1", "b:1", "c:2", "d:3"]);
  });
});

describe("podNetworkRoutes", () => {
  const nodes = [
    { name: "cp", address: "10.251.0.100", podSubnet: "10.244.0.0/24" },
    { name: "cp2", address: "10.251.0.110", podSubnet: "10.244.1.0/24" },
    { name: "w", address: "10.251.0.101", podSubnet: "10.244.3.0/24" },
  ];
  it("routes every other node's pod range through that node, never a node's own", () => {
    const routes = podNetworkRoutes(nodes);
    expect(routes.cp).toEqual([
      { subnet: "10.244.1.0/24", via: "10.251.0.110" },
      { subnet: "10.244.3.0/24", via: "10.251.0.101" },
    ]);
    expect(routes.w).toEqual([
      { subnet: "10.244.0.0/24", via: "10.251.0.100" },
      { subnet: "10.244.1.0/24", via: "10.251.0.110" },
    ]);
    expect(Object.keys(routes)).toEqual(["cp", "cp2", "w"]);
  });
  it("refuses a node named twice", () => {
    expect(() => podNetworkRoutes([...nodes, { ...nodes[0]!, address: "10.251.0.102" }])).toThrow(/repeat/);
  });
});

describe("labKubeProxyConfig", () => {
  it("is iptables mode for the node, and leaves the conntrack sysctls a network namespace may not set", () => {
    const config = JSON.parse(labKubeProxyConfig({ nodeName: "k8s-node1", kubeconfig: "/etc/kubernetes/lab-kube-proxy.conf", clusterCidr: "10.244.0.0/16" }));
    expect(config).toMatchObject({
      kind: "KubeProxyConfiguration",
      hostnameOverride: "k8s-node1",
      clusterCIDR: "10.244.0.0/16",
      mode: "iptables",
      clientConnection: { kubeconfig: "/etc/kubernetes/lab-kube-proxy.conf" },
      conntrack: { maxPerCore: 0, min: 0, tcpEstablishedTimeout: "0s", tcpCloseWaitTimeout: "0s" },
    });
  });
});

describe("the echo server's objects", () => {
  let gatewayApiCrds: string | undefined;
  beforeAll(async () => {
    gatewayApiCrds = await crdsForTest("gateway-api-v1.6.1");
  }, 600_000);

  it("a Deployment and a Service the built-in schemas accept; the pool annotation only when asked", async () => {
    for (const p of [{ service: "LoadBalancer" as const }, { service: "ClusterIP" as const, addressPool: "outside" }]) {
      const docs = echoServer({ name: "echo", image: WORKLOAD_IMAGE, ...p });
      const result = await validateManifests(toYaml(docs), { kubernetesVersion: "1.33.0" });
      expect(result.ok, result.output).toBe(true);
      const service = docs[1] as { metadata: { annotations?: Record<string, string> }; spec: { type: string } };
      expect(service.spec.type).toBe(p.service);
      expect(service.metadata.annotations).toEqual(p.addressPool ? { "metallb.io/address-pool": p.addressPool } : undefined);
    }
    const ingress = echoIngress({ name: "echo", host: "ingress.lab.example.internal", service: "echo-b" });
    const result = await validateManifests(toYaml([ingress]), { kubernetesVersion: "1.33.0" });
    expect(result.ok, result.output).toBe(true);
  });

  it("the HTTPRoute is valid against the Gateway API CRDs and sends each path prefix to its Service", async (ctx) => {
    const route = echoHttpRoute({ name: "echo", gateway: { name: "traefik-gateway", namespace: "traefik" }, host: "echo.lab.example.internal", paths: { "/a": "echo-a", "/b": "echo-b" } });
    const rules = (route.spec as { rules: { matches: { path: { value: string } }[]; backendRefs: { name: string }[] }[] }).rules;
    expect(rules.map((r) => [r.matches[0]!.path.value, r.backendRefs[0]!.name])).toEqual([["/a", "echo-a"], ["/b", "echo-b"]]);
    if (!gatewayApiCrds) return ctx.skip();
    const result = await validateManifests(toYaml([route]), { customResourceDefinitions: [gatewayApiCrds] });
    expect(result.ok, result.output).toBe(true);
  });
});

describe("addressVerdict", () => {
  const subnet = "10.251.0.0/24";
  it("an address that answered is reachable", () => {
    const v = addressVerdict({ service: "addons-lab/echo", address: "10.251.0.201", subnet, http: { ok: true, body: "hello from echo-1\n" } });
    expect(v).toEqual({ reachable: true, message: "addons-lab/echo: 10.251.0.201 answered HTTP: hello from echo-1" });
  });
  it("no address says so", () => {
    expect(addressVerdict({ service: "addons-lab/echo", subnet, http: { ok: false, error: "no address" } }).message).toMatch(/no LoadBalancer address assigned/);
  });
  it("an address outside the node subnet is named as the reason", () => {
    const v = addressVerdict({ service: "addons-lab/echo-outside", address: "10.252.0.10", subnet, http: { ok: false, error: "curl: (7) Failed to connect" } });
    expect(v.reachable).toBe(false);
    expect(v.message).toContain("10.252.0.10 does not answer HTTP from the switch");
    expect(v.message).toContain("outside the node subnet 10.251.0.0/24");
  });
  it("an address inside that does not answer points at the speaker or the endpoints", () => {
    const v = addressVerdict({ service: "addons-lab/echo", address: "10.251.0.205", subnet, http: { ok: false, error: "timed out" } });
    expect(v.reachable).toBe(false);
    expect(v.message).toMatch(/inside the node subnet, but nothing answered/);
  });
});

describe("the lab's add-on pins", () => {
  it("MetalLB and helm build at the versions go-binaries.ts names, MetalLB at the pinned chart's appVersion", () => {
    expect(required("metallb", "go.universe.tf/metallb")).toBe(PINNED_METALLB_VERSION);
    expect(PINNED_METALLB_VERSION).toBe(PINNED_CHARTS.metallb.appVersion);
    expect(ADDON_IMAGES.metallbController).toBe(`quay.io/metallb/controller:${PINNED_METALLB_VERSION}`);
    expect(ADDON_IMAGES.metallbSpeaker).toBe(`quay.io/metallb/speaker:${PINNED_METALLB_VERSION}`);
    expect(required("helm", "helm.sh/helm/v3")).toBe(PINNED_HELM_VERSION);
  });
  it("Traefik builds at the pinned traefik chart's appVersion", () => {
    expect(required("traefik", "github.com/traefik/traefik/v3")).toBe(PINNED_TRAEFIK_VERSION);
    expect(PINNED_TRAEFIK_VERSION).toBe(PINNED_CHARTS.traefik.appVersion);
  });
  it("the lab's charts are the ones tools/charts fetches; a chart other than the plan's pin is reported", () => {
    expect(required("charts", "go.universe.tf/metallb")).toBe(`v${LAB_CHARTS.metallb!.version}`);
    expect(required("charts", "github.com/traefik/traefik-helm-chart")).toBe(`v${LAB_CHARTS.traefik!.version}+incompatible`);
    expect(LAB_CHARTS.metallb!.version).toBe(PINNED_CHARTS.metallb.version);
    expect(chartDeviation("metallb")).toBeUndefined();
    expect(chartDeviation("traefik")).toBe("traefik: the lab installs chart 41.6.0; the plan pins 41.3.0, which the Go module proxy does not serve");
  });
  it("the lab's chart directories hold those chart versions, fetched through the Go module proxy", async () => {
    for (const chart of ["metallb", "traefik"] as const) {
      const chartYaml = fs.readFileSync(path.join(await labChartDir(chart), "Chart.yaml"), "utf8");
      expect(chartYaml).toMatch(new RegExp(`^name: ${chart}$`, "m"));
      expect(chartYaml).toMatch(new RegExp(`^version: ${LAB_CHARTS[chart]!.version.replaceAll(".", "\\.")}$`, "m"));
    }
    await expect(labChartDir("velero")).rejects.toThrow(/no source for chart velero/);
  }, 300_000);
});
