// A real kube-apiserver backed by a real etcd, both as plain processes on 127.0.0.1 (envtest
// style), for server-side dry-runs of what the program renders: the apiserver's own decoding with
// strict field validation, defaulting, validation and built-in admission, and the openAPIV3Schema
// of installed CRDs. No controllers, no nodes, no webhooks run.
//
// The binaries come from test/tools/go-binaries.ts (built by the test setup). Ports are picked at
// runtime, data lives in a temp dir; stop() ends both processes and removes the dir, and a process
// exit handler ends them too when a run is cut short.
import { type ChildProcess, spawn } from "node:child_process";
import { generateKeyPair, randomBytes } from "node:crypto";
import { createWriteStream, promises as fs } from "node:fs";
import * as https from "node:https";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { etcdBinary, kubernetesBinary } from "./go-binaries";
import { type ProcessResult, runProcess, sleep } from "./process";
import { freePort } from "./free-port";

const generateKeyPairAsync = promisify(generateKeyPair);

/** Start to /readyz takes 3-5 s; allow for a loaded 2-core machine. */
const READY_LIMIT_MS = 120_000;

export interface ApiServer {
  /** kubeconfig of a system:masters user (static token); inside the temp dir. */
  kubeconfig: string;
  /** Runs the pinned kubectl against this apiserver; a non-zero exit is returned, not thrown. */
  kubectl(args: string[], input?: string): Promise<ProcessResult>;
  /** Ends both processes and removes the temp dir; safe to call twice. */
  stop(): Promise<void>;
  /** etcd's client URL (plain http on 127.0.0.1), to read what the apiserver stored. */
  etcdUrl: string;
  /** The apiserver's log so far. */
  log(): Promise<string>;
}

export interface ApiServerOptions {
  /** More kube-apiserver flags (`--name=value`), e.g. the control-plane settings' files. */
  extraArgs?: string[];
}

function readyz(port: number, token: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = https.get(
      { host: "127.0.0.1", port, path: "/readyz", headers: { Authorization: `Bearer ${token}` }, rejectUnauthorized: false, timeout: 5000 },
      (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      },
    );
    req.on("timeout", () => req.destroy());
    req.on("error", () => resolve(false));
  });
}

async function tail(file: string, lines = 30): Promise<string> {
  try {
    return (await fs.readFile(file, "utf8")).split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

function launch(binary: string, args: string[], log: string): ChildProcess {
  const out = createWriteStream(log);
  const child = spawn(binary, args, { stdio: ["ignore", "pipe", "pipe"] });
  child.stdout!.pipe(out);
  child.stderr!.pipe(out);
  // An unexpected exit is noticed by the readiness loop; this only keeps node from throwing.
  child.on("error", () => {});
  return child;
}

async function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const killed = await Promise.race([exited.then(() => true), sleep(10_000).then(() => false)]);
  if (!killed) {
    child.kill("SIGKILL");
    await exited;
  }
}

/**
 * Starts etcd and kube-apiserver and waits until /readyz answers 200. A port taken by someone else
 * between picking and binding it ends that attempt; the next one picks new ports.
 */
export async function startApiServer(options: ApiServerOptions = {}): Promise<ApiServer> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(options);
    } catch (err) {
      if (attempt >= 3 || !/address already in use/.test((err as Error).message)) throw err;
    }
  }
}

