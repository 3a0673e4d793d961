// The journey's bring-up is the default suite's fault sample (issue 24, docs/recovery.md): the
// deployment is killed (SIGKILL of the CLI as a tree) 5 s into init, killed again as the worker's
// join starts (the second control plane's join runs beside it, so it is cut too), recovered
// with `npm run recover` after each kill, and its last run has the VIP holder's keepalived stopped
// when the third control plane's join starts. Then the cluster must be the one an uninterrupted run
// leaves (faults/convergence.ts). One deployment instead of one per fault: the CI budget; the full
// sweep from clean hosts is `npm run faults`.
import { expect } from "vitest";
import { failureSummary } from "../workspace";
import { killTree } from "../kill-tree";
import { RUNS_COMMAND, resourceName, stepWindowsFromOutput } from "../event-log";
import { convergenceProblems, type ClusterShape } from "../faults/convergence";
import { startUp, stepStarted } from "../faults/fault-lab";
import type { KillPoint } from "../faults/kill-points";
import { inject } from "../faults/node-faults";
import type { FaultRow } from "../faults/table";
import { sleep } from "../../tools/process";
import type { JourneyContext } from "./context";
import { recoverInterruptedUpdate } from "./upgrade";

const MINUTE = 60_000;

/**
 * Fixed points inside each step as measured on the lab, so the sample needs no reference run: init
 * took under 20 s on the idle machine (and about a minute under the suite's load), a worker's join
 * can finish within 5 s. The table says which commands each kill cut.
 */
export function bringUpKills(controlPlanes: string[], workers: string[]): KillPoint[] {
  return [
    { step: `${controlPlanes[0]}-init`, moment: "mid-way", delayMs: 5_000 },
    { step: `${workers[0]}-join`, moment: "start", delayMs: 0 },
  ];
}

/** The bring-up with the faults above; the rows of the fault table it ran, every one converged. */
export async function faultedBringUp(ctx: JourneyContext, shape: ClusterShape): Promise<FaultRow[]> {
  const { hosts, workspace, stack, controlPlanes, workers } = ctx;
  const rows: FaultRow[] = [];

  for (const kill of bringUpKills(controlPlanes, workers)) {
    const started = Date.now();
    const run = startUp(workspace, stack);
    if (!(await stepStarted(run, kill.step))) {
      const ended = await run.done;
      throw new Error(`the run ended (exit ${ended.status}) before ${kill.step} started:\n${failureSummary(ended.output)}`);
    }
    await sleep(kill.delayMs);
    const cut = stepWindowsFromOutput(run.clock.output)
      .filter((w) => RUNS_COMMAND.has(w.op) && w.finished === undefined && w.urn.startsWith("command:remote:Command::"))
      .map((w) => resourceName(w.urn));
    killTree(run.pid());
    await run.done;
    expect(cut, `the kill landed while ${kill.step} ran`).toContain(kill.step);
    await recoverInterruptedUpdate(ctx);
    rows.push({ fault: "SIGKILL", where: `${kill.step} ${kill.moment === "start" ? "at its start" : `+${kill.delayMs / 1000} s`} (running then: ${cut.join(", ")})`, recoveredBy: "npm run recover, pulumi up", converged: false, minutes: (Date.now() - started) / MINUTE });
  }

  const started = Date.now();
  const during = `${controlPlanes[2]}-join`;
  const run = startUp(workspace, stack);
  let where = `during ${during} (not reached: the run ended first)`;
  let undo = async () => {};
  if (await stepStarted(run, during)) {
    const injected = await inject(hosts, { kind: "keepalived stopped on the VIP holder", during }, controlPlanes);
    undo = injected.undo;
    where = `${injected.node}, during ${during}`;
  }
  const result = await run.done;
  await undo();
  let recoveredBy = "nothing (the run itself)";
  if (result.status !== 0) {
    // The run may fail while the VIP moves; recovering is then the documented `pulumi up` again.
    const again = await stack.run(["up", "--yes"]);
    expect(again.status, `pulumi up after the node fault:\n${failureSummary(again.output)}`).toBe(0);
    recoveredBy = "pulumi up";
  }
  expect(where, "the node fault hit its step").not.toContain("not reached");
  rows.push({ fault: "keepalived stopped on the VIP holder", where, recoveredBy, converged: false, minutes: (Date.now() - started) / MINUTE });

  const problems = await convergenceProblems(hosts, stack, shape);
  for (const row of rows) Object.assign(row, { converged: problems.length === 0, reason: problems[0] });
  expect(problems, "the cluster an uninterrupted run leaves").toEqual([]);
  return rows;
}
