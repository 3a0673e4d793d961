// A private Pulumi installation for the real-engine tests: the CLI, language host and stand-in
// providers built by the test setup (test/tools/pulumi-binaries.ts) first on PATH, a PULUMI_HOME
// and a file backend in a temporary directory, and a project directory that is this repository
// seen through symbolic links (so `pulumi stack init` writes its stack files there, never into
// the checkout). Commands are those of the README's "Deploy for real", run as child processes.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { pulumiBinDir } from "../tools/pulumi-binaries";
import { REPO_ROOT } from "../harness";
import { runProcess, type ProcessOptions } from "../tools/process";

/** Test-only passphrase of the stacks' secrets provider (the README's PULUMI_CONFIG_PASSPHRASE). */
export const TEST_PASSPHRASE = "engine-test-passphrase";

export interface CommandResult {
  status: number;
  /** Only what the CLI printed on stdout (the JSON of --json). */
  stdout: string;
  output: string;
}

export interface WorkspaceOptions {
  /** Extra environment for every command (e.g. the command stand-in's record mode). */
  env?: NodeJS.ProcessEnv;
  /** Wraps each command line, e.g. to run it inside the lab's network namespace. */
  wrap?: (argv: string[]) => string[];
}

/** What a failed command said about its failure: every resource's error and the end of the output. */
export function failureSummary(output: string): string {
  const lines = output.split("\n");
  // A step's retries ("attempt 3/45 failed, retrying in 2s") are progress, not the failure.
  const errors = lines.flatMap((line, i) => (/error|failed/i.test(line) && !/retrying in \d+s/.test(line) ? [lines.slice(Math.max(0, i - 3), i + 2).join("\n")] : []));
  return `${[...new Set(errors)].slice(0, 30).join("\n--\n")}\n...\n${output.slice(-2000)}`;
}

/**
 * The environment of a stack whose steps are recorded, not run (no kill, no crash in its tests):
 * the engine writes the state once at the end instead of after every step. A poc state is about
 * 7 MB (the steps' scripts, as inputs and outputs), and rewriting it after each of ~150 steps was
 * most of the CLI's CPU in a `pulumi up` (18-22 s of its 20-25; 2-3 s without). Tests that stop a
 * run part-way (recover, faults, the lab's journeys) keep the checkpoints users have.
 */
export const RECORDED_STACK_ENV = { ONPREM_K8S_COMMAND_STANDIN: "record", PULUMI_SKIP_CHECKPOINTS: "true" } as const;

export class EngineWorkspace {
  private constructor(
    readonly dir: string,
    readonly projectDir: string,
    /** The environment every command gets (the CI wrappers in scripts/ci run with it too). */
    readonly env: NodeJS.ProcessEnv,
    private readonly wrap: (argv: string[]) => string[],
  ) {}

  static async create(label: string, options: WorkspaceOptions = {}): Promise<EngineWorkspace> {
    const bin = await pulumiBinDir();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `engine-${label}-`));
    const projectDir = path.join(dir, "project");
    fs.mkdirSync(projectDir);
    for (const entry of fs.readdirSync(REPO_ROOT)) {
      // Stack files stay out: each test writes its own, with its own secrets.
      if (/^Pulumi\..+\.yaml$/.test(entry) || entry === ".git" || entry === "out") continue;
      fs.symlinkSync(path.join(REPO_ROOT, entry), path.join(projectDir, entry));
    }
    const home = path.join(dir, "home");
    const state = path.join(dir, "state");
    fs.mkdirSync(home);
    fs.mkdirSync(state);
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PATH: `${bin}:${path.dirname(process.execPath)}:${process.env.PATH ?? ""}`,
      PULUMI_HOME: home,
      PULUMI_CONFIG_PASSPHRASE: TEST_PASSPHRASE,
      // Plugins come from PATH only; nothing is downloaded or checked online.
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
      PULUMI_SKIP_UPDATE_CHECK: "true",
      NO_COLOR: "1",
      ...options.env,
    };
    const workspace = new EngineWorkspace(dir, projectDir, env, options.wrap ?? ((argv) => argv));
    // README: `pulumi login --local` is this with ~ for the directory.
    await workspace.pulumiOk(["login", `file://${state}`]);
    return workspace;
  }

  /** `pulumi <args>` in the project directory; never throws on a non-zero exit. */
  async pulumi(args: string[], options: { timeoutMs?: number; input?: string; onSpawn?: ProcessOptions["onSpawn"] } = {}): Promise<CommandResult> {
    const [command, ...rest] = this.wrap(["pulumi", ...args, "--non-interactive"]);
    const r = await runProcess(command!, rest, { cwd: this.projectDir, env: this.env, allowFail: true, timeoutMs: options.timeoutMs ?? 600_000, input: options.input, onSpawn: options.onSpawn });
    return { status: r.status, stdout: r.stdout, output: r.output };
  }

  /** Like pulumi(), but a non-zero exit throws with the command's output. */
  async pulumiOk(args: string[], options: { timeoutMs?: number; input?: string } = {}): Promise<string> {
    const r = await this.pulumi(args, options);
    if (r.status !== 0) {
      // The whole output outlives the workspace (removed after the test) for a look afterwards.
      const kept = path.join(os.tmpdir(), `onprem-k8s-failed-pulumi-${path.basename(this.dir)}-${Date.now()}.log`);
      fs.writeFileSync(kept, r.output);
      throw new Error(`pulumi ${args.join(" ")} exited ${r.status} (whole output: ${kept}):\n${failureSummary(r.output)}`);
    }
    return r.output;
  }

  dispose(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
