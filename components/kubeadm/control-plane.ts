// The control-plane component: the steps of steps.ts and joins.ts, in order. Reading the
// constructor top to bottom is reading the deployment; each line says what the step waits for.
import * as pulumi from "@pulumi/pulumi";
import type { remote } from "@pulumi/command";
import type { ClusterContext } from "../context";
import type { PreparedNode } from "../node";
import { adoptionEndpointStep, adoptionKubeconfigSteps } from "./adoption-steps";
import { controlPlaneJoins, workerJoins } from "./joins";
import type { CertificatesOutput } from "./renewal";
import { certificateSteps, certificatesStackOutput } from "./renewal-steps";
import { addBundles, controlPlaneRun, createCredentials, endpointSteps, initStep, pkiSteps } from "./steps";
import type { EncryptionState } from "./encryption-rotation";
import { settingsSteps } from "./settings";
import { controlPlaneUpgrades, workerUpgrades, type WorkerUpgrade } from "./upgrade";
import { NO_HISTORY, upgradePending } from "../../stacks/upgrade";

export interface ControlPlane {
  /** Admin kubeconfig (client certificate in kubeadm:cluster-admins), a secret. */
  kubeconfig: pulumi.Output<string>;
  /** Completes when the API answers through its endpoint (after init). */
  apiReady: pulumi.Resource[];
  /** Completes when every node has joined. */
  allJoined: pulumi.Resource[];
  /**
   * Completes when the nodes that run the add-ons' workloads are in: init, and every worker joined,
   * labelled and tainted (add-ons select nodes by those labels). The other control planes are not
   * in it: they join one at a time beside the add-ons, which need only the API and somewhere to
   * schedule. Without workers the control planes are where pods run, so it is every join.
   */
  schedulable: pulumi.Resource[];
  /** Per node name: completes when that node is in the cluster (joined, labelled and tainted). */
  nodeJoined: ReadonlyMap<string, pulumi.Resource>;
  /**
   * While the version changes (stacks/upgrade.ts upgradePending): completes when every control
   * plane runs cluster.kubernetes.version (the last control plane's upgrade step). Empty
   * otherwise: the upgrade steps are no-ops then, and nothing needs to wait for them.
   */
  controlPlaneUpgraded: pulumi.Resource[];
  /** cluster.kubernetes.version, known once every upgrade step has finished (the stack's recorded version). */
  upgradedVersion: pulumi.Output<string>;
  /** When the control planes' and the admin kubeconfig's certificates expire; the renewal window. */
  certificates: pulumi.Output<CertificatesOutput>;
  /** kubernetes.encryption once every settings step has finished (the next update's rotation reads it). */
  encryption: pulumi.Output<EncryptionState>;
  /** Completes when every control plane runs the description's settings (the last settings step, which restarts an apiserver when they changed). */
  settingsApplied: pulumi.Resource[];
}

export class KubeadmControlPlane extends pulumi.ComponentResource {
  readonly kubeconfig: pulumi.Output<string>;
  readonly init: remote.Command;
  readonly controlPlaneJoins: remote.Command[];
  readonly workerJoins: remote.Command[];
  /** Per joining node (not the first control plane), on the first control plane. */
  readonly tokenSteps: remote.Command[];
  readonly membershipSteps: remote.Command[];
  /** Node name -> the step after which the node is in the cluster (init for the first). */
  readonly nodeJoined = new Map<string, pulumi.Resource>();
  /** The workers' membership steps: their labels and taints are in place once these are done. */
  readonly workerMemberships: remote.Command[];
  /** The rolling upgrade (upgrade.ts): control planes in order, then the workers' batches. */
  readonly controlPlaneUpgrades: remote.Command[];
  readonly workerUpgrades: WorkerUpgrade[][];
  /** Per control plane, in order: its certificates step (report, and renewal within the window). */
  readonly certificateSteps: Map<string, remote.Command>;
  readonly certificates: pulumi.Output<CertificatesOutput>;
  /** In order: a key rotation's steps, then each control plane's settings step (settings.ts), after every certificates step. */
  readonly settingsSteps: remote.Command[];
  readonly encryption: pulumi.Output<EncryptionState>;
  /** Adoption only: per node, its kubeconfigs moved to the endpoint (adoption-steps.ts). */
  readonly adoptionKubeconfigSteps: remote.Command[];

