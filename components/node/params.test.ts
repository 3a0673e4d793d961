import { describe, expect, it } from "vitest";
import { stackSpec } from "../../test/stack-spec";
import { requiredPorts, type PortRule } from "../../stacks/ports";
import {
  baseEnv,
  containerdEnv,
  firewallEnv,
  firewallPortsFor,
  firewallProtocolsFor,
  kubernetesMinor,
  kubernetesPackagesEnv,
  kubernetesRepoKeyUrl,
  kubernetesRepoUrl,
  normaliseSelinuxMode,
  proxyEnv,
} from "./params";

describe("normaliseSelinuxMode", () => {
  it("accepts any case and surrounding blanks", () => {
    expect(normaliseSelinuxMode("Enforcing")).toBe("enforcing");
    expect(normaliseSelinuxMode(" permissive ")).toBe("permissive");
    expect(normaliseSelinuxMode("DISABLED")).toBe("disabled");
  });

  it("throws naming the field for junk", () => {
    expect(() => normaliseSelinuxMode("enforce", "nodes.selinux")).toThrow(
      'nodes.selinux: invalid SELinux mode "enforce"; expected Enforcing, Permissive or Disabled (case-insensitive)',
    );
    expect(() => normaliseSelinuxMode("")).toThrow(/selinux\.mode: invalid SELinux mode ""/);
  });
});

describe("firewallPortsFor", () => {
  const rules: PortRule[] = [
    { port: "6443", protocol: "tcp", on: "control-plane", from: "clients", purpose: "kube-apiserver" },
    { port: "10250", protocol: "tcp", on: "any", from: "nodes", purpose: "kubelet API" },
    { port: "4789", protocol: "udp", on: "any", from: "nodes", purpose: "Calico VXLAN" },
    { port: "80", protocol: "tcp", on: "worker", from: "clients", purpose: "ingress HTTP" },
    { port: "7946", protocol: "udp", on: "any", from: "nodes", purpose: "MetalLB memberlist" },
    { port: "7946", protocol: "tcp", on: "any", from: "nodes", purpose: "MetalLB memberlist" },
    { port: "10250", protocol: "tcp", on: "any", from: "nodes", purpose: "listed twice" },
  ];

  const cp = { role: "control-plane" as const, name: "cp-1" };
  const worker1 = { role: "worker" as const, name: "worker-1" };

  it("takes a role's rules and the any-role rules, once each, sorted by port", () => {
    expect(firewallPortsFor(rules, cp)).toEqual(["4789/udp", "6443/tcp", "7946/tcp", "7946/udp", "10250/tcp"]);
    expect(firewallPortsFor(rules, worker1)).toEqual(["80/tcp", "4789/udp", "7946/tcp", "7946/udp", "10250/tcp"]);
  });

  it("a rule for one node reaches that node only; IP protocols go to firewallProtocolsFor, not the ports", () => {
    const more: PortRule[] = [
      ...rules,
      { port: "2049", protocol: "tcp", on: "worker", node: "nfs-1", from: "nodes", purpose: "NFS server" },
      { protocol: "ipip", on: "any", from: "nodes", purpose: "Calico IP-in-IP" },
      { protocol: "vrrp", on: "control-plane", from: "control-planes", purpose: "VRRP" },
    ];
    expect(firewallPortsFor(more, { role: "worker", name: "nfs-1" })).toContain("2049/tcp");
    expect(firewallPortsFor(more, worker1)).not.toContain("2049/tcp");
    expect(firewallProtocolsFor(more, cp)).toEqual(["ipip", "vrrp"]);
    expect(firewallProtocolsFor(more, worker1)).toEqual(["ipip"]);
  });

  it("is fed by stacks/ports.ts: the RedOS example's control planes get the haproxy port, workers the ingress ports", () => {
    const all = requiredPorts(stackSpec("examples/redos-proxy-calico-metallb-nfs.yaml"));
    const controlPlane = firewallPortsFor(all, { role: "control-plane", name: "pcp-cp-1" });
    const worker = firewallPortsFor(all, { role: "worker", name: "pcp-nfs-1" });
    expect(controlPlane).toEqual(expect.arrayContaining(["2379-2380/tcp", "4789/udp", "6443/tcp", "8443/tcp", "10250/tcp", "10257/tcp", "10259/tcp"]));
    expect(controlPlane).not.toContain("443/tcp");
    expect(worker).toEqual(expect.arrayContaining(["80/tcp", "443/tcp", "4789/udp", "7946/tcp", "7946/udp", "10250/tcp", "30000-32767/tcp"]));
    expect(worker).not.toContain("6443/tcp");
    // Every rule reaches some node's firewall: nothing in the one list is lost on the way.
    const protocols = firewallProtocolsFor(all, { role: "control-plane", name: "pcp-cp-1" });
    for (const rule of all) expect([...controlPlane, ...worker, ...protocols]).toContain(rule.port ? `${rule.port}/${rule.protocol}` : rule.protocol);
  });

  it("refuses a rule firewalld cannot take", () => {
    expect(() => firewallPortsFor([{ port: "vrrp", protocol: "tcp", on: "any", from: "nodes", purpose: "VRRP" }], worker1)).toThrow(/port rule "VRRP"/);
  });
});

