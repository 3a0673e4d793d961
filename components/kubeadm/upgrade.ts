// The rolling upgrade (issue 17) as named steps, like day 1's (steps.ts, joins.ts): a change of
// cluster.kubernetes.version re-runs exactly these, in this order (scripts/upgrade.sh):
//
//   <cp1>-upgrade ─▶ <cp2>-upgrade ─▶ <cp3>-upgrade ─▶ batch 1: <w>-upgrade-drain ─▶ <w>-upgrade ─▶ <w>-upgrade-uncordon
//   (kubeadm upgrade   (kubeadm upgrade node, one                      (on cp1)            (on w)        (on cp1)
//    plan + apply)      at a time, each healthy first)     ─▶ batch 2 ... (kubernetes.upgrade.workerBatchSize workers at once)
//
// Each step's trigger is the target version: on a fresh cluster they are created once after the
// joins and find every node already there (no-ops); on a version change they are what `pulumi
// preview` shows. Every step reads the node's current version first, so a run that stopped
// resumes where it stopped. The nodes' own day-1 steps keep the version they were installed at
// (stacks/upgrade.ts), so nothing else re-runs.
import type * as pulumi from "@pulumi/pulumi";
import type { remote } from "@pulumi/command";
import { kubernetesRepoUrl } from "../node/params";
import { PACKAGE_FAMILY } from "../node/parts";
import type { PreparedNode } from "../node";
import { nodeStep } from "../node/steps";
import { kubeadmBundle } from "./bundles";
import { runningClusterProbes } from "./params";
import type { NodeJoin } from "./joins";
import type { ControlPlaneRun } from "./steps";
import type { ClusterSpec } from "../../stacks/spec";
import { upgradePending } from "../../stacks/upgrade";

/** How long a worker's drain may take before the upgrade stops, naming the pods that block it. */
export const UPGRADE_DRAIN_TIMEOUT_SECONDS = 600;

export interface WorkerUpgrade {
  node: PreparedNode;
  /** On the first control plane: cordon and drain (skipped when the worker already runs the target). */
  drain: remote.Command;
  /** On the worker: kubeadm upgrade node, packages, kubelet. */
  upgrade: remote.Command;
  /** On the first control plane: uncordon what an upgrade cordoned, once Ready at the target. */
  uncordon: remote.Command;
}

const nameOf = (node: PreparedNode): string => node.machine.node.name;

/**
 * The parameters of a node's upgrade steps: the target version and its minor's package repository,
 * and what the diagnostics probe. Only what must re-run the upgrade may change them: the probes are
 * the first control plane and the node's own (not every control plane), so growing or shrinking the
 * cluster re-runs no upgrade step.
 */
function upgradeEnv(spec: ClusterSpec, common: ControlPlaneRun["common"], node: string): Record<string, string> {
  return {
    KUBERNETES_VERSION: spec.kubernetes.version,
    KUBERNETES_REPO_URL: kubernetesRepoUrl(PACKAGE_FAMILY[spec.os.family], spec.kubernetes.version, spec.kubernetes.packageRepository),
    API_ENDPOINT_HOST: common.API_ENDPOINT_HOST,
    API_ENDPOINT_PORT: common.API_ENDPOINT_PORT,
    CONTROL_PLANE_ADDRESSES: runningClusterProbes(spec, node),
  };
}

function upgradeStep(
  run: ControlPlaneRun,
  name: string,
  node: PreparedNode,
  env: Record<string, string>,
  dependsOn: pulumi.Resource[],
  runOn?: PreparedNode,
): remote.Command {
  const nodeName = nameOf(node);
  return nodeStep(
    name,
    {
      node,
      ...(runOn ? { runOn } : {}),
      bundle: kubeadmBundle("upgrade"),
      commandLine: run.commandLine,
      env: { NODE_NAME: nodeName, ...upgradeEnv(run.spec, run.common, nodeName), ...env },
      triggers: [run.spec.kubernetes.version],
      dependsOn,
      artifacts: run.ctx.artifacts,
      artifactPath: `nodes/${nodeName}/${name.slice(nodeName.length + 1)}.env`,
    },
    { parent: run.parent },
  );
}

/**
 * The control planes in order, each after the one before: the first (`kubeadm upgrade apply`)
 * after init and every control-plane join, the others (`kubeadm upgrade node`) after the previous
 * control plane's upgrade and their own join.
 * `after`: what else the first waits for (an adoption's kubeconfig moves on the control planes).
 */
export function controlPlaneUpgrades(run: ControlPlaneRun, init: remote.Command, joins: NodeJoin[], after: pulumi.Resource[] = []): remote.Command[] {
  const first = upgradeStep(run, `${nameOf(run.first)}-upgrade`, run.first, { UPGRADE_ACTION: "first-control-plane", NODE_ADDRESS: run.first.machine.node.address }, [
    init,
    ...joins.flatMap((j) => [j.join, j.membership]),
    ...after,
  ]);
  const steps = [first];
  for (const j of joins) {
    steps.push(upgradeStep(run, `${nameOf(j.node)}-upgrade`, j.node, { UPGRADE_ACTION: "control-plane", NODE_ADDRESS: j.node.machine.node.address }, [steps.at(-1)!, j.membership]));
  }
  return steps;
}

/**
 * Workers in batches of kubernetes.upgrade.workerBatchSize, each batch after the one before, the
 * first after the control planes. Without a version change (a first deployment, a re-run) the
 * steps are no-ops and run side by side, so they do not lengthen a deployment with the number of
 * workers; the batches chain whenever the stack's recorded version differs from the target (the
 * recorded version moves only once every upgrade step has finished: program.ts).
 * `after`: what else the first batch waits for (an adoption's kubeconfig moves on the workers).
 */
export function workerUpgrades(run: ControlPlaneRun, controlPlaneUpgraded: remote.Command, joins: NodeJoin[], after: pulumi.Resource[] = []): WorkerUpgrade[][] {
  const size = upgradePending(run.history, run.spec.kubernetes.version) ? run.spec.kubernetes.upgrade.workerBatchSize : Math.max(joins.length, 1);
  const host = { HOST_NAME: nameOf(run.first), HOST_ADDRESS: run.first.machine.node.address };
  const batches: WorkerUpgrade[][] = [];
  let previous: pulumi.Resource[] = [controlPlaneUpgraded, ...after];
  for (let start = 0; start < joins.length; start += size) {
    const batch = joins.slice(start, start + size).map((j): WorkerUpgrade => {
      const name = nameOf(j.node);
      const drain = upgradeStep(run, `${name}-upgrade-drain`, j.node, { UPGRADE_ACTION: "drain", ...host, DRAIN_TIMEOUT_SECONDS: String(UPGRADE_DRAIN_TIMEOUT_SECONDS) }, [...previous, j.membership], run.first);
      const upgrade = upgradeStep(run, `${name}-upgrade`, j.node, { UPGRADE_ACTION: "worker" }, [drain]);
      const uncordon = upgradeStep(run, `${name}-upgrade-uncordon`, j.node, { UPGRADE_ACTION: "uncordon", ...host }, [upgrade], run.first);
      return { node: j.node, drain, upgrade, uncordon };
    });
    batches.push(batch);
    previous = batch.map((w) => w.uncordon);
  }
  return batches;
}
