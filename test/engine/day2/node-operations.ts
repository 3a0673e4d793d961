// The journey's node operations (cluster.nodeOperations, components/node-operations/): a file
// written and patched once, a label and a taint visible through the API, a failing operation
// stopping the run and, with continueOnError, not; seed 002's NodeLocal DNSCache wiring changing
// the clusterDNS the kubelets run with, one node at a time; and the operations' undoing.
import { expect } from "vitest";
import { RUNS_COMMAND as RUNS, resourceName } from "../event-log";
import type { JourneyContext, JourneyPhase } from "./context";
import { expectOneAtATime } from "./step-order";
import { sleep } from "../../tools/process";

const DIR = "/etc/onprem-k8s-journey";
const LABEL = "example.com/journey";

const fileOperation = { name: "journey-file", type: "file", path: `${DIR}/site.conf`, content: "# written by cluster.nodeOperations\nmax_connections = 100\n", mode: "0640", owner: "root:root" };
const patchOperation = { name: "journey-patch", type: "patch", path: `${DIR}/site.conf`, match: "^(max_connections = )[0-9]+$", replace: "\\1200" };

/** The clusterDNS a node's kubelet runs with, as the kubelet itself reports it (configz, through the API). */
async function runningClusterDns(ctx: JourneyContext, node: string): Promise<string[]> {
  // A kubelet just restarted, or whose serving certificate is still being approved
  // (serving-approver.ts), does not answer at once.
  let r = await ctx.first().kubectl(`get --raw /api/v1/nodes/${node}/proxy/configz`);
  for (let attempt = 0; attempt < 30 && r.status !== 0; attempt++) {
    await sleep(2000);
    r = await ctx.first().kubectl(`get --raw /api/v1/nodes/${node}/proxy/configz`);
  }
  expect(r.status, r.output).toBe(0);
  return (JSON.parse(r.stdout) as { kubeletconfig: { clusterDNS?: string[] } }).kubeletconfig.clusterDNS ?? [];
}

/** The clusterDNS in a node's kubelet configuration file. */
async function clusterDnsInFile(ctx: JourneyContext, node: string): Promise<string> {
  const r = await ctx.hosts.node(node).exec("grep -A1 '^clusterDNS:' /var/lib/kubelet/config.yaml | tail -n 1", { check: true });
  return r.stdout.trim();
}

/** A step's stdout as the state keeps it. */
async function stepStdout(ctx: JourneyContext, name: string): Promise<string> {
  const state = JSON.parse(await ctx.stack.exportState()) as { deployment: { resources?: { urn: string; outputs?: { stdout?: string } }[] } };
  const found = (state.deployment.resources ?? []).find((r) => resourceName(r.urn) === name);
  expect(found, `${name} is in the state`).toBeDefined();
  return found!.outputs?.stdout ?? "";
}

async function waitAllReady(ctx: JourneyContext): Promise<void> {
  await ctx.first().waitNodesReady([...ctx.controlPlanes, ...ctx.workers], 180);
}

