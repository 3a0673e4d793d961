// The lab's package mirror: hosts have no way out, so the Kubernetes packages come from a local
// signed apt repository laid out like pkgs.k8s.io (test/sandbox/build-k8s-repo.sh: stand-in
// kubeadm/kubelet/kubectl/cri-tools), built in a sandbox of its own and served over HTTP from the
// lab namespace on the bridge's address, where kubernetes.packageRepository points.
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { NodeSandbox } from "../sandbox/node-sandbox";
import { kubernetesMinor } from "../../components/node/params";
import { sleep } from "../tools/process";
import { inNamespace } from "./network";

const REPO_ROOT = path.resolve(__dirname, "../..");
const BUILD_SCRIPT = path.join(REPO_ROOT, "test/sandbox/build-k8s-repo.sh");
const SERVER = path.join(__dirname, "static-server.ts");
/** Inside the mirror's sandbox: the HTTP root, and the pkgs.k8s.io mirror below it. */
const HTTP_ROOT = "/srv/mirror";
const K8S_PATH = "k8s";
export const MIRROR_PORT = 80;

export interface Mirror {
  sandbox: NodeSandbox;
  /** The mirror of https://pkgs.k8s.io, as kubernetes.packageRepository takes it: http://<address>/k8s */
  packageRepository: string;
  /** The repository's signing key (ASCII-armoured). */
  repoKey: string;
  /** The server's log: one line per request. */
  log: string;
  /** The server's pid (it lives in the lab namespace, which ends it with everything else). */
  pid: number;
}

/** Package versions for a Kubernetes version: its own and the next patch (room for an upgrade). */
export function mirroredVersions(version: string): string[] {
  const [major, minor, patch] = version.split(".").map(Number);
  return [`${major}.${minor}.${patch}-1.1`, `${major}.${minor}.${patch! + 1}-1.1`];
}

/**
 * Builds the repository for `kubernetesVersion` and serves it on address:80 in namespace `ns`;
 * the same process accepts TCP on each of `tcpFrontends` (address:port, see static-server.ts).
 */
export async function startMirror(label: string, ns: string, address: string, kubernetesVersion: string, logDir: string, tcpFrontends: string[] = []): Promise<Mirror> {
  const sandbox = await NodeSandbox.create(`${label}-mirror`);
  try {
    sandbox.writeFile("/tmp/build-k8s-repo.sh", fs.readFileSync(BUILD_SCRIPT, "utf8"));
    const build = await sandbox.exec(`bash /tmp/build-k8s-repo.sh ${HTTP_ROOT}/${K8S_PATH} ${kubernetesMinor(kubernetesVersion)} ${mirroredVersions(kubernetesVersion).join(" ")}`);
    if (build.status !== 0) throw new Error(`building the lab's package repository failed\n${build.output}`);
    const log = path.join(logDir, "mirror.log");
    const pid = await serveDirectory(ns, sandbox.path(HTTP_ROOT), address, log, tcpFrontends);
    return { sandbox, packageRepository: `http://${address}/${K8S_PATH}`, repoKey: sandbox.readFile(`${HTTP_ROOT}/${K8S_PATH}/key.asc`), log, pid };
  } catch (err) {
    await sandbox.dispose();
    throw err;
  }
}

/**
 * Starts the static server in `ns` (a process of its own: nothing else can listen in that
 * namespace) with its output in `log`, not a pipe nobody would drain; returns once it listens.
 */
export async function serveDirectory(ns: string, directory: string, address: string, log: string, tcpFrontends: string[] = []): Promise<number> {
  const out = fs.openSync(log, "a");
  const [command, ...args] = inNamespace(ns, [process.execPath, "--import", "tsx", SERVER, directory, address, String(MIRROR_PORT), ...tcpFrontends]);
  const child = spawn(command!, args, { cwd: REPO_ROOT, stdio: ["ignore", out, out], detached: true });
  fs.closeSync(out);
  let exited: number | null | undefined;
  child.on("exit", (code) => (exited = code));
  // The test process must not wait for the server: dispose ends it with the namespace.
  child.unref();
  for (let waited = 0; waited < 30_000; waited += 100) {
    if (fs.readFileSync(log, "utf8").includes("listening")) return child.pid!;
    if (exited !== undefined) break;
    await sleep(100);
  }
  child.kill("SIGKILL");
  throw new Error(`the lab's HTTP mirror did not start (exit ${exited})\n${fs.readFileSync(log, "utf8")}`);
}
