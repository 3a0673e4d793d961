// How a remote step reaches its host: SSH with bounded dial retries, so an unreachable machine
// fails in minutes, not after the provider's default hour.
import type * as pulumi from "@pulumi/pulumi";
import type { types as commandTypes } from "@pulumi/command";

export type SshConnection = commandTypes.input.remote.ConnectionArgs;

export const SSH_DIAL_ERROR_LIMIT = 20;
export const SSH_PER_DIAL_TIMEOUT_SECONDS = 15;

export interface SshTarget {
  address: string;
}

export function sshConnection(target: SshTarget, user: string, port: number, privateKey: pulumi.Input<string>): SshConnection {
  return {
    host: target.address,
    port,
    user,
    privateKey,
    dialErrorLimit: SSH_DIAL_ERROR_LIMIT,
    perDialTimeout: SSH_PER_DIAL_TIMEOUT_SECONDS,
  };
}
