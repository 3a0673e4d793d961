// The journey's rolling upgrade (components/kubeadm/upgrade.ts) from the version the cluster was
// brought up at to the next: `pulumi preview` lists the upgrade steps in order; `pulumi up` (in the
// full journey killed once the first control plane is done, recovered as docs/recovery.md says and
// run again) upgrades the control planes one at a time and then the worker while the API answers
// through the endpoint and the workload keeps serving; afterwards a downgrade and a skipped minor
// are refused with nothing changed.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { ChildProcess } from "node:child_process";
import { expect } from "vitest";
import { longestOutage } from "../../cluster/availability";
import { apiserverVersion, etcdHealth, kubeletVersions, staticPodImages } from "../../cluster/day2-checks";
import { RUNS_COMMAND as RUNS, resourceName, stepWindowsFromOutput, waitForFinishedStep, type StepWindow } from "../event-log";
import { recoverStack } from "../faults/fault-lab";
import { killTree } from "../kill-tree";
import type { JourneyContext, JourneyPhase } from "./context";
import { expectPackagesHeld } from "./node-packages";
import { API_OUTAGE_LIMIT_MS, expectOneAtATime } from "./step-order";

const MINUTE = 60_000;
const DEPLOY_LIMIT_MS = 25 * MINUTE;
/** The workload has two replicas on two nodes and a PodDisruptionBudget: it may not go away at all. */
const WORKLOAD_OUTAGE_LIMIT_MS = 5_000;
/** The upgrade step of one node (components/kubeadm/upgrade.ts; a worker's drain and uncordon steps are around it). */
const upgradeStep = (node: string) => new RegExp(`^${node}-upgrade$`);

export interface UpgradeOptions {
  from: string;
  to: string;
  /** Kill the first `pulumi up` once the first control plane is upgraded, recover, run again (the full journey). */
  interrupted: boolean;
}

/** What docs/recovery.md says to run after a `pulumi up` that was killed: `npm run recover -- <stack>`. */
export async function recoverInterruptedUpdate({ hosts, workspace, stack }: JourneyContext): Promise<void> {
  const recovered = await recoverStack(hosts, workspace, stack);
  expect(recovered.status, `npm run recover:\n${recovered.output.slice(-3000)}`).toBe(0);
}

/** `pulumi up` killed (the CLI and its plugins) once the first control plane's upgrade step finished, recovered, run again. */
async function killedAndResumed(ctx: JourneyContext, to: string, started: number): Promise<StepWindow[]> {
  const { workspace, stack, controlPlanes } = ctx;
  let cli: ChildProcess | undefined;
  let running = true;
  let progress = "";
  const run = workspace
    .pulumi(["up", "--yes", "-s", stack.name], {
      timeoutMs: DEPLOY_LIMIT_MS,
      onSpawn: (child) => {
        cli = child;
        child.stdout?.on("data", (chunk: Buffer) => (progress += chunk.toString("utf8")));
      },
    })
    .finally(() => (running = false));
  let firstDone: StepWindow;
  try {
    firstDone = await waitForFinishedStep(() => stepWindowsFromOutput(progress), upgradeStep(controlPlanes[0]!), () => running, DEPLOY_LIMIT_MS);
  } catch (err) {
    // The engine's Diagnostics section names the failed step and carries its script's output.
    const output = (await run).output;
    const kept = path.join(os.tmpdir(), "day2-journey-upgrade-run-1.log");
    fs.writeFileSync(kept, output);
    console.log(`[day-2 journey] the whole output of the failed run: ${kept}`);
    const diagnostics = output.lastIndexOf("Diagnostics:");
    throw new Error(`${(err as Error).message}\n${diagnostics >= 0 ? output.slice(diagnostics, diagnostics + 8000) : output.slice(-4000)}`);
  }
  killTree(cli!.pid!);
  const killed = await run;
  // What the CLI had shown when it was killed: the evidence for where the kill landed.
  console.log(`[day-2 journey] the killed run's progress, last lines:\n${progress.split("\n").slice(-30).join("\n")}`);
  expect(killed.status, `pulumi up was killed after ${resourceName(firstDone.urn)}, not finished:\n${killed.output.slice(-3000)}`).toBe(-1);
  ctx.report(`upgrade run 1 killed ${Math.round((Date.now() - started) / 1000)} s after it started, once ${resourceName(firstDone.urn)} finished`);
  // The first control plane is at the new version; the others are not (the kill came before them).
  expect(await apiserverVersion(ctx.first())).toBe(`v${to}`);

  await recoverInterruptedUpdate(ctx);
  const resumed = await ctx.upWithEvents();
  // The first control plane is not upgraded again; the others' follow. Its step may run again (the
  // minor upgrade's resumed run replaced it once, 10 s of a kill after it had finished), but then
  // it finds the node at the target and changes nothing.
  const first = controlPlanes[0]!;
  const isFirst = (w: (typeof resumed.steps)[number]) => upgradeStep(first).test(resourceName(w.urn));
  const ran = resumed.steps.filter((w) => RUNS.has(w.op));
  if (ran.some(isFirst)) {
    const summary = resumed.output.split("\n").find((line) => line.includes(` ${first}-upgrade `) && line.includes("summary: "));
    expect(summary, `${first}-upgrade ran again in the resumed run`).toMatch(/summary: upgrade [a-z-]+: 0 change\(s\)/);
    ctx.report(`upgrade: the resumed run ran ${first}-upgrade again, which changed nothing`);
  }
  return ran.filter((w) => !isFirst(w));
}

