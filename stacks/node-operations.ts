// Node operations, the pure part: which nodes an operation targets, in what batches it runs on
// them, and the two ready-made flows (seed 002) written out as the plain operations they are.
// Validation (rules/node-operations.ts) and the steps (components/node-operations/) share it.
import type { NodeOperationConfig, NodeOperationType } from "./schema-node-operations";
import type { EndpointSpec, NodeSpec } from "./spec";

/** The types a node or the API runs; the others are flows written out into these. */
export const BASIC_OPERATION_TYPES = ["file", "patch", "command", "labels", "taints", "wait"] as const satisfies readonly NodeOperationType[];
export type BasicOperationType = (typeof BASIC_OPERATION_TYPES)[number];
export type FlowType = Exclude<NodeOperationType, BasicOperationType>;

export type Strategy = "parallel" | "serial" | "batches";

/** One part of an operation as it runs on a node: a basic type. */
export interface BasicOperation extends Omit<NodeOperationConfig, "type" | "strategy" | "batchSize"> {
  type: BasicOperationType;
  /** Runs on the first control plane through the API (kubectl with admin.conf), about the target. */
  throughApi: boolean;
}

/**
 * An operation of the description as it runs: its targets in batches (strategy), and on each
 * batch its parts in order (one for a basic operation; a flow's parts each on those of the batch
 * its own targets keep) before the next batch starts.
 */
export interface OperationUnit {
  name: string;
  strategy: Strategy;
  batchSize: number;
  parts: BasicOperation[];
}

/** NodeLocal DNSCache's link-local address (as components/kubeadm/kubelet.ts's NODE_LOCAL_DNS_LINK_LOCAL_IP). */
export const NODE_LOCAL_DNS_ADDRESS = "169.254.20.10";

/** The labels a target selector sees on a node: its pool's labels, the role label, its host name. */
export function descriptionLabelsOf(node: NodeSpec): Record<string, string> {
  return {
    ...node.labels,
    ...(node.role === "control-plane" ? { "node-role.kubernetes.io/control-plane": "" } : {}),
    "kubernetes.io/hostname": node.name,
  };
}

/** The nodes an operation targets, in the description's order. */
export function targetNodes(targets: NodeOperationConfig["targets"], nodes: readonly NodeSpec[]): NodeSpec[] {
  if (!targets) return [...nodes];
  return nodes.filter((node) => {
    if (targets.roles && !targets.roles.includes(node.role)) return false;
    if (targets.pools && !targets.pools.includes(node.pool)) return false;
    if (targets.names && !targets.names.includes(node.name)) return false;
    if (targets.labels) {
      const labels = descriptionLabelsOf(node);
      if (!Object.entries(targets.labels).every(([key, value]) => labels[key] === value)) return false;
    }
    return true;
  });
}

/** The targets in the groups that run together, each group after the previous one. */
export function batchesOf<T>(targets: readonly T[], strategy: Strategy, batchSize = 1): T[][] {
  const size = strategy === "parallel" ? Math.max(targets.length, 1) : strategy === "serial" ? 1 : batchSize;
  const batches: T[][] = [];
  for (let i = 0; i < targets.length; i += size) batches.push(targets.slice(i, i + size));
  return batches;
}

const KUBELET_RESTART = "systemctl restart kubelet";

/** Restarts a static Pod's containers so it reads its kubeconfig again (kubelet starts them anew). */
const restartStaticPod = (component: string) => `for id in $(crictl ps --name '^${component}$' --quiet); do crictl stop "$id" >/dev/null; done`;

function basic(op: NodeOperationConfig, type: BasicOperationType, name: string, fields: Partial<NodeOperationConfig> = {}): BasicOperation {
  const { type: _type, strategy: _strategy, batchSize: _batchSize, ...common } = op;
  return { ...common, ...fields, name, type, throughApi: type === "labels" || type === "taints" };
}

function unit(op: NodeOperationConfig, parts: BasicOperation[], defaultStrategy: Strategy): OperationUnit {
  return { name: op.name, strategy: op.strategy ?? defaultStrategy, batchSize: op.batchSize ?? 1, parts };
}

/**
 * An operation as the plain operations it runs. A flow's parts share its targets, retries and
 * continueOnError, and are named `<name>-<part>`; a flow defaults to one node at a time, each
 * node's kubelet healthy again before the next node starts.
 */
export function expandOperation(op: NodeOperationConfig, endpoint: EndpointSpec): OperationUnit {
  switch (op.type) {
    case "nodelocaldns-kubelets": {
      // kubeadm writes `clusterDNS:` followed by one `- <address>` line; the only list of bare
      // addresses in the KubeletConfiguration it renders.
      const address = op.address ?? NODE_LOCAL_DNS_ADDRESS;
      return unit(op, [
        basic(op, "patch", `${op.name}-cluster-dns`, { path: "/var/lib/kubelet/config.yaml", match: "^- ([0-9]{1,3}[.]){3}[0-9]{1,3}$", replace: `- ${address}`, onChange: KUBELET_RESTART }),
        basic(op, "wait", `${op.name}-kubelet`, { for: "kubelet-healthy", timeoutSeconds: 120, intervalSeconds: 2 }),
      ], "serial");
    }
    case "kubeconfigs-to-endpoint": {
      const server = `https://${endpoint.host}:${endpoint.port}`;
      const match = "^( *server: )https://.*$";
      const replace = `\\1${server}`;
      // A part's own targets narrow the batch (itself from the operation's targets).
      const controlPlanesOnly = { roles: ["control-plane" as const] };
      return unit(op, [
        basic(op, "patch", `${op.name}-kubelet`, { path: "/etc/kubernetes/kubelet.conf", match, replace, onChange: KUBELET_RESTART }),
        basic(op, "patch", `${op.name}-controller-manager`, { targets: controlPlanesOnly, path: "/etc/kubernetes/controller-manager.conf", match, replace, onChange: restartStaticPod("kube-controller-manager") }),
        basic(op, "patch", `${op.name}-scheduler`, { targets: controlPlanesOnly, path: "/etc/kubernetes/scheduler.conf", match, replace, onChange: restartStaticPod("kube-scheduler") }),
        basic(op, "patch", `${op.name}-admin`, { targets: controlPlanesOnly, path: "/etc/kubernetes/admin.conf", match, replace }),
        basic(op, "wait", `${op.name}-healthy`, { for: "kubelet-healthy", timeoutSeconds: 120, intervalSeconds: 2 }),
      ], "serial");
    }
    default:
      return unit(op, [basic(op, op.type, op.name)], "parallel");
  }
}
