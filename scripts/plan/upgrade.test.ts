// The offline plan of an upgrade: told the version the cluster runs now (--from-version), the plan
// runs the program as an update of that cluster, and summary.md lists the rolling upgrade in order.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { readStackFile } from "../../stacks/stack-file";
import { runProcess } from "../../test/tools/process";
import { runPlan } from "./run";
import { writePlan } from "./write";

const root = path.resolve(__dirname, "../..");
const summaryOf = async (stack: string, fromVersion?: string) => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "plan-upgrade-"));
  try {
    const result = await runPlan(readStackFile(stack, root), { fromVersion });
    return fs.readFileSync(path.join(writePlan(result, out).directory, "summary.md"), "utf8");
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
};
const section = (summary: string) => /## Upgrade[\s\S]*?(?=\n## )/.exec(summary)?.[0] ?? "";
const numbered = (text: string) => text.split("\n").filter((l) => /^\d+\. /.test(l));

describe("the plan of an upgrade (--from-version)", () => {
  it("lists poc's upgrade 1.34.3 -> 1.34.4 in order: cp1 apply, cp2 and cp3 upgrade node, the workers in one batch of 2", async () => {
    const upgrade = section(await summaryOf("poc", "1.34.3"));
    expect(upgrade).toMatch(/^## Upgrade 1\.34\.3 → 1\.34\.4\n/);
    const steps = numbered(upgrade);
    expect(steps).toHaveLength(4);
    expect(steps[0]).toMatch(/^1\. nsx-poc-cp-1 \(`nsx-poc-cp-1-upgrade`\): kubeadm 1\.34\.4, `kubeadm upgrade plan v1\.34\.4`, `kubeadm upgrade apply v1\.34\.4 --yes`, kubelet and kubectl 1\.34\.4, kubelet restarted; waits until its apiserver answers \/readyz, the Node is Ready at v1\.34\.4 and every etcd member is healthy$/);
    expect(steps[1]).toMatch(/^2\. nsx-poc-cp-2 .*`kubeadm upgrade node`/);
    expect(steps[2]).toMatch(/^3\. nsx-poc-cp-3 .*`kubeadm upgrade node`/);
    expect(steps[3]).toMatch(/^4\. workers, batch 1 of 1 \(2 at a time\): nsx-poc-worker-1, nsx-poc-worker-2: cordon and drain from nsx-poc-cp-1 .*PodDisruptionBudgets respected.*uncordon once Ready at v1\.34\.4$/);
    expect(upgrade).toContain("move after the control planes (after step 3): vsphere-cpi.");
    expect(upgrade).not.toContain("package repository moves");
  });

  it("lists prod's minor upgrade 1.33.6 -> 1.34.4 one worker at a time, with the repository's move", async () => {
    const upgrade = section(await summaryOf("prod", "1.33.6"));
    expect(upgrade).toContain("The package repository moves from 1.33 to https://pkgs.k8s.io/core:/stable:/v1.34/deb/");
    expect(numbered(upgrade).map((l) => l.replace(/ \(.*$/, ""))).toEqual([
      "1. nsx-prod-cp-1",
      "2. nsx-prod-cp-2",
      "3. nsx-prod-cp-3",
      "4. workers, batch 1 of 3",
      "5. workers, batch 2 of 3",
      "6. workers, batch 3 of 3",
    ]);
  });

  it("shows no upgrade without --from-version or at the same version", async () => {
    expect(section(await summaryOf("poc"))).toBe("");
    expect(section(await summaryOf("poc", "1.34.4"))).toBe("");
  });

  it("refuses a downgrade from the command line with the description's problem format, exit 1, REFUSED.md instead of a plan", async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "plan-upgrade-"));
    const cli = (args: string[]) =>
      runProcess(process.execPath, [path.join(root, "scripts/run-compiled.js"), path.join(root, "scripts/plan.ts"), ...args], { cwd: root, allowFail: true });
    const run = await cli(["poc", "--out", out, "--from-version", "1.35.0"]);
    expect(run.status).toBe(1);
    expect(run.output).toMatch(/cluster\.kubernetes\.version\n +value: +1\.34\.4\n +problem: the cluster runs Kubernetes 1\.35\.0/);
    expect(run.output).not.toMatch(/\n +at /);
    // like a refused description: REFUSED.md alone, no plan
    expect(fs.readdirSync(path.join(out, "poc"))).toEqual(["REFUSED.md"]);
    expect(fs.readFileSync(path.join(out, "poc", "REFUSED.md"), "utf8")).toContain("the cluster runs Kubernetes 1.35.0");
    const junk = await cli(["poc", "--out", out, "--from-version", "latest"]);
    expect(junk.status).toBe(2);
    expect(junk.output).toContain('--from-version: "latest" is not the exact version the cluster runs now, e.g. 1.34.3');
    fs.rmSync(out, { recursive: true, force: true });
  });
});
