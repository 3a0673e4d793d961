// The journey's growth (docs/growth.md): the cluster of three control planes and one worker grows
// to five control planes and two workers, then shrinks back, each change one edit of the stack file
// and one `pulumi up` on the running cluster. Throughout: every node Ready, etcd's members follow
// the description, every control plane's haproxy lists exactly the control planes there are, the
// added control planes run exactly the flags of the others, the workload's Pods are the same Pods
// (same UIDs) and answer, and `preview --expect-no-changes` afterwards. Five, not four: the
// description refuses an even number of control planes (etcd quorum), so control planes grow by two.
//
// The lab must have the spare hosts running from the start, unlisted in the stack: the journey's
// beforeAll starts SshHosts with SPARE_CONTROL_PLANES and SPARE_WORKERS too, and renders the stack
// without them (withoutSpareHosts).
import { expect } from "vitest";
import { longestOutage } from "../../cluster/availability";
import { etcdHealth } from "../../cluster/day2-checks";
import type { LabNode } from "../../cluster/node";
import { resourceName } from "../event-log";
import type { JourneyContext, JourneyPhase } from "./context";
import { API_OUTAGE_LIMIT_MS } from "./step-order";

/** Hosts the lab starts but the stack does not list until the growth phase. */
export const SPARE_CONTROL_PLANES = ["k8s-master-4", "k8s-master-5"];
export const SPARE_WORKERS = ["k8s-node2"];
const SPARES = [...SPARE_CONTROL_PLANES, ...SPARE_WORKERS];
const WORKLOAD_OUTAGE_LIMIT_MS = 5_000;

/** The stack's description without the spare hosts (the journey's beforeAll edit, after its own). */
export function withoutSpareHosts(cluster: any): void {
  const keep = (group: { names: string[]; addresses: string[] }) => {
    const kept = group.names.map((name, i) => [name, group.addresses[i]!] as const).filter(([name]) => !SPARES.includes(name));
    group.names = kept.map(([name]) => name);
    group.addresses = kept.map(([, address]) => address);
  };
  keep(cluster.controlPlane);
  for (const pool of cluster.workerPools ?? []) keep(pool);
}

/** The workload's Pods: name -> "uid on node". */
async function workloadPods(first: LabNode): Promise<Record<string, string>> {
  const r = await first.kubectl(`-n default get pods -l app=hello-http -o jsonpath='{range .items[*]}{.metadata.name}={.metadata.uid} on {.spec.nodeName}{"\\n"}{end}'`);
  if (r.status !== 0) throw new Error(`kubectl get pods: ${r.output}`);
  return Object.fromEntries(r.stdout.split("\n").filter(Boolean).map((line) => line.split("=") as [string, string]));
}

/** Node names the API lists. */
async function nodeNames(first: LabNode): Promise<string[]> {
  const r = await first.kubectl(`get nodes -o jsonpath='{range .items[*]}{.metadata.name}{"\\n"}{end}'`);
  if (r.status !== 0) throw new Error(`kubectl get nodes: ${r.output}`);
  return r.stdout.split("\n").filter(Boolean).sort();
}

/** The `server` lines of a control plane's haproxy.cfg: the apiservers it sends the API to. */
async function haproxyBackends(node: LabNode): Promise<string[]> {
  const r = await node.exec("grep -E '^\\s+server ' /etc/haproxy/haproxy.cfg", { check: true });
  return r.stdout.split("\n").filter(Boolean).map((line) => line.trim().split(/\s+/)[1]!).sort();
}

/** The kube-apiserver flags of a control plane's static Pod, with its own address written as ADDRESS. */
async function apiserverFlags(node: LabNode): Promise<string[]> {
  const r = await node.exec("grep -E '^\\s+- --' /etc/kubernetes/manifests/kube-apiserver.yaml", { check: true });
  return r.stdout
    .split("\n")
    .filter(Boolean)
    .map((line) => line.trim().replace(/^- /, "").replaceAll(node.address, "ADDRESS"))
    .sort();
}

/** The nodes the description lists, in its order, after `edit`. */
function described(ctx: JourneyContext, extraControlPlanes: string[], extraWorkers: string[]) {
  return { controlPlanes: [...ctx.controlPlanes, ...extraControlPlanes], workers: [...ctx.workers, ...extraWorkers] };
}

/** Lists the hosts of `names` in the stack's control planes or its (first) worker pool, in the lab's order. */
export function listHosts(hosts: { name: string; address: string }[], cluster: any, controlPlanes: string[], workers: string[]): void {
  const address = (name: string) => hosts.find((h) => h.name === name)!.address;
  cluster.controlPlane.names = controlPlanes;
  cluster.controlPlane.addresses = controlPlanes.map(address);
  cluster.workerPools[0].names = workers;
  cluster.workerPools[0].addresses = workers.map(address);
}

/** What every control plane and the cluster must show once the description lists `controlPlanes` and `workers`. */
async function expectClusterOf(ctx: JourneyContext, controlPlanes: string[], workers: string[]): Promise<void> {
  const first = ctx.first();
  await first.waitNodesReady([...controlPlanes, ...workers], 300);
  expect(await nodeNames(first)).toEqual([...controlPlanes, ...workers].sort());
  expect(await first.etcdMembers()).toEqual([...controlPlanes].sort());
  const health = await etcdHealth(first);
  expect(Object.keys(health), JSON.stringify(health)).toHaveLength(controlPlanes.length);
  expect(Object.values(health).every(Boolean), JSON.stringify(health)).toBe(true);
  const flags = await apiserverFlags(first);
  for (const name of controlPlanes) {
    const node = ctx.hosts.node(name);
    expect(await haproxyBackends(node), `${name}: haproxy's backends`).toEqual([...controlPlanes].sort());
    expect(await apiserverFlags(node), `${name}: kube-apiserver's flags are the first control plane's`).toEqual(flags);
  }
}

