// A self-hosted S3-compatible store for the state-backend tests: versitygw (tools/versitygw, built
// from its Go module by the test setup and cached) serving a temporary directory through its posix
// backend on a free loopback port. `pulumi login s3://<bucket>?endpoint=...` then keeps the stacks'
// state and locks in that bucket, as a team's on-prem store would (docs/state-backend.md).
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createWriteStream, promises as fs } from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { buildOnce, cacheDir, goBuild, toolsModule } from "./go-binaries";
import { actionlintBinary } from "./actionlint";
import { runProcess, sleep } from "./process";
import { freePort } from "./free-port";

/** Keep in step with tools/versitygw/go.mod. */
export const PINNED_VERSITYGW_VERSION = "v1.8.0";

/** The versitygw gateway, built on first use (one Go build, about a minute with a warm module cache). */
export function versitygwBinary(): Promise<string> {
  return buildOnce(path.join(cacheDir, `versitygw-${PINNED_VERSITYGW_VERSION}`), (target) => goBuild(target, toolsModule("versitygw"), "github.com/versity/versitygw/cmd/versitygw", "-s -w"));
}

/** versitygw, then actionlint (the test setup's one step for both: two Go builds never run beside a third). */
export async function platformToolBinaries(): Promise<void> {
  await versitygwBinary();
  await actionlintBinary();
}

export interface S3StoreOptions {
  /**
   * Where the gateway listens, and the wrapper that runs it there (e.g. the real-node lab's switch
   * namespace, test/cluster/ssh-hosts.ts command(), so the lab's nodes reach it on the gateway's
   * address). Default: a free loopback port on this machine.
   */
  listen?: { address: string; port: number; wrap: (argv: string[]) => string[] };
}

export interface S3Store {
  /** host:port of the gateway (on loopback unless told). */
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** The directory the buckets are folders of. */
  root: string;
  /** A bucket, made as a folder of the root (versitygw's posix backend serves every folder as a bucket). */
  createBucket(name: string): Promise<void>;
  /** The `pulumi login` URL of a bucket on this store (path-style, plain HTTP on loopback). */
  backendUrl(bucket: string): string;
  /** AWS_* variables the CLI's S3 client reads. */
  env(): NodeJS.ProcessEnv;
  stop(): Promise<void>;
}

function accepts(port: number, listen?: S3StoreOptions["listen"]): Promise<boolean> {
  if (listen) {
    // --norc: bash whose stdin is a socket (node's pipes are socketpairs) reads ~/.bashrc as if
    // started by rshd, and a machine's .bashrc may run anything (pyenv's rehash waited 60 s on a lock).
    const [command, ...args] = listen.wrap(["bash", "--norc", "--noprofile", "-c", `exec 3<>/dev/tcp/${listen.address}/${listen.port}`]);
    return runProcess(command!, args, { allowFail: true, timeoutMs: 5000 }).then(
      (r) => r.status === 0,
      () => false,
    );
  }
  return new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port }, () => {
      socket.end();
      resolve(true);
    });
    socket.on("error", () => resolve(false));
  });
}

async function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  if (!(await Promise.race([exited.then(() => true), sleep(10_000).then(() => false)]))) {
    child.kill("SIGKILL");
    await exited;
  }
}

/** Starts versitygw over a new temporary directory and waits until it accepts connections. */
export async function startS3Store(options: S3StoreOptions = {}): Promise<S3Store> {
  const binary = await versitygwBinary();
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "s3-store-"));
  const root = path.join(dir, "root");
  await fs.mkdir(root);
  const listen = options.listen;
  const address = listen?.address ?? "127.0.0.1";
  const port = listen?.port ?? (await freePort());
  const accessKeyId = `TEST${randomBytes(8).toString("hex").toUpperCase()}`;
  const secretAccessKey = randomBytes(24).toString("base64url");
  const log = path.join(dir, "versitygw.log");
  const out = createWriteStream(log);
  // The root credentials go through the environment, never the command line (ps would show them).
  const [command, ...args] = (listen?.wrap ?? ((argv: string[]) => argv))([binary, "--port", `${address}:${port}`, "--quiet", "posix", root]);
  const child = spawn(command!, args, {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ROOT_ACCESS_KEY_ID: accessKeyId, ROOT_SECRET_ACCESS_KEY: secretAccessKey },
  });
  child.stdout!.pipe(out);
  child.stderr!.pipe(out);
  child.on("error", () => {});
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);
  const stop = async () => {
    process.removeListener("exit", killOnExit);
    await terminate(child);
    await fs.rm(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 30_000;
  while (!(await accepts(port, listen))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      const text = await fs.readFile(log, "utf8").catch(() => "(no log)");
      await stop();
      throw new Error(`versitygw did not start on ${address}:${port}:\n${text.slice(-3000)}`);
    }
    await sleep(200);
  }
  const endpoint = `${address}:${port}`;
  return {
    endpoint,
    accessKeyId,
    secretAccessKey,
    root,
    createBucket: (name) => fs.mkdir(path.join(root, name)).then(() => undefined),
    backendUrl: (bucket) => s3BackendUrl(bucket, endpoint),
    env: () => ({ AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey, AWS_REGION: "us-east-1" }),
    stop,
  };
}

/**
 * The `pulumi login` URL of a bucket on a self-hosted store (docs/state-backend.md). The CLI's
 * gocloud.dev s3blob (v0.46, AWS SDK v2) reads `endpoint` as a URL with its scheme (http:// here,
 * https:// at a site), `region`, and `use_path_style` (the bucket is a path, not a host name).
 * The SDK v1 spelling (scheme-less endpoint, `s3ForcePathStyle`, `disableSSL`) is translated by
 * the pinned CLI and works too (test/engine/s3-state-backend.test.ts logs in with both).
 */
export function s3BackendUrl(bucket: string, endpoint: string, scheme: "http" | "https" = "http"): string {
  return `s3://${bucket}?endpoint=${scheme}://${endpoint}&region=us-east-1&use_path_style=true`;
}
