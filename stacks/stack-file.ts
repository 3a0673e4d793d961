// Reads a Pulumi stack file (Pulumi.<stack>.yaml) the way the engine would hand its config to
// the program, without the engine: plain values as they are, `secure:` values as secrets whose
// ciphertext the offline plan cannot read.
import * as fs from "node:fs";
import * as path from "node:path";
import { parseDocument } from "yaml";
import { closest, distance } from "fastest-levenshtein";
import { describeYamlError } from "./yaml-errors";
import { describeFound } from "./messages";
import { CLUSTER_KEY, PROJECT } from "./config-keys";
import { SECRET_KEYS, type SecretKey } from "./schema";

export { CLUSTER_KEY, PROJECT } from "./config-keys";

/** A stack that cannot be read: the message is the whole story, one line, no trace. */
export class StackFileError extends Error {
  override name = "StackFileError";
}

/** Stack names with a Pulumi.<name>.yaml in root (Pulumi.yaml itself is the project file). */
export function stackNames(root = process.cwd()): string[] {
  return fs
    .readdirSync(root)
    .map((f) => /^Pulumi\.(.+)\.ya?ml$/.exec(f)?.[1])
    .filter((name): name is string => name !== undefined)
    .sort();
}

export interface StackFile {
  /** Stack name: `poc` for Pulumi.poc.yaml, the file's base name otherwise. */
  name: string;
  path: string;
  /** The raw cluster description. */
  cluster: unknown;
  /** Every config value as the engine passes it (JSON text for objects), keyed `project:key`. */
  config: Record<string, string>;
  /** Keys whose values are secret (`secure:` in the file). */
  secretKeys: string[];
}

/**
 * `poc` -> ./Pulumi.poc.yaml; an existing file or anything with a slash or a .yaml ending is a
 * path (so `README.md` is that file, not a stack named README.md).
 */
export function resolveStackFile(argument: string, root = process.cwd()): { name: string; path: string } {
  const asPath = path.resolve(root, argument);
  if (/[\\/]/.test(argument) || /\.ya?ml$/.test(argument) || fs.existsSync(asPath)) {
    const base = path.basename(asPath).replace(/\.ya?ml$/, "");
    return { name: base.replace(/^Pulumi\./, ""), path: asPath };
  }
  return { name: argument, path: path.join(root, `Pulumi.${argument}.yaml`) };
}

/** What a stack file holds, in the words of the errors below. */
const STACK_FILE_SHAPE = "a stack file is YAML with `config:` at the top and the description under `onprem-k8s:cluster:`, as in Pulumi.poc.yaml";

function readText(argument: string, file: string, root: string): string {
  const shown = path.relative(root, file) || file;
  if (!fs.existsSync(file)) {
    const known = stackNames(root);
    const directory = path.dirname(file);
    const siblings = directory !== root && fs.existsSync(directory) && fs.statSync(directory).isDirectory() ? fs.readdirSync(directory).filter((f) => /\.ya?ml$/.test(f)) : [];
    const closestSibling = siblings.length > 0 ? closest(path.basename(file), siblings) : undefined;
    const meant = closestSibling && distance(path.basename(file), closestSibling) <= Math.max(3, path.basename(file).length / 2) ? closestSibling : undefined;
    throw new StackFileError(
      meant
        ? `no stack file ${shown}: did you mean ${path.relative(root, path.join(directory, meant))}? (${path.relative(root, directory)}/ holds ${siblings.join(", ")})`
        : `no stack file ${shown}: the stacks here are ${known.join(", ") || "(none)"}; or give a path such as examples/existing-hosts-external-lb.yaml`,
    );
  }
  if (fs.statSync(file).isDirectory()) {
    const inside = fs.readdirSync(file).filter((f) => /\.ya?ml$/.test(f));
    const example = inside.length > 0 ? `, e.g. ${path.join(argument, inside[0])}` : "";
    throw new StackFileError(`${shown}/ is a directory, not a stack file: give one stack file${example}${inside.length > 1 ? ` (it holds ${inside.length})` : ""}`);
  }
  if (/^Pulumi\.ya?ml$/.test(path.basename(file))) {
    throw new StackFileError(`${shown} is the project file (name, runtime), not a stack: give a stack name such as ${stackNames(root)[0] ?? "poc"} (its file is Pulumi.<stack>.yaml) or a stack file's path`);
  }
  if (!/\.(ya?ml|json)$/i.test(file)) {
    throw new StackFileError(`${shown} is not a stack file (not .yaml): ${STACK_FILE_SHAPE}; give a stack name such as ${stackNames(root)[0] ?? "poc"} or a .yaml path`);
  }
  return fs.readFileSync(file, "utf8");
}

