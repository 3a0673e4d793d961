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
import type * as pulumi from "@pulumi/pulumi";
import type { remote } from "@pulumi/command";
import type { ClusterSpec } from "../../stacks/spec";
import type { PreparedNode } from "../node";
import { nodeStep } from "../node/steps";
import { kubeadmBundle } from "./bundles";
import { encryptionKeyEnv } from "./encryption-key";
import { apiServerFilesEnv, etcdArgsOf } from "./hardening";
import { phaseConfigOf } from "./params";
import type { ControlPlaneRun, Credentials } from "./steps";

const nameOf = (node: PreparedNode): string => node.machine.node.name;

/** The digest of the cluster-wide settings a settings step applies (public: the key is a placeholder). */
export function settingsDigest(spec: ClusterSpec): string {
  const first = spec.controlPlanes[0];
  if (!first) throw new Error("a cluster needs at least one control plane");
  const rendered = [phaseConfigOf(spec, first), ...Object.values(apiServerFilesEnv(spec))].join("\n---\n");
  return createHash("sha256").update(rendered).digest("hex").slice(0, 16);
}

/** The parameters of one control plane's settings step. */
export function settingsEnv(spec: ClusterSpec, node: { name: string }, first: boolean, common: ControlPlaneRun["common"]): Record<string, string> {
  const nodeSpec = spec.controlPlanes.find((cp) => cp.name === node.name);
  if (!nodeSpec) throw new Error(`${node.name} is not a control plane of ${spec.name}`);
  return {
    NODE_NAME: nodeSpec.name,
    NODE_ADDRESS: nodeSpec.address,
    API_ENDPOINT_HOST: common.API_ENDPOINT_HOST,
    API_ENDPOINT_PORT: common.API_ENDPOINT_PORT,
    CONTROL_PLANE_ADDRESSES: common.CONTROL_PLANE_ADDRESSES,
    KUBEADM_PHASE_CONFIG: phaseConfigOf(spec, nodeSpec),
    // The first uploads the configuration every later join and upgrade reads.
    UPLOAD_CONFIG: String(first),
    // etcd's manifest is rewritten only where the description tunes it: on a joined member the
    // phase's manifest differs from the join's in --initial-cluster alone, for no restart's worth.
    ETCD_PHASE: String(Object.keys(etcdArgsOf(spec)).length > 0),
    SETTINGS_DIGEST: settingsDigest(spec),
    ...apiServerFilesEnv(spec),
  };
}

/** Step 9: each control plane's settings step, one after another, after `after` (joins, upgrade, renewal). */
export function settingsSteps(run: ControlPlaneRun, credentials: Credentials, after: pulumi.Resource[]): remote.Command[] {
  const digest = settingsDigest(run.spec);
  const steps: remote.Command[] = [];
  for (const node of run.controlPlanes) {
    const nodeName = nameOf(node);
    steps.push(
      nodeStep(
        `${nodeName}-settings`,
        {
          node,
          bundle: kubeadmBundle("settings"),
          commandLine: run.commandLine,
          env: settingsEnv(run.spec, { name: nodeName }, node === run.first, run.common),
          secretEnv: encryptionKeyEnv(credentials),
          triggers: [digest],
          dependsOn: [...after, ...steps.slice(-1)],
          artifacts: run.ctx.artifacts,
          artifactPath: `nodes/${nodeName}/settings.env`,
        },
        { parent: run.parent },
      ),
    );
  }
  return steps;
}
