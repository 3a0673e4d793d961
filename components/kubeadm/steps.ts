// The control plane's deployment as named steps, in order; each is a short function that takes
// what the earlier steps made and states, where it creates its resources, what it waits for:
//
//   bundles ─▶ credentials ─▶ pki ─▶ endpoint ─▶ init ─▶ control-plane joins ─▶ worker joins
//
// A join is three steps: token (on the first control plane), join (on the node), membership (on
// the first control plane). Day-2 steps (upgrade: upgrade.ts; renewal, node operations) go in as
// new functions and new lines in KubeadmControlPlane (control-plane.ts), not as branches inside these.
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { remote } from "@pulumi/command";
import { specAtVersion, type ClusterSpec } from "../../stacks/spec";
import { dayOneVersion, NO_HISTORY, type VersionHistory } from "../../stacks/upgrade";
import type { ClusterContext } from "../context";
import { addEndpointBundleArtifacts } from "../endpoint/bundles";
import { buildEndpointSteps, type EndpointSteps } from "../endpoint";
import type { PreparedNode } from "../node";
import { nodeStep } from "../node/steps";
import { remoteCommandLine } from "../remote/command-line";
import { addKubeadmBundleArtifacts, kubeadmBundle } from "./bundles";
import { createEncryptionKeys, encryptionKeyEnv } from "./encryption-key";
import { previousEncryption, readPhase, rotationPlan, type RotationPlan } from "./encryption-rotation";
import { apiServerFilesEnv } from "./hardening";
import { adoptedClusterPki, createClusterPki, pkiSecretEnv, type ClusterPki } from "./cluster-pki";
import { renderAdminKubeconfig } from "./kubeconfig";
import { adminEarlyRenewalHours } from "./renewal";
import { initConfigOf } from "./params";
import { BOOTSTRAP_TOKEN_ID_LENGTH, BOOTSTRAP_TOKEN_SECRET_LENGTH, formatBootstrapToken } from "./pki";
import { KUBEADM_TOKEN_ENV } from "./placeholders";

/** What every step reads: the description, the nodes by role, and the parameters they share. */
export interface ControlPlaneRun {
  ctx: ClusterContext;
  spec: ClusterSpec;
  parent: pulumi.Resource;
  /** `sudo -n bash -s` or `bash -s`. */
  commandLine: string;
  controlPlanes: PreparedNode[];
  /** Runs kubeadm init, then every token and membership step (it holds admin.conf). */
  first: PreparedNode;
  otherControlPlanes: PreparedNode[];
  workers: PreparedNode[];
  /** What the stack deployed before (stacks/upgrade.ts). */
  history: VersionHistory;
  /** The description at the version a node's day-1 steps keep: the one it was installed at, or the target for a new node. */
  specOf: (node: string) => ClusterSpec;
  /** Whether this update rotates the Secrets encryption key (encryption-rotation.ts). */
  rotation: RotationPlan;
  /** Parameters of init and every join. */
  common: { API_ENDPOINT_HOST: string; API_ENDPOINT_PORT: string; CONTROL_PLANE_ADDRESSES: string; RESET_STALE_STATE: string };
  /**
   * The apiservers a node's init or join probes when it fails (CONTROL_PLANE_ADDRESSES): the ones
   * already there when it runs. Init: the first control plane; a control-plane join: those before
   * it; a worker: the first (its fallback). Never the whole list: a control plane added or removed
   * later would change every init and join step's parameters and run them all again (docs/growth.md).
   */
  probedBy: (node: PreparedNode) => string;
}

