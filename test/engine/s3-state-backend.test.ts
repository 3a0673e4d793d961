// A team's way of running the program, through the real CLI: the state on a self-hosted
// S3-compatible store (versitygw over a temporary directory, on loopback), the CI wrappers the
// workflows call (scripts/ci/*.sh: login, select the stack and set its secrets, preview and up with
// the policy pack, the PoC teardown), the store's lock refusing a second `pulumi up` of one stack,
// and the policy pack refusing a bad prod change. Machines and steps are the record-mode stand-ins
// (as in stack-suite.ts), so this runs in minutes.
//
// The policy pack: the CLI starts a Node.js policy pack through the language host's RunPlugin,
// which the language host built here (sdk v3.68.0, tools/pulumi-language-nodejs) does not have. So
// the pack runs from a copy of policy/ whose PulumiPolicy.yaml names a runtime with no language
// host ("nodejs-launcher"), and the CLI falls back to its launcher plugin for that runtime,
// pulumi-analyzer-policy-nodejs-launcher: the job the CLI distribution's pulumi-analyzer-policy
// script used to do, starting @pulumi/pulumi's run-policy-pack in the pack's directory with the
// stack's config in PULUMI_CONFIG. The copy is the shipped pack (its files are links to policy/);
// only the runtime line differs, and a test below says so.
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { REPO_ROOT } from "../harness";
import { runProcess, sleep, type ProcessResult } from "../tools/process";
import { pulumiBinDir } from "../tools/pulumi-binaries";
import { startS3Store, type S3Store } from "../tools/versitygw";
import { CLUSTER_KEY, readStackFile } from "../../stacks/stack-file";
import { addOneWorker } from "./edits";
import { testSecrets } from "./secrets";
import { killTree } from "./kill-tree";
import { EngineWorkspace } from "./workspace";

const STEP_LIMIT_MS = 300_000;
const BUCKET = "pulumi-state";
const POLICY_COPY = "policy-launcher";
const LOCK_MESSAGE = "the stack is currently locked by 1 lock(s). Either wait for the other process(es) to end or delete the lock file with `pulumi cancel`.";

