// The policy pack's rules as pure functions over what the engine shows a policy: the resources a
// deployment registers (type, name, protection, inputs) and the stack's config. The pack
// (policy/index.ts) feeds them from `pulumi preview --policy-pack`; the tests feed them from the
// offline plan (policy/rules.test.ts), so every rule runs on every shipped stack and example.
//
// A policy is a second line behind the program's own validation: it looks at what would really be
// deployed, so a change that slips past a rule of the description (an edited profile default, a
// protect flag turned off, a values override) is still caught before `pulumi up` touches prod.

/** One resource as a policy sees it. */
export interface CheckedResource {
  type: string;
  name: string;
  urn: string;
  protect: boolean;
  props: Record<string, unknown>;
}

/** Everything a rule reads about one stack. */
export interface StackFacts {
  /** The description's profile (`poc`, `prod`); anything else is held to prod's rules. */
  profile: string;
  /** Every config value as the engine passes it (`project:key` to text), secrets included. */
  config: Record<string, string>;
  /** Config keys whose values are meant to be secrets (set with `--secret`). */
  secretConfigKeys: readonly string[];
  resources: CheckedResource[];
}

export interface Violation {
  message: string;
  /** The resource in violation; the whole stack when absent. */
  urn?: string;
}

export interface Rule {
  name: string;
  description: string;
  /** `prod`: only prod-profile stacks are held to it; `all`: every stack (advisory below prod). */
  scope: "prod" | "all";
  check(facts: StackFacts): Violation[];
}

export const CLUSTER_TYPE = "onprem-k8s:index:Cluster";
const MACHINE_TYPES = new Set(["vsphere:index/virtualMachine:VirtualMachine", "proxmoxve:VM/virtualMachine:VirtualMachine", "proxmoxve:index/vmLegacy:VmLegacy"]);
const COMMAND_TYPE = "command:remote:Command";
const RELEASE_TYPE = "kubernetes:helm.sh/v3:Release";

const isProd = (facts: StackFacts) => facts.profile !== "poc";

/** Every string in a value, with the property path it sits at. */
function strings(value: unknown, at = ""): [string, string][] {
  if (typeof value === "string") return [[at, value]];
  if (Array.isArray(value)) return value.flatMap((v, i) => strings(v, `${at}[${i}]`));
  if (value && typeof value === "object") return Object.entries(value).flatMap(([k, v]) => strings(v, at ? `${at}.${k}` : k));
  return [];
}

const isTrue = (value: unknown) => value === true || value === "true";

/** The cluster's name: the Cluster component's. */
function clusterName(facts: StackFacts): string | undefined {
  return facts.resources.find((r) => r.type === CLUSTER_TYPE)?.name;
}

const controlPlaneQuorum: Rule = {
  name: "prod-control-plane-quorum",
  description: "prod runs an odd number of control planes, at least three (etcd keeps quorum through the loss of one)",
  scope: "prod",
  check(facts) {
    // One PKI step per control plane (components/kubeadm): it writes the CAs a control plane needs.
    const controlPlanes = facts.resources.filter((r) => r.type === COMMAND_TYPE && r.name.endsWith("-pki"));
    const n = controlPlanes.length;
    if (n >= 3 && n % 2 === 1) return [];
    return [{ message: `prod has ${n} control plane(s) (${controlPlanes.map((r) => r.name.replace(/-pki$/, "")).join(", ") || "none"}); it needs an odd number, at least 3, so etcd keeps quorum when one is lost. Set controlPlane.addresses (or names) to 3 or 5 nodes.` }];
  },
};

/** The CA keys and certificates and the service-account key: what a cluster cannot be rebuilt without. */
function isPki(r: CheckedResource): boolean {
  if (r.type === "tls:index/selfSignedCert:SelfSignedCert") return true;
  return r.type === "tls:index/privateKey:PrivateKey" && /-(ca-key|service-account-key)$/.test(r.name);
}

