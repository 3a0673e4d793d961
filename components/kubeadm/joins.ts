// Steps 6 and 7 of the control plane (steps.ts): the joins. Each joining node gets three steps:
//   <node>-token       on the first control plane: the bootstrap token is valid (after init)
//   <node>-join        on the node, with the bootstrap token only; its delete is `kubeadm reset`
//   <node>-membership  on the first control plane: labels and taints; its delete drains the node,
//                      deletes it and removes its etcd member (by name) before the node's reset
// Control planes join one at a time, workers all at once. Control planes also LEAVE one at a time,
// the last first: each control plane's membership depends on the previous one's, and Pulumi
// deletes a resource before the ones it depends on, so when an update drops several (5 -> 3 -> 1,
// docs/growth.md) the last goes first, and each delete checks that the etcd members that stay are
// healthy before it removes its own.
import * as pulumi from "@pulumi/pulumi";
import type { remote } from "@pulumi/command";
import type { PreparedNode } from "../node";
import { nodeStep } from "../node/steps";
import { kubeadmBundle } from "./bundles";
import { BOOTSTRAP_TOKEN_TTL_SECONDS, joinParametersOf, nodeLabelsParam, nodeTaintsParam } from "./params";
import { KUBEADM_TOKEN_ENV } from "./placeholders";
import { upgradePending } from "../../stacks/upgrade";
import { readyOnNode, type ControlPlaneRun, type Credentials, type OnNodeSteps } from "./steps";

export interface NodeJoin {
  node: PreparedNode;
  token: remote.Command;
  join: remote.Command;
  /** After it the node is in the cluster, labelled and tainted. */
  membership: remote.Command;
}

/** Step 6: the other control planes, in order, each after init and the previous control plane's join. */
export function controlPlaneJoins(run: ControlPlaneRun, credentials: Credentials, init: remote.Command, onNode: OnNodeSteps): NodeJoin[] {
  const joined: Omit<NodeJoin, "membership">[] = [];
  let previousStep = init;
  let previousNode = run.first.machine.node;
  for (const node of run.otherControlPlanes) {
    // The token needs init only, so it stays off the serial chain.
    const token = tokenStep(run, credentials, node, init);
    // The previous join ends only once its apiserver and etcd member are healthy.
    const previous = { PREVIOUS_CONTROL_PLANE: previousNode.name, PREVIOUS_CONTROL_PLANE_ADDRESS: previousNode.address };
    const join = joinStep(run, credentials, node, previous, [previousStep, token, ...readyOnNode(node, onNode)]);
    joined.push({ node, token, join });
    previousStep = join;
    previousNode = node.machine.node;
  }
  // Each membership after the previous one's: deleted before it, so removals run last first, one at a
  // time (the lab showed the other direction deleting k8s-master-4 before k8s-master-5).
  const memberships: remote.Command[] = [];
  let previousMembership: remote.Command | undefined;
  for (const j of joined) {
    previousMembership = membershipStep(run, j.node, init, j.join, previousMembership ? [previousMembership] : []);
    memberships.push(previousMembership);
  }
  return joined.map((j, i) => ({ ...j, membership: memberships[i]! }));
}

/**
 * Step 7: every worker in parallel, after init, every endpoint, its own token and its preparation.
 * A worker added while the cluster is upgraded (installed at the new version) also waits for the
 * control planes' upgrade (`controlPlaneUpgraded`): a kubelet must not be newer than its apiserver.
 */
export function workerJoins(run: ControlPlaneRun, credentials: Credentials, init: remote.Command, onNode: OnNodeSteps, controlPlaneUpgraded: pulumi.Resource): NodeJoin[] {
  const endpoints = [...onNode.endpoint.steps.values()];
  const joinsAtNewVersion = upgradePending(run.history, run.spec.kubernetes.version);
  return run.workers.map((node) => {
    const token = tokenStep(run, credentials, node, init);
    const isNew = !run.history.nodes.has(node.machine.node.name);
    const afterUpgrade = joinsAtNewVersion && isNew ? [controlPlaneUpgraded] : [];
    const join = joinStep(run, credentials, node, {}, [init, ...endpoints, token, ...node.ready, ...afterUpgrade]);
    return { node, token, join, membership: membershipStep(run, node, init, join) };
  });
}

