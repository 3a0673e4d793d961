// SIGKILL for a process tree, as when a CI job is cancelled: the Pulumi CLI starts its language
// host and plugins in process groups of their own, so killing the CLI's group alone orphaned the
// language host and its program (one spun at 80 % of a core for the rest of a suite run).
import * as fs from "node:fs";

/** SIGKILL for a process and everything under it (listed first, then killed from the top): the CLI and the plugins it started, as when a CI job is cancelled. */
export function killTree(pid: number): void {
  const children = (p: number): number[] => {
    try {
      return fs
        .readdirSync(`/proc/${p}/task`)
        .flatMap((task) => fs.readFileSync(`/proc/${p}/task/${task}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number));
    } catch {
      return [];
    }
  };
  const all: number[] = [];
  const walk = (p: number) => {
    for (const child of children(p)) walk(child);
    all.push(p);
  };
  walk(pid);
  for (const p of all.reverse()) {
    try {
      process.kill(p, "SIGKILL");
    } catch {
      // already gone
    }
  }
}
