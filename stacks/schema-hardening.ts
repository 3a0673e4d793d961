// The control-plane settings of the description (issue 20), fields of `kubernetes`: OIDC and audit
// logging for the apiserver, Secrets encryption at rest, Pod Security Admission defaults, etcd
// tuning and validated pass-through flags. kubeadm renders them into every control plane's static
// Pod manifests (components/kubeadm/hardening.ts), the first, every join and any added later.
import { z } from "zod";
import * as formats from "./hardening-formats";
import { checked } from "./schema-primitives";

/** Flags the program sets from the fields above them: set them there, not as extra args. */
export const MANAGED_FLAGS: Record<ExtraArgsComponent, Record<string, string>> = {
  apiServer: {
    "audit-policy-file": "kubernetes.apiServer.audit",
    "audit-log-path": "kubernetes.apiServer.audit",
    "audit-log-maxage": "kubernetes.apiServer.audit.maxAgeDays",
    "audit-log-maxbackup": "kubernetes.apiServer.audit.maxBackups",
    "audit-log-maxsize": "kubernetes.apiServer.audit.maxSizeMiB",
    "encryption-provider-config": "kubernetes.encryption",
    "authentication-config": "kubernetes.apiServer.oidc",
    "admission-control-config-file": "kubernetes.podSecurity",
    "oidc-issuer-url": "kubernetes.apiServer.oidc.issuerUrl",
    "oidc-client-id": "kubernetes.apiServer.oidc.clientId",
    "oidc-username-claim": "kubernetes.apiServer.oidc.usernameClaim",
    "oidc-groups-claim": "kubernetes.apiServer.oidc.groupsClaim",
    "oidc-ca-file": "kubernetes.apiServer.oidc.caPem",
    "advertise-address": "controlPlane.addresses",
  },
  controllerManager: {},
  scheduler: {},
  etcd: {
    "auto-compaction-mode": "kubernetes.etcd.autoCompactionRetention",
    "auto-compaction-retention": "kubernetes.etcd.autoCompactionRetention",
    "snapshot-count": "kubernetes.etcd.snapshotCount",
    "quota-backend-bytes": "kubernetes.etcd.quotaBackendGiB",
  },
  kubelet: {
    "node-ip": "controlPlane.addresses / workerPools[].addresses",
    "cloud-provider": "addons.storage (vsphere-csi sets it)",
    "anonymous-auth": "nothing: anonymous kubelet access stays off",
    "authorization-mode": "nothing: kubelet authorization stays Webhook",
  },
};

export type ExtraArgsComponent = "apiServer" | "controllerManager" | "scheduler" | "etcd" | "kubelet";

const COMPONENT_BINARY: Record<ExtraArgsComponent, string> = {
  apiServer: "kube-apiserver",
  controllerManager: "kube-controller-manager",
  scheduler: "kube-scheduler",
  etcd: "etcd",
  kubelet: "kubelet",
};

/** Flags passed to a component as they are: names and values checked as kubeadm renders them. */
function extraArgs(component: ExtraArgsComponent) {
  const binary = COMPONENT_BINARY[component];
  return z
    .record(z.string(), z.string())
    .default({})
    .superRefine((args, ctx) => {
      for (const [name, value] of Object.entries(args)) {
        const nameProblem = formats.flagNameProblem(name);
        if (nameProblem) {
          ctx.addIssue({ code: "custom", path: [name], message: `flag name "${name}": ${nameProblem}`, params: { fix: `write the ${binary} flag as its name and value, e.g. ${component === "kubelet" ? "max-pods" : "v"}: "${component === "kubelet" ? "200" : "2"}"` } });
          continue;
        }
        const managedBy = MANAGED_FLAGS[component][name];
        if (managedBy) {
          ctx.addIssue({ code: "custom", path: [name], message: `--${name} is set by the program from ${managedBy}`, params: { fix: `remove ${name} here${managedBy.startsWith("nothing") ? "" : ` and set ${managedBy} instead`}` } });
          continue;
        }
        const valueProblem = formats.flagValueProblem(value);
        if (valueProblem) ctx.addIssue({ code: "custom", path: [name], message: valueProblem, params: { fix: `write --${name}'s value on one line` } });
      }
    })
    .describe(`extra ${binary} flags, name (without --) to value, on every ${component === "kubelet" ? "node" : "control plane"}; the ${binary} of the cluster's version refuses to start with a flag it does not know`);
}

const claim = (fix: string) => checked(formats.claimProblem, fix);
const prefix = checked(formats.claimPrefixProblem, 'use a short prefix ending in ":", e.g. "oidc:", or "" for none');

const oidcSchema = z
  .strictObject({
    issuerUrl: checked(formats.oidcIssuerProblem, "write the issuer exactly as the identity provider puts it into `iss`, e.g. https://sso.example.internal/realms/k8s").describe("OIDC issuer URL (https; exactly the ID tokens' `iss`)"),
    clientId: checked((v) => (v.trim() === "" ? "is empty" : undefined), "write the client ID registered for Kubernetes at the identity provider, e.g. kubernetes").describe("client ID: the audience ID tokens must carry"),
    usernameClaim: claim("name one claim, e.g. email or preferred_username").default("sub").describe("claim holding the user name"),
    usernamePrefix: prefix.default("oidc:").describe('prefix of OIDC user names (keeps them apart from other users); "" for none'),
    groupsClaim: claim("name one claim, e.g. groups").optional().describe("claim holding the user's groups; unset: no groups from tokens"),
    groupsPrefix: prefix.default("oidc:").describe('prefix of OIDC group names; "" for none'),
    caPem: checked(formats.pemCertificatesProblem, "paste the PEM certificate of the CA that signed the issuer's TLS certificate").optional().describe("PEM of the CA the issuer's TLS certificate chains to; unset: the host's trust store"),
    requiredClaims: z.record(checked(formats.claimProblem, "name one claim, e.g. hd"), z.string()).default({}).describe("claims every ID token must carry with exactly this value"),
  })
  .describe("OIDC login for the apiserver (a structured AuthenticationConfiguration on every control plane)");

