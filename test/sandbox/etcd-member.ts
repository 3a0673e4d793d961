// A real etcd member for scripts that run on a control plane (components/*/scripts): kubeadm's own
// etcd certificates (`kubeadm init phase certs`) in the sandbox's /etc/kubernetes/pki/etcd, the
// real etcd on loopback with client-certificate auth, and the real etcdctl and etcdutl of the etcd
// image where the crictl stand-in (etcd-image-standins/) runs them "inside the etcd container".
import { type ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { etcdBinary, etcdctlBinary, etcdutlBinary, kubeadmBinary } from "../tools/go-binaries";
import { freePort } from "../tools/free-port";
import { runProcess, sleep } from "../tools/process";
import type { NodeSandbox } from "./node-sandbox";

export const ETCD_IMAGE_STANDINS = path.join(__dirname, "etcd-image-standins");
export const ETCD_PKI = "/etc/kubernetes/pki/etcd";

export interface EtcdMember {
  /** https://127.0.0.1:<port> */
  endpoint: string;
  etcdctl: string;
  etcdutl: string;
  /** etcdctl on the host with the healthcheck client certificate. */
  ctl(args: string[]): Promise<string>;
  /** The crictl stand-in shows the etcd container running (true) or not. */
  setContainerRunning(running: boolean): void;
  /** Ends the etcd process (as kubelet does when its manifest goes), the container with it. */
  kill(): Promise<void>;
  /** Starts it again on the same data directory and waits until it answers (its manifest came back). */
  start(): Promise<void>;
  running(): boolean;
  stop(): Promise<void>;
}

export interface EtcdMemberOptions {
  /** Runs etcd and etcdctl elsewhere, e.g. in a network namespace where 127.0.0.1:2379 is free for it. */
  wrap?: (argv: string[]) => string[];
  /** Client and peer ports (default: free ones on this machine's loopback). */
  clientPort?: number;
  peerPort?: number;
  /** The data directory (default: a temporary one), e.g. the sandbox's /var/lib/etcd, as kubeadm's. */
  dataDir?: string;
}

export async function startEtcdMember(sb: NodeSandbox, name: string, options: EtcdMemberOptions = {}): Promise<EtcdMember> {
  const wrap = options.wrap ?? ((argv: string[]) => argv);
  const [etcdutl, etcdctl, etcd, kubeadm] = await Promise.all([etcdutlBinary(), etcdctlBinary(), etcdBinary(), kubeadmBinary()]);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "etcd-member-"));
  const config = path.join(work, "kubeadm.yaml");
  fs.writeFileSync(
    config,
    [
      "apiVersion: kubeadm.k8s.io/v1beta4",
      "kind: InitConfiguration",
      "localAPIEndpoint: { advertiseAddress: 192.0.2.10 }",
      `nodeRegistration: { name: ${name} }`,
      "---",
      "apiVersion: kubeadm.k8s.io/v1beta4",
      "kind: ClusterConfiguration",
      "kubernetesVersion: v1.34.4",
      `certificatesDir: ${sb.path("/etc/kubernetes/pki")}`,
      "",
    ].join("\n"),
  );
  for (const phase of ["etcd-ca", "etcd-server", "etcd-healthcheck-client"]) await runProcess(kubeadm, ["init", "phase", "certs", phase, "--config", config]);
  fs.mkdirSync(sb.path("/usr/local/lib/etcd-image"), { recursive: true });
  for (const [tool, binary] of [["etcdutl", etcdutl], ["etcdctl", etcdctl]] as const) {
    fs.copyFileSync(binary, sb.path(`/usr/local/lib/etcd-image/${tool}`));
    fs.chmodSync(sb.path(`/usr/local/lib/etcd-image/${tool}`), 0o755);
  }
  const setContainerRunning = (running: boolean) => {
    if (running) sb.writeFile("/var/lib/sandbox/etcd-container", "3f2a9c81d0e4b\n");
    else fs.rmSync(sb.path("/var/lib/sandbox/etcd-container"), { force: true });
  };
  const clientPort = options.clientPort ?? (await freePort());
  const peerPort = options.peerPort ?? (await freePort());
  const dataDir = options.dataDir ?? path.join(work, "etcd");
  const pki = sb.path(ETCD_PKI);
  const endpoint = `https://127.0.0.1:${clientPort}`;
  const args = [
    "--name", name,
    "--data-dir", dataDir,
    "--listen-client-urls", endpoint,
    "--advertise-client-urls", endpoint,
    "--listen-peer-urls", `http://127.0.0.1:${peerPort}`,
    "--initial-advertise-peer-urls", `http://127.0.0.1:${peerPort}`,
    "--initial-cluster", `${name}=http://127.0.0.1:${peerPort}`,
    "--client-cert-auth", "--trusted-ca-file", `${pki}/ca.crt`, "--cert-file", `${pki}/server.crt`, "--key-file", `${pki}/server.key`,
  ];
  const tls = [`--endpoints=${endpoint}`, `--cacert=${pki}/ca.crt`, `--cert=${pki}/healthcheck-client.crt`, `--key=${pki}/healthcheck-client.key`];
  let child: ChildProcess | undefined;
  const alive = () => child !== undefined && child.exitCode === null && child.signalCode === null;
  const killOnExit = () => child?.kill("SIGKILL");
  process.once("exit", killOnExit);
  const kill = async () => {
    if (!alive()) return;
    const exited = new Promise<void>((resolve) => child!.once("exit", () => resolve()));
    child!.kill("SIGTERM");
    await exited;
    setContainerRunning(false);
  };
  const start = async () => {
    const log = fs.openSync(path.join(work, "etcd.log"), "a");
    const [command, ...rest] = wrap([etcd, ...args]);
    child = spawn(command!, rest, { stdio: ["ignore", log, log] });
    fs.closeSync(log);
    for (let i = 0; ; i++) {
      const [ctl, ...ctlArgs] = wrap([etcdctl, ...tls, "endpoint", "health"]);
      const r = await runProcess(ctl!, ctlArgs, { allowFail: true });
      if (r.status === 0) break;
      if (i > 150 || !alive()) throw new Error(`etcd did not start:\n${fs.readFileSync(path.join(work, "etcd.log"), "utf8").slice(-3000)}`);
      await sleep(200);
    }
    setContainerRunning(true);
  };
  const stop = async () => {
    process.removeListener("exit", killOnExit);
    child?.kill("SIGKILL");
    fs.rmSync(work, { recursive: true, force: true });
  };
  try {
    await start();
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    endpoint,
    etcdctl,
    etcdutl,
    ctl: async (args) => {
      const [ctl, ...ctlArgs] = wrap([etcdctl, ...tls, ...args]);
      return (await runProcess(ctl!, ctlArgs)).stdout;
    },
    setContainerRunning,
    kill,
    start,
    running: alive,
    stop,
  };
}
