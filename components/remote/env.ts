// Script parameters as the shell receives them: environment variables (all strings) rendered as
// `export NAME=value; ` statements quoted by shell-quote. Pure.
import { quote } from "shell-quote";

export type ScriptEnv = Record<string, string>;

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Throws unless `name` is a shell identifier: names are checked, never quoted. */
export function checkEnvName(name: string): string {
  if (!ENV_NAME.test(name)) throw new Error(`invalid environment variable name ${JSON.stringify(name)}`);
  return name;
}

/**
 * `export A='...'; export B='...'; ` for prefixing a command (e.g. `bash -s`).
 * Values are quoted by shell-quote; names are checked, never quoted.
 */
export function renderEnvPrefix(env: ScriptEnv): string {
  return Object.entries(env)
    .map(([name, value]) => {
      checkEnvName(name);
      if (typeof value !== "string") throw new Error(`environment variable ${name}: value must be a string`);
      if (value.includes("\0")) throw new Error(`environment variable ${name}: NUL bytes cannot be passed`);
      return `export ${name}=${quote([value])}; `;
    })
    .join("");
}

/** One `export NAME=value` a line (no trailing `;`), as the plan's parameter files show them. */
export function renderEnvLines(env: ScriptEnv): string[] {
  return Object.entries(env).map(([name, value]) => renderEnvPrefix({ [name]: value }).replace(/; $/, ""));
}

/** Hide credentials in URLs (`scheme://user:pass@` and bare `user:pass@`) for logs. */
export function maskSecrets(text: string): string {
  return text
    .replace(/([A-Za-z][A-Za-z0-9+.-]*:\/\/)[^/@\s"']+@/g, "$1***@")
    .replace(/(^|[\s=,"'])[^/@\s=,"']+:[^/@\s"']+@/g, "$1***@");
}
