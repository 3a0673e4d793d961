// Where the fault harness stops a `pulumi up` (docs/recovery.md, issue 24): points chosen from the
// engine's own progress output of an uninterrupted reference run of the same deployment
// (event-log.ts stepWindowsFromOutput: the CLI v3.248.0 has no --event-log), so they follow the
// program's real steps and order, not a list kept by hand. Each step that runs a command gives two
// points: the moment the engine starts it, and half way through its reference duration.
import { RUNS_COMMAND, resourceName, type StepWindow } from "../event-log";

export type Signal = "SIGKILL" | "SIGINT";
export type Moment = "start" | "mid-way";

export interface KillPoint {
  /** The step's resource name (e.g. k8s-master-init). */
  step: string;
  moment: Moment;
  /** How long after the step started the signal goes (0 at its start). */
  delayMs: number;
}

/** A step's window from the reference run, with its measured duration. */
export interface TimedStep {
  step: string;
  startedAtMs: number;
  durationMs: number;
}

/**
 * The steps that ran a command in the reference run, with their durations: `started`/`finished`
 * are line indexes in the progress output, so times come from `lineTimes` (when each line was read).
 */
export function timedSteps(windows: StepWindow[], lineTimes: number[]): TimedStep[] {
  return windows
    .filter((w) => RUNS_COMMAND.has(w.op) && w.finished !== undefined && !w.failed)
    .map((w) => ({ step: resourceName(w.urn), startedAtMs: lineTimes[w.started] ?? 0, durationMs: Math.max(0, (lineTimes[w.finished!] ?? 0) - (lineTimes[w.started] ?? 0)) }));
}

/**
 * Every kill point of a deployment: each step's start, and its middle when it lasted at least
 * `minMidwayMs` (a step of milliseconds has no middle worth a run of its own).
 */
export function killPoints(steps: TimedStep[], minMidwayMs = 2_000): KillPoint[] {
  return steps.flatMap((s) => [
    { step: s.step, moment: "start" as const, delayMs: 0 },
    ...(s.durationMs >= minMidwayMs ? [{ step: s.step, moment: "mid-way" as const, delayMs: Math.round(s.durationMs / 2) }] : []),
  ]);
}

/** The sample the suite runs: a kill in init, in a control-plane join, in the worker joins. */
export function samplePoints(steps: TimedStep[], firstControlPlane: string, controlPlanes: string[], workers: string[]): KillPoint[] {
  const mid = (name: string): KillPoint => {
    const s = steps.find((t) => t.step === name);
    if (!s) throw new Error(`the reference run has no step ${name}: ${steps.map((t) => t.step).join(", ")}`);
    return { step: name, moment: "mid-way", delayMs: Math.round(s.durationMs / 2) };
  };
  const secondControlPlane = controlPlanes.find((n) => n !== firstControlPlane);
  if (!secondControlPlane || workers.length === 0) throw new Error("the sample needs two control planes and a worker");
  return [mid(`${firstControlPlane}-init`), mid(`${secondControlPlane}-join`), mid(`${workers[0]}-join`)];
}

/**
 * A step's kind: its name without the node's, and the node's role (k8s-node2-join and
 * k8s-node1-join are one kind, the same script in the same role; a control plane's join is another).
 */
export function stepKind(step: string, roles: Record<string, string>): string {
  const node = Object.keys(roles)
    .sort((a, b) => b.length - a.length)
    .find((n) => step.startsWith(`${n}-`));
  return node ? `${roles[node]} ${step.slice(node.length + 1)}` : step;
}