/** On the first control plane, once init is done: the bootstrap token is valid for this node's join. */
function tokenStep(run: ControlPlaneRun, credentials: Credentials, node: PreparedNode, init: remote.Command): remote.Command {
  const nodeName = node.machine.node.name;
  const first = run.first.machine.node;
  return nodeStep(
    `${nodeName}-token`,
    {
      node,
      runOn: run.first,
      bundle: kubeadmBundle("token"),
      commandLine: run.commandLine,
      env: { NODE_NAME: nodeName, HOST_NAME: first.name, HOST_ADDRESS: first.address, BOOTSTRAP_TOKEN_TTL_SECONDS: String(BOOTSTRAP_TOKEN_TTL_SECONDS) },
      secretEnv: { [KUBEADM_TOKEN_ENV]: credentials.bootstrapToken },
      dependsOn: [init],
      artifacts: run.ctx.artifacts,
      artifactPath: `nodes/${nodeName}/kubeadm-token.env`,
    },
    { parent: run.parent },
  );
}

/** On the node: kubeadm join with the bootstrap token only, after `dependsOn`; its delete is kubeadm reset. */
function joinStep(run: ControlPlaneRun, credentials: Credentials, node: PreparedNode, extraEnv: Record<string, string>, dependsOn: pulumi.Resource[]): remote.Command {
  const nodeSpec = node.machine.node;
  const { pki } = credentials;
  const parameters = pulumi.all([pki.discoveryHash, pki.ca.certPem]).apply(([hash, caCertPem]) => joinParametersOf(run.specOf(nodeSpec.name), nodeSpec, hash, caCertPem));
  run.ctx.artifacts.add("kubeadm-config", `kubeadm/${nodeSpec.name}.yaml`, parameters.apply((p) => p.KUBEADM_CONFIG!));
  run.ctx.artifacts.add("kubeadm-config", `kubeadm/${nodeSpec.name}.fallback.yaml`, parameters.apply((p) => p.KUBEADM_CONFIG_FALLBACK!));
  const parameter = (name: string) => parameters.apply((p) => p[name]!);
  return nodeStep(
    `${nodeSpec.name}-join`,
    {
      node,
      bundle: kubeadmBundle("join"),
      commandLine: run.commandLine,
      env: {
        NODE_NAME: nodeSpec.name,
        NODE_ADDRESS: nodeSpec.address,
        JOIN_ROLE: nodeSpec.role,
        ...run.common,
        CONTROL_PLANE_ADDRESSES: run.probedBy(node),
        ...extraEnv,
        KUBEADM_CONFIG: parameter("KUBEADM_CONFIG"),
        FALLBACK_API_HOST: parameter("FALLBACK_API_HOST"),
        KUBEADM_CONFIG_FALLBACK: parameter("KUBEADM_CONFIG_FALLBACK"),
        DISCOVERY_KUBECONFIG: parameter("DISCOVERY_KUBECONFIG"),
        DISCOVERY_KUBECONFIG_PATH: parameter("DISCOVERY_KUBECONFIG_PATH"),
      },
      secretEnv: { [KUBEADM_TOKEN_ENV]: credentials.bootstrapToken },
      deleteEnv: { KUBEADM_ACTION: "delete" },
      dependsOn,
      artifacts: run.ctx.artifacts,
      artifactPath: `nodes/${nodeSpec.name}/kubeadm-join.env`,
    },
    { parent: run.parent },
  );
}

/** On the first control plane, after init and the node's join: its labels and taints. */
function membershipStep(run: ControlPlaneRun, node: PreparedNode, init: remote.Command, join: remote.Command, after: remote.Command[] = []): remote.Command {
  const nodeSpec = node.machine.node;
  const first = run.first.machine.node;
  return nodeStep(
    `${nodeSpec.name}-membership`,
    {
      node,
      runOn: run.first,
      bundle: kubeadmBundle("membership"),
      commandLine: run.commandLine,
      env: {
        NODE_NAME: nodeSpec.name,
        JOIN_ROLE: nodeSpec.role,
        HOST_NAME: first.name,
        HOST_ADDRESS: first.address,
        ...(Object.keys(nodeSpec.labels).length > 0 ? { NODE_LABELS: nodeLabelsParam(nodeSpec) } : {}),
        ...(nodeSpec.role === "worker" && nodeSpec.taints.length > 0 ? { NODE_TAINTS: nodeTaintsParam(nodeSpec) } : {}),
      },
      // Removal: drain (strictly in prod), delete the Node, remove its etcd member by name.
      deleteEnv: { KUBEADM_ACTION: "delete", DRAIN_POLICY: run.spec.profile === "prod" ? "strict" : "best-effort" },
      dependsOn: [init, join, ...after],
      artifacts: run.ctx.artifacts,
      artifactPath: `nodes/${nodeSpec.name}/membership.env`,
    },
    { parent: run.parent },
  );
}
