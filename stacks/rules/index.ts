// Cross-field rules: what the schema cannot see field by field, one file per concern. Each rule
// names the sections it reads; a rule is skipped when one of them already failed the schema, so
// one typo does not produce a cascade of follow-up messages while independent mistakes are all
// still reported.
import type { ClusterConfig } from "../schema";
import type { Problem, Rule, RuleContext } from "./common";
import { addonsRules } from "./addons";
import { endpointRules } from "./endpoint";
import { networkingRules } from "./networking";
import { nodesRules } from "./nodes";
import { platformRules } from "./platform";
import { secretsRules } from "./secrets";
import { softwareRules } from "./software";

export type { Problem, RuleContext } from "./common";
export { noProxyGaps } from "./networking";
export { requiredSecretKeys } from "./secrets";

const rules: Rule[] = [...nodesRules, ...endpointRules, ...networkingRules, ...addonsRules, ...platformRules, ...softwareRules, ...secretsRules];

/** Paths (below `cluster.`) a schema issue taints; a rule using any of them is skipped. */
function isTainted(uses: string[], taintedPaths: string[]): boolean {
  return uses.some((use) => taintedPaths.some((tainted) => tainted === "" || use.startsWith(tainted) || tainted.startsWith(use)));
}

export function runRules(config: ClusterConfig, ctx: RuleContext, taintedPaths: string[] = []): Problem[] {
  const problems: Problem[] = [];
  for (const rule of rules) {
    if (isTainted(rule.uses, taintedPaths)) continue;
    try {
      problems.push(...rule.check(config, ctx));
    } catch {
      // A rule that cannot read its sections is covered by a schema problem already.
    }
  }
  return problems;
}