/** The steps the sweep stops at: one per kind unless every node is asked for, filtered by name. */
export function sweptSteps(steps: TimedStep[], roles: Record<string, string>, env: NodeJS.ProcessEnv): TimedStep[] {
  const filter = env.ONPREM_K8S_FAULTS_STEPS ? new RegExp(env.ONPREM_K8S_FAULTS_STEPS) : undefined;
  // One node stands for its kind: the one whose step sorts first by name, not the first to start
  // (parallel steps start in another order from run to run, and the sweep's parts must agree).
  const standsFor = new Map<string, string>();
  for (const s of steps) {
    const kind = stepKind(s.step, roles);
    const chosen = standsFor.get(kind);
    if (chosen === undefined || s.step < chosen) standsFor.set(kind, s.step);
  }
  return steps.filter((s) => {
    if (filter && !filter.test(s.step)) return false;
    return env.ONPREM_K8S_FAULTS_EVERY_NODE === "1" || standsFor.get(stepKind(s.step, roles)) === s.step;
  });
}

/** How long after its step's start a fault strikes, as the table shows it: " (+12 s)", or "" at once. */
export function afterStart(ms: number | undefined): string {
  return ms ? ` (+${Math.round(ms / 1000)} s)` : "";
}

/** A kill point as the table's "where" names it; doneKeys reads it back. */
export function pointWhere(point: KillPoint): string {
  return `${point.step} ${point.moment}${afterStart(point.delayMs)}`;
}

/** What a row of the table says was done: the signal, the kind of step and the moment. */
export function doneKey(signal: string, step: string, moment: string, roles: Record<string, string>): string {
  return `${signal} ${stepKind(step, roles)} ${moment}`;
}

/**
 * The kill points already converged in earlier tables (ONPREM_K8S_FAULTS_DONE), by kind of step and
 * moment: a sweep resumed in another sitting skips them even when another node stood for the kind.
 * Reads the rows faultTable wrote, their "where" as pointWhere wrote it.
 */
export function doneKeys(tables: string[], roles: Record<string, string>): Set<string> {
  const keys = new Set<string>();
  for (const line of tables.join("\n").split("\n")) {
    const cells = line.split("|").map((c) => c.trim());
    const [signal, where, , converged] = cells.slice(1, 5);
    const at = /^(\S+) (start|mid-way)\b/.exec(where ?? "");
    if (at && converged === "yes" && (signal === "SIGKILL" || signal === "SIGINT")) keys.add(doneKey(signal, at[1]!, at[2]!, roles));
  }
  return keys;
}

/**
 * Part `k/n` of the kill points (ONPREM_K8S_FAULTS_PART), so that a sweep of hours can run in
 * sittings: the points are dealt by their name and moment, not by the reference run's order
 * (parallel steps may start in another order next time), and each part keeps the run's order.
 */
export function pointsPart(points: KillPoint[], part: string | undefined): KillPoint[] {
  if (!part) return points;
  const match = /^(\d+)\/(\d+)$/.exec(part);
  const k = Number(match?.[1]);
  const n = Number(match?.[2]);
  if (!match || n < 1 || k < 1 || k > n) throw new Error(`ONPREM_K8S_FAULTS_PART=${part}: expected k/n with 1 <= k <= n, e.g. 1/3`);
  const key = (p: KillPoint) => `${p.step} ${p.moment}`;
  const names = points.map(key).sort();
  const size = Math.ceil(names.length / n);
  const mine = new Set(names.slice((k - 1) * size, k * size));
  return points.filter((p) => mine.has(key(p)));
}

/** Reads the progress output as it comes and remembers when each line was read. */
export class ProgressClock {
  private text = "";
  readonly lineTimes: number[] = [];
  constructor(private readonly started = Date.now()) {}

  add(chunk: string): void {
    this.text += chunk;
    const lines = this.text.split("\n").length;
    while (this.lineTimes.length < lines) this.lineTimes.push(Date.now() - this.started);
  }

  get output(): string {
    return this.text;
  }
}

/**
 * The points of this reference run that no table converged for a signal, earlier tables' and this
 * run's rows together: a sweep in parts, each against its own reference, can leave points out where
 * the number of points changed between sittings (a step's middle exists only when it lasted 2 s).
 */
export function uncovered(every: KillPoint[], signals: Signal[], converged: Set<string>, roles: Record<string, string>): string[] {
  return every.flatMap((p) => signals.filter((signal) => !converged.has(doneKey(signal, p.step, p.moment, roles))).map((signal) => `${signal} ${pointWhere(p)}`));
}
