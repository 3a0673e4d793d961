// Whether the real-node lab can run on this machine, decided at import time without a child
// process. What it needs beyond the Debian sandbox (root, debootstrap): unshare and nsenter
// (util-linux), ip (iproute2), openssl, overlayfs, writable cgroups and bridge netfilter. Outside CI
// a missing piece skips the cluster tests with a warning naming it; under CI it fails them.
import * as fs from "node:fs";
import { cgroupHierarchies } from "./cgroups";
import { commandExists, sandboxGate, sandboxUnavailableReason, type SandboxGate } from "../sandbox/node-sandbox";

export function labUnavailableReason(): string | undefined {
  const sandbox = sandboxUnavailableReason();
  if (sandbox) return sandbox;
  for (const [tool, pkg] of [["unshare", "util-linux"], ["nsenter", "util-linux"], ["ip", "iproute2"], ["openssl", "openssl"]]) {
    if (!commandExists(tool!)) return `${tool} is not installed (apt-get install ${pkg})`;
  }
  if (!fs.readFileSync("/proc/filesystems", "utf8").includes("\toverlay\n")) return "the kernel has no overlayfs (modprobe overlay)";
  for (const hierarchy of cgroupHierarchies()) {
    try {
      fs.accessSync(hierarchy, fs.constants.W_OK);
    } catch {
      return `the cgroup hierarchy ${hierarchy} is not writable (a container without cgroup delegation?)`;
    }
  }
  if (!fs.existsSync("/proc/sys/net/bridge")) return "bridge netfilter is missing (modprobe br_netfilter)";
  return undefined;
}

export function labGate(env: NodeJS.ProcessEnv = process.env): SandboxGate {
  return sandboxGate(labUnavailableReason(), env, "real-node lab");
}
