// The control plane's bundles: shellcheck-clean, and parseable as shipped with parameters on top.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { KUBEADM_BUNDLES, KUBEADM_SCRIPTS_DIR, stepStdin, type KubeadmScript } from "./bundles";

const scripts = fs.readdirSync(KUBEADM_SCRIPTS_DIR).filter((f) => f.endsWith(".sh"));

describe("control-plane scripts", () => {
  it.each(scripts)("%s passes shellcheck", (file) => {
    const r = spawnSync("shellcheck", ["-x", "--source-path=SCRIPTDIR", path.join(KUBEADM_SCRIPTS_DIR, file)], { encoding: "utf8" });
    expect(r.error, "shellcheck is not installed").toBeUndefined();
    expect(r.status, r.stdout).toBe(0);
  });

  it.each(Object.keys(KUBEADM_BUNDLES) as KubeadmScript[])("the %s bundle parses as bash with its parameters on top", (script) => {
    const stdin = stepStdin(script, { NODE_NAME: "cp-1", KUBEADM_TOKEN: "abcdef.0123456789abcdef", PKI_CA_KEY: "-----BEGIN RSA PRIVATE KEY-----\nx'y\"z $HOME `id`\n-----END RSA PRIVATE KEY-----\n" });
    const r = spawnSync("bash", ["-n"], { input: stdin, encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
  });
});
