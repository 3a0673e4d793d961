// Node operations as the program plans them (the poc stack with one operation of every type and
// seed 002's two flows): the named steps, where each runs, their order; then operation.sh run as
// shipped (each planned step's command line and stdin) in Debian sandboxes with the control-plane
// stand-ins: a file written once, a patch applied once, labels and taints through kubectl with
// admin.conf, retries with backoff, continue-on-error, the flows' kubelet and kubeconfig rewrites.
import * as http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { planStack, resourceNamed, resourcesOfType, type PlanResult } from "../../test/harness";
import { TestCluster, type ControlPlaneHost } from "../../test/sandbox/control-plane";
import { changedLines, expectNoChange, expectOk } from "../../test/sandbox/expect-run";
import { sandboxGate, sandboxUnavailableReason, type RunResult } from "../../test/sandbox/node-sandbox";
import { freePort } from "../../test/tools/free-port";
import { runProcess } from "../../test/tools/process";
import { expectBashParses, expectShellcheckClean } from "../../test/tools/shell-checks";
import { OPERATION_SCRIPT } from "./index";

const COMMAND = "command:remote:Command";
const CP1 = { name: "nsx-poc-cp-1", address: "192.168.100.11" };
const W1 = { name: "nsx-poc-worker-1", address: "192.168.100.21" };
const W2 = { name: "nsx-poc-worker-2", address: "192.168.100.22" };
const ENDPOINT = "https://api.nsx-poc.corp.example.internal:6443";

const OPERATIONS = [
  { name: "resolv", type: "file", path: "/etc/kubelet-resolv.conf", content: "nameserver 100.64.0.10\noptions ndots:5\n", mode: "0640", owner: "root:adm", targets: { roles: ["worker"] } },
  { name: "max-map", type: "patch", path: "/etc/sysctl.d/90-site.conf", match: "^vm[.]max_map_count *=", line: "vm.max_map_count = 262144", createIfMissing: true, onChange: "systemctl restart systemd-sysctl", strategy: "batches", batchSize: 2 },
  { name: "zone", type: "labels", labels: { "topology.kubernetes.io/zone": "a" }, removeLabels: ["example.com/old-zone"], targets: { pools: ["worker"] } },
  { name: "dedicated", type: "taints", taints: [{ key: "example.com/dedicated", value: "db", effect: "NoSchedule" }], removeTaints: [{ key: "example.com/old" }], targets: { names: [W1.name] } },
  { name: "flaky", type: "command", command: "test -e /tmp/ready", retries: { attempts: 3, backoffSeconds: 2 }, continueOnError: true, targets: { names: [W1.name] } },
  { name: "settled", type: "wait", for: "command", command: "test -e /tmp/ready", timeoutSeconds: 30, intervalSeconds: 3, targets: { names: [W2.name] } },
  { name: "dns", type: "nodelocaldns-kubelets", address: "100.64.0.10" },
  { name: "vip", type: "kubeconfigs-to-endpoint", targets: { roles: ["control-plane"] } },
];

const planWith = (operations: unknown[]) => planStack("poc", (cluster) => (cluster.nodeOperations = operations));
const stepsOf = (plan: PlanResult) => resourcesOfType(plan, COMMAND).filter((r) => r.name.includes("-op-"));
const urnOf = (plan: PlanResult, name: string) => resourceNamed(plan, COMMAND, name).urn;
const hostOf = (plan: PlanResult, name: string) => (resourceNamed(plan, COMMAND, name).inputs.connection as { host?: string }).host;

