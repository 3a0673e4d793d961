import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { SUPPORTED_KUBERNETES_MINORS } from "../../stacks/schema";
import { readStackFile } from "../../stacks/stack-file";
import { formatProblems, validateCluster } from "../../stacks/validate";
import type { ClusterSpec } from "../../stacks/spec";
import { carriesCredentials, hostsEntries, PAUSE_IMAGE_TAGS, preparationParts, sandboxImage } from "./parts";

const root = path.resolve(__dirname, "../..");

function specOf(file: string, mutate: (c: Record<string, any>) => void = () => {}): ClusterSpec {
  const cluster = structuredClone(readStackFile(file, root).cluster) as Record<string, any>;
  mutate(cluster);
  const result = validateCluster(cluster, { secretsPresent: new Set(), planMode: true });
  if (!result.ok) throw new Error(formatProblems(result.problems));
  return result.spec;
}

const REDOS = "examples/redos-proxy-calico-metallb-nfs.yaml";
const envOf = (spec: ClusterSpec, nodeName: string, part: string) => {
  const node = spec.nodes.find((n) => n.name === nodeName)!;
  return preparationParts(spec, node, { waitForCloudInit: false }).find((p) => p.part === part)?.env;
};

describe("preparationParts", () => {
  it("apt family: base, proxy, containerd, kubernetes-packages and no firewall part", () => {
    const spec = specOf("poc");
    const parts = preparationParts(spec, spec.nodes[0], { waitForCloudInit: false }).map((p) => p.part);
    expect(parts).toEqual(["base", "proxy", "containerd", "kubernetes-packages", "images"]);
  });

  it("waits for cloud-init first only when asked (a machine without its own ready step)", () => {
    const spec = specOf("poc");
    expect(preparationParts(spec, spec.nodes[0], { waitForCloudInit: true })[0].part).toBe("wait-cloud-init");
  });

  it("dnf family: a firewall part with the role's ports from stacks/ports.ts, SELinux normalised, haproxy_connect_any on control planes", () => {
    const spec = specOf(REDOS);
    const node = spec.nodes[0];
    expect(preparationParts(spec, node, { waitForCloudInit: false }).map((p) => p.part)).toEqual(["base", "proxy", "containerd", "kubernetes-packages", "firewall", "images"]);
    const cp = envOf(spec, "pcp-cp-1", "firewall")!;
    expect(cp).toMatchObject({ FIREWALL_MODE: "firewalld", SELINUX_MODE: "enforcing", HAPROXY_ON_NODE: "true", FIREWALL_PROTOCOLS: "vrrp" });
    expect(cp.FIREWALL_PORTS.split(",")).toEqual(expect.arrayContaining(["6443/tcp", "8443/tcp", "2379-2380/tcp", "4789/udp"]));
    const worker = envOf(spec, "pcp-worker-1", "firewall")!;
    expect(worker.HAPROXY_ON_NODE).toBe("false");
    expect(worker.FIREWALL_PROTOCOLS).toBeUndefined();
    expect(worker.FIREWALL_PORTS.split(",")).toEqual(expect.arrayContaining(["80/tcp", "443/tcp", "10250/tcp"]));
    expect(worker.FIREWALL_PORTS).not.toContain("6443/tcp");
  });

  it("dnf family: the firewall opens what the CNI mode needs, from the one list, and trusts the CNI's interfaces and the pod CIDR", () => {
    const vxlan = specOf(REDOS);
    const worker = envOf(vxlan, "pcp-worker-1", "firewall")!;
    expect(worker).toMatchObject({ FIREWALL_POD_INTERFACES: "cali+,vxlan.calico", FIREWALL_POD_SOURCES: vxlan.kubernetes.podCidr });
    // SSH from the machine running Pulumi: a firewalld started here must not lock it out.
    expect(worker.FIREWALL_PORTS.split(",")).toEqual(expect.arrayContaining([`${vxlan.ssh.port}/tcp`, "4789/udp", "5473/tcp"]));
    expect(worker.FIREWALL_PORTS.split(",")).not.toContain("179/tcp");
    const ipip = specOf(REDOS, (c) => {
      c.addons.cni.mode = "ipip";
      delete c.addons.cni.checksumOffloadWorkaround;
    });
    const ipipWorker = envOf(ipip, "pcp-worker-1", "firewall")!;
    expect(ipipWorker.FIREWALL_PROTOCOLS).toBe("ipip");
    expect(envOf(ipip, "pcp-cp-1", "firewall")!.FIREWALL_PROTOCOLS).toBe("ipip,vrrp");
    expect(ipipWorker.FIREWALL_PORTS.split(",")).toContain("179/tcp");
    expect(ipipWorker.FIREWALL_PORTS.split(",")).not.toContain("4789/udp");
    expect(ipipWorker.FIREWALL_POD_INTERFACES).toBe("cali+,tunl0");
    const cilium = specOf(REDOS, (c) => {
      c.addons.cni = { type: "cilium", mode: "vxlan" };
    });
    const ciliumWorker = envOf(cilium, "pcp-worker-1", "firewall")!;
    expect(ciliumWorker.FIREWALL_PORTS.split(",")).toEqual(expect.arrayContaining(["4240/tcp", "8472/udp"]));
    expect(ciliumWorker.FIREWALL_PORTS).not.toMatch(/4244|6081|4789|5473/);
    expect(ciliumWorker.FIREWALL_POD_INTERFACES).toBe("cilium_+,lxc+");
  });

  it("base: the node's hostname and /etc/hosts with every node and the API name on the VIP", () => {
    const spec = specOf("poc");
    const env = envOf(spec, "nsx-poc-worker-2", "base")!;
    expect(env.NODE_HOSTNAME).toBe("nsx-poc-worker-2");
    expect(env.HOSTS_ENTRIES.split("\n")).toEqual([
      "192.168.100.10 api.nsx-poc.corp.example.internal",
      "192.168.100.11 nsx-poc-cp-1",
      "192.168.100.12 nsx-poc-cp-2",
      "192.168.100.13 nsx-poc-cp-3",
      "192.168.100.21 nsx-poc-worker-1",
      "192.168.100.22 nsx-poc-worker-2",
    ]);
    // No DNS name: nothing to map the VIP to.
    expect(hostsEntries({ nodes: spec.nodes, apiEndpoint: { ...spec.apiEndpoint, dnsName: undefined } })[0]).toEqual({ ip: "192.168.100.11", names: ["nsx-poc-cp-1"] });
  });

  it("base: the site's NTP servers from network.ntpServers, or none so the distribution's stay", () => {
    expect(envOf(specOf(REDOS), "pcp-worker-1", "base")!.TIME_SERVERS).toBe("10.255.0.10,10.255.0.11");
    expect(envOf(specOf(REDOS, (c) => (c.network.ntpServers = ["ntp1.pcp.example.internal"])), "pcp-cp-1", "base")!.TIME_SERVERS).toBe("ntp1.pcp.example.internal");
    expect(envOf(specOf("poc"), "nsx-poc-cp-1", "base")).not.toHaveProperty("TIME_SERVERS");
  });

  it("proxy: present with the effective no_proxy, absent without a proxy", () => {
    const spec = specOf(REDOS);
    expect(envOf(spec, "pcp-cp-1", "proxy")).toEqual({ PROXY_MODE: "present", PROXY_HTTP: "http://127.0.0.1:12334", PROXY_NO_PROXY: spec.noProxy.join(",") });
    expect(envOf(specOf("poc"), "nsx-poc-cp-1", "proxy")).toEqual({ PROXY_MODE: "absent" });
  });

  it("containerd: pause image of the pinned minor from kubernetes.imageRepository, mirrors from registries.containerdMirrors", () => {
    expect(envOf(specOf(REDOS), "pcp-cp-1", "containerd")).toEqual({ SANDBOX_IMAGE: "registry.k8s.io/pause:3.9" });
    const spec = specOf("poc", (c) => {
      c.kubernetes.imageRepository = "harbor.corp.example/k8s/";
      c.registries = { containerdMirrors: { "docker.io": "https://harbor.corp.example/v2/dockerhub", "registry.k8s.io": "https://harbor.corp.example" } };
    });
    expect(envOf(spec, "nsx-poc-cp-1", "containerd")).toEqual({
      SANDBOX_IMAGE: "harbor.corp.example/k8s/pause:3.10.1",
      REGISTRY_MIRRORS: "docker.io=https://harbor.corp.example/v2/dockerhub\nregistry.k8s.io=https://harbor.corp.example",
    });
  });

  it("kubernetes-packages: the exact version from pkgs.k8s.io's repository of its minor, or the same layout under a mirror", () => {
    expect(envOf(specOf(REDOS), "pcp-cp-1", "kubernetes-packages")).toEqual({ KUBERNETES_VERSION: "1.30.14", KUBERNETES_REPO_URL: "https://pkgs.k8s.io/core:/stable:/v1.30/rpm/" });
    const mirrored = specOf("poc", (c) => (c.kubernetes.packageRepository = "https://mirror.corp.example/k8s"));
    expect(envOf(mirrored, "nsx-poc-cp-1", "kubernetes-packages")!.KUBERNETES_REPO_URL).toBe("https://mirror.corp.example/k8s/core:/stable:/v1.34/deb/");
  });
});

describe("sandboxImage", () => {
  it("knows the pause tag of every supported minor", () => {
    for (const minor of SUPPORTED_KUBERNETES_MINORS) expect(sandboxImage(`${minor}.1`)).toBe(`registry.k8s.io/pause:${PAUSE_IMAGE_TAGS[minor]}`);
    expect(sandboxImage("1.31.2")).toBe("registry.k8s.io/pause:3.10");
    expect(sandboxImage("1.34.4")).toBe("registry.k8s.io/pause:3.10.1");
  });

  it("refuses a minor it has no tag for instead of guessing", () => {
    expect(() => sandboxImage("1.29.3")).toThrow(/no pause image tag is recorded for Kubernetes 1.29/);
  });
});

describe("carriesCredentials", () => {
  it("spots user:pass@ in any value", () => {
    expect(carriesCredentials({ PROXY_HTTP: "http://alice:pw@proxy:3128" })).toBe(true);
    expect(carriesCredentials({ PROXY_HTTP: "http://proxy:3128", PROXY_NO_PROXY: "localhost,10.0.0.0/8" })).toBe(false);
  });
});
