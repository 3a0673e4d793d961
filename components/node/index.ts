// Node preparation layer: turns every reachable machine into a node ready for kubeadm.
// One NodePreparation per node, all in parallel; inside it one remote command per part, chained
// (base -> proxy -> containerd -> kubernetes-packages [-> firewall on dnf] -> images). Each part's trigger is
// a hash of its own script and parameters, so a change re-runs that part only.
import * as pulumi from "@pulumi/pulumi";
import type { remote } from "@pulumi/command";
import type { ClusterContext } from "../context";
import type { Machine } from "../machines";
import { contentTrigger, scriptStdin } from "../remote/bundle";
import { remoteCommandLine } from "../remote/command-line";
import { maskSecrets, renderEnvPrefix, type ScriptEnv } from "../remote/env";
import { remoteStep } from "../remote/step";
import { bundleScript, type NodeScript } from "./bundle";
import { carriesCredentials, preparationParts, type PlannedPart } from "./parts";
import { dayOneVersion, NO_HISTORY } from "../../stacks/upgrade";
import { specAtVersion } from "../../stacks/spec";

export interface PreparedNode {
  machine: Machine;
  /** Completes when the node is prepared; kubeadm steps on this node depend on it. */
  ready: pulumi.Resource[];
}

export interface NodePreparationArgs {
  machine: Machine;
  parts: PlannedPart[];
  /** The one command line every part runs (`sudo -n bash -s` or `bash -s`). */
  commandLine: string;
  bundles: ReadonlyMap<NodeScript, string>;
}

/** The preparation chain of one node; depends on its machine's ready step and nothing else. */
export class NodePreparation extends pulumi.ComponentResource {
  readonly commands: remote.Command[] = [];

  constructor(name: string, args: NodePreparationArgs, opts?: pulumi.ComponentResourceOptions) {
    super("onprem-k8s:node:NodePreparation", name, {}, opts);
    const { machine } = args;
    let previous: pulumi.Resource | undefined = machine.ready;
    for (const { part, env } of args.parts) {
      const bundle = args.bundles.get(part);
      if (bundle === undefined) throw new Error(`node ${machine.node.name}: no script bundle for part ${part}`);
      // Proxy credentials make the whole part secret: stdin, the trigger hash and the captured
      // output, and the output stays out of the log (the scripts mask user:pass@ themselves; this
      // keeps an unmasked slip out of the logs too).
      const command = remoteStep(
        `${machine.node.name}-${part}`,
        {
          connection: machine.connection,
          create: args.commandLine,
          stdin: scriptStdin(bundle, env),
          triggers: [contentTrigger(bundle, env)],
          ...(carriesCredentials(env) ? { secrets: "all" as const } : {}),
          explicitLogging: true,
          withoutPreviousOutput: true,
        },
        { parent: this, dependsOn: previous ? [previous] : [] },
      );
      this.commands.push(command);
      previous = command;
    }
    this.registerOutputs({ parts: args.parts.map((p) => p.part) });
  }
}

export function prepareNodes(ctx: ClusterContext, machines: Machine[], opts: pulumi.ComponentResourceOptions): PreparedNode[] {
  const { spec, artifacts } = ctx;
  const commandLine = remoteCommandLine(spec.ssh.user);
  const bundles = new Map<NodeScript, string>();
  return machines.map((machine) => {
    // The machine layer's ready step waits for cloud-init; without one the chain waits itself.
    // An existing node keeps the version it was installed at (its packages, containerd's sandbox
    // image): a version change is the upgrade steps' work, not a re-run of node preparation.
    const installedAt = dayOneVersion(ctx.history ?? NO_HISTORY, machine.node.name, spec.kubernetes.version);
    const parts = preparationParts(specAtVersion(spec, installedAt), machine.node, { waitForCloudInit: !machine.ready });
    for (const { part, env } of parts) {
      if (!bundles.has(part)) {
        bundles.set(part, bundleScript(part));
        artifacts.add("script", `scripts/${part}.sh`, bundles.get(part)!);
      }
      artifacts.add("script", `nodes/${machine.node.name}/${part}.env`, envArtifact(machine.node.name, part, commandLine, env));
    }
    const preparation = new NodePreparation(`${machine.node.name}-prep`, { machine, parts, commandLine, bundles }, opts);
    const last = preparation.commands.at(-1);
    if (!last) throw new Error(`node ${machine.node.name}: node preparation has no parts`);
    return { machine, ready: [last] };
  });
}

/** The parameters of one part as the plan writes them: one `export` per line, credentials masked. */
export function envArtifact(node: string, part: NodeScript, commandLine: string, env: ScriptEnv): string {
  return [
    `# ${node}: ${part}: parameters exported on the stdin of \`${commandLine}\`, ahead of scripts/${part}.sh`,
    "# credentials (user:pass@ in URLs) are masked here; the real values travel as Pulumi secrets",
    // Masked before quoting: shell-quote escapes the `:` of a URL, which the mask would no longer see.
    ...Object.entries(env).map(([name, value]) => renderEnvPrefix({ [name]: maskSecrets(value) }).trimEnd()),
    "",
  ].join("\n");
}
