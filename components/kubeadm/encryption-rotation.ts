// Secrets encryption key rotation, the pure part: from what this stack deployed last time (its
// previous `encryption` output) and the description, whether this update rotates the key, and what
// it refuses. Rotating from generation p to g runs, one control plane at a time each:
//
//   read  [key p, key g, identity]   every apiserver can read what any of them writes next
//   write [key g, key p, identity]   new Secrets are written with key g
//   rewrite                          every Secret read and written again: now under key g
//   final [key g, identity]          key p dropped (the settings steps)
//
// The exported generation moves only once every step has finished, so a rotation that stopped is
// still one on the next run; every step is safe to repeat.
import { z } from "zod";
import type { Problem } from "../../stacks/validate";
import type { RotationPhase } from "./hardening";

export interface EncryptionState {
  enabled: boolean;
  keyGeneration: number;
}

const previousSchema = z.object({ enabled: z.boolean(), keyGeneration: z.number().int().min(1) });

/** The previous `encryption` output; undefined on a first deployment or a stack from before it existed. */
export function previousEncryption(output: unknown): EncryptionState | undefined {
  const parsed = previousSchema.safeParse(output);
  return parsed.success ? parsed.data : undefined;
}

export interface RotationPlan {
  /** The generation whose key the rotation starts from; undefined when nothing rotates. */
  from?: number;
  to: number;
}

export function rotationPlan(previous: EncryptionState | undefined, current: EncryptionState): RotationPlan {
  if (!current.enabled || !previous?.enabled || previous.keyGeneration >= current.keyGeneration) return { to: current.keyGeneration };
  return { from: previous.keyGeneration, to: current.keyGeneration };
}

/** The read phase of a pending rotation, for control planes that join while it runs. */
export function readPhase(plan: RotationPlan): RotationPhase | undefined {
  return plan.from !== undefined ? { from: plan.from, phase: "read" } : undefined;
}

const FIELD = "cluster.kubernetes.encryption";

/**
 * What an update must not do to encrypted Secrets: turn encryption off (the apiservers would meet
 * Secrets they cannot read) or lower the key generation (back to a key that no longer encrypts
 * anything, and off the one that does).
 */
export function encryptionChangeProblems(previous: EncryptionState | undefined, current: EncryptionState): Problem[] {
  if (!previous?.enabled) return [];
  if (!current.enabled) {
    return [{ path: `${FIELD}.enabled`, value: false, problem: "encryption at rest was on: the Secrets in etcd are encrypted, and the apiservers could not read them without the key", fix: `keep ${FIELD}.enabled: true (turning it off needs every Secret decrypted first, which the program does not do)`, severity: "error" }];
  }
  if (current.keyGeneration < previous.keyGeneration) {
    return [{ path: `${FIELD}.keyGeneration`, value: current.keyGeneration, problem: `the Secrets are encrypted with key generation ${previous.keyGeneration}; a lower generation would drop that key`, fix: `set ${FIELD}.keyGeneration: ${previous.keyGeneration} (or ${previous.keyGeneration + 1} to rotate)`, severity: "error" }];
  }
  return [];
}