async function startOnce(options: ApiServerOptions): Promise<ApiServer> {
  const [etcd, apiserver, kubectl] = await Promise.all([etcdBinary(), kubernetesBinary("kube-apiserver"), kubernetesBinary("kubectl")]);
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "onprem-k8s-apiserver-"));
  const children: ChildProcess[] = [];
  const killAll = () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  };
  process.once("exit", killAll);
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    // apiserver first: it would otherwise log etcd errors while shutting down.
    for (const c of [...children].reverse()) await terminate(c);
    process.removeListener("exit", killAll);
    await fs.rm(dir, { recursive: true, force: true });
  };
  try {
    const [clientPort, peerPort, securePort] = [await freePort(), await freePort(), await freePort()];
    const token = randomBytes(24).toString("hex");
    await fs.mkdir(path.join(dir, "certs"));
    await fs.writeFile(path.join(dir, "tokens.csv"), `${token},test-admin,test-admin,"system:masters"\n`, { mode: 0o600 });
    const { privateKey } = await generateKeyPairAsync("rsa", {
      modulusLength: 2048,
      publicKeyEncoding: { type: "spki", format: "pem" },
      privateKeyEncoding: { type: "pkcs8", format: "pem" },
    });
    await fs.writeFile(path.join(dir, "sa.key"), privateKey, { mode: 0o600 });

    children.push(
      launch(
        etcd,
        [
          "--name", "test",
          "--data-dir", path.join(dir, "etcd"),
          "--listen-client-urls", `http://127.0.0.1:${clientPort}`,
          "--advertise-client-urls", `http://127.0.0.1:${clientPort}`,
          "--listen-peer-urls", `http://127.0.0.1:${peerPort}`,
          "--initial-advertise-peer-urls", `http://127.0.0.1:${peerPort}`,
          "--initial-cluster", `test=http://127.0.0.1:${peerPort}`,
          // a throwaway store: no fsync keeps it fast on a busy disk
          "--unsafe-no-fsync",
          "--log-level", "warn",
        ],
        path.join(dir, "etcd.log"),
      ),
    );
    children.push(
      launch(
        apiserver,
        [
          "--etcd-servers", `http://127.0.0.1:${clientPort}`,
          "--bind-address", "127.0.0.1",
          "--advertise-address", "127.0.0.1",
          "--secure-port", String(securePort),
          // self-signed serving certificate, written here
          "--cert-dir", path.join(dir, "certs"),
          "--token-auth-file", path.join(dir, "tokens.csv"),
          "--authorization-mode", "RBAC",
          "--service-account-issuer", "https://kubernetes.default.svc.cluster.local",
          "--service-account-key-file", path.join(dir, "sa.key"),
          "--service-account-signing-key-file", path.join(dir, "sa.key"),
          "--service-cluster-ip-range", "10.96.0.0/12",
          // the kube-vip static Pod is privileged, as on the real control planes
          "--allow-privileged=true",
          // no controller-manager creates the default ServiceAccount (as envtest does)
          "--disable-admission-plugins", "ServiceAccount",
          "--enable-priority-and-fairness=false",
          ...(options.extraArgs ?? []),
        ],
        path.join(dir, "apiserver.log"),
      ),
    );

    const started = Date.now();
    for (;;) {
      const dead = children.find((c) => c.exitCode !== null || c.signalCode !== null);
      if (dead) {
        const which = dead === children[0] ? "etcd" : "kube-apiserver";
        throw new Error(`${which} exited (${dead.exitCode ?? dead.signalCode}):\n${await tail(path.join(dir, `${which === "etcd" ? "etcd" : "apiserver"}.log`))}`);
      }
      if (await readyz(securePort, token)) break;
      if (Date.now() - started > READY_LIMIT_MS) {
        throw new Error(`kube-apiserver not ready within ${READY_LIMIT_MS / 1000} s:\n${await tail(path.join(dir, "apiserver.log"))}`);
      }
      await sleep(250);
    }

    const kubeconfig = path.join(dir, "kubeconfig");
    const config = {
      apiVersion: "v1",
      kind: "Config",
      clusters: [{ name: "test", cluster: { server: `https://127.0.0.1:${securePort}`, "insecure-skip-tls-verify": true } }],
      users: [{ name: "test-admin", user: { token } }],
      contexts: [{ name: "test", context: { cluster: "test", user: "test-admin" } }],
      "current-context": "test",
    };
    await fs.writeFile(kubeconfig, JSON.stringify(config), { mode: 0o600 });
    // A discovery cache of its own per call: a cache filled before CRDs were installed would hide them.
    let calls = 0;
    return {
      kubeconfig,
      kubectl: (args, input) =>
        runProcess(kubectl, ["--kubeconfig", kubeconfig, "--cache-dir", path.join(dir, "kube-cache", String(++calls)), ...args], { input, allowFail: true, timeoutMs: 120_000 }),
      stop,
      etcdUrl: `http://127.0.0.1:${clientPort}`,
      log: () => fs.readFile(path.join(dir, "apiserver.log"), "utf8"),
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
