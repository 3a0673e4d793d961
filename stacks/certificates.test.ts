// kubernetes.certificates (stacks/schema-certificates.ts): the renewal window is refused, with
// field, value, problem and fix, before anything exists when it is not a whole number of days
// from 1 to 3650; left out it is 30.
import { describe, expect, it } from "vitest";
import { readStackFile } from "./stack-file";
import { validateCluster, type Problem } from "./validate";

const FIELD = "cluster.kubernetes.certificates.renewBeforeDays";

function validate(certificates: unknown) {
  const cluster = structuredClone(readStackFile("poc").cluster) as Record<string, any>;
  if (certificates !== undefined) cluster.kubernetes.certificates = certificates;
  return validateCluster(cluster, { secretsPresent: new Set<never>(), planMode: true });
}

/** The errors only: the shipped poc stack also draws warnings (ingress-nginx retired, 1.34 past end of life). */
const errorsOf = (result: ReturnType<typeof validate>) => (result.ok ? [] : result.problems.filter((p) => p.severity === "error"));

function problemAt(certificates: unknown): Problem {
  const result = validate(certificates);
  expect(result.ok).toBe(false);
  const problems = errorsOf(result);
  expect(problems.map((p) => p.path)).toEqual([FIELD]);
  return problems[0]!;
}

describe("kubernetes.certificates.renewBeforeDays", () => {
  it("defaults to 30 days; a window longer than the certificates' year is allowed (it renews on every run)", () => {
    const defaulted = validate(undefined);
    expect(defaulted.ok && defaulted.spec.kubernetes.certificates).toEqual({ renewBeforeDays: 30 });
    const wide = validate({ renewBeforeDays: 400 });
    expect(wide.ok && wide.spec.kubernetes.certificates.renewBeforeDays).toBe(400);
  });

  it.each([
    [{ renewBeforeDays: 0 }, /0 is below the smallest accepted value 1/, /use at least 1/],
    [{ renewBeforeDays: 4000 }, /4000 is above the largest accepted value 3650/, /use at most 3650/],
    [{ renewBeforeDays: 7.5 }, /expected a whole number/, /whole number such as 8/],
    [{ renewBeforeDays: "30" }, /expected a number, found the text "30"/, /without quotes: renewBeforeDays: 30/],
  ])("refuses %j naming the field, the problem and the fix", (certificates, problem, fix) => {
    const found = problemAt(certificates);
    expect(found.problem).toMatch(problem);
    expect(found.fix).toMatch(fix);
  });

  it("refuses an unknown key beside it", () => {
    const result = validate({ renewBeforeDays: 30, renewBefore: 10 });
    expect(result.ok).toBe(false);
    expect(errorsOf(result).map((p) => p.path)).toEqual(["cluster.kubernetes.certificates.renewBefore"]);
  });
});
