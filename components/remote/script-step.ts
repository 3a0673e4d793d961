// A step that runs a bundle with parameters: the parameters as a shell-quote'd `export ...;`
// prefix, then the bundle, all on the stdin of `[sudo -n] bash -s`; the command line carries no
// parameter (it shows in provider errors and the host's process list). stdin is a Pulumi secret
// whenever a parameter is (PEM keys, the bootstrap token, the VRRP password). The delete command
// runs with the same stdin; only its switches (e.g. KUBEADM_ACTION=delete) come on its line.
// The plan gets the parameters as an artifact, secrets by name only.
import * as pulumi from "@pulumi/pulumi";
import type { remote } from "@pulumi/command";
import type { ArtifactSink } from "../artifacts";
import { scriptStdin } from "./bundle";
import { deleteCommandLine } from "./command-line";
import type { SshConnection } from "./connection";
import type { ScriptEnv } from "./env";
import { renderStepParameters } from "./parameters";
import { remoteStep } from "./step";

export interface ScriptBundle {
  /** Names the bundle in the plan's parameter files, e.g. "join". */
  name: string;
  /** bundle.ts readBundle of its files. */
  text: string;
}

export interface ScriptStepArgs {
  /** Where the step runs. */
  host: { name: string; connection: SshConnection };
  bundle: ScriptBundle;
  /** `sudo -n bash -s` or `bash -s` (command-line.ts remoteCommandLine). */
  commandLine: string;
  /** Public parameters. */
  env: Record<string, pulumi.Input<string>>;
  /** Secret parameters: stdin becomes a Pulumi secret. */
  secretEnv?: Record<string, pulumi.Input<string>>;
  /** Switches for the delete command; no delete command when absent. */
  deleteEnv?: ScriptEnv;
  /** The step runs again when one of these changes. */
  triggers: pulumi.Input<unknown>[];
  dependsOn: pulumi.Input<pulumi.Input<pulumi.Resource>[]>;
  artifacts: ArtifactSink;
  /** Artifact path of the parameters file (kind "script"). */
  artifactPath: string;
  /** The step prints secrets (adoption's report of the cluster's keys): its output is a Pulumi secret and stays out of the log. */
  secretOutput?: boolean;
}

/** A remote step running one bundle with its parameters, plus its parameters artifact. */
export function scriptStep(name: string, args: ScriptStepArgs, opts: { parent: pulumi.Resource }): remote.Command {
  const env = pulumi.all(args.env) as pulumi.Output<ScriptEnv>;
  const secretEnv = args.secretEnv ?? {};
  const secret = Object.keys(secretEnv).length > 0;
  const stdin = pulumi.all([env, pulumi.all(secretEnv)]).apply(([values, secrets]) => scriptStdin(args.bundle.text, { ...values, ...(secrets as ScriptEnv) }));
  args.artifacts.add(
    "script",
    args.artifactPath,
    env.apply((values) => renderStepParameters(`${args.bundle.name} on ${args.host.name}: ${name}`, values, Object.keys(secretEnv), args.deleteEnv)),
  );
  return remoteStep(
    name,
    {
      connection: args.host.connection,
      create: args.commandLine,
      ...(args.deleteEnv ? { delete: deleteCommandLine(args.commandLine, args.deleteEnv) } : {}),
      stdin,
      ...(args.secretOutput ? { secrets: "all" as const } : secret ? { secrets: "stdin" as const } : {}),
      triggers: args.triggers,
      withoutPreviousOutput: true,
    },
    // A delete undoes the step on the host (kubeadm reset, removal from the cluster): replacing
    // must run it before running the step again, never after (the delete of a create-before-delete
    // replacement would undo the fresh run).
    { ...opts, dependsOn: args.dependsOn, deleteBeforeReplace: true },
  );
}
