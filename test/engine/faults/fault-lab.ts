// The fault harness's lab (issue 24, docs/recovery.md): a poc-shaped cluster (three control planes
// behind keepalived + haproxy, two workers) on the real-node lab, deployed by the real CLI; each
// fault is one deployment from clean hosts that is stopped (SIGKILL of the CLI as a tree, or one
// SIGINT) at a kill point, or disturbed by a node fault, then recovered as docs/recovery.md says,
// deployed again, checked for convergence and destroyed for the next fault.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { labSpec, renderLabStack } from "../../lab/stack-config";
import { SshHosts } from "../../cluster/ssh-hosts";
import { runProcess, sleep, type ProcessResult } from "../../tools/process";
import { failureSummary, EngineWorkspace, type CommandResult } from "../workspace";
import { EngineStack } from "../stack";
import { killTree } from "../kill-tree";
import { RUNS_COMMAND, resourceName, stepWindowsFromOutput } from "../event-log";
import { convergenceProblems, type ClusterShape } from "./convergence";
import { ProgressClock, afterStart, pointWhere, timedSteps, type KillPoint, type Signal, type TimedStep } from "./kill-points";
import { inject, type NodeFault } from "./node-faults";
import type { FaultRow } from "./table";

export const CONTROL_PLANES = ["k8s-master", "k8s-master-2", "k8s-master-3"];
export const WORKERS = ["k8s-node1", "k8s-node2"];
const MINUTE = 60_000;
const DEPLOY_LIMIT_MS = 25 * MINUTE;
/** One SIGINT lets the running steps finish: a kubeadm join takes minutes on a loaded machine. */
const SIGINT_LIMIT_MS = 10 * MINUTE;
/** Every run's output after a fault (the faulted run, recover, each up), for the rows that fail. */
export const RUNS_LOG = path.join(os.tmpdir(), "onprem-k8s-faults-runs.log");

/** The lab's edits to the example, as the day-2 journey: keepalived + haproxy; no MetalLB, no ingress. */
export function faultLabStack(cluster: any): void {
  cluster.endpoint = { mode: "keepalived-haproxy", vip: cluster.endpoint.vip, dnsName: "k8s-apiserver.lab.example.internal", port: 16443, virtualRouterId: 51 };
  cluster.addons.loadBalancer = { type: "none" };
  cluster.addons.ingress = { type: "none" };
}

export interface RunningUp {
  clock: ProgressClock;
  pid: () => number;
  running: () => boolean;
  done: Promise<CommandResult>;
}

/** `pulumi up` of `stack`, its progress read as it comes. */
export function startUp(workspace: EngineWorkspace, stack: EngineStack): RunningUp {
  const clock = new ProgressClock();
  let pid = 0;
  let running = true;
  const done = workspace
    .pulumi(["up", "--yes", "-s", stack.name], {
      timeoutMs: DEPLOY_LIMIT_MS,
      onSpawn: (child) => {
        // nsenter execs the CLI: this pid is the CLI's.
        pid = child.pid!;
        child.stdout?.on("data", (chunk: Buffer) => clock.add(chunk.toString("utf8")));
      },
    })
    .finally(() => (running = false));
  return { clock, pid: () => pid, running: () => running, done };
}

/** Waits until the engine has started `step`; false when the run ended first. */
export async function stepStarted(run: RunningUp, step: string): Promise<boolean> {
  while (run.running()) {
    if (stepWindowsFromOutput(run.clock.output).some((w) => RUNS_COMMAND.has(w.op) && resourceName(w.urn) === step)) return true;
    await sleep(200);
  }
  return false;
}

/** `npm run recover -- <stack>` in the workspace, as a person runs it. */
export function recoverStack(hosts: SshHosts, workspace: EngineWorkspace, stack: EngineStack, extra: string[] = []): Promise<ProcessResult> {
  const [command, ...args] = hosts.command(["npm", "run", "--silent", "recover", "--", stack.name, ...extra]);
  return runProcess(command!, args, { cwd: workspace.projectDir, env: workspace.env, allowFail: true, timeoutMs: 15 * MINUTE });
}

