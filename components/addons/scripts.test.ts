/** The add-on layer's shell scripts are shellcheck-clean and take their parameters from the environment. */
import * as fs from "node:fs";
import { describe, expect, it } from "vitest";
import { commandExists } from "../../test/sandbox/node-sandbox";
import { runProcess } from "../../test/tools/process";
import { SCRIPTS, scriptCommandLine } from "./index";

const hasShellcheck = commandExists("shellcheck");

describe("add-on scripts", () => {
  it.skipIf(!hasShellcheck && process.env.CI !== "true").each(Object.entries(SCRIPTS))("%s is shellcheck-clean", async (_name, file) => {
    const run = await runProcess("shellcheck", ["-s", "bash", file], { allowFail: true });
    expect(run.status, `${run.stdout}${run.stderr}`).toBe(0);
  });

  it("quotes parameters with shell-quote and runs the script from stdin as root", () => {
    expect(scriptCommandLine({ NFS_EXPORT_PATH: "/srv/a b", X: "it's" })).toBe("export NFS_EXPORT_PATH='/srv/a b'; export X=\"it's\"; sudo -n -E bash -s");
  });

  it("the NFS server refuses a bad export path and bad clients before touching anything", async () => {
    const script = fs.readFileSync(SCRIPTS.nfsServer, "utf8");
    for (const [env, message] of [
      [{ NFS_EXPORT_PATH: "relative", NFS_EXPORT_CLIENTS: "10.0.0.0/24" }, /absolute path/],
      [{ NFS_EXPORT_PATH: "/srv/x", NFS_EXPORT_CLIENTS: "*" }, /must be a CIDR/],
    ] as const) {
      const run = await runProcess("bash", ["-s"], { input: script, env: { PATH: process.env.PATH, ...env }, allowFail: true });
      expect(run.status).toBe(1);
      expect(run.stderr).toMatch(message);
    }
  });

  it("the NFS server guard names the override and the exports stay on the node subnet", () => {
    const script = fs.readFileSync(SCRIPTS.nfsServer, "utf8");
    expect(script).toContain('if [ "$NFS_ALLOW_SYSTEM_DISK" != "true" ]');
    expect(script).toContain("allowSystemDisk");
    expect(script).toMatch(/"\$NFS_EXPORT_PATH" "\$NFS_EXPORT_CLIENTS"/);
  });
});