export function controlPlaneRun(ctx: ClusterContext, nodes: PreparedNode[], parent: pulumi.Resource): ControlPlaneRun {
  const { spec } = ctx;
  const byName = new Map(nodes.map((node) => [node.machine.node.name, node]));
  const prepared = (node: { name: string }): PreparedNode => {
    const found = byName.get(node.name);
    if (!found) throw new Error(`node ${node.name} has no prepared machine`);
    return found;
  };
  const controlPlanes = spec.controlPlanes.map(prepared);
  const [first, ...otherControlPlanes] = controlPlanes;
  if (!first) throw new Error("a cluster needs at least one control plane");
  return {
    ctx,
    spec,
    parent,
    commandLine: remoteCommandLine(spec.ssh.user),
    controlPlanes,
    first,
    otherControlPlanes,
    workers: spec.workers.map(prepared),
    history: ctx.history ?? NO_HISTORY,
    rotation: rotationPlan(previousEncryption(ctx.previousEncryption), spec.kubernetes.encryption),
    specOf: (node) => specAtVersion(spec, dayOneVersion(ctx.history ?? NO_HISTORY, node, spec.kubernetes.version)),
    probedBy: (node) => {
      const index = controlPlanes.indexOf(node);
      return (index > 0 ? controlPlanes.slice(0, index) : [first]).map((cp) => cp.machine.node.address).join(",");
    },
    common: {
      API_ENDPOINT_HOST: spec.apiEndpoint.host,
      API_ENDPOINT_PORT: String(spec.apiEndpoint.port),
      CONTROL_PLANE_ADDRESSES: spec.controlPlanes.map((node) => node.address).join(","),
      RESET_STALE_STATE: String(spec.kubeadm.resetStaleState),
    },
  };
}

const nameOf = (node: PreparedNode): string => node.machine.node.name;

/** Step 1: every bundle once in the plan (scripts/control-plane/<script>.sh). */
export function addBundles(run: ControlPlaneRun): void {
  addKubeadmBundleArtifacts(run.ctx.artifacts);
  addEndpointBundleArtifacts(run.ctx.artifacts);
}

export interface Credentials {
  pki: ClusterPki;
  /** The operator's (and the add-ons' provider's) credential: it stays in Pulumi, no node gets it. */
  kubeconfig: pulumi.Output<string>;
  bootstrapToken: pulumi.Output<string>;
  /** The Secrets encryption keys (base64 of 32 random bytes) by generation, while kubernetes.encryption is on. */
  encryptionKeys?: ReadonlyMap<number, pulumi.Output<string>>;
}

/** Step 2: the PKI, the admin kubeconfig and the bootstrap token, all held by Pulumi; nothing to wait for. */
export function createCredentials(run: ControlPlaneRun): Credentials {
  const { spec, parent } = run;
  // The admin certificate is re-issued within the same window as the control planes' (renewal.ts).
  // An adopted cluster keeps its own CAs and service-account key (adoption-steps.ts).
  const pki = run.ctx.adoption
    ? adoptedClusterPki(spec.name, parent, run.ctx.adoption.report, adminEarlyRenewalHours(spec.kubernetes.certificates.renewBeforeDays))
    : createClusterPki(spec.name, parent, spec.protect, adminEarlyRenewalHours(spec.kubernetes.certificates.renewBeforeDays));
  const server = { host: spec.apiEndpoint.host, port: spec.apiEndpoint.port };
  const kubeconfig = pulumi.secret(
    pulumi
      .all([pki.ca.certPem, pki.adminCertPem, pki.adminKeyPem])
      .apply(([caCertPem, clientCertPem, clientKeyPem]) => renderAdminKubeconfig({ clusterName: spec.name, server, caCertPem, clientCertPem, clientKeyPem })),
  );
  // The id is public (it names the token's Secret); the secret part is a RandomPassword, whose
  // id is "none": a RandomString's id is its result, in plaintext in the state.
  const tokenRules = { special: false, upper: false, lower: true, numeric: true };
  const tokenId = new random.RandomString(`${spec.name}-bootstrap-token-id`, { length: BOOTSTRAP_TOKEN_ID_LENGTH, ...tokenRules }, { parent });
  const tokenSecret = new random.RandomPassword(`${spec.name}-bootstrap-token-secret`, { length: BOOTSTRAP_TOKEN_SECRET_LENGTH, ...tokenRules }, { parent });
  const bootstrapToken = pulumi.secret(pulumi.all([tokenId.result, tokenSecret.result]).apply(([id, secret]) => formatBootstrapToken({ id, secret })));
  return { pki, kubeconfig, bootstrapToken, ...(spec.kubernetes.encryption.enabled ? { encryptionKeys: createEncryptionKeys(spec, parent) } : {}) };
}

