// Schema issues in the project's words: what was found, what is expected, and how to fix it.
// zod's own texts ("Invalid input", "Too small: ...") never reach the person reading the report.
import { z } from "zod";
import { TESTED_KUBERNETES_VERSION, clusterSchema } from "./schema";
import { supportStatus } from "./kubernetes-releases";

/** Peels optional/default wrappers off a schema to reach the object or array inside. */
export function unwrap(schema: z.ZodType): z.ZodType {
  let current: z.ZodType = schema;
  for (;;) {
    if (current instanceof z.ZodOptional || current instanceof z.ZodDefault) current = current.unwrap() as z.ZodType;
    else return current;
  }
}

/** The schema node at a path, to quote its description in a fix. */
export function schemaAt(path: PropertyKey[]): z.ZodType | undefined {
  let current: z.ZodType | undefined = clusterSchema;
  for (const key of path) {
    if (!current) return undefined;
    const inner = unwrap(current);
    if (inner instanceof z.ZodObject && typeof key === "string") current = inner.shape[key] as z.ZodType | undefined;
    else if (inner instanceof z.ZodArray && typeof key === "number") current = inner.element as z.ZodType;
    else if (inner instanceof z.ZodRecord) current = inner.valueType as z.ZodType;
    else return undefined;
  }
  return current;
}

/** How a found value reads in a message: `the number 24.04`, `the string "4"`, `a list`. */
export function describeFound(value: unknown): string {
  if (value === null) return "an empty value (null)";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  if (typeof value === "string") return `the text "${value.length > 60 ? `${value.slice(0, 57)}...` : value}"`;
  if (typeof value === "number" && Number.isNaN(value)) return "the YAML value .nan (not a number)";
  if (typeof value === "number" && !Number.isFinite(value)) return `the YAML value ${value > 0 ? ".inf" : "-.inf"} (infinity)`;
  return `the ${typeof value} ${String(value)}`;
}

const EXPECTED: Record<string, string> = {
  string: "text",
  number: "a number",
  int: "a whole number",
  boolean: "true or false",
  array: "a list",
  object: "a mapping",
  record: "a mapping",
};

/** zod's default texts; a custom message (ours) reads differently and is kept as it is. */
const LIBRARY_TEXT = /^(Invalid|Too (small|big)|Unrecognized|Expected)/;

export interface IssueText {
  problem: string;
  fix: string;
  /** The fix as edits, where it is certain (see Problem.edits). */
  edits?: { path: (string | number)[]; value: unknown }[];
}

