// A process of its own, run in the lab's switch namespace (availability.ts starts it): every
// INTERVAL_MS it asks each target once and writes one JSON line per answer or failure to stdout,
// `{"target","t","ok","detail"}`. A target is `name=url[,url...]`: it is up at that instant when
// any of its URLs answers 200 within the timeout (an https URL is asked without verifying the
// certificate: the probe checks that the API answers, not who signed it).
import * as http from "node:http";
import * as https from "node:https";

const INTERVAL_MS = Number(process.env.PROBE_INTERVAL_MS ?? 500);
const TIMEOUT_MS = 2000;

function ask(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const client = url.startsWith("https:") ? https : http;
    const request = client.get(url, { timeout: TIMEOUT_MS, rejectUnauthorized: false, agent: false }, (response) => {
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => (body += chunk));
      response.on("end", () => (response.statusCode === 200 ? resolve(body.trim().slice(0, 80)) : reject(new Error(`HTTP ${response.statusCode}: ${body.trim().slice(0, 80)}`))));
    });
    request.on("timeout", () => request.destroy(new Error(`no answer within ${TIMEOUT_MS} ms`)));
    request.on("error", reject);
  });
}

const targets = process.argv.slice(2).map((arg) => {
  const [name, urls] = arg.split("=", 2) as [string, string];
  return { name, urls: urls.split(",") };
});

function tick(): void {
  const t = Date.now();
  for (const target of targets) {
    Promise.any(target.urls.map(ask)).then(
      (detail) => process.stdout.write(`${JSON.stringify({ target: target.name, t, ok: true, detail })}\n`),
      (err: AggregateError) => process.stdout.write(`${JSON.stringify({ target: target.name, t, ok: false, detail: err.errors.map((e: Error) => e.message).join("; ") })}\n`),
    );
  }
}

process.stdout.write(`${JSON.stringify({ started: Date.now(), targets })}\n`);
tick();
setInterval(tick, INTERVAL_MS);
