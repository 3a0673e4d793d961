// The per-machine "reachable" step: the first SSH command on a machine, which every later SSH
// step depends on through Machine.ready. Dial retries are bounded by the connection
// (remote/connection.ts), cloud-init's wait by the script, so a machine that never comes up
// fails in minutes with its name in the message.
import * as fs from "node:fs";
import * as path from "node:path";
import type * as pulumi from "@pulumi/pulumi";
import type { remote } from "@pulumi/command";
import { renderEnvPrefix } from "../remote/env";
import { remoteStep } from "../remote/step";
import type { Machine } from "./types";

export const REACHABLE_SCRIPT = path.join(__dirname, "scripts", "reachable.sh");
/** Long enough for a first boot that installs the guest agent through a slow mirror. */
export const CLOUD_INIT_TIMEOUT_SECONDS = 900;

export function reachableScript(): string {
  return fs.readFileSync(REACHABLE_SCRIPT, "utf8");
}

/** The remote command line; the script itself goes to stdin. */
export function reachableCommandLine(nodeName: string, timeoutSeconds = CLOUD_INIT_TIMEOUT_SECONDS): string {
  return `${renderEnvPrefix({ NODE_NAME: nodeName, CLOUD_INIT_TIMEOUT_SECONDS: String(timeoutSeconds) })}bash -s`;
}

/**
 * Adds the reachable step for a machine. It re-runs when the machine is replaced (its platform
 * id is a trigger). Like every step it is never protected (see remote/step.ts).
 */
export function reachableStep(machine: Omit<Machine, "ready">, parent: pulumi.Resource, dependsOn: pulumi.Resource[] = []): remote.Command {
  return remoteStep(
    `${machine.node.name}-reachable`,
    { connection: machine.connection, create: reachableCommandLine(machine.node.name), stdin: reachableScript(), triggers: [machine.platformId] },
    { parent, dependsOn },
  );
}
