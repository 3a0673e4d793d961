// Turns a raw stack description into a ClusterSpec, or into the complete list of what is wrong
// with it. Nothing here touches Pulumi, so the plan, the program and the tests share it.
import { closest, distance } from "fastest-levenshtein";
import { z } from "zod";
import { clusterSchema, type ClusterConfig } from "./schema";
import { applyProfile } from "./profiles";
import { runRules, type Problem, type RuleContext } from "./rules";
import { toClusterSpec, type ClusterSpec } from "./spec";
import { describeFound, describeIssue, schemaAt, unwrap } from "./messages";
import { CLUSTER_KEY } from "./config-keys";
import { applyEdits } from "./fix-edits";

export type { Problem, RuleContext } from "./rules";
export type { FixEdit } from "./rules/common";

export type ValidationResult =
  | { ok: true; spec: ClusterSpec; warnings: Problem[] }
  | { ok: false; problems: Problem[] };

function pathText(path: PropertyKey[]): string {
  return path.reduce<string>((text, key) => (typeof key === "number" ? `${text}[${key}]` : text ? `${text}.${String(key)}` : String(key)), "");
}

function valueAt(root: unknown, path: PropertyKey[]): unknown {
  return path.reduce<unknown>((value, key) => (value !== null && typeof value === "object" ? (value as Record<PropertyKey, unknown>)[key] : undefined), root);
}

/** The known key a misspelt one most likely meant: a typo or two away, or the same but for case. */
export function meantKey(key: string, known: string[]): string | undefined {
  if (known.length === 0) return undefined;
  const meant = closest(key, known);
  const allowed = Math.max(1, Math.min(3, Math.floor(meant.length / 3)));
  return meant.toLowerCase() === key.toLowerCase() || distance(key, meant) <= allowed ? meant : undefined;
}

interface UnknownKey {
  path: PropertyKey[];
  key: string;
  known: string[];
  /** The key it most likely meant, when that key is not set beside it. */
  meant?: string;
  /** The key it most likely meant, set beside it as well. */
  alsoSet?: string;
}

function unknownKeysOf(issues: z.core.$ZodIssue[], raw: unknown): UnknownKey[] {
  return issues.flatMap((issue) => {
    if (issue.code !== "unrecognized_keys") return [];
    const inner = unwrap(schemaAt(issue.path) ?? clusterSchema);
    const known = inner instanceof z.ZodObject ? Object.keys(inner.shape) : [];
    const owner = valueAt(raw, issue.path) as Record<string, unknown> | undefined;
    return issue.keys.map((key) => {
      const meant = meantKey(key, known);
      const isSet = meant !== undefined && owner?.[meant] !== undefined;
      return { path: issue.path, key, known, meant: isSet ? undefined : meant, alsoSet: isSet ? meant : undefined };
    });
  });
}

function unknownKeyProblem(entry: UnknownKey, raw: unknown): Problem {
  const path = [...entry.path, entry.key];
  const value = valueAt(raw, path);
  const field = `cluster.${pathText(path)}`;
  if (entry.meant) {
    const target = [...entry.path, entry.meant] as (string | number)[];
    return {
      path: field,
      value,
      problem: `unknown key "${entry.key}"; did you mean ${entry.meant}?`,
      fix: `rename ${entry.key} to ${entry.meant}`,
      severity: "error",
      edits: [{ path: path as (string | number)[], remove: true }, { path: target, value }],
    };
  }
  if (entry.alsoSet) {
    return { path: field, value, problem: `unknown key "${entry.key}"; did you mean ${entry.alsoSet}? It is set as well`, fix: `remove ${entry.key} (or move its value to ${entry.alsoSet}); known keys: ${entry.known.join(", ")}`, severity: "error", edits: [{ path: path as (string | number)[], remove: true }] };
  }
  const known = entry.known.join(", ");
  return { path: field, value, problem: `unknown key "${entry.key}"`, fix: `remove it or correct its spelling${known ? `; known keys: ${known}` : ""}`, severity: "error", edits: [{ path: path as (string | number)[], remove: true }] };
}

function schemaProblems(issues: z.core.$ZodIssue[], raw: unknown, today?: string): Problem[] {
  const unknown = unknownKeysOf(issues, raw);
  // A key reported as misspelt is not reported again as missing under its right name.
  const explained = new Set(unknown.filter((entry) => entry.meant).map((entry) => pathText([...entry.path, entry.meant!])));
  return [
    ...unknown.map((entry) => unknownKeyProblem(entry, raw)),
    ...issues.flatMap((issue) => {
      if (issue.code === "unrecognized_keys") return [];
      if (explained.has(pathText(issue.path)) && valueAt(raw, issue.path) === undefined) return [];
      const field = issue.path.length ? `cluster.${pathText(issue.path)}` : "cluster";
      const value = valueAt(raw, issue.path);
      return [{ path: field, value, ...describeIssue(issue, field, value, today), severity: "error" as const }];
    }),
  ];
}

/**
 * Parses what can be parsed: every sub-tree that passes the schema gets its defaults, a failing
 * object is descended into key by key, anything else is kept raw. Rules run on the result but
 * skip the sections the schema already reported.
 */