describe("node operations as planned", () => {
  let plan: PlanResult;
  beforeAll(async () => {
    plan = await planWith(OPERATIONS);
  }, 180_000);

  it("names one step per operation and target, in the description's order", () => {
    const workers = [W1.name, W2.name];
    const all = ["nsx-poc-cp-1", "nsx-poc-cp-2", "nsx-poc-cp-3", ...workers];
    const cps = all.slice(0, 3);
    const expected = [
      ...workers.map((n) => `${n}-op-resolv`),
      ...all.map((n) => `${n}-op-max-map`),
      ...workers.map((n) => `${n}-op-zone`),
      `${W1.name}-op-dedicated`,
      `${W1.name}-op-flaky`,
      `${W2.name}-op-settled`,
      ...all.flatMap((n) => [`${n}-op-dns-cluster-dns`, `${n}-op-dns-kubelet`]),
      ...cps.flatMap((n) => ["kubelet", "controller-manager", "scheduler", "admin", "healthy"].map((part) => `${n}-op-vip-${part}`)),
    ];
    expect(stepsOf(plan).map((r) => r.name).sort()).toEqual([...expected].sort());
  });

  it("runs labels and taints on the first control plane through the API, the rest on the target", () => {
    expect(hostOf(plan, `${W1.name}-op-zone`)).toBe(CP1.address);
    expect(hostOf(plan, `${W1.name}-op-dedicated`)).toBe(CP1.address);
    expect(hostOf(plan, `${W1.name}-op-resolv`)).toBe(W1.address);
    expect(hostOf(plan, `${W2.name}-op-settled`)).toBe(W2.address);
  });

  it("orders operations one after another, their targets by strategy, a flow node by node", () => {
    const deps = (name: string) => resourceNamed(plan, COMMAND, name).dependencies;
    // parallel: both workers' file steps wait for the same thing, not for each other
    expect(deps(`${W2.name}-op-resolv`)).not.toContain(urnOf(plan, `${W1.name}-op-resolv`));
    // batches of 2: the third node waits for the first batch, the first batch for the previous operation
    expect(deps("nsx-poc-cp-3-op-max-map")).toEqual(expect.arrayContaining([urnOf(plan, "nsx-poc-cp-1-op-max-map"), urnOf(plan, "nsx-poc-cp-2-op-max-map")]));
    expect(deps("nsx-poc-cp-1-op-max-map")).toEqual(expect.arrayContaining([urnOf(plan, `${W1.name}-op-resolv`), urnOf(plan, `${W2.name}-op-resolv`)]));
    // a flow, serially: a node's patch, then its wait, then the next node's patch
    expect(deps("nsx-poc-cp-1-op-dns-kubelet")).toContain(urnOf(plan, "nsx-poc-cp-1-op-dns-cluster-dns"));
    expect(deps("nsx-poc-cp-2-op-dns-cluster-dns")).toContain(urnOf(plan, "nsx-poc-cp-1-op-dns-kubelet"));
    // the first operation waits for the cluster: every join
    expect(deps(`${W1.name}-op-resolv`).some((urn) => urn.endsWith(`::${W2.name}-join`))).toBe(true);
  });

  it("passes each operation's fields as the script's parameters, with the flows' endpoint and cache address", () => {
    const stdin = (name: string) => String(resourceNamed(plan, COMMAND, name).inputs.stdin);
    expect(stdin("nsx-poc-cp-2-op-vip-kubelet")).toContain(`REPLACEMENT='\\1${ENDPOINT}'`);
    expect(stdin("nsx-poc-cp-2-op-dns-cluster-dns")).toContain("REPLACEMENT='- 100.64.0.10'");
    expect(stdin(`${W1.name}-op-dedicated`)).toContain("ADD_TAINTS=example.com/dedicated\\=db\\:NoSchedule");
  });

  it("ships a script shellcheck passes, and every step's stdin parses", async () => {
    await expectShellcheckClean(OPERATION_SCRIPT);
    for (const step of stepsOf(plan)) await expectBashParses(String(step.inputs.stdin));
  });

  it("the flows' kubelet wait asks kubelet's /healthz over HTTP until it answers ok", async () => {
    // kubelet's health endpoint as a real HTTP server answers: not ready twice, then ok
    let asked = 0;
    const server = http.createServer((request, response) => {
      asked += 1;
      if (request.url !== "/healthz" || asked <= 2) response.writeHead(500).end("[-]syncloop failed");
      else response.writeHead(200, { "Content-Type": "text/plain" }).end("ok");
    });
    const port = await freePort();
    await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
    try {
      const stdin = `export KUBELET_HEALTHZ_PORT=${port};\n${String(resourceNamed(plan, COMMAND, `${W1.name}-op-dns-kubelet`).inputs.stdin)}`;
      const r = await runProcess("bash", ["-s"], { input: stdin, allowFail: true });
      expect(r.status, r.output).toBe(0);
      expect(r.output).toMatch(/^ok: kubelet-healthy$/m);
      expect(asked).toBe(3);
    } finally {
      server.close();
    }
  });

  it("plans no operation component for a description without operations", async () => {
    const none = await planWith([]);
    expect(stepsOf(none)).toEqual([]);
    expect(none.resources.filter((r) => r.type === "onprem-k8s:node:Operations")).toEqual([]);
  }, 180_000);
});

