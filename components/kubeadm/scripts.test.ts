// The control-plane scripts run for real, exactly as the program ships them: each step's command
// line and stdin are taken from the planned poc stack (3 control planes behind kube-vip, 2 workers,
// 1.34) and run as root in Debian sandboxes, one per host, sharing one test cluster's state.
// What a chroot cannot run is a stateful stand-in (test/sandbox/control-plane-standins: kubeadm,
// kubectl, crictl, etcdctl, curl, sleep, sudo), so every check below fails when the script's
// behaviour breaks: kubeadm's preflight refuses leftovers like the real one, kubectl and curl
// answer only while the right apiserver is up, sleeps are recorded instead of waited.
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { planStack, resourceNamed, type PlanResult } from "../../test/harness";
import { sandboxGate, sandboxUnavailableReason, type RunResult } from "../../test/sandbox/node-sandbox";
import { changedLines, expectOk, expectNoChange } from "../../test/sandbox/expect-run";
import { TestCluster, type ControlPlaneHost } from "../../test/sandbox/control-plane";

const COMMAND = "command:remote:Command";
const CP1 = { name: "nsx-poc-cp-1", address: "192.168.100.11" };
const CP2 = { name: "nsx-poc-cp-2", address: "192.168.100.12" };
const W1 = { name: "nsx-poc-worker-1", address: "192.168.100.21" };
const W2 = { name: "nsx-poc-worker-2", address: "192.168.100.22" };
const ENDPOINT = { host: "api.nsx-poc.corp.example.internal", port: 6443 };
const KUBE_VIP = "/etc/kubernetes/manifests/kube-vip.yaml";
const PKI_FILES: [string, string][] = [
  ["ca.crt", "644"],
  ["ca.key", "600"],
  ["etcd/ca.crt", "644"],
  ["etcd/ca.key", "600"],
  ["front-proxy-ca.crt", "644"],
  ["front-proxy-ca.key", "600"],
  ["sa.key", "600"],
  ["sa.pub", "644"],
];

function expectFailure(r: RunResult, message: string): void {
  expect(r.status, r.output).not.toBe(0);
  expect(r.output).toContain(message);
  // the diagnostics block closes the output
  expect(r.output.trimEnd().endsWith("=== end of diagnostics ===")).toBe(true);
}
const exported = (stdin: string, name: string) => new RegExp(`(?:^|; )export ${name}=([^;\\n]*);`).exec(stdin.split("\n#!/usr/bin/env bash")[0]!)?.[1];

/** A step of a plan, run on `host` with the command line and stdin the program gives it. */
async function runStep(plan: PlanResult, name: string, host: ControlPlaneHost, action: "create" | "delete" = "create"): Promise<RunResult> {
  const step = resourceNamed(plan, COMMAND, name);
  // the step is meant for this host (token and membership steps run on the first control plane)
  expect((step.inputs.connection as { host?: string }).host, name).toBe(host.address);
  const commandLine = step.inputs[action];
  if (typeof commandLine !== "string") throw new Error(`${name} has no ${action} command`);
  return await host.run(commandLine, String(step.inputs.stdin));
}
const stdinOf = (plan: PlanResult, name: string) => String(resourceNamed(plan, COMMAND, name).inputs.stdin);

const gate = sandboxGate(sandboxUnavailableReason());
if (gate.warning) console.warn(gate.warning);

