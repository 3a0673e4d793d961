// Add-on layer: Helm releases and manifests on the cluster's own Kubernetes provider.
// Contract used by components/cluster.ts.
import type * as pulumi from "@pulumi/pulumi";
import type { ClusterContext } from "../context";
import type { ControlPlane } from "../kubeadm";

export interface Addons {
  /** Completes when every add-on is installed (acceptance checks wait for it). */
  ready: pulumi.Resource[];
}

export function installAddons(_ctx: ClusterContext, _controlPlane: ControlPlane, _opts: pulumi.ComponentResourceOptions): Addons {
  return { ready: [] };
}
