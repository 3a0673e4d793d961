// A real Kubernetes cluster from the poc stack (3 control planes behind the API endpoint, 2 workers,
// 1.34): real kubeadm, kubelet, containerd, runc, etcd and control-plane static pods on lab nodes
// (test/cluster/lab.ts: namespaces on a private bridge, nothing leaves the machine), brought up by
// the program's own planned steps, their command lines and stdin as the remote.Commands carry them
// (planned-steps.ts says the only overrides: real CA certificates for the plan's CA keys, kubelet's
// cgroup driver). The tests run in order and build on each other, as `pulumi up` would.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { planStack, type PlanResult } from "../harness";
import { stackSpec } from "../stack-spec";
import { labGate } from "./gate";
import { PlannedCluster } from "./planned-cluster";
import { plannedStep } from "./planned-steps";

const gate = labGate();
if (gate.warning) console.warn(gate.warning);

describe("the real-node lab", () => {
  it.runIf(gate.failure !== undefined)("is available (required under CI)", () => {
    throw new Error(gate.failure);
  });
});

const MINUTE = 60_000;

describe.runIf(gate.run)("a real cluster from the poc stack's own kubeadm configs and control-plane scripts", () => {
  const spec = stackSpec("poc");
  const [cp1, cp2, cp3] = spec.controlPlanes.map((n) => n.name) as [string, string, string];
  const [w1, w2] = spec.workers.map((n) => n.name) as [string, string];
  let plan: PlanResult;
  let cluster: PlannedCluster;

  beforeAll(async () => {
    plan = await planStack("poc");
    cluster = await PlannedCluster.start(plan, spec);
    // One lab at a time on a machine: this may first wait for another file's cluster to finish.
  }, 30 * MINUTE);

  afterAll(async () => {
    await cluster?.dispose();
  }, 2 * MINUTE);

  it("node preparation (base, proxy, containerd, packages from the lab's repository), pki.sh and init.sh run real kubeadm init on the first control plane, which becomes Ready", async () => {
    const node = await cluster.startNode(cp1);
    const { output: prepared, again } = await cluster.prepare(cp1, { again: true });
    expect(prepared).toContain("changed: sysctl net.ipv4.ip_forward=1");
    expect(prepared).toContain("changed: started chrony");
    expect(prepared).toContain("changed: wrote /etc/containerd/config.toml");
    expect(prepared).toContain("changed: restarted containerd (config changed)");
    const packageVersion = `${spec.kubernetes.version}-1.1`;
    expect(prepared).toContain(`changed: installed kubeadm=${packageVersion} kubelet=${packageVersion} kubectl=${packageVersion}`);
    expect(prepared).toContain("changed: enabled kubelet");
    // the installed kubeadm and kubelet are the real ones, from the lab's signed repository, held
    expect((await node.exec("kubeadm version -o short", { check: true })).stdout.trim()).toBe(`v${spec.kubernetes.version}`);
    const installed = await node.exec("dpkg-query -W -f='${Package}=${Version}\\n' kubeadm kubelet kubectl cri-tools", { check: true });
    expect(installed.stdout.split("\n").filter(Boolean)).toEqual(["cri-tools=1.34.0-1.1", ...["kubeadm", "kubectl", "kubelet"].map((p) => `${p}=${packageVersion}`)]);
    expect((await node.exec("apt-mark showhold", { check: true })).stdout.split("\n").filter(Boolean).sort()).toEqual(["kubeadm", "kubectl", "kubelet"]);
    // containerd runs the config the step wrote with only the lab's two edits (its lab unit)
    expect((await node.exec("grep -c 'SystemdCgroup = true' /etc/containerd/config.toml")).stdout.trim()).not.toBe("0");
    const edited = await node.exec("diff /etc/containerd/config.toml /run/onprem-lab/containerd.toml");
    const removed = edited.stdout.split("\n").filter((l) => l.startsWith("< ")).map((l) => l.replace(/\s+/g, " "));
    expect(new Set(removed)).toEqual(new Set(["< SystemdCgroup = true", "< restrict_oom_score_adj = false"]));
    // the endpoint's name resolves through the block the base step wrote, as on a real node
    expect((await node.exec(`getent hosts ${spec.apiEndpoint.host}`)).stdout).toContain(spec.apiEndpoint.vip!);
    // Each step run again right away changes nothing.
    expect(again.split("\n").filter((l) => l.startsWith("changed:"))).toEqual([]);
    expect(await cluster.mustStep(cp1, "pki")).toContain("changed: wrote /etc/kubernetes/pki/ca.key");
    const init = await cluster.mustStep(cp1, "init");
    expect(init).toContain(`changed: kubeadm init on ${cp1}`);
    expect(init).toContain(`ok: API endpoint ${spec.apiEndpoint.host}:${spec.apiEndpoint.port} is ready`);
    await cluster.waitReady([cp1]);
    // the cluster runs the rendered configuration: the stack's version and pod range, kube-proxy skipped
    const version = await cluster.kubectl(`get node ${cp1} -o jsonpath='{.status.nodeInfo.kubeletVersion}'`);
    expect(version.stdout).toBe(`v${spec.kubernetes.version}`);
    const kubeadmConfig = await cluster.kubectl("-n kube-system get configmap kubeadm-config -o jsonpath='{.data.ClusterConfiguration}'");
    expect(kubeadmConfig.stdout).toContain(`podSubnet: ${spec.kubernetes.podCidr}`);
    expect(kubeadmConfig.stdout).toContain(`controlPlaneEndpoint: ${spec.apiEndpoint.host}:${spec.apiEndpoint.port}`);
    expect((await cluster.kubectl("-n kube-system get daemonset kube-proxy")).status).not.toBe(0);
    // a second init changes nothing: the running control plane is recognised
    expect(await cluster.mustStep(cp1, "init")).toContain(`ok: control plane already initialised on ${cp1}`);
    expect(node.name).toBe(cp1);
  }, 10 * MINUTE);

  it("the other control planes join one after another (pki, token, join, membership): etcd has three members", async () => {
    for (const name of [cp2, cp3]) {
      await cluster.startNode(name);
      await cluster.prepare(name);
      await cluster.mustStep(name, "pki");
      await cluster.mustStep(name, "token");
      const join = await cluster.mustStep(name, "join");
      expect(join).toContain(`ok: joining through the API endpoint ${spec.apiEndpoint.host}:${spec.apiEndpoint.port}`);
      expect(join).toContain(`changed: ${name} joined as control-plane`);
      expect(join).toContain(`ok: control plane ${name} is healthy`);
      await cluster.mustStep(name, "membership");
    }
    expect(await cluster.etcdMembers()).toEqual([cp1, cp2, cp3]);
    await cluster.waitReady([cp1, cp2, cp3]);
  }, 15 * MINUTE);

  it("the workers join in parallel; all five nodes are Ready and a pod runs on a worker", async () => {
    await Promise.all([w1, w2].map(async (name) => {
      await cluster.startNode(name);
      await cluster.prepare(name);
    }));
    for (const name of [w1, w2]) await cluster.mustStep(name, "token");
    const joins = await Promise.all([w1, w2].map((name) => cluster.mustStep(name, "join")));
    for (const [i, name] of [w1, w2].entries()) expect(joins[i]).toContain(`changed: ${name} joined as worker`);
    for (const name of [w1, w2]) await cluster.mustStep(name, "membership");
    await cluster.waitReady([cp1, cp2, cp3, w1, w2]);
    expect(await cluster.nodeNames()).toEqual([cp1, cp2, cp3, w1, w2].sort());
    // ... as seen through the API endpoint: admin.conf names it, and it resolves to the VIP
    const endpoint = `https://${spec.apiEndpoint.host}:${spec.apiEndpoint.port}`;
    expect((await cluster.kubectl("config view -o jsonpath='{.clusters[0].cluster.server}'")).stdout).toBe(endpoint);
    expect((await cluster.lab.node(cp1).exec(`getent hosts ${spec.apiEndpoint.host}`)).stdout).toMatch(new RegExp(`^${spec.apiEndpoint.vip!.replace(/\./g, "\\.")}\\s`));
    expect((await cluster.lab.node(w1).exec("grep 'server:' /etc/kubernetes/kubelet.conf")).stdout.trim()).toBe(`server: ${endpoint}`);
    // a workload runs on a worker: scheduled there, sandboxed by runc, wired by the CNI plugin
    const overrides = JSON.stringify({ spec: { nodeName: w1, tolerations: [{ operator: "Exists" }] } });
    expect((await cluster.kubectl(`run lab-probe --image=registry.k8s.io/pause:3.10.1 --restart=Never --overrides='${overrides}'`)).status).toBe(0);
    await cluster.lab.node(cp1).waitFor("the probe pod Running", `[ "$(kubectl --kubeconfig /etc/kubernetes/admin.conf get pod lab-probe -o jsonpath='{.status.phase}')" = Running ]`, 90);
    const podIp = await cluster.kubectl("get pod lab-probe -o jsonpath='{.status.podIP}'");
    const w1Subnet = spec.kubernetes.podCidr.replace(/^(\d+\.\d+)\..*$/, `$1.${spec.nodes.findIndex((n) => n.name === w1)}.`);
    expect(podIp.stdout.startsWith(w1Subnet), podIp.stdout).toBe(true);
    expect((await cluster.kubectl("delete pod lab-probe --wait=true")).status).toBe(0);
    console.log(`[cluster] 3 control planes + 2 workers Ready: ${cluster.lab.rssMiB()} MiB resident in the lab's nodes`);
  }, 10 * MINUTE);

  it("a control plane is removed as Pulumi deletes it: drained, Node deleted, etcd member removed, then reset", async () => {
    const membership = await cluster.mustStep(cp3, "membership", "delete");
    expect(membership).toContain(`changed: deleted Node ${cp3}`);
    expect(membership).toMatch(new RegExp(`changed: removed the etcd member ${cp3} \\(`));
    expect(await cluster.mustStep(cp3, "join", "delete")).toContain(`changed: kubeadm reset -f on ${cp3}`);
    expect(await cluster.etcdMembers()).toEqual([cp1, cp2]);
    expect(await cluster.nodeNames()).not.toContain(cp3);
    const left = await cluster.lab.node(cp3).exec("ls -A /etc/kubernetes/manifests /var/lib/etcd; test -e /etc/kubernetes/kubelet.conf && echo kubelet.conf");
    expect(left.stdout.trim().split("\n").filter((l) => l && !l.endsWith(":"))).toEqual([]);
    // the remaining control planes still answer
    await cluster.waitReady([cp1, cp2]);
  }, 6 * MINUTE);

  it("a worker is removed and reset; the cluster keeps its other nodes Ready", async () => {
    expect(await cluster.mustStep(w2, "membership", "delete")).toContain(`changed: deleted Node ${w2}`);
    expect(await cluster.mustStep(w2, "join", "delete")).toContain(`changed: kubeadm reset -f on ${w2}`);
    expect(await cluster.nodeNames()).toEqual([cp1, cp2, w1].sort());
    expect((await cluster.lab.node(w2).exec("test -e /etc/kubernetes/kubelet.conf")).status).not.toBe(0);
    expect((await cluster.lab.node(w2).exec("systemctl is-active kubelet")).stdout.trim()).toBe("inactive");
    await cluster.waitReady([cp1, cp2, w1]);
  }, 6 * MINUTE);

  it("with the API endpoint down, a worker joins through the first control plane's apiserver (the fallback)", async () => {
    const endpoint = `${spec.apiEndpoint.host}:${spec.apiEndpoint.port}`;
    const first = spec.controlPlanes[0]!.address;
    await cluster.vip(false);
    try {
      await cluster.mustStep(w2, "token");
      // One probe of the endpoint instead of ten with backoff: the test knows it is down.
      const join = await cluster.mustStep(w2, "join", "create", { ENDPOINT_ATTEMPTS: "1" });
      expect(join).toContain(`FALLBACK: the API endpoint ${endpoint} does not answer /readyz from ${w2}`);
      expect(join).toContain(`changed: ${w2} joined as worker`);
      const kubeletConf = await cluster.lab.node(w2).exec("grep 'server:' /etc/kubernetes/kubelet.conf");
      expect(kubeletConf.stdout.trim()).toBe(`server: https://${first}:${spec.apiEndpoint.port}`);
      await cluster.mustStep(w2, "membership");
    } finally {
      await cluster.vip(true);
    }
    await cluster.waitReady([w2]);
  }, 6 * MINUTE);

  it("the stale-state guard: a worker holding an old kubelet.conf is refused; with kubeadm.resetStaleState it is reset and joins", async () => {
    await cluster.mustStep(w2, "membership", "delete");
    await cluster.mustStep(w2, "join", "delete");
    const node = cluster.lab.node(w2);
    await node.exec("mkdir -p /etc/kubernetes && echo 'stale: from an earlier cluster' > /etc/kubernetes/kubelet.conf", { check: true });
    const refused = await cluster.step(w2, "join");
    expect(refused.status, refused.output).not.toBe(0);
    expect(refused.output).toContain(`${w2} holds a half-initialised worker`);
    expect((await node.exec("cat /etc/kubernetes/kubelet.conf")).stdout).toBe("stale: from an earlier cluster\n");
    // The stack's opt-in renders exactly this parameter for the step; this plan's keys stay in use.
    const optIn = await planStack("poc", (c) => {
      c.kubeadm = { ...(c.kubeadm ?? {}), resetStaleState: true };
    });
    expect(plannedStep(optIn, `${w2}-join`).stdin).toContain("export RESET_STALE_STATE=true;");
    const joined = await cluster.mustStep(w2, "join", "create", { RESET_STALE_STATE: "true" });
    expect(joined).toContain(`${w2} holds a half-initialised worker; resetting it (kubeadm.resetStaleState is true)`);
    expect(joined).toContain(`changed: ${w2} joined as worker`);
    await cluster.mustStep(w2, "membership");
    await cluster.waitReady([cp1, cp2, w1, w2]);
  }, 6 * MINUTE);

  it("tearing the lab down leaves nothing on the host: processes, namespaces, cgroups, sysctls, files", async () => {
    await cluster.dispose();
    expect(cluster.lab.leftovers()).toEqual([]);
  }, 2 * MINUTE);
});
