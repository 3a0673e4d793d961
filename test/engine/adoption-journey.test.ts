// The adoption journey (docs/adoption.md, seed 003): a cluster this program did not build, taken
// over by one `pulumi up` on the real-node lab under the real engine.
//   hand-built  the site's own way: the nodes prepared (packages, containerd, sysctl: the program's
//               node scripts run by hand over SSH, as a site's own automation would), then plain
//               `kubeadm init` on k8s-master with no controlPlaneEndpoint, `kubeadm join` of
//               k8s-node1 with the printed join command, a workload;
//   refusals    a description whose version differs from the running one, and one that names a
//               node that is no kubeadm control plane, each refused by `pulumi up` naming what it
//               found, with no node touched;
//   adoption    one `pulumi up` of the adopting description: keepalived + haproxy in front, three
//               control planes, every kubeconfig on every node on the endpoint, the original CA
//               unchanged, the workload's Pods untouched (same UIDs), etcd with three members;
//               `preview --expect-no-changes` afterwards;
//   growth      back to the one control plane behind the endpoint, then to three again, each one
//               `pulumi up`: etcd's members follow, the workload's Pods untouched.
// Opt-in (heavy: its own cluster): `npm run test:adoption`.
import * as fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { CLUSTER_KEY } from "../../stacks/config-keys";
import { deployWorkload } from "../cluster/day2-checks";
import { labGate } from "../cluster/gate";
import { WORKLOAD_IMAGE } from "../cluster/images";
import { PACKAGED_KUBERNETES_VERSION } from "../cluster/package-repo";
import type { LabNode } from "../cluster/node";
import { plannedStep } from "../cluster/planned-steps";
import { SshHosts } from "../cluster/ssh-hosts";
import { planStack } from "../harness";
import { labCluster, renderLabStack } from "../lab/stack-config";
import { EngineStack } from "./stack";
import { EngineWorkspace } from "./workspace";

const gate = labGate();
const MINUTE = 60_000;
const MASTER = "k8s-master";
const NEW_CONTROL_PLANES = ["k8s-master-2", "k8s-master-3"];
const WORKERS = ["k8s-node1"];
const CONTROL_PLANES = [MASTER, ...NEW_CONTROL_PLANES];
const VERSION = PACKAGED_KUBERNETES_VERSION;
const JOURNEY = process.env.ONPREM_K8S_ADOPTION_JOURNEY === "1";
/** What a node runs before kubeadm (components/node): the program's scripts, run by hand here. */
const PREPARATION = ["base", "proxy", "containerd", "kubernetes-packages"];
const KUBECONFIGS = { controlPlane: ["admin.conf", "super-admin.conf", "controller-manager.conf", "scheduler.conf", "kubelet.conf"], worker: ["kubelet.conf"] };

/** The adopting description: the lab's hosts behind keepalived + haproxy, k8s-master adopted. */
function adopting(cluster: any): void {
  cluster.endpoint = { mode: "keepalived-haproxy", vip: cluster.endpoint.vip, dnsName: "k8s-apiserver.lab.example.internal", port: 16443, virtualRouterId: 51 };
  cluster.addons.loadBalancer = { type: "none" };
  cluster.addons.ingress = { type: "none" };
  cluster.adoption = { controlPlane: MASTER };
}

/** The site's own kubeadm config: no controlPlaneEndpoint, every kubeconfig names the master itself. */
function handBuiltConfig(master: LabNode): string {
  return [
    "apiVersion: kubeadm.k8s.io/v1beta4",
    "kind: InitConfiguration",
    `nodeRegistration: {name: ${MASTER}, criSocket: "unix:///run/containerd/containerd.sock"}`,
    `localAPIEndpoint: {advertiseAddress: ${master.address}, bindPort: 6443}`,
    "skipPhases: [addon/kube-proxy]",
    "---",
    "apiVersion: kubeadm.k8s.io/v1beta4",
    "kind: ClusterConfiguration",
    `kubernetesVersion: v${VERSION}`,
    "networking: {podSubnet: 10.244.0.0/16, serviceSubnet: 10.96.0.0/12}",
    "---",
    "apiVersion: kubelet.config.k8s.io/v1beta1",
    "kind: KubeletConfiguration",
    // the lab's kubelets run without systemd (test/cluster/node.ts)
    "cgroupDriver: cgroupfs",
    "",
  ].join("\n");
}

