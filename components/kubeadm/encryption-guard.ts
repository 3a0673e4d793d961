// The encryption guard (encryption-rotation.ts) against this stack's own previous `encryption`
// output, read through the same self-StackReference as the membership and version guards.
import * as pulumi from "@pulumi/pulumi";
import type { ClusterSpec } from "../../stacks/spec";
import { formatProblems } from "../../stacks/validate";
import { encryptionChangeProblems, previousEncryption } from "./encryption-rotation";

/**
 * Refuses turning encryption at rest off or lowering its key generation before anything changes;
 * returns the previous output for the rotation steps (ClusterContext.previousEncryption).
 */
export async function refuseUnsafeEncryptionChange(spec: ClusterSpec, previous: pulumi.StackReference): Promise<unknown> {
  const output = await previous.getOutputValue("encryption");
  const problems = encryptionChangeProblems(previousEncryption(output), spec.kubernetes.encryption);
  if (problems.length > 0) throw new pulumi.RunError(formatProblems(problems));
  return output;
}
