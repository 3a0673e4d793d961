// The plan's model of a deployment's time against a real run of the same stack (issue 25,
// docs/performance.md): the plan's dependency graph weighted two ways, by the run's median per kind
// of step (what the plan's figure is made of) and by each step's own time in the run (a check of the
// dependencies alone), each beside the run's wall clock. Pure: `npm run durations -- --model`.
import { durationTable, planDurations } from "./durations";
import { buildGraph, criticalPath, type CriticalPath } from "./graph";
import type { KindMeasurement, MeasuredStep } from "./measured";
import type { RecordedResource } from "./monitor";

export interface ModelCheck {
  /** The graph weighted by the run's per-kind medians (other kinds: the plan's table). */
  byKind: CriticalPath;
  /** The graph weighted by each step's own time in the run (steps the run did not show: 0). */
  byStep: CriticalPath;
  runSeconds: number;
}

export function modelCheck(resources: RecordedResource[], steps: MeasuredStep[], kinds: KindMeasurement[], runSeconds: number): ModelCheck {
  const graph = buildGraph(resources);
  const table = { ...durationTable(), ...Object.fromEntries(kinds.map((k) => [k.kind, { seconds: k.median, source: "this run" }])) };
  const perKind = planDurations(resources, { table });
  const own = new Map(steps.map((s) => [`${s.type} ${s.name}`, s.seconds]));
  return {
    byKind: criticalPath(graph, (r) => perKind.get(r.urn)?.seconds ?? 0),
    byStep: criticalPath(graph, (r) => own.get(`${r.type} ${r.name}`) ?? 0),
    runSeconds,
  };
}

/** How far `modelled` is from `measured`, in percent of the measured (negative: the model is short). */
export function deviation(modelled: number, measured: number): number {
  return ((modelled - measured) / measured) * 100;
}

export function modelCheckReport(check: ModelCheck): string {
  const line = (label: string, path: CriticalPath) =>
    `${label}: ${path.seconds.toFixed(0)} s in ${path.steps.length} steps (${deviation(path.seconds, check.runSeconds).toFixed(0)} % against the run's ${check.runSeconds} s)`;
  return [line("model, the run's median per kind", check.byKind), line("the plan's graph, each step's own time", check.byStep)].join("\n");
}
