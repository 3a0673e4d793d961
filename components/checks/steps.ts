// The acceptance checks as named steps of `pulumi up`, after the add-ons and after any upgrade:
// one step per check (<cluster>-check-<name>), each running scripts/acceptance.sh on the first
// control plane. A failing check fails the update with its diagnostics; the steps' output is the
// report (stack output `acceptance`). They run again whenever the description changes, a node is
// joined again, or the cluster's version moves.
import { createHash } from "node:crypto";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import type { ClusterContext } from "../context";
import type { ControlPlane } from "../kubeadm";
import { readBundle } from "../remote/bundle";
import { remoteCommandLine } from "../remote/command-line";
import { sshConnection } from "../remote/connection";
import { scriptStep } from "../remote/script-step";
import { checkEnv, enabledChecks } from "./acceptance";

export const ACCEPTANCE_SCRIPT = path.join(__dirname, "scripts", "acceptance.sh");

export interface AcceptanceReport {
  /** Per check that ran: its PASS line (a failure stops the update instead). */
  checks: pulumi.Output<Record<string, string>>;
}

/** `after`: what the checks wait for besides every join (the add-ons, the settings steps, the node operations). */
export function runAcceptanceChecks(ctx: ClusterContext, controlPlane: ControlPlane, after: pulumi.Resource[], parent: pulumi.Resource): AcceptanceReport {
  const { spec } = ctx;
  const checks = enabledChecks(spec);
  const first = spec.controlPlanes[0]!;
  const connection = sshConnection(first, spec.ssh.user, spec.ssh.port, ctx.secrets.sshPrivateKey);
  const bundle = { name: "acceptance", text: readBundle([ACCEPTANCE_SCRIPT]) };
  // Any change of the description (day 2 is an edit of it) and any node joined again (a replaced machine).
  const description = createHash("sha256").update(JSON.stringify(spec)).digest("hex");
  const joins = [...controlPlane.nodeJoined.values()].map((step) => (step as pulumi.CustomResource).id);
  const steps = checks.map((check) =>
    scriptStep(
      `${spec.name}-check-${check}`,
      {
        host: { name: first.name, connection },
        bundle,
        commandLine: remoteCommandLine(spec.ssh.user),
        // The version the upgrade steps finished at: the checks wait for them too.
        env: { ...checkEnv(spec, check), KUBERNETES_VERSION: controlPlane.upgradedVersion.apply((v) => (v.startsWith("v") ? v : `v${v}`)) },
        // The certificates output comes after each control plane's renewal step: no check runs while an apiserver restarts.
        triggers: [description, controlPlane.upgradedVersion, controlPlane.certificates, ...joins],
        dependsOn: [...after, ...controlPlane.allJoined],
        artifacts: ctx.artifacts,
        artifactPath: `checks/acceptance-${check}.env`,
      },
      { parent },
    ),
  );
  const report = pulumi.all(steps.map((step) => step.stdout)).apply((outputs) =>
    Object.fromEntries(checks.map((check, i) => [check, (outputs[i] ?? "").trim().split("\n").pop() ?? ""])),
  );
  return { checks: report };
}
