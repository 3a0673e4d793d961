// What a phase of the day-2 journey (test/engine/day2-journey.test.ts) works with: the one lab
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
export const JOURNEY_GROUPS = ["upgrade", "renewal", "hardening", "growth", "node-operations", "acceptance", "addons", "backups"] as const;
export type JourneyGroup = (typeof JOURNEY_GROUPS)[number];

/**
 * The groups a run takes the cluster through: all of them, or those up to and including
 * `until` (ONPREM_K8S_DAY2_UNTIL, for working on one part of the journey; the destroy still runs).
 */
export function journeyGroups(until: string | undefined): JourneyGroup[] {
  if (!until) return [...JOURNEY_GROUPS];
  const last = JOURNEY_GROUPS.indexOf(until as JourneyGroup);
  if (last < 0) throw new Error(`ONPREM_K8S_DAY2_UNTIL=${until} names no group of the journey; one of: ${JOURNEY_GROUPS.join(", ")}`);
  return JOURNEY_GROUPS.slice(0, last + 1);
}
