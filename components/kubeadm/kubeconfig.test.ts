import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { runProcess } from "../../test/tools/process";
import { ADMIN_CLIENT_COMMON_NAME, ADMIN_CLIENT_ORGANIZATION, renderAdminKubeconfig } from "./kubeconfig";

// A real CA and a client certificate with the admin subject, made by openssl.
let dir: string;
let ca: string;
let cert: string;
let key: string;
beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "kubeconfig-test-"));
  const run = (args: string[]) => runProcess("openssl", args, { cwd: dir });
  await run(["req", "-x509", "-nodes", "-newkey", "rsa:2048", "-keyout", "ca.key", "-out", "ca.crt", "-days", "1", "-subj", "/CN=kubernetes"]);
  await run(["req", "-nodes", "-newkey", "rsa:2048", "-keyout", "admin.key", "-out", "admin.csr", "-subj", `/O=${ADMIN_CLIENT_ORGANIZATION}/CN=${ADMIN_CLIENT_COMMON_NAME}`]);
  writeFileSync(path.join(dir, "ext"), "extendedKeyUsage=clientAuth\n");
  await run(["x509", "-req", "-in", "admin.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-out", "admin.crt", "-days", "1", "-extfile", "ext"]);
  [ca, cert, key] = ["ca.crt", "admin.crt", "admin.key"].map((f) => readFileSync(path.join(dir, f), "utf8"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("renderAdminKubeconfig", () => {
  it("points at https://host:port with the CA and the client certificate as base64 data", () => {
    const config = parse(renderAdminKubeconfig({ clusterName: "lab", server: { host: "k8s-api.lab.example", port: 8443 }, caCertPem: ca, clientCertPem: cert, clientKeyPem: key }));
    expect(config.kind).toBe("Config");
    expect(config.clusters[0].cluster.server).toBe("https://k8s-api.lab.example:8443");
    expect(Buffer.from(config.clusters[0].cluster["certificate-authority-data"], "base64").toString()).toBe(ca);
    expect(Buffer.from(config.users[0].user["client-certificate-data"], "base64").toString()).toBe(cert);
    expect(Buffer.from(config.users[0].user["client-key-data"], "base64").toString()).toBe(key);
    expect(config["current-context"]).toBe(config.contexts[0].name);
  });

  it("is a kubeconfig kubectl reads, with the admin subject (O=kubeadm:cluster-admins)", async () => {
    const file = path.join(dir, "admin.conf");
    writeFileSync(file, renderAdminKubeconfig({ clusterName: "lab", server: { host: "10.0.20.99", port: 6443 }, caCertPem: ca, clientCertPem: cert, clientKeyPem: key }));
    const data = parse(readFileSync(file, "utf8"));
    const subject = (await runProcess("openssl", ["x509", "-noout", "-subject"], { input: Buffer.from(data.users[0].user["client-certificate-data"], "base64") })).stdout;
    expect(subject).toMatch(/O\s*=\s*kubeadm:cluster-admins, CN\s*=\s*onprem-k8s-admin/);
  });

  it("rejects text that is not PEM and a bad cluster name", () => {
    const base = { clusterName: "lab", server: { host: "10.0.0.1", port: 6443 }, caCertPem: ca, clientCertPem: cert, clientKeyPem: key };
    expect(() => renderAdminKubeconfig({ ...base, clientKeyPem: "secret" })).toThrow(/client key is not a PEM block/);
    expect(() => renderAdminKubeconfig({ ...base, clusterName: "Lab_1" })).toThrow(/DNS label/);
  });
});