const protection: Rule = {
  name: "prod-protected",
  description: "prod's machines and PKI are protected, and the destroy guard is there and protected",
  scope: "prod",
  check(facts) {
    const violations: Violation[] = [];
    for (const r of facts.resources.filter((r) => MACHINE_TYPES.has(r.type) || isPki(r))) {
      if (!r.protect) violations.push({ urn: r.urn, message: `${r.name} (${r.type}) is not protected: a pulumi destroy or a replacement would delete it. Leave cluster.protect at the prod profile's true.` });
    }
    const name = clusterName(facts);
    const guard = facts.resources.find((r) => r.type === "random:index/randomString:RandomString" && r.name === `${name}-destroy-guard`);
    if (!guard) violations.push({ message: `the destroy guard ${name}-destroy-guard is missing: pulumi destroy would reset nodes and uninstall add-ons before stopping at a protected machine. Leave cluster.protect at the prod profile's true.` });
    else if (!guard.protect) violations.push({ urn: guard.urn, message: `the destroy guard ${guard.name} is not protected, so it guards nothing` });
    return violations;
  },
};

const backups: Rule = {
  name: "prod-backups",
  description: "prod takes scheduled etcd snapshots (the cluster's own backup; Velero for workloads stays the site's choice)",
  scope: "prod",
  check(facts) {
    if (facts.resources.some((r) => r.name === "etcd-snapshots")) return [];
    return [{ message: "etcd snapshots are off: set addons.backups.etcdSnapshots.enabled to true (the prod profile's default); without them a lost etcd quorum cannot be restored" }];
  },
};

/** Text that is a secret wherever it appears. */
const SECRET_MATERIAL: [RegExp, string][] = [
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----/, "a private key"],
  [/client-key-data:\s*\S/, "a kubeconfig client key"],
  [/\b[a-z0-9]{6}\.[a-z0-9]{16}\b/, "a bootstrap token"],
  [/aws_secret_access_key\s*=\s*\S/, "an S3 secret key"],
];
/** Description fields whose name says they hold a secret (the program takes secrets only as `--secret` keys). */
const SECRET_FIELD = /(password|passphrase|secret(?!Name)|apiToken|privateKey)$/i;

const plaintextSecrets: Rule = {
  name: "no-plaintext-secrets",
  description: "no secret in plaintext in the stack's config: secrets are the --secret keys, never in the description",
  scope: "all",
  check(facts) {
    const violations: Violation[] = [];
    for (const [key, text] of Object.entries(facts.config)) {
      if (facts.secretConfigKeys.includes(key)) continue;
      let value: unknown = text;
      try {
        value = JSON.parse(text);
      } catch {
        // a plain string value
      }
      for (const [at, s] of strings(value, key)) {
        const material = SECRET_MATERIAL.find(([pattern]) => pattern.test(s));
        if (material) violations.push({ message: `config ${at} holds ${material[1]} in plaintext: move it to a secret key (pulumi config set --secret) and out of the description` });
        else if (SECRET_FIELD.test(at) && s.length > 0) violations.push({ message: `config ${at} looks like a secret in plaintext: secrets go in the --secret keys (${facts.secretConfigKeys.join(", ")})` });
      }
    }
    return violations;
  },
};

