// A step that runs on the machine running Pulumi rather than on a host (@pulumi/command's
// local.Command): a node script on the stdin of the node that runs the program, its parameters in
// the environment. For what only that machine can show, e.g. that an address answers from where
// the users' clients are rather than from inside the cluster.
import * as pulumi from "@pulumi/pulumi";
import { local } from "@pulumi/command";

export interface LocalStepArgs {
  /** The script's text (node, CommonJS). */
  script: string;
  environment: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** The step runs again when one of these changes. */
  triggers: pulumi.Input<unknown>[];
}

export function localStep(name: string, args: LocalStepArgs, opts: { parent: pulumi.Resource; dependsOn: pulumi.Input<pulumi.Input<pulumi.Resource>[]> }): local.Command {
  return new local.Command(
    name,
    {
      // The node on PATH runs this program too, so no other runtime is assumed on the machine (and
      // no machine's own path lands in the state).
      create: "node -",
      stdin: args.script,
      environment: args.environment,
      triggers: args.triggers,
      addPreviousOutputInEnv: false,
    },
    opts,
  );
}
