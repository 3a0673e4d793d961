// The remote-step layer (components/remote/) runs scripts on hosts over SSH as Pulumi resources,
// below every layer that does so (machines, node preparation, endpoint, kubeadm, add-ons); it
// knows none of their scripts. This module is the resource itself (@pulumi/command's
// remote.Command): the one place that knows how steps are created, re-run, kept secret and
// deleted. script-step.ts adds bundles with parameters on top. A step is never protected (it holds
// no state a delete could lose, and a protected step would block replacing its machine): it sets no
// protect, and no component above it is protected (the engine would pass that on, cluster.ts).
import * as pulumi from "@pulumi/pulumi";
import { remote } from "@pulumi/command";
import type { SshConnection } from "./connection";

export interface RemoteStepArgs {
  connection: SshConnection;
  /** The create command line (command-line.ts); parameters travel on stdin. */
  create: string;
  /** The delete command line; without it deleting the step runs nothing on the host. */
  delete?: string;
  /** What `bash -s` reads (bundle.ts scriptStdin), or the bare script. */
  stdin: pulumi.Input<string>;
  /** The step runs again when one of these changes (a replaced machine, a changed bundle, ...). */
  triggers: pulumi.Input<unknown>[];
  /**
   * Whether the parameters hold secrets: "stdin" makes stdin a Pulumi secret; "all" also the
   * triggers and the captured output, and keeps the output out of the log (a failure still shows
   * it: the provider puts it into the error message).
   */
  secrets?: "stdin" | "all";
  /**
   * State the logging in the step's inputs even when it is the default (all output): node
   * preparation does, so each part's inputs show whether its output reaches the log.
   */
  explicitLogging?: boolean;
  /** PULUMI_COMMAND_STDOUT/STDERR would travel by SSH setenv, which sshd refuses without AcceptEnv. */
  withoutPreviousOutput?: boolean;
}

export interface RemoteStepOptions {
  parent: pulumi.Resource;
  dependsOn: pulumi.Input<pulumi.Input<pulumi.Resource>[]>;
  /** Delete (the host's clean-up) before creating again, never after the new run. */
  deleteBeforeReplace?: boolean;
}

export function remoteStep(name: string, args: RemoteStepArgs, opts: RemoteStepOptions): remote.Command {
  const secretAll = args.secrets === "all";
  return new remote.Command(
    name,
    {
      connection: args.connection,
      create: args.create,
      ...(args.delete !== undefined ? { delete: args.delete } : {}),
      stdin: args.secrets !== undefined ? pulumi.secret(args.stdin) : args.stdin,
      triggers: secretAll ? args.triggers.map((trigger) => pulumi.secret(trigger)) : args.triggers,
      ...(args.explicitLogging || secretAll ? { logging: secretAll ? "none" : "stdoutAndStderr" } : {}),
      ...(args.withoutPreviousOutput ? { addPreviousOutputInEnv: false } : {}),
    },
    {
      parent: opts.parent,
      dependsOn: opts.dependsOn,
      ...(args.explicitLogging || secretAll ? { additionalSecretOutputs: secretAll ? ["stdout", "stderr"] : [] } : {}),
      ...(opts.deleteBeforeReplace ? { deleteBeforeReplace: true } : {}),
    },
  );
}
