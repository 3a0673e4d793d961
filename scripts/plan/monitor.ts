// Records what the program registers under Pulumi's mocks, as the engine would see it: type,
// name, parent, dependencies, protect flag, and inputs with their secret paths marked.
import * as pulumi from "@pulumi/pulumi";
import type { MockMonitor, Mocks } from "@pulumi/pulumi/runtime/mocks";
// eslint-disable-next-line @typescript-eslint/no-require-imports
const settings = require("@pulumi/pulumi/runtime/settings") as { getMonitor(): unknown; waitForRPCs(): Promise<void> };

/** Marks a secret in serialized properties (Pulumi's wire format). */
const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e";
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export interface RecordedResource {
  urn: string;
  type: string;
  name: string;
  parent?: string;
  custom: boolean;
  protect: boolean;
  /** URNs this resource waits for (explicit dependsOn and every Output it consumes). */
  dependencies: string[];
  provider?: string;
  /** Inputs with secrets in place; plan output masks `secretPaths`. */
  inputs: Record<string, unknown>;
  /** Dotted paths of inputs that are secret. */
  secretPaths: string[];
  additionalSecretOutputs: string[];
  ignoreChanges: string[];
  replaceOnChanges: string[];
  deleteBeforeReplace: boolean;
  /** Serialized outputs of components (registerOutputs), secrets marked the same way. */
  outputs?: Record<string, unknown>;
  outputSecretPaths?: string[];
}

/** Unwraps Pulumi's wire format: secrets become plain values whose paths are reported. */
export function decodeProperties(value: unknown, path = "", secretPaths: string[] = []): { value: unknown; secretPaths: string[] } {
  const walk = (node: unknown, at: string): unknown => {
    if (node === UNKNOWN) return "<computed>";
    if (Array.isArray(node)) return node.map((item, i) => walk(item, `${at}[${i}]`));
    if (node && typeof node === "object") {
      const record = node as Record<string, unknown>;
      if (record[SIG_KEY] === SECRET_SIG) {
        secretPaths.push(at || ".");
        return walk(record.value, at);
      }
      if (record[SIG_KEY] === RESOURCE_SIG) return { resource: record.urn };
      return Object.fromEntries(Object.entries(record).map(([key, child]) => [key, walk(child, at ? `${at}.${key}` : key)]));
    }
    return node;
  };
  return { value: walk(value, path), secretPaths };
}

interface RegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getCustom(): boolean;
  getProtect(): boolean;
  getProvider(): string;
  getDependenciesList(): string[];
  getObject(): { toJavaScript(): unknown } | undefined;
  getAdditionalsecretoutputsList(): string[];
  getIgnorechangesList(): string[];
  getReplaceonchangesList(): string[];
  getDeletebeforereplace(): boolean;
}

export interface Recorder {
  resources: RecordedResource[];
  /** Resolves once every registration the program started has been answered. */
  settle(): Promise<void>;
}

/** Installs the mocks and a recorder in front of the mock monitor. */
export async function installRecordingMocks(mocks: Mocks, project: string, stack: string): Promise<Recorder> {
  await pulumi.runtime.setMocks(mocks, project, stack, false);
  const monitor = settings.getMonitor() as MockMonitor;
  const resources: RecordedResource[] = [];
  const byUrn = new Map<string, RecordedResource>();

  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = async (req: RegisterRequest, callback: (err: unknown, response: { getUrn(): string } | undefined) => void) => {
    // Under mocks a whole plan is one chain of promise callbacks that never lets timers or I/O
    // run; a test planning a large stack would block its vitest worker for a minute on a loaded
    // machine. One macrotask turn per resource keeps the process responsive.
    await new Promise((resolve) => setImmediate(resolve));
    const decoded = decodeProperties(req.getObject()?.toJavaScript() ?? {});
    const record: RecordedResource = {
      urn: "",
      type: req.getType(),
      name: req.getName(),
      parent: req.getParent() || undefined,
      custom: req.getCustom(),
      protect: req.getProtect(),
      dependencies: req.getDependenciesList(),
      provider: req.getProvider() || undefined,
      inputs: decoded.value as Record<string, unknown>,
      secretPaths: decoded.secretPaths,
      additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
      ignoreChanges: req.getIgnorechangesList(),
      replaceOnChanges: req.getReplaceonchangesList(),
      deleteBeforeReplace: req.getDeletebeforereplace(),
    };
    return register(req, (err, response) => {
      if (!err && response) {
        record.urn = response.getUrn();
        resources.push(record);
        byUrn.set(record.urn, record);
      }
      callback(err, response);
    });
  };

  const registerOutputs = monitor.registerResourceOutputs.bind(monitor);
  monitor.registerResourceOutputs = (req: { getUrn(): string; getOutputs(): { toJavaScript(): unknown } | undefined }, callback: (err: unknown, response: unknown) => void) => {
    const record = byUrn.get(req.getUrn());
    if (record) {
      const decoded = decodeProperties(req.getOutputs()?.toJavaScript() ?? {});
      record.outputs = decoded.value as Record<string, unknown>;
      record.outputSecretPaths = decoded.secretPaths;
    }
    return registerOutputs(req, callback);
  };

  return { resources, settle: () => settings.waitForRPCs() };
}
