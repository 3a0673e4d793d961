import { describe, expect, it } from "vitest";
import type { MeasuredStep } from "./measured";
import { measuredKinds } from "./measured";
import { deviation, modelCheck, modelCheckReport } from "./model-check";
import { recordedResource } from "./recorded-resource.fixture";

const command = (name: string, dependencies: string[] = []) => recordedResource(name, { dependencies: dependencies.map((d) => `urn:${d}`) });

const step = (name: string, seconds: number): MeasuredStep => ({ type: "command:remote:Command", name, op: "create", seconds });

describe("the plan's model against a real run", () => {
  // init, then two packages steps in parallel (12 s and 4 s) before the join.
  const resources = [command("a-init"), command("a-kubernetes-packages", ["a-init"]), command("b-kubernetes-packages", ["a-init"]), command("b-join", ["a-kubernetes-packages", "b-kubernetes-packages"])];
  const steps = [step("a-init", 20), step("a-kubernetes-packages", 12), step("b-kubernetes-packages", 4), step("b-join", 10)];

  it("weights the plan's graph by the run's median per kind and by each step's own time", () => {
    const check = modelCheck(resources, steps, measuredKinds(steps, { includeUnmeasured: true }), 45);
    // Per kind the packages take their median, 8 s: 20 + 8 + 10.
    expect(check.byKind.seconds).toBe(38);
    // Each step's own time: the longer packages step is on the path.
    expect(check.byStep.seconds).toBe(42);
    expect(check.byStep.steps.map((s) => s.name)).toEqual(["a-init", "a-kubernetes-packages", "b-join"]);
    expect(modelCheckReport(check)).toContain("42 s in 3 steps (-7 % against the run's 45 s)");
  });

  it("says how far off, in percent of the run", () => {
    expect(deviation(92, 103)).toBeCloseTo(-10.7, 1);
    expect(deviation(120, 100)).toBe(20);
  });
});