describe("team state on an S3-compatible store, the CI wrappers and the policy pack, through the real CLI", () => {
  let store: S3Store;
  let workspace: EngineWorkspace;
  let secrets: Record<string, string>;
  /** The CI secrets the workflows pass to scripts/ci/select-stack.sh, by their environment names. */
  let ciSecrets: NodeJS.ProcessEnv;

  /** scripts/ci/<script> in the workspace's project, as a workflow step runs it. */
  const ci = (script: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<ProcessResult> =>
    runProcess("bash", [path.join(workspace.projectDir, "scripts", "ci", script), ...args], {
      cwd: workspace.projectDir,
      env: { ...workspace.env, PULUMI_BACKEND_URL: store.backendUrl(BUCKET), ONPREM_K8S_POLICY_PACK: POLICY_COPY, ...env },
      allowFail: true,
      timeoutMs: STEP_LIMIT_MS,
    });
  const ciOk = async (script: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> => {
    const r = await ci(script, args, env);
    if (r.status !== 0) throw new Error(`scripts/ci/${script} ${args.join(" ")} exited ${r.status}:\n${r.output.slice(-5000)}`);
    return r.output;
  };
  /** The resources in a stack's state (`pulumi stack export`). */
  const resources = async (stack: string): Promise<{ urn: string }[]> =>
    (JSON.parse(await workspace.pulumiOk(["stack", "export", "-s", stack])) as { deployment: { resources?: { urn: string }[] } }).deployment.resources ?? [];
  /** Rewrites the stack file's description from the repository's, edited; its secrets stay. */
  const writeDescription = (stack: string, edit: (cluster: any) => void = () => {}) => {
    const file = path.join(workspace.projectDir, `Pulumi.${stack}.yaml`);
    const cluster = structuredClone(readStackFile(stack, REPO_ROOT).cluster);
    edit(cluster);
    const existing = parse(fs.readFileSync(file, "utf8"));
    fs.writeFileSync(file, stringify({ ...existing, config: { ...existing.config, [CLUSTER_KEY]: cluster } }));
  };
  /** The objects the store holds under the bucket's .pulumi/<dir>, as paths. */
  const stored = (dir: string): string[] => {
    const root = path.join(store.root, BUCKET, ".pulumi", dir);
    return fs.existsSync(root) ? (fs.readdirSync(root, { recursive: true }) as string[]).filter((f) => fs.statSync(path.join(root, f)).isFile()) : [];
  };

  beforeAll(async () => {
    store = await startS3Store();
    await store.createBucket(BUCKET);
    // The launcher the CLI falls back to for the copy's runtime (see the file's head).
    const launcherDir = fs.mkdtempSync(path.join(store.root, "..", "launcher-"));
    fs.writeFileSync(
      path.join(launcherDir, "pulumi-analyzer-policy-nodejs-launcher"),
      '#!/bin/sh\n# $1: the engine address, $2: the pack (the working directory)\nexec node "$(node -p \'require.resolve("@pulumi/pulumi/cmd/run-policy-pack")\')" "$1" .\n',
      { mode: 0o755 },
    );
    workspace = await EngineWorkspace.create("s3", {
      env: {
        ONPREM_K8S_COMMAND_STANDIN: "record",
        ...store.env(),
        PATH: `${launcherDir}:${await pulumiBinDir()}:${path.dirname(process.execPath)}:${process.env.PATH ?? ""}`,
      },
    });
    const copy = path.join(workspace.projectDir, POLICY_COPY);
    fs.mkdirSync(copy);
    for (const file of fs.readdirSync(path.join(REPO_ROOT, "policy")).filter((f) => (f.endsWith(".ts") && !f.endsWith(".test.ts")) || f === "tsconfig.json" || f === "package.json")) {
      fs.symlinkSync(path.join(REPO_ROOT, "policy", file), path.join(copy, file));
    }
    fs.writeFileSync(path.join(copy, "PulumiPolicy.yaml"), fs.readFileSync(path.join(REPO_ROOT, "policy", "PulumiPolicy.yaml"), "utf8").replace(/^runtime: nodejs$/m, "runtime: nodejs-launcher"));
    // The stack files as the repository has them: CI checks them out.
    for (const stack of ["poc", "prod"]) fs.copyFileSync(path.join(REPO_ROOT, `Pulumi.${stack}.yaml`), path.join(workspace.projectDir, `Pulumi.${stack}.yaml`));
    secrets = (await testSecrets(workspace.dir, ["sshPrivateKey", "vspherePassword", "veleroS3Credentials"])) as Record<string, string>;
    ciSecrets = { SSH_PRIVATE_KEY: secrets.sshPrivateKey, VSPHERE_PASSWORD: secrets.vspherePassword, VELERO_S3_CREDENTIALS: secrets.veleroS3Credentials };
  }, STEP_LIMIT_MS);

  afterAll(async () => {
    workspace?.dispose();
    await store?.stop();
  });

  it("the policy copy differs from policy/ only in its runtime line", () => {
    const shipped = fs.readFileSync(path.join(REPO_ROOT, "policy", "PulumiPolicy.yaml"), "utf8");
    expect(shipped).toMatch(/^runtime: nodejs$/m);
    expect(fs.readFileSync(path.join(workspace.projectDir, POLICY_COPY, "PulumiPolicy.yaml"), "utf8")).toBe(shipped.replace("runtime: nodejs\n", "runtime: nodejs-launcher\n"));
  });

  it("file backend (pulumi login --local): an empty <stack>.json.attrs fails every command with 'failed to load checkpoint: EOF'; removing it recovers", async () => {
    // What a SIGKILL in the middle of a checkpoint write left behind (docs/troubleshooting.md).
    await workspace.pulumiOk(["stack", "init", "attrs"]);
    const attrs = path.join(workspace.dir, "state", ".pulumi", "stacks", "onprem-k8s", "attrs.json.attrs");
    expect(fs.existsSync(attrs)).toBe(true);
    fs.writeFileSync(attrs, "");
    const broken = await workspace.pulumi(["stack", "export", "-s", "attrs"]);
    expect(broken.status).not.toBe(0);
    expect(broken.output).toContain("failed to load checkpoint: EOF");
    fs.rmSync(attrs);
    await workspace.pulumiOk(["stack", "export", "-s", "attrs"]);
    await workspace.pulumiOk(["stack", "rm", "attrs", "--yes"]);
  }, STEP_LIMIT_MS);

  it("pulumi login takes the AWS SDK v1 spelling too (scheme-less endpoint, s3ForcePathStyle, disableSSL); login.sh logs in with the documented URL", async () => {
    // The pinned CLI translates the v1 parameters for gocloud.dev 0.46 (disableSSL -> disable_https, http:// added).
    await workspace.pulumiOk(["login", `s3://${BUCKET}?endpoint=${store.endpoint}&s3ForcePathStyle=true&disableSSL=true&region=us-east-1`]);
    expect(await workspace.pulumiOk(["stack", "ls", "--all"])).toMatch(/NAME\s+LAST UPDATE/);
    const output = await ciOk("login.sh", [], { PULUMI_BACKEND_URL: store.backendUrl(BUCKET) });
    expect(output).toContain(`Logged in to`);
    expect((await workspace.pulumiOk(["whoami", "--verbose"]))).toContain(`Backend URL: s3://${BUCKET}`);
  }, STEP_LIMIT_MS);

  it("select-stack.sh creates poc in the store and sets its secrets from the environment as secrets", async () => {
    await ciOk("select-stack.sh", ["poc"], ciSecrets);
    const file = parse(fs.readFileSync(path.join(workspace.projectDir, "Pulumi.poc.yaml"), "utf8"));
    expect(file.config["onprem-k8s:sshPrivateKey"]).toEqual({ secure: expect.any(String) });
    expect(file.config["onprem-k8s:vspherePassword"]).toEqual({ secure: expect.any(String) });
    expect(await workspace.pulumiOk(["config", "get", "vspherePassword", "-s", "poc"])).toBe(`${secrets.vspherePassword}\n`);
    // The stack lives in the bucket, not on this machine.
    expect(stored("stacks").filter((f) => f.endsWith(".json"))).toEqual(["onprem-k8s/poc.json"]);
  }, STEP_LIMIT_MS);

  it("preview.sh poc: the preview runs the policy pack and passes", async () => {
    const output = await ciOk("preview.sh", ["poc"]);
    expect(output).toMatch(/onprem-k8s@v/);
    expect(output).not.toMatch(/mandatory/);
  }, STEP_LIMIT_MS);

  it("two pulumi up of one stack at once: the second is refused by the store's lock, the first completes", async () => {
    const first = ci("up.sh", ["poc"]);
    const deadline = Date.now() + 120_000;
    while (stored("locks").length === 0) {
      if (Date.now() > deadline) throw new Error(`no lock appeared in the bucket; the first up said:\n${(await first).output.slice(-3000)}`);
      await sleep(100);
    }
    expect(stored("locks")[0]).toMatch(/^organization\/onprem-k8s\/poc\/[^/]+\.json$/);
    const second = await workspace.pulumi(["up", "--yes", "-s", "poc"]);
    expect(second.status).not.toBe(0);
    expect(second.output).toContain(LOCK_MESSAGE);
    expect(second.output).toMatch(new RegExp(`s3://${BUCKET}/\\.pulumi/locks/organization/onprem-k8s/poc/[^ ?]+\\.json\\S*: created by \\S+@\\S+ \\(pid \\d+\\) at `));
    const done = await first;
    expect(done.status, done.output.slice(-4000)).toBe(0);
    expect(stored("locks")).toEqual([]);
    expect((await resources("poc")).length).toBeGreaterThan(50);
  }, STEP_LIMIT_MS);

  it("pulumi stack export and import (the state's own backup) round-trip; nothing changes", async () => {
    const file = path.join(workspace.dir, "poc-state.json");
    await workspace.pulumiOk(["stack", "export", "-s", "poc", "--file", file]);
    await workspace.pulumiOk(["stack", "import", "-s", "poc", "--file", file]);
    await workspace.pulumiOk(["preview", "--expect-no-changes", "-s", "poc"]);
  }, STEP_LIMIT_MS);

  it("a pulumi up killed mid-way (SIGKILL): its lock refuses the next update until pulumi cancel; pulumi refresh --clear-pending-creates, then pulumi up, completes it", async () => {
    writeDescription("poc", addOneWorker);
    // A CI runner or laptop that dies: the CLI and its plugins are killed at once, nothing cleans up.
    const child = spawn("pulumi", ["up", "--yes", "-s", "poc", "--non-interactive"], { cwd: workspace.projectDir, env: workspace.env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    const creating = new Promise<void>((resolve) => child.stdout!.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      if (/\bcreating\b/.test(output)) resolve();
    }));
    await Promise.race([creating, exited, sleep(120_000)]);
    expect(output, "the update started creating the added worker").toMatch(/\bcreating\b/);
    killTree(child.pid!);
    await exited;
    expect(stored("locks"), "the killed update's lock is left in the bucket").toHaveLength(1);
    // Whether a create is left pending depends on the instant of the kill (record-mode creates are
    // instant); refresh --clear-pending-creates is the step either way.
    const state = JSON.parse(await workspace.pulumiOk(["stack", "export", "-s", "poc"])) as { deployment: { pending_operations?: { type: string }[] } };
    const pending = state.deployment.pending_operations ?? [];
    console.log(`killed pulumi up left ${pending.length} pending operation(s): ${pending.map((op) => op.type).join(", ") || "none"}`);

    const locked = await workspace.pulumi(["up", "--yes", "-s", "poc"]);
    expect(locked.status).not.toBe(0);
    expect(locked.output).toContain(LOCK_MESSAGE);
    await workspace.pulumiOk(["cancel", "--yes", "-s", "poc"]);
    expect(stored("locks")).toEqual([]);
    await workspace.pulumiOk(["refresh", "--clear-pending-creates", "--yes", "-s", "poc"]);
    const cleared = JSON.parse(await workspace.pulumiOk(["stack", "export", "-s", "poc"])) as { deployment: { pending_operations?: { type: string }[] } };
    expect((cleared.deployment.pending_operations ?? []).filter((op) => op.type === "creating")).toEqual([]);
    await workspace.pulumiOk(["up", "--yes", "-s", "poc"]);
    await workspace.pulumiOk(["preview", "--expect-no-changes", "-s", "poc"]);
  }, STEP_LIMIT_MS);

  it("preview.sh prod: passes as shipped; with cluster.protect false the policy pack refuses it, naming the rule", async () => {
    await ciOk("select-stack.sh", ["prod"], ciSecrets);
    const shipped = await ci("preview.sh", ["prod"]);
    expect(shipped.status, shipped.output.slice(-4000)).toBe(0);
    writeDescription("prod", (cluster) => (cluster.protect = false));
    try {
      const refused = await ci("preview.sh", ["prod"]);
      expect(refused.status).not.toBe(0);
      expect(refused.output).toMatch(/prod-protected/);
      expect(refused.output).toMatch(/mandatory/);
      expect(refused.output).toMatch(/nsx-prod-cp-1 \(vsphere:index\/virtualMachine:VirtualMachine\) is not protected/);
      expect(refused.output).toMatch(/the destroy guard nsx-prod-destroy-guard is missing/);
    } finally {
      writeDescription("prod");
    }
  }, STEP_LIMIT_MS);

  it("destroy.sh poc 'destroy poc' (the teardown workflow): deletes everything; the stack's state stays in the bucket, empty", async () => {
    await ciOk("destroy.sh", ["poc", "destroy poc"]);
    expect(await resources("poc")).toEqual([]);
    expect(stored("stacks")).toContain("onprem-k8s/poc.json");
  }, STEP_LIMIT_MS);
});