export class FaultLab {
  private constructor(
    readonly hosts: SshHosts,
    readonly workspace: EngineWorkspace,
    readonly stack: EngineStack,
  ) {
    fs.writeFileSync(RUNS_LOG, "");
  }

  /** Appends one run's output to RUNS_LOG under a header naming the fault and the run. */
  private keep(fault: string, where: string, what: string, result: { status: number; output: string }): void {
    fs.appendFileSync(RUNS_LOG, `\n===== ${fault} at ${where}: ${what} (exit ${result.status}) =====\n${result.output}\n`);
  }

  static async start(): Promise<FaultLab> {
    const hosts = await SshHosts.start(CONTROL_PLANES, WORKERS);
    const workspace = await EngineWorkspace.create("faults", { wrap: (argv) => hosts.command(argv) });
    const stack = await EngineStack.initFromText(workspace, "lab", renderLabStack(hosts, faultLabStack), { sshPrivateKey: hosts.privateKey });
    return new FaultLab(hosts, workspace, stack);
  }

  shape(): ClusterShape {
    const spec = labSpec(this.hosts, faultLabStack);
    return { controlPlanes: CONTROL_PLANES, nodes: [...CONTROL_PLANES, ...WORKERS], endpoint: { host: this.hosts.vip, port: spec.apiEndpoint.port } };
  }

  private startUp(): RunningUp {
    return startUp(this.workspace, this.stack);
  }

  private stepStarted(run: RunningUp, step: string): Promise<boolean> {
    return stepStarted(run, step);
  }

  /** `npm run recover -- lab` in the workspace, as a person runs it. */
  recover(extra: string[] = []): Promise<ProcessResult> {
    return recoverStack(this.hosts, this.workspace, this.stack, extra);
  }

  /** The uninterrupted deployment: its steps and their durations, then the checks and a destroy. */
  async reference(): Promise<{ steps: TimedStep[]; row: FaultRow }> {
    const started = Date.now();
    const run = this.startUp();
    const result = await run.done;
    if (result.status !== 0) throw new Error(`the reference pulumi up failed:\n${failureSummary(result.output)}`);
    const steps = timedSteps(stepWindowsFromOutput(run.clock.output), run.clock.lineTimes);
    // The uninterrupted run's output: `npm run durations` derives the plan's step durations from it
    // (docs/performance.md).
    // Its stack file too: `npm run plan -- <file>` gives the model's figure for the same cluster.
    const output = path.join(os.tmpdir(), "onprem-k8s-faults-reference.log");
    fs.writeFileSync(output, run.clock.output);
    fs.copyFileSync(this.stack.file(), path.join(os.tmpdir(), "onprem-k8s-faults-reference.yaml"));
    console.log(`[faults] the uninterrupted pulumi up took ${Math.round((Date.now() - started) / 1000)} s; its output: ${output}, its stack file beside it`);
    const problems = await convergenceProblems(this.hosts, this.stack, this.shape());
    const row: FaultRow = { fault: "none", where: "uninterrupted", recoveredBy: "-", converged: problems.length === 0, minutes: (Date.now() - started) / MINUTE, reason: problems[0] };
    await this.reset();
    return { steps, row };
  }

  /** One deployment stopped by `signal` at `point`, recovered, deployed again and checked. */
  async killed(point: KillPoint, signal: Signal): Promise<FaultRow> {
    const started = Date.now();
    const where = pointWhere(point);
    const run = this.startUp();
    if (!(await this.stepStarted(run, point.step))) {
      const ended = await run.done;
      await this.reset();
      return { fault: signal, where, recoveredBy: "-", converged: false, minutes: (Date.now() - started) / MINUTE, reason: `the run ended (${ended.status}) before ${point.step} started` };
    }
    await sleep(point.delayMs);
    const steps: string[] = [];
    if (signal === "SIGKILL") killTree(run.pid());
    else {
      process.kill(run.pid(), "SIGINT");
      const stopped = await Promise.race([run.done.then(() => true), sleep(SIGINT_LIMIT_MS).then(() => false)]);
      if (!stopped) {
        killTree(run.pid());
        steps.push(`SIGINT did not stop it in ${SIGINT_LIMIT_MS / MINUTE} min: SIGKILL`);
      }
    }
    this.keep(signal, where, "the stopped pulumi up", await run.done);
    return this.recoverAndCheck(started, signal, where, steps, signal === "SIGINT" && steps.length === 0);
  }

