// The program's own control-plane steps, taken from a planned stack (test/harness.ts) and run on lab
// nodes as the remote.Command would run them: its command line, and its stdin (exported parameters,
// then the script bundle). What the lab must change is appended after the parameters as visible
// `export` overrides, never edited inside the bundle:
// - the CA certificates: the plan's mocks give real CA keys (so the join configs' caCertHashes are
//   real) but stand-in certificate PEMs; the lab signs real ones from the same keys and subjects,
//   as the tls provider would (so every rendered caCertHash still matches);
// - the packages step's repository: the lab's own, of the locally built binaries.
// (The lab's containerd unit edits two lines of the config the containerd step writes: see
// node-root/etc/onprem-lab/units/containerd.)
import { promises as fs } from "node:fs";
import * as path from "node:path";
import { quote } from "shell-quote";
import { resourceNamed, resourcesOfType, type PlanResult } from "../harness";
import { runProcess } from "../tools/process";

const COMMAND = "command:remote:Command";
const BUNDLE_START = "\n#!/usr/bin/env bash";

export interface PlannedStep {
  name: string;
  /** The address the step connects to. */
  host: string;
  create: string;
  delete?: string;
  stdin: string;
}

export function plannedStep(plan: PlanResult, name: string): PlannedStep {
  const resource = resourceNamed(plan, COMMAND, name);
  const inputs = resource.inputs as { connection?: { host?: string }; create?: unknown; delete?: unknown; stdin?: unknown };
  if (typeof inputs.create !== "string") throw new Error(`${name} has no create command`);
  return {
    name,
    host: String(inputs.connection?.host),
    create: inputs.create,
    delete: typeof inputs.delete === "string" ? inputs.delete : undefined,
    stdin: String(inputs.stdin ?? ""),
  };
}

function splitStdin(stdin: string): [string, string] {
  const at = stdin.indexOf(BUNDLE_START);
  if (at < 0) throw new Error("stdin has no script bundle after its parameters");
  return [stdin.slice(0, at), stdin.slice(at)];
}

/** Values of exported parameters, as bash reads them (the parameters are shell-quoted). */
export async function stepParameters(stdin: string, names: string[]): Promise<Record<string, string>> {
  const [parameters] = splitStdin(stdin);
  const print = names.map((n) => `"$${n}"`).join(" ");
  const r = await runProcess("bash", ["-s"], { input: `${parameters}\nprintf '%s\\0' ${print}\n` });
  const values = r.stdout.split("\0");
  return Object.fromEntries(names.map((n, i) => [n, values[i] ?? ""]));
}

/** The step's stdin with `overrides` exported after its own parameters (later exports win). */
export function withOverrides(stdin: string, overrides: Record<string, string>): string {
  const [parameters, bundle] = splitStdin(stdin);
  const lines = Object.entries(overrides).map(([name, value]) => `export ${name}=${quote([value])}; `);
  return `${parameters}\n# lab overrides (test/cluster/planned-steps.ts)\n${lines.join("\n")}${bundle}`;
}

/** A real self-signed CA certificate for each of the plan's CA keys, keyed by the key PEM. */
async function realCaCertificates(plan: PlanResult, workDir: string): Promise<Map<string, string>> {
  const certificates = new Map<string, string>();
  for (const ca of resourcesOfType(plan, "tls:index/selfSignedCert:SelfSignedCert")) {
    const inputs = ca.inputs as { privateKeyPem: string; subject: { commonName: string }; validityPeriodHours: number; isCaCertificate?: boolean };
    if (!inputs.isCaCertificate) continue;
    const keyFile = path.join(workDir, `${ca.name}.key`);
    await fs.writeFile(keyFile, inputs.privateKeyPem, { mode: 0o600 });
    const days = String(Math.ceil(inputs.validityPeriodHours / 24));
    const r = await runProcess("openssl", [
      "req", "-x509", "-new", "-key", keyFile, "-subj", `/CN=${inputs.subject.commonName}`, "-days", days,
      "-addext", "basicConstraints=critical,CA:TRUE",
      "-addext", "keyUsage=critical,digitalSignature,keyEncipherment,keyCertSign,cRLSign",
    ]);
    await fs.rm(keyFile);
    certificates.set(inputs.privateKeyPem.trim(), r.stdout);
  }
  return certificates;
}

/** PKI_*_CRT overrides for a pki step: real certificates of the CA keys the step places. */
export async function caCertificateOverrides(plan: PlanResult, pkiStdin: string, workDir: string): Promise<Record<string, string>> {
  const pairs = [["PKI_CA_CRT", "PKI_CA_KEY"], ["PKI_ETCD_CA_CRT", "PKI_ETCD_CA_KEY"], ["PKI_FRONT_PROXY_CA_CRT", "PKI_FRONT_PROXY_CA_KEY"]] as const;
  const keys = await stepParameters(pkiStdin, pairs.map(([, key]) => key));
  const certificates = await realCaCertificates(plan, workDir);
  const overrides: Record<string, string> = {};
  for (const [cert, key] of pairs) {
    const real = certificates.get(keys[key]!.trim());
    if (!real) throw new Error(`no CA in the plan has the key of ${key}`);
    overrides[cert] = real;
  }
  return overrides;
}
