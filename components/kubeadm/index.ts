// Control-plane layer: PKI, API endpoint, kubeadm init, serial control-plane joins, parallel
// worker joins. Contract used by components/cluster.ts.
import * as pulumi from "@pulumi/pulumi";
import type { ClusterContext } from "../context";
import type { PreparedNode } from "../node";

export interface ControlPlane {
  /** Admin kubeconfig (client certificate in kubeadm:cluster-admins), a secret. */
  kubeconfig: pulumi.Output<string>;
  /** Completes when the API answers through its endpoint (after init). */
  apiReady: pulumi.Resource[];
  /** Completes when every node has joined. */
  allJoined: pulumi.Resource[];
}

export function buildControlPlane(ctx: ClusterContext, _nodes: PreparedNode[], _opts: pulumi.ComponentResourceOptions): ControlPlane {
  const endpoint = ctx.spec.apiEndpoint;
  return {
    kubeconfig: pulumi.secret(`# kubeconfig for https://${endpoint.host}:${endpoint.port} (control plane layer not wired yet)\n`),
    apiReady: [],
    allJoined: [],
  };
}
