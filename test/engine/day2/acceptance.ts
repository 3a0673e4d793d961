// The journey's acceptance checks (components/checks): the checks the lab reaches (the API through
// the endpoint and on each apiserver, the nodes, etcd; test/lab/stack-config.ts says why the others
// are skipped here) passed in every `pulumi up` so far and are the stack output `acceptance`. Then
// each is broken on purpose and `pulumi up` must fail with that check's diagnostics and only that
// check's: a kubelet stopped (the node check names the node and why), an apiserver stopped behind
// the endpoint (the direct check names it while the endpoint still answers). Mended, `pulumi up`
// passes again. CoreDNS scaled to zero is shown in the sandbox (components/checks/acceptance.test.ts):
// the lab's CoreDNS never becomes ready.
import { expect } from "vitest";
import { vipHolders } from "../faults/node-faults";
import type { JourneyContext, JourneyPhase } from "./context";

const LAB_CHECKS = ["endpoint-readyz", "apiserver-readyz", "nodes", "etcd"];
/** A failing check retries this long before it fails the update. */
const TIMEOUT_SECONDS = 30;
let edits = 0;

/** A new timeout each time, so the description changes and every check runs again. */
function rerunChecks(ctx: JourneyContext): void {
  edits += 1;
  ctx.editDescription((cluster) => (cluster.checks = { ...(cluster.checks ?? {}), timeoutSeconds: TIMEOUT_SECONDS + edits }));
}

async function report(ctx: JourneyContext): Promise<Record<string, string>> {
  return JSON.parse(await ctx.stack.ok(["stack", "output", "acceptance", "--json"])) as Record<string, string>;
}

async function expectAllPass(ctx: JourneyContext): Promise<void> {
  const checks = await report(ctx);
  // (the output is a map: its keys come back sorted)
  expect(Object.keys(checks).sort()).toEqual([...LAB_CHECKS].sort());
  for (const [check, line] of Object.entries(checks)) expect(line, check).toMatch(new RegExp(`^PASS ${check}: `));
}

/** `pulumi up` with a new check timeout; it must fail on exactly `check`, whose output must match each pattern. */
async function expectOnlyFailing(ctx: JourneyContext, check: string, patterns: RegExp[]): Promise<string> {
  rerunChecks(ctx);
  const r = await ctx.stack.run(["up", "--yes"]);
  expect(r.status, r.output.slice(-4000)).not.toBe(0);
  for (const pattern of patterns) expect(r.output, r.output.slice(-6000)).toMatch(pattern);
  for (const other of LAB_CHECKS.filter((c) => c !== check)) expect(r.output, r.output.slice(-6000)).not.toContain(`FAIL ${other}:`);
  return r.output;
}

const nodeReady = (node: string) => `kubectl --kubeconfig /etc/kubernetes/admin.conf get node ${node} -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}'`;