/** A chart version that names one release, not a range or a moving tag. */
const EXACT_VERSION = /^v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;
/** `image: <ref>` in rendered YAML or scripts. */
/** `image: <ref>` on one line; a shell or YAML comment line is skipped (commentLine). */
const IMAGE_LINE = /\bimage:[ \t]*["']?([^\s"']+)/g;

/** Whether the match at `index` is on a line that is a `#` comment. */
function commentLine(text: string, index: number): boolean {
  return /^[ \t]*#/.test(text.slice(text.lastIndexOf("\n", index) + 1, index));
}

/**
 * A script's `image: "$NAME"` is the parameter NAME exported above it in the same stdin (the
 * acceptance checks' probe image): the value there is what gets checked.
 */
function imageReference(ref: string, text: string): string | undefined {
  const parameter = /^\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?$/.exec(ref);
  if (!parameter) return ref;
  const exported = new RegExp(`(?:^|[;\\n])\\s*export ${parameter[1]}=['"]?([^\\s'";]+)`).exec(text);
  return exported?.[1];
}

function imageProblem(ref: string): string | undefined {
  if (ref.includes("@sha256:")) return undefined;
  const lastSegment = ref.slice(ref.lastIndexOf("/") + 1);
  if (!lastSegment.includes(":")) return "has no tag";
  if (/:latest$/.test(lastSegment)) return "is tagged latest";
  return undefined;
}

const pinnedVersions: Rule = {
  name: "pinned-versions",
  description: "every Helm chart is pinned to an exact version and every image to a tag other than latest (or a digest)",
  scope: "all",
  check(facts) {
    const violations: Violation[] = [];
    for (const r of facts.resources) {
      if (r.type === RELEASE_TYPE) {
        const version = r.props.version;
        if (typeof version !== "string" || !EXACT_VERSION.test(version)) violations.push({ urn: r.urn, message: `chart ${String(r.props.chart)} of release ${r.name} is not pinned (version ${JSON.stringify(version)}): set an exact version (components/addons/charts.ts)` });
      }
      for (const [at, s] of strings(r.props)) {
        if (/(^|\.)tag$/.test(at) && /^latest$/i.test(s)) violations.push({ urn: r.urn, message: `${r.name}: ${at} is latest; pin an exact image tag` });
        for (const match of s.matchAll(IMAGE_LINE)) {
          if (commentLine(s, match.index)) continue;
          const ref = imageReference(match[1]!, s);
          const problem = ref === undefined ? "is a shell parameter set nowhere in the same input" : imageProblem(ref);
          if (problem) violations.push({ urn: r.urn, message: `${r.name}: image ${match[1]}${ref && ref !== match[1] ? ` (${ref})` : ""} at ${at} ${problem}; pin an exact tag or digest` });
        }
      }
    }
    return violations;
  },
};

/** Settings that turn certificate checks off inside the cluster. */
const INSECURE_TLS: [RegExp, string][] = [
  [/--kubelet-insecure-tls\b/, "metrics-server skips kubelet certificate checks (--kubelet-insecure-tls): leave addons.metrics.insecureKubeletTls off, kubelets get signed serving certificates"],
  [/insecure-skip-tls-verify\s*[:=]\s*"?true|insecureSkipTLSVerify\s*:\s*"?true/, "a kubeconfig or client skips TLS verification"],
  [/insecure-flag\s*=\s*"?true/, "vSphere CSI skips vCenter's certificate (insecure-flag): give vsphereCsi a thumbprint or CA file"],
];

const insecureClusterTls: Rule = {
  name: "no-insecure-tls",
  description: "no component of the cluster skips certificate verification",
  scope: "all",
  check(facts) {
    const violations: Violation[] = [];
    for (const r of facts.resources) {
      const found = new Set<string>();
      for (const [, s] of strings(r.props)) for (const [pattern, what] of INSECURE_TLS) if (pattern.test(s)) found.add(what);
      for (const what of found) violations.push({ urn: r.urn, message: `${r.name}: ${what}` });
    }
    return violations;
  },
};

const platformApiTls: Rule = {
  name: "platform-api-tls-verified",
  description: "the platform's API (vCenter, Proxmox VE) is reached with its certificate verified",
  // Advisory everywhere: a site whose vCenter has a self-signed certificate opts in with
  // allowUnverifiedSsl / insecure in its description (seed 000), a fact of the site to review.
  scope: "all",
  check(facts) {
    return facts.resources
      .filter((r) => r.type.startsWith("pulumi:providers:") && (isTrue(r.props.allowUnverifiedSsl) || isTrue(r.props.insecure)))
      .map((r) => ({ urn: r.urn, message: `provider ${r.name} accepts the platform API's certificate unverified (allowUnverifiedSsl / insecure): install a CA-signed certificate on the platform and drop the flag` }));
  },
};

export const RULES: readonly Rule[] = [controlPlaneQuorum, protection, backups, plaintextSecrets, pinnedVersions, insecureClusterTls, platformApiTls];

/** Rules that only ever advise, whatever the profile. */
export const ALWAYS_ADVISORY = new Set([platformApiTls.name]);

/** How a rule is enforced on a stack of this profile: prod's rules block, everything else advises. */
export function enforcementFor(rule: Rule, profile: string): "mandatory" | "advisory" {
  return profile === "poc" || ALWAYS_ADVISORY.has(rule.name) ? "advisory" : "mandatory";
}

/** The violations of one rule on one stack; a prod-only rule has none on a poc stack. */
export function evaluate(rule: Rule, facts: StackFacts): Violation[] {
  if (rule.scope === "prod" && !isProd(facts)) return [];
  return rule.check(facts);
}

/** The profile the stack's description names (`onprem-k8s:cluster`), or "unknown" (held to prod's rules). */
export function profileOf(config: Record<string, string>, clusterKey = "onprem-k8s:cluster"): string {
  try {
    const profile = (JSON.parse(config[clusterKey] ?? "{}") as { profile?: unknown }).profile;
    return typeof profile === "string" ? profile : "unknown";
  } catch {
    return "unknown";
  }
}
