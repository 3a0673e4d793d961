// Runs the real program under Pulumi's mocks with a stack file's config and collects what it
// would deploy: every resource as the engine would receive it, the stack outputs and the
// rendered artifacts.
import * as pulumi from "@pulumi/pulumi";
import { runInPulumiStack } from "@pulumi/pulumi/runtime/stack";
import { clusterProgram } from "../../program";
import { ArtifactSink, type ArtifactKind } from "../../components/artifacts";
import type { SecretKey } from "../../stacks/schema";
import type { ClusterSpec } from "../../stacks/spec";
import { requiredSecretKeys } from "../../stacks/rules";
import { explainsMissingCluster, unknownConfigKeyProblems } from "../../stacks/config-keys";
import { PROJECT, plainSecrets, secretsPresent, type StackFile } from "../../stacks/stack-file";
import { ClusterConfigError, validateCluster, type Problem } from "../../stacks/validate";
import { installRecordingMocks, type RecordedResource } from "./monitor";
import { planMocks, stackReferenceOutputs } from "./mocks";

export interface PlannedArtifact {
  kind: ArtifactKind;
  path: string;
  content: string;
  /** Whether the content is a Pulumi secret (the plan writes such files masked). */
  secret: boolean;
}

export interface PlanResult {
  stack: StackFile;
  /** The validated description the program was planned with. */
  spec: ClusterSpec;
  resources: RecordedResource[];
  outputs: Record<string, unknown>;
  outputSecretPaths: string[];
  artifacts: PlannedArtifact[];
  warnings: Problem[];
  /** Secrets the stack file does not set, replaced by placeholders for the plan. */
  placeholderSecrets: SecretKey[];
  /** The version the plan was told the cluster runs (--from-version), if any. */
  fromVersion?: string;
}

export interface PlanOptions {
  /**
   * Plan as an update of a cluster running this version (every node installed at it), as the
   * program reads it from the stack's previous outputs: the plan then shows the upgrade.
   */
  fromVersion?: string;
}

function resolve<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((done) => output.apply((value) => done(value)));
}

// The SDK's debugging bookkeeping, as a plan replaces it (withoutPulumiDebugBookkeeping).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const debuggable = require("@pulumi/pulumi/runtime/debuggable") as { debuggablePromise: <T>(promise: Promise<T>, context: unknown) => Promise<T> };
const resourceClass = pulumi.Resource as unknown as { callsites: () => unknown[] };

/**
 * Pulumi wraps every promise it makes (four per output property of every resource, all of them
 * pending at once: the program builds every resource before the first one registers) in
 * debuggablePromise, for its promise-leak report: a stack trace, a context text, a set entry and two
 * more promises each. It also takes an unbounded stack trace per resource (Resource.callsites, the
 * source position it sends the engine). A plan uses neither. Formatting those traces (through
 * vitest's source maps) blocked test workers; capturing them at all cost memory and the garbage
 * collector's time: 3 control planes + 100 workers planned in 14.5 s of CPU and 671 MiB with them,
 * 9.1 s and 489 MiB without (load 20). While a plan runs, promises stay unwrapped and resources carry
 * no source position; errors keep their stack traces. ONPREM_K8S_DEBUG keeps the SDK's bookkeeping.
 */
async function withoutPulumiDebugBookkeeping<T>(run: () => Promise<T>): Promise<T> {
  if (process.env.ONPREM_K8S_DEBUG) return run();
  const { debuggablePromise } = debuggable;
  const { callsites } = resourceClass;
  debuggable.debuggablePromise = (promise) => promise;
  resourceClass.callsites = () => [];
  try {
    return await run();
  } finally {
    debuggable.debuggablePromise = debuggablePromise;
    resourceClass.callsites = callsites;
  }
}

async function failOnUnhandledRejection(work: () => Promise<void>): Promise<void> {
  let listener: ((reason: unknown) => void) | undefined;
  const failure = new Promise<never>((_, reject) => {
    listener = (reason) => reject(reason instanceof Error ? reason : new Error(String(reason)));
    process.on("unhandledRejection", listener);
  });
  try {
    await Promise.race([work(), failure]);
  } finally {
    process.off("unhandledRejection", listener!);
  }
}

export async function runPlan(stack: StackFile, options: PlanOptions = {}): Promise<PlanResult> {
  const present = secretsPresent(stack);
  const validation = validateCluster(stack.cluster, { secretsPresent: present, planMode: true, plainSecrets: plainSecrets(stack) });
  const keyProblems = unknownConfigKeyProblems(Object.keys(stack.config));
  // A misspelt `onprem-k8s:cluster` key is the one mistake, not also a missing description.
  const descriptionProblems = validation.ok || (stack.cluster === undefined && explainsMissingCluster(keyProblems)) ? [] : validation.problems;
  if (!validation.ok || keyProblems.length > 0) throw new ClusterConfigError([...keyProblems, ...descriptionProblems]);

  const config = { ...stack.config };
  const secretKeys = [...stack.secretKeys];
  const placeholderSecrets = requiredSecretKeys(validation.spec).filter((key) => !present.has(key));
  for (const key of placeholderSecrets) {
    config[`${PROJECT}:${key}`] = `<secret ${key}: not set in the stack file>`;
    secretKeys.push(`${PROJECT}:${key}`);
  }

  const self = `organization/${PROJECT}/${stack.name}`;
  if (options.fromVersion !== undefined) {
    const nodes = validation.spec.nodes.map((node) => ({ name: node.name, role: node.role, address: node.address, packagesVersion: options.fromVersion }));
    stackReferenceOutputs.set(self, { kubernetesVersion: options.fromVersion, nodes });
  }
  const recorder = await installRecordingMocks(planMocks, PROJECT, stack.name);
  pulumi.runtime.setAllConfig(config, secretKeys);
  const sink = new ArtifactSink();
  const warnings: Problem[] = [];
  // An error thrown inside an `apply` surfaces only as an unhandled rejection (the engine would
  // report it); without this the plan would wait forever for outputs that never resolve.
  try {
    await failOnUnhandledRejection(async () => {
      await withoutPulumiDebugBookkeeping(async () => {
        await runInPulumiStack(() => clusterProgram({ artifacts: sink, warn: (found) => warnings.push(...found), placeholderSecrets: true }));
        await recorder.settle();
      });
    });
  } finally {
    if (options.fromVersion !== undefined) stackReferenceOutputs.delete(self);
  }

  const artifacts = await Promise.all(
    sink.list().map(async (artifact) => ({
      kind: artifact.kind,
      path: artifact.path,
      content: await resolve(artifact.content),
      secret: await pulumi.isSecret(artifact.content),
    })),
  );
  const stackResource = recorder.resources.find((r) => r.type === "pulumi:pulumi:Stack");
  return {
    stack,
    spec: validation.spec,
    resources: recorder.resources,
    outputs: stackResource?.outputs ?? {},
    outputSecretPaths: stackResource?.outputSecretPaths ?? [],
    artifacts,
    warnings,
    placeholderSecrets,
    ...(options.fromVersion !== undefined ? { fromVersion: options.fromVersion } : {}),
  };
}
