// The kubeadm steps killed at a line (the Pulumi CLI killed, CI cancelled, the node restarted),
// then run again as the next `pulumi up` runs them (docs/recovery.md): each must converge, not
// stop on its own leftovers nor take them for a finished step. Run as shipped, with the planned
// poc stack's command lines, in Debian sandboxes whose stand-ins SIGKILL the script at a chosen
// point (test/sandbox/control-plane-standins/_cluster.sh kill_point).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { planStack, resourceNamed, type PlanResult } from "../../test/harness";
import { TestCluster, type ControlPlaneHost } from "../../test/sandbox/control-plane";
import { changedLines, expectOk } from "../../test/sandbox/expect-run";
import { sandboxGate, sandboxUnavailableReason, type RunResult } from "../../test/sandbox/node-sandbox";

const COMMAND = "command:remote:Command";
const CP1 = { name: "nsx-poc-cp-1", address: "192.168.100.11" };
const CP2 = { name: "nsx-poc-cp-2", address: "192.168.100.12" };
const W1 = { name: "nsx-poc-worker-1", address: "192.168.100.21" };
const MARKER = "/var/lib/onprem-k8s/kubeadm-attempt";
const ENDPOINT = { host: "api.nsx-poc.corp.example.internal", port: 6443 };

async function runStep(plan: PlanResult, name: string, host: ControlPlaneHost, action: "create" | "delete" = "create"): Promise<RunResult> {
  const step = resourceNamed(plan, COMMAND, name);
  expect((step.inputs.connection as { host?: string }).host, name).toBe(host.address);
  const commandLine = step.inputs[action];
  if (typeof commandLine !== "string") throw new Error(`${name} has no ${action} command`);
  return host.run(commandLine, String(step.inputs.stdin));
}

/** Back to before the node's join: its Node deleted (as its membership step's delete does), its join's delete (kubeadm reset: the member goes through the API), its PKI and endpoint steps again. */
async function unjoin(plan: PlanResult, cluster: TestCluster, host: ControlPlaneHost, name: string): Promise<void> {
  cluster.deleteNode(name);
  expectOk(await runStep(plan, `${name}-join`, host, "delete"));
  expectOk(await runStep(plan, `${name}-pki`, host));
  expectOk(await runStep(plan, `${name}-endpoint`, host));
}

/** The run died by the kill (SIGKILL of the script: a signal, or 137 through a shell). */
function expectKilled(r: RunResult): void {
  expect([-1, 137], r.output).toContain(r.status);
}

/** kubeadm's subcommands as the stand-in recorded them ("kubeadm reset", "kubeadm join"). */
const kubeadmCalls = (host: ControlPlaneHost) => host.calls("kubeadm").map((c) => c.split(" ").slice(0, 2).join(" "));

const gate = sandboxGate(sandboxUnavailableReason());
if (gate.warning) console.warn(gate.warning);

