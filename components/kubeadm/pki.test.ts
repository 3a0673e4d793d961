import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runProcess } from "../../test/tools/process";
import {
  discoveryTokenCaCertHash,
  discoveryTokenCaCertHashFromPublicKey,
  formatBootstrapToken,
  isBootstrapToken,
  parseBootstrapToken,
} from "./pki";

/** kubeadm's documented recipe for the discovery hash, run with the real openssl. */
async function opensslDiscoveryHash(caFile: string): Promise<string> {
  const pubkey = (await runProcess("openssl", ["x509", "-pubkey", "-noout", "-in", caFile])).stdoutBytes;
  const der = (await runProcess("openssl", ["pkey", "-pubin", "-outform", "der"], { input: pubkey })).stdoutBytes;
  const digest = (await runProcess("openssl", ["dgst", "-sha256", "-r"], { input: der })).stdout;
  return `sha256:${digest.split(" ")[0]!.trim()}`;
}

async function generateCa(dir: string, name: string, keyArgs: string[]): Promise<string> {
  const keyFile = path.join(dir, `${name}.key`);
  const certFile = path.join(dir, `${name}.crt`);
  await runProcess("openssl", [
    "req", "-x509", "-nodes", "-newkey", ...keyArgs, "-keyout", keyFile, "-out", certFile,
    "-days", "1", "-subj", `/CN=${name}`,
  ]);
  return certFile;
}

describe("discoveryTokenCaCertHash", () => {
  let dir: string;
  let rsaCa: string;
  let ecCa: string;
  let otherCa: string;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "pki-test-"));
    rsaCa = await generateCa(dir, "kubernetes", ["rsa:2048"]);
    ecCa = await generateCa(dir, "kubernetes-ec", ["ec", "-pkeyopt", "ec_paramgen_curve:P-256"]);
    otherCa = await generateCa(dir, "other", ["rsa:2048"]);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("equals openssl's SubjectPublicKeyInfo digest for an RSA CA", async () => {
    const hash = discoveryTokenCaCertHash(readFileSync(rsaCa, "utf8"));
    expect(hash).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(hash).toBe(await opensslDiscoveryHash(rsaCa));
  });

  it("equals openssl's digest for an ECDSA CA", async () => {
    expect(discoveryTokenCaCertHash(readFileSync(ecCa, "utf8"))).toBe(await opensslDiscoveryHash(ecCa));
  });

  it("differs for another CA (the comparison can fail)", async () => {
    expect(discoveryTokenCaCertHash(readFileSync(rsaCa, "utf8"))).not.toBe(await opensslDiscoveryHash(otherCa));
  });

  it("is not the hash of the whole certificate", async () => {
    const certDer = (await runProcess("openssl", ["x509", "-in", rsaCa, "-outform", "der"])).stdoutBytes;
    const wholeCert = (await runProcess("openssl", ["dgst", "-sha256", "-r"], { input: certDer })).stdout.split(" ")[0];
    expect(discoveryTokenCaCertHash(readFileSync(rsaCa, "utf8"))).not.toBe(`sha256:${wholeCert}`);
  });

  it("rejects text that is not a certificate", () => {
    expect(() => discoveryTokenCaCertHash("not a pem")).toThrow();
  });

  // What the program does: hash tls.PrivateKey.publicKeyPem, before any certificate is parsed.
  it("equals the certificate's hash when computed from the CA key's public half (PKIX and PKCS#1)", async () => {
    const keyFile = rsaCa.replace(/\.crt$/, ".key");
    const spki = (await runProcess("openssl", ["pkey", "-in", keyFile, "-pubout"])).stdout;
    const pkcs1 = (await runProcess("openssl", ["rsa", "-in", keyFile, "-RSAPublicKey_out"])).stdout;
    expect(discoveryTokenCaCertHashFromPublicKey(spki)).toBe(await opensslDiscoveryHash(rsaCa));
    expect(discoveryTokenCaCertHashFromPublicKey(pkcs1)).toBe(await opensslDiscoveryHash(rsaCa));
    const ecSpki = (await runProcess("openssl", ["pkey", "-in", ecCa.replace(/\.crt$/, ".key"), "-pubout"])).stdout;
    expect(discoveryTokenCaCertHashFromPublicKey(ecSpki)).toBe(await opensslDiscoveryHash(ecCa));
    expect(discoveryTokenCaCertHashFromPublicKey(spki)).not.toBe(await opensslDiscoveryHash(otherCa));
  });
});

describe("bootstrap tokens", () => {
  it("accepts kubeadm's format and splits id and secret", () => {
    expect(isBootstrapToken("abcdef.0123456789abcdef")).toBe(true);
    expect(parseBootstrapToken("abcdef.0123456789abcdef")).toEqual({ id: "abcdef", secret: "0123456789abcdef" });
  });

  it.each([
    ["uppercase", "ABCDEF.0123456789abcdef"],
    ["short id", "abcde.0123456789abcdef"],
    ["long secret", "abcdef.0123456789abcdef0"],
    ["no dot", "abcdef0123456789abcdef"],
    ["dash", "abcdef-0123456789abcdef"],
    ["surrounding whitespace", " abcdef.0123456789abcdef\n"],
  ])("rejects %s", (_label, token) => {
    expect(isBootstrapToken(token)).toBe(false);
    expect(() => parseBootstrapToken(token)).toThrow(/\[a-z0-9\]\{6\}/);
  });

  it("does not echo the secret in errors", () => {
    let message = "";
    try {
      parseBootstrapToken("abcdef.SECRETSECRETSECRE");
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/bootstrap token/);
    expect(message).not.toContain("SECRET");
  });

  it("formats validated parts", () => {
    expect(formatBootstrapToken({ id: "a1b2c3", secret: "d4e5f6g7h8i9j0k1" })).toBe("a1b2c3.d4e5f6g7h8i9j0k1");
    expect(() => formatBootstrapToken({ id: "a1b2c3", secret: "short" })).toThrow();
  });
});
