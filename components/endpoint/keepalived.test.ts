import { chmodSync, copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runProcess } from "../../test/tools/process";
import { substituteSecretPlaceholders } from "../remote/placeholders";
import {
  KEEPALIVED_AUTH_PASS_ENV,
  KEEPALIVED_AUTH_PASS_PLACEHOLDER,
  type KeepalivedConfigParams,
  isKeepalivedAuthPass,
  keepalivedPriority,
  renderKeepalivedConfig,
} from "./keepalived";

const checkScript = path.join(__dirname, "scripts", "check-apiserver.sh");
const controlPlanes = [
  { name: "cp-1", address: "10.10.0.11" },
  { name: "cp-2", address: "10.10.0.12" },
  { name: "cp-3", address: "10.10.0.13" },
];

function params(self: string, overrides: Partial<KeepalivedConfigParams> = {}): KeepalivedConfigParams {
  return {
    controlPlanes,
    self,
    interface: "eth0",
    virtualRouterId: 51,
    vip: "10.10.0.100",
    vipPrefixLength: 24,
    ...overrides,
  };
}

describe("renderKeepalivedConfig", () => {
  it("uses unicast VRRP from the node's address to every other control plane", () => {
    const config = renderKeepalivedConfig(params("cp-2"));
    expect(config).toContain("unicast_src_ip 10.10.0.12");
    expect(config).toMatch(/unicast_peer \{\n {8}10\.10\.0\.11\n {8}10\.10\.0\.13\n {4}\}/);
  });

  it("gives the first control plane the highest priority and MASTER state", () => {
    const priorities = controlPlanes.map((cp) => Number(/priority (\d+)/.exec(renderKeepalivedConfig(params(cp.name)))![1]));
    expect(priorities).toEqual([150, 140, 130]);
    expect(renderKeepalivedConfig(params("cp-1"))).toContain("state MASTER");
    expect(renderKeepalivedConfig(params("cp-3"))).toContain("state BACKUP");
    expect(() => keepalivedPriority(15)).toThrow();
  });

  it("holds the VIP with its prefix on the interface and tracks the apiserver check", () => {
    const config = renderKeepalivedConfig(params("cp-1", { interface: "ens192", virtualRouterId: 77 }));
    expect(config).toContain("interface ens192");
    expect(config).toContain("virtual_router_id 77");
    expect(config).toContain("10.10.0.100/24 dev ens192");
    expect(config).toContain('script "/etc/keepalived/check-apiserver.sh 8443"');
    expect(config).toMatch(/track_script \{\n {8}check_apiserver\n/);
    expect(config).toMatch(/script_user keepalived_script\n {4}enable_script_security/);
  });

  it("renders the VRRP password only as a placeholder", () => {
    expect(renderKeepalivedConfig(params("cp-1"))).toContain(`auth_pass ${KEEPALIVED_AUTH_PASS_PLACEHOLDER}`);
    expect(isKeepalivedAuthPass("k8sVip01")).toBe(true);
    expect(isKeepalivedAuthPass("toolongpw")).toBe(false);
    expect(isKeepalivedAuthPass("a b")).toBe(false);
  });

  it("rejects inconsistent input", () => {
    expect(() => renderKeepalivedConfig(params("cp-9"))).toThrow(/not among/);
    expect(() => renderKeepalivedConfig(params("cp-1", { virtualRouterId: 256 }))).toThrow(/1\.\.255/);
    expect(() => renderKeepalivedConfig(params("cp-1", { vip: "10.10.0.11" }))).toThrow(/node address/);
    expect(() => renderKeepalivedConfig(params("cp-1", { vip: "fd00::1" }))).toThrow(/IPv4/);
    expect(() => renderKeepalivedConfig(params("cp-1", { vipPrefixLength: 33 }))).toThrow(/prefix/i);
    expect(() => renderKeepalivedConfig(params("cp-1", { checkScriptPath: "check.sh" }))).toThrow(/absolute/);
  });
});

describe("check-apiserver.sh", () => {
  it("passes shellcheck", async () => {
    const result = await runProcess("shellcheck", ["--shell=sh", "--severity=style", checkScript], { allowFail: true });
    expect(result.status, result.stdout + result.stderr).toBe(0);
  });

  it("shellcheck fails on a broken variant (the check can fail)", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "shellcheck-"));
    try {
      const broken = path.join(dir, "broken.sh");
      writeFileSync(broken, "#!/bin/sh\nport=$1\ncurl https://127.0.0.1:$port/readyz\n");
      expect((await runProcess("shellcheck", ["--shell=sh", broken], { allowFail: true })).status).not.toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("fails when nothing answers and rejects a non-numeric port", async () => {
    expect((await runProcess("sh", [checkScript, "1"], { allowFail: true })).status).not.toBe(0);
    expect((await runProcess("sh", [checkScript, "x"], { allowFail: true })).status).toBe(2);
  });
});

describe("keepalived -t", () => {
  let dir: string;
  let scriptPath: string;
  beforeAll(() => {
    // keepalived checks that the script exists and is not writable by non-root users.
    dir = mkdtempSync(path.join(tmpdir(), "keepalived-test-"));
    chmodSync(dir, 0o755);
    scriptPath = path.join(dir, "check-apiserver.sh");
    copyFileSync(checkScript, scriptPath);
    chmodSync(scriptPath, 0o755);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  let counter = 0;
  /**
   * keepalived 2.2.7 (Debian 12) ends a successful config test with SIGTERM (exit 143) when
   * a script_user is set (acassen/keepalived#2587, #2617, fixed in 2.2.8), so success is:
   * exit 0 or 143 AND no diagnostics. Every config error is reported as a message.
   */
  async function keepalivedTest(config: string): Promise<{ ok: boolean; output: string }> {
    const file = path.join(dir, `keepalived-${counter++}.conf`);
    writeFileSync(file, config);
    const result = await runProcess("keepalived", ["-t", "-f", file], { allowFail: true });
    const output = `${result.stdout}${result.stderr}`.replace(/^Terminated\s*$/m, "").trim();
    const exitedCleanly = result.status === 0 || result.status === 143 || result.signal === "SIGTERM";
    return { ok: exitedCleanly && output === "", output: `status=${result.status} signal=${result.signal}\n${output}` };
  }

  // In tests scripts run as "nobody", which exists everywhere; nodes use keepalived_script.
  const render = (self: string, overrides: Partial<KeepalivedConfigParams> = {}) =>
    substituteSecretPlaceholders(renderKeepalivedConfig(params(self, { checkScriptPath: scriptPath, scriptUser: "nobody", ...overrides })), {
      [KEEPALIVED_AUTH_PASS_ENV]: "k8sVip01",
    });

  it.each(controlPlanes.map((cp) => cp.name))("accepts the config of %s", async (self) => {
    const result = await keepalivedTest(render(self));
    expect(result.ok, result.output).toBe(true);
  });

  it("accepts a single control plane (no peers)", async () => {
    const result = await keepalivedTest(render("cp-1", { controlPlanes: [controlPlanes[0]!] }));
    expect(result.ok, result.output).toBe(true);
  });

  // Negative cases.
  it("reports an out-of-range virtual_router_id", async () => {
    const result = await keepalivedTest(render("cp-1").replace("virtual_router_id 51", "virtual_router_id 300"));
    expect(result.ok).toBe(false);
    expect(result.output).toMatch(/300/);
  });

  it("reports an invalid VIP", async () => {
    expect((await keepalivedTest(render("cp-1").replace("10.10.0.100/24", "10.10.0.300/24"))).ok).toBe(false);
  });

  it("reports an unknown keyword", async () => {
    expect((await keepalivedTest(render("cp-1").replace("advert_int", "advert_interval"))).ok).toBe(false);
  });

  it("reports an unsubstituted password placeholder", async () => {
    const unsubstituted = renderKeepalivedConfig(params("cp-1", { checkScriptPath: scriptPath, scriptUser: "nobody" }));
    const result = await keepalivedTest(unsubstituted);
    expect(result.ok).toBe(false);
    expect(result.output).toMatch(/KEEPALIVED_AUTH_PASS/);
  });

  it("reports a password longer than VRRP allows", async () => {
    expect((await keepalivedTest(render("cp-1").replace("auth_pass k8sVip01", "auth_pass k8sVip0123"))).ok).toBe(false);
  });
});
