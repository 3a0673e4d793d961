// The engine's event log (`pulumi up --event-log <file>`, one JSON engine event per line): which
// resource steps started and finished, in the engine's own order (its sequence numbers), read while
// the command still runs (to stop it at a chosen point) or afterwards (to check an order).
import * as fs from "node:fs";
import { sleep } from "../tools/process";

export interface EngineEvent {
  sequence: number;
  timestamp: number;
  resourcePreEvent?: { metadata: { op: string; urn: string }; planning?: boolean };
  resOutputsEvent?: { metadata: { op: string; urn: string }; planning?: boolean };
  resOpFailedEvent?: { metadata: { op: string; urn: string } };
}

/** A resource's step in one run: when it started and finished (event sequence numbers). */
export interface StepWindow {
  urn: string;
  op: string;
  started: number;
  finished?: number;
  failed?: boolean;
}

/**
 * The operations that run a step's create or update. A replacement's `replace` is only the engine's
 * marker (with deleteBeforeReplace it is over before the replacement's create starts), and
 * `delete-replaced`/`delete` run the delete.
 */
export const RUNS_COMMAND = new Set(["create", "update", "create-replacement"]);

/** The resource name at the end of a URN. */
export const resourceName = (urn: string) => urn.slice(urn.lastIndexOf("::") + 2);

export function readEvents(file: string): EngineEvent[] {
  if (!fs.existsSync(file)) return [];
  // The last line may still be being written.
  return fs
    .readFileSync(file, "utf8")
    .split("\n")
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as EngineEvent];
      } catch {
        return [];
      }
    });
}

/**
 * The steps that did something (not `same`, not the preview's planning events), in the order they
 * started. A replacement is several steps of one resource (create-replacement, replace,
 * delete-replaced), each with its own window.
 */
export function stepWindows(events: EngineEvent[]): StepWindow[] {
  const windows = new Map<string, StepWindow>();
  const key = (metadata: { op: string; urn: string }) => `${metadata.op} ${metadata.urn}`;
  for (const e of [...events].sort((a, b) => a.sequence - b.sequence)) {
    const pre = e.resourcePreEvent;
    if (pre && !pre.planning && pre.metadata.op !== "same") windows.set(key(pre.metadata), { urn: pre.metadata.urn, op: pre.metadata.op, started: e.sequence });
    const done = e.resOutputsEvent;
    const window = done && !done.planning ? windows.get(key(done.metadata)) : undefined;
    if (window) window.finished = e.sequence;
    const failed = e.resOpFailedEvent && windows.get(key(e.resOpFailedEvent.metadata));
    if (failed) failed.failed = true;
  }
  return [...windows.values()].sort((a, b) => a.started - b.started);
}

/**
 * The same windows read from the CLI's own progress output (`pulumi up --non-interactive`): this
 * CLI (v3.248.0) has no --event-log flag. A line per step state; the line numbers order them. A
 * replacement with deleteBeforeReplace, as this CLI prints it:
 *   -- command:remote:Command k8s-master-upgrade deleting original (0s)
 *   -- command:remote:Command k8s-master-upgrade deleted original (0.17s)
 *   +- command:remote:Command k8s-master-upgrade replacing (0s) [diff: ~stdin,triggers]
 *   +- command:remote:Command k8s-master-upgrade replaced (0.01s) [diff: ~stdin,triggers]
 *   ++ command:remote:Command k8s-master-upgrade creating replacement (0s) [diff: ~stdin,triggers]
 *   ++ command:remote:Command k8s-master-upgrade created replacement (41s) [diff: ~stdin,triggers]
 * The command runs between the last two: `replaced` is the marker, not the end of the run.
 */
export function stepWindowsFromOutput(output: string): StepWindow[] {
  const windows = new Map<string, StepWindow>();
  const verbs: Record<string, [string, "start" | "end"]> = {
    creating: ["create", "start"],
    created: ["create", "end"],
    updating: ["update", "start"],
    updated: ["update", "end"],
    replacing: ["replace", "start"],
    replaced: ["replace", "end"],
    "creating replacement": ["create-replacement", "start"],
    "created replacement": ["create-replacement", "end"],
  };
  const line = /^\s*\S+\s+([\w:/.-]+)\s+(\S+)\s+(creating replacement|created replacement|creating|created|updating|updated|replacing|replaced)\b(.*)$/;
  output.split("\n").forEach((text, index) => {
    const m = line.exec(text);
    if (!m) return;
    const [, type, name, verb, rest] = m as unknown as [string, string, string, string, string];
    const [op, edge] = verbs[verb]!;
    const urn = `${type}::${name}`;
    // A failed step's status is "<verb> failed" right after the verb ("creating failed" also for a
    // replacement's create); the step's own output after the "; " may say "failed" anywhere.
    if (edge === "start" && /^ failed\b/.test(rest)) {
      const open = [...windows.values()].filter((w) => w.urn === urn && w.finished === undefined).at(-1);
      if (open) Object.assign(open, { finished: index, failed: true });
      return;
    }
    const key = `${op} ${urn}`;
    if (edge === "start" && !windows.has(key)) windows.set(key, { urn, op, started: index });
    const window = windows.get(key);
    if (edge === "end" && window) window.finished = index;
  });
  return [...windows.values()].sort((a, b) => a.started - b.started);
}

/** Waits until `read` shows a finished step whose resource name matches `name`; gives up when `stillRunning` says the command ended. */
export async function waitForFinishedStep(read: () => StepWindow[], name: RegExp, stillRunning: () => boolean, timeoutMs: number): Promise<StepWindow> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const done = read().find((w) => RUNS_COMMAND.has(w.op) && w.finished !== undefined && !w.failed && name.test(resourceName(w.urn)));
    if (done) return done;
    if (!stillRunning()) throw new Error(`the command ended before a step named ${name} finished`);
    await sleep(250);
  }
  throw new Error(`no step named ${name} finished within ${timeoutMs / 1000} s`);
}
