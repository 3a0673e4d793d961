// Step durations measured on a real `pulumi up` (the lab's), per kind of step (durations.ts):
// from the CLI's progress output (`pulumi up --non-interactive`, each finished step with its time,
// "created (41s)") or from an engine event log (one JSON event a line with its timestamp). Pure:
// `npm run durations` (scripts/durations.ts) reads the files and writes measured-durations.json.
import { durationTable, stepKind, type Duration, type StepKind } from "./durations";

export interface MeasuredStep {
  type: string;
  name: string;
  op: string;
  seconds: number;
}

/** Go's duration text as the CLI prints it: 41s, 0.17s, 1m23s, 1h2m0s. */
export function parseCliDuration(text: string): number | undefined {
  const m = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+(?:\.\d+)?)s)?$/.exec(text);
  if (!m || text === "") return undefined;
  return Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0);
}

const FINISHED = /^\s*\S+\s+([\w:/.-]+)\s+(\S+)\s+(created replacement|created|updated)\s+\(([\dhms.]+)\)/;
const OPS: Record<string, string> = { created: "create", updated: "update", "created replacement": "create-replacement" };

/** The finished steps of the CLI's progress output; a step printed twice (a refresh) counts once, the last time. */
export function stepsFromCliOutput(output: string): MeasuredStep[] {
  const steps = new Map<string, MeasuredStep>();
  for (const line of output.split("\n")) {
    const m = FINISHED.exec(line);
    if (!m) continue;
    const [, type, name, verb, duration] = m as unknown as [string, string, string, string, string];
    const seconds = parseCliDuration(duration);
    if (seconds === undefined) continue;
    steps.set(`${OPS[verb]} ${type} ${name}`, { type, name, op: OPS[verb]!, seconds });
  }
  return [...steps.values()];
}

interface EventLine {
  timestamp?: number;
  resourcePreEvent?: { metadata: { op: string; urn: string; type: string }; planning?: boolean };
  resOutputsEvent?: { metadata: { op: string; urn: string; type: string }; planning?: boolean };
}

/** The steps of an engine event log (`--event-log`): from each step's pre event to its outputs event. */
export function stepsFromEventLog(text: string): MeasuredStep[] {
  const started = new Map<string, number>();
  const steps: MeasuredStep[] = [];
  for (const line of text.split("\n")) {
    let event: EventLine;
    try {
      event = JSON.parse(line) as EventLine;
    } catch {
      continue;
    }
    const pre = event.resourcePreEvent;
    if (pre && !pre.planning && pre.metadata.op !== "same") started.set(`${pre.metadata.op} ${pre.metadata.urn}`, event.timestamp ?? 0);
    const done = event.resOutputsEvent;
    const begin = done && !done.planning ? started.get(`${done.metadata.op} ${done.metadata.urn}`) : undefined;
    if (done && begin !== undefined) {
      const urn = done.metadata.urn;
      steps.push({ type: done.metadata.type, name: urn.slice(urn.lastIndexOf("::") + 2), op: done.metadata.op, seconds: (event.timestamp ?? 0) - begin });
    }
  }
  return steps;
}

export interface KindMeasurement {
  kind: StepKind;
  samples: number[];
  median: number;
}

/**
 * Kinds a lab run cannot measure: they stay stated estimates whatever a run shows. The platform's
 * (VM clone, boot, Pulumi-held resources) and Helm releases, which the lab's stacks record with a
 * stand-in provider in a fraction of a second (the lab's real add-ons are installed by the journey,
 * not by the engine).
 */
export const UNMEASURED_KINDS: ReadonlySet<StepKind> = new Set<StepKind>(["vm:vsphere", "vm:proxmox", "boot", "held", "helm-release"]);

/**
 * Per kind: the samples and their median. `controlPlanes` names the control planes (their `-join`
 * steps are control-plane joins); `upgrading` says the run changed the Kubernetes version;
 * `includeUnmeasured` keeps the kinds the plan does not take from a lab (to model that very run).
 */
export function measuredKinds(steps: MeasuredStep[], options: { controlPlanes?: string[]; upgrading?: boolean; includeUnmeasured?: boolean } = {}): KindMeasurement[] {
  const controlPlanes = new Set(options.controlPlanes ?? []);
  const byKind = new Map<StepKind, number[]>();
  for (const step of steps) {
    const node = step.name.replace(/-(join|upgrade)$/, "");
    const kind = stepKind({
      type: step.type,
      name: step.name,
      controlPlaneJoin: controlPlanes.has(node),
      workerUpgrade: !controlPlanes.has(node),
      upgrading: options.upgrading ?? false,
    });
    if (UNMEASURED_KINDS.has(kind) && !options.includeUnmeasured) continue;
    byKind.set(kind, [...(byKind.get(kind) ?? []), step.seconds]);
  }
  return [...byKind.entries()]
    .map(([kind, samples]) => ({ kind, samples: [...samples].sort((a, b) => a - b), median: median(samples) }))
    .sort((a, b) => a.kind.localeCompare(b.kind));
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** The measured durations file's entries: each kind's median, with the run it comes from. */
export function measuredDurations(kinds: KindMeasurement[], source: string): Partial<Record<StepKind, Duration>> {
  return Object.fromEntries(kinds.map((k) => [k.kind, { seconds: Math.round(k.median * 10) / 10, source: `${source}: median of ${k.samples.length} (${k.samples.join(", ")} s)` }]));
}

/** A table of what was measured beside the duration the plan uses now (measured-durations.json first). */
export function measuredTable(kinds: KindMeasurement[], table: Record<StepKind, Duration> = durationTable()): string {
  return [
    "| kind | samples | median s | min s | max s | plan uses s (source) |",
    "|---|---|---|---|---|---|",
    ...kinds.map((k) => {
      const current = table[k.kind];
      return `| ${k.kind} | ${k.samples.length} | ${k.median.toFixed(1)} | ${k.samples[0]!.toFixed(1)} | ${k.samples.at(-1)!.toFixed(1)} | ${current.seconds} (${current.source.split(":")[0]}) |`;
    }),
  ].join("\n");
}

/** The whole run's duration as the CLI reports it last ("Duration: 2m9s"). */
export function runDuration(output: string): number | undefined {
  const m = /^Duration:\s+(\S+)\s*$/m.exec(output);
  return m ? parseCliDuration(m[1]!) : undefined;
}
