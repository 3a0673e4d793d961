// Kubernetes version changes of a deployed cluster, from the stack's previous outputs. Pure.
//
// The program exports `kubernetesVersion` and, per node, `packagesVersion`: the version that
// node's day-1 steps (its packages, containerd's sandbox image, its kubeadm init or join config)
// were rendered at. Those steps keep that version for as long as the node exists, so a version
// change touches none of them; the rolling upgrade (components/kubeadm/upgrade.ts) moves the
// running cluster instead, and nodes added later start at the new version. Here: reading that
// state back, and refusing what kubeadm cannot do (a downgrade, a skipped minor) before any
// resource exists.
import type { Problem } from "./rules/common";
import { error } from "./rules/common";

export interface VersionHistory {
  /**
   * The version the stack deployed before this update; undefined on a first deployment, or for
   * a stack whose outputs predate version tracking (run `pulumi up` once at the running version).
   */
  previous?: string;
  /** Node name -> the version its day-1 steps were rendered at, for every node the stack had. */
  nodes: ReadonlyMap<string, string>;
}

export const NO_HISTORY: VersionHistory = { nodes: new Map() };

const EXACT = /^v?(\d+)\.(\d+)\.(\d+)$/;

function exact(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  const match = EXACT.exec(value.trim());
  return match ? `${match[1]}.${match[2]}.${match[3]}` : undefined;
}

/** [major, minor, patch] of an exact version (x.y.z or vx.y.z). */
export function versionParts(version: string): [number, number, number] {
  const match = EXACT.exec(version.trim());
  if (!match) throw new Error(`not an exact Kubernetes version: ${JSON.stringify(version)}`);
  return [Number(match[1]), Number(match[2]), Number(match[3])];
}

/** Negative, zero or positive as a is older than, equal to or newer than b. */
export function compareVersions(a: string, b: string): number {
  const [x, y] = [versionParts(a), versionParts(b)];
  return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
}

export const minorOf = (version: string): string => versionParts(version).slice(0, 2).join(".");

/**
 * The history in the stack's previous outputs (`kubernetesVersion`, `nodes[].packagesVersion`);
 * any shape tolerated. A node recorded without its own version takes the previous cluster version.
 */
export function versionHistoryOf(outputs: { kubernetesVersion?: unknown; nodes?: unknown }): VersionHistory {
  const previous = exact(outputs.kubernetesVersion);
  const nodes = new Map<string, string>();
  if (Array.isArray(outputs.nodes)) {
    for (const node of outputs.nodes as unknown[]) {
      if (!node || typeof node !== "object") continue;
      const { name, packagesVersion } = node as { name?: unknown; packagesVersion?: unknown };
      const version = exact(packagesVersion) ?? previous;
      if (typeof name === "string" && version) nodes.set(name, version);
    }
  }
  return { ...(previous ? { previous } : {}), nodes };
}

/** The version a node's day-1 steps are rendered at: the one it was installed at, or the target for a new node. */
export function dayOneVersion(history: VersionHistory, node: string, target: string): string {
  return history.nodes.get(node) ?? target;
}

/** Whether this update changes the running version (the upgrade steps then have work to do). */
export function upgradePending(history: VersionHistory, target: string): history is VersionHistory & { previous: string } {
  return history.previous !== undefined && compareVersions(history.previous, target) !== 0;
}

/**
 * What kubeadm refuses, said before anything changes: a lower version than the cluster runs, a
 * jump over a minor, and control planes added in the same update as a version change (they would
 * join a control plane that is being upgraded). Field, value, problem and fix, like every refusal.
 */
export function versionChangeProblems(history: VersionHistory, target: string, controlPlanes: readonly string[]): Problem[] {
  const { previous } = history;
  if (previous === undefined || compareVersions(previous, target) === 0) return [];
  const [from, to] = [versionParts(previous), versionParts(target)];
  const problems: Problem[] = [];
  if (compareVersions(target, previous) < 0) {
    problems.push(
      error(
        "kubernetes.version",
        target,
        `the cluster runs Kubernetes ${previous} (what this stack deployed); kubeadm upgrades only, it cannot take a cluster back to ${target}`,
        `set cluster.kubernetes.version back to ${previous} (or a newer release); to return to an older release, restore an etcd snapshot taken before the upgrade`,
      ),
    );
  } else if (to[0] !== from[0] || to[1] > from[1] + 1) {
    const next = `${from[0]}.${from[1] + 1}`;
    problems.push(
      error(
        "kubernetes.version",
        target,
        `the cluster runs ${previous}: going to ${minorOf(target)} skips ${next}, and kubeadm upgrades one minor release at a time`,
        `upgrade to a ${next}.x release first (set cluster.kubernetes.version to it and run pulumi up), then to ${target}`,
      ),
    );
  }
  const added = controlPlanes.filter((name) => !history.nodes.has(name));
  if (history.nodes.size > 0 && added.length > 0) {
    problems.push(
      error(
        "controlPlane.addresses",
        added,
        `control plane(s) ${added.join(", ")} would join while the cluster is upgraded from ${previous} to ${target}`,
        `add them in a separate update: first upgrade with the current control planes (pulumi up), then add ${added.join(", ")}`,
      ),
    );
  }
  return problems;
}
