// npm run faults: the fault sweep of issue 24 on the real-node lab (docs/recovery.md). A reference
// deployment of a poc-shaped cluster gives the kill points (every step's start and middle, from the
// engine's progress output); then, for each point and each signal (SIGKILL of the CLI as a tree, one
// SIGINT), a deployment from clean hosts is stopped there, recovered (`npm run recover`, `pulumi
// up`) and checked: every node Ready, one etcd member per control plane and no stale one, no
// bootstrap token beyond the live one, the API through the endpoint, `preview --expect-no-changes`.
// Then the node faults. It prints the table (fault, where, recovered by, converged, minutes) and
// writes it to $TMPDIR/onprem-k8s-faults.md. Hours long: opt-in only.
//   ONPREM_K8S_FAULTS_SIGNALS   SIGKILL,SIGINT (default both)
//   ONPREM_K8S_FAULTS_STEPS     a regular expression the steps' names must match (default all)
//   ONPREM_K8S_FAULTS_EVERY_NODE=1   every node's steps; by default one node per kind of step and
//                               role (k8s-node1-join stands for k8s-node2-join: the same script)
//   ONPREM_K8S_FAULTS_PART=k/n  part k of n of the kill points, for a sweep run in sittings
//   ONPREM_K8S_FAULTS_NODE_FAULTS=0   leave the node faults out (a part that is not the last);
//                               or the kinds to run, e.g. "node restarted,containerd killed"
//   ONPREM_K8S_FAULTS_DONE=a.md,b.md  earlier tables: the points they show converged are skipped
// The table is written again after every row, so a sweep stopped part-way keeps what it found.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { labGate } from "../cluster/gate";
import { CONTROL_PLANES, FaultLab, RUNS_LOG, WORKERS } from "./faults/fault-lab";
import { doneKey, doneKeys, killPoints, pointsPart, sweptSteps, uncovered, type Signal } from "./faults/kill-points";
import { nodeFaultsAsked, type NodeFault } from "./faults/node-faults";
import { faultTable, type FaultRow } from "./faults/table";

const gate = labGate();
const SWEEP = process.env.ONPREM_K8S_FAULTS === "1";
const HOUR = 3_600_000;

/** The node faults of the sweep. */
export const NODE_FAULTS: NodeFault[] = [
  { kind: "kubelet killed", node: CONTROL_PLANES[0], during: `${WORKERS[0]}-join` },
  { kind: "containerd killed", node: WORKERS[1], during: `${WORKERS[1]}-join` },
  { kind: "keepalived stopped on the VIP holder", during: `${CONTROL_PLANES[2]}-join` },
  // Half way through the join (the sweep's mid-way points of it: +11 and +12 s), not as it starts:
  // a restart then only delays the step's SSH connection.
  { kind: "node restarted", node: CONTROL_PLANES[1], during: `${CONTROL_PLANES[1]}-join`, afterMs: 11_000 },
];

describe("the fault sweep on the real-node lab", () => {
  it.runIf(SWEEP && gate.failure !== undefined)("is available", () => {
    throw new Error(gate.failure);
  });
  if (!SWEEP) it.skip("runs with npm run faults (hours on the lab)", () => {});
});

describe.runIf(SWEEP && gate.run)("fault sweep: every kill point of a poc-shaped deployment, SIGKILL and SIGINT, and node faults; each recovered and checked", () => {
  let lab: FaultLab;
  const rows: FaultRow[] = [];
  const file = path.join(os.tmpdir(), "onprem-k8s-faults.md");
  const record = (row: FaultRow) => {
    rows.push(row);
    fs.writeFileSync(file, `${faultTable(rows)}\n`);
  };

  beforeAll(async () => {
    lab = await FaultLab.start();
  }, HOUR / 2);

  afterAll(async () => {
    console.log(`[faults] ${rows.length} rows, also in ${file} (every run's output after a fault: ${RUNS_LOG}):\n${faultTable(rows)}`);
    await lab?.dispose();
  }, HOUR / 6);

  it("every fault converges", async () => {
    const reference = await lab.reference();
    record(reference.row);
    expect(reference.row.converged, reference.row.reason).toBe(true);
    const roles = Object.fromEntries([...CONTROL_PLANES.map((n) => [n, "control-plane"]), ...WORKERS.map((n) => [n, "worker"])]);
    const every = killPoints(sweptSteps(reference.steps, roles, process.env));
    const points = pointsPart(every, process.env.ONPREM_K8S_FAULTS_PART);
    const nodeFaults = nodeFaultsAsked(process.env.ONPREM_K8S_FAULTS_NODE_FAULTS, NODE_FAULTS);
    const signals = (process.env.ONPREM_K8S_FAULTS_SIGNALS ?? "SIGKILL,SIGINT").split(",") as Signal[];
    const doneTables = (process.env.ONPREM_K8S_FAULTS_DONE ?? "").split(",").filter(Boolean).map((f) => fs.readFileSync(f, "utf8"));
    const done = doneKeys(doneTables, roles);
    const todo = points.flatMap((point) => signals.filter((signal) => !done.has(doneKey(signal, point.step, point.moment, roles))).map((signal) => ({ point, signal })));
    const part = process.env.ONPREM_K8S_FAULTS_PART ? `, part ${process.env.ONPREM_K8S_FAULTS_PART}` : "";
    console.log(`[faults] ${points.length} kill points (of ${every.length}${part}) x ${signals.length} signals, ${todo.length} not done before, + ${nodeFaults.length} node faults, about ${reference.row.minutes.toFixed(1)} min each or more`);
    for (const { point, signal } of todo) {
      const row = await lab.killed(point, signal);
      record(row);
      console.log(`[faults] ${row.fault} ${row.where}: ${row.converged ? "converged" : `NOT converged: ${row.reason}`} (${row.minutes.toFixed(1)} min)`);
    }
    for (const fault of nodeFaults) record(await lab.nodeFault(fault));
    const converged = doneKeys([...doneTables, faultTable(rows)], roles);
    const left = uncovered(every, signals, converged, roles);
    console.log(`[faults] of this reference run's ${every.length} points x ${signals.length} signals, not converged in any table given or this run: ${left.length === 0 ? "none" : left.join(", ")}`);
    const failed = rows.filter((r) => !r.converged && !r.reason?.startsWith("not run:"));
    expect(failed.map((r) => `${r.fault} ${r.where}: ${r.reason}`)).toEqual([]);
  }, 48 * HOUR);
});
