// Random mutations of the shipped stacks (test/mutation-generators.ts): one at a time, and up to
// five at once with extreme values. Each description must be refused with problems that name a
// field in the project's words, or plan. Never a crash, never a trace, never an exception out of
// the validation, the plan or the program. Seeded (fast-check), so a failure reproduces.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CLUSTER_KEY, plainSecrets, secretsPresent } from "../stacks/stack-file";
import { validateCluster } from "../stacks/validate";
import { runPlan } from "../scripts/plan/run";
import { describeMutated, expectReadable, multiMutations, singleMutations, type MutatedStack } from "./mutation-generators";

function validate(m: MutatedStack) {
  return validateCluster(m.cluster, { secretsPresent: secretsPresent(m.stack), planMode: true, plainSecrets: plainSecrets(m.stack) });
}

/**
 * One macrotask turn per run: the same seeded values, but thousands of validations (and the plans)
 * in one synchronous stretch would block the worker (test/setup's event-loop guard).
 */
async function yieldNow(): Promise<void> {
  await new Promise(setImmediate);
}

// A fixed seed and run counts that keep the file near a minute; MUTATION_SEED, MUTATION_RUNS and
// MUTATION_PLANS explore further locally.
const SEED = Number(process.env.MUTATION_SEED ?? 20261130);
const VALIDATION_RUNS = Number(process.env.MUTATION_RUNS ?? 3000);
const PLAN_RUNS = Number(process.env.MUTATION_PLANS ?? 40);

/** Validates, and plans what is accepted; returns whether it was refused. */
async function refusedOrPlanned(m: MutatedStack, plan: boolean): Promise<boolean> {
  const result = validate(m);
  if (!result.ok) {
    expect(result.problems.some((p) => p.severity === "error")).toBe(true);
    result.problems.forEach(expectReadable);
    return true;
  }
  result.warnings.forEach(expectReadable);
  expect(result.spec.nodes.length).toBeGreaterThan(0);
  if (plan) {
    const stack = { ...m.stack, cluster: m.cluster, config: { ...m.stack.config, [CLUSTER_KEY]: JSON.stringify(m.cluster) } };
    const planned = await runPlan(stack);
    expect(planned.resources.length, describeMutated(m)).toBeGreaterThan(0);
  }
  return false;
}

describe("random single mutations of the shipped stacks", () => {
  it("are each refused with readable problems naming a field, or accepted with a spec", async () => {
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(singleMutations, async (m) => {
        await yieldNow();
        if (await refusedOrPlanned(m, false)) refused++;
      }),
      { seed: SEED, numRuns: VALIDATION_RUNS },
    );
    // The generator must mostly break things, or the property proves little.
    expect(refused).toBeGreaterThan(VALIDATION_RUNS / 3);
  });

  it("plan whenever they are accepted", async () => {
    let planned = 0;
    await fc.assert(
      fc.asyncProperty(singleMutations, async (m) => {
        await yieldNow();
        if (!(await refusedOrPlanned(m, true))) planned++;
      }),
      { seed: SEED + 1, numRuns: PLAN_RUNS },
    );
    expect(planned).toBeGreaterThan(0);
  }, 60_000 + PLAN_RUNS * 5_000);
});

describe("random multi-field mutations with extreme values", () => {
  it("are refused naming a field, or accepted: never an exception out of validation", async () => {
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(multiMutations, async (m) => {
        await yieldNow();
        if (await refusedOrPlanned(m, false)) refused++;
      }),
      { seed: SEED + 2, numRuns: VALIDATION_RUNS / 2 },
    );
    expect(refused).toBeGreaterThan(VALIDATION_RUNS / 4);
  });

  it("plan whenever they are accepted: never an exception out of the program", async () => {
    // Accepted multi-mutations are rarer; draw until enough of them planned.
    let planned = 0;
    await fc.assert(
      fc.asyncProperty(multiMutations, async (m) => {
        await yieldNow();
        if (!(await refusedOrPlanned(m, planned < PLAN_RUNS / 4))) planned++;
      }),
      { seed: SEED + 3, numRuns: PLAN_RUNS * 5 },
    );
    expect(planned).toBeGreaterThan(0);
  }, 60_000 + PLAN_RUNS * 5_000);
});