function bestEffort(schema: z.ZodType, value: unknown): unknown {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const inner = unwrap(schema);
  if (inner instanceof z.ZodObject && value !== null && typeof value === "object" && !Array.isArray(value)) {
    const result: Record<string, unknown> = { ...(value as Record<string, unknown>) };
    for (const [key, child] of Object.entries(inner.shape)) result[key] = bestEffort(child as z.ZodType, (value as Record<string, unknown>)[key]);
    return result;
  }
  return value;
}

function withoutKeys(value: unknown, issues: z.core.$ZodIssue[]): unknown {
  if (issues.length === 0) return value;
  const copy = structuredClone(value);
  for (const issue of issues) {
    const owner = valueAt(copy, issue.path) as Record<string, unknown> | undefined;
    if (issue.code === "unrecognized_keys" && owner && typeof owner === "object") {
      for (const key of issue.keys) delete owner[key];
    }
  }
  return copy;
}

/** Applies the profile, checks the schema and every cross-field rule, and reports all problems together. */
export function validateCluster(raw: unknown, ctx: RuleContext): ValidationResult {
  const result = validateOnce(raw, ctx);
  if (result.ok) return { ...result, warnings: verifiedFixes(raw, result.warnings, ctx) };
  return { ok: false, problems: verifiedFixes(raw, result.problems, ctx) };
}

const problemKey = (p: Problem) => `${p.path} | ${p.problem}`;

/**
 * Tries each mechanical fix on the description: one that leaves its problem or brings a new one
 * (another rule refuses the result) loses its edits, and its fix says what would remain.
 */
function verifiedFixes(raw: unknown, problems: Problem[], ctx: RuleContext): Problem[] {
  const known = new Set(problems.map(problemKey));
  return problems.map((problem) => {
    if (!problem.edits) return problem;
    const after = validateOnce(applyEdits(raw, problem.edits), ctx);
    const remaining = after.ok ? after.warnings : after.problems;
    // Only a new error makes a fix one "another rule refuses"; a warning a schema error had hidden
    // (the rules do not run on a field the schema refused) is no refusal.
    const fresh = remaining.filter((p) => p.severity === "error" && !known.has(problemKey(p)));
    if (fresh.length === 0 && !remaining.some((p) => problemKey(p) === problemKey(problem))) return problem;
    const { edits: _dropped, ...rest } = problem;
    return fresh.length > 0 ? { ...rest, fix: `${problem.fix} (that alone still leaves ${fresh[0].path}: ${fresh[0].problem})` } : rest;
  });
}

function validateOnce(raw: unknown, ctx: RuleContext): ValidationResult {
  if (raw === undefined || raw === null) {
    return { ok: false, problems: [{ path: CLUSTER_KEY, value: raw, problem: "the stack sets no cluster description", fix: `add ${CLUSTER_KEY}: under config: in the stack file (copy Pulumi.poc.yaml or a file in examples/ and edit it)`, severity: "error" }] };
  }
  if (typeof raw !== "object" || Array.isArray(raw)) {
    return { ok: false, problems: [{ path: CLUSTER_KEY, value: raw, problem: `the cluster description is ${describeFound(raw)}, not a mapping of settings`, fix: `write the description as keys under ${CLUSTER_KEY}: (name:, profile:, platform:, ...), indented below it, as in Pulumi.poc.yaml`, severity: "error" }] };
  }
  const merged = applyProfile(raw);
  const first = clusterSchema.safeParse(merged);
  const unknownKeys = first.success ? [] : first.error.issues.filter((issue) => issue.code === "unrecognized_keys");
  // A misspelt key is reported, but the rest of its section is still checked without it.
  const cleaned = withoutKeys(merged, unknownKeys);
  const parsed = unknownKeys.length > 0 ? clusterSchema.safeParse(cleaned) : first;
  const otherIssues = parsed.success ? [] : parsed.error.issues;
  const tainted = otherIssues.map((issue) => pathText(issue.path));
  const config = (parsed.success ? parsed.data : bestEffort(clusterSchema, cleaned)) as ClusterConfig;
  const problems = [...schemaProblems([...unknownKeys, ...otherIssues], merged, ctx.today), ...runRules(config, ctx, tainted)];
  const errors = problems.filter((p) => p.severity === "error");
  if (errors.length > 0 || !parsed.success) return { ok: false, problems };
  return { ok: true, spec: toClusterSpec(parsed.data), warnings: problems };
}

function show(value: unknown): string {
  if (value === undefined) return "(not set)";
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

/** The report a person reads: one numbered entry per problem with field, value, problem and fix. */
export function formatProblems(problems: Problem[]): string {
  const errors = problems.filter((p) => p.severity === "error");
  const warnings = problems.filter((p) => p.severity === "warning");
  const lines: string[] = [];
  const section = (title: string, list: Problem[]) => {
    if (list.length === 0) return;
    lines.push(title);
    list.forEach((p, i) => {
      lines.push(`  ${i + 1}. ${p.path}`, `     value:   ${show(p.value)}`, `     problem: ${p.problem}`, `     fix:     ${p.fix}`);
    });
  };
  section(`The cluster description has ${errors.length} error${errors.length === 1 ? "" : "s"}:`, errors);
  section(`${warnings.length} warning${warnings.length === 1 ? "" : "s"}:`, warnings);
  return lines.join("\n");
}

export class ClusterConfigError extends Error {
  constructor(readonly problems: Problem[]) {
    super(formatProblems(problems));
    this.name = "ClusterConfigError";
  }
}
