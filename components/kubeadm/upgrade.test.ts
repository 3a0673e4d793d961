// upgrade.sh run for real, as the program ships it: the poc stack's day-1 steps as planned at
// 1.34.3 bring up a stand-in cluster (two control planes and a worker, Debian sandboxes sharing one
// cluster state, the Kubernetes packages installed with real apt from a signed local repository
// holding 1.34.3 and 1.34.4), then the upgrade steps as planned for 1.34.3 -> 1.34.4 run on it.
// The stand-ins (test/sandbox/control-plane-standins) keep the real CLIs' interfaces: kubeadm
// upgrade plan/apply/node refuse a kubeadm older than the target, move the static Pods' image
// tags and the cluster's version; kubectl cordons, drains (a PodDisruptionBudget blocking on
// demand), annotates and reports each Node's kubelet version, which a kubelet restart updates from
// the installed package; etcdctl answers `endpoint health`.
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { planStack, resourceNamed, type PlanResult } from "../../test/harness";
import { stackReferenceOutputs } from "../../scripts/plan/mocks";
import { renderEnvPrefix } from "../remote/env";
import { sandboxGate, sandboxUnavailableReason, type RunResult } from "../../test/sandbox/node-sandbox";
import { changedLines, expectNoChange, expectOk } from "../../test/sandbox/expect-run";
import { TestCluster, type ControlPlaneHost } from "../../test/sandbox/control-plane";

const COMMAND = "command:remote:Command";
const CP1 = { name: "nsx-poc-cp-1", address: "192.168.100.11" };
const CP2 = { name: "nsx-poc-cp-2", address: "192.168.100.12" };
const W1 = { name: "nsx-poc-worker-1", address: "192.168.100.21" };
const MIRROR = "/srv/k8s-mirror";
const REPO_URL = `file://${MIRROR}/core:/stable:/v1.34/deb/`;

const gate = sandboxGate(sandboxUnavailableReason());
if (gate.warning) console.warn(gate.warning);

