// The endpoint's bundles: shellcheck-clean, and parseable as shipped with parameters on top.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { ENDPOINT_BUNDLES, ENDPOINT_SCRIPTS_DIR, stepStdin, type EndpointScript } from "./bundles";

const scripts = fs.readdirSync(ENDPOINT_SCRIPTS_DIR).filter((f) => f.endsWith(".sh"));

describe("endpoint scripts", () => {
  it.each(scripts)("%s passes shellcheck", (file) => {
    const r = spawnSync("shellcheck", ["-x", "--source-path=SCRIPTDIR", path.join(ENDPOINT_SCRIPTS_DIR, file)], { encoding: "utf8" });
    expect(r.error, "shellcheck is not installed").toBeUndefined();
    expect(r.status, r.stdout).toBe(0);
  });

  it.each(Object.keys(ENDPOINT_BUNDLES) as EndpointScript[])("the %s bundle parses as bash with its parameters on top", (script) => {
    const stdin = stepStdin(script, { NODE_NAME: "cp-1", KEEPALIVED_AUTH_PASS: "k8sVip01", KUBE_VIP_MANIFEST: "apiVersion: v1\nkind: Pod\n# it's $HOME `id`\n" });
    const r = spawnSync("bash", ["-n"], { input: stdin, encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
  });
});
