import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:https";
import { createConnection, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runProcess } from "../../test/tools/process";
import { type HaproxyConfigParams, renderHaproxyConfig } from "./haproxy";

const backends = [
  { name: "cp-1", address: "10.10.0.11" },
  { name: "cp-2", address: "10.10.0.12" },
  { name: "cp-3", address: "10.10.0.13" },
];

let dir: string;
let caFile: string;
let keyFile: string;
beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "haproxy-test-"));
  caFile = path.join(dir, "ca.crt");
  keyFile = path.join(dir, "ca.key");
  await runProcess("openssl", [
    "req", "-x509", "-nodes", "-newkey", "rsa:2048", "-keyout", keyFile, "-out", caFile, "-days", "1",
    "-subj", "/CN=kube-apiserver", "-addext", "subjectAltName=IP:127.0.0.1",
  ]);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let fileCounter = 0;
async function haproxyCheck(config: string): Promise<{ ok: boolean; output: string }> {
  const file = path.join(dir, `haproxy-${fileCounter++}.cfg`);
  writeFileSync(file, config);
  const result = await runProcess("haproxy", ["-c", "-f", file], { allowFail: true });
  return { ok: result.status === 0, output: `${result.stdout}${result.stderr}` };
}

describe("renderHaproxyConfig", () => {
  it("listens on 8443 in TCP mode and balances over every apiserver on 6443", () => {
    const config = renderHaproxyConfig({ backends });
    expect(config).toMatch(/frontend kube-apiserver\n {4}bind \*:8443\n {4}mode tcp/);
    for (const b of backends) expect(config).toContain(`server ${b.name} ${b.address}:6443`);
  });

  it("health-checks each apiserver with HTTPS GET /readyz", () => {
    const config = renderHaproxyConfig({ backends });
    expect(config).toContain("option httpchk");
    expect(config).toMatch(/http-check send meth GET uri \/readyz/);
    expect(config).toContain("http-check expect status 200");
    expect(config).toMatch(/default-server check check-ssl verify none /);
  });

  it("verifies apiserver certificates in checks when given the cluster CA", () => {
    expect(renderHaproxyConfig({ backends, healthCheckCaFile: "/etc/kubernetes/pki/ca.crt" })).toContain(
      "check-ssl verify required ca-file /etc/kubernetes/pki/ca.crt",
    );
  });

  it("never renders stats credentials; the optional stats page binds to loopback", () => {
    const config = renderHaproxyConfig({ backends, statsPort: 9000 });
    expect(config).not.toMatch(/stats auth|userlist|password/);
    expect(config).toContain("bind 127.0.0.1:9000");
    expect(config).toContain("stats socket /run/haproxy/admin.sock mode 600 level admin");
  });

  it("refuses a frontend port that collides with the apiserver on the same host", () => {
    expect(() => renderHaproxyConfig({ backends, frontendPort: 6443 })).toThrow(/collides/);
  });

  it("rejects bad input", () => {
    expect(() => renderHaproxyConfig({ backends: [] })).toThrow(/at least one/);
    expect(() => renderHaproxyConfig({ backends: [backends[0]!, backends[0]!] })).toThrow(/unique/);
    expect(() => renderHaproxyConfig({ backends: [{ name: "cp 1", address: "10.0.0.1" }] })).toThrow(/name/);
    expect(() => renderHaproxyConfig({ backends: [{ name: "cp-1", address: "cp1.example" }] })).toThrow(/IP address/);
  });

  it("brackets IPv6 backends", () => {
    expect(renderHaproxyConfig({ backends: [{ name: "cp-1", address: "fd00:0::11" }] })).toContain("server cp-1 [fd00::11]:6443");
  });
});

