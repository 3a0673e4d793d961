// The Cluster component: wires the layers in dependency order and does nothing else.
//   machines -> node preparation -> control plane (endpoint, init, joins) -> add-ons -> acceptance checks
import * as pulumi from "@pulumi/pulumi";
import type { ClusterContext } from "./context";
import { createMachines, type Machine } from "./machines";
import { prepareNodes } from "./node";
import { buildControlPlane, type ControlPlane } from "./kubeadm";
import { installAddons } from "./addons";
import { acceptanceChecks, renderChecklists } from "./checks";
import { renderRestoreRunbooks } from "./addons/runbooks";

export class Cluster extends pulumi.ComponentResource {
  readonly machines: Machine[];
  readonly apiEndpoint: pulumi.Output<string>;
  readonly kubeconfig: pulumi.Output<string>;
  /** cluster.kubernetes.version once every node's upgrade step has finished (kubeadm/upgrade.ts). */
  readonly kubernetesVersion: pulumi.Output<string>;
  readonly certificates: ControlPlane["certificates"];
  /** The acceptance checks' report: per check that ran, its PASS line. */
  readonly acceptance: pulumi.Output<Record<string, string>>;

  constructor(name: string, ctx: ClusterContext, opts?: pulumi.ComponentResourceOptions) {
    super("onprem-k8s:index:Cluster", name, {}, opts);
    const { spec } = ctx;
    // No component is protected: the engine makes every child of a protected parent protected,
    // even one registered with `protect: false` (the SDK does not send an explicit false), which
    // blocked removing a worker's reachable step in prod. The machines and CAs protect
    // themselves; program.ts adds the destroy guard.
    this.machines = createMachines(ctx, { parent: this });
    const nodes = prepareNodes(ctx, this.machines, { parent: this });
    const controlPlane = buildControlPlane(ctx, nodes, { parent: this });
    const addons = installAddons(ctx, controlPlane, { parent: this });
    renderChecklists(ctx);
    renderRestoreRunbooks(ctx);
    this.acceptance = acceptanceChecks(ctx, controlPlane, addons.ready, { parent: this }).checks;

    this.apiEndpoint = pulumi.output(`https://${spec.apiEndpoint.host}:${spec.apiEndpoint.port}`);
    this.kubeconfig = pulumi.secret(controlPlane.kubeconfig);
    this.kubernetesVersion = controlPlane.upgradedVersion;
    this.certificates = controlPlane.certificates;
    this.registerOutputs({ apiEndpoint: this.apiEndpoint, kubeconfig: this.kubeconfig });
  }
}
