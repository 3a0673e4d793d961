// The runbooks name only commands the tests run or the program itself prints. Every command line of
// every ```sh block in the docs below must either match an entry of TESTED, whose evidence (a
// needle in the file that runs it) is checked here too, so the list cannot claim a test that is
// not there; or appear verbatim in what the program prints (the plans' artifacts such as the
// acceptance and MTU checklists, and the node scripts' messages and diagnostics); or carry the
// marker `# untested: <why>`.
import * as fs from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { planStack, REPO_ROOT } from "./harness";

const RUNBOOKS = ["docs/first-deployment.md", "docs/runbooks.md", "docs/troubleshooting.md", "docs/state-backend.md", "docs/ci.md", "docs/recovery.md"];

interface Tested {
  pattern: RegExp;
  /** Files and what each must contain for the command to count as run by the tests. */
  evidence: (match: RegExpMatchArray) => [file: string, needle: string][];
}

const STACK_SUITE = "test/engine/stack-suite.ts";
const S3_TEST = "test/engine/s3-state-backend.test.ts";

export const TESTED: Tested[] = [
  { pattern: /^npm ci$/, evidence: () => [[".ci/run", "npm ci"]] },
  { pattern: /^npm run plan -- (poc|prod)$/, evidence: () => [["package.json", '"plan": "node scripts/run-compiled.js scripts/plan.ts"'], ["test/plan.test.ts", '"scripts/run-compiled.js"']] },
  { pattern: /^pulumi login --local$/, evidence: () => [["test/engine/workspace.ts", '["login", `file://${state}`]']] },
  { pattern: /^pulumi login 's3:\/\/[a-z-]+\?endpoint=https?:\/\/[^&']+&region=[a-z0-9-]+&use_path_style=true'$/, evidence: () => [["test/tools/versitygw.ts", "&region=us-east-1&use_path_style=true"], [S3_TEST, '"login.sh"']] },
  { pattern: /^export (AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY)='\.\.\.'$/, evidence: (m) => [["test/tools/versitygw.ts", `${m[1]}: `]] },
  { pattern: /^export PULUMI_CONFIG_PASSPHRASE='\.\.\.'$/, evidence: () => [["test/engine/workspace.ts", "PULUMI_CONFIG_PASSPHRASE: TEST_PASSPHRASE"]] },
  { pattern: /^pulumi stack init (poc|prod)$/, evidence: () => [["test/engine/stack.ts", '["stack", "init", this.name]']] },
  { pattern: /^pulumi config set --secret [a-zA-Z]+ -s (poc|prod)( < \S+)?$/, evidence: () => [["test/engine/stack.ts", '["config", "set", "--secret", key, "-s", this.name]']] },
  { pattern: /^scripts\/ci\/(login|select-stack|preview|up|destroy)\.sh( (poc|prod))?$/, evidence: (m) => [[S3_TEST, `"${m[1]}.sh"`]] },
  { pattern: /^pulumi up --yes -s (poc|prod)$/, evidence: () => [[STACK_SUITE, '["up", "--yes"]']] },
  { pattern: /^pulumi preview --expect-no-changes -s (poc|prod)$/, evidence: () => [[STACK_SUITE, '["preview", "--expect-no-changes"]']] },
  { pattern: /^pulumi stack output kubeconfig --show-secrets -s poc > kubeconfig$/, evidence: () => [[STACK_SUITE, '["stack", "output", "kubeconfig", "--show-secrets"]']] },
  { pattern: /^kubectl --kubeconfig kubeconfig get nodes$/, evidence: () => [["test/engine/day2/bring-up.ts", "kubectl --kubeconfig /tmp/stack-kubeconfig get nodes"]] },
  { pattern: /^pulumi stack output --json -s poc$/, evidence: () => [[STACK_SUITE, '["stack", "output", "--json"]']] },
  { pattern: /^pulumi destroy --yes -s poc$/, evidence: () => [[STACK_SUITE, '["destroy", "--yes"']] },
  { pattern: /^pulumi state unprotect 'urn:pulumi:prod::[^']+' --yes -s prod$/, evidence: () => [[STACK_SUITE, '["state", "unprotect", urn, "--yes"]']] },
  { pattern: /^pulumi cancel --yes -s poc$/, evidence: () => [[S3_TEST, '["cancel", "--yes", "-s", "poc"]']] },
  { pattern: /^pulumi refresh --clear-pending-creates --yes -s poc$/, evidence: () => [[S3_TEST, '["refresh", "--clear-pending-creates", "--yes", "-s", "poc"]']] },
  { pattern: /^pulumi stack (export|import) -s poc --file poc-state\.json$/, evidence: (m) => [[S3_TEST, `["stack", "${m[1]}", "-s", "poc", "--file", file]`], [S3_TEST, '"poc-state.json"']] },
  { pattern: /^npm run recover -- poc$/, evidence: () => [["package.json", '"recover": "tsx scripts/recover.ts"'], ["test/engine/recover.test.ts", '"recover", "--", "poc"']] },
  { pattern: /^npm run recover -- poc --owner-gone$/, evidence: () => [["scripts/recover.ts", '"--owner-gone"'], ["scripts/recover/recover.test.ts", "ownerGone: true"]] },
  { pattern: /^rm ~\/\.pulumi\/stacks\/onprem-k8s\/poc\.json\.attrs$/, evidence: () => [[S3_TEST, '"attrs.json.attrs"'], [S3_TEST, "fs.rmSync(attrs)"]] },
];

