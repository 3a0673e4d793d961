// Key rotation (encryption-rotation.ts, settings.ts): what an update rotates and refuses, the
// EncryptionConfiguration of each phase, and the planned steps: read and write phases one control
// plane at a time, the rewrite on the first, then the settings steps dropping the old key.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { stackReferenceOutputs } from "../../scripts/plan/mocks";
import { planStack, resourcesOfType, type PlanResult } from "../../test/harness";
import { stackSpec } from "../../test/stack-spec";
import { encryptionChangeProblems, previousEncryption, readPhase, rotationPlan } from "./encryption-rotation";
import { apiServerFilesOf, PREVIOUS_ENCRYPTION_KEY_ENV } from "./hardening";

const on = (keyGeneration: number) => ({ enabled: true, keyGeneration });
const VERSION = stackSpec("poc").kubernetes.version;

describe("what an update rotates and refuses", () => {
  it("rotates when the generation went up while encryption was on; not on a first deployment or when it is turned on", () => {
    expect(rotationPlan(on(1), on(2))).toEqual({ from: 1, to: 2 });
    expect(rotationPlan(on(2), on(2))).toEqual({ to: 2 });
    expect(rotationPlan(undefined, on(3))).toEqual({ to: 3 });
    expect(rotationPlan({ enabled: false, keyGeneration: 1 }, on(2))).toEqual({ to: 2 });
    expect(readPhase({ from: 1, to: 2 })).toEqual({ from: 1, phase: "read" });
    expect(readPhase({ to: 2 })).toBeUndefined();
  });

  it("refuses turning encryption off and lowering the generation, naming the field and the fix", () => {
    const [off] = encryptionChangeProblems(on(1), { enabled: false, keyGeneration: 1 });
    expect(off).toMatchObject({ path: "cluster.kubernetes.encryption.enabled", problem: expect.stringMatching(/could not read them/), fix: expect.stringMatching(/keep cluster.kubernetes.encryption.enabled: true/) });
    const [lower] = encryptionChangeProblems(on(3), on(2));
    expect(lower).toMatchObject({ path: "cluster.kubernetes.encryption.keyGeneration", value: 2, fix: "set cluster.kubernetes.encryption.keyGeneration: 3 (or 4 to rotate)" });
    expect(encryptionChangeProblems(undefined, { enabled: false, keyGeneration: 1 })).toEqual([]);
    expect(encryptionChangeProblems(on(1), on(2))).toEqual([]);
  });

  it("reads a previous output only when it has the expected shape", () => {
    expect(previousEncryption({ enabled: true, keyGeneration: 2 })).toEqual(on(2));
    expect(previousEncryption(undefined)).toBeUndefined();
    expect(previousEncryption({ keyGeneration: "2" })).toBeUndefined();
  });
});

describe("the EncryptionConfiguration of each phase", () => {
  const spec = stackSpec("prod", (c) => (c.kubernetes.encryption = { keyGeneration: 2 }));
  const keysOf = (text: string) => parseYaml(text).resources[0].providers[0].secretbox.keys.map((k: { name: string; secret: string }) => `${k.name}=${k.secret}`);
  it("read: the old key first, the new one known; write: the new key first; final: the new key alone; identity always last", () => {
    expect(keysOf(apiServerFilesOf(spec, { from: 1, phase: "read" }).encryption)).toEqual(["onprem-k8s-1=${APISERVER_ENCRYPTION_KEY_PREVIOUS}", "onprem-k8s-2=${APISERVER_ENCRYPTION_KEY}"]);
    expect(keysOf(apiServerFilesOf(spec, { from: 1, phase: "write" }).encryption)).toEqual(["onprem-k8s-2=${APISERVER_ENCRYPTION_KEY}", "onprem-k8s-1=${APISERVER_ENCRYPTION_KEY_PREVIOUS}"]);
    expect(keysOf(apiServerFilesOf(spec).encryption)).toEqual(["onprem-k8s-2=${APISERVER_ENCRYPTION_KEY}"]);
    expect(parseYaml(apiServerFilesOf(spec).encryption).resources[0].providers[1]).toEqual({ identity: {} });
  });
});