export const nodeOperationPhases: JourneyPhase[] = [
  {
    name: "node operations: a file written, a patch applied once, a label and a taint through the API",
    minutes: 20,
    async run(ctx) {
      const { editDescription, upWithEvents, hosts, stack, first, controlPlanes, workers, report } = ctx;
      const nodes = [...controlPlanes, ...workers];
      const worker = workers[0]!;
      editDescription((cluster) => {
        cluster.nodeOperations = [
          fileOperation,
          patchOperation,
          { name: "journey-label", type: "labels", labels: { [LABEL]: "day2" }, targets: { roles: ["worker"] } },
          // PreferNoSchedule: the workload's Pods stay where they are
          { name: "journey-taint", type: "taints", taints: [{ key: LABEL, value: "day2", effect: "PreferNoSchedule" }], targets: { names: [worker] } },
        ];
      });
      const started = Date.now();
      const up = await upWithEvents();
      report(`node operations: file, patch, label and taint on ${nodes.length} nodes in ${Math.round((Date.now() - started) / 1000)} s`);
      const ran = up.steps.filter((w) => RUNS.has(w.op)).map((w) => resourceName(w.urn));
      for (const node of nodes) expect(ran, up.output.slice(-3000)).toEqual(expect.arrayContaining([`${node}-op-journey-file`, `${node}-op-journey-patch`]));
      for (const node of nodes) {
        const host = hosts.node(node);
        expect((await host.exec(`cat ${DIR}/site.conf`, { check: true })).stdout, node).toBe("# written by cluster.nodeOperations\nmax_connections = 200\n");
        expect((await host.exec(`stat -c '%a %U:%G' ${DIR}/site.conf`, { check: true })).stdout.trim(), node).toBe("640 root:root");
      }
      const labels = await first().kubectl(`get nodes -l ${LABEL}=day2 -o jsonpath='{.items[*].metadata.name}'`);
      expect(labels.stdout.trim().split(/\s+/).sort()).toEqual([...workers].sort());
      const taints = await first().kubectl(`get node ${worker} -o jsonpath='{range .spec.taints[*]}{.key}={.value}:{.effect}{"\\n"}{end}'`);
      expect(taints.stdout.split("\n")).toContain(`${LABEL}=day2:PreferNoSchedule`);
      // Applied once: nothing left to change, and the patch's own check on the node finds nothing to do.
      await stack.ok(["preview", "--expect-no-changes"]);
      expect(await stepStdout(ctx, `${worker}-op-journey-patch`)).toMatch(/^changed: \/etc\/onprem-k8s-journey\/site.conf patched$/m);
    },
  },
  {
    name: "node operations: a failing operation stops the run; with continueOnError it does not",
    minutes: 20,
    async run(ctx) {
      const { editDescription, upWithEvents, hosts, stack, controlPlanes } = ctx;
      const node = controlPlanes[0]!;
      const failing = { name: "journey-fails", type: "command", command: "echo about to fail; exit 3", targets: { names: [node] } };
      const after = { name: "journey-after", type: "file", path: `${DIR}/after.conf`, content: "after\n", targets: { names: [node] } };
      editDescription((cluster) => cluster.nodeOperations.push(failing, after));
      const stopped = await stack.run(["up", "--yes"]);
      expect(stopped.status, stopped.output.slice(-3000)).not.toBe(0);
      expect(stopped.output).toMatch(/journey-fails/);
      expect(stopped.output).toMatch(/the command failed \(exit 3\)/);
      expect((await hosts.node(node).exec(`test -e ${DIR}/after.conf`)).status, "the operation after the failed one did not run").not.toBe(0);

      editDescription((cluster) => {
        const op = cluster.nodeOperations.find((o: { name: string }) => o.name === failing.name);
        op.continueOnError = true;
        op.retries = { attempts: 2, backoffSeconds: 1 };
      });
      await upWithEvents();
      expect(await stepStdout(ctx, `${node}-op-journey-fails`)).toMatch(/^failed, continuing: journey-fails failed after 2 attempt\(s\)/m);
      expect((await hosts.node(node).exec(`cat ${DIR}/after.conf`, { check: true })).stdout).toBe("after\n");
      await stack.ok(["preview", "--expect-no-changes"]);
    },
  },
  {
    name: "node operations: the NodeLocal DNSCache wiring changes the kubelets' clusterDNS, one node at a time",
    minutes: 25,
    async run(ctx) {
      const { editDescription, upWithEvents, stack, controlPlanes, workers, report } = ctx;
      const nodes = [...controlPlanes, ...workers];
      const before = await clusterDnsInFile(ctx, nodes[0]!);
      const kubeDns = before.replace(/^- /, "");
      expect(kubeDns, "kubeadm wrote the kube-dns address").toMatch(/^\d+\.\d+\.\d+\.\d+$/);
      for (const node of nodes) expect(await runningClusterDns(ctx, node), node).toEqual([kubeDns]);

      editDescription((cluster) => cluster.nodeOperations.push({ name: "journey-dns", type: "nodelocaldns-kubelets", address: "169.254.20.10" }));
      const started = Date.now();
      const wired = await upWithEvents();
      report(`node operations: NodeLocal DNSCache wiring, ${nodes.length} kubelets one at a time in ${Math.round((Date.now() - started) / 1000)} s`);
      expectOneAtATime(wired.steps.filter((w) => RUNS.has(w.op)), nodes, (node) => new RegExp(`^${node}-op-journey-dns-cluster-dns$`));
      for (const node of nodes) {
        expect(await clusterDnsInFile(ctx, node), node).toBe("- 169.254.20.10");
        expect(await runningClusterDns(ctx, node), `${node}: the restarted kubelet runs with it`).toEqual(["169.254.20.10"]);
      }
      await waitAllReady(ctx);
      await stack.ok(["preview", "--expect-no-changes"]);

      // No cache runs in the lab: the same flow points the kubelets back at kube-dns.
      editDescription((cluster) => (cluster.nodeOperations.find((o: { name: string }) => o.name === "journey-dns").address = kubeDns));
      await upWithEvents();
      for (const node of nodes) expect(await runningClusterDns(ctx, node), node).toEqual([kubeDns]);
      await waitAllReady(ctx);
    },
  },
  {
    name: "node operations: a label and a taint removed by operations; removed operations leave the nodes alone",
    minutes: 15,
    async run(ctx) {
      const { editDescription, upWithEvents, hosts, stack, first, controlPlanes, workers } = ctx;
      const worker = workers[0]!;
      editDescription((cluster) => {
        cluster.nodeOperations = [
          { name: "journey-unlabel", type: "labels", removeLabels: [LABEL], targets: { roles: ["worker"] } },
          { name: "journey-untaint", type: "taints", removeTaints: [{ key: LABEL }], targets: { names: [worker] } },
        ];
      });
      await upWithEvents();
      expect((await first().kubectl(`get nodes -l ${LABEL} -o name`)).stdout.trim()).toBe("");
      expect((await first().kubectl(`get node ${worker} -o jsonpath='{.spec.taints[*].key}'`)).stdout).not.toContain(LABEL);
      // the dropped operations' steps are gone from the state; what they wrote stays on the nodes
      const left = (await stack.resources()).map((r) => resourceName(r.urn)).filter((name) => /-op-journey-(file|patch|fails|after|dns)/.test(name));
      expect(left).toEqual([]);
      expect((await hosts.node(controlPlanes[0]!).exec(`cat ${DIR}/site.conf`, { check: true })).stdout).toContain("max_connections = 200");
      editDescription((cluster) => (cluster.nodeOperations = []));
      await upWithEvents();
      await stack.ok(["preview", "--expect-no-changes"]);
    },
  },
];
