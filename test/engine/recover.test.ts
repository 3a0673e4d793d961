// `npm run recover -- <stack>` (scripts/recover.ts, docs/recovery.md) under the real CLI v3.248.0,
// file backend, the poc stack with the record-mode stand-ins: a `pulumi up` killed as a tree
// mid-run (SIGKILL, as a cancelled CI job or a lost laptop) leaves the stack's lock and, when the
// kill lands while the backend writes, an empty attributes sidecar; the CLI's own errors are
// checked before, the recovery run as a person runs it, then `pulumi up` completes and a preview
// finds nothing to change. The negative case: a run that is still alive keeps its lock.
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requiredSecretKeys } from "../../stacks/rules";
import type { SecretKey } from "../../stacks/schema";
import { stackSpec } from "../stack-spec";
import { runProcess, sleep, type ProcessResult } from "../tools/process";
import { addOneWorker } from "./edits";
import { killTree } from "./kill-tree";
import { testSecrets } from "./secrets";
import { EngineStack } from "./stack";
import { EngineWorkspace } from "./workspace";

const STEP_LIMIT_MS = 300_000;
const LOCK_MESSAGE = "the stack is currently locked by 1 lock(s)";

describe("recovery of an interrupted pulumi up (npm run recover) under the real CLI, file backend", () => {
  let workspace: EngineWorkspace;
  let stack: EngineStack;

  const stateDir = () => path.join(workspace.dir, "state", ".pulumi");
  const attrs = () => path.join(stateDir(), "stacks", "onprem-k8s", "poc.json.attrs");
  const locks = (): string[] => {
    const dir = path.join(stateDir(), "locks", "organization", "onprem-k8s", "poc");
    // Each lock is <id>.json with the backend's <id>.json.attrs sidecar beside it.
    return fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith(".json")) : [];
  };
  const recover = (args: string[] = []): Promise<ProcessResult> =>
    runProcess("npm", ["run", "--silent", "recover", "--", "poc", ...args], { cwd: workspace.projectDir, env: workspace.env, allowFail: true, timeoutMs: STEP_LIMIT_MS });
  const pending = async (): Promise<{ type: string }[]> =>
    (JSON.parse(await stack.ok(["stack", "export"])) as { deployment: { pending_operations?: { type: string }[] } }).deployment.pending_operations ?? [];

  /** Starts `pulumi up` and resolves once `ready` holds for its progress output (or it ended). */
  async function startUp(ready: (progress: string) => boolean): Promise<{ pid: number; done: Promise<ProcessResult>; progress: () => string }> {
    let progress = "";
    let pid = 0;
    let ended = false;
    const done = runProcess("pulumi", ["up", "--yes", "-s", "poc", "--non-interactive"], {
      cwd: workspace.projectDir,
      env: workspace.env,
      allowFail: true,
      timeoutMs: STEP_LIMIT_MS,
      onSpawn: (child) => {
        pid = child.pid!;
        child.stdout?.on("data", (chunk: Buffer) => (progress += chunk.toString()));
      },
    }).finally(() => (ended = true));
    const deadline = Date.now() + 120_000;
    while (!ready(progress) && !ended && Date.now() < deadline) await sleep(50);
    return { pid, done, progress: () => progress };
  }

  beforeAll(async () => {
    workspace = await EngineWorkspace.create("recover", { env: { ONPREM_K8S_COMMAND_STANDIN: "record" } });
    stack = await EngineStack.init(workspace, "poc", "poc", await testSecrets(workspace.dir, [...new Set<SecretKey>(["sshPrivateKey", ...requiredSecretKeys(stackSpec("poc"))])]));
  }, STEP_LIMIT_MS);

  afterAll(() => workspace?.dispose());

  it("a pulumi up killed mid-run: every command fails (lock, 'failed to load checkpoint: EOF'); npm run recover repairs it; pulumi up converges", async () => {
    // The first deployment, killed once a dozen steps are being created.
    const run = await startUp((progress) => (progress.match(/\bcreating\b/g) ?? []).length >= 12);
    expect(run.progress(), "the update was creating when it was killed").toMatch(/\bcreating\b/);
    killTree(run.pid);
    expect((await run.done).status).not.toBe(0);
    expect(locks(), "the killed run's lock is left").toHaveLength(1);
    const leftByKill = fs.readFileSync(attrs(), "utf8");
    console.log(`the kill left poc.json.attrs ${leftByKill === "" ? "EMPTY" : `whole (${leftByKill.length} bytes)`}`);
    // What the kill leaves when it lands while the backend writes the sidecar (issue 24, seen at 50 s on the lab).
    fs.writeFileSync(attrs(), "");
    const checkpoint = fs.readFileSync(path.join(stateDir(), "stacks", "onprem-k8s", "poc.json"), "utf8");

    const exported = await stack.run(["stack", "export"]);
    expect(exported.status).not.toBe(0);
    expect(exported.output).toContain("error: failed to load checkpoint: EOF");
    const refused = await stack.run(["up", "--yes"]);
    expect(refused.status).not.toBe(0);
    expect(refused.output).toMatch(/failed to load checkpoint: EOF|the stack is currently locked/);
    console.log(`before the recovery, pulumi up said:\n${refused.output.trim().split("\n").slice(-4).join("\n")}`);

    const recovered = await recover();
    console.log(`npm run recover -- poc:\n${recovered.output}`);
    expect(recovered.status, recovered.output).toBe(0);
    expect(recovered.output).toContain("repaired: poc.json.attrs was empty");
    expect(recovered.output).toMatch(/cancelled the interrupted update's lock \(\S+@\S+ \(pid \d+\)/);
    expect(recovered.output).toContain("poc is ready: run pulumi up -s poc");
    expect(locks()).toEqual([]);
    expect(await pending()).toEqual([]);
    // The backup holds the stack's files as the kill left them, and the exported state.
    const backup = /backup of poc's state files: (\S+)/.exec(recovered.output)![1]!;
    expect(fs.readFileSync(path.join(backup, "poc.json"), "utf8")).toBe(checkpoint);
    expect(fs.readFileSync(path.join(backup, "poc.json.attrs"), "utf8")).toBe("");
    expect(JSON.parse(fs.readFileSync(path.join(backup, "poc.export.json"), "utf8")).deployment).toBeTruthy();

    await stack.ok(["up", "--yes"]);
    await stack.ok(["preview", "--expect-no-changes"]);
    // The next update wrote a whole sidecar again.
    expect(JSON.parse(fs.readFileSync(attrs(), "utf8"))).toHaveProperty("md5");
    // Nothing left to recover: the recovery says so and changes nothing.
    const again = await recover();
    expect(again.status, again.output).toBe(0);
    expect(again.output).toContain("no pending operations");
    expect(again.output).not.toMatch(/repaired|cancelled/);
  }, 2 * STEP_LIMIT_MS);

  it("a pending create left in the state is cleared non-interactively, and the next pulumi up runs that step again", async () => {
    // Record-mode steps take milliseconds, so a kill leaves the components in flight pending (the
    // test above) but rarely a node step: the pending create a kill leaves in a slow step is written
    // into the checkpoint file as the engine writes it (`pulumi stack import` drops pending operations).
    const file = path.join(stateDir(), "stacks", "onprem-k8s", "poc.json");
    const checkpoint = JSON.parse(fs.readFileSync(file, "utf8")) as { checkpoint: { latest: { resources: Stored[]; pending_operations?: unknown[] } } };
    type Stored = { urn: string; type: string; parent?: string; dependencies?: string[]; propertyDependencies?: Record<string, string[]>; deletedWith?: string };
    const state = checkpoint.checkpoint.latest;
    const join = state.resources.find((r) => r.type === "command:remote:Command" && r.urn.endsWith("::nsx-poc-worker-2-join"));
    expect(join, "the worker's join step is in the state").toBeDefined();
    // The join and what depends on it never ran: none of them is in the state yet.
    const gone = new Set([join!.urn]);
    for (let grew = true; grew; ) {
      grew = false;
      for (const r of state.resources) {
        const refs = [r.parent, r.deletedWith, ...(r.dependencies ?? []), ...Object.values(r.propertyDependencies ?? {}).flat()];
        if (!gone.has(r.urn) && refs.some((u) => u !== undefined && gone.has(u))) {
          gone.add(r.urn);
          grew = true;
        }
      }
    }
    state.resources = state.resources.filter((r) => !gone.has(r.urn));
    state.pending_operations = [{ resource: { ...join! }, type: "creating" }];
    fs.writeFileSync(file, JSON.stringify(checkpoint));
    // The state now holds it as a kill leaves it (`pulumi preview` does not warn about it; `up` does).
    expect((await pending()).map((op) => op.type)).toEqual(["creating"]);

    const recovered = await recover();
    expect(recovered.status, recovered.output).toBe(0);
    expect(recovered.output).toContain("pending operations left by the interrupted update: creating nsx-poc-worker-2-join");
    expect(recovered.output).toContain("1 pending operation(s) cleared");
    expect(await pending()).toEqual([]);
    const up = await stack.ok(["up", "--yes"]);
    expect(up).toMatch(/nsx-poc-worker-2-join\s+created/);
    await stack.ok(["preview", "--expect-no-changes"]);
  }, 2 * STEP_LIMIT_MS);

  it("a run that is still alive keeps its lock: the recovery refuses and changes nothing; that run then completes", async () => {
    stack.writeDescription("poc", addOneWorker);
    const run = await startUp(() => locks().length > 0);
    expect(locks()).toHaveLength(1);
    // Held still so the recovery surely meets it running (record-mode updates take seconds).
    process.kill(run.pid, "SIGSTOP");
    const sidecar = fs.readFileSync(attrs(), "utf8");
    let refused: ProcessResult;
    let second: Awaited<ReturnType<EngineStack["run"]>>;
    try {
      refused = await recover();
      second = await stack.run(["up", "--yes"]);
    } finally {
      process.kill(run.pid, "SIGCONT");
    }
    expect(refused.status, refused.output).toBe(2);
    expect(refused.output).toMatch(new RegExp(`refused: the lock of poc belongs to a pulumi that is still running here: \\S+@\\S+ \\(pid ${run.pid}\\)`));
    expect(locks()).toHaveLength(1);
    expect(fs.readFileSync(attrs(), "utf8")).toBe(sidecar);
    const done = await run.done;
    expect(done.status, done.output.slice(-3000)).toBe(0);
    expect(locks()).toEqual([]);
    // A second update meanwhile was refused by the same lock the recovery respected.
    expect(second.status).not.toBe(0);
    expect(second.output).toContain(LOCK_MESSAGE);
    await stack.ok(["preview", "--expect-no-changes"]);
  }, 2 * STEP_LIMIT_MS);
});