describe.runIf(gate.run)("upgrade.sh in Debian sandboxes (poc stack deployed at 1.34.3, upgraded to 1.34.4)", () => {
  let day1: PlanResult;
  let upgrade: PlanResult;
  let cluster: TestCluster;
  let cp1: ControlPlaneHost;
  let cp2: ControlPlaneHost;
  let w1: ControlPlaneHost;
  let overrides: string;

  /** A planned step on `host` with its command line and stdin, the lab's repository appended to its parameters. */
  async function runStep(plan: PlanResult, name: string, host: ControlPlaneHost): Promise<RunResult> {
    const step = resourceNamed(plan, COMMAND, name);
    expect((step.inputs.connection as { host?: string }).host, name).toBe(host.address);
    const stdin = String(step.inputs.stdin).replace("\n#!/usr/bin/env bash", ` ${overrides}\n#!/usr/bin/env bash`);
    return await host.run(String(step.inputs.create), stdin);
  }
  const versionOf = (node: string) => fs.readFileSync(path.join(cluster.dir, "nodes", node, "kubelet-version"), "utf8").trim();
  const imageOf = (host: ControlPlaneHost, component: string) => /image: (\S+)/.exec(host.readFile(`/etc/kubernetes/manifests/${component}.yaml`))?.[1];
  const nodeFile = (node: string, file: string) => path.join(cluster.dir, "nodes", node, file);
  const installed = async (host: ControlPlaneHost) => (await host.sandbox.exec("dpkg-query -W -f='${Package}=${Version}\\n' kubeadm kubelet kubectl")).output.trim().split("\n");

  beforeAll(async () => {
    day1 = await planStack("poc", (c) => (c.kubernetes.version = "1.34.3"));
    stackReferenceOutputs.set("organization/onprem-k8s/poc", {
      kubernetesVersion: "1.34.3",
      nodes: (day1.outputs.nodes as { name: string }[]).map((n) => ({ ...n, packagesVersion: "1.34.3" })),
    });
    try {
      upgrade = await planStack("poc");
    } finally {
      stackReferenceOutputs.clear();
    }
    cluster = new TestCluster("upgrade");
    cp1 = await cluster.host(CP1.name, CP1.address);
    cp2 = await cluster.host(CP2.name, CP2.address);
    w1 = await cluster.host(W1.name, W1.address);
    fs.copyFileSync(path.join(__dirname, "../../test/sandbox/build-k8s-repo.sh"), cp1.sandbox.path("/tmp/build-k8s-repo.sh"));
    expectOk(await cp1.sandbox.exec(`bash /tmp/build-k8s-repo.sh ${MIRROR} 1.34 1.34.3-1.1 1.34.4-1.1`));
    for (const host of [cp2, w1]) fs.cpSync(cp1.sandbox.path(MIRROR), host.sandbox.path(MIRROR), { recursive: true });
    const key = cp1.readFile(`${MIRROR}/key.asc`);
    overrides = renderEnvPrefix({ KUBERNETES_REPO_URL: REPO_URL, KUBERNETES_REPO_KEY: key, KUBERNETES_REPO_RETRIES: "1" }).trim();

    // Day 1 at 1.34.3, as planned: packages, then init, the control-plane join and the worker's join.
    for (const [host, node] of [[cp1, CP1], [cp2, CP2], [w1, W1]] as const) expectOk(await runStep(day1, `${node.name}-kubernetes-packages`, host));
    for (const step of ["pki", "endpoint", "init"]) expectOk(await runStep(day1, `${CP1.name}-${step}`, cp1));
    for (const [step, host] of [["pki", cp2], ["endpoint", cp2], ["token", cp1], ["join", cp2], ["membership", cp1]] as const) expectOk(await runStep(day1, `${CP2.name}-${step}`, host));
    for (const [step, host] of [["token", cp1], ["join", w1], ["membership", cp1]] as const) expectOk(await runStep(day1, `${W1.name}-${step}`, host));
    expect([CP1, CP2, W1].map((n) => versionOf(n.name))).toEqual(["v1.34.3", "v1.34.3", "v1.34.3"]);
    expect(imageOf(cp2, "kube-apiserver")).toBe("registry.k8s.io/kube-apiserver:v1.34.3");
  }, 20 * 60_000);

  afterAll(() => cluster?.dispose());

  it("does nothing where every node already runs the target (a fresh cluster's steps)", async () => {
    for (const host of [cp1, cp2, w1]) host.clearCalls();
    expectNoChange(await runStep(day1, `${CP1.name}-upgrade`, cp1));
    expectNoChange(await runStep(day1, `${CP2.name}-upgrade`, cp2));
    for (const [step, host] of [["upgrade-drain", cp1], ["upgrade", w1], ["upgrade-uncordon", cp1]] as const) expectNoChange(await runStep(day1, `${W1.name}-${step}`, host));
    expect([cp1, cp2, w1].flatMap((h) => h.calls().filter((c) => /^(kubeadm upgrade|apt-get|kubectl (drain|cordon|uncordon))/.test(c)))).toEqual([]);
  });

  it("the first control plane: kubeadm first, upgrade plan and apply, then kubelet and kubectl, kubelet restarted; a second run changes nothing", async () => {
    cp1.clearCalls();
    const r = expectOk(await runStep(upgrade, `${CP1.name}-upgrade`, cp1));
    expect(changedLines(r)).toEqual([
      "changed: unheld kubeadm",
      "changed: installed kubeadm=1.34.4-1.1",
      "changed: held kubeadm at 1.34.4",
      "changed: kubeadm upgrade apply v1.34.4 on nsx-poc-cp-1",
      "changed: unheld kubelet kubectl",
      "changed: installed kubelet=1.34.4-1.1 kubectl=1.34.4-1.1",
      "changed: held kubelet at 1.34.4",
      "changed: held kubectl at 1.34.4",
      "changed: restarted kubelet on nsx-poc-cp-1 (was v1.34.3)",
    ]);
    expect(cp1.calls("kubeadm").filter((c) => c.startsWith("kubeadm upgrade"))).toEqual(["kubeadm upgrade plan v1.34.4", "kubeadm upgrade apply v1.34.4 --yes"]);
    expect(r.output).toMatch(/plan: Upgrade to the latest version in the v1\.34 series/);
    expect(r.output).toContain("ok: nsx-poc-cp-1: apiserver ready, Node Ready at v1.34.4, etcd healthy");
    expect(await installed(cp1)).toEqual(["kubeadm=1.34.4-1.1", "kubectl=1.34.4-1.1", "kubelet=1.34.4-1.1"]);
    expect((await cp1.sandbox.exec("apt-mark showhold")).output.trim().split("\n")).toEqual(["kubeadm", "kubectl", "kubelet"]);
    expect(imageOf(cp1, "kube-apiserver")).toBe("registry.k8s.io/kube-apiserver:v1.34.4");
    expect(versionOf(CP1.name)).toBe("v1.34.4");
    expectNoChange(await runStep(upgrade, `${CP1.name}-upgrade`, cp1));
  });

  it("another control plane interrupted in `kubeadm upgrade node` resumes where it stopped on the next run", async () => {
    cp2.failKubeadm("upgrade-node", 1);
    const failed = await runStep(upgrade, `${CP2.name}-upgrade`, cp2);
    expect(failed.status).not.toBe(0);
    expect(failed.output).toContain("error: kubeadm upgrade node failed on nsx-poc-cp-2");
    expect(failed.output.trimEnd().endsWith("=== end of diagnostics ===")).toBe(true);
    expect(versionOf(CP2.name)).toBe("v1.34.3");
    // the chain runs again from the start: the first control plane is already there
    expectNoChange(await runStep(upgrade, `${CP1.name}-upgrade`, cp1));
    cp2.clearCalls();
    const resumed = expectOk(await runStep(upgrade, `${CP2.name}-upgrade`, cp2));
    expect(changedLines(resumed)).toEqual([
      "changed: kubeadm upgrade node on nsx-poc-cp-2",
      "changed: unheld kubelet kubectl",
      "changed: installed kubelet=1.34.4-1.1 kubectl=1.34.4-1.1",
      "changed: held kubelet at 1.34.4",
      "changed: held kubectl at 1.34.4",
      "changed: restarted kubelet on nsx-poc-cp-2 (was v1.34.3)",
    ]);
    expect(cp2.calls("kubeadm").filter((c) => c.startsWith("kubeadm upgrade"))).toEqual(["kubeadm upgrade node"]);
    expect(imageOf(cp2, "kube-controller-manager")).toBe("registry.k8s.io/kube-controller-manager:v1.34.4");
    expect(versionOf(CP2.name)).toBe("v1.34.4");
    expectNoChange(await runStep(upgrade, `${CP2.name}-upgrade`, cp2));
  });

  it("a drain blocked by a PodDisruptionBudget fails naming the pod, and leaves the worker cordoned and marked", async () => {
    cluster.flag("drain-fails", true);
    try {
      const r = await runStep(upgrade, `${W1.name}-upgrade-drain`, cp1);
      expect(r.status).not.toBe(0);
      expect(r.output).toMatch(/error: drain of nsx-poc-worker-1 did not finish within 600s: pod\(s\) default\/web-0 cannot be evicted/);
      expect(r.output).toContain("nsx-poc-worker-1 stays cordoned");
    } finally {
      cluster.flag("drain-fails", false);
    }
    expect(fs.existsSync(nodeFile(W1.name, "unschedulable"))).toBe(true);
    expect(fs.readFileSync(nodeFile(W1.name, "annotations"), "utf8")).toContain("onprem-k8s.io/upgrade-cordoned=v1.34.4");
  });

  it("a worker left cordoned by an interrupted run is upgraded and uncordoned when its upgrade completes", async () => {
    expect(changedLines(expectOk(await runStep(upgrade, `${W1.name}-upgrade-drain`, cp1)))).toEqual([
      "changed: cordoned and drained nsx-poc-worker-1 (evictions, PodDisruptionBudgets respected)",
    ]);
    w1.failKubeadm("upgrade-node", 1);
    expect((await runStep(upgrade, `${W1.name}-upgrade`, w1)).status).not.toBe(0);
    // the next run: the drain again (still at 1.34.3), the upgrade, then the uncordon of what the upgrade cordoned
    expectOk(await runStep(upgrade, `${W1.name}-upgrade-drain`, cp1));
    const r = expectOk(await runStep(upgrade, `${W1.name}-upgrade`, w1));
    expect(changedLines(r)).toEqual([
      "changed: kubeadm upgrade node on nsx-poc-worker-1",
      "changed: unheld kubelet kubectl",
      "changed: installed kubelet=1.34.4-1.1 kubectl=1.34.4-1.1",
      "changed: held kubelet at 1.34.4",
      "changed: held kubectl at 1.34.4",
      "changed: restarted kubelet on nsx-poc-worker-1 (was v1.34.3)",
    ]);
    expect(fs.existsSync(nodeFile(W1.name, "unschedulable"))).toBe(true);
    expect(changedLines(expectOk(await runStep(upgrade, `${W1.name}-upgrade-uncordon`, cp1)))).toEqual(["changed: uncordoned nsx-poc-worker-1 (Ready at v1.34.4)"]);
    expect(fs.existsSync(nodeFile(W1.name, "unschedulable"))).toBe(false);
    expect(fs.readFileSync(nodeFile(W1.name, "annotations"), "utf8")).not.toContain("upgrade-cordoned");
    expect(versionOf(W1.name)).toBe("v1.34.4");
    for (const [step, host] of [["upgrade-drain", cp1], ["upgrade", w1], ["upgrade-uncordon", cp1]] as const) expectNoChange(await runStep(upgrade, `${W1.name}-${step}`, host));
  });

  it("never lifts a cordon the upgrade did not set", async () => {
    fs.writeFileSync(nodeFile(W1.name, "unschedulable"), "");
    expectNoChange(await runStep(upgrade, `${W1.name}-upgrade-uncordon`, cp1));
    expect(fs.existsSync(nodeFile(W1.name, "unschedulable"))).toBe(true);
    fs.rmSync(nodeFile(W1.name, "unschedulable"));
  });

  it("an existing node's packages step, still at 1.34.3, leaves the upgraded packages alone and says so", async () => {
    const r = await runStep(upgrade, `${W1.name}-kubernetes-packages`, w1);
    expectNoChange(r);
    expect(r.output).toContain("note: kubeadm 1.34.4 is installed, newer than 1.34.3: left as it is (never downgraded; upgrades move it)");
    expect(await installed(w1)).toEqual(["kubeadm=1.34.4-1.1", "kubectl=1.34.4-1.1", "kubelet=1.34.4-1.1"]);
  });

  it("refuses to take a node back: a target below what it runs stops naming cluster.kubernetes.version", async () => {
    const r = await runStep(day1, `${W1.name}-upgrade`, w1);
    expect(r.status).not.toBe(0);
    expect(r.output).toContain("kubelet (Node nsx-poc-worker-1) on nsx-poc-worker-1 runs v1.34.4, newer than v1.34.3: kubeadm upgrades only. Set cluster.kubernetes.version to 1.34.4");
  });
});
