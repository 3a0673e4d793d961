// What a phase of the day-2 journey (test/engine/day2/journey.ts) works with: the one lab
// cluster, its stack and the probe that watches it. Each journey's phases live in a module of
// their own beside this one (one file per journey) and are listed in order by the journey file.
import type { AvailabilityProbe } from "../../cluster/availability";
import type { LabNode } from "../../cluster/node";
import type { SshHosts } from "../../cluster/ssh-hosts";
import type { StepWindow } from "../event-log";
import type { EngineStack } from "../stack";
import type { EngineWorkspace } from "../workspace";

export interface JourneyContext {
  hosts: SshHosts;
  workspace: EngineWorkspace;
  stack: EngineStack;
  /** Node names, in the order the stack lists them. */
  controlPlanes: string[];
  workers: string[];
  /** The first control plane (init, kubeadm upgrade apply, the admin kubeconfig). */
  first(): LabNode;
  /** Rewrites part of the stack's description in Pulumi.<stack>.yaml, as a person would edit it. */
  editDescription(edit: (cluster: any) => void): void;
  /** `pulumi up --yes`, with the order its steps ran in (from its progress lines). */
  upWithEvents(): Promise<{ output: string; steps: StepWindow[] }>;
  /** The availability probe (API through the endpoint, the workload) started at bring-up. */
  probe(): AvailabilityProbe;
  /** A line for the journey's summary of measured times. */
  report(line: string): void;
}

/** One named phase: the journey skips it when an earlier one failed, and names it when it fails. */
export interface JourneyPhase {
  name: string;
  /** Its time limit. */
  minutes: number;
  run(ctx: JourneyContext): Promise<void>;
}

/**
 * The journey's groups of phases, in the order they run (the upgrade group is bring-up through the
 * refusals). The add-ons run after hardening, under its enforced Pod Security as on a hardened
 * site (their first phase exempts MetalLB's namespace as the program would), and before the
 * backups, whose whole-cluster restore is the journey's last change; they leave nothing running.
 */
export const JOURNEY_GROUPS = ["upgrade", "renewal", "endpoint", "hardening", "growth", "node-operations", "acceptance", "addons", "backups"] as const;
export type JourneyGroup = (typeof JOURNEY_GROUPS)[number];

/**
 * The default suite's sample of the journey (the CI budget: the whole journey is
 * `npm run test:day2`): the patch upgrade uninterrupted, the refusals, the default renewal window
 * and the endpoint's failover, on the one cluster that replaces the suite's other engine bring-ups.
 */
export const SAMPLE_GROUPS: readonly JourneyGroup[] = ["upgrade", "renewal", "endpoint"];

/**
 * The groups a run takes the cluster through: all of them, or those from `from` through `until`
 * (ONPREM_K8S_DAY2_FROM and ONPREM_K8S_DAY2_UNTIL, for working on one part of the journey: the
 * bring-up and the destroy still run; a run that starts after the upgrade brings the cluster up at
 * the newer version).
 */
export function journeyGroups(until: string | undefined, from?: string): JourneyGroup[] {
  const index = (name: string, variable: string) => {
    const at = JOURNEY_GROUPS.indexOf(name as JourneyGroup);
    if (at < 0) throw new Error(`${variable}=${name} names no group of the journey; one of: ${JOURNEY_GROUPS.join(", ")}`);
    return at;
  };
  const first = from ? index(from, "ONPREM_K8S_DAY2_FROM") : 0;
  const last = until ? index(until, "ONPREM_K8S_DAY2_UNTIL") : JOURNEY_GROUPS.length - 1;
  if (first > last) throw new Error(`ONPREM_K8S_DAY2_FROM=${from} comes after ONPREM_K8S_DAY2_UNTIL=${until} in the journey: ${JOURNEY_GROUPS.join(", ")}`);
  return JOURNEY_GROUPS.slice(first, last + 1);
}
