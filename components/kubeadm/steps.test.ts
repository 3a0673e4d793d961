// The step bundles: shellcheck-clean, parseable as shipped, parameters quoted, delete line.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { ENDPOINT_SCRIPTS_DIR, KUBEADM_SCRIPTS_DIR, STEP_BUNDLES, deleteCommandLine, renderStepParameters, stepStdin, type StepScript } from "./steps";

const scripts = [
  ...fs.readdirSync(KUBEADM_SCRIPTS_DIR).map((f) => path.join(KUBEADM_SCRIPTS_DIR, f)),
  ...fs.readdirSync(ENDPOINT_SCRIPTS_DIR).map((f) => path.join(ENDPOINT_SCRIPTS_DIR, f)),
].filter((f) => f.endsWith(".sh"));

describe("control-plane scripts", () => {
  it.each(scripts.map((f) => path.relative(path.join(__dirname, ".."), f)))("%s passes shellcheck", (relative) => {
    const r = spawnSync("shellcheck", ["-x", "--source-path=SCRIPTDIR", path.join(__dirname, "..", relative)], { encoding: "utf8" });
    expect(r.error, "shellcheck is not installed").toBeUndefined();
    expect(r.status, r.stdout).toBe(0);
  });

  it.each(Object.keys(STEP_BUNDLES) as StepScript[])("the %s bundle parses as bash with its parameters on top", (script) => {
    const stdin = stepStdin(script, { NODE_NAME: "cp-1", KUBEADM_TOKEN: "abcdef.0123456789abcdef", PKI_CA_KEY: "-----BEGIN RSA PRIVATE KEY-----\nx'y\"z $HOME `id`\n-----END RSA PRIVATE KEY-----\n" });
    const r = spawnSync("bash", ["-n"], { input: stdin, encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
  });

  it("passes parameters byte for byte (quotes, $, backticks, newlines)", () => {
    const value = "line 1\nit's \"quoted\" $HOME `id` \\ end";
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "steps-"));
    const stdin = `${stepStdin("kube-vip", { PROBE: value }).split("\n#!/usr/bin/env bash")[0]}\nprintf %s "$PROBE" > ${dir}/out\n`;
    expect(spawnSync("bash", ["-s"], { input: stdin }).status).toBe(0);
    expect(fs.readFileSync(path.join(dir, "out"), "utf8")).toBe(value);
    fs.rmSync(dir, { recursive: true });
  });

  it("starts the delete through env, which survives sudo's environment reset", () => {
    expect(deleteCommandLine("sudo -n bash -s", { KUBEADM_ACTION: "delete", DRAIN_POLICY: "strict" })).toBe("sudo -n env KUBEADM_ACTION=delete DRAIN_POLICY=strict bash -s");
    expect(deleteCommandLine("bash -s", { KUBEADM_ACTION: "delete" })).toBe("env KUBEADM_ACTION=delete bash -s");
    expect(() => deleteCommandLine("bash -s", { "BAD NAME": "x" })).toThrow(/invalid environment variable name/);
  });

  it("shows parameters in the plan with secrets masked", () => {
    const text = renderStepParameters("join on w-1", { NODE_NAME: "w-1" }, ["KUBEADM_TOKEN", "ADMIN_KUBECONFIG"], { KUBEADM_ACTION: "delete" });
    expect(text).toContain("export NODE_NAME=w-1");
    expect(text).toContain("export KUBEADM_TOKEN=[secret]");
    expect(text).toContain("export ADMIN_KUBECONFIG=[secret]");
    expect(text).toContain("export KUBEADM_ACTION=delete");
  });
});
