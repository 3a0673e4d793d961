// The stack's config keys in this project's namespace: `cluster` and the secrets. A key the program
// does not read is almost always a typo (`onprem-k8s:clustr`), and without this check it would be
// ignored while the description it was meant to carry is reported missing.
import { closest, distance } from "fastest-levenshtein";
import { SECRET_KEYS } from "./schema";
import type { Problem } from "./rules/common";

export const PROJECT = "onprem-k8s";
export const CLUSTER_KEY = `${PROJECT}:cluster`;

/** Every key the program reads, with the project prefix. */
export const KNOWN_CONFIG_KEYS = [CLUSTER_KEY, ...Object.keys(SECRET_KEYS).map((key) => `${PROJECT}:${key}`)];

/**
 * One problem per key the program does not read but was likely meant for it: any key in the
 * project's namespace, and a key of another namespace a typo away from one of ours
 * (`onpremk8s:cluster`); other namespaces' keys (providers' settings) are left alone.
 */
export function unknownConfigKeyProblems(keys: Iterable<string>): Problem[] {
  const problems: Problem[] = [];
  for (const key of keys) {
    if (KNOWN_CONFIG_KEYS.includes(key)) continue;
    const meant = closest(key, KNOWN_CONFIG_KEYS);
    const ours = key.startsWith(`${PROJECT}:`);
    const namespace = key.split(":")[0];
    if (!ours && !(distance(namespace.toLowerCase(), PROJECT) <= 2 || distance(key.toLowerCase(), meant) <= 2)) continue;
    problems.push({
      path: key,
      value: "(set in the stack file)",
      problem: ours
        ? `"${key}" is not a setting of this program; it would be ignored`
        : `"${key}" is in the namespace ${namespace}, not this project's (${PROJECT}), so the program never reads it`,
      fix: `did you mean ${meant}? Rename the key (the settings are ${KNOWN_CONFIG_KEYS.join(", ")})`,
      severity: "error",
    });
  }
  return problems;
}

/** Whether a key problem above already explains a missing cluster description. */
export function explainsMissingCluster(problems: Problem[]): boolean {
  return problems.some((problem) => problem.fix.startsWith(`did you mean ${CLUSTER_KEY}?`));
}
