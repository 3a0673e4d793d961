// Adoption of a hand-built single master (docs/adoption.md) as named steps around day 1's:
//
//   every machine reachable ─▶ <cp1>-adopt-inspect ─▶ every node's preparation ─▶ pki, endpoint, init (a no-op: it runs)
//     ─▶ <cp1>-adopt-endpoint ─▶ the joins ─▶ <cp1>-adopt-kubeconfigs ─▶ <node>-adopt-kubeconfigs ─▶ ... (one node at a time;
//        the control planes' before any upgrade or renewal step, the workers' before any worker upgrade: each restarts
//        the node's kubelet or static Pods, and two at once on a node took each other's held manifests on the lab)
//
// The inspect step reads the running control plane and refuses (a version other than the
// description's, an external etcd, no kubeadm control plane, more than one etcd member) before
// anything changes anywhere: every node's preparation waits for it. Its output, a Pulumi secret,
// is the stack's PKI (cluster-pki.ts adoptedClusterPki). The endpoint step puts the endpoint into
// the cluster (apiserver certificate, kubeadm-config, cluster-info, kube-proxy); the joins wait for
// it (they discover the cluster through cluster-info); then each node's kubeconfigs move to the
// endpoint, one node at a time. The rollback commands of each phase are a plan artifact.
import * as pulumi from "@pulumi/pulumi";
import type { remote } from "@pulumi/command";
import type { ClusterSpec } from "../../stacks/spec";
import { NO_HISTORY, dayOneVersion, type VersionHistory } from "../../stacks/upgrade";
import type { ArtifactSink } from "../artifacts";
import type { AdoptedCluster } from "../context";
import type { Machine } from "../machines";
import type { PreparedNode } from "../node";
import { nodeStep } from "../node/steps";
import { remoteCommandLine } from "../remote/command-line";
import { parsedStepOutput } from "../remote/preview";
import { scriptStep } from "../remote/script-step";
import { adoptionBundle } from "./bundles";
import { adoptionKubeadmConfig, adoptionRollback, endpointSans, parseAdoptionReport } from "./adoption";
import type { ControlPlaneRun } from "./steps";

export type { AdoptedCluster } from "../context";

/** Step 0 of an adoption: the inspect step on the running control plane, after every machine answers. */
export function inspectAdoptedCluster(spec: ClusterSpec, machines: Machine[], artifacts: ArtifactSink, parent: pulumi.Resource, history: VersionHistory = NO_HISTORY): AdoptedCluster {
  const first = machines.find((m) => m.node.name === spec.adoption!.controlPlane);
  if (!first) throw new Error(`the adopted control plane ${spec.adoption!.controlPlane} has no machine`);
  artifacts.add("checklist", "adoption/rollback.md", adoptionRollback(spec));
  const inspect = scriptStep(
    `${first.node.name}-adopt-inspect`,
    {
      host: { name: first.node.name, connection: first.connection },
      bundle: adoptionBundle("adopt-inspect"),
      commandLine: remoteCommandLine(spec.ssh.user),
      env: {
        NODE_NAME: first.node.name,
        NODE_ADDRESS: first.node.address,
        // The version it was adopted at: a later upgrade changes nothing here (the step only reports once adopted).
        KUBERNETES_VERSION: dayOneVersion(history, first.node.name, spec.kubernetes.version),
        API_ENDPOINT_HOST: spec.apiEndpoint.host,
        API_ENDPOINT_PORT: String(spec.apiEndpoint.port),
      },
      triggers: [first.platformId],
      dependsOn: machines.map((m) => m.ready),
      artifacts,
      artifactPath: `nodes/${first.node.name}/adopt-inspect.env`,
      // Its output is the cluster's CA and service-account keys.
      secretOutput: true,
    },
    { parent },
  );
  // (after a refused run the state keeps the failed step's empty output, which a preview shows)
  return { inspect, report: pulumi.secret(parsedStepOutput(inspect.stdout, parseAdoptionReport)) };
}

export interface AdoptionSteps {
  /** After it the cluster names the endpoint everywhere: the joins wait for it. */
  endpoint: remote.Command;
  /** Per node, in the description's order, chained: its kubeconfigs on the endpoint. */
  kubeconfigs: remote.Command[];
}

const nameOf = (node: PreparedNode): string => node.machine.node.name;

/** The endpoint into the cluster, on the adopted control plane, after init (which finds it running) and its endpoint step. */
export function adoptionEndpointStep(run: ControlPlaneRun, adopted: AdoptedCluster, after: pulumi.Resource[]): remote.Command {
  const { spec, first } = run;
  return nodeStep(
    `${nameOf(first)}-adopt-endpoint`,
    {
      node: first,
      bundle: adoptionBundle("adopt-endpoint"),
      commandLine: run.commandLine,
      env: {
        NODE_NAME: nameOf(first),
        NODE_ADDRESS: first.machine.node.address,
        API_ENDPOINT_HOST: run.common.API_ENDPOINT_HOST,
        API_ENDPOINT_PORT: run.common.API_ENDPOINT_PORT,
        ENDPOINT_SANS: endpointSans(spec).join(","),
        BACKUP_DIR: spec.adoption!.backupDir,
      },
      // The cluster's ClusterConfiguration comes from the inspect step's secret output.
      secretEnv: { ADOPTION_KUBEADM_CONFIG: adopted.report.apply((r) => adoptionKubeadmConfig(spec, r.clusterConfiguration)) },
      dependsOn: after,
      artifacts: run.ctx.artifacts,
      artifactPath: `nodes/${nameOf(first)}/adopt-endpoint.env`,
    },
    { parent: run.parent },
  );
}

/**
 * The kubeconfigs of `nodes` onto the endpoint, one node at a time after `previous` (the endpoint
 * step, or the last node's step), each after its own join (`joined`).
 */
export function adoptionKubeconfigSteps(run: ControlPlaneRun, nodes: PreparedNode[], previousStep: pulumi.Resource, joined: ReadonlyMap<string, pulumi.Resource>): remote.Command[] {
  const steps: remote.Command[] = [];
  let previous = previousStep;
  for (const node of nodes) {
    const name = nameOf(node);
    const step = nodeStep(
      `${name}-adopt-kubeconfigs`,
      {
        node,
        bundle: adoptionBundle("adopt-kubeconfigs"),
        commandLine: run.commandLine,
        env: {
          NODE_NAME: name,
          NODE_ADDRESS: node.machine.node.address,
          NODE_ROLE: node.machine.node.role,
          API_ENDPOINT_HOST: run.common.API_ENDPOINT_HOST,
          API_ENDPOINT_PORT: run.common.API_ENDPOINT_PORT,
          BACKUP_DIR: run.spec.adoption!.backupDir,
        },
        dependsOn: [previous, ...(joined.get(name) ? [joined.get(name)!] : [])],
        artifacts: run.ctx.artifacts,
        artifactPath: `nodes/${name}/adopt-kubeconfigs.env`,
      },
      { parent: run.parent },
    );
    steps.push(step);
    previous = step;
  }
  return steps;
}
