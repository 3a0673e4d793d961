// The lab under the real engine: an existing-hosts stack whose hosts are the test's own Debian
// sandboxes (test/lab: network namespaces, sshd on their own addresses). `pulumi up` runs every
// node, pki, kubeadm and add-on step over real SSH through the command stand-in (kubeadm, kubectl
// and etcdctl on the hosts are still the sandbox stand-ins), and `pulumi destroy` takes the
// cluster off the hosts again.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sandboxGate } from "../sandbox/node-sandbox";
import { Lab, labUnavailableReason } from "../lab/lab";
import { labSpec, renderLabStack } from "../lab/stack-config";
import { EngineStack } from "./stack";
import { EngineWorkspace } from "./workspace";

const gate = sandboxGate(labUnavailableReason());
const STEP_LIMIT_MS = 600_000;

/** What kubeadm and the node steps leave on a host that a destroy must take away again. */
const CLUSTER_FILES = "find /etc/kubernetes /var/lib/etcd /var/lib/kubelet -type f 2>/dev/null | sort; true";

describe("the lab under the real engine", () => {
  it.runIf(gate.failure !== undefined)("is available (required under CI)", () => {
    throw new Error(gate.failure);
  });
});

describe.runIf(gate.run)("real engine: the lab (existing hosts over real SSH)", () => {
  let lab: Lab;
  let workspace: EngineWorkspace;
  let stack: EngineStack;
  const before = new Map<string, string>();

  beforeAll(async () => {
    lab = await Lab.create({ label: "engine", controlPlanes: ["k8s-master", "k8s-master-2", "k8s-master-3"], workers: ["k8s-node1", "k8s-node2"] });
    // The engine, its plugins and so every SSH connection run inside the lab's network namespace.
    workspace = await EngineWorkspace.create("lab", { wrap: (argv) => lab.labCommand(argv) });
    stack = await EngineStack.initFromText(workspace, "lab", renderLabStack(lab), { sshPrivateKey: lab.privateKey });
    for (const host of lab.hosts) before.set(host.name, (await lab.exec(host.name, CLUSTER_FILES)).output);
  }, STEP_LIMIT_MS);

  afterAll(async () => {
    workspace?.dispose();
    await lab?.dispose();
  });

  it("pulumi up prepares every host and brings up the control plane and workers over SSH", async () => {
    const output = await stack.ok(["up", "--yes"]);
    expect(output).toMatch(/Resources:\s+\+ \d+ created/);
    const spec = labSpec(lab);
    expect(lab.cluster.nodes()).toEqual(spec.nodes.map((n) => n.name).sort());
    expect(lab.cluster.etcdMembers()).toEqual(spec.controlPlanes.map((n) => n.name).sort());
    for (const host of lab.hosts) {
      const packages = await lab.exec(host.name, "dpkg-query -W -f '${Package}=${Version}\\n' kubeadm kubelet kubectl");
      expect(packages.output).toContain(`kubeadm=${lab.kubernetesVersion}`);
      expect(host.host.exists("/etc/kubernetes/kubelet.conf"), `${host.name} joined`).toBe(true);
    }
  }, STEP_LIMIT_MS);

  it("pulumi preview --expect-no-changes right after", async () => {
    await stack.ok(["preview", "--expect-no-changes"]);
  }, STEP_LIMIT_MS);

  it("the admin kubeconfig from pulumi stack output points at the endpoint", async () => {
    const kubeconfig = await stack.ok(["stack", "output", "kubeconfig", "--show-secrets"]);
    expect(kubeconfig).toContain(`server: https://${lab.vip}:6443`);
    expect(kubeconfig).toContain("client-key-data");
  }, STEP_LIMIT_MS);

  it("pulumi destroy removes the cluster from every host and leaves the hosts as they were", async () => {
    await stack.ok(["destroy", "--yes"]);
    expect(await stack.resources()).toEqual([]);
    // The cluster is gone: no etcd member, no apiserver answering (the last control plane's Node
    // object goes with its API, as with real kubeadm reset).
    expect(lab.cluster.etcdMembers()).toEqual([]);
    for (const host of [lab.vip, ...lab.hosts.map((h) => h.address)]) expect(lab.cluster.apiserverStatus(host, 6443), host).toBeUndefined();
    for (const host of lab.hosts) expect((await lab.exec(host.name, CLUSTER_FILES)).output, host.name).toBe(before.get(host.name));
  }, STEP_LIMIT_MS);
});