const gate = sandboxGate(sandboxUnavailableReason());
if (gate.warning) console.warn(gate.warning);

describe.runIf(gate.run)("operation.sh in Debian sandboxes (the planned steps)", () => {
  let plan: PlanResult;
  let changedPlan: PlanResult;
  let cluster: TestCluster;
  let cp1: ControlPlaneHost;
  let w1: ControlPlaneHost;
  let w2: ControlPlaneHost;
  const hosts = () => new Map([[CP1.address, cp1], [W1.address, w1], [W2.address, w2]]);

  async function run(from: PlanResult, name: string): Promise<RunResult> {
    const step = resourceNamed(from, COMMAND, name);
    const host = hosts().get(hostOf(from, name)!)!;
    return host.run(String(step.inputs.create), String(step.inputs.stdin));
  }

  beforeAll(async () => {
    plan = await planWith(OPERATIONS);
    changedPlan = await planWith(OPERATIONS.map((op) => (op.name === "dedicated" ? { ...op, taints: [{ key: "example.com/dedicated", value: "web", effect: "NoSchedule" }] } : op)));
    cluster = new TestCluster("node-operations");
    cp1 = await cluster.host(CP1.name, CP1.address);
    w1 = await cluster.host(W1.name, W1.address);
    w2 = await cluster.host(W2.name, W2.address);
    // admin.conf on the first control plane, its API answering; the workers' Nodes registered
    cp1.sandbox.writeFile("/etc/kubernetes/admin.conf", `apiVersion: v1\nclusters:\n- cluster:\n    server: https://${CP1.address}:6443\n  name: nsx-poc\n`);
    cluster.setApiserver(CP1.address, 6443, 200);
    for (const node of [W1.name, W2.name]) {
      cp1.sandbox.writeFile(`/var/lib/sandbox/cluster/nodes/${node}/labels`, "example.com/old-zone=b\n");
      cp1.sandbox.writeFile(`/var/lib/sandbox/cluster/nodes/${node}/taints`, "example.com/old:NoExecute\n");
    }
  }, 20 * 60_000);

  afterAll(() => cluster?.dispose());

  it("writes a file with its mode and owner, once", async () => {
    const r = expectOk(await run(plan, `${W1.name}-op-resolv`));
    expect(changedLines(r)).toEqual(["changed: /etc/kubelet-resolv.conf written (mode 0640, owner root:adm)"]);
    expect(w1.readFile("/etc/kubelet-resolv.conf")).toBe("nameserver 100.64.0.10\noptions ndots:5\n");
    expect((await w1.sandbox.exec("stat -c '%a %U:%G' /etc/kubelet-resolv.conf")).output.trim()).toBe("640 root:adm");
    expectNoChange(await run(plan, `${W1.name}-op-resolv`));
    // a hand edit is put back
    w1.sandbox.writeFile("/etc/kubelet-resolv.conf", "nameserver 8.8.8.8\n");
    expect(changedLines(expectOk(await run(plan, `${W1.name}-op-resolv`)))).toHaveLength(1);
  });

  it("patches a file once (created where missing), running onChange only when it changed", async () => {
    w2.clearCalls();
    const r = expectOk(await run(plan, `${W2.name}-op-max-map`));
    expect(changedLines(r)).toEqual(["changed: /etc/sysctl.d/90-site.conf created (mode 0644, owner root:root)", "changed: /etc/sysctl.d/90-site.conf patched"]);
    expect(w2.readFile("/etc/sysctl.d/90-site.conf")).toBe("vm.max_map_count = 262144\n");
    expect(w2.calls("systemctl")).toEqual(["systemctl restart systemd-sysctl"]);
    w2.clearCalls();
    expectNoChange(await run(plan, `${W2.name}-op-max-map`));
    expect(w2.calls("systemctl")).toEqual([]);
    // the line replaces a different setting in place, and the rest of the file stays
    w2.sandbox.writeFile("/etc/sysctl.d/90-site.conf", "# site\nvm.max_map_count=65530\nnet.core.somaxconn = 1024\n");
    expect(changedLines(expectOk(await run(plan, `${W2.name}-op-max-map`)))).toEqual(["changed: /etc/sysctl.d/90-site.conf patched"]);
    expect(w2.readFile("/etc/sysctl.d/90-site.conf")).toBe("# site\nvm.max_map_count = 262144\nnet.core.somaxconn = 1024\n");
    // an onChange that failed after the file changed is still owed: the next run runs it
    w2.sandbox.writeFile("/etc/sysctl.d/90-site.conf", "vm.max_map_count = 1\n");
    await w2.sandbox.exec("mv /usr/local/sbin/systemctl /usr/local/sbin/systemctl.kept && printf '#!/bin/sh\\nexit 1\\n' >/usr/local/sbin/systemctl && chmod +x /usr/local/sbin/systemctl");
    expect((await run(plan, `${W2.name}-op-max-map`)).status).not.toBe(0);
    await w2.sandbox.exec("mv /usr/local/sbin/systemctl.kept /usr/local/sbin/systemctl");
    w2.clearCalls();
    const owed = expectOk(await run(plan, `${W2.name}-op-max-map`));
    expect(changedLines(owed)).toEqual([]);
    expect(w2.calls("systemctl")).toEqual(["systemctl restart systemd-sysctl"]);
    w2.clearCalls();
    expectNoChange(await run(plan, `${W2.name}-op-max-map`));
    expect(w2.calls("systemctl")).toEqual([]);
  });

  it("sets and removes labels through the API from the first control plane, once", async () => {
    cp1.clearCalls();
    const r = expectOk(await run(plan, `${W1.name}-op-zone`));
    expect(changedLines(r)).toEqual([`changed: label topology.kubernetes.io/zone=a on node ${W1.name}`, `changed: label example.com/old-zone removed from node ${W1.name}`]);
    expect(cluster.nodeFile(W1.name, "labels")).toBe("topology.kubernetes.io/zone=a\n");
    expect(cp1.calls("kubectl").every((call) => call.includes("--kubeconfig /etc/kubernetes/admin.conf"))).toBe(true);
    expectNoChange(await run(plan, `${W1.name}-op-zone`));
  });

  it("adds, updates and removes taints through the API, once", async () => {
    const r = expectOk(await run(plan, `${W1.name}-op-dedicated`));
    expect(changedLines(r)).toEqual([`changed: taint example.com/dedicated=db:NoSchedule on node ${W1.name}`, `changed: taint example.com/old:NoExecute removed from node ${W1.name}`]);
    expect(cluster.nodeFile(W1.name, "taints")).toBe("example.com/dedicated=db:NoSchedule\n");
    expectNoChange(await run(plan, `${W1.name}-op-dedicated`));
    // a changed operation changes the taint's value in place
    expect(changedLines(expectOk(await run(changedPlan, `${W1.name}-op-dedicated`)))).toEqual([`changed: taint example.com/dedicated=web:NoSchedule on node ${W1.name}`]);
    expect(cluster.nodeFile(W1.name, "taints")).toBe("example.com/dedicated=web:NoSchedule\n");
  });

  it("retries with a doubling backoff; continueOnError reports the failure and lets the run go on", async () => {
    w1.clearCalls();
    const r = expectOk(await run(plan, `${W1.name}-op-flaky`));
    expect(r.output).toMatch(/^failed, continuing: flaky failed after 3 attempt\(s\)/m);
    expect(w1.sleeps()).toEqual([2, 4]);
    // once the command succeeds, the retry ends there
    w1.clearCalls();
    w1.onSleep("touch /tmp/ready");
    const later = expectOk(await run(plan, `${W1.name}-op-flaky`));
    w1.onSleep(undefined);
    expect(changedLines(later)).toEqual(["changed: ran: test -e /tmp/ready"]);
    expect(w1.sleeps()).toEqual([2]);
  });

  it("stops on a failure without continueOnError, and a wait times out", async () => {
    const failing = await planWith([{ name: "fails", type: "command", command: "echo about to fail; exit 7", targets: { names: [W2.name] } }]);
    const r = await run(failing, `${W2.name}-op-fails`);
    expect(r.status).not.toBe(0);
    expect(r.output).toMatch(/error: the command failed \(exit 7\)/);
    const waited = await run(plan, `${W2.name}-op-settled`);
    expect(waited.status).not.toBe(0);
    expect(waited.output).toMatch(/command not reached within 30 s \(10 checks, 3 s apart\)/);
    w2.sandbox.writeFile("/tmp/ready", "");
    expect(expectOk(await run(plan, `${W2.name}-op-settled`)).output).toMatch(/^ok: command$/m);
  });

  it("NodeLocal DNSCache flow: the kubelet's clusterDNS points at the cache, kubelet restarted, once", async () => {
    w1.sandbox.writeFile("/var/lib/kubelet/config.yaml", "apiVersion: kubelet.config.k8s.io/v1beta1\nclusterDNS:\n- 10.96.0.10\nclusterDomain: cluster.local\nkind: KubeletConfiguration\n");
    w1.clearCalls();
    const r = expectOk(await run(plan, `${W1.name}-op-dns-cluster-dns`));
    expect(changedLines(r)).toEqual(["changed: /var/lib/kubelet/config.yaml patched"]);
    expect(w1.readFile("/var/lib/kubelet/config.yaml")).toContain("clusterDNS:\n- 100.64.0.10\nclusterDomain: cluster.local\n");
    expect(w1.calls("systemctl")).toEqual(["systemctl restart kubelet"]);
    w1.clearCalls();
    expectNoChange(await run(plan, `${W1.name}-op-dns-cluster-dns`));
    expect(w1.calls("systemctl")).toEqual([]);
  });

  it("kubeconfigs-to-endpoint flow: kubelet.conf and the control plane's kubeconfigs dial the endpoint, once", async () => {
    for (const file of ["kubelet", "controller-manager", "scheduler"]) {
      cp1.sandbox.writeFile(`/etc/kubernetes/${file}.conf`, `apiVersion: v1\nclusters:\n- cluster:\n    certificate-authority-data: AAAA\n    server: https://${CP1.address}:6443\n  name: kubernetes\n`);
    }
    cp1.clearCalls();
    for (const part of ["kubelet", "controller-manager", "scheduler"]) {
      expect(changedLines(expectOk(await run(plan, `${CP1.name}-op-vip-${part}`)))).toEqual([`changed: /etc/kubernetes/${part}.conf patched`]);
      expect(cp1.readFile(`/etc/kubernetes/${part}.conf`)).toContain(`\n    server: ${ENDPOINT}\n  name: kubernetes\n`);
    }
    expect(cp1.calls("systemctl")).toEqual(["systemctl restart kubelet"]);
    expect(cp1.calls("crictl").filter((c) => c.startsWith("crictl ps"))).toEqual(["crictl ps --name ^kube-controller-manager$ --quiet", "crictl ps --name ^kube-scheduler$ --quiet"]);
    for (const part of ["kubelet", "controller-manager", "scheduler"]) expectNoChange(await run(plan, `${CP1.name}-op-vip-${part}`));
  });
});
