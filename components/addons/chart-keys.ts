/**
 * Valid Helm values key paths of a pinned chart, and a checker for values we build.
 *
 * A chart silently ignores values it does not read, so a misspelt or invented key is a setting that
 * never takes effect. The key list is derived once from the chart's values.yaml at the pinned
 * version (scripts/chart-keys.ts) and committed as data; builders' outputs are checked against it.
 */
import { isMap, isScalar, isSeq, parseDocument, type Node as YamlNode } from "yaml";

/**
 * What a path holds in the chart's values.yaml:
 * - "map": a structured mapping; only the keys the chart declares are valid below it.
 * - "free": a mapping whose keys are the user's (labels, nodeSelector, extraArgs) or a Kubernetes
 *   object passed through verbatim (resources, affinity); anything below it is accepted here and
 *   checked, where it matters, by validating the rendered manifest.
 * - "list": a sequence. When its default's first item is a mapping, that item's keys are recorded
 *   under "<path>.[]" and every item given is checked against them.
 * - "scalar": a string, number, boolean or null default.
 */
export type ValuesPathKind = "map" | "free" | "list" | "scalar";

export interface ValuesKeyList {
  chart: string;
  version: string;
  /** Where the values.yaml was read (repository, tag, path). */
  source: string;
  /** Path (segments joined by ".", a literal "." in a key escaped as "\.") to its kind. */
  paths: Record<string, ValuesPathKind>;
}

/** Mapping names whose keys are chosen by the user, not by the chart. */
const FREE_FORM_NAME = /(^|[a-z])(labels|Labels|annotations|Annotations|nodeSelector|NodeSelector|selector|Selector|extraArgs|ExtraArgs|Env|envs|Envs|extraConfig|ExtraConfig|configData|data|secretContents)$/;

/** Kubernetes object types that charts pass through with toYaml. */
const KUBERNETES_PASSTHROUGH = new Set([
  "affinity",
  "resources",
  "securityContext",
  "podSecurityContext",
  "containerSecurityContext",
  "livenessProbe",
  "readinessProbe",
  "startupProbe",
  "lifecycle",
  "updateStrategy",
  "strategy",
  "dnsConfig",
  "topologySpreadConstraints",
  "tolerations",
  "seLinuxOptions",
  "seccompProfile",
  "capabilities",
  "podDisruptionBudget",
  "env",
]);

/** Path segment standing for "every item of this list". */
export const LIST_ITEM = "[]";

export function escapeSegment(segment: string): string {
  return segment.replace(/\\/g, "\\\\").replace(/\./g, "\\.");
}

export function joinPath(segments: string[]): string {
  return segments.map(escapeSegment).join(".");
}

function isFreeFormMap(name: string, keys: string[]): boolean {
  if (keys.length === 0) return true; // `{}`: a placeholder for the user's own keys or object
  if (KUBERNETES_PASSTHROUGH.has(name) || FREE_FORM_NAME.test(name)) return true;
  // Defaults such as `kubernetes.io/os: linux` show the keys are label-like, not chart settings.
  return keys.some((k) => k.includes("/"));
}

/** Derives the key list of a chart from the text of its values.yaml. */
export function extractValuesKeys(valuesYamlText: string): Record<string, ValuesPathKind> {
  const doc = parseDocument(valuesYamlText);
  if (doc.errors.length > 0) throw new Error(`values.yaml does not parse: ${doc.errors[0].message}`);
  const paths: Record<string, ValuesPathKind> = {};
  const walk = (node: YamlNode | null, segments: string[]): void => {
    const here = joinPath(segments);
    if (isMap(node)) {
      const entries = node.items.map((pair) => ({
        key: String(isScalar(pair.key) ? pair.key.value : pair.key),
        value: pair.value as YamlNode | null,
      }));
      const name = segments[segments.length - 1] ?? "";
      if (segments.length > 0 && isFreeFormMap(name, entries.map((e) => e.key))) {
        paths[here] = "free";
        return;
      }
      if (segments.length > 0) paths[here] = "map";
      for (const { key, value } of entries) walk(value, [...segments, key]);
    } else if (isSeq(node)) {
      paths[here] = "list";
      // A list of structured items (e.g. velero's backupStorageLocation) documents its item keys
      // in the first default item; user-owned lists (tolerations, extra volumes) do not.
      const name = segments[segments.length - 1] ?? "";
      const first = node.items[0] as YamlNode | undefined;
      const userOwned = KUBERNETES_PASSTHROUGH.has(name) || FREE_FORM_NAME.test(name) || /^extra/.test(name);
      if (isMap(first) && !userOwned) walk(first, [...segments, LIST_ITEM]);
    } else {
      paths[here] = "scalar";
    }
  };
  walk(doc.contents as YamlNode | null, []);
  return paths;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Returns the paths in `values` that the chart does not declare. A path below a "free" or "list"
 * path is accepted; a mapping given where the chart has a scalar default is accepted too (charts
 * use `null`/`""` defaults for optional objects), but its keys are not checked.
 */
export function unknownValuesKeys(values: Record<string, unknown>, keys: ValuesKeyList): string[] {
  const unknown: string[] = [];
  const walk = (obj: Record<string, unknown>, segments: string[]): void => {
    for (const [key, value] of Object.entries(obj)) {
      const pathSegments = [...segments, key];
      const path = joinPath(pathSegments);
      const kind = keys.paths[path];
      if (kind === undefined) {
        unknown.push(path);
        continue;
      }
      if (kind === "map" && isPlainObject(value)) walk(value, pathSegments);
      const itemPath = [...pathSegments, LIST_ITEM];
      if (kind === "list" && Array.isArray(value) && keys.paths[joinPath(itemPath)] === "map") {
        for (const item of value) if (isPlainObject(item)) walk(item, itemPath);
      }
    }
  };
  walk(values, []);
  return unknown;
}