describe("the adoption journey on the real-node lab", () => {
  it.runIf(JOURNEY && gate.failure !== undefined)("is available (required under CI)", () => {
    throw new Error(gate.failure);
  });
  if (!JOURNEY) it.skip("runs with npm run test:adoption (opt-in: a cluster of its own, built by hand first)", () => {});
});

describe.runIf(JOURNEY && gate.run)("adoption of a hand-built single master: refusals, then one pulumi up to three control planes behind keepalived + haproxy", () => {
  let hosts: SshHosts;
  let workspace: EngineWorkspace;
  let stack: EngineStack;
  let failed: string | undefined;
  const master = () => hosts.node(MASTER);
  let caBefore = "";
  let podsBefore = "";

  function phase(name: string, minutes: number, body: () => Promise<void>): void {
    it(`[${name}]`, async (context) => {
      if (failed) context.skip(`skipped: phase "${failed}" failed`);
      try {
        await body();
      } catch (err) {
        failed = name;
        throw err;
      }
    }, minutes * MINUTE);
  }

  function editDescription(edit: (cluster: any) => void): void {
    const document = parse(fs.readFileSync(stack.file(), "utf8"));
    edit(document.config[CLUSTER_KEY]);
    fs.writeFileSync(stack.file(), stringify(document, { lineWidth: 0 }));
  }

  const workloadPods = async () => (await master().kubectl(`-n default get pods -l app=hello-http -o jsonpath='{range .items[*]}{.metadata.name}={.metadata.uid}{"\\n"}{end}'`)).stdout;
  const caFingerprint = async (node: LabNode) => (await node.exec("openssl x509 -noout -fingerprint -sha256 -in /etc/kubernetes/pki/ca.crt", { check: true })).stdout.trim();

  beforeAll(async () => {
    hosts = await SshHosts.start(CONTROL_PLANES, WORKERS, { extraImages: [WORKLOAD_IMAGE] });
    workspace = await EngineWorkspace.create("adoption-journey", { wrap: (argv) => hosts.command(argv) });
    stack = await EngineStack.initFromText(workspace, "lab", renderLabStack(hosts, adopting), { sshPrivateKey: hosts.privateKey });
  }, 35 * MINUTE);

  afterAll(async () => {
    workspace?.dispose();
    await hosts?.dispose();
  }, 2 * MINUTE);

  phase("hand-built: plain kubeadm init on k8s-master, kubeadm join of k8s-node1, a workload", 30, async () => {
    // The nodes prepared as the program would (its planned node steps, run by hand over the lab).
    const plan = await planStack("examples/existing-hosts-external-lb.yaml", (c) => {
      for (const key of Object.keys(c)) delete c[key];
      Object.assign(c, labCluster(hosts, (l) => (adopting(l), delete l.adoption)));
    });
    for (const name of [MASTER, ...WORKERS]) {
      for (const part of PREPARATION) {
        const step = plannedStep(plan, `${name}-${part}`);
        const r = await hosts.node(name).exec(step.create, { input: step.stdin, timeoutMs: 10 * MINUTE });
        expect(r.status, `${name}-${part}:\n${r.output}`).toBe(0);
      }
    }
    await master().exec("cat > /root/kubeadm.yaml", { input: handBuiltConfig(master()), check: true });
    await master().exec("kubeadm init --config /root/kubeadm.yaml", { check: true, timeoutMs: 10 * MINUTE });
    const join = (await master().exec("kubeadm token create --print-join-command", { check: true })).stdout.trim();
    expect(join).toContain(`${master().address}:6443`);
    for (const name of WORKERS) await hosts.node(name).exec(join, { check: true, timeoutMs: 10 * MINUTE });
    await master().waitNodesReady([MASTER, ...WORKERS], 300);
    await deployWorkload(master(), WORKLOAD_IMAGE);
    caBefore = await caFingerprint(master());
    podsBefore = await workloadPods();
    expect(podsBefore.split("\n").filter(Boolean)).toHaveLength(2);
  });

  /** Whether any node was touched: the files node preparation and the endpoint would change. */
  async function nodeFootprint(): Promise<string> {
    const out: string[] = [];
    for (const h of hosts.hosts) out.push((await hosts.node(h.name).exec("cat /etc/containerd/config.toml /etc/hosts /etc/keepalived/keepalived.conf 2>/dev/null | sha256sum")).stdout);
    return out.join("");
  }

  for (const [what, edit, expected] of [
    ["a version other than the running one", (c: any) => (c.kubernetes.version = "1.34.3"), /runs Kubernetes v[0-9.]+ .*the description says 1\.34\.3/],
    [
      "a node that is no kubeadm control plane",
      (c: any) => {
        // the worker named as the running control plane (the profile still needs a worker: the master)
        const address = (name: string) => hosts.hosts.find((h) => h.name === name)!.address;
        c.controlPlane.names = ["k8s-node1"];
        c.controlPlane.addresses = [address("k8s-node1")];
        c.workerPools = [{ name: "node", names: [MASTER], addresses: [address(MASTER)] }];
        c.adoption.controlPlane = "k8s-node1";
      },
      /k8s-node1 is not a kubeadm control plane, so it cannot be adopted: missing: \/etc\/kubernetes\/manifests\/kube-apiserver\.yaml/,
    ],
  ] as const) {
    phase(`refusal: ${what}, before any node is touched`, 15, async () => {
      const before = await nodeFootprint();
      const original = fs.readFileSync(stack.file(), "utf8");
      editDescription(edit);
      try {
        const refused = await stack.run(["up", "--yes"]);
        expect(refused.status, refused.output.slice(-3000)).not.toBe(0);
        expect(refused.output).toMatch(expected);
        expect(await nodeFootprint()).toBe(before);
        expect(await workloadPods()).toBe(podsBefore);
      } finally {
        fs.writeFileSync(stack.file(), original);
      }
    });
  }

  phase("adoption: one pulumi up leaves three control planes behind the endpoint, the CA and the workload as they were", 45, async () => {
    await stack.ok(["up", "--yes"], { timeoutMs: 40 * MINUTE });
    await master().waitNodesReady([...CONTROL_PLANES, ...WORKERS], 300);
    expect(await master().etcdMembers()).toEqual([...CONTROL_PLANES].sort());
    const endpoint = "https://k8s-apiserver.lab.example.internal:16443";
    for (const h of hosts.hosts) {
      const files = h.role === "control-plane" ? KUBECONFIGS.controlPlane : KUBECONFIGS.worker;
      for (const file of files) {
        const server = (await hosts.node(h.name).exec(`test ! -e /etc/kubernetes/${file} || sed -n 's/^ *server: //p' /etc/kubernetes/${file}`)).stdout.trim();
        if (server) expect(server, `${h.name}: ${file}`).toBe(endpoint);
      }
      expect(await caFingerprint(hosts.node(h.name)), `${h.name}: the cluster CA`).toBe(caBefore);
    }
    const info = await master().kubectl("-n kube-public get configmap cluster-info -o jsonpath='{.data.kubeconfig}'");
    expect(info.stdout).toContain(`server: ${endpoint}`);
    const config = await master().kubectl("-n kube-system get configmap kubeadm-config -o jsonpath='{.data.ClusterConfiguration}'");
    expect(config.stdout).toContain("controlPlaneEndpoint: k8s-apiserver.lab.example.internal:16443");
    expect(await workloadPods(), "the workload's Pods are the same Pods").toBe(podsBefore);
    await stack.ok(["preview", "--expect-no-changes"]);
  });

  // Issue 19's growth from one control plane behind the endpoint: the adopted cluster is shrunk to
  // its one control plane and grown back to three, each change one pulumi up.
  for (const [what, names] of [
    ["back to one control plane behind the endpoint", [MASTER]],
    ["from one control plane behind the endpoint to three again", CONTROL_PLANES],
  ] as const) {
    phase(`growth: ${what}, one pulumi up; etcd follows, every node Ready, the workload untouched`, 30, async () => {
      editDescription((cluster) => {
        cluster.controlPlane.names = [...names];
        cluster.controlPlane.addresses = names.map((name) => hosts.hosts.find((h) => h.name === name)!.address);
      });
      await stack.ok(["up", "--yes"], { timeoutMs: 25 * MINUTE });
      await master().waitNodesReady([...names, ...WORKERS], 300);
      const listed = (await master().kubectl(`get nodes -o jsonpath='{range .items[*]}{.metadata.name}{"\\n"}{end}'`)).stdout.split("\n").filter(Boolean).sort();
      expect(listed).toEqual([...names, ...WORKERS].sort());
      expect(await master().etcdMembers()).toEqual([...names].sort());
      expect(await workloadPods(), "the workload's Pods are the same Pods").toBe(podsBefore);
      await stack.ok(["preview", "--expect-no-changes"]);
    });
  }
});
