// The control-plane settings of the description (stacks/schema-hardening.ts) as kubeadm renders
// them: flags and volumes of the static Pods (ClusterConfiguration), and the files the apiserver
// reads (audit policy, EncryptionConfiguration, AdmissionConfiguration, AuthenticationConfiguration).
// The PKI step writes the files on every control plane before its init or join, the settings step
// (settings.ts) before it rewrites a running one's manifests: every control plane, the first, each
// join and any added later, runs with the same ones. Pure.
import { stringify } from "yaml";
import type { ClusterSpec } from "../../stacks/spec";
import { secretPlaceholder } from "../remote/placeholders";
import type { ControlPlaneComponentsParams, HostPathMount } from "./config-components";
import { parseKubernetesVersion } from "./version";

/** Where the apiserver's configuration files live on every control plane (mounted read-only). */
export const APISERVER_CONFIG_DIR = "/etc/kubernetes/apiserver";
export const AUDIT_POLICY_PATH = `${APISERVER_CONFIG_DIR}/audit-policy.yaml`;
export const ENCRYPTION_CONFIG_PATH = `${APISERVER_CONFIG_DIR}/encryption.yaml`;
export const ADMISSION_CONFIG_PATH = `${APISERVER_CONFIG_DIR}/admission.yaml`;
export const AUTHENTICATION_CONFIG_PATH = `${APISERVER_CONFIG_DIR}/authentication.yaml`;
/** The audit log and its rotated files (mounted read-write). */
export const AUDIT_LOG_DIR = "/var/log/kubernetes/audit";
export const AUDIT_LOG_PATH = `${AUDIT_LOG_DIR}/audit.log`;

/** The encryption key's environment variable: the file carries only its placeholder. */
export const ENCRYPTION_KEY_ENV = "APISERVER_ENCRYPTION_KEY";
/** The name of the key in the EncryptionConfiguration (rotation adds the next generation's). */
export const encryptionKeyName = (generation: number): string => `onprem-k8s-${generation}`;

/**
 * Namespaces Pod Security Admission exempts whatever the levels: kubeadm's and every add-on's
 * whose Pods need host access (CNI agents, MetalLB's speaker, CSI node plugins, Velero's node
 * agent), by add-on choice. Written here, below the add-on layer; components/addons' test checks
 * that every privileged add-on namespace is in it.
 */
export function privilegedNamespacesOf(spec: Pick<ClusterSpec, "addons">): string[] {
  const { addons } = spec;
  const namespaces = ["kube-system"];
  if (addons.cni.type === "calico") namespaces.push("tigera-operator", "calico-system");
  if (addons.loadBalancer.type === "metallb") namespaces.push("metallb-system");
  if (addons.storage.type === "vsphere-csi") namespaces.push("vmware-system-csi");
  if (addons.backups.velero?.enabled) namespaces.push("velero");
  return namespaces;
}

/**
 * The audit policy: nothing for health checks, leases and the kubelets' and kube-proxy's constant
 * reads; Metadata (who, what, when, the answer's code; never a body) for everything else, so no
 * Secret, ConfigMap or token ever reaches the log.
 */
export function renderAuditPolicy(): string {
  const policy = {
    apiVersion: "audit.k8s.io/v1",
    kind: "Policy",
    // RequestReceived repeats every ResponseComplete line before it.
    omitStages: ["RequestReceived"],
    rules: [
      { level: "None", nonResourceURLs: ["/healthz*", "/livez*", "/readyz*", "/version", "/metrics", "/openapi*"] },
      { level: "None", resources: [{ group: "coordination.k8s.io", resources: ["leases"] }] },
      { level: "None", users: ["system:kube-proxy"], verbs: ["watch"], resources: [{ group: "", resources: ["endpoints", "services", "services/status"] }, { group: "discovery.k8s.io", resources: ["endpointslices"] }] },
      { level: "None", userGroups: ["system:nodes"], verbs: ["get", "list", "watch"], resources: [{ group: "", resources: ["nodes", "nodes/status", "pods", "configmaps", "secrets", "services", "endpoints"] }] },
      { level: "None", verbs: ["get", "list", "watch"], resources: [{ group: "", resources: ["events"] }, { group: "events.k8s.io", resources: ["events"] }] },
      // The catch-all below is Metadata too; this rule says so for the kinds that must never carry a body.
      { level: "Metadata", resources: [{ group: "", resources: ["secrets", "configmaps", "serviceaccounts/token"] }, { group: "authentication.k8s.io", resources: ["tokenreviews"] }] },
      { level: "Metadata", omitStages: ["RequestReceived"] },
    ],
  };
  return stringify(policy, { lineWidth: 0 });
}

