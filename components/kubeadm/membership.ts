// Control-plane membership guard. Removing control planes is a graph of delete scripts (each
// drains, deletes the Node, removes its etcd member and resets the host), and Pulumi runs those
// deletes at the end of an update. Whether a removal is safe depends on the membership BEFORE
// the update, which the description alone does not show: the program reads its own stack's
// previous `nodes` output (a StackReference to itself) and refuses, before any change, to
//   - remove every previous control plane (the cluster and its etcd data would be gone),
//   - remove so many at once that fewer than a quorum of the previous members remain,
//   - change which control plane comes first (it ran `kubeadm init`: re-rooting would delete
//     its resources and reset it).
// Pure functions; index.ts wires them.

export interface PreviousNode {
  name: string;
  role: string;
}

/** Previous control-plane names, in order, from the stack's previous `nodes` output (any shape tolerated). */
export function previousControlPlanes(nodesOutput: unknown): string[] {
  if (!Array.isArray(nodesOutput)) return [];
  return nodesOutput
    .filter((n): n is PreviousNode => !!n && typeof n === "object" && typeof (n as PreviousNode).name === "string")
    .filter((n) => n.role === "control-plane")
    .map((n) => n.name);
}

export function etcdQuorum(members: number): number {
  return Math.floor(members / 2) + 1;
}

/** Problems with going from `previous` to `desired` control planes in one update; empty when safe. */
export function controlPlaneRemovalProblems(previous: string[], desired: string[]): string[] {
  if (previous.length === 0) return [];
  const kept = previous.filter((name) => desired.includes(name));
  const removed = previous.filter((name) => !desired.includes(name));
  const added = desired.filter((name) => !previous.includes(name));
  const problems: string[] = [];
  if (kept.length === 0) {
    problems.push(
      `every current control plane (${previous.join(", ")}) would be removed: that deletes the cluster's etcd data. ` +
        "Keep at least the existing members; to tear the cluster down use `pulumi destroy`.",
    );
  } else if (kept.length < etcdQuorum(previous.length) && added.length > 0) {
    problems.push(
      `removing ${removed.join(", ")} at once leaves ${kept.length} of ${previous.length} etcd members, below quorum (${etcdQuorum(previous.length)}), while ${added.join(", ")} join. ` +
        `Remove at most ${previous.length - etcdQuorum(previous.length)} control plane(s) per update while adding others, or add them first and remove the old ones in a later update (a shrink alone removes them one at a time).`,
    );
  }
  if (desired[0] !== previous[0]) {
    problems.push(
      `the first control plane changes from ${previous[0]} to ${desired[0]}: ${previous[0]} ran \`kubeadm init\` and must stay first in controlPlane.addresses/names.`,
    );
  }
  return problems;
}

/** Throws one message listing every problem (the program stops before any change). */
export function assertControlPlaneRemovalSafe(previous: string[], desired: string[]): void {
  const problems = controlPlaneRemovalProblems(previous, desired);
  if (problems.length > 0) {
    throw new Error(`control-plane change refused (previous: ${previous.join(", ")}; desired: ${desired.join(", ")}):\n- ${problems.join("\n- ")}`);
  }
}
