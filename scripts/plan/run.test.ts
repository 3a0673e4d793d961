// The plan switches off Pulumi's debugging bookkeeping while it runs (run.ts): a test that fails
// if the SDK stops calling it where the plan replaces it (the switch would silently do nothing) or
// if the plan leaves it switched off.
import * as pulumi from "@pulumi/pulumi";
import { afterEach, describe, expect, it } from "vitest";
import { planStack } from "../../test/harness";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const debuggable = require("@pulumi/pulumi/runtime/debuggable") as { debuggablePromise: <T>(promise: Promise<T>, context: unknown) => Promise<T> };
const resourceClass = pulumi.Resource as unknown as { callsites: () => unknown[] };
const originalPromise = debuggable.debuggablePromise;
const originalCallsites = resourceClass.callsites;

/** Plans the smallest example with counting stand-ins in place: how often the SDK called each. */
async function callsDuringPlan(): Promise<{ promises: number; callsites: number }> {
  const calls = { promises: 0, callsites: 0 };
  const countingPromise = <T>(promise: Promise<T>, context: unknown) => {
    calls.promises++;
    return originalPromise(promise, context);
  };
  const countingCallsites = () => {
    calls.callsites++;
    return originalCallsites();
  };
  debuggable.debuggablePromise = countingPromise;
  resourceClass.callsites = countingCallsites;
  await planStack("examples/existing-hosts-external-lb.yaml");
  // Whatever the plan switched off, it put back.
  expect(debuggable.debuggablePromise).toBe(countingPromise);
  expect(resourceClass.callsites).toBe(countingCallsites);
  return calls;
}

describe("Pulumi's debugging bookkeeping during a plan", () => {
  afterEach(() => {
    debuggable.debuggablePromise = originalPromise;
    resourceClass.callsites = originalCallsites;
    delete process.env.ONPREM_K8S_DEBUG;
  });

  it("is what the SDK calls for every promise and resource (ONPREM_K8S_DEBUG keeps it), and a plan switches it off", async () => {
    process.env.ONPREM_K8S_DEBUG = "1";
    const kept = await callsDuringPlan();
    expect(kept.promises).toBeGreaterThan(1000);
    expect(kept.callsites).toBeGreaterThan(50);
    delete process.env.ONPREM_K8S_DEBUG;
    expect(await callsDuringPlan()).toEqual({ promises: 0, callsites: 0 });
  });
});