const auditSchema = z
  .strictObject({
    enabled: z.boolean().default(false).describe("write an audit log on every control plane (profile default: prod on, poc off)"),
    maxAgeDays: z.number().int().min(1).max(3650).default(30).describe("days an audit log file is kept"),
    maxBackups: z.number().int().min(1).max(1000).default(10).describe("rotated audit log files kept"),
    maxSizeMiB: z.number().int().min(1).max(10240).default(100).describe("size in MiB at which the audit log rotates"),
  })
  .describe("audit logging: /var/log/kubernetes/audit/audit.log on every control plane, policy docs/hardening.md (metadata for most requests, none for health checks and noisy reads, never Secret bodies)");

const apiServerSchema = z
  .strictObject({
    oidc: oidcSchema.optional(),
    audit: auditSchema.default({ enabled: false, maxAgeDays: 30, maxBackups: 10, maxSizeMiB: 100 }),
    extraArgs: extraArgs("apiServer"),
  })
  .describe("the apiserver on every control plane");

export const ENCRYPTION_PROVIDERS = ["aescbc", "secretbox"] as const;

const encryptionSchema = z
  .strictObject({
    enabled: z.boolean().default(false).describe("encrypt Secrets in etcd with a key Pulumi generates and holds as a secret (profile default: prod on, poc off)"),
    provider: z.enum(ENCRYPTION_PROVIDERS).default("secretbox").describe("aescbc or secretbox (XSalsa20-Poly1305, the stronger of the two); KMS is out of scope"),
    keyGeneration: z
      .number()
      .int()
      .min(1)
      .max(1000)
      .default(1)
      .describe("the key in use; raise it by one to rotate: the new key known to every control plane, then written with, every Secret rewritten, the old key dropped, one control plane at a time (docs/hardening.md). Never lowered"),
  })
  .describe("Secrets encryption at rest (EncryptionConfiguration on every control plane)");

export const POD_SECURITY_LEVELS = ["privileged", "baseline", "restricted"] as const;
const level = (what: string) => z.enum(POD_SECURITY_LEVELS).default("privileged").describe(what);

const podSecuritySchema = z
  .strictObject({
    enforce: level("level Pods must meet to be admitted (profile default: prod baseline, poc privileged = off)"),
    audit: level("level whose violations are recorded in the audit log (profile default: prod restricted)"),
    warn: level("level whose violations are returned to the client as warnings (profile default: prod restricted)"),
    exemptNamespaces: z.array(checked((v) => (/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(v) && v.length <= 63 ? undefined : "is not a namespace name"), "write the namespace's name, e.g. monitoring")).default([]).describe("namespaces exempt besides the add-ons' own that need privileges (kube-system and those the chosen add-ons use)"),
  })
  .describe("Pod Security Admission cluster defaults; a namespace's own pod-security.kubernetes.io labels still override them");

/** etcd's own advice: keep the backend at or below 8 GiB. */
export const MAX_ETCD_QUOTA_GIB = 8;

const etcdSchema = z
  .strictObject({
    autoCompactionRetention: checked(formats.compactionRetentionProblem, 'write hours ("8") or a duration ("1h30m")').optional().describe("periodic compaction keeps this much history: hours, or a duration such as 30m; unset: etcd's default (off; the apiserver compacts every 5 minutes)"),
    snapshotCount: z.number().int().min(1000).max(1_000_000).optional().describe("committed transactions between etcd snapshots; unset: etcd's default (10000)"),
    quotaBackendGiB: z.number().min(1).max(MAX_ETCD_QUOTA_GIB).optional().describe(`database size in GiB at which etcd raises a NOSPACE alarm and refuses writes (etcd advises at most ${MAX_ETCD_QUOTA_GIB}); unset: etcd's default (2)`),
    extraArgs: extraArgs("etcd"),
  })
  .describe("tuning of the stacked etcd on every control plane");

const extraArgsOnly = (component: ExtraArgsComponent, what: string) => z.strictObject({ extraArgs: extraArgs(component) }).default({ extraArgs: {} }).describe(what);

/** Spread into the `kubernetes` section (stacks/schema.ts). */
export const hardeningFields = {
  apiServer: apiServerSchema.default({ audit: { enabled: false, maxAgeDays: 30, maxBackups: 10, maxSizeMiB: 100 }, extraArgs: {} }),
  encryption: encryptionSchema.default({ enabled: false, provider: "secretbox", keyGeneration: 1 }),
  podSecurity: podSecuritySchema.default({ enforce: "privileged", audit: "privileged", warn: "privileged", exemptNamespaces: [] }),
  etcd: etcdSchema.default({ extraArgs: {} }),
  controllerManager: extraArgsOnly("controllerManager", "kube-controller-manager on every control plane"),
  scheduler: extraArgsOnly("scheduler", "kube-scheduler on every control plane"),
  kubelet: extraArgsOnly("kubelet", "the kubelet on every node; kubeadm's defaults stay: anonymous access off, Webhook authorization, client certificate rotation"),
};