/** The problem and fix of one schema issue at `field` (the full dotted path from `cluster.`). */
export function describeIssue(issue: z.core.$ZodIssue, field: string, value: unknown, today?: string): IssueText {
  const described = schemaAt(issue.path)?.description;
  // The description may hold parentheses itself; never nest them.
  const hint = described ? (described.includes("(") ? `: ${described}` : ` (${described})`) : "";
  const custom = !LIBRARY_TEXT.test(issue.message);
  if (value === undefined && (issue.code === "invalid_type" || issue.code === "invalid_value")) {
    const choices = issue.code === "invalid_value" ? ` to one of: ${issue.values.map((v) => String(v)).join(", ")}` : "";
    return { problem: "missing", fix: `set ${field}${choices}${hint}` };
  }
  switch (issue.code) {
    case "invalid_type": {
      const expected = EXPECTED[issue.expected] ?? issue.expected;
      const problem = `expected ${expected}, found ${describeFound(value)}`;
      if (issue.expected === "string" && ((typeof value === "number" && Number.isFinite(value)) || typeof value === "boolean")) {
        const yaml = `${problem}: YAML reads an unquoted ${String(value)} as a ${typeof value}`;
        const path = issue.path as (string | number)[];
        if (path.join(".") === "kubernetes.version") {
          // The tested version is only offered as an edit while upstream still supports it.
          const supported = supportStatus(TESTED_KUBERNETES_VERSION, today).status === "supported";
          return { problem: yaml, fix: quoteFix(issue.path, value), ...(supported ? { edits: [{ path, value: TESTED_KUBERNETES_VERSION }] } : {}) };
        }
        // Quoting helps only if the text then passes the field's own check (42 is no address either way).
        const quoted = schemaAt(issue.path)?.safeParse(String(value));
        if (quoted && !quoted.success) {
          const inner = quoted.error.issues[0];
          return { problem: `${problem}: YAML reads an unquoted ${String(value)} as a ${typeof value}, and as text it is not accepted either`, fix: describeIssue({ ...inner, path: issue.path }, field, String(value), today).fix };
        }
        return { problem: yaml, fix: quoteFix(issue.path, value), edits: [{ path, value: String(value) }] };
      }
      if (issue.expected === "int" && typeof value === "number" && Number.isFinite(value)) return { problem, fix: `use a whole number such as ${Math.round(value)}` };
      if ((issue.expected === "number" || issue.expected === "int") && typeof value === "string" && value.trim() !== "" && !Number.isNaN(Number(value))) {
        const unquoted = schemaAt(issue.path)?.safeParse(Number(value));
        if (unquoted && !unquoted.success) return { problem, fix: describeIssue({ ...unquoted.error.issues[0], path: issue.path }, field, Number(value), today).fix };
        return { problem, fix: `write it without quotes: ${lastKey(issue.path)}: ${value.trim()}`, edits: [{ path: issue.path as (string | number)[], value: Number(value) }] };
      }
      return { problem, fix: `make ${field} ${expected}${hint}` };
    }
    case "invalid_value":
      return { problem: `expected one of ${issue.values.map((v) => String(v)).join(", ")}; found ${describeFound(value)}`, fix: `use one of: ${issue.values.map((v) => String(v)).join(", ")}` };
    case "invalid_format": {
      const formats: Record<string, IssueText> = {
        ipv4: { problem: "not an IPv4 address", fix: "write an IPv4 address such as 192.168.100.10" },
        cidrv4: { problem: "not an IPv4 CIDR (address/prefix)", fix: "write a CIDR such as 10.244.0.0/16" },
        url: { problem: "not a URL", fix: "write a full URL such as http://proxy.example.internal:3128" },
      };
      const known = formats[issue.format] ?? { problem: "does not have the expected form", fix: `correct ${field}${hint}` };
      return { problem: custom ? issue.message : known.problem, fix: issue.format === "url" ? formats.url.fix : known.fix };
    }
    case "too_small":
      if (issue.origin === "array") return { problem: `${Array.isArray(value) ? value.length : 0} entries, at least ${issue.minimum} needed`, fix: `give at least ${issue.minimum} entr${issue.minimum === 1 ? "y" : "ies"}` };
      if (issue.origin === "string") return { problem: "empty", fix: `set ${field} to a value${hint}, or remove it` };
      return { problem: `${String(value)} is below the smallest accepted value ${issue.minimum}`, fix: `use at least ${issue.minimum}` };
    case "too_big":
      if (issue.origin === "array") return { problem: `${Array.isArray(value) ? value.length : 0} entries, at most ${issue.maximum} allowed`, fix: `give at most ${issue.maximum} entries` };
      if (issue.origin === "string") return { problem: `${typeof value === "string" ? value.length : "too many"} characters, at most ${issue.maximum} allowed`, fix: `shorten it to ${issue.maximum} characters` };
      return { problem: `${String(value)} is above the largest accepted value ${issue.maximum}`, fix: `use at most ${issue.maximum}` };
    case "custom": {
      const fix = (issue.params as { fix?: string } | undefined)?.fix;
      return { problem: custom ? issue.message : "not accepted", fix: fix ?? `correct ${field}${hint}` };
    }
    default:
      return { problem: custom ? issue.message : `${describeFound(value)} is not accepted here`, fix: `correct ${field}${hint}` };
  }
}

function lastKey(path: PropertyKey[]): string {
  const key = [...path].reverse().find((k) => typeof k === "string");
  return key === undefined ? "value" : String(key);
}

/** Quoting a YAML number; versions also get a version the tests validate, since 1.30 reads as 1.3. */
function quoteFix(path: PropertyKey[], value: unknown): string {
  const key = lastKey(path);
  if (path.join(".") === "kubernetes.version") {
    return `quote it and give the full version, e.g. ${key}: "${TESTED_KUBERNETES_VERSION}" (YAML also drops trailing zeros: an unquoted 1.30 reads as 1.3)`;
  }
  const dropped = typeof value === "number" && !Number.isInteger(value) ? " (check the digits: YAML drops trailing zeros, so an unquoted 22.10 reads as 22.1)" : "";
  return `quote it: ${key}: "${String(value)}"${dropped}`;
}
