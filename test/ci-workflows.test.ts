// The GitHub Actions workflows (.github/workflows, docs/ci.md): actionlint (built by the test setup,
// test/tools/actionlint.ts) passes them and fails a broken copy naming the error; they preview every
// stack, deploy poc then prod behind the production environment, tear down only poc on a typed
// confirmation, keep one run per stack, take secrets only from the secret store, pin the CLI to
// @pulumi/pulumi's version, and do their work through scripts/ci/*.sh, which
// test/engine/s3-state-backend.test.ts runs against the real CLI. The scripts' refusals are here.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { REPO_ROOT } from "./harness";
import { runProcess } from "./tools/process";
import { PINNED_PULUMI_VERSION } from "./tools/pulumi-binaries";
import { actionlintBinary } from "./tools/actionlint";

const WORKFLOWS = path.join(REPO_ROOT, ".github", "workflows");
const workflowFiles = () => fs.readdirSync(WORKFLOWS).filter((f) => f.endsWith(".yml"));
const workflow = (name: string) => parse(fs.readFileSync(path.join(WORKFLOWS, name), "utf8"));
const setupAction = () => parse(fs.readFileSync(path.join(REPO_ROOT, ".github", "actions", "setup", "action.yml"), "utf8"));
const stacks = () => fs.readdirSync(REPO_ROOT).flatMap((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.slice(1) ?? []).sort();

type Step = { uses?: string; run?: string; with?: Record<string, unknown>; env?: Record<string, string>; id?: string };
type Job = { steps?: Step[]; needs?: string | string[]; environment?: string; concurrency?: { group: string; "cancel-in-progress": boolean }; uses?: string; strategy?: { matrix: { stack: string[] } } };

/** Every step of every workflow and of the setup action, with where it is. */
function allSteps(): [string, Step][] {
  const steps: [string, Step][] = [];
  for (const file of workflowFiles()) {
    for (const [name, job] of Object.entries(workflow(file).jobs as Record<string, Job>)) for (const step of job.steps ?? []) steps.push([`${file} ${name}`, step]);
  }
  for (const step of setupAction().runs.steps as Step[]) steps.push(["actions/setup", step]);
  return steps;
}

describe("CI workflows", () => {
  it("actionlint passes every workflow and the setup action", async () => {
    const r = await runProcess(await actionlintBinary(), ["-no-color"], { cwd: REPO_ROOT, allowFail: true });
    expect(r.output).toBe("");
    expect(r.status).toBe(0);
  });

  it("actionlint fails a broken copy, naming the error", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "workflows-"));
    try {
      fs.cpSync(path.join(REPO_ROOT, ".github"), path.join(dir, ".github"), { recursive: true });
      const deploy = path.join(dir, ".github", "workflows", "deploy.yml");
      fs.writeFileSync(deploy, fs.readFileSync(deploy, "utf8").replace("    needs: tests\n", "    needs: test\n"));
      const r = await runProcess(await actionlintBinary(), ["-no-color", deploy], { cwd: dir, allowFail: true });
      expect(r.status).toBe(1);
      expect(r.output).toContain('job "poc" needs job "test" which does not exist in this workflow [job-needs]');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("every stack is previewed on each pull request through pulumi/actions@v7, with the policy pack and the diff as a PR comment", () => {
    const preview = workflow("preview.yml");
    expect(Object.keys(preview.on)).toEqual(["pull_request"]);
    expect(preview.permissions["pull-requests"]).toBe("write");
    const job = preview.jobs.preview as Job;
    expect([...job.strategy!.matrix.stack].sort()).toEqual(stacks());
    const action = job.steps!.find((s) => s.uses === "pulumi/actions@v7")!;
    expect(action.with).toMatchObject({ command: "preview", "stack-name": "${{ matrix.stack }}", "comment-on-pr": true, policyPacks: "policy", "pulumi-version": "${{ steps.setup.outputs.pulumi-version }}" });
    // The same preview scripts/ci/preview.sh runs (the engine test runs the script).
    expect(fs.readFileSync(path.join(REPO_ROOT, "scripts/ci/preview.sh"), "utf8")).toMatch(/pulumi preview -s "\$stack" --policy-pack "\$POLICY_PACK" --diff/);
  });

  it("a merge to main runs the tests, then pulumi up of poc, then prod behind the production environment", () => {
    const deploy = workflow("deploy.yml");
    expect(deploy.on).toEqual({ push: { branches: ["main"] } });
    const jobs = deploy.jobs as Record<string, Job>;
    expect(jobs.tests!.uses).toBe("./.github/workflows/tests.yml");
    expect(jobs.poc!.needs).toBe("tests");
    expect(jobs.prod!.needs).toEqual(["tests", "poc"]);
    expect(jobs.prod!.environment).toBe("production");
    expect(jobs.poc!.environment).toBeUndefined();
    expect(jobs.poc!.steps!.at(-1)!.run).toBe("scripts/ci/up.sh poc");
    expect(jobs.prod!.steps!.at(-1)!.run).toBe("scripts/ci/up.sh prod");
    const tests = workflow("tests.yml");
    expect(Object.keys(tests.on).sort()).toEqual(["pull_request", "workflow_call"]);
    expect(tests.jobs.tests.steps.at(-1).run).toMatch(/ bash \.ci\/run$/);
  });

  it("the PoC teardown is on demand, for poc only, after a typed confirmation", () => {
    const teardown = workflow("teardown-poc.yml");
    expect(Object.keys(teardown.on)).toEqual(["workflow_dispatch"]);
    expect(teardown.on.workflow_dispatch.inputs.confirm).toMatchObject({ required: true, type: "string" });
    const steps = (teardown.jobs.poc as Job).steps!;
    expect(steps.at(-1)).toMatchObject({ run: 'scripts/ci/destroy.sh poc "$CONFIRMATION"', env: { CONFIRMATION: "${{ inputs.confirm }}" } });
  });

  it("every job that touches a stack is in that stack's concurrency group, never cancelled", () => {
    let touching = 0;
    for (const file of workflowFiles()) {
      for (const [name, job] of Object.entries(workflow(file).jobs as Record<string, Job>)) {
        const runsPulumi = (job.steps ?? []).some((s) => s.uses === "pulumi/actions@v7" || /scripts\/ci\/(select-stack|preview|up|destroy)\.sh/.test(s.run ?? ""));
        if (!runsPulumi) continue;
        touching++;
        const stack = job.strategy ? "${{ matrix.stack }}" : name;
        expect(job.concurrency, `${file} ${name}`).toEqual({ group: `pulumi-${stack}`, "cancel-in-progress": false });
      }
    }
    expect(touching).toBe(4);
  });

  it("secrets come only from the secret store: every secret-like variable is ${{ secrets.NAME }}, no value is written inline", () => {
    const secretLike = /PASSPHRASE|SECRET|ACCESS_KEY|TOKEN|PASSWORD|PRIVATE_KEY|CREDENTIALS|BACKEND_URL/;
    let checked = 0;
    for (const [where, step] of allSteps()) {
      for (const [name, value] of Object.entries(step.env ?? {})) {
        if (secretLike.test(name)) {
          checked++;
          expect(value, `${where}: ${name}`).toMatch(/^\$\{\{ secrets\.[A-Z0-9_]+ \}\}$/);
        } else expect(value, `${where}: ${name}`).toMatch(/^\$\{\{ (matrix\.stack|inputs\.confirm) \}\}$/);
      }
    }
    expect(checked).toBeGreaterThan(20);
    for (const file of workflowFiles()) expect(fs.readFileSync(path.join(WORKFLOWS, file), "utf8")).not.toMatch(/-----BEGIN|(PASSPHRASE|PASSWORD|TOKEN|SECRET_ACCESS_KEY|PRIVATE_KEY):\s*(?!\$\{\{ secrets\.)\S/);
  });

  it("each step that does real work calls a script of the project; the scripts it names exist", () => {
    const runs = allSteps().flatMap(([where, step]) => (step.run ? [[where, step.run] as const] : []));
    for (const [where, run] of runs) {
      expect(run, where).toMatch(/^(scripts\/ci\/[a-z-]+\.sh\b.*|sudo env "PATH=\$PATH" CI=true bash \.ci\/run|npm ci --no-audit --no-fund|echo "pulumi-version=\$\(scripts\/ci\/pulumi-version\.sh\)" >> "\$GITHUB_OUTPUT")$/);
      for (const script of run.match(/scripts\/ci\/[a-z-]+\.sh/g) ?? []) expect(fs.existsSync(path.join(REPO_ROOT, script)), script).toBe(true);
    }
    const engineTest = fs.readFileSync(path.join(REPO_ROOT, "test/engine/s3-state-backend.test.ts"), "utf8");
    const called = new Set(runs.flatMap(([, run]) => run.match(/scripts\/ci\/[a-z-]+\.sh/g) ?? []));
    called.delete("scripts/ci/pulumi-version.sh"); // run by the version test below
    for (const script of called) {
      expect(engineTest, `${script} is run by the engine test`).toContain(path.basename(script));
    }
  });

  it("the Pulumi CLI version is @pulumi/pulumi's in package.json, the one place it is pinned, and the engine tests' CLI is the same", async () => {
    const version = (await runProcess("bash", [path.join(REPO_ROOT, "scripts/ci/pulumi-version.sh")])).stdout.trim();
    const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8"));
    expect(version).toBe(pkg.dependencies["@pulumi/pulumi"]);
    expect(PINNED_PULUMI_VERSION).toBe(`v${version}`);
    expect(fs.readFileSync(path.join(REPO_ROOT, "tools/pulumi/go.mod"), "utf8")).toContain(`github.com/pulumi/pulumi/pkg/v3 v${version}`);
    const install = (setupAction().runs.steps as Step[]).find((s) => s.uses === "pulumi/actions@v7")!;
    expect(install.with).toEqual({ "pulumi-version": "${{ steps.version.outputs.pulumi-version }}" });
    // No workflow names a version of its own.
    for (const [where, step] of allSteps()) if (step.with?.["pulumi-version"]) expect(String(step.with["pulumi-version"]), where).toMatch(/^\$\{\{ steps\.(setup|version)\.outputs\.pulumi-version \}\}$/);
  });

  it("the scripts pass shellcheck", async () => {
    const scripts = fs.readdirSync(path.join(REPO_ROOT, "scripts/ci")).filter((f) => f.endsWith(".sh")).map((f) => path.join(REPO_ROOT, "scripts/ci", f));
    expect(scripts.length).toBe(7);
    const r = await runProcess("shellcheck", ["-x", "--source-path=SCRIPTDIR", ...scripts], { allowFail: true });
    expect(r.output).toBe("");
  });

  describe("the scripts refuse before the CLI runs", () => {
    // A `pulumi` that fails loudly: none of these refusals may reach it.
    const stubDir = fs.mkdtempSync(path.join(os.tmpdir(), "no-pulumi-"));
    fs.writeFileSync(path.join(stubDir, "pulumi"), "#!/bin/sh\necho 'pulumi must not run' >&2\nexit 99\n", { mode: 0o755 });
    const run = (script: string, args: string[], env: NodeJS.ProcessEnv = {}) =>
      runProcess("bash", [path.join(REPO_ROOT, "scripts/ci", script), ...args], { env: { PATH: `${stubDir}:${process.env.PATH}`, HOME: os.tmpdir(), ...env }, allowFail: true });

    it("destroy.sh: only poc, only after exactly 'destroy poc'", async () => {
      const prod = await run("destroy.sh", ["prod", "destroy prod"]);
      expect(prod.status).toBe(1);
      expect(prod.stderr).toBe("ci: the teardown destroys the poc stack only, not 'prod'\n");
      const wrong = await run("destroy.sh", ["poc", "yes"]);
      expect(wrong.stderr).toBe("ci: confirmation 'yes' does not match: type exactly 'destroy poc'\n");
    });

    it("every wrapper: a stack without its stack file, or no stack at all", async () => {
      for (const script of ["select-stack.sh", "preview.sh", "up.sh", "destroy.sh"]) {
        const missing = await run(script, ["staging"]);
        expect(missing.status, script).toBe(1);
        expect(missing.stderr).toMatch(/^ci: no stack file Pulumi\.staging\.yaml/);
        expect((await run(script, [])).stderr).toBe("ci: name the stack, e.g. poc or prod\n");
      }
    });

    it("login.sh: names the missing backend URL, S3 credentials or passphrase", async () => {
      expect((await run("login.sh", [])).stderr).toMatch(/^ci: PULUMI_BACKEND_URL is not set/);
      expect((await run("login.sh", [], { PULUMI_BACKEND_URL: "s3://state" })).stderr).toMatch(/^ci: an s3:\/\/ backend needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/);
      expect((await run("login.sh", [], { PULUMI_BACKEND_URL: "file:///tmp/x" })).stderr).toMatch(/^ci: PULUMI_CONFIG_PASSPHRASE is not set/);
    });
  });
});
