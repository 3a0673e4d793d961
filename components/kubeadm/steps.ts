// Control-plane scripts as shipped over SSH, with the node layer's mechanism (node/bundle.ts):
// the parameters as a shell-quote'd `export ...;` prefix, then the node library, our library and
// the script, all on the stdin of `[sudo -n] bash -s`; the command line carries no parameter
// (it shows in provider errors and the node's process list). stdin is a Pulumi secret whenever a
// parameter is (PEM keys, the bootstrap token, the VRRP password). The delete command runs
// with the same stdin; only KUBEADM_ACTION=delete and the removal options come on its line.
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { remote } from "@pulumi/command";
import { quote } from "shell-quote";
import { SCRIPTS_DIR as NODE_SCRIPTS_DIR, scriptStdin } from "../node/bundle";
import { renderEnvPrefix, type ScriptEnv } from "../node/params";
import type { PreparedNode } from "../node";
import type { ArtifactSink } from "../artifacts";

export const KUBEADM_SCRIPTS_DIR = path.join(__dirname, "scripts");
export const ENDPOINT_SCRIPTS_DIR = path.join(__dirname, "..", "endpoint", "scripts");

/** Files of each step's bundle, in order (libraries first, the script with `main` last). */
export const STEP_BUNDLES = {
  pki: [path.join(NODE_SCRIPTS_DIR, "lib.sh"), path.join(KUBEADM_SCRIPTS_DIR, "lib.sh"), path.join(KUBEADM_SCRIPTS_DIR, "pki.sh")],
  init: [
    path.join(NODE_SCRIPTS_DIR, "lib.sh"),
    path.join(KUBEADM_SCRIPTS_DIR, "lib.sh"),
    path.join(KUBEADM_SCRIPTS_DIR, "remove.sh"),
    path.join(KUBEADM_SCRIPTS_DIR, "init.sh"),
  ],
  join: [
    path.join(NODE_SCRIPTS_DIR, "lib.sh"),
    path.join(KUBEADM_SCRIPTS_DIR, "lib.sh"),
    path.join(KUBEADM_SCRIPTS_DIR, "remove.sh"),
    path.join(KUBEADM_SCRIPTS_DIR, "join.sh"),
  ],
  token: [path.join(NODE_SCRIPTS_DIR, "lib.sh"), path.join(KUBEADM_SCRIPTS_DIR, "lib.sh"), path.join(KUBEADM_SCRIPTS_DIR, "token.sh")],
  membership: [path.join(NODE_SCRIPTS_DIR, "lib.sh"), path.join(KUBEADM_SCRIPTS_DIR, "lib.sh"), path.join(KUBEADM_SCRIPTS_DIR, "membership.sh")],
  "kube-vip": [path.join(NODE_SCRIPTS_DIR, "lib.sh"), path.join(ENDPOINT_SCRIPTS_DIR, "kube-vip.sh")],
  "keepalived-haproxy": [path.join(NODE_SCRIPTS_DIR, "lib.sh"), path.join(ENDPOINT_SCRIPTS_DIR, "keepalived-haproxy.sh")],
} as const;
export type StepScript = keyof typeof STEP_BUNDLES;

export function stepBundle(script: StepScript): string {
  return STEP_BUNDLES[script].map((file) => fs.readFileSync(file, "utf8")).join("\n");
}

/** stdin of a step: every parameter exported (shell-quote), then the bundle. */
export function stepStdin(script: StepScript, env: ScriptEnv): string {
  return scriptStdin(stepBundle(script), env);
}

/**
 * The delete command line: the create line (`sudo -n bash -s` or `bash -s`) started through
 * `env NAME=value ...`, which survives sudo's environment reset. Values must not be secret.
 */
