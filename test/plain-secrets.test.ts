// Secrets set as plain config, as the offline plan and the program see them: the stack file's
// plain value (no `secure:`) and the engine's list of secret keys (PULUMI_CONFIG_SECRET_KEYS).
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { readStackFile, type StackFile } from "../stacks/stack-file";
import { runPlan } from "../scripts/plan/run";
import { ClusterConfigError } from "../stacks/validate";

const root = path.resolve(__dirname, "..");

function withPlainPassword(name: string): StackFile {
  const stack = readStackFile(name, root);
  return { ...stack, config: { ...stack.config, "onprem-k8s:vspherePassword": "hunter2" } };
}

describe("secrets given as plain config", () => {
  it("refuses them in the prod profile before anything is planned", async () => {
    const refused = runPlan(withPlainPassword("prod"));
    await expect(refused).rejects.toBeInstanceOf(ClusterConfigError);
    await expect(refused).rejects.toThrow(/onprem-k8s:vspherePassword[\s\S]*clear text in the stack file; the prod profile refuses that[\s\S]*pulumi config set --secret vspherePassword/);
    await expect(refused).rejects.not.toThrow(/hunter2/);
  });

  it("warns in poc, and the program itself tells plain from secret keys through the engine's list", async () => {
    // the plan's warnings are the ones the program reports (ProgramOptions.warn), from its own config
    const result = await runPlan(withPlainPassword("poc"));
    const plain = result.warnings.filter((p) => /is set as plain config/.test(p.problem));
    expect(plain.map((p) => [p.path, p.severity])).toEqual([["onprem-k8s:vspherePassword", "warning"]]);
  });
});
