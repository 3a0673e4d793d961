// Day 2, control-plane settings (issue 20): a change of kubernetes.apiServer, encryption,
// podSecurity, etcd or the components' extra args rolls through the control planes one at a time
// (scripts/settings.sh), after every join, upgrade and certificate renewal:
//
//   <cp1>-settings ─▶ <cp2>-settings ─▶ <cp3>-settings
//   (upload-config: the kubeadm-config and kubelet-config ConfigMaps later joins read; then on
//    each: its apiserver files, kubeadm init phase control-plane / etcd local, each rewritten
//    static Pod restarted by kubelet and healthy, the API answering through the endpoint)
//
// Each step's trigger is the digest of what it renders: on a fresh cluster the steps run once
// after the joins and find every manifest as kubeadm wrote it (no-ops); a changed setting is what
// `pulumi preview` shows as these steps, in this order. A control plane joined later reads the
// uploaded configuration, and its PKI step writes the same files before its join.
import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import type { remote } from "@pulumi/command";
import type { ClusterSpec, NodeSpec } from "../../stacks/spec";
import type { PreparedNode } from "../node";
import { nodeStep } from "../node/steps";
import { kubeadmBundle } from "./bundles";
import { encryptionKeyEnv } from "./encryption-key";
import type { EncryptionState } from "./encryption-rotation";
import { apiServerFilesEnv, etcdArgsOf, type RotationPhase } from "./hardening";
import { phaseConfigOf, runningClusterProbes } from "./params";
import type { ControlPlaneRun, Credentials } from "./steps";

const nameOf = (node: PreparedNode): string => node.machine.node.name;

/**
 * The phase configuration's kubernetesVersion: settings.sh puts in the version the cluster runs
 * (its kubeadm-config ConfigMap), so an upgrade, which keeps every setting, re-runs no settings step.
 */
export const CLUSTER_VERSION_MARK = "onprem-k8s-cluster-version";

/** A control plane's phase configuration with the cluster's version left to the node. */
export function settingsPhaseConfig(spec: ClusterSpec, node: NodeSpec): string {
  const config = phaseConfigOf(spec, node);
  const marked = config.replace(/^kubernetesVersion: v\S+$/m, `kubernetesVersion: ${CLUSTER_VERSION_MARK}`);
  if (marked === config) throw new Error("the phase configuration has no kubernetesVersion line");
  return marked;
}

/** The digest of the cluster-wide settings a settings step applies (public: the key is a placeholder). */
export function settingsDigest(spec: ClusterSpec): string {
  const first = spec.controlPlanes[0];
  if (!first) throw new Error("a cluster needs at least one control plane");
  const rendered = [settingsPhaseConfig(spec, first), ...Object.values(apiServerFilesEnv(spec))].join("\n---\n");
  return createHash("sha256").update(rendered).digest("hex").slice(0, 16);
}

/** The parameters of one control plane's settings step (during a rotation: of its read or write phase). */
export function settingsEnv(spec: ClusterSpec, node: { name: string }, first: boolean, common: ControlPlaneRun["common"], rotation?: RotationPhase): Record<string, string> {
  const nodeSpec = spec.controlPlanes.find((cp) => cp.name === node.name);
  if (!nodeSpec) throw new Error(`${node.name} is not a control plane of ${spec.name}`);
  return {
    NODE_NAME: nodeSpec.name,
    NODE_ADDRESS: nodeSpec.address,
    API_ENDPOINT_HOST: common.API_ENDPOINT_HOST,
    API_ENDPOINT_PORT: common.API_ENDPOINT_PORT,
    CONTROL_PLANE_ADDRESSES: runningClusterProbes(spec, nodeSpec.name),
    KUBEADM_PHASE_CONFIG: settingsPhaseConfig(spec, nodeSpec),
    // The first uploads the configuration every later join and upgrade reads.
    UPLOAD_CONFIG: String(first),
    // etcd's manifest is rewritten only where the description tunes it: on a joined member the
    // phase's manifest differs from the join's in --initial-cluster alone, for no restart's worth.
    ETCD_PHASE: String(Object.keys(etcdArgsOf(spec)).length > 0),
    SETTINGS_DIGEST: `${settingsDigest(spec)}${rotation ? `-${rotation.phase}-${rotation.from}` : ""}`,
    ...apiServerFilesEnv(spec, rotation),
  };
}

export interface SettingsSteps {
  /** Every step in the order they run: a rotation's read, write and rewrite steps, then each control plane's settings step. */
  steps: remote.Command[];
  /** kubernetes.encryption, known once every step has finished (the stack's `encryption` output). */
  encryption: pulumi.Output<EncryptionState>;
}

/**
 * Step 9: each control plane's settings step, one after another, after `after` (joins, a pending
 * upgrade, renewal). While the key rotates (run.rotation), first each control plane's read phase, then each
 * one's write phase, then every Secret rewritten on the first; the settings steps then drop the old key.
 */
export function settingsSteps(run: ControlPlaneRun, credentials: Credentials, after: pulumi.Resource[]): SettingsSteps {
  const { spec } = run;
  const digest = settingsDigest(spec);
  const generation = spec.kubernetes.encryption.keyGeneration;
  const steps: remote.Command[] = [];
  const step = (name: string, node: PreparedNode, env: Record<string, string>, rotation?: RotationPhase) => {
    const nodeName = nameOf(node);
    steps.push(
      nodeStep(
        name,
        {
          node,
          bundle: kubeadmBundle("settings"),
          commandLine: run.commandLine,
          env,
          secretEnv: encryptionKeyEnv(credentials, generation, rotation),
          triggers: [digest, ...(rotation ? [`${rotation.from}->${generation}`] : [])],
          dependsOn: steps.length > 0 ? [steps.at(-1)!] : after,
          artifacts: run.ctx.artifacts,
          artifactPath: `nodes/${nodeName}/${name.slice(nodeName.length + 1)}.env`,
        },
        { parent: run.parent },
      ),
    );
  };
  const from = run.rotation.from;
  if (from !== undefined) {
    for (const phase of ["read", "write"] as const) {
      for (const node of run.controlPlanes) {
        step(`${nameOf(node)}-encryption-${phase}-${generation}`, node, settingsEnv(spec, { name: nameOf(node) }, node === run.first, run.common, { from, phase }), { from, phase });
      }
    }
    const write = { from, phase: "write" as const };
    step(`${nameOf(run.first)}-encryption-rewrite-${generation}`, run.first, { ...settingsEnv(spec, { name: nameOf(run.first) }, false, run.common, write), SETTINGS_ACTION: "rewrite-secrets" }, write);
  }
  for (const node of run.controlPlanes) step(`${nameOf(node)}-settings`, node, settingsEnv(spec, { name: nameOf(node) }, node === run.first, run.common));
  const { enabled, keyGeneration } = spec.kubernetes.encryption;
  const encryption = pulumi.all(steps.map((s) => s.id)).apply((): EncryptionState => ({ enabled, keyGeneration }));
  return { steps, encryption };
}