export function deleteCommandLine(commandLine: string, env: ScriptEnv): string {
  const assignments = Object.entries(env).map(([name, value]) => {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`invalid environment variable name ${JSON.stringify(name)}`);
    return `${name}=${quote([value])}`;
  });
  const match = /^(sudo -n )?bash -s$/.exec(commandLine);
  if (!match) throw new Error(`unexpected command line ${JSON.stringify(commandLine)}`);
  return `${match[1] ?? ""}env ${assignments.join(" ")} bash -s`;
}

/** The step's parameters as the offline plan shows them: public values in full, secrets masked. */
export function renderStepParameters(title: string, env: ScriptEnv, secretNames: string[], deleteEnv?: ScriptEnv): string {
  const lines = [`# ${title}`, "# parameters (exported at the top of stdin):"];
  for (const [name, value] of Object.entries(env)) lines.push(renderEnvPrefix({ [name]: value }).replace(/; $/, ""));
  if (secretNames.length > 0) {
    lines.push("# secret parameters (Pulumi secrets, never written here):");
    for (const name of secretNames) lines.push(`export ${name}=[secret]`);
  }
  if (deleteEnv) {
    lines.push("# on delete, the same stdin, started with:");
    for (const [name, value] of Object.entries(deleteEnv)) lines.push(renderEnvPrefix({ [name]: value }).replace(/; $/, ""));
  }
  return `${lines.join("\n")}\n`;
}

export interface ScriptStepArgs {
  /** The node the step is about: a replacement of its machine runs the step again. */
  node: PreparedNode;
  /**
   * Where the step runs when that is not `node` itself: token and membership steps run on the
   * first control plane, which holds admin.conf, so no other host ever gets admin credentials.
   */
  runOn?: PreparedNode;
  script: StepScript;
  /** `sudo -n bash -s` or `bash -s` (node/bundle.ts remoteCommandLine). */
  commandLine: string;
  /** Public parameters. */
  env: Record<string, pulumi.Input<string>>;
  /** Secret parameters: stdin becomes a Pulumi secret. */
  secretEnv?: Record<string, pulumi.Input<string>>;
  /** Overrides for the delete command; no delete command when absent. */
  deleteEnv?: ScriptEnv;
  dependsOn: pulumi.Input<pulumi.Input<pulumi.Resource>[]>;
  artifacts: ArtifactSink;
  /** Artifact path of the parameters file (kind "script"). */
  artifactPath: string;
}

/** A remote.Command running one step script on a node, plus its parameters artifact. */
export function scriptStep(name: string, args: ScriptStepArgs, opts: pulumi.CustomResourceOptions): remote.Command {
  const env = pulumi.all(args.env) as pulumi.Output<ScriptEnv>;
  const secretEnv = args.secretEnv ?? {};
  const host = args.runOn ?? args.node;
  const parameters = pulumi.all([env, pulumi.all(secretEnv)]).apply(([values, secrets]) => stepStdin(args.script, { ...values, ...(secrets as ScriptEnv) }));
  args.artifacts.add(
    "script",
    args.artifactPath,
    env.apply((values) => renderStepParameters(`${args.script} on ${host.machine.node.name}: ${name}`, values, Object.keys(secretEnv), args.deleteEnv)),
  );
  return new remote.Command(
    name,
    {
      connection: host.machine.connection,
      create: args.commandLine,
      ...(args.deleteEnv ? { delete: deleteCommandLine(args.commandLine, args.deleteEnv) } : {}),
      stdin: Object.keys(secretEnv).length > 0 ? pulumi.secret(parameters) : parameters,
      // A replaced machine is a new host: the step runs again for it (its old membership, on the
      // first control plane, is removed first by name).
      triggers: [args.node.machine.platformId],
      // PULUMI_COMMAND_STDOUT/STDERR would travel by SSH setenv, which sshd refuses without AcceptEnv.
      addPreviousOutputInEnv: false,
    },
    // Replacing a join must remove the old node before joining again, never after (the delete
    // of a create-before-delete replacement would reset the freshly joined host).
    { ...opts, dependsOn: args.dependsOn, deleteBeforeReplace: true, protect: false },
  );
}
