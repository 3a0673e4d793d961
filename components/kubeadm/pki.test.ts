import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  discoveryTokenCaCertHash,
  discoveryTokenCaCertHashFromPublicKey,
  formatBootstrapToken,
  isBootstrapToken,
  parseBootstrapToken,
} from "./pki";

/** kubeadm's documented recipe for the discovery hash, run with the real openssl. */
function opensslDiscoveryHash(caFile: string): string {
  const pubkey = execFileSync("openssl", ["x509", "-pubkey", "-noout", "-in", caFile]);
  const der = execFileSync("openssl", ["pkey", "-pubin", "-outform", "der"], { input: pubkey });
  const digest = execFileSync("openssl", ["dgst", "-sha256", "-r"], { input: der }).toString();
  return `sha256:${digest.split(" ")[0]!.trim()}`;
}

function generateCa(dir: string, name: string, keyArgs: string[]): string {
  const keyFile = path.join(dir, `${name}.key`);
  const certFile = path.join(dir, `${name}.crt`);
  execFileSync("openssl", [
    "req", "-x509", "-nodes", "-newkey", ...keyArgs, "-keyout", keyFile, "-out", certFile,
    "-days", "1", "-subj", `/CN=${name}`,
  ], { stdio: "pipe" });
  return certFile;
}

describe("discoveryTokenCaCertHash", () => {
  let dir: string;
  let rsaCa: string;
  let ecCa: string;
  let otherCa: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), "pki-test-"));
    rsaCa = generateCa(dir, "kubernetes", ["rsa:2048"]);
    ecCa = generateCa(dir, "kubernetes-ec", ["ec", "-pkeyopt", "ec_paramgen_curve:P-256"]);
    otherCa = generateCa(dir, "other", ["rsa:2048"]);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("equals openssl's SubjectPublicKeyInfo digest for an RSA CA", () => {
    const hash = discoveryTokenCaCertHash(readFileSync(rsaCa, "utf8"));
    expect(hash).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(hash).toBe(opensslDiscoveryHash(rsaCa));
  });

  it("equals openssl's digest for an ECDSA CA", () => {
    expect(discoveryTokenCaCertHash(readFileSync(ecCa, "utf8"))).toBe(opensslDiscoveryHash(ecCa));
  });

  it("differs for another CA (the comparison can fail)", () => {
    expect(discoveryTokenCaCertHash(readFileSync(rsaCa, "utf8"))).not.toBe(opensslDiscoveryHash(otherCa));
  });

  it("is not the hash of the whole certificate", () => {
    const certDer = execFileSync("openssl", ["x509", "-in", rsaCa, "-outform", "der"]);
    const wholeCert = execFileSync("openssl", ["dgst", "-sha256", "-r"], { input: certDer }).toString().split(" ")[0];
    expect(discoveryTokenCaCertHash(readFileSync(rsaCa, "utf8"))).not.toBe(`sha256:${wholeCert}`);
  });

  it("rejects text that is not a certificate", () => {
    expect(() => discoveryTokenCaCertHash("not a pem")).toThrow();
  });

  // What the program does: hash tls.PrivateKey.publicKeyPem, before any certificate is parsed.
  it("equals the certificate's hash when computed from the CA key's public half (PKIX and PKCS#1)", () => {
    const keyFile = rsaCa.replace(/\.crt$/, ".key");
    const spki = execFileSync("openssl", ["pkey", "-in", keyFile, "-pubout"]).toString();
    const pkcs1 = execFileSync("openssl", ["rsa", "-in", keyFile, "-RSAPublicKey_out"], { stdio: "pipe" }).toString();
    expect(discoveryTokenCaCertHashFromPublicKey(spki)).toBe(opensslDiscoveryHash(rsaCa));
    expect(discoveryTokenCaCertHashFromPublicKey(pkcs1)).toBe(opensslDiscoveryHash(rsaCa));
    const ecSpki = execFileSync("openssl", ["pkey", "-in", ecCa.replace(/\.crt$/, ".key"), "-pubout"]).toString();
    expect(discoveryTokenCaCertHashFromPublicKey(ecSpki)).toBe(opensslDiscoveryHash(ecCa));
    expect(discoveryTokenCaCertHashFromPublicKey(spki)).not.toBe(opensslDiscoveryHash(otherCa));
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
