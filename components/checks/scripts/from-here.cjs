// The `from-here` acceptance check: run by `pulumi up` with node on the machine running Pulumi
// (a local step, its text on stdin), after the load-balancer and ingress checks left their web
// probe up. Each target must answer HTTP with the probe's body from here, as users' clients will
// reach it; it retries until TIMEOUT_SECONDS, then prints `PASS from-here: ...` or
// `FAIL from-here: ...` with what each target answered. Reads only its environment:
//   TARGETS: JSON [{"check": "load-balancer", "address": "10.0.20.201", "host": "name or empty"}]
//   TIMEOUT_SECONDS, RETRY_SECONDS; HTTP_PORT (80 unless a test says otherwise)
"use strict";
const http = require("node:http");

const targets = JSON.parse(process.env.TARGETS || "[]");
const timeoutMs = Number(process.env.TIMEOUT_SECONDS || "300") * 1000;
const retryMs = Number(process.env.RETRY_SECONDS || "5") * 1000;
const port = Number(process.env.HTTP_PORT || "80");
const EXPECTED = "acceptance";

function get(target) {
  return new Promise((resolve) => {
    const headers = target.host ? { Host: target.host } : {};
    const request = http.get({ host: target.address, port, path: "/", headers, timeout: 5000 }, (response) => {
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (chunk) => (body += chunk));
      response.on("end", () => resolve(response.statusCode === 200 && body.trim() === EXPECTED ? { ok: true } : { ok: false, why: `HTTP ${response.statusCode}: ${body.trim().slice(0, 200)}` }));
    });
    request.on("timeout", () => request.destroy(new Error("no answer within 5 s")));
    request.on("error", (error) => resolve({ ok: false, why: error.message }));
  });
}

const describe = (t) => `${t.check} http://${t.address}${port === 80 ? "" : `:${port}`}/${t.host ? ` (Host: ${t.host})` : ""}`;

async function main() {
  const deadline = Date.now() + timeoutMs;
  let attempts = 0;
  for (;;) {
    attempts += 1;
    const answers = await Promise.all(targets.map(get));
    const failed = targets.map((t, i) => ({ t, a: answers[i] })).filter((x) => !x.a.ok);
    if (failed.length === 0) {
      console.log(`PASS from-here: ${targets.map(describe).join(", ")} answer${targets.length === 1 ? "s" : ""} HTTP from the machine running Pulumi`);
      return 0;
    }
    if (Date.now() >= deadline) {
      console.log(`FAIL from-here: not answering HTTP from the machine running Pulumi: ${failed.map((x) => x.t.check).join(", ")} (still after ${timeoutMs / 1000}s, ${attempts} attempts)`);
      for (const { t, a } of failed) console.log(`  ${describe(t)}: ${a.why}`);
      console.log("  (a firewall or route between this machine and the pool's segment, or an address the nodes' segment does not carry; checks.skip: [from-here] where this machine is meant not to reach it)");
      return 1;
    }
    await new Promise((r) => setTimeout(r, retryMs));
  }
}

main().then((code) => process.exit(code));
