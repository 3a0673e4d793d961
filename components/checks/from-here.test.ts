// scripts/from-here.cjs as the local step runs it (`node -`, the script on stdin, its parameters in
// the environment) against real HTTP servers on this machine: the web probe's body answered
// through an address (and by Host for the ingress's route) passes; an address that answers
// something else, or nothing, fails naming the check and what came back.
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FROM_HERE_SCRIPT } from "./steps";

/** Asynchronously: the servers it asks live in this process. */
function run(env: Record<string, string>): Promise<{ status: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn("node", ["-"], { env: { ...process.env, RETRY_SECONDS: "0.2", ...env } });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.on("close", (status) => resolve({ status, output }));
    child.stdin.end(fs.readFileSync(FROM_HERE_SCRIPT, "utf8"));
  });
}

describe("the from-here check", () => {
  let server: http.Server;
  let port = 0;
  beforeAll(async () => {
    // Answers like the web probe only for the route's host on 127.0.0.2, and like a default backend otherwise.
    server = http.createServer((req, res) => {
      const probe = req.socket.localAddress === "127.0.0.1" || req.headers.host === "acceptance.onprem-k8s.invalid";
      res.writeHead(probe ? 200 : 404).end(probe ? "acceptance\n" : "404 page not found\n");
    });
    await new Promise<void>((resolve) => server.listen(0, "0.0.0.0", resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("passes when every address answers with the web probe's body", async () => {
    const targets = [
      { check: "load-balancer", address: "127.0.0.1", host: "" },
      { check: "ingress", address: "127.0.0.2", host: "acceptance.onprem-k8s.invalid" },
    ];
    const r = await run({ TARGETS: JSON.stringify(targets), HTTP_PORT: String(port), TIMEOUT_SECONDS: "2" });
    expect(r.status, r.output).toBe(0);
    expect(r.output).toContain(`PASS from-here: load-balancer http://127.0.0.1:${port}/, ingress http://127.0.0.2:${port}/ (Host: acceptance.onprem-k8s.invalid) answer HTTP from the machine running Pulumi`);
  });

  it("fails naming each check whose address answers something else or nothing", async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const deadPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const wrongHost = await run({ TARGETS: JSON.stringify([{ check: "ingress", address: "127.0.0.2", host: "other.invalid" }]), HTTP_PORT: String(port), TIMEOUT_SECONDS: "1" });
    expect(wrongHost.status).toBe(1);
    expect(wrongHost.output).toMatch(/FAIL from-here: not answering HTTP from the machine running Pulumi: ingress \(still after 1s, \d+ attempts\)/);
    expect(wrongHost.output).toContain("HTTP 404: 404 page not found");
    const nothing = await run({ TARGETS: JSON.stringify([{ check: "load-balancer", address: "127.0.0.1", host: "" }]), HTTP_PORT: String(deadPort), TIMEOUT_SECONDS: "1" });
    expect(nothing.status).toBe(1);
    expect(nothing.output).toContain("ECONNREFUSED");
  });
});
