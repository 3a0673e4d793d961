// The Pulumi program: read and validate the stack's description, then build the Cluster.
// `pulumi up` runs it through index.ts; the offline plan and the tests run it under mocks.
import * as pulumi from "@pulumi/pulumi";
import { SECRET_KEYS, type SecretKey } from "./stacks/schema";
import { explainsMissingCluster, unknownConfigKeyProblems } from "./stacks/config-keys";
import { endpointDnsWarnings, type Lookup } from "./stacks/endpoint-dns";
import { formatProblems, validateCluster, type Problem } from "./stacks/validate";
import { requiredSecretKeys } from "./stacks/rules";
import { ArtifactSink } from "./components/artifacts";
import { Cluster } from "./components/cluster";
import { guardAgainstDestroy } from "./components/destroy-guard";
import { previousCertificatesOutput, refuseUnsafeControlPlaneRemoval, refuseUnsafeEncryptionChange, refuseUnsafeVersionChange } from "./components/kubeadm";
import { dayOneVersion } from "./stacks/upgrade";
import type { ClusterSecrets } from "./components/context";

export interface ProgramOptions {
  /** Receives every rendered artifact (the offline plan writes them out). */
  artifacts?: ArtifactSink;
  /** Receives the description's warnings; by default they go to the engine's log. */
  warn?: (warnings: Problem[]) => void;
  /** Resolves endpoint.dnsName (tests replace the system resolver). */
  lookup?: Lookup;
  /** The secrets are stand-ins (the offline plan), so their contents are not checked. */
  placeholderSecrets?: boolean;
}

/**
 * Whether the engine passed a config key as a secret (set with --secret). The SDK exports this
 * from pulumi.runtime (it reads PULUMI_CONFIG_SECRET_KEYS, which the engine and setAllConfig
 * fill) but marks it @internal, so it is missing from the typings; without it nothing is flagged.
 */
function isConfigSecret(key: string): boolean {
  const check = (pulumi.runtime as unknown as { isConfigSecret?: (key: string) => boolean }).isConfigSecret;
  return check ? check(key) : true;
}

/** The description as the engine passed it: JSON text for a mapping; text that is not JSON is one error. */
function readDescription(config: pulumi.Config): unknown {
  const text = config.get("cluster");
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // `pulumi config set cluster <text>` stores plain text; the description is a mapping.
    return text;
  }
}

export async function clusterProgram(options: ProgramOptions = {}): Promise<Record<string, unknown>> {
  const config = new pulumi.Config();
  const secretsPresent = new Set(
    (Object.keys(SECRET_KEYS) as SecretKey[]).filter((key) => config.get(key) !== undefined),
  );
  const plainSecrets = new Set([...secretsPresent].filter((key) => !isConfigSecret(`${pulumi.getProject()}:${key}`)));
  const raw = readDescription(config);
  const sshPrivateKey = options.placeholderSecrets ? undefined : config.get("sshPrivateKey");
  const result = validateCluster(raw, { secretsPresent, planMode: false, plainSecrets, sshPrivateKey });
  const keyProblems = unknownConfigKeyProblems(Object.keys(pulumi.runtime.allConfig()));
  if (!result.ok || keyProblems.length > 0) {
    // Nothing has been registered yet: a bad description stops before any resource exists.
    const descriptionProblems = result.ok || (raw === undefined && explainsMissingCluster(keyProblems)) ? [] : result.problems;
    throw new pulumi.RunError(formatProblems([...keyProblems, ...descriptionProblems]));
  }
  const spec = result.spec;
  const warnings = [...result.warnings, ...(await endpointDnsWarnings(spec, options.lookup))];
  if (warnings.length > 0) (options.warn ?? ((w) => pulumi.log.warn(formatProblems(w))))(warnings);

  // Exactly the secrets this description needs (the rules above already required them).
  const needed = new Set(requiredSecretKeys(spec));
  const secret = (key: SecretKey) => (needed.has(key) ? config.requireSecret(key) : undefined);
  const secrets: ClusterSecrets = {
    sshPrivateKey: config.requireSecret("sshPrivateKey"),
    vspherePassword: secret("vspherePassword"),
    proxmoxApiToken: secret("proxmoxApiToken"),
    proxmoxSshPrivateKey: secret("proxmoxSshPrivateKey"),
    veleroS3Credentials: secret("veleroS3Credentials"),
    etcdSnapshotS3Credentials: secret("etcdSnapshotS3Credentials"),
  };
  const previousState = await refuseUnsafeControlPlaneRemoval(spec);
  const history = await refuseUnsafeVersionChange(spec, previousState);
  const previousCertificates = await previousCertificatesOutput(previousState);
  const previousEncryption = await refuseUnsafeEncryptionChange(spec, previousState);
  const cluster = new Cluster(spec.name, { spec, secrets, artifacts: options.artifacts ?? new ArtifactSink(), history, previousCertificates, previousEncryption });
  if (spec.protect) guardAgainstDestroy(spec.name, [cluster, previousState]);

  return {
    apiEndpoint: cluster.apiEndpoint,
    kubeconfig: cluster.kubeconfig,
    // The version the cluster runs, and per node the version its day-1 steps keep
    // (stacks/upgrade.ts): the next update reads both back. The version is known only once every
    // upgrade step has finished, so an interrupted upgrade is still one on the next run.
    kubernetesVersion: cluster.kubernetesVersion,
    nodes: spec.nodes.map((node) => ({
      name: node.name,
      role: node.role,
      address: node.address,
      packagesVersion: dayOneVersion(history, node.name, spec.kubernetes.version),
    })),
    noProxy: spec.noProxy,
    // When the control planes' certificates expire and the renewal window (docs/certificates.md).
    certificates: cluster.certificates,
    // Whether Secrets are encrypted and with which key generation (docs/hardening.md): the next
    // update refuses turning it off or lowering it, and rotates when it went up.
    encryption: cluster.encryption,
    // The acceptance checks that ran and their PASS lines (docs/acceptance.md).
    acceptance: cluster.acceptance,
  };
}