/** The resources `pulumi up` deleted, in the order its progress lines finished them. */
function deletedInOrder(output: string): string[] {
  return output
    .split("\n")
    .flatMap((line) => /^\s*\S+\s+[\w:/.-]+\s+(\S+)\s+deleted\b/.exec(line)?.slice(1, 2) ?? []);
}

let podsBefore: Record<string, string> = {};

export const growthPhases: JourneyPhase[] = [
  {
    name: "growth: two control planes and a worker added in one pulumi up (3 -> 5 control planes, 1 -> 2 workers)",
    minutes: 40,
    async run(ctx) {
      const first = ctx.first();
      podsBefore = await workloadPods(first);
      expect(Object.keys(podsBefore)).toHaveLength(2);
      const { controlPlanes, workers } = described(ctx, SPARE_CONTROL_PLANES, SPARE_WORKERS);
      ctx.editDescription((cluster) => listHosts(ctx.hosts.hosts, cluster, controlPlanes, workers));
      const started = Date.now();
      const grown = await ctx.upWithEvents();
      const ended = Date.now();
      ctx.report(`growth 3 -> 5 control planes, 1 -> 2 workers: pulumi up took ${Math.round((ended - started) / 1000)} s`);
      // Nothing ran kubeadm again on a node that was there: no init or join step of theirs ran.
      // (Whole names: k8s-master-4-join starts with "k8s-master-" too.)
      const kubeadmStepOf = (node: string) => new RegExp(`^${node}-(init|join|pki)$`);
      const rerun = grown.steps.filter((w) => [...ctx.controlPlanes, ...ctx.workers].some((n) => kubeadmStepOf(n).test(resourceName(w.urn))));
      expect(rerun.map((w) => `${w.op} ${resourceName(w.urn)}`)).toEqual([]);
      await expectClusterOf(ctx, controlPlanes, workers);
      expect(await workloadPods(first), "the workload's Pods are the same Pods").toEqual(podsBefore);
      const api = longestOutage(ctx.probe().samples(), "api", started, ended);
      const workload = longestOutage(ctx.probe().samples(), "workload", started, ended);
      ctx.report(`growth: longest time the API went unanswered through the endpoint ${api.ms} ms${api.detail ? ` (${api.detail})` : ""}; the workload ${workload.ms} ms`);
      expect(api.ms, `the API through the endpoint: ${api.detail}`).toBeLessThan(API_OUTAGE_LIMIT_MS);
      expect(workload.ms, `the workload: ${workload.detail}`).toBeLessThan(WORKLOAD_OUTAGE_LIMIT_MS);
      await ctx.stack.ok(["preview", "--expect-no-changes"]);
    },
  },
  {
    name: "shrink: back to 3 control planes and 1 worker in one pulumi up, the last control plane first",
    minutes: 30,
    async run(ctx) {
      const first = ctx.first();
      ctx.editDescription((cluster) => listHosts(ctx.hosts.hosts, cluster, ctx.controlPlanes, ctx.workers));
      const started = Date.now();
      const shrunk = await ctx.upWithEvents();
      const ended = Date.now();
      ctx.report(`shrink 5 -> 3 control planes, 2 -> 1 workers: pulumi up took ${Math.round((ended - started) / 1000)} s`);
      // The etcd members left one at a time, the last control plane first.
      const memberships = deletedInOrder(shrunk.output).filter((name) => /-membership$/.test(name));
      expect(memberships.filter((name) => SPARE_CONTROL_PLANES.some((n) => name === `${n}-membership`)), shrunk.output.slice(-3000)).toEqual(
        [...SPARE_CONTROL_PLANES].reverse().map((n) => `${n}-membership`),
      );
      await expectClusterOf(ctx, ctx.controlPlanes, ctx.workers);
      for (const name of SPARES) {
        const node = ctx.hosts.node(name);
        expect((await node.exec("systemctl is-active kubelet")).stdout.trim(), `${name}: kubelet`).not.toBe("active");
        expect((await node.exec("test -e /etc/kubernetes/kubelet.conf")).status, `${name}: reset`).not.toBe(0);
      }
      for (const name of SPARE_CONTROL_PLANES) {
        expect((await ctx.hosts.node(name).exec("systemctl is-active keepalived")).stdout.trim(), `${name}: keepalived stopped (the VIP stays with the control planes)`).not.toBe("active");
      }
      expect(await workloadPods(first), "the workload's Pods are the same Pods").toEqual(podsBefore);
      const api = longestOutage(ctx.probe().samples(), "api", started, ended);
      const workload = longestOutage(ctx.probe().samples(), "workload", started, ended);
      ctx.report(`shrink: longest time the API went unanswered through the endpoint ${api.ms} ms${api.detail ? ` (${api.detail})` : ""}; the workload ${workload.ms} ms`);
      expect(api.ms, `the API through the endpoint: ${api.detail}`).toBeLessThan(API_OUTAGE_LIMIT_MS);
      expect(workload.ms, `the workload: ${workload.detail}`).toBeLessThan(WORKLOAD_OUTAGE_LIMIT_MS);
      await ctx.stack.ok(["preview", "--expect-no-changes"]);
    },
  },
];
