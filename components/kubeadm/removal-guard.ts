// The membership guard (membership.ts) against this stack's own previous outputs.
import * as pulumi from "@pulumi/pulumi";
import type { ClusterSpec } from "../../stacks/spec";
import { assertControlPlaneRemovalSafe, previousControlPlanes } from "./membership";

/**
 * Refuses unsafe control-plane removals (membership.ts) before anything is created: reads the
 * previous `nodes` output of this very stack and throws when the description would remove every
 * control plane, fall below quorum in one update, or change the first control plane. The program
 * awaits it before building the Cluster, so a refusal leaves everything as it was. Returns the
 * stack reference (a read resource the destroy guard also depends on).
 */
export async function refuseUnsafeControlPlaneRemoval(spec: ClusterSpec): Promise<pulumi.StackReference> {
  const previous = new pulumi.StackReference(`${spec.name}-previous-state`, { name: selfStackName() });
  const nodes: unknown = await previous.getOutputValue("nodes");
  try {
    assertControlPlaneRemovalSafe(previousControlPlanes(nodes), spec.controlPlanes.map((node) => node.name));
  } catch (error) {
    throw new pulumi.RunError(error instanceof Error ? error.message : String(error));
  }
  return previous;
}

/** The program's own stack, whose previous outputs tell which control planes exist now. */
export function selfStackName(): string {
  let organization = "organization"; // the DIY backends' organization name; mocks set none
  try {
    organization = pulumi.getOrganization();
  } catch {
    /* keep the default */
  }
  return `${organization}/${pulumi.getProject()}/${pulumi.getStack()}`;
}
