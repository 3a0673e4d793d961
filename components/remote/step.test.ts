// What a remote step registers, as the engine sees it: which inputs are secret, the delete line,
// logging and protection.
import * as pulumi from "@pulumi/pulumi";
import { runInPulumiStack } from "@pulumi/pulumi/runtime/stack";
import { beforeAll, describe, expect, it } from "vitest";
import { installRecordingMocks, type Recorder, type RecordedResource } from "../../scripts/plan/monitor";
import { planMocks } from "../../scripts/plan/mocks";
import { sshConnection } from "./connection";
import { remoteStep } from "./step";

class Parent extends pulumi.ComponentResource {
  constructor() {
    super("test:remote:Parent", "parent", {}, {});
  }
}

let recorder: Recorder;
const step = (name: string): RecordedResource => {
  const found = recorder.resources.find((r) => r.name === name);
  if (!found) throw new Error(`no step ${name}`);
  return found;
};

beforeAll(async () => {
  recorder = await installRecordingMocks(planMocks, "remote-test", "test");
  await runInPulumiStack(async () => {
    const parent = new Parent();
    const connection = sshConnection({ address: "192.0.2.10" }, "admin", 22, pulumi.secret("key"));
    const common = { connection, create: "sudo -n bash -s", stdin: "export A=1; \nmain", triggers: ["t1"] };
    remoteStep("plain", common, { parent, dependsOn: [] });
    remoteStep("secret-stdin", { ...common, secrets: "stdin", delete: "sudo -n env X=delete bash -s", withoutPreviousOutput: true }, { parent, dependsOn: [], deleteBeforeReplace: true });
    remoteStep("secret-all", { ...common, secrets: "all", explicitLogging: true }, { parent, dependsOn: [] });
    remoteStep("logged", { ...common, explicitLogging: true }, { parent, dependsOn: [] });
  });
  await recorder.settle();
});

describe("remoteStep", () => {
  it("keeps a plain step's inputs plain and is not protected", () => {
    const plain = step("plain");
    expect(plain.inputs).toMatchObject({ create: "sudo -n bash -s", stdin: "export A=1; \nmain", triggers: ["t1"] });
    // The connection is always secret (it holds the private key).
    expect(plain.secretPaths).toEqual(["connection"]);
    expect(plain.inputs.logging).toBeUndefined();
    expect(plain.protect).toBe(false);
  });

  it("makes stdin secret and adds the delete line", () => {
    const secret = step("secret-stdin");
    expect(secret.secretPaths).toContain("stdin");
    expect(secret.secretPaths).not.toContain("triggers[0]");
    expect(secret.inputs).toMatchObject({ delete: "sudo -n env X=delete bash -s", addPreviousOutputInEnv: false });
    expect(secret.deleteBeforeReplace).toBe(true);
  });

  it("with every secret: triggers and output secret too, and nothing in the log", () => {
    const all = step("secret-all");
    expect(all.secretPaths).toEqual(expect.arrayContaining(["stdin", "triggers[0]"]));
    expect(all.inputs.logging).toBe("none");
    expect(all.additionalSecretOutputs).toEqual(expect.arrayContaining(["stdout", "stderr"]));
    const logged = step("logged");
    expect(logged.inputs.logging).toBe("stdoutAndStderr");
    expect(logged.secretPaths).toEqual(["connection"]);
    expect(logged.additionalSecretOutputs).not.toContain("stdout");
  });
});
