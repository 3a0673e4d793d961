// The version guard (stacks/upgrade.ts) against this stack's own previous outputs, read through the
// same self-StackReference as the membership guard (removal-guard.ts).
import * as pulumi from "@pulumi/pulumi";
import type { ClusterSpec } from "../../stacks/spec";
import { formatProblems } from "../../stacks/validate";
import { versionChangeProblems, versionHistoryOf, type VersionHistory } from "../../stacks/upgrade";

/**
 * Reads the version the stack deployed and each node's installed version, and refuses a
 * downgrade, a skipped minor or control planes added during an upgrade before anything is
 * created. Returns the history the node and kubeadm layers render their steps with.
 */
export async function refuseUnsafeVersionChange(spec: ClusterSpec, previous: pulumi.StackReference): Promise<VersionHistory> {
  const [kubernetesVersion, nodes] = await Promise.all([previous.getOutputValue("kubernetesVersion"), previous.getOutputValue("nodes")]);
  const history = versionHistoryOf({ kubernetesVersion, nodes });
  const problems = versionChangeProblems(history, spec.kubernetes.version, spec.controlPlanes.map((node) => node.name));
  if (problems.length > 0) throw new pulumi.RunError(formatProblems(problems));
  return history;
}