/** The command lines of a Markdown text's ```sh blocks (indented blocks in lists included). */
export function shellCommands(markdown: string): string[] {
  const commands: string[] = [];
  let inBlock = false;
  for (const raw of markdown.split("\n")) {
    const line = raw.trim();
    if (line.startsWith("```")) {
      inBlock = !inBlock && line === "```sh";
      continue;
    }
    if (inBlock && line && !line.startsWith("#")) commands.push(line);
  }
  return commands;
}

/** Why a command may stand in a runbook, or undefined when nothing vouches for it. */
export function justification(command: string, programOutput: string): string | undefined {
  if (/\s# untested: \S/.test(command)) return "marked untested";
  const tested = TESTED.find((t) => t.pattern.test(command));
  if (tested) return `run by ${tested.evidence(command.match(tested.pattern)!).map(([file]) => file).join(", ")}`;
  if (programOutput.includes(command)) return "printed by the program";
  return undefined;
}

describe("runbook commands", () => {
  let programOutput = "";

  beforeAll(async () => {
    // What the program prints: every artifact of the shipped stacks' plans, and the node scripts.
    const texts: string[] = [];
    for (const stack of ["poc", "prod"]) texts.push(...(await planStack(stack)).artifacts.map((a) => a.content));
    const scripts = (dir: string): string[] =>
      fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? scripts(path.join(dir, e.name)) : e.name.endsWith(".sh") ? [fs.readFileSync(path.join(dir, e.name), "utf8")] : []));
    texts.push(...scripts(path.join(REPO_ROOT, "components")));
    programOutput = texts.join("\n");
  }, 120_000);

  it("every evidence the allow-list names is in the file that runs the command", () => {
    for (const entry of TESTED) {
      // The evidence of a pattern with alternatives is checked for each alternative the docs use.
      const used = RUNBOOKS.flatMap((doc) => shellCommands(fs.readFileSync(path.join(REPO_ROOT, doc), "utf8"))).filter((c) => entry.pattern.test(c));
      expect(used.length, `${entry.pattern} is used by no runbook: drop it`).toBeGreaterThan(0);
      for (const command of used) {
        for (const [file, needle] of entry.evidence(command.match(entry.pattern)!)) {
          expect(fs.readFileSync(path.join(REPO_ROOT, file), "utf8"), `${command}: ${file} should contain ${needle}`).toContain(needle);
        }
      }
    }
  });

  it("every command in the runbooks is run by the tests or printed by the program", () => {
    let count = 0;
    for (const doc of RUNBOOKS) {
      const commands = shellCommands(fs.readFileSync(path.join(REPO_ROOT, doc), "utf8"));
      expect(commands.length, doc).toBeGreaterThan(0);
      for (const command of commands) {
        count++;
        expect(justification(command, programOutput), `${doc}: \`${command}\` is neither run by a test nor printed by the program`).toBeDefined();
      }
    }
    expect(count).toBeGreaterThan(30);
  });

  it("an untested command is caught; one the program prints, or one marked, is not", () => {
    const doc = ["text", "```sh", "pulumi stack rename poc staging", "kubeadm reset -f", "etcdutl snapshot restore x.db  # untested: restores are not automated", "```", "```", "not a shell block", "```"].join("\n");
    const commands = shellCommands(doc);
    expect(commands).toEqual(["pulumi stack rename poc staging", "kubeadm reset -f", "etcdutl snapshot restore x.db  # untested: restores are not automated"]);
    expect(justification(commands[0]!, programOutput)).toBeUndefined();
    expect(justification(commands[1]!, programOutput)).toBe("printed by the program");
    expect(justification(commands[2]!, programOutput)).toBe("marked untested");
    expect(justification("pulumi up --yes -s poc", programOutput)).toBe(`run by ${STACK_SUITE}`);
  });
});