export const acceptancePhases: JourneyPhase[] = [
  {
    name: "acceptance: the checks the lab reaches passed in pulumi up and are the stack output",
    minutes: 10,
    async run(ctx) {
      await expectAllPass(ctx);
      ctx.report(`acceptance: ${Object.values(await report(ctx)).join("; ")}`);
    },
  },
  {
    name: "acceptance: a kubelet stopped fails the node check, naming the node and its status",
    minutes: 15,
    async run(ctx) {
      const worker = ctx.workers[0]!;
      const node = ctx.hosts.node(worker);
      await node.exec("systemctl stop kubelet", { check: true });
      try {
        // The node controller marks it after its grace period (about 40 s).
        await ctx.first().waitFor(`${worker} not Ready`, `[ "$(${nodeReady(worker)})" != True ]`, 180);
        const output = await expectOnlyFailing(ctx, "nodes", [
          new RegExp(`FAIL nodes: not every node is Ready at v[0-9.]+: ${worker}`),
          new RegExp(`${worker}: Ready=Unknown \\(NodeStatusUnknown: Kubelet stopped posting node status\\.\\)`),
        ]);
        ctx.report(`acceptance: kubelet stopped on ${worker}: ${output.split("\n").find((l) => l.includes("FAIL nodes:"))?.trim()}`);
      } finally {
        await node.exec("systemctl start kubelet", { check: true });
      }
      await ctx.first().waitNodesReady([...ctx.controlPlanes, ...ctx.workers], 180);
      await ctx.stack.ok(["up", "--yes"]);
      await expectAllPass(ctx);
    },
  },
  {
    name: "acceptance: an apiserver stopped behind the endpoint fails the direct check only, naming it",
    minutes: 15,
    async run(ctx) {
      const cp = ctx.controlPlanes[1]!;
      const node = ctx.hosts.node(cp);
      const address = ctx.hosts.hosts.find((h) => h.name === cp)!.address;
      await node.exec("mv /etc/kubernetes/manifests/kube-apiserver.yaml /etc/kubernetes/kube-apiserver.yaml.stopped", { check: true });
      try {
        await node.waitFor(`the apiserver on ${cp} stopped`, `! curl --silent --insecure --max-time 3 https://${address}:6443/readyz`, 120);
        const answering = ctx.controlPlanes.filter((c) => c !== cp).join(" ");
        const output = await expectOnlyFailing(ctx, "apiserver-readyz", [new RegExp(`FAIL apiserver-readyz: the apiserver on ${cp} does not answer \\(answering: ${answering}\\)`), new RegExp(`${cp} \\(https://${address.replace(/\./g, "\\.")}:6443/readyz\\): `)]);
        ctx.report(`acceptance: apiserver stopped on ${cp}: ${output.split("\n").find((l) => l.includes("FAIL apiserver-readyz:"))?.trim()}`);
      } finally {
        await node.exec("mv /etc/kubernetes/kube-apiserver.yaml.stopped /etc/kubernetes/manifests/kube-apiserver.yaml", { check: true });
      }
      await node.waitFor(`the apiserver on ${cp} answering again`, `curl --silent --insecure --max-time 3 https://${address}:6443/readyz | grep -qx ok`, 180);
      await ctx.stack.ok(["up", "--yes"]);
      await expectAllPass(ctx);
    },
  },
  {
    name: "acceptance: on demand, pulumi up fails the VIP over (keepalived stopped on its holder, the API answers through the endpoint) and starts keepalived again",
    minutes: 15,
    async run(ctx) {
      const before = await vipHolders(ctx.hosts, ctx.controlPlanes);
      expect(before, "one control plane holds the VIP").toHaveLength(1);
      ctx.editDescription((cluster) => (cluster.checks = { ...(cluster.checks ?? {}), vipFailover: true }));
      await ctx.stack.ok(["up", "--yes"]);
      const line = (await report(ctx))["vip-failover"] ?? "";
      ctx.report(`acceptance: ${line}`);
      expect(line).toMatch(new RegExp(`PASS vip-failover: keepalived stopped on ${before[0]}, the VIP ${ctx.hosts.vip.replaceAll(".", "\\.")} moved away and the API answered through https://[0-9.]+:\\d+ after \\d+s; keepalived started again`));
      for (const cp of ctx.controlPlanes) {
        const active = await ctx.hosts.node(cp).exec("systemctl is-active keepalived");
        expect(active.stdout.trim(), `${cp}: keepalived after the failover`).toBe("active");
      }
      expect(await vipHolders(ctx.hosts, ctx.controlPlanes)).toHaveLength(1);
      // Off again: its steps leave the state (they have no delete command), the other checks stay.
      ctx.editDescription((cluster) => (cluster.checks = { ...(cluster.checks ?? {}), vipFailover: false }));
      await ctx.stack.ok(["up", "--yes"]);
      await expectAllPass(ctx);
    },
  },
];
