// sshd on a lab host: the Debian package's own sshd (package layer labHost), started inside the
// host's root (chroot), network namespace and UTS namespace (so `hostname` is the node's name),
// listening on the host's address only. Root logs in with the lab's key; host keys are made per
// host, so no two hosts (and no two runs) share one.
import { runProcess } from "../tools/process";
import type { NodeSandbox } from "../sandbox/node-sandbox";
import { inNamespace } from "./network";

export const SSH_PORT = 22;
const PATH_IN_ROOT = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
const CONFIG = "/etc/ssh/sshd_config.d/onprem-lab.conf";
const LOG = "/var/log/sshd.log";
const HOST_KEY = "/etc/ssh/ssh_host_ed25519_key";
const PID_FILE = "/run/sshd.pid";

export interface SshdHost {
  name: string;
  address: string;
  /** The host's network namespace. */
  ns: string;
  sandbox: NodeSandbox;
}

/** The drop-in (Debian's sshd_config includes sshd_config.d first, and sshd takes a setting's first value). */
function sshdConfig(address: string): string {
  return [
    "# onprem-k8s lab host (test/lab/sshd.ts)",
    `ListenAddress ${address}:${SSH_PORT}`,
    `HostKey ${HOST_KEY}`,
    "PermitRootLogin prohibit-password",
    "PasswordAuthentication no",
    "KbdInteractiveAuthentication no",
    // No PAM: pam_loginuid and pam_systemd have no business in a chroot, and keys are all we need.
    "UsePAM no",
    `PidFile ${PID_FILE}`,
    "",
  ].join("\n");
}

/** Host key, root's authorized key and the config; then sshd, which is listening when this returns. */
export async function startSshd(host: SshdHost, authorizedKey: string): Promise<void> {
  const { sandbox } = host;
  // The package layer's postinst made host keys once for every host: replace them.
  const keys = await sandbox.exec(`rm -f /etc/ssh/ssh_host_* && ssh-keygen -q -t ed25519 -N '' -C root@${host.name} -f ${HOST_KEY}`);
  if (keys.status !== 0) throw new Error(`${host.name}: ssh-keygen failed\n${keys.output}`);
  sandbox.writeFile("/root/.ssh/authorized_keys", `${authorizedKey.trim()}\n`);
  await runProcess("chmod", ["700", sandbox.path("/root/.ssh")]);
  await runProcess("chmod", ["600", sandbox.path("/root/.ssh/authorized_keys")]);
  sandbox.writeFile(CONFIG, sshdConfig(host.address));
  sandbox.writeFile(LOG, "");
  // sshd's privilege separation directory (tmpfiles.d makes it on a real host).
  await runProcess("mkdir", ["-p", "-m", "755", sandbox.path("/run/sshd")]);
  const check = await sandbox.exec("/usr/sbin/sshd -t");
  if (check.status !== 0) throw new Error(`${host.name}: sshd -t rejects the config\n${check.output}`);
  // sshd binds its address before it daemonises, so it accepts connections once this returns.
  const start = inNamespace(host.ns, [
    "unshare", "--uts", "--",
    "sh", "-c", 'hostname "$0" && exec chroot "$1" /usr/bin/env -i PATH="$2" LANG=C.UTF-8 /usr/sbin/sshd -E "$3"',
    host.name, sandbox.root, PATH_IN_ROOT, LOG,
  ]);
  const r = await runProcess(start[0]!, start.slice(1), { allowFail: true, timeoutMs: 30_000 });
  if (r.status !== 0) throw new Error(`${host.name}: sshd did not start (exit ${r.status})\n${r.output}\n${sandbox.readFile(LOG)}`);
}

/** sshd's pid, from its pid file (undefined before it started or after it stopped). */
export function sshdPid(sandbox: NodeSandbox): number | undefined {
  return sandbox.exists(PID_FILE) ? Number(sandbox.readFile(PID_FILE).trim()) || undefined : undefined;
}

/** sshd's log (authentication failures, refused keys), for a failing test's message. */
export function sshdLog(sandbox: NodeSandbox): string {
  return sandbox.exists(LOG) ? sandbox.readFile(LOG) : "";
}
