// Runs the whole program under the plan's mocks for a stack file and returns what it would deploy,
// for tests that look at resources, dependencies, protect flags and rendered artifacts.
//
// Caveat: Pulumi's runtime is per-process state (mock monitor, config, stack resource). vitest
// runs every test file in its own fork (pool "forks"), and planStack may be called several times
// in one file: each call installs fresh mocks and replaces the whole config before it runs, and
// plans must run one after another (await each call; never run two concurrently in one process).
import * as path from "node:path";
import { readStackFile, CLUSTER_KEY, type StackFile } from "../stacks/stack-file";
import { runPlan, type PlanResult } from "../scripts/plan/run";
import type { RecordedResource } from "../scripts/plan/monitor";

export type { PlanResult } from "../scripts/plan/run";
export type { RecordedResource } from "../scripts/plan/monitor";

export const REPO_ROOT = path.resolve(__dirname, "..");

let running = false;

/**
 * Plans a stack: `poc`/`prod` (Pulumi.<name>.yaml) or a path relative to the repository root
 * (e.g. examples/proxmox-keepalived-calico-nfs.yaml). `overrides` mutates a copy of the raw
 * cluster description before validation, e.g. `(c) => (c.profile = "prod")`.
 */
export async function planStack(fileOrName: string, overrides?: (cluster: any) => void): Promise<PlanResult> {
  if (running) throw new Error("planStack: another plan is still running in this process; await it first");
  running = true;
  try {
    const stack: StackFile = readStackFile(fileOrName, REPO_ROOT);
    if (overrides) {
      const cluster = structuredClone(stack.cluster);
      overrides(cluster);
      stack.cluster = cluster;
      // The program reads the description from config, the validation from `cluster`: keep both in step.
      stack.config = { ...stack.config, [CLUSTER_KEY]: JSON.stringify(cluster) };
    }
    return await runPlan(stack);
  } finally {
    running = false;
  }
}

/** Resources of a type token, e.g. "vsphere:index/virtualMachine:VirtualMachine". */
export function resourcesOfType(plan: PlanResult, type: string): RecordedResource[] {
  return plan.resources.filter((resource) => resource.type === type);
}

/** The one resource with this type and name; throws with the names there are otherwise. */
export function resourceNamed(plan: PlanResult, type: string, name: string): RecordedResource {
  const found = resourcesOfType(plan, type).find((resource) => resource.name === name);
  if (!found) throw new Error(`no ${type} named ${name}; there are: ${resourcesOfType(plan, type).map((r) => r.name).join(", ") || "none"}`);
  return found;
}

/** An artifact's content by its path below artifacts/. */
export function artifactAt(plan: PlanResult, artifactPath: string): string {
  const found = plan.artifacts.find((artifact) => artifact.path === artifactPath);
  if (!found) throw new Error(`no artifact ${artifactPath}; there are: ${plan.artifacts.map((a) => a.path).join(", ")}`);
  return found.content;
}
