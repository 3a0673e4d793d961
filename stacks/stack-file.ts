// Reads a Pulumi stack file (Pulumi.<stack>.yaml) the way the engine would hand its config to
// the program, without the engine: plain values as they are, `secure:` values as secrets whose
// ciphertext the offline plan cannot read.
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
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

/** `poc` -> ./Pulumi.poc.yaml; anything with a slash or a .yaml ending is a path. */
export function resolveStackFile(argument: string, root = process.cwd()): { name: string; path: string } {
  if (/[\\/]/.test(argument) || /\.ya?ml$/.test(argument)) {
    const file = path.resolve(root, argument);
    const base = path.basename(file).replace(/\.ya?ml$/, "");
    return { name: base.replace(/^Pulumi\./, ""), path: file };
  }
  return { name: argument, path: path.join(root, `Pulumi.${argument}.yaml`) };
}

export function readStackFile(argument: string, root = process.cwd()): StackFile {
  const { name, path: file } = resolveStackFile(argument, root);
  if (!fs.existsSync(file)) {
    const known = stackNames(root);
    throw new StackFileError(
      `no stack file ${path.relative(root, file) || file}: the stacks here are ${known.join(", ") || "(none)"}; or give a path such as examples/existing-hosts-external-lb.yaml`,
    );
  }
  const document = parse(fs.readFileSync(file, "utf8")) as { config?: Record<string, unknown> } | null;
  const entries = Object.entries(document?.config ?? {});
  const config: Record<string, string> = {};
  const secretKeys: string[] = [];
  for (const [rawKey, value] of entries) {
    const key = rawKey.includes(":") ? rawKey : `${PROJECT}:${rawKey}`;
    if (value && typeof value === "object" && "secure" in value) {
      secretKeys.push(key);
      // The ciphertext stays unread; the program sees a recognisable stand-in.
      config[key] = `<secret ${key}>`;
    } else {
      config[key] = typeof value === "string" ? value : JSON.stringify(value);
    }
  }
  const cluster = (document?.config ?? {})[CLUSTER_KEY] ?? (document?.config ?? {})["cluster"];
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