describe.runIf(gate.run)("kubeadm steps killed at a line, then run again (poc stack as planned, Debian sandboxes)", () => {
  let plan: PlanResult;
  let cluster: TestCluster;
  let cp1: ControlPlaneHost;
  let cp2: ControlPlaneHost;
  let w1: ControlPlaneHost;

  beforeAll(async () => {
    plan = await planStack("poc");
    cluster = new TestCluster("interrupted");
    cp1 = await cluster.host(CP1.name, CP1.address);
    cp2 = await cluster.host(CP2.name, CP2.address);
    w1 = await cluster.host(W1.name, W1.address);
    for (const [host, name] of [[cp1, CP1.name], [cp2, CP2.name]] as const) {
      expectOk(await runStep(plan, `${name}-pki`, host));
      expectOk(await runStep(plan, `${name}-endpoint`, host));
    }
  }, 20 * 60_000);

  afterAll(() => cluster?.dispose());

  it("init killed once its control plane answered (static Pods up, init's later phases never ran): the next run resets and runs init again", async () => {
    cp1.killAt("init/control-plane-up");
    const killed = await runStep(plan, `${CP1.name}-init`, cp1);
    expectKilled(killed);
    expect(cp1.killedAt()).toEqual(["init/control-plane-up"]);
    // What the kill left: an apiserver that answers, admin.conf, and no cluster-info for joins.
    expect(cp1.exists("/etc/kubernetes/admin.conf")).toBe(true);
    expect(cluster.apiserverStatus(CP1.address, 6443)).toBe(200);
    expect(cp1.exists(MARKER)).toBe(true);
    expect(cp1.exists("/var/lib/sandbox/cluster/configmaps/kube-public/cluster-info")).toBe(false);

    cp1.clearCalls();
    const again = expectOk(await runStep(plan, `${CP1.name}-init`, cp1));
    expect(again.output).toContain(`note: an earlier kubeadm init of ${CP1.name} was interrupted before it finished`);
    expect(kubeadmCalls(cp1)).toEqual(["kubeadm reset", "kubeadm init"]);
    expect(changedLines(again)).toContain(`changed: kubeadm init on ${CP1.name}`);
    expect(cp1.exists("/var/lib/sandbox/cluster/configmaps/kube-public/cluster-info")).toBe(true);
    expect(cp1.readFile("/etc/kubernetes/manifests/kube-vip.yaml")).toContain("path: /etc/kubernetes/admin.conf");
    expect(cluster.etcdMembers()).toEqual([CP1.name]);
    expect(cluster.nodes()).toEqual([CP1.name]);
    expect(cp1.exists(MARKER)).toBe(false);
  });

  it("a control-plane join killed after etcd added its member, before its Node registered: the next run resets (the member goes) and joins", async () => {
    expectOk(await runStep(plan, `${CP2.name}-token`, cp1));
    cp2.killAt("join/etcd-member-added");
    const killed = await runStep(plan, `${CP2.name}-join`, cp2);
    expectKilled(killed);
    expect(cluster.etcdMembers()).toEqual([CP1.name, CP2.name]);
    expect(cluster.nodes()).toEqual([CP1.name]);

    cp2.clearCalls();
    const again = expectOk(await runStep(plan, `${CP2.name}-join`, cp2));
    expect(again.output).toContain(`note: an earlier kubeadm join of ${CP2.name} was interrupted before it finished`);
    expect(kubeadmCalls(cp2)).toEqual(["kubeadm reset", "kubeadm join"]);
    // No wait for a "half-initialised" apiserver, no failed attempt: straight to the join.
    expect(cp2.sleeps()).toEqual([]);
    expect(cluster.etcdMembers()).toEqual([CP1.name, CP2.name]);
    expect(cluster.nodes()).toEqual([CP1.name, CP2.name]);
    expect(again.output).toContain(`ok: control plane ${CP2.name} is healthy`);
    expect(cp2.exists(MARKER)).toBe(false);
  });

  it("a control plane restarted mid-join once its etcd member counted (two members, no quorum while it is down): the next run starts kubelet, waits for quorum, then resets (the member goes) and joins", async () => {
    await unjoin(plan, cluster, cp2, CP2.name);
    expect(cluster.etcdMembers()).toEqual([CP1.name]);
    cp2.killAt("join/etcd-member-added");
    expectKilled(await runStep(plan, `${CP2.name}-join`, cp2));
    cp2.restart();
    expect(cluster.etcdQuorum()).toBe(false);
    // And the API endpoint answers nothing (its VIP was on the restarted node): the join goes
    // through the fallback.
    cluster.setApiserver(ENDPOINT.host, ENDPOINT.port, undefined);

    cp2.clearCalls();
    const again = expectOk(await runStep(plan, `${CP2.name}-join`, cp2));
    cluster.setApiserver(ENDPOINT.host, ENDPOINT.port, 200);
    // Its member went through its own etcd before the reset (kubeadm reset would not have removed it:
    // no API through the endpoint, and no Node of this node registered yet).
    expect(changedLines(again)[1]).toMatch(new RegExp(`^changed: removed the etcd member [0-9a-f]{16} of ${CP2.name} \\(https://${CP2.address}:2380\\) before its reset$`));
    expect(again.output).toContain(`note: an earlier kubeadm join of ${CP2.name} was interrupted before it finished`);
    expect(changedLines(again)[0]).toBe(`changed: started kubelet on ${CP2.name}: its static Pods bring its etcd member back`);
    // The kubelet registered its Node again, Ready until the grace period after the reset stopped
    // it: kubeadm refuses the first join, the next one (after the wait) goes through.
    expect(kubeadmCalls(cp2)).toEqual(["kubeadm reset", "kubeadm join", "kubeadm reset", "kubeadm join"]);
    expect(again.output).toContain(`note: a Node named ${CP2.name} is still Ready`);
    expect(cp2.sleeps()).toContain(60);
    expect(cluster.etcdQuorum()).toBe(true);
    expect(cluster.etcdMembers()).toEqual([CP1.name, CP2.name]);
    expect(again.output).toContain(`ok: control plane ${CP2.name} is healthy`);
    expect(cp2.exists(MARKER)).toBe(false);
  });

  it("the same restart with its member's data gone (it cannot run again): no reset, the run stops and says why", async () => {
    await unjoin(plan, cluster, cp2, CP2.name);
    cp2.killAt("join/etcd-member-added");
    expectKilled(await runStep(plan, `${CP2.name}-join`, cp2));
    cp2.restart();
    await cp2.run("rm -rf /var/lib/etcd/member", "");
    cp2.clearCalls();
    const stopped = await cp2.run(String(resourceNamed(plan, COMMAND, `${CP2.name}-join`).inputs.create), String(resourceNamed(plan, COMMAND, `${CP2.name}-join`).inputs.stdin).replace("export ", "export HEALTH_ATTEMPTS=2; export "));
    expect(stopped.status).not.toBe(0);
    expect(stopped.output).toContain(`not resetting ${CP2.name}: the interrupted join added its etcd member`);
    expect(kubeadmCalls(cp2)).toEqual([]);
    expect(cluster.etcdMembers()).toEqual([CP1.name, CP2.name]);
    // Its member back (an operator restored its data and restarted kubelet), the next run goes on.
    await cp2.run("mkdir -p /var/lib/etcd/member && echo restored >/var/lib/etcd/member/db && systemctl restart kubelet", "");
    expectOk(await runStep(plan, `${CP2.name}-join`, cp2));
    expect(cluster.etcdMembers()).toEqual([CP1.name, CP2.name]);
    expect(cluster.etcdQuorum()).toBe(true);
  });

  it("a worker join killed in kubelet-start (bootstrap-kubelet.conf and the CA written, no kubelet.conf): the next run resets and joins without a failed attempt", async () => {
    expectOk(await runStep(plan, `${W1.name}-token`, cp1));
    w1.killAt("join/kubelet-start");
    const killed = await runStep(plan, `${W1.name}-join`, w1);
    expectKilled(killed);
    expect(w1.exists("/etc/kubernetes/bootstrap-kubelet.conf")).toBe(true);

    w1.clearCalls();
    const again = expectOk(await runStep(plan, `${W1.name}-join`, w1));
    expect(kubeadmCalls(w1)).toEqual(["kubeadm reset", "kubeadm join"]);
    expect(w1.sleeps()).toEqual([]);
    expect(again.output).not.toContain("attempt 1/3 failed");
    expect(cluster.nodes()).toContain(W1.name);
  });

  it("a finished join is not reset again: the marker is gone, the next run does nothing", async () => {
    cp2.clearCalls();
    const r = expectOk(await runStep(plan, `${CP2.name}-join`, cp2));
    expect(changedLines(r)).toEqual([]);
    expect(cp2.calls("kubeadm")).toEqual([]);
  });

  it("a control plane's removal killed after its drain, and again after its etcd member went: each next delete goes on, the Node last", async () => {
    expectOk(await runStep(plan, `${CP2.name}-membership`, cp1));
    const etcdctl = "etcdctl --endpoints=https://127.0.0.1:2379 --cacert=/etc/kubernetes/pki/etcd/ca.crt --cert=/etc/kubernetes/pki/etcd/healthcheck-client.crt --key=/etc/kubernetes/pki/etcd/healthcheck-client.key";
    // Between the drain and the member's removal: the member and the Node are both still there.
    cp1.killAt(`${etcdctl} member remove`);
    expectKilled(await runStep(plan, `${CP2.name}-membership`, cp1, "delete"));
    expect(cp1.killedAt().at(-1)).toBe(`${etcdctl} member remove`);
    expect(cluster.nodes()).toContain(CP2.name);
    expect(cluster.etcdMembers()).toContain(CP2.name);
    // Between the member's removal and the Node's deletion: the Node stays registered, so the
    // acceptance checks count no stale member (scripts/acceptance.sh check_etcd).
    cp1.killAt(`kubectl --kubeconfig /etc/kubernetes/admin.conf --server https://${CP1.address}:6443 --request-timeout=20s delete node ${CP2.name}`);
    const killed = await runStep(plan, `${CP2.name}-membership`, cp1, "delete");
    expectKilled(killed);
    expect(killed.output).toMatch(new RegExp(`changed: removed the etcd member ${CP2.name} `));
    expect(cluster.nodes()).toContain(CP2.name);
    expect(cluster.etcdMembers()).toEqual([CP1.name]);

    const again = expectOk(await runStep(plan, `${CP2.name}-membership`, cp1, "delete"));
    expect(again.output).toContain(`${CP2.name} is no etcd member`);
    expect(changedLines(again)).toContain(`changed: deleted Node ${CP2.name}`);
    expect(cluster.nodes()).not.toContain(CP2.name);
    expectOk(await runStep(plan, `${CP2.name}-join`, cp2, "delete"));
    expect(cp2.exists("/etc/kubernetes/manifests/etcd.yaml")).toBe(false);
  });
});
