// The benchmark's table (npm run bench): each figure beside the previous design's, read from the
// recorded baseline (scripts/bench-baseline.json). Pure, so the layout is tested without planning.
import type { BenchSize } from "./bench";

export interface Measurement extends BenchSize {
  resources: number;
  /** Wall clock of the whole planning process (start-up included). */
  planSeconds: number;
  /**
   * CPU time of the planning process (user and system, its threads included): on a shared machine
   * it says more than the wall clock, which mostly measures the wait for a core. Absent from
   * baselines recorded before it was measured.
   */
  cpuSeconds?: number;
  /** The planning process's peak resident memory. */
  peakRssMiB: number;
  criticalPathSteps: number;
  criticalPathMinutes: number;
  /** 1-minute load average when the measurement started (the machine is shared). */
  load: number;
}

export interface BenchBaseline {
  recorded: string;
  machine: string;
  /** The commit the baseline was measured at. */
  commit: string;
  rows: Measurement[];
}

const cpu = (m: Measurement) => (m.cpuSeconds === undefined ? "–" : m.cpuSeconds.toFixed(1));

/** `now (before)`, or just `now` where the baseline has no such size. */
function beside(now: string, before: string | undefined): string {
  return before === undefined ? now : `${now} (${before})`;
}

export function benchTable(rows: Measurement[], baseline: BenchBaseline | undefined, when: string): string {
  const previous = (row: Measurement) => baseline?.rows.find((b) => b.controlPlanes === row.controlPlanes && b.workers === row.workers);
  const header = baseline
    ? [`Figures in parentheses: the previous design, recorded ${baseline.recorded.slice(0, 16).replace("T", " ")} UTC at ${baseline.commit} (${baseline.machine}).`, ""]
    : [];
  return [
    `# Plan benchmark (${when})`,
    "",
    "Plan time is wall clock for a whole `plan` process (start-up included), CPU its user and system time; memory is the planning process's peak RSS;",
    "the critical path is the longest chain of dependent steps, weighted by measured per-step durations (scripts/plan/durations.ts);",
    "load is the 1-minute load average when the size's plan started (the machine is shared).",
    "",
    ...header,
    "| control planes | workers | resources | plan s | CPU s | load | peak RSS MiB | critical-path steps | critical path min |",
    "|---|---|---|---|---|---|---|---|---|",
    ...rows.map((r) => {
      const b = previous(r);
      return `| ${r.controlPlanes} | ${r.workers} | ${beside(String(r.resources), b && String(b.resources))} | ${beside(r.planSeconds.toFixed(1), b && b.planSeconds.toFixed(1))} | ${beside(cpu(r), b && b.cpuSeconds !== undefined ? cpu(b) : undefined)} | ${beside(r.load.toFixed(1), b && b.load.toFixed(1))} | ${beside(String(r.peakRssMiB), b && String(b.peakRssMiB))} | ${beside(String(r.criticalPathSteps), b && String(b.criticalPathSteps))} | ${beside(r.criticalPathMinutes.toFixed(1), b && b.criticalPathMinutes.toFixed(1))} |`;
    }),
    "",
  ].join("\n");
}