describe.runIf(gate.run)("control-plane scripts in Debian sandboxes (poc stack as planned)", () => {
  let plan: PlanResult;
  // the same stack with the stale-state reset opted in, and labels/taints on the worker pool
  let optIn: PlanResult;
  let token: string;
  let cluster: TestCluster;
  let cp1: ControlPlaneHost;
  let cp2: ControlPlaneHost;
  let w1: ControlPlaneHost;
  let w2: ControlPlaneHost;

  beforeAll(async () => {
    plan = await planStack("poc");
    optIn = await planStack("poc", (c) => {
      c.kubeadm = { ...(c.kubeadm ?? {}), resetStaleState: true };
      c.workerPools[0].labels = { "node-role.kubernetes.io/worker": "", tier: "web" };
      c.workerPools[0].taints = [{ key: "dedicated", value: "web", effect: "NoSchedule" }];
    });
    token = exported(stdinOf(plan, `${CP1.name}-init`), "KUBEADM_TOKEN")!;
    expect(token).toMatch(/^[a-z0-9]{6}\.[a-z0-9]{16}$/);
    cluster = new TestCluster("poc");
    cp1 = await cluster.host(CP1.name, CP1.address);
    cp2 = await cluster.host(CP2.name, CP2.address);
    w1 = await cluster.host(W1.name, W1.address);
    w2 = await cluster.host(W2.name, W2.address);
  }, 20 * 60_000);

  afterAll(() => cluster?.dispose());

  describe("pki.sh", () => {
    it("writes every CA and service-account file (keys 600) from the parameters; a second run changes nothing", async () => {
      const r = expectOk(await runStep(plan, `${CP1.name}-pki`, cp1));
      expect(changedLines(r)).toHaveLength(PKI_FILES.length);
      const stdin = stdinOf(plan, `${CP1.name}-pki`);
      for (const [file, mode] of PKI_FILES) {
        expect((await cp1.sandbox.exec(`stat -c %a /etc/kubernetes/pki/${file}`)).output.trim(), file).toBe(mode);
      }
      // the content is the program's PEM, byte for byte (ensure_file adds the final newline only)
      const caKey = cp1.readFile("/etc/kubernetes/pki/ca.key");
      expect(caKey).toMatch(/^-----BEGIN RSA PRIVATE KEY-----\n/);
      expect(stdin).toContain(caKey.trimEnd());
      expectNoChange(await runStep(plan, `${CP1.name}-pki`, cp1));
    });

    it("refuses a DIFFERENT CA already on the host and leaves it untouched", async () => {
      const foreign = "-----BEGIN CERTIFICATE-----\nanother cluster's CA\n-----END CERTIFICATE-----\n";
      cp2.sandbox.writeFile("/etc/kubernetes/pki/ca.crt", foreign);
      const r = await runStep(plan, `${CP2.name}-pki`, cp2);
      expectFailure(r, `refusing to overwrite /etc/kubernetes/pki/ca.crt on ${CP2.name}: it holds a DIFFERENT key or CA than this cluster's`);
      expect(cp2.readFile("/etc/kubernetes/pki/ca.crt")).toBe(foreign);
      expect(cp2.exists("/etc/kubernetes/pki/ca.key")).toBe(false);
      // once the operator removed it, the step places this cluster's PKI
      await cp2.sandbox.exec("rm -rf /etc/kubernetes/pki");
      expectOk(await runStep(plan, `${CP2.name}-pki`, cp2));
    });
  });

  describe("kube-vip.sh and init.sh on the first control plane", () => {
    it("kube-vip uses super-admin.conf before init (1.29+), idempotently", async () => {
      const r = expectOk(await runStep(plan, `${CP1.name}-endpoint`, cp1));
      expect(changedLines(r)).toEqual([`changed: wrote ${KUBE_VIP}`]);
      expect(cp1.readFile(KUBE_VIP)).toContain("path: /etc/kubernetes/super-admin.conf");
      expect((await cp1.sandbox.exec(`stat -c %a ${KUBE_VIP}`)).output.trim()).toBe("600");
      expectNoChange(await runStep(plan, `${CP1.name}-endpoint`, cp1));
    });

    it("runs kubeadm init once with the token substituted, kube-vip on super-admin.conf during init and admin.conf after", async () => {
      cp1.clearCalls();
      // nothing answers before init: not the endpoint, not the apiserver
      expect(cluster.apiserverStatus(ENDPOINT.host, ENDPOINT.port)).toBeUndefined();
      const r = expectOk(await runStep(plan, `${CP1.name}-init`, cp1));
      const inits = cp1.calls("kubeadm");
      expect(inits).toHaveLength(1);
      expect(inits[0]).toMatch(/^kubeadm init --config \/run\/onprem-k8s-kubeadm\.\w+ --skip-token-print$/);
      expect(changedLines(r)).toEqual([`changed: kubeadm init on ${CP1.name}`, `changed: wrote ${KUBE_VIP}`]);
      // kubeadm saw the real token; the config file with it is gone afterwards
      expect(cp1.readFile("/var/lib/sandbox/kubeadm/init-configs/1")).toContain(`  - token: ${token}\n`);
      expect((await cp1.sandbox.exec("ls /run/onprem-k8s-* 2>/dev/null | wc -l")).output.trim()).toBe("0");
      expect(cp1.readFile("/var/lib/sandbox/kubeadm/kube-vip-kubeconfig-during-init").trim()).toBe("/etc/kubernetes/super-admin.conf");
      expect(cp1.readFile(KUBE_VIP)).toContain("path: /etc/kubernetes/admin.conf");
      expect(cp1.readFile(KUBE_VIP)).not.toContain("super-admin.conf");
      // and the token never reaches the output
      expect(r.output).not.toContain(token);
      expect(cluster.nodes()).toEqual([CP1.name]);
      expect(cluster.etcdMembers()).toEqual([CP1.name]);
    });

    it("skips init when the control plane already answers /readyz; kube-vip stays on admin.conf", async () => {
      cp1.clearCalls();
      expectNoChange(await runStep(plan, `${CP1.name}-init`, cp1));
      expect(cp1.calls("kubeadm")).toEqual([]);
      expectNoChange(await runStep(plan, `${CP1.name}-endpoint`, cp1));
      expect(cp1.readFile(KUBE_VIP)).toContain("path: /etc/kubernetes/admin.conf");
      // pki.sh on a running control plane: still nothing to do
      expectNoChange(await runStep(plan, `${CP1.name}-pki`, cp1));
    });

    it("makes the bootstrap token valid on the first control plane, once", async () => {
      const r = expectOk(await runStep(plan, `${W1.name}-token`, cp1));
      const [id, secret] = token.split(".");
      expect(changedLines(r)).toEqual([expect.stringMatching(new RegExp(`^changed: bootstrap token ${id} valid until \\d{4}-`))]);
      const manifest = cluster.secret("kube-system", `bootstrap-token-${id}`)!;
      expect(manifest).toContain(`token-secret: ${secret}\n`);
      expect(r.output).not.toContain(secret);
      expectNoChange(await runStep(plan, `${CP2.name}-token`, cp1));
    });
  });

  describe("init.sh failures (a first control plane of its own cluster)", () => {
    let other: TestCluster;
    let host: ControlPlaneHost;
    beforeAll(async () => {
      other = new TestCluster("init-failures");
      host = await other.host(CP1.name, CP1.address);
      expectOk(await runStep(plan, `${CP1.name}-pki`, host));
    });
    afterAll(() => other?.dispose());

    it("ends a failed init with the diagnostics block: kubelet journal, crictl ps -a, endpoint probes", async () => {
      host.failKubeadm("init", 1, "wait-control-plane");
      const r = await runStep(plan, `${CP1.name}-init`, host);
      expectFailure(r, `kubeadm init failed on ${CP1.name}`);
      const diagnostics = r.output.slice(r.output.indexOf(`=== kubeadm diagnostics: init failed on ${CP1.name} ===`));
      expect(diagnostics).toContain("error execution phase wait-control-plane");
      expect(diagnostics).toMatch(/--- journalctl -u kubelet -n 60 ---\n[\s\S]*Failed to contact API server/);
      expect(diagnostics).toMatch(/--- crictl ps -a ---\n[\s\S]*Exited\s+kube-apiserver/);
      expect(diagnostics).toContain(`route to ${ENDPOINT.host}: the name does not resolve on ${CP1.name}`);
      expect(diagnostics).toContain(`endpoint ${ENDPOINT.host}:${ENDPOINT.port}: tcp closed, /readyz 000`);
      // the apiservers there are while init runs: its own (the others join later)
      expect(diagnostics).toContain("apiserver 192.168.100.11:6443: tcp closed, /readyz 000");
      expect(diagnostics).not.toContain("apiserver 192.168.100.12:6443");
    });

    it("stops on the half-initialised node it left, naming the way out, and runs no kubeadm", async () => {
      host.clearCalls();
      const r = await runStep(plan, `${CP1.name}-init`, host);
      expectFailure(r, `${CP1.name} holds a half-initialised control plane (control-plane manifests, /var/lib/etcd or kubelet.conf present, but its API does not answer)`);
      expect(r.output).toContain("cluster.kubeadm.resetStaleState: true");
      expect(host.calls("kubeadm")).toEqual([]);
      // it gave a rebooting apiserver time first (STALE_WAIT_SECONDS, 90 s by default)
      expect(host.sleeps().reduce((a, b) => a + b, 0)).toBe(90);
      expect(host.exists("/etc/kubernetes/manifests/kube-apiserver.yaml")).toBe(true);
    });

    it("with resetStaleState opted in, runs kubeadm reset -f first (keeping the cluster CA), then init", async () => {
      const ca = host.readFile("/etc/kubernetes/pki/ca.key");
      host.clearCalls();
      expect(exported(stdinOf(optIn, `${CP1.name}-init`), "RESET_STALE_STATE")).toBe("true");
      const r = expectOk(await runStep(optIn, `${CP1.name}-init`, host));
      expect(host.calls("kubeadm").map((c) => c.split(" ").slice(0, 3).join(" "))).toEqual(["kubeadm reset -f", "kubeadm init --config"]);
      expect(r.output).toContain(`changed: kubeadm reset -f on ${CP1.name} (cluster CA, service-account keys and kube-vip manifest kept)`);
      expect(host.readFile("/etc/kubernetes/pki/ca.key")).toBe(ca);
      expect(other.etcdMembers()).toEqual([CP1.name]);
    });

    it("masks the bootstrap token kubeadm prints when init fails after printing it", async () => {
      // the init step's delete resets the node: the run starts clean (with the PKI placed again)
      host.clearCalls();
      expectOk(await runStep(plan, `${CP1.name}-init`, host, "delete"));
      expect(host.calls("kubeadm")).toEqual(["kubeadm reset -f --cri-socket unix:///run/containerd/containerd.sock"]);
      expect(host.exists("/etc/kubernetes/admin.conf")).toBe(false);
      expectOk(await runStep(plan, `${CP1.name}-pki`, host));
      host.failKubeadm("init", 1, "addon/coredns");
      const r = await runStep(plan, `${CP1.name}-init`, host);
      expectFailure(r, `kubeadm init failed on ${CP1.name}`);
      expect(r.output).toContain("[bootstrap-token] Using token: [bootstrap-token]");
      expect(r.output).not.toContain(token);
      expect(r.output).not.toContain(token.split(".")[1]);
    });
  });

  describe("join.sh", () => {
    it("retries a failing worker join with backoff, resetting in between: two failures, then joined", async () => {
      w1.clearCalls();
      w1.failKubeadm("join", 2);
      const r = expectOk(await runStep(plan, `${W1.name}-join`, w1));
      expect(w1.calls("kubeadm").map((c) => c.split(" ").slice(0, 2).join(" "))).toEqual(["kubeadm join", "kubeadm reset", "kubeadm join", "kubeadm reset", "kubeadm join"]);
      expect(w1.sleeps()).toEqual([10, 20]);
      expect(r.output).toContain("attempt 1/3 failed, retrying in 10s: join_attempt");
      expect(r.output).toContain("attempt 2/3 failed, retrying in 20s: join_attempt");
      expect(changedLines(r)).toContain(`changed: ${W1.name} joined as worker`);
      // through the API endpoint: no fallback while the endpoint answers
      expect(w1.readFile("/var/lib/sandbox/kubeadm/join-discovery")).toBe(`token ${ENDPOINT.host}:${ENDPOINT.port}\n`.repeat(3));
      expect(r.output).not.toContain("FALLBACK");
      expect(r.output).not.toContain(token);
      expect(cluster.nodes()).toContain(W1.name);
    });

    it("does nothing on a worker that has joined", async () => {
      w1.clearCalls();
      expectNoChange(await runStep(plan, `${W1.name}-join`, w1));
      expect(w1.calls("kubeadm")).toEqual([]);
    });

    it("gives up after the bound (3 attempts) with the diagnostics block", async () => {
      w2.clearCalls();
      w2.failKubeadm("join", "always");
      const r = await runStep(plan, `${W2.name}-join`, w2);
      expectFailure(r, `kubeadm join of ${W2.name} failed 3 times`);
      expect(w2.calls("kubeadm").filter((c) => c.startsWith("kubeadm join"))).toHaveLength(3);
      expect(w2.sleeps()).toEqual([10, 20]);
      expect(r.output).toContain("error execution phase kubelet-start: timed out waiting for the condition");
      expect(r.output).not.toContain(token);
      expect(cluster.nodes()).not.toContain(W2.name);
    });

    it("stops before kubeadm when neither the endpoint nor the first control plane answers", async () => {
      w2.failKubeadm("join", 0);
      cluster.setApiserver(ENDPOINT.host, ENDPOINT.port, undefined);
      cluster.setApiserver(CP1.address, 6443, undefined);
      w2.clearCalls();
      const r = await runStep(plan, `${W2.name}-join`, w2);
      cluster.setApiserver(CP1.address, 6443, 200);
      expectFailure(r, `neither the API endpoint ${ENDPOINT.host}:${ENDPOINT.port} nor the first control plane's apiserver ${CP1.address}:6443 answers /readyz from ${W2.name}`);
      expect(w2.calls("kubeadm")).toEqual([]);
    });

    it("falls back to the first control plane's apiserver only while the endpoint does not answer", async () => {
      w2.clearCalls();
      await w2.sandbox.exec("rm -f /var/lib/sandbox/kubeadm/join-discovery");
      const r = expectOk(await runStep(plan, `${W2.name}-join`, w2));
      cluster.setApiserver(ENDPOINT.host, ENDPOINT.port, 200);
      expect(r.output).toContain(`note: FALLBACK: the API endpoint ${ENDPOINT.host}:${ENDPOINT.port} does not answer /readyz from ${W2.name}; joining through the first control plane's apiserver ${CP1.address}:6443`);
      expect(w2.readFile("/var/lib/sandbox/kubeadm/join-discovery")).toBe(`file ${CP1.address}:6443\n`);
      expect(w2.readFile("/etc/kubernetes/kubelet.conf")).toContain(`server: https://${CP1.address}:6443`);
      // the discovery file lived only for the join
      expect(w2.exists("/run/onprem-k8s-discovery-fallback.conf")).toBe(false);
      expect(cluster.nodes()).toContain(W2.name);
    });

    it("makes a control plane wait for the previous one's apiserver, and give up when it never answers", async () => {
      expectOk(await runStep(plan, `${CP2.name}-endpoint`, cp2));
      expect(cp2.readFile(KUBE_VIP)).toContain("path: /etc/kubernetes/admin.conf");
      cluster.setApiserver(CP1.address, 6443, undefined);
      cp2.clearCalls();
      const r = await runStep(plan, `${CP2.name}-join`, cp2);
      cluster.setApiserver(CP1.address, 6443, 200);
      expectFailure(r, `the apiserver of ${CP1.name} (${CP1.address}:6443) does not answer /readyz from ${CP2.name}: control planes join one at a time`);
      expect(cp2.calls("kubeadm")).toEqual([]);
      expect(cp2.sleeps()).toHaveLength(11);
    });

    it("joins a control plane once the previous one answers, retrying a failed join without leaving an etcd member behind", async () => {
      cluster.setApiserver(CP1.address, 6443, undefined);
      // cp-1 comes back while cp-2 waits
      cp2.onSleep(`echo 200 > /var/lib/sandbox/cluster/http/${CP1.address}:6443`);
      cp2.failKubeadm("join", 1);
      cp2.clearCalls();
      const caKey = cp2.readFile("/etc/kubernetes/pki/ca.key");
      const r = expectOk(await runStep(plan, `${CP2.name}-join`, cp2));
      cp2.onSleep(undefined);
      const calls = cp2.calls();
      const probe = calls.indexOf(`curl --silent --insecure --noproxy * --max-time 5 --output /dev/null --write-out %{http_code} https://${CP1.address}:6443/readyz`);
      const firstJoin = calls.findIndex((c) => c.startsWith("kubeadm join"));
      expect(probe).toBeGreaterThanOrEqual(0);
      expect(firstJoin).toBeGreaterThan(probe);
      expect(cp2.calls("kubeadm").map((c) => c.split(" ").slice(0, 2).join(" "))).toEqual(["kubeadm join", "kubeadm reset", "kubeadm join"]);
      // the reset between attempts kept the cluster CA, and took the failed attempt's member out
      expect(cp2.readFile("/etc/kubernetes/pki/ca.key")).toBe(caKey);
      expect(cluster.etcdMembers()).toEqual([CP1.name, CP2.name]);
      expect(r.output).toContain(`ok: control plane ${CP2.name} is healthy`);
      expect(changedLines(r)).toContain(`changed: ${CP2.name} joined as control-plane`);
    });
  });

  describe("membership.sh and removal", () => {
    it("labels and taints a worker through the API, once", async () => {
      const r = expectOk(await runStep(optIn, `${W1.name}-membership`, cp1));
      expect(changedLines(r)).toEqual([
        `changed: label node-role.kubernetes.io/worker= on ${W1.name}`,
        `changed: label tier=web on ${W1.name}`,
        `changed: taint dedicated=web:NoSchedule on ${W1.name}`,
      ]);
      expect(cluster.nodeFile(W1.name, "taints")).toBe("dedicated=web:NoSchedule\n");
      expectNoChange(await runStep(optIn, `${W1.name}-membership`, cp1));
    });

    it("removes a worker: drain and Node deletion on the first control plane, then kubeadm reset on the node", async () => {
      cp1.clearCalls();
      const r = expectOk(await runStep(plan, `${W1.name}-membership`, cp1, "delete"));
      const kubectl = cp1.calls("kubectl").map((c) => c.replace(/^kubectl --kubeconfig \S+ --server \S+ --request-timeout=20s /, ""));
      expect(kubectl).toContain(`drain ${W1.name} --ignore-daemonsets --delete-emptydir-data --timeout=300s`);
      expect(kubectl).toContain(`delete node ${W1.name} --wait=true`);
      expect(kubectl.findIndex((c) => c.startsWith("drain"))).toBeLessThan(kubectl.findIndex((c) => c.startsWith("delete")));
      expect(changedLines(r)).toEqual([`changed: drained ${W1.name}`, `changed: deleted Node ${W1.name}`]);
      expect(cluster.nodes()).not.toContain(W1.name);
      expect(cp1.calls("crictl")).toEqual([]);
      w1.clearCalls();
      expectOk(await runStep(plan, `${W1.name}-join`, w1, "delete"));
      expect(w1.calls("kubeadm")).toEqual(["kubeadm reset -f --cri-socket unix:///run/containerd/containerd.sock"]);
      expect(w1.exists("/etc/kubernetes/kubelet.conf")).toBe(false);
      // a second delete finds nothing to do
      expectNoChange(await runStep(plan, `${W1.name}-join`, w1, "delete"));
    });

    it("keeps a control plane's etcd member while a member that would stay is unhealthy, naming it", async () => {
      const down = path.join(cluster.dir, "etcd-down");
      fs.mkdirSync(down, { recursive: true });
      fs.writeFileSync(path.join(down, CP1.name), "");
      try {
        cp1.clearCalls();
        const r = await cp1.run(String(resourceNamed(plan, COMMAND, `${CP2.name}-membership`).inputs.delete), stdinOf(plan, `${CP2.name}-membership`).replace("export ", "export HEALTH_ATTEMPTS=2; export "));
        expectFailure(r, `not removing the etcd member ${CP2.name}: the members that would stay are not all healthy`);
        expect(r.output).toContain(`etcd members that stay but are not healthy: https://${CP1.address}:2379`);
        expect(cluster.etcdMembers()).toEqual([CP1.name, CP2.name].sort());
        expect(cp1.calls("etcdctl").filter((c) => c.includes("member remove"))).toEqual([]);
      } finally {
        fs.rmSync(down, { recursive: true, force: true });
      }
    });

    it("removes a control plane's etcd member by name through the first control plane's etcd", async () => {
      cp1.clearCalls();
      const r = expectOk(await runStep(plan, `${CP2.name}-membership`, cp1, "delete"));
      expect(cluster.etcdMembers()).toEqual([CP1.name]);
      // The member before the Node, as kubeadm reset does: the acceptance checks count a member whose
      // Node is still registered as leaving, and one without a Node as stale.
      expect(changedLines(r)).toEqual([
        `changed: drained ${CP2.name}`,
        expect.stringMatching(new RegExp(`^changed: removed the etcd member ${CP2.name} \\([0-9a-f]{16}\\)$`)),
        `changed: deleted Node ${CP2.name}`,
      ]);
      expect(cp1.calls("etcdctl").map((c) => c.split(" ").filter((a) => !a.startsWith("--")).join(" "))).toEqual([
        "etcdctl member list",
        // the members that stay are healthy first (the quorum at the moment this one leaves)
        "etcdctl member list",
        "etcdctl endpoint health",
        expect.stringMatching(/^etcdctl member remove [0-9a-f]{16}$/),
      ]);
      expect(cluster.nodes()).not.toContain(CP2.name);
      // What kubeadm upgrade left (a copy of etcd's data among it), which kubeadm reset keeps.
      await cp2.run("mkdir -p /etc/kubernetes/tmp/kubeadm-backup-etcd-2026-12-07-05-58-36/etcd/member && touch /etc/kubernetes/tmp/kubeadm-backup-etcd-2026-12-07-05-58-36/etcd/member/snap", "");
      const removed = expectOk(await runStep(plan, `${CP2.name}-join`, cp2, "delete"));
      expect(changedLines(removed)).toContain(`changed: removed kubeadm's upgrade backups (/etc/kubernetes/tmp) on ${CP2.name}`);
      expect(cp2.exists("/etc/kubernetes/tmp")).toBe(false);
      expect(cp2.exists("/etc/kubernetes/manifests/etcd.yaml")).toBe(false);
      expect(cp2.exists(KUBE_VIP)).toBe(false);
    });

    it("refuses to remove the first control plane through itself", async () => {
      // the cp-2 membership step, as if it were about the host it runs on
      const stdin = stdinOf(plan, `${CP2.name}-membership`).replace(`export NODE_NAME=${CP2.name};`, `export NODE_NAME=${CP1.name};`);
      expect(stdin).toContain(`export NODE_NAME=${CP1.name};`);
      cp1.clearCalls();
      const r = await cp1.run(String(resourceNamed(plan, COMMAND, `${CP2.name}-membership`).inputs.delete), stdin);
      expectFailure(r, `refusing to remove ${CP1.name} from the cluster through itself`);
      expect(cp1.calls("kubectl").filter((c) => / (drain|delete) /.test(c))).toEqual([]);
      expect(cp1.calls("etcdctl")).toEqual([]);
      expect(cluster.etcdMembers()).toEqual([CP1.name]);
      expect(cluster.nodes()).toContain(CP1.name);
    });
  });
});