/** Step 3: the CAs on every control plane (also the stale-state guard), once the node is prepared. */
export function pkiSteps(run: ControlPlaneRun, credentials: Credentials): Map<string, remote.Command> {
  return new Map(
    run.controlPlanes.map((node) => {
      const nodeName = nameOf(node);
      // The read phase only for a control plane that joins while a rotation runs: one the stack
      // already had keeps its pki step's parameters at the final files, so the update after the
      // rotation does not run it again (its running apiserver's files change with its settings step).
      const rotation = run.ctx.history?.nodes.has(nodeName) ? undefined : readPhase(run.rotation);
      const step = nodeStep(
        `${nodeName}-pki`,
        {
          node,
          bundle: kubeadmBundle("pki"),
          commandLine: run.commandLine,
          // A control plane that is not running yet gets the apiserver's files here (a running one
          // from its settings step); during a rotation the read phase's, which reads either key.
          env: { NODE_NAME: nodeName, RESET_STALE_STATE: run.common.RESET_STALE_STATE, ...apiServerFilesEnv(run.spec, rotation) },
          secretEnv: { ...pkiSecretEnv(credentials.pki), ...encryptionKeyEnv(credentials, run.spec.kubernetes.encryption.keyGeneration, rotation) },
          dependsOn: node.ready,
          artifacts: run.ctx.artifacts,
          artifactPath: `nodes/${nodeName}/pki.env`,
        },
        { parent: run.parent },
      );
      return [nodeName, step] as const;
    }),
  );
}

/** Step 4: the API endpoint on every control plane (endpoint layer), after its preparation and PKI. */
export function endpointSteps(run: ControlPlaneRun, pki: ReadonlyMap<string, remote.Command>): EndpointSteps {
  return buildEndpointSteps({
    ctx: run.ctx,
    controlPlanes: run.controlPlanes,
    dependsOn: (node) => [...node.ready, pki.get(nameOf(node))!],
    parent: run.parent,
  });
}

/** What init and a control-plane join wait for on the node itself: preparation, PKI and endpoint. */
export interface OnNodeSteps {
  pki: ReadonlyMap<string, remote.Command>;
  endpoint: EndpointSteps;
}

export function readyOnNode(node: PreparedNode, steps: OnNodeSteps): pulumi.Resource[] {
  const onNode = [steps.pki.get(nameOf(node)), steps.endpoint.steps.get(nameOf(node))];
  return [...node.ready, ...onNode.filter((r): r is remote.Command => r !== undefined)];
}

/** Step 5: kubeadm init on the first control plane, after its preparation, PKI and endpoint. */
export function initStep(run: ControlPlaneRun, credentials: Credentials, onNode: OnNodeSteps): remote.Command {
  const { spec, first } = run;
  const firstName = nameOf(first);
  // At the version the cluster was initialised at: a version change must not re-run init.
  const initConfig = initConfigOf(run.specOf(firstName));
  run.ctx.artifacts.add("kubeadm-config", `kubeadm/${firstName}.yaml`, initConfig);
  const firstEndpoint = onNode.endpoint.configs.find((c) => c.node === firstName);
  return nodeStep(
    `${firstName}-init`,
    {
      node: first,
      bundle: kubeadmBundle("init"),
      commandLine: run.commandLine,
      env: {
        NODE_NAME: firstName,
        NODE_ADDRESS: first.machine.node.address,
        ENDPOINT_MODE: spec.apiEndpoint.mode,
        ...run.common,
        CONTROL_PLANE_ADDRESSES: run.probedBy(first),
        KUBEADM_CONFIG: initConfig,
        // kube-vip back on admin.conf once init has finished (only where init used super-admin.conf).
        ...(firstEndpoint?.kubeVipInit && firstEndpoint.kubeVip ? { KUBE_VIP_MANIFEST: firstEndpoint.kubeVip } : {}),
      },
      secretEnv: { [KUBEADM_TOKEN_ENV]: credentials.bootstrapToken },
      // The first control plane goes only with the cluster: its delete resets it, nothing more.
      deleteEnv: { KUBEADM_ACTION: "delete" },
      dependsOn: readyOnNode(first, onNode),
      artifacts: run.ctx.artifacts,
      artifactPath: `nodes/${firstName}/kubeadm-init.env`,
    },
    { parent: run.parent },
  );
}
