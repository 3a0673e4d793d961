// The program itself (not only the plan's pre-check) refuses a bad description before it
// registers anything, and requires the platform's secrets when run for real.
import * as pulumi from "@pulumi/pulumi";
import { runInPulumiStack } from "@pulumi/pulumi/runtime/stack";
import { describe, expect, it } from "vitest";
import { clusterProgram } from "../program";
import { installRecordingMocks } from "../scripts/plan/monitor";
import { planMocks } from "../scripts/plan/mocks";
import { PROJECT, readStackFile } from "../stacks/stack-file";

async function runProgram(config: Record<string, string>, secretKeys: string[]) {
  // The stack resource re-raises the program's error through promises nobody awaits; collect
  // them so each test can check they carry that same error and nothing else.
  const stray: unknown[] = [];
  const collect = (reason: unknown) => stray.push(reason);
  process.on("unhandledRejection", collect);
  try {
    const recorder = await installRecordingMocks(planMocks, PROJECT, "test");
    pulumi.runtime.setAllConfig(config, secretKeys);
    const error = await runInPulumiStack(() => clusterProgram()).then(
      () => undefined,
      (e: unknown) => e,
    );
    await recorder.settle();
    await new Promise((resolve) => setTimeout(resolve, 50));
    for (const reason of stray) expect(String(reason)).toBe(String(error));
    return { error, registered: recorder.resources.map((r) => r.type) };
  } finally {
    process.off("unhandledRejection", collect);
  }
}

describe("program", () => {
  const stack = readStackFile("poc");

  it("registers nothing but the stack when the description is wrong", async () => {
    const cluster = structuredClone(stack.cluster) as Record<string, any>;
    cluster.controlPlane.addresses = ["192.168.100.11", "192.168.100.12"];
    const { error, registered } = await runProgram(
      { "onprem-k8s:cluster": JSON.stringify(cluster), "onprem-k8s:sshPrivateKey": "k", "onprem-k8s:vspherePassword": "p" },
      ["onprem-k8s:sshPrivateKey", "onprem-k8s:vspherePassword"],
    );
    expect(String(error)).toMatch(/cluster.controlPlane.addresses[\s\S]*odd number/);
    expect(registered).toEqual(["pulumi:pulumi:Stack"]);
  });

  it("names the missing secret and the command that sets it", async () => {
    const { error, registered } = await runProgram({ "onprem-k8s:cluster": JSON.stringify(stack.cluster), "onprem-k8s:sshPrivateKey": "k" }, ["onprem-k8s:sshPrivateKey"]);
    expect(String(error)).toMatch(/secret vspherePassword is not set[\s\S]*pulumi config set --secret vspherePassword/);
    expect(registered).toEqual(["pulumi:pulumi:Stack"]);
  });

  it("names a misspelt project prefix once, without a second error for the description it carries", async () => {
    const { error, registered } = await runProgram({ "onpremk8s:cluster": JSON.stringify(stack.cluster), "onprem-k8s:sshPrivateKey": "k" }, ["onprem-k8s:sshPrivateKey"]);
    expect(String(error)).toMatch(/has 1 error:[\s\S]*onpremk8s:cluster[\s\S]*did you mean onprem-k8s:cluster\?/);
    expect(String(error)).not.toMatch(/no cluster description|\n\s+at /);
    expect(registered).toEqual(["pulumi:pulumi:Stack"]);
  });

  it("refuses a description set as plain text and an SSH key it cannot read, naming each", async () => {
    const text = await runProgram({ "onprem-k8s:cluster": "my cluster", "onprem-k8s:sshPrivateKey": "k" }, ["onprem-k8s:sshPrivateKey"]);
    expect(String(text.error)).toMatch(/onprem-k8s:cluster[\s\S]*the cluster description is the text "my cluster", not a mapping/);
    const key = await runProgram({ "onprem-k8s:cluster": JSON.stringify(stack.cluster), "onprem-k8s:sshPrivateKey": "not a key", "onprem-k8s:vspherePassword": "p" }, ["onprem-k8s:sshPrivateKey", "onprem-k8s:vspherePassword"]);
    expect(String(key.error)).toMatch(/onprem-k8s:sshPrivateKey\n\s+value:\s+\(secret, not shown\)\n\s+problem: not a private key the SSH client can read/);
    expect(String(key.error)).not.toContain("not a key");
    expect(key.registered).toEqual(["pulumi:pulumi:Stack"]);
  });
});
