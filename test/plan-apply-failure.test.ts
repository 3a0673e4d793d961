// A program that throws inside an apply: the plan fails instead of hanging. In a file of its own,
// because the failed program's late registrations outlive the plan in its process: in
// test/plan.test.ts the next plan of the same file failed on them ("unknown resource ...
// ControlPlane"), in one run of two.
import * as path from "node:path";
import { expect, it } from "vitest";
import { readStackFile } from "../stacks/stack-file";
import { runPlan } from "../scripts/plan/run";

const root = path.resolve(__dirname, "..");

it("fails instead of hanging when the program throws inside an apply", async () => {
  const stack = readStackFile("poc", root);
  const cluster = structuredClone(stack.cluster) as Record<string, any>;
  // Linked clones keep the template's disk size (20 GiB in the mocks), which only the lookup knows.
  cluster.platform.vsphere.linkedClone = true;
  const config = { ...stack.config, "onprem-k8s:cluster": JSON.stringify(cluster) };
  await expect(runPlan({ ...stack, cluster, config })).rejects.toThrow(/linked clone keeps the template's 20 GiB system disk/);
});