describe("kubernetesRepoUrl", () => {
  it("builds pkgs.k8s.io URLs per family and minor", () => {
    expect(kubernetesRepoUrl("apt", "1.30")).toBe("https://pkgs.k8s.io/core:/stable:/v1.30/deb/");
    expect(kubernetesRepoUrl("dnf", "v1.31")).toBe("https://pkgs.k8s.io/core:/stable:/v1.31/rpm/");
    expect(kubernetesRepoUrl("dnf", "1.30.14")).toBe("https://pkgs.k8s.io/core:/stable:/v1.30/rpm/");
  });

  it("uses the same layout under a mirror", () => {
    expect(kubernetesRepoUrl("apt", "1.30", "https://mirror.local/k8s/")).toBe("https://mirror.local/k8s/core:/stable:/v1.30/deb/");
    expect(kubernetesRepoKeyUrl("apt", "https://pkgs.k8s.io/core:/stable:/v1.30/deb/")).toBe("https://pkgs.k8s.io/core:/stable:/v1.30/deb/Release.key");
    expect(kubernetesRepoKeyUrl("dnf", "https://m/core:/stable:/v1.30/rpm")).toBe("https://m/core:/stable:/v1.30/rpm/repodata/repomd.xml.key");
  });

  it("rejects what is not a version", () => {
    expect(() => kubernetesMinor("latest")).toThrow(/kubernetes.version/);
  });
});

describe("script environments", () => {
  it("base: hosts as newline-joined lines, servers comma-joined", () => {
    expect(
      baseEnv({
        hostname: "cp-1",
        hosts: [
          { ip: "10.0.0.10", names: ["k8s-api.example", "k8s-api"] },
          { ip: "10.0.0.11", names: ["cp-1"] },
        ],
        timeServers: ["ntp1", "ntp2"],
      }),
    ).toEqual({
      NODE_HOSTNAME: "cp-1",
      HOSTS_ENTRIES: "10.0.0.10 k8s-api.example k8s-api\n10.0.0.11 cp-1",
      TIME_SERVERS: "ntp1,ntp2",
    });
    expect(() => baseEnv({ hostname: "a\nb", hosts: [] })).toThrow(/hostname: must be a single line/);
  });

  it("proxy: present needs a URL, absent carries nothing else", () => {
    expect(proxyEnv({ mode: "present", httpProxy: "http://p:3128", noProxy: ["10.0.0.0/8", ".svc"] })).toEqual({
      PROXY_MODE: "present",
      PROXY_HTTP: "http://p:3128",
      PROXY_NO_PROXY: "10.0.0.0/8,.svc",
    });
    expect(proxyEnv({ mode: "absent", httpProxy: "http://p:3128" })).toEqual({ PROXY_MODE: "absent" });
    expect(() => proxyEnv({ mode: "present" })).toThrow(/proxy.httpProxy/);
    expect(() => proxyEnv({ mode: "present", httpProxy: "http://a:b@p:1\nX=1" })).not.toThrow(/b@p/);
  });

  it("containerd: mirrors as registry=url,url lines", () => {
    expect(
      containerdEnv({ sandboxImage: "registry.k8s.io/pause:3.9", registryMirrors: { "docker.io": ["https://m1", "https://m2"], "quay.io": ["https://m3"] } }),
    ).toEqual({ SANDBOX_IMAGE: "registry.k8s.io/pause:3.9", REGISTRY_MIRRORS: "docker.io=https://m1,https://m2\nquay.io=https://m3" });
  });

  it("kubernetes packages and firewall validate their inputs", () => {
    expect(kubernetesPackagesEnv({ version: "1.30.14", repoRetries: 3 })).toEqual({ KUBERNETES_VERSION: "1.30.14", KUBERNETES_REPO_RETRIES: "3" });
    expect(() => kubernetesPackagesEnv({ version: "1.30" })).toThrow(/kubernetes.version/);
    expect(firewallEnv({ mode: "firewalld", ports: ["6443/tcp", "30000-32767/tcp"], selinuxMode: "Enforcing", haproxyOnNode: true })).toEqual({
      FIREWALL_MODE: "firewalld",
      FIREWALL_PORTS: "6443/tcp,30000-32767/tcp",
      SELINUX_MODE: "enforcing",
      HAPROXY_ON_NODE: "true",
    });
    expect(() => firewallEnv({ mode: "firewalld", ports: ["6443"] })).toThrow(/firewall.ports/);
    expect(() => firewallEnv({ mode: "disabled", ports: [], selinuxMode: "strict" })).toThrow(/selinux.mode/);
  });
});
