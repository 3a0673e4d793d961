// The Cluster component: wires the layers in dependency order and does nothing else.
//   machines -> node preparation -> control plane (endpoint, init, joins) -> add-ons -> node operations -> acceptance checks
import * as pulumi from "@pulumi/pulumi";
import type { ClusterContext } from "./context";
import { createMachines, type Machine } from "./machines";
import { prepareNodes } from "./node";
import { buildControlPlane, inspectAdoptedCluster, type ControlPlane } from "./kubeadm";
import { installAddons } from "./addons";
import { runNodeOperations } from "./node-operations";
import { acceptanceChecks, renderChecklists } from "./checks";
import { renderRestoreRunbooks } from "./addons/runbooks";

export class Cluster extends pulumi.ComponentResource {
  readonly machines: Machine[];
  readonly apiEndpoint: pulumi.Output<string>;
  readonly kubeconfig: pulumi.Output<string>;
  /** cluster.kubernetes.version once every node's upgrade step has finished (kubeadm/upgrade.ts). */
  readonly kubernetesVersion: pulumi.Output<string>;
  readonly certificates: ControlPlane["certificates"];
  /** kubernetes.encryption once every settings step has finished (kubeadm/settings.ts). */
  readonly encryption: ControlPlane["encryption"];
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
    // Adoption: the running control plane is read (and refused) before any node is touched.
    const adoption = spec.adoption ? inspectAdoptedCluster(spec, this.machines, ctx.artifacts, this, ctx.history) : undefined;
    const machines = adoption ? this.machines.map((machine) => ({ ...machine, ready: adoption.inspect })) : this.machines;
    const nodes = prepareNodes(ctx, machines, { parent: this });
    const controlPlane = buildControlPlane({ ...ctx, ...(adoption ? { adoption } : {}) }, nodes, { parent: this });
    const addons = installAddons(ctx, controlPlane, { parent: this });
    // The cluster as described first (every node joined, upgraded, its settings applied, the add-ons
    // ready), then the operations; the acceptance checks last, so none runs while a settings step
    // restarts an apiserver or an operation a kubelet.
    const settled = [...controlPlane.allJoined, ...controlPlane.controlPlaneUpgraded, ...controlPlane.settingsApplied, ...addons.ready];
    const operations = runNodeOperations(ctx, nodes, settled, { parent: this });
    renderChecklists(ctx);
    renderRestoreRunbooks(ctx);
    this.acceptance = acceptanceChecks(ctx, controlPlane, [...settled, ...(operations?.steps ?? [])], { parent: this }).checks;

    this.apiEndpoint = pulumi.output(`https://${spec.apiEndpoint.host}:${spec.apiEndpoint.port}`);
    this.kubeconfig = pulumi.secret(controlPlane.kubeconfig);
    this.kubernetesVersion = controlPlane.upgradedVersion;
    this.certificates = controlPlane.certificates;
    this.encryption = controlPlane.encryption;
    this.registerOutputs({ apiEndpoint: this.apiEndpoint, kubeconfig: this.kubeconfig });
  }
}