/** A rotation in progress (encryption-rotation.ts): the generation it starts from and its phase. */
export interface RotationPhase {
  from: number;
  phase: "read" | "write";
}

/** The previous key's environment variable while a rotation runs. */
export const PREVIOUS_ENCRYPTION_KEY_ENV = "APISERVER_ENCRYPTION_KEY_PREVIOUS";

/**
 * Secrets encrypted with the key of `generation`, `identity` last so Secrets written before
 * encryption was on stay readable until they are rewritten. During a rotation both keys are
 * there, the one written with first. Keys are the placeholders ${APISERVER_ENCRYPTION_KEY} (and
 * ${APISERVER_ENCRYPTION_KEY_PREVIOUS}): the steps substitute them on the node, so this text is public.
 */
export function renderEncryptionConfiguration(provider: "aescbc" | "secretbox", generation = 1, rotation?: RotationPhase): string {
  const current = { name: encryptionKeyName(generation), secret: secretPlaceholder(ENCRYPTION_KEY_ENV) };
  const previous = rotation ? { name: encryptionKeyName(rotation.from), secret: secretPlaceholder(PREVIOUS_ENCRYPTION_KEY_ENV) } : undefined;
  const keys = !previous ? [current] : rotation!.phase === "read" ? [previous, current] : [current, previous];
  const config = {
    apiVersion: "apiserver.config.k8s.io/v1",
    kind: "EncryptionConfiguration",
    resources: [{ resources: ["secrets"], providers: [{ [provider]: { keys } }, { identity: {} }] }],
  };
  return stringify(config, { lineWidth: 0 });
}

export interface PodSecurityDefaults {
  enforce: string;
  audit: string;
  warn: string;
  exemptNamespaces: string[];
}

/** Whether Pod Security Admission needs a configuration at all (all privileged is the built-in default). */
export function podSecurityConfigured(levels: Pick<PodSecurityDefaults, "enforce" | "audit" | "warn">): boolean {
  return [levels.enforce, levels.audit, levels.warn].some((l) => l !== "privileged");
}

/** The PodSecurity plugin's cluster defaults and exemptions (AdmissionConfiguration). */
export function renderAdmissionConfiguration(levels: PodSecurityDefaults): string {
  const config = {
    apiVersion: "apiserver.config.k8s.io/v1",
    kind: "AdmissionConfiguration",
    plugins: [
      {
        name: "PodSecurity",
        configuration: {
          apiVersion: "pod-security.admission.config.k8s.io/v1",
          kind: "PodSecurityConfiguration",
          defaults: {
            enforce: levels.enforce,
            "enforce-version": "latest",
            audit: levels.audit,
            "audit-version": "latest",
            warn: levels.warn,
            "warn-version": "latest",
          },
          exemptions: { usernames: [], runtimeClasses: [], namespaces: [...new Set(levels.exemptNamespaces)].sort() },
        },
      },
    ],
  };
  return stringify(config, { lineWidth: 0 });
}

export type OidcSettings = NonNullable<ClusterSpec["kubernetes"]["apiServer"]["oidc"]>;

/**
 * The structured AuthenticationConfiguration: apiserver.config.k8s.io/v1 from 1.34 (GA),
 * v1beta1 before (beta, on by default since 1.30).
 */
export function authenticationConfigApiVersion(kubernetesVersion: string): string {
  const { minor } = parseKubernetesVersion(kubernetesVersion);
  return minor >= 34 ? "apiserver.config.k8s.io/v1" : "apiserver.config.k8s.io/v1beta1";
}

export function renderAuthenticationConfiguration(oidc: OidcSettings, kubernetesVersion: string): string {
  const claimMappings: Record<string, unknown> = { username: { claim: oidc.usernameClaim, prefix: oidc.usernamePrefix } };
  if (oidc.groupsClaim) claimMappings.groups = { claim: oidc.groupsClaim, prefix: oidc.groupsPrefix };
  const requiredClaims = Object.entries(oidc.requiredClaims).sort(([a], [b]) => a.localeCompare(b));
  const config = {
    apiVersion: authenticationConfigApiVersion(kubernetesVersion),
    kind: "AuthenticationConfiguration",
    jwt: [
      {
        issuer: { url: oidc.issuerUrl, audiences: [oidc.clientId], ...(oidc.caPem ? { certificateAuthority: oidc.caPem.trim() } : {}) },
        claimMappings,
        ...(requiredClaims.length > 0 ? { claimValidationRules: requiredClaims.map(([claim, requiredValue]) => ({ claim, requiredValue })) } : {}),
      },
    ],
  };
  return stringify(config, { lineWidth: 0 });
}

