// Cross-field rules: what the schema cannot see field by field, one file per concern. Each rule
// names the sections it reads; a rule is skipped when one of them already failed the schema, so
// one typo does not produce a cascade of follow-up messages while independent mistakes are all
// still reported.
import type { ClusterConfig } from "../schema";
import type { Problem, Rule, RuleContext } from "./common";
import { accessRules } from "./access";
import { addonsRules } from "./addons";
import { addressRules } from "./addresses";
import { adoptionRules } from "./adoption";
import { backupsRules } from "./backups";
import { endpointRules } from "./endpoint";
import { networkingRules } from "./networking";
import { nodesRules } from "./nodes";
import { nodeOperationsRules } from "./node-operations";
import { platformRules } from "./platform";
import { preflightRules } from "./preflight";
import { secretsRules } from "./secrets";
import { softwareRules } from "./software";
import { upgradeRules } from "./upgrade";

export type { Problem, RuleContext } from "./common";
export { noProxyGaps } from "./networking";
export { requiredSecretKeys } from "./secrets";

const rules: Rule[] = [...nodesRules, ...preflightRules, ...endpointRules, ...networkingRules, ...addonsRules, ...backupsRules, ...addressRules, ...platformRules, ...softwareRules, ...upgradeRules, ...accessRules, ...secretsRules, ...nodeOperationsRules, ...adoptionRules];

/** Paths (below `cluster.`) a schema issue taints; a rule using any of them is skipped. */
function isTainted(uses: string[], taintedPaths: string[]): boolean {
  return uses.some((use) => taintedPaths.some((tainted) => tainted === "" || use.startsWith(tainted) || tainted.startsWith(use)));
}

/**
 * Runs every rule whose sections passed the schema. Rules report what they cannot read as
 * problems themselves; a rule that throws anyway has a bug, which is reported as an error (never
 * swallowed) so the description is refused and the tests that assert on it fail.
 */
export function runRules(config: ClusterConfig, ctx: RuleContext, taintedPaths: string[] = [], list: readonly Rule[] = rules): Problem[] {
  const problems: Problem[] = [];
  for (const rule of list) {
    // Node names are made from the cluster name, so every rule reading nodes reads it too.
    const readsNodes = rule.uses.some((use) => use === "controlPlane" || use === "workerPools");
    if (isTainted(readsNodes ? [...rule.uses, "name"] : rule.uses, taintedPaths)) continue;
    try {
      problems.push(...rule.check(config, ctx));
    } catch (thrown) {
      problems.push(internalError(rule, thrown));
    }
  }
  return problems;
}

export const INTERNAL_ERROR = "internal error in the check of";

function internalError(rule: Rule, thrown: unknown): Problem {
  const reason = thrown instanceof Error ? thrown.message : String(thrown);
  return {
    path: `cluster.${rule.uses[0]}`,
    value: undefined,
    problem: `${INTERNAL_ERROR} ${rule.uses.map((use) => `cluster.${use}`).join(", ")}: ${reason}`,
    fix: "this is a bug in onprem-k8s's validation, not necessarily in the description: report it with the description; check those fields by hand meanwhile",
    severity: "error",
  };
}
