// npm run recover -- <stack> [--owner-gone] [--backup-dir <dir>]: makes a stack whose `pulumi up`
// stopped half-way (killed, CI cancelled, machine lost) ready for the next `pulumi up`, backing up
// its state first (docs/recovery.md). Runs the `pulumi` on PATH in this directory, with the
// environment it was given (PULUMI_CONFIG_PASSPHRASE, PULUMI_BACKEND_URL, ...).
import { spawn } from "node:child_process";
import * as os from "node:os";
import { localProbe } from "./recover/locks";
import { recoverStack, type PulumiResult } from "./recover/recover";

const USAGE = "usage: npm run recover -- <stack> [--owner-gone] [--backup-dir <dir>]";

function pulumi(args: string[]): Promise<PulumiResult> {
  return new Promise((resolve) => {
    const child = spawn("pulumi", [...args, "--non-interactive"], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      output += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.on("error", (err) => resolve({ status: 127, stdout, output: `${output}${err.message}` }));
    child.on("close", (code) => resolve({ status: code ?? 1, stdout, output }));
  });
}

async function main(argv: string[]): Promise<number> {
  const positional = argv.filter((a, i) => !a.startsWith("--") && argv[i - 1] !== "--backup-dir");
  const backupAt = argv.indexOf("--backup-dir");
  const unknown = argv.filter((a) => a.startsWith("--") && a !== "--owner-gone" && a !== "--backup-dir");
  if (positional.length !== 1 || unknown.length > 0 || (backupAt >= 0 && !argv[backupAt + 1])) {
    console.error(USAGE);
    return 64;
  }
  return recoverStack({
    stack: positional[0]!,
    projectDir: process.cwd(),
    pulumi,
    probe: localProbe(os.hostname()),
    ownerGone: argv.includes("--owner-gone"),
    backupDir: backupAt >= 0 ? argv[backupAt + 1] : undefined,
  });
}

main(process.argv.slice(2)).then(
  (status) => process.exit(status),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