describe("the planned rotation", () => {
  let refusal: NodeJS.UnhandledRejectionListener;
  let vitestListeners: NodeJS.UnhandledRejectionListener[] = [];
  // A refusal is also reported by the SDK as an unhandled rejection of the program's promise; only those are kept from vitest.
  beforeEach(() => {
    vitestListeners = process.listeners("unhandledRejection");
    process.removeAllListeners("unhandledRejection");
    refusal = (reason, promise) => {
      if (reason instanceof Error && /The cluster description has \d+ error/.test(reason.message)) return;
      for (const listener of vitestListeners) listener(reason, promise);
    };
    process.on("unhandledRejection", refusal);
  });
  afterEach(async () => {
    await new Promise((resolve) => setTimeout(resolve, 200));
    process.removeListener("unhandledRejection", refusal);
    for (const listener of vitestListeners) process.on("unhandledRejection", listener);
    stackReferenceOutputs.clear();
  });
  const COMMAND = "command:remote:Command";
  const CPS = ["nsx-poc-cp-1", "nsx-poc-cp-2", "nsx-poc-cp-3"];

  it("from generation 1 to 2: each phase one control plane at a time, the rewrite on the first, then the settings steps; both keys secret, every generation's key kept", async () => {
    stackReferenceOutputs.set("organization/onprem-k8s/poc", { encryption: on(1) });
    const plan = await planStack("poc", (c) => (c.kubernetes.encryption = { enabled: true, keyGeneration: 2 }));
    const steps = resourcesOfType(plan, COMMAND).filter((r) => /-(encryption-(read|write|rewrite)-2|settings)$/.test(r.name));
    const order = [...CPS.map((n) => `${n}-encryption-read-2`), ...CPS.map((n) => `${n}-encryption-write-2`), `${CPS[0]}-encryption-rewrite-2`, ...CPS.map((n) => `${n}-settings`)];
    expect(steps.map((s) => s.name).sort()).toEqual([...order].sort());
    const byName = new Map(steps.map((s) => [s.name, s]));
    for (let i = 1; i < order.length; i++) expect(byName.get(order[i]!)!.dependencies, `${order[i]} waits for ${order[i - 1]}`).toContain(byName.get(order[i - 1]!)!.urn);
    expect(byName.get(`${CPS[0]}-encryption-rewrite-2`)!.inputs.stdin).toContain("SETTINGS_ACTION=rewrite-secrets");
    for (const step of steps) expect(step.secretPaths, step.name).toContain("stdin");
    const keys = resourcesOfType(plan, "random:index/randomBytes:RandomBytes").map((r) => r.name).sort();
    expect(keys).toEqual(["nsx-poc-secrets-encryption-key", "nsx-poc-secrets-encryption-key-2"]);
  });

  it("a control plane the stack had keeps its pki step at the final files through a rotation (nothing re-runs after it); one joining during the rotation reads with both keys", async () => {
    const nodes = (names: string[]) => names.map((name) => ({ name, role: "control-plane", packagesVersion: VERSION }));
    const pki = (plan: PlanResult, node: string) => String(resourcesOfType(plan, COMMAND).find((r) => r.name === `${node}-pki`)!.inputs.stdin);
    stackReferenceOutputs.set("organization/onprem-k8s/poc", { encryption: on(1), kubernetesVersion: VERSION, nodes: nodes(CPS.slice(0, 2)) });
    const rotating = await planStack("poc", (c) => (c.kubernetes.encryption = { enabled: true, keyGeneration: 2 }));
    stackReferenceOutputs.set("organization/onprem-k8s/poc", { encryption: on(2), kubernetesVersion: VERSION, nodes: nodes(CPS) });
    const after = await planStack("poc", (c) => (c.kubernetes.encryption = { enabled: true, keyGeneration: 2 }));
    for (const node of CPS.slice(0, 2)) {
      expect(pki(rotating, node), node).toBe(pki(after, node));
      expect(pki(rotating, node)).not.toContain(`export ${PREVIOUS_ENCRYPTION_KEY_ENV}=`);
    }
    expect(pki(rotating, CPS[2]!)).toContain(`export ${PREVIOUS_ENCRYPTION_KEY_ENV}=`);
  });

  it("nothing to rotate: only the settings steps", async () => {
    stackReferenceOutputs.set("organization/onprem-k8s/poc", { encryption: on(2) });
    const plan = await planStack("poc", (c) => (c.kubernetes.encryption = { enabled: true, keyGeneration: 2 }));
    expect(resourcesOfType(plan, COMMAND).filter((r) => /-encryption-/.test(r.name))).toEqual([]);
  });

  it("a lowered generation is refused before anything is planned", async () => {
    stackReferenceOutputs.set("organization/onprem-k8s/poc", { encryption: on(2) });
    await expect(planStack("poc", (c) => (c.kubernetes.encryption = { enabled: true, keyGeneration: 1 }))).rejects.toThrow(/keyGeneration[\s\S]*a lower generation would drop that key/);
  });
});
