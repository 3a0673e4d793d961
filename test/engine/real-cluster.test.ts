// The real engine on real nodes: an existing-hosts stack (examples/existing-hosts-external-lb.yaml
// with the lab's facts, test/lab/stack-config.ts) whose hosts are real-node lab nodes
// (test/cluster/ssh-hosts.ts). One `pulumi up` prepares them over SSH (base, proxy, containerd,
// the packages from the lab's repository of the locally built binaries), puts keepalived and
// haproxy in front of the API, runs real kubeadm init and joins, and leaves a cluster whose five
// nodes are Ready with three etcd members; `pulumi destroy` drains, removes and resets them again.
// The add-ons' Helm releases and manifests go to the kubernetes stand-in provider, which records
// them only: the lab's pod network is its bridge plugin, and no add-on gate is in this stack.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { labGate } from "../cluster/gate";
import { SshHosts } from "../cluster/ssh-hosts";
import { labSpec, renderLabStack } from "../lab/stack-config";
import { EngineStack } from "./stack";
import { EngineWorkspace } from "./workspace";

const gate = labGate();
const MINUTE = 60_000;
/** A real cluster's up or destroy: 2 min on an idle machine; the test setup's cold, loaded runs need more. */
const DEPLOY_LIMIT_MS = 25 * MINUTE;

/** What kubeadm and the node steps leave on a host that a destroy must take away again. */
const CLUSTER_FILES = "find /etc/kubernetes /var/lib/etcd /var/lib/kubelet -type f 2>/dev/null | sort; true";

/**
 * The lab's edits to the example, beyond its facts: keepalived + haproxy on the control planes; no
 * MetalLB (its webhook gate waits for pods the stand-in provider never runs), so no ingress either.
 */
function realNodeStack(cluster: any): void {
  cluster.endpoint = { mode: "keepalived-haproxy", vip: cluster.endpoint.vip, dnsName: "k8s-apiserver.lab.example.internal", port: 16443, virtualRouterId: 51 };
  cluster.addons.loadBalancer = { type: "none" };
  cluster.addons.ingress = { type: "none" };
}

describe("the real engine on real nodes", () => {
  it.runIf(gate.failure !== undefined)("is available (required under CI)", () => {
    throw new Error(gate.failure);
  });
});

describe.runIf(gate.run)("real engine: one pulumi up brings up a real cluster on the real-node lab, pulumi destroy removes it", () => {
  let hosts: SshHosts;
  let workspace: EngineWorkspace;
  let stack: EngineStack;
  const before = new Map<string, string>();

  beforeAll(async () => {
    hosts = await SshHosts.start(["k8s-master", "k8s-master-2", "k8s-master-3"], ["k8s-node1", "k8s-node2"]);
    workspace = await EngineWorkspace.create("real-cluster", { wrap: (argv) => hosts.command(argv) });
    stack = await EngineStack.initFromText(workspace, "lab", renderLabStack(hosts, realNodeStack), { sshPrivateKey: hosts.privateKey });
    for (const host of hosts.hosts) before.set(host.name, (await hosts.node(host.name).exec(CLUSTER_FILES)).stdout);
  }, 35 * MINUTE);

  afterAll(async () => {
    workspace?.dispose();
    await hosts?.dispose();
  }, 2 * MINUTE);

  it("pulumi up: every node Ready, etcd with three members, the real packages installed and held", async () => {
    const output = await stack.ok(["up", "--yes"], { timeoutMs: DEPLOY_LIMIT_MS });
    expect(output).toMatch(/Resources:\s+\+ \d+ created/);
    const spec = labSpec(hosts, realNodeStack);
    const first = hosts.node(spec.controlPlanes[0]!.name);
    await first.waitNodesReady(spec.nodes.map((n) => n.name), 180);
    expect(await first.etcdMembers()).toEqual(spec.controlPlanes.map((n) => n.name).sort());
    for (const host of hosts.hosts) {
      const node = hosts.node(host.name);
      const installed = await node.exec("dpkg-query -W -f='${Package}=${Version}\\n' kubeadm kubelet kubectl", { check: true });
      expect(installed.stdout.split("\n").filter(Boolean), host.name).toEqual(["kubeadm", "kubectl", "kubelet"].map((p) => `${p}=${hosts.kubernetesVersion}-1.1`));
      expect((await node.exec("apt-mark showhold", { check: true })).stdout.split("\n").filter(Boolean).sort(), host.name).toEqual(["kubeadm", "kubectl", "kubelet"]);
      expect((await node.exec("kubelet --version", { check: true })).stdout.trim()).toBe(`Kubernetes v${hosts.kubernetesVersion}`);
    }
    // The API answers through the VIP that keepalived holds, at the endpoint's name and port.
    const version = await first.exec(`kubectl --kubeconfig /etc/kubernetes/admin.conf --server https://${spec.apiEndpoint.host}:${spec.apiEndpoint.port} version -o json`, { check: true });
    expect(JSON.parse(version.stdout).serverVersion.gitVersion).toBe(`v${hosts.kubernetesVersion}`);
  }, 30 * MINUTE);

  it("pulumi preview --expect-no-changes right after", async () => {
    await stack.ok(["preview", "--expect-no-changes"]);
  }, 10 * MINUTE);

  it("pulumi stack output certificates: each control plane's kubeadm certificates expire in a year, reported by the real kubeadm, plain", async () => {
    const certificates = JSON.parse(await stack.ok(["stack", "output", "certificates", "--json"]));
    const controlPlanes = hosts.hosts.filter((h) => h.name.startsWith("k8s-master")).map((h) => h.name);
    expect(Object.keys(certificates.controlPlanes).sort()).toEqual([...controlPlanes].sort());
    for (const name of controlPlanes) {
      const days = (new Date(certificates.controlPlanes[name].expires).getTime() - Date.now()) / (24 * 60 * MINUTE);
      expect(days, name).toBeGreaterThan(364);
      expect(days, name).toBeLessThan(366);
      expect(certificates.controlPlanes[name].renewal, name).toBe(0);
    }
    expect(certificates.earliestExpiry).toBe(controlPlanes.map((name) => certificates.controlPlanes[name].expires).sort()[0]);
  }, 5 * MINUTE);

  it("the admin kubeconfig from pulumi stack output reaches the real API through the endpoint", async () => {
    const kubeconfig = await stack.ok(["stack", "output", "kubeconfig", "--show-secrets"]);
    const first = hosts.node(hosts.hosts[0]!.name);
    const nodes = await first.exec("cat >/tmp/stack-kubeconfig && kubectl --kubeconfig /tmp/stack-kubeconfig get nodes -o name", { input: kubeconfig, check: true });
    expect(nodes.stdout.split("\n").filter(Boolean).sort()).toEqual(hosts.hosts.map((h) => `node/${h.name}`).sort());
  }, 5 * MINUTE);

  it("pulumi destroy: every node drained, removed and reset; the hosts hold no cluster files again", async () => {
    await stack.ok(["destroy", "--yes"], { timeoutMs: DEPLOY_LIMIT_MS });
    expect(await stack.resources()).toEqual([]);
    for (const host of hosts.hosts) {
      const node = hosts.node(host.name);
      expect((await node.exec(CLUSTER_FILES)).stdout, host.name).toBe(before.get(host.name));
      expect((await node.exec("systemctl is-active kubelet")).stdout.trim(), host.name).toBe("inactive");
      expect((await node.exec("crictl ps -q")).stdout.trim(), host.name).toBe("");
    }
  }, 30 * MINUTE);
});
