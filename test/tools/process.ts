// Child processes for test tooling, always asynchronous: a vitest worker whose event loop is blocked
// (spawnSync, Atomics.wait) cannot answer the runner's RPC, and on a loaded machine a wait of a
// minute or more ends the whole run with `Timeout calling "onTaskUpdate"`.
import { spawn, type ChildProcess } from "node:child_process";

export interface ProcessResult {
  /** Exit status; -1 when the process was ended by a signal. */
  status: number;
  /** The signal that ended the process, if one did. */
  signal: NodeJS.Signals | null;
  stdout: string;
  /** stdout as bytes, for binary output (DER, archives) that must not pass through UTF-8. */
  stdoutBytes: Buffer;
  stderr: string;
  /** stdout then stderr, as a person reading the run would want them. */
  output: string;
}

export interface ProcessOptions {
  input?: string | Buffer;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** A non-zero exit is returned instead of thrown. */
  allowFail?: boolean;
  /** Ends the process (SIGKILL) after this long and fails. */
  timeoutMs?: number;
  /** Called with the child once it runs (e.g. to kill it on purpose; its exit is then returned as status -1 with allowFail). */
  onSpawn?: (child: ChildProcess) => void;
}

/** Runs a command to completion without blocking the event loop. */
export function runProcess(command: string, args: string[], options: ProcessOptions = {}): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: options.env ?? process.env, cwd: options.cwd, stdio: ["pipe", "pipe", "pipe"] });
    options.onSpawn?.(child);
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on("data", (b: Buffer) => stdout.push(b));
    child.stderr.on("data", (b: Buffer) => stderr.push(b));
    let timedOut = false;
    const timer = options.timeoutMs === undefined ? undefined : setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, options.timeoutMs);
    child.on("error", (err) => {
      if (timer) clearTimeout(timer);
      reject(err);
    });
    child.on("close", (code, signal) => {
      if (timer) clearTimeout(timer);
      const bytes = Buffer.concat(stdout);
      const out = bytes.toString("utf8");
      const err = Buffer.concat(stderr).toString("utf8");
      const result: ProcessResult = { status: code ?? -1, signal, stdout: out, stdoutBytes: bytes, stderr: err, output: `${out}${err}` };
      const line = `${command} ${args.join(" ")}`;
      if (timedOut) reject(new Error(`${line} did not finish within ${options.timeoutMs} ms\n${result.output}`));
      else if (result.status !== 0 && !options.allowFail) reject(new Error(`${line} exited ${result.status}\n${result.output}`));
      else resolve(result);
    });
    // A script that exits without reading all of its stdin must not fail the run with EPIPE.
    child.stdin.on("error", () => {});
    child.stdin.end(options.input ?? "");
  });
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