export function upgradePhases({ from, to, interrupted }: UpgradeOptions): JourneyPhase[] {
  let upgradeStarted = 0;
  return [
    {
      name: `upgrade to ${to}: preview lists the rolling steps in order`,
      minutes: 10,
      async run({ stack, controlPlanes, workers, editDescription }) {
        const nodes = [...controlPlanes, ...workers];
        editDescription((cluster) => (cluster.kubernetes.version = to));
        const preview = await stack.preview();
        const nodeOf = (urn: string) => nodes.find((node) => upgradeStep(node).test(resourceName(urn)));
        const listing = preview.steps.filter((s) => s.op !== "same").map((s) => `${s.op} ${resourceName(s.urn)}`).join("\n");
        // A replacement may be listed as several steps of one resource: each resource once, where it first appears.
        const upgraded = [...new Set(preview.steps.filter((s) => s.op !== "same" && !s.op.startsWith("delete") && nodeOf(s.urn)).map((s) => nodeOf(s.urn)))];
        expect(upgraded, listing).toEqual(nodes);
        // The old behaviour, gone: no node's packages step replaced, every node at once.
        expect(preview.steps.filter((s) => s.op !== "same" && /-kubernetes-packages$/.test(resourceName(s.urn))).map((s) => resourceName(s.urn)), listing).toEqual([]);
        console.log(`[day-2 journey] pulumi preview of the upgrade:\n${listing}`);
      },
    },
    {
      name: interrupted ? `upgrade to ${to}: killed after the first control plane, recovered, run again` : `upgrade to ${to}: pulumi up`,
      minutes: 45,
      async run(ctx) {
        upgradeStarted = Date.now();
        const nodes = [...ctx.controlPlanes, ...ctx.workers];
        if (interrupted) {
          expectOneAtATime(await killedAndResumed(ctx, to, upgradeStarted), nodes.slice(1), upgradeStep);
        } else {
          const { steps } = await ctx.upWithEvents();
          expectOneAtATime(steps.filter((w) => RUNS.has(w.op)), nodes, upgradeStep);
        }
        ctx.report(`upgrade ${interrupted ? "(both runs and the recovery) " : ""}took ${Math.round((Date.now() - upgradeStarted) / 1000)} s`);
      },
    },
    {
      name: `after the upgrade: every kubelet, package and static Pod at ${to}, etcd healthy, API and workload answered throughout`,
      minutes: 10,
      async run({ hosts, stack, controlPlanes, workers, first, probe, report }) {
        const upgradeEnded = Date.now();
        const nodes = [...controlPlanes, ...workers];
        await first().waitNodesReady(nodes, 180);
        expect(await kubeletVersions(first())).toEqual(Object.fromEntries(nodes.map((node) => [node, `v${to}`])));
        for (const node of nodes) await expectPackagesHeld(hosts.node(node), node, to);
        const images = await staticPodImages(first());
        expect(Object.keys(images).sort()).toEqual(["kube-apiserver", "kube-controller-manager", "kube-scheduler"].flatMap((c) => controlPlanes.map((n) => `${c}/${n}`)).sort());
        for (const [pod, image] of Object.entries(images)) expect(image, pod).toMatch(new RegExp(`:v${to.replaceAll(".", "\\.")}$`));
        for (const node of controlPlanes) expect(await apiserverVersion(hosts.node(node)), node).toBe(`v${to}`);
        const health = await etcdHealth(first());
        expect(Object.keys(health)).toHaveLength(controlPlanes.length);
        expect(Object.values(health).every(Boolean), JSON.stringify(health)).toBe(true);
        expect(await first().etcdMembers()).toEqual([...controlPlanes].sort());

        const samples = probe().samples();
        const api = longestOutage(samples, "api", upgradeStarted, upgradeEnded);
        const workload = longestOutage(samples, "workload", upgradeStarted, upgradeEnded);
        report(`upgrade: longest time the API went unanswered through the endpoint ${api.ms} ms${api.detail ? ` (${api.detail})` : ""}; the workload ${workload.ms} ms`);
        expect(api.ms, `the API through the endpoint: ${api.detail}`).toBeLessThan(API_OUTAGE_LIMIT_MS);
        expect(workload.ms, `the workload: ${workload.detail}`).toBeLessThan(WORKLOAD_OUTAGE_LIMIT_MS);
        await stack.ok(["preview", "--expect-no-changes"]);
      },
    },
    ...(
      [
        ["a downgrade", from],
        ["a skipped minor", "1.36.0"],
      ] as const
    ).map(
      ([what, version]): JourneyPhase => ({
        name: `refusal: ${what} (${version}) changes nothing`,
        minutes: 10,
        async run({ stack, editDescription }) {
          const before = JSON.stringify(await stack.resources());
          editDescription((cluster) => (cluster.kubernetes.version = version));
          try {
            const refused = await stack.run(["up", "--yes"]);
            expect(refused.status, refused.output.slice(-3000)).not.toBe(0);
            expect(refused.output).toContain("cluster.kubernetes.version");
            expect(refused.output).toContain(version);
            expect(JSON.stringify(await stack.resources())).toBe(before);
          } finally {
            editDescription((cluster) => (cluster.kubernetes.version = to));
          }
        },
      }),
    ),
  ];
}
