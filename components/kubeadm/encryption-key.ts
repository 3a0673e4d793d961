// The key Secrets are encrypted with at rest (kubernetes.encryption): 32 random bytes Pulumi
// generates and keeps as a secret; no node gets it but the control planes, on a step's stdin.
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { ClusterSpec } from "../../stacks/spec";
import { ENCRYPTION_KEY_ENV } from "./hardening";

/** aescbc takes 16, 24 or 32 bytes, secretbox exactly 32: 32 serves both. */
export const ENCRYPTION_KEY_BYTES = 32;

/**
 * RandomBytes' base64 is a secret output (its id is not the value). `protect` (prod) guards it:
 * a lost key makes every Secret written since encryption went on unreadable.
 */
export function createEncryptionKey(spec: Pick<ClusterSpec, "name" | "protect">, parent: pulumi.Resource): pulumi.Output<string> {
  const key = new random.RandomBytes(`${spec.name}-secrets-encryption-key`, { length: ENCRYPTION_KEY_BYTES }, { parent, protect: spec.protect, additionalSecretOutputs: ["base64", "hex"] });
  return pulumi.secret(key.base64);
}

/** The key as the PKI and settings steps read it (apiserver-files.sh), when encryption is on. */
export function encryptionKeyEnv(credentials: { encryptionKey?: pulumi.Output<string> }): Record<string, pulumi.Input<string>> {
  return credentials.encryptionKey ? { [ENCRYPTION_KEY_ENV]: credentials.encryptionKey } : {};
}