/** The parsed document, or one line naming file:line:column, the problem and the fix. */
function parseStackDocument(text: string, shown: string): unknown {
  const document = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  const first = document.errors[0];
  if (first) {
    const where = describeYamlError(first, text.split(/\r?\n/)[(first.linePos?.[0].line ?? 1) - 1] ?? "");
    throw new StackFileError(`${shown}:${where.line}:${where.column}: ${where.problem}; fix: ${where.fix}`);
  }
  try {
    return document.toJS({ maxAliasCount: 100 });
  } catch (thrown) {
    // Aliases that expand without bound (a "billion laughs" file) and the like.
    throw new StackFileError(`${shown}: YAML cannot expand this file (${thrown instanceof Error ? thrown.message : String(thrown)}); fix: write the repeated parts out instead of using aliases`);
  }
}

/** The `config:` mapping of a parsed stack file, or why there is none. */
function configSection(document: unknown, shown: string): Record<string, unknown> {
  if (document === null || typeof document !== "object" || Array.isArray(document)) {
    throw new StackFileError(`${shown} is not a stack file: it holds ${describeFound(document)}, not a mapping; ${STACK_FILE_SHAPE}`);
  }
  const root = document as Record<string, unknown>;
  if (!("config" in root)) {
    const keys = Object.keys(root);
    if ("runtime" in root) {
      throw new StackFileError(`${shown} is a Pulumi project file (it has runtime:), not a stack: give a stack file; ${STACK_FILE_SHAPE}`);
    }
    if (CLUSTER_KEY in root || "cluster" in root) {
      throw new StackFileError(`${shown} has ${CLUSTER_KEY in root ? CLUSTER_KEY : "cluster"}: at the top, but the engine reads settings only under config:; fix: add a line config: above it and indent the description two more spaces`);
    }
    const meant = keys.find((key) => key.toLowerCase() !== "config" && (distance(key.toLowerCase(), "config") <= 3 || key.toLowerCase().startsWith("config")));
    const found = keys.length > 0 ? `found ${keys.map((key) => `${key}:`).join(", ")}` : "found no keys";
    throw new StackFileError(`${shown} has no config: section at the top (${found})${meant ? `; did you mean config:? Rename ${meant}: to config:` : `; ${STACK_FILE_SHAPE}`}`);
  }
  const config = root.config;
  if (config === null || config === undefined) return {};
  if (typeof config !== "object" || Array.isArray(config)) {
    throw new StackFileError(`${shown}: config: holds ${describeFound(config)}, not a mapping; ${STACK_FILE_SHAPE}`);
  }
  return config as Record<string, unknown>;
}

/** A config value as the engine passes it (JSON text); a YAML alias that contains itself has none. */
function configText(value: unknown, key: string, shown: string): string {
  try {
    return JSON.stringify(value) ?? "null";
  } catch {
    throw new StackFileError(`${shown}: the value of ${key} contains itself through a YAML alias (&name ... *name inside it); write the repeated part out instead`);
  }
}

export function readStackFile(argument: string, root = process.cwd()): StackFile {
  const { name, path: file } = resolveStackFile(argument, root);
  const shown = path.relative(root, file) || file;
  const section = configSection(parseStackDocument(readText(argument, file, root), shown), shown);
  const config: Record<string, string> = {};
  const secretKeys: string[] = [];
  for (const [rawKey, value] of Object.entries(section)) {
    const key = rawKey.includes(":") ? rawKey : `${PROJECT}:${rawKey}`;
    if (value && typeof value === "object" && "secure" in value) {
      secretKeys.push(key);
      // The ciphertext stays unread; the program sees a recognisable stand-in.
      config[key] = `<secret ${key}>`;
    } else {
      config[key] = typeof value === "string" ? value : configText(value, rawKey, shown);
    }
  }
  const cluster = section[CLUSTER_KEY] ?? section["cluster"];
  return { name, path: file, cluster, config, secretKeys };
}

/** Secret keys the file sets as plain values instead of `secure:` ones (clear text in the file). */
export function plainSecrets(stack: StackFile): Set<SecretKey> {
  return new Set([...secretsPresent(stack)].filter((key) => !stack.secretKeys.includes(`${PROJECT}:${key}`)));
}

/** Secret keys the file sets, as the rule context wants them. */
export function secretsPresent(stack: StackFile): Set<SecretKey> {
  return new Set(
    Object.keys(SECRET_KEYS).filter((key) => stack.config[`${PROJECT}:${key}`] !== undefined) as SecretKey[],
  );
}
