// The endpoint's bundles: shellcheck-clean, and parseable as shipped with parameters on top.
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "vitest";
import { expectBashParses, expectShellcheckClean } from "../../test/tools/shell-checks";
import { ENDPOINT_BUNDLES, ENDPOINT_SCRIPTS_DIR, stepStdin, type EndpointScript } from "./bundles";

const scripts = fs.readdirSync(ENDPOINT_SCRIPTS_DIR).filter((f) => f.endsWith(".sh"));

describe("endpoint scripts", () => {
  it.each(scripts)("%s passes shellcheck", (file) => expectShellcheckClean(path.join(ENDPOINT_SCRIPTS_DIR, file)));

  it.each(Object.keys(ENDPOINT_BUNDLES) as EndpointScript[])("the %s bundle parses as bash with its parameters on top", async (script) => {
    const stdin = stepStdin(script, { NODE_NAME: "cp-1", KEEPALIVED_AUTH_PASS: "k8sVip01", KUBE_VIP_MANIFEST: "apiVersion: v1\nkind: Pod\n# it's $HOME `id`\n" });
    await expectBashParses(stdin);
  });
});
