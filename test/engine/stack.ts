// One stack of the project under the real engine, driven exactly as the README's "Deploy for real"
// says: a stack file Pulumi.<stack>.yaml, `pulumi stack init`, secrets with `pulumi config set
// --secret <key> < file`, then preview, up, destroy with `-s <stack>`.
import * as fs from "node:fs";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import { CLUSTER_KEY, readStackFile } from "../../stacks/stack-file";
import type { SecretKey } from "../../stacks/schema";
import { REPO_ROOT } from "../harness";
import type { CommandResult, EngineWorkspace } from "./workspace";


/** One step of `pulumi preview --json`. */
export interface PreviewStep {
  op: string;
  urn: string;
}

export interface PreviewResult {
  steps: PreviewStep[];
  changeSummary: Record<string, number>;
}

export class EngineStack {
  private constructor(
    readonly workspace: EngineWorkspace,
    readonly name: string,
  ) {}

  /**
   * Writes Pulumi.<name>.yaml from `source` (poc, prod or an example's path), edited by `edit`,
   * inits the stack and sets `secrets` the way the README does.
   */
  static async init(
    workspace: EngineWorkspace,
    name: string,
    source: string,
    secrets: Partial<Record<SecretKey, string>>,
    edit: (cluster: any) => void = () => {},
  ): Promise<EngineStack> {
    const stack = new EngineStack(workspace, name);
    stack.writeDescription(source, edit);
    await stack.initWithSecrets(secrets);
    return stack;
  }

  /** Like init, from the text of a whole stack file (e.g. the lab's, test/lab/stack-config.ts). */
  static async initFromText(workspace: EngineWorkspace, name: string, stackFile: string, secrets: Partial<Record<SecretKey, string>>): Promise<EngineStack> {
    const stack = new EngineStack(workspace, name);
    fs.writeFileSync(stack.file(), stackFile);
    await stack.initWithSecrets(secrets);
    return stack;
  }

  private async initWithSecrets(secrets: Partial<Record<SecretKey, string>>): Promise<void> {
    await this.workspace.pulumiOk(["stack", "init", this.name]);
    for (const [key, value] of Object.entries(secrets)) {
      await this.workspace.pulumiOk(["config", "set", "--secret", key, "-s", this.name], { input: value });
    }
  }

  /** (Re)writes the stack's description, keeping the secrets and salt already in the file. */
  writeDescription(source: string, edit: (cluster: any) => void = () => {}): void {
    const cluster = structuredClone(readStackFile(source, REPO_ROOT).cluster);
    edit(cluster);
    const file = this.file();
    const existing = fs.existsSync(file) ? (parse(fs.readFileSync(file, "utf8")) ?? {}) : {};
    const config = { ...(existing.config ?? {}), [CLUSTER_KEY]: cluster };
    fs.writeFileSync(file, stringify({ ...existing, config }));
  }

  file(): string {
    return path.join(this.workspace.projectDir, `Pulumi.${this.name}.yaml`);
  }

  run(args: string[]): Promise<CommandResult> {
    return this.workspace.pulumi([...args, "-s", this.name]);
  }

  async ok(args: string[], options: { timeoutMs?: number } = {}): Promise<string> {
    return this.workspace.pulumiOk([...args, "-s", this.name], options);
  }

  /** `pulumi preview --json`: the steps the engine would take. Throws on a failed preview. */
  async preview(extra: string[] = []): Promise<PreviewResult> {
    const r = await this.run(["preview", "--json", ...extra]);
    if (r.status !== 0) throw new Error(`pulumi preview -s ${this.name} exited ${r.status}:\n${r.output.slice(-6000)}`);
    return JSON.parse(r.stdout) as PreviewResult;
  }

  /** `pulumi stack export`: the state as the backend stores it (secrets as ciphertext). */
  async exportState(): Promise<string> {
    return this.ok(["stack", "export"]);
  }

  /** URNs and types of the resources in the state. */
  async resources(): Promise<{ urn: string; type: string; protect?: boolean }[]> {
    const state = JSON.parse(await this.exportState()) as { deployment: { resources?: { urn: string; type: string; protect?: boolean }[] } };
    return state.deployment.resources ?? [];
  }
}