  /** One deployment with a node fault when `fault.during` starts (or `afterMs` later); the run goes on. */
  async nodeFault(fault: NodeFault): Promise<FaultRow> {
    const started = Date.now();
    const run = this.startUp();
    let undo = async () => {};
    const at = `${fault.during}${afterStart(fault.afterMs)}`;
    let where = `during ${at}`;
    if (await this.stepStarted(run, fault.during)) {
      await sleep(fault.afterMs ?? 0);
      const injected = await inject(this.hosts, fault, CONTROL_PLANES);
      undo = injected.undo;
      where = `${injected.node}, during ${at}`;
    }
    const result = await run.done;
    this.keep(fault.kind, where, "the pulumi up of the fault", result);
    await undo();
    if (result.status === 0) {
      const problems = await convergenceProblems(this.hosts, this.stack, this.shape());
      const row = { fault: fault.kind, where, recoveredBy: "nothing (the run itself)", converged: problems.length === 0, minutes: (Date.now() - started) / MINUTE, reason: problems[0] };
      await this.reset();
      return row;
    }
    return this.recoverAndCheck(started, fault.kind, where, [], true);
  }

  /**
   * After a stopped run: `pulumi up` alone when the stop was clean (one SIGINT, or a failed run),
   * else (or when that is refused) `npm run recover` first; one more `pulumi up` when the first
   * fails; then the convergence checks and a destroy for the next fault.
   */
  private async recoverAndCheck(started: number, fault: string, where: string, steps: string[], tryUpFirst: boolean): Promise<FaultRow> {
    const row = (converged: boolean, reason?: string): FaultRow => ({ fault, where, recoveredBy: steps.join(", ") || "-", converged, minutes: (Date.now() - started) / MINUTE, reason });
    let up: CommandResult | undefined;
    const runUp = async () => {
      const result = await this.stack.run(["up", "--yes"]);
      this.keep(fault, where, `pulumi up after ${steps.join(", ") || "the stop"}`, result);
      return result;
    };
    if (tryUpFirst) {
      up = await runUp();
      steps.push("pulumi up");
    }
    if (!up || up.status !== 0) {
      const recovered = await this.recover();
      this.keep(fault, where, "npm run recover", recovered);
      steps.push("npm run recover");
      if (recovered.status !== 0) {
        const result = row(false, `npm run recover exited ${recovered.status}: ${recovered.output.trim().split("\n").slice(-3).join(" / ")}`);
        await this.reset();
        return result;
      }
      up = await runUp();
      steps.push("pulumi up");
    }
    if (up.status !== 0) {
      up = await runUp();
      steps.push("pulumi up (again)");
    }
    if (up.status !== 0) {
      const result = row(false, `pulumi up failed: ${failureSummary(up.output).split("\n").slice(0, 6).join(" / ")}`);
      await this.reset();
      return result;
    }
    const problems = await convergenceProblems(this.hosts, this.stack, this.shape());
    const result = row(problems.length === 0, problems[0]);
    await this.reset();
    return result;
  }

  /** Back to clean hosts: `pulumi destroy` (recovering first when a fault left the stack locked). */
  async reset(): Promise<void> {
    let destroyed = await this.stack.run(["destroy", "--yes"]);
    if (destroyed.status !== 0) {
      await this.recover(["--owner-gone"]);
      destroyed = await this.stack.run(["destroy", "--yes"]);
    }
    if (destroyed.status !== 0) throw new Error(`pulumi destroy after a fault failed; the hosts are not clean for the next one:\n${failureSummary(destroyed.output)}`);
  }

  async dispose(): Promise<void> {
    this.workspace.dispose();
    await this.hosts.dispose();
  }
}
