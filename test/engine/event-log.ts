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

/** The operations that run a step's create or update (a replacement's `replace` and `delete-replaced` come after it). */
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

/** Waits until the log shows a finished step whose resource name matches `name`; gives up when `stillRunning` says the command ended. */
export async function waitForFinishedStep(file: string, name: RegExp, stillRunning: () => boolean, timeoutMs: number): Promise<StepWindow> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const done = stepWindows(readEvents(file)).find((w) => RUNS_COMMAND.has(w.op) && w.finished !== undefined && !w.failed && name.test(resourceName(w.urn)));
    if (done) return done;
    if (!stillRunning()) throw new Error(`the command ended before a step named ${name} finished`);
    await sleep(250);
  }
  throw new Error(`no step named ${name} finished within ${timeoutMs / 1000} s`);
}