type Settings = Pick<ClusterSpec, "kubernetes" | "addons">;

/** The apiserver's files on every control plane, path to content ("" where a setting is off). */
export interface ApiServerFiles {
  auditPolicy: string;
  admission: string;
  authentication: string;
  /** With the key as ${APISERVER_ENCRYPTION_KEY}. */
  encryption: string;
}

export function apiServerFilesOf(spec: Settings, rotation?: RotationPhase): ApiServerFiles {
  const k = spec.kubernetes;
  return {
    auditPolicy: k.apiServer.audit.enabled ? renderAuditPolicy() : "",
    admission: podSecurityConfigured(k.podSecurity)
      ? renderAdmissionConfiguration({ ...k.podSecurity, exemptNamespaces: [...privilegedNamespacesOf(spec), ...k.podSecurity.exemptNamespaces] })
      : "",
    authentication: k.apiServer.oidc ? renderAuthenticationConfiguration(k.apiServer.oidc, k.version) : "",
    encryption: k.encryption.enabled ? renderEncryptionConfiguration(k.encryption.provider, k.encryption.keyGeneration, rotation) : "",
  };
}

const GIB = 1024 ** 3;

/** etcd's flags from kubernetes.etcd: only what the description sets, etcd's defaults otherwise. */
export function etcdArgsOf(spec: Settings): Record<string, string> {
  const etcd = spec.kubernetes.etcd;
  const args: Record<string, string> = { ...etcd.extraArgs };
  if (etcd.autoCompactionRetention !== undefined) {
    args["auto-compaction-mode"] = "periodic";
    args["auto-compaction-retention"] = etcd.autoCompactionRetention;
  }
  if (etcd.snapshotCount !== undefined) args["snapshot-count"] = String(etcd.snapshotCount);
  if (etcd.quotaBackendGiB !== undefined) args["quota-backend-bytes"] = String(Math.round(etcd.quotaBackendGiB * GIB));
  return args;
}

/** The apiserver's flags and mounts for the files apiServerFilesOf renders, and its extra args. */
export function apiServerArgsOf(spec: Settings): { extraArgs: Record<string, string>; extraVolumes: HostPathMount[] } {
  const k = spec.kubernetes;
  const files = apiServerFilesOf(spec);
  const args: Record<string, string> = { ...k.apiServer.extraArgs };
  const volumes: HostPathMount[] = [];
  if (files.auditPolicy) {
    Object.assign(args, {
      "audit-policy-file": AUDIT_POLICY_PATH,
      "audit-log-path": AUDIT_LOG_PATH,
      "audit-log-maxage": String(k.apiServer.audit.maxAgeDays),
      "audit-log-maxbackup": String(k.apiServer.audit.maxBackups),
      "audit-log-maxsize": String(k.apiServer.audit.maxSizeMiB),
    });
    volumes.push({ name: "audit-log", hostPath: AUDIT_LOG_DIR, mountPath: AUDIT_LOG_DIR, readOnly: false, pathType: "DirectoryOrCreate" });
  }
  if (files.encryption) args["encryption-provider-config"] = ENCRYPTION_CONFIG_PATH;
  if (files.admission) args["admission-control-config-file"] = ADMISSION_CONFIG_PATH;
  if (files.authentication) args["authentication-config"] = AUTHENTICATION_CONFIG_PATH;
  if (Object.values(files).some((text) => text !== "")) {
    volumes.unshift({ name: "apiserver-config", hostPath: APISERVER_CONFIG_DIR, mountPath: APISERVER_CONFIG_DIR, readOnly: true, pathType: "DirectoryOrCreate" });
  }
  return { extraArgs: args, extraVolumes: volumes };
}

/** Everything ClusterConfiguration carries for the control-plane components. */
export function controlPlaneComponentsOf(spec: Settings): ControlPlaneComponentsParams {
  return {
    apiServer: apiServerArgsOf(spec),
    controllerManager: { extraArgs: spec.kubernetes.controllerManager.extraArgs },
    scheduler: { extraArgs: spec.kubernetes.scheduler.extraArgs },
    etcd: { extraArgs: etcdArgsOf(spec) },
  };
}

/** The files as the PKI and settings steps' parameters (public: the key is a placeholder). */
export function apiServerFilesEnv(spec: Settings, rotation?: RotationPhase): Record<string, string> {
  const files = apiServerFilesOf(spec, rotation);
  return {
    APISERVER_AUDIT_POLICY: files.auditPolicy,
    APISERVER_ADMISSION_CONFIG: files.admission,
    APISERVER_AUTHENTICATION_CONFIG: files.authentication,
    APISERVER_ENCRYPTION_CONFIG: files.encryption,
  };
}
