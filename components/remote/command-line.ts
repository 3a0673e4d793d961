// The command lines of a remote step. Parameters go on stdin, not here: the command provider puts
// the command line (never stdin) into its error messages, and the node's process list shows it to
// every local user. Only non-secret switches (the delete action) may travel on a line.
import { quote } from "shell-quote";
import { checkEnvName, type ScriptEnv } from "./env";

/**
 * The create command line. The scripts need root; an admin user reaches it through `sudo -n`,
 * which fails at once instead of waiting for a password.
 */
export function remoteCommandLine(sshUser: string): string {
  return sshUser === "root" ? "bash -s" : "sudo -n bash -s";
}

/**
 * The delete command line: the create line (`sudo -n bash -s` or `bash -s`) started through
 * `env NAME=value ...`, which survives sudo's environment reset. Values must not be secret.
 */
export function deleteCommandLine(commandLine: string, env: ScriptEnv): string {
  const assignments = Object.entries(env).map(([name, value]) => `${checkEnvName(name)}=${quote([value])}`);
  const match = /^(sudo -n )?bash -s$/.exec(commandLine);
  if (!match) throw new Error(`unexpected command line ${JSON.stringify(commandLine)}`);
  return `${match[1] ?? ""}env ${assignments.join(" ")} bash -s`;
}
