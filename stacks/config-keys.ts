// The stack's config keys in this project's namespace: `cluster` and the secrets. A key the program
// does not read is almost always a typo (`onprem-k8s:clustr`), and without this check it would be
// ignored while the description it was meant to carry is reported missing.
import { closest } from "fastest-levenshtein";
import { SECRET_KEYS } from "./schema";
import type { Problem } from "./rules/common";

export const PROJECT = "onprem-k8s";
export const CLUSTER_KEY = `${PROJECT}:cluster`;

/** Every key the program reads, with the project prefix. */
export const KNOWN_CONFIG_KEYS = [CLUSTER_KEY, ...Object.keys(SECRET_KEYS).map((key) => `${PROJECT}:${key}`)];

/** One problem per key in the project's namespace that the program does not read, with the likeliest meant key. */
export function unknownConfigKeyProblems(keys: Iterable<string>): Problem[] {
  const problems: Problem[] = [];
  for (const key of keys) {
    if (!key.startsWith(`${PROJECT}:`) || KNOWN_CONFIG_KEYS.includes(key)) continue;
    const meant = closest(key, KNOWN_CONFIG_KEYS);
    problems.push({
      path: key,
      value: "(set in the stack file)",
      problem: `"${key}" is not a setting of this program; it would be ignored`,
      fix: `did you mean ${meant}? Rename the key (the settings are ${KNOWN_CONFIG_KEYS.join(", ")})`,
      severity: "error",
    });
  }
  return problems;
}
