// Watches a cluster's availability from outside while the engine changes it (the day-2 journey):
// the probe process (availability-probe.ts) runs in the lab's switch namespace, the nodes' only
// peer, and logs every answer; longestOutage() reads the log afterwards. The probe is one long-lived
// process, so a poll every half second costs no process start.
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { inNamespace } from "../lab/network";
import { sleep } from "../tools/process";
import type { Lab } from "./lab";

const PROBE = path.join(__dirname, "availability-probe.ts");
const REPO_ROOT = path.resolve(__dirname, "..", "..");

export interface Sample {
  target: string;
  /** When the question was asked (ms since the epoch). */
  t: number;
  ok: boolean;
  detail: string;
}

export interface Outage {
  /** Time without a successful answer: from the last success before it to the first after it (or to the end). */
  ms: number;
  from: number;
  to: number;
  /** What the failures said (the first and the last). */
  detail: string;
}

/** The longest stretch of `target`'s samples (between `from` and `to`) with no successful answer; 0 when none failed. */
export function longestOutage(samples: Sample[], target: string, from = -Infinity, to = Infinity): Outage {
  const mine = samples.filter((s) => s.target === target && s.t >= from && s.t <= to).sort((a, b) => a.t - b.t);
  let longest: Outage = { ms: 0, from: 0, to: 0, detail: "" };
  let lastOk: number | undefined = mine[0]?.t;
  let failures: Sample[] = [];
  const close = (end: number) => {
    if (failures.length > 0 && lastOk !== undefined && end - lastOk > longest.ms) {
      const details = [...new Set([failures[0]!.detail, failures.at(-1)!.detail])];
      longest = { ms: end - lastOk, from: lastOk, to: end, detail: details.join(" ... ") };
    }
    failures = [];
  };
  for (const sample of mine) {
    if (sample.ok) {
      close(sample.t);
      lastOk = sample.t;
    } else {
      failures.push(sample);
    }
  }
  if (mine.length > 0) close(mine.at(-1)!.t);
  return longest;
}

export class AvailabilityProbe {
  private constructor(
    readonly log: string,
    readonly pid: number,
  ) {}

  /** Starts probing `targets` (name -> URLs, any of which answering counts) from the lab's switch namespace. */
  static async start(lab: Lab, targets: Record<string, string[]>, log: string): Promise<AvailabilityProbe> {
    const out = fs.openSync(log, "a");
    const argv = Object.entries(targets).map(([name, urls]) => `${name}=${urls.join(",")}`);
    const [command, ...args] = inNamespace(lab.netns, [process.execPath, "--import", "tsx", PROBE, ...argv]);
    const child = spawn(command!, args, { cwd: REPO_ROOT, stdio: ["ignore", out, out], detached: true });
    fs.closeSync(out);
    child.unref();
    // The lab ends it with its nodes, should this test process die first.
    await lab.record((s) => (s.serverPids ??= []).push(child.pid!));
    for (let waited = 0; waited < 30_000; waited += 100) {
      if (fs.readFileSync(log, "utf8").includes('"started"')) return new AvailabilityProbe(log, child.pid!);
      await sleep(100);
    }
    throw new Error(`the availability probe did not start\n${fs.readFileSync(log, "utf8")}`);
  }

  samples(): Sample[] {
    return fs
      .readFileSync(this.log, "utf8")
      .split("\n")
      .filter((line) => line.startsWith('{"target"'))
      .map((line) => JSON.parse(line) as Sample);
  }

  stop(): void {
    try {
      process.kill(this.pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
}