  constructor(name: string, ctx: ClusterContext, nodes: PreparedNode[], opts?: pulumi.ComponentResourceOptions) {
    super("onprem-k8s:kubeadm:ControlPlane", name, {}, opts);
    const run = controlPlaneRun(ctx, nodes, this);
    addBundles(run);
    const credentials = createCredentials(run); // held by Pulumi: waits for nothing
    this.kubeconfig = credentials.kubeconfig;
    const pki = pkiSteps(run, credentials); // each control plane once prepared
    const endpoint = endpointSteps(run, pki); // each control plane after its PKI
    this.init = initStep(run, credentials, { pki, endpoint }); // the first, after its PKI and endpoint
    // Adoption: the endpoint into the running cluster before anything joins (adoption-steps.ts).
    const adopted = ctx.adoption ? adoptionEndpointStep(run, ctx.adoption, [this.init, ...endpoint.steps.values()]) : undefined;
    const joinable = adopted ?? this.init; // what every token and join step waits for
    const controlPlanes = controlPlaneJoins(run, credentials, joinable, { pki, endpoint }); // one at a time
    this.nodeJoined.set(run.first.machine.node.name, this.init);
    for (const j of controlPlanes) this.nodeJoined.set(j.node.machine.node.name, j.membership);
    // Adoption: each control plane's kubeconfigs onto the endpoint, one at a time after its join,
    // before the upgrade and renewal steps (each restarts static Pods: adoption-steps.ts).
    const adoptedControlPlanes = adopted ? adoptionKubeconfigSteps(run, run.controlPlanes, adopted, this.nodeJoined) : [];
    this.controlPlaneUpgrades = controlPlaneUpgrades(run, this.init, controlPlanes, adoptedControlPlanes); // one at a time, after the joins
    const controlPlaneUpgraded = this.controlPlaneUpgrades.at(-1)!;
    const workers = workerJoins(run, credentials, joinable, { pki, endpoint }, controlPlaneUpgraded); // all at once, after every endpoint
    for (const j of workers) this.nodeJoined.set(j.node.machine.node.name, j.membership);
    // Adoption: then each worker's, one at a time after its join, before the worker upgrades.
    const adoptedWorkers = adopted ? adoptionKubeconfigSteps(run, run.workers, adoptedControlPlanes.at(-1) ?? adopted, this.nodeJoined) : [];
    this.workerUpgrades = workerUpgrades(run, controlPlaneUpgraded, workers, adoptedWorkers.slice(-1)); // in batches, after the control planes
    this.adoptionKubeconfigSteps = [...adoptedControlPlanes, ...adoptedWorkers];

    const joins = [...controlPlanes, ...workers];
    this.controlPlaneJoins = controlPlanes.map((j) => j.join);
    this.workerJoins = workers.map((j) => j.join);
    this.tokenSteps = joins.map((j) => j.token);
    this.membershipSteps = joins.map((j) => j.membership);
    this.workerMemberships = workers.map((j) => j.membership);
    const certificates = certificateSteps(run, ctx.previousCertificates, [this.init, ...this.controlPlaneJoins, ...adoptedControlPlanes]); // one control plane at a time, after every join
    this.certificateSteps = certificates.steps;
    this.certificates = certificatesStackOutput(run, certificates, credentials.pki.adminCertExpires);
    // One control plane at a time, after the renewal and a pending upgrade (both restart static
    // Pods); without a version change the upgrade steps are no-ops and nothing waits for them.
    const upgrading = upgradePending(run.history, ctx.spec.kubernetes.version) ? [controlPlaneUpgraded] : [];
    const settings = settingsSteps(run, credentials, [...upgrading, ...[...this.certificateSteps.values()].slice(-1)]);
    this.settingsSteps = settings.steps;
    this.encryption = settings.encryption;

    this.registerOutputs({ kubeconfig: this.kubeconfig, controlPlanes: ctx.spec.controlPlanes.map((node) => node.name) });
  }
}

export function buildControlPlane(ctx: ClusterContext, nodes: PreparedNode[], opts: pulumi.ComponentResourceOptions): ControlPlane {
  const controlPlane = new KubeadmControlPlane(`${ctx.spec.name}-control-plane`, ctx, nodes, opts);
  return {
    kubeconfig: controlPlane.kubeconfig,
    apiReady: [controlPlane.init],
    // Joined, and workers labelled/tainted: add-ons select nodes by those labels (MetalLB
    // speakers, ...). Control planes get no labels or taints from the program.
    allJoined: [controlPlane.init, ...controlPlane.controlPlaneJoins, ...controlPlane.workerJoins, ...controlPlane.workerMemberships],
    schedulable:
      controlPlane.workerJoins.length > 0
        ? [controlPlane.init, ...controlPlane.workerJoins, ...controlPlane.workerMemberships]
        : [controlPlane.init, ...controlPlane.controlPlaneJoins],
    nodeJoined: controlPlane.nodeJoined,
    controlPlaneUpgraded: upgradePending(ctx.history ?? NO_HISTORY, ctx.spec.kubernetes.version) ? controlPlane.controlPlaneUpgrades.slice(-1) : [],
    upgradedVersion: pulumi
      .all([...controlPlane.controlPlaneUpgrades, ...controlPlane.workerUpgrades.flat().map((w) => w.uncordon)].map((step) => step.id))
      .apply(() => ctx.spec.kubernetes.version),
    certificates: controlPlane.certificates,
    encryption: controlPlane.encryption,
    settingsApplied: controlPlane.settingsSteps.slice(-1),
  };
}
