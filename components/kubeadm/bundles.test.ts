// The control plane's bundles: shellcheck-clean, and parseable as shipped with parameters on top.
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "vitest";
import { expectBashParses, expectShellcheckClean } from "../../test/tools/shell-checks";
import { ADOPTION_BUNDLES, KUBEADM_BUNDLES, KUBEADM_SCRIPTS_DIR, adoptionBundle, stepStdin, type AdoptionScript, type KubeadmScript } from "./bundles";
import { scriptStdin } from "../remote/bundle";

const scripts = fs.readdirSync(KUBEADM_SCRIPTS_DIR).filter((f) => f.endsWith(".sh"));

describe("control-plane scripts", () => {
  it.each(scripts)("%s passes shellcheck", (file) => expectShellcheckClean(path.join(KUBEADM_SCRIPTS_DIR, file)));

  it.each(Object.keys(KUBEADM_BUNDLES) as KubeadmScript[])("the %s bundle parses as bash with its parameters on top", async (script) => {
    const stdin = stepStdin(script, { NODE_NAME: "cp-1", KUBEADM_TOKEN: "abcdef.0123456789abcdef", PKI_CA_KEY: "-----BEGIN RSA PRIVATE KEY-----\nx'y\"z $HOME `id`\n-----END RSA PRIVATE KEY-----\n" });
    await expectBashParses(stdin);
  });

  it.each(Object.keys(ADOPTION_BUNDLES) as AdoptionScript[])("the %s bundle parses as bash with its parameters on top", async (script) => {
    await expectBashParses(scriptStdin(adoptionBundle(script).text, { NODE_NAME: "cp-1", ADOPTION_KUBEADM_CONFIG: "kind: InitConfiguration\n---\nkind: ClusterConfiguration\n" }));
  });
});