describe("haproxy -c", () => {
  const variants: Array<[string, HaproxyConfigParams]> = [
    ["three control planes", { backends }],
    ["one control plane, custom port and timings", { backends: [backends[0]!], frontendPort: 16443, healthCheck: { intervalMs: 1000, fall: 2, rise: 1 } }],
    ["IPv6 backends and dual-stack bind, stats page", { backends: [{ name: "cp-1", address: "fd00::11" }, { name: "cp-2", address: "fd00::12" }], bindAddress: "::", statsPort: 9000 }],
    ["bound to one address", { backends, bindAddress: "10.10.0.100" }],
  ];

  it.each(variants)("accepts %s", async (_name, params) => {
    const result = await haproxyCheck(renderHaproxyConfig(params));
    expect(result.output).not.toMatch(/\[(WARNING|ALERT)\]/);
    expect(result.ok, result.output).toBe(true);
  });

  it("accepts CA-verified health checks", async () => {
    const result = await haproxyCheck(renderHaproxyConfig({ backends, healthCheckCaFile: caFile }));
    expect(result.ok, result.output).toBe(true);
  });

  // Negative cases: prove the check can fail on mistakes a renderer could make.
  it("rejects TLS checks without 'verify none' or a CA", async () => {
    const result = await haproxyCheck(renderHaproxyConfig({ backends }).replace(" verify none", ""));
    expect(result.ok).toBe(false);
    expect(result.output).toMatch(/verify is enabled by default but no CA file/);
  });

  it("rejects a CA file that does not exist", async () => {
    expect((await haproxyCheck(renderHaproxyConfig({ backends, healthCheckCaFile: path.join(dir, "missing.crt") }))).ok).toBe(false);
  });

  it("rejects a misspelt health-check directive", async () => {
    expect((await haproxyCheck(renderHaproxyConfig({ backends }).replace("http-check expect", "http-check expects"))).ok).toBe(false);
  });
});

// Runs the rendered config with the real haproxy against two fake apiservers: one whose
// /readyz answers 200 and one that accepts TLS but answers 500, like an apiserver whose
// etcd is down. Only the ready one must be UP.
describe("haproxy /readyz health checks at runtime", () => {
  let ready: Server;
  let notReady: Server;
  let haproxy: ChildProcess | undefined;
  let socket: string;

  function fakeApiserver(status: number): Promise<Server> {
    const server = createServer({ key: readFileSync(keyFile), cert: readFileSync(caFile) }, (req, res) => {
      res.writeHead(req.url === "/readyz" ? status : 404).end(status === 200 ? "ok" : "[-]etcd failed");
    });
    return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
  }
  const portOf = (server: Server) => (server.address() as AddressInfo).port;

  function showServersState(): Promise<string> {
    return new Promise((resolve, reject) => {
      let out = "";
      const conn = createConnection(socket, () => conn.end("show servers state kube-apiserver\n"));
      conn.on("data", (chunk) => (out += chunk.toString()));
      conn.on("end", () => resolve(out));
      conn.on("error", reject);
    });
  }

  beforeAll(async () => {
    ready = await fakeApiserver(200);
    notReady = await fakeApiserver(500);
    socket = path.join(dir, "admin.sock");
    const frontendPort = 20000 + Math.floor(Math.random() * 20000);
    const config = renderHaproxyConfig({
      backends: [
        { name: "ready", address: "127.0.0.1", port: portOf(ready) },
        { name: "not-ready", address: "127.0.0.1", port: portOf(notReady) },
      ],
      frontendPort,
      bindAddress: "127.0.0.1",
      healthCheck: { intervalMs: 200, fall: 1, rise: 1 },
      healthCheckCaFile: caFile,
      adminSocket: socket,
    })
      // The test runs haproxy unprivileged-style: no chroot, no user switch, no syslog.
      .replace(/^ {4}(chroot|user|group|daemon|log \/dev\/log).*\n/gm, "");
    const file = path.join(dir, "runtime.cfg");
    writeFileSync(file, config);
    haproxy = spawn("haproxy", ["-db", "-f", file], { stdio: "ignore" });
  });

  afterAll(async () => {
    haproxy?.kill("SIGTERM");
    await Promise.all([ready, notReady].map((s) => new Promise((r) => s?.close(r))));
  });

  it("marks the 500-answering apiserver DOWN and the ready one UP", async () => {
    // srv_op_state: 2 = running (UP), 0 = stopped (DOWN).
    let state = "";
    for (let attempt = 0; attempt < 50; attempt++) {
      await new Promise((r) => setTimeout(r, 200));
      state = await showServersState().catch(() => "");
      const lines = state.split("\n");
      const up = lines.find((l) => l.includes(" ready "));
      const down = lines.find((l) => l.includes(" not-ready "));
      if (up?.split(" ")[5] === "2" && down?.split(" ")[5] === "0") break;
    }
    const opState = (name: string) => state.split("\n").find((l) => l.includes(` ${name} `))?.split(" ")[5];
    expect(opState("ready"), state).toBe("2");
    expect(opState("not-ready"), state).toBe("0");
  });
});
