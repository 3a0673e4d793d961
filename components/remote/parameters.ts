// A step's parameters as the offline plan shows them. Pure.
import { renderEnvLines, type ScriptEnv } from "./env";

/** Public values in full, secrets by name only, and what the delete line adds. */
export function renderStepParameters(title: string, env: ScriptEnv, secretNames: string[], deleteEnv?: ScriptEnv): string {
  const lines = [`# ${title}`, "# parameters (exported at the top of stdin):", ...renderEnvLines(env)];
  if (secretNames.length > 0) {
    lines.push("# secret parameters (Pulumi secrets, never written here):");
    for (const name of secretNames) lines.push(`export ${name}=[secret]`);
  }
  if (deleteEnv) {
    lines.push("# on delete, the same stdin, started with:");
    lines.push(...renderEnvLines(deleteEnv));
  }
  return `${lines.join("\n")}\n`;
}
