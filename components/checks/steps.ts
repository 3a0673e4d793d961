// The acceptance checks as named steps of `pulumi up`, after the add-ons and after any upgrade:
// one step per check (<cluster>-check-<name>) running the acceptance bundle on the first control
// plane; vip-failover on each control plane in turn; from-here on the machine running Pulumi,
// after the checks whose addresses it probes; then <cluster>-check-cleanup deletes the test
// objects. A failing check fails the update with its diagnostics (and leaves its objects for a
// look); the steps' output is the report (stack output `acceptance`). They run again whenever the
// description changes, a node is joined again, or the cluster's version moves.
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import type { ClusterContext } from "../context";
import type { ControlPlane } from "../kubeadm";
import type { CheckName } from "../../stacks/schema-checks";
import { readBundle } from "../remote/bundle";
import { remoteCommandLine } from "../remote/command-line";
import { sshConnection } from "../remote/connection";
import { localStep } from "../remote/local-step";
import { scriptStep } from "../remote/script-step";
import { CHECKS_WITH_OBJECTS, LOCAL_CHECKS, PER_CONTROL_PLANE_CHECKS, ROUTE_HOST, checkEnv, cleanupEnv, enabledChecks } from "./acceptance";

const SCRIPTS = path.join(__dirname, "scripts");
export const ACCEPTANCE_SCRIPT = path.join(SCRIPTS, "acceptance.sh");
/** The libraries first, the script with the main loop last. */
export const ACCEPTANCE_BUNDLE = [path.join(SCRIPTS, "workload-checks.sh"), path.join(SCRIPTS, "vip-failover.sh"), ACCEPTANCE_SCRIPT];
export const FROM_HERE_SCRIPT = path.join(SCRIPTS, "from-here.cjs");
/** The checks whose web probe's address from-here probes. */
const PROBED_BY_FROM_HERE: readonly CheckName[] = ["load-balancer", "ingress"];

export interface AcceptanceReport {
  /** Per check that ran: its PASS line (a failure stops the update instead). */
  checks: pulumi.Output<Record<string, string>>;
}

/** The address a check's step printed (`ADDRESS <ip>` before its verdict). */
export function printedAddress(stdout: string): string {
  return /^ADDRESS (\S+)$/m.exec(stdout)?.[1] ?? "";
}

/** `after`: what the checks wait for besides every join (the add-ons, the settings steps, the node operations). */
export function runAcceptanceChecks(ctx: ClusterContext, controlPlane: ControlPlane, after: pulumi.Resource[], parent: pulumi.Resource): AcceptanceReport {
  const { spec } = ctx;
  const checks = enabledChecks(spec);
  const bundle = { name: "acceptance", text: readBundle(ACCEPTANCE_BUNDLE) };
  // Any change of the description (day 2 is an edit of it) and any node joined again (a replaced machine).
  const description = createHash("sha256").update(JSON.stringify(spec)).digest("hex");
  const joins = [...controlPlane.nodeJoined.values()].map((step) => (step as pulumi.CustomResource).id);
  // The certificates output comes after each control plane's renewal step: no check runs while an apiserver restarts.
  const triggers = [description, controlPlane.upgradedVersion, controlPlane.certificates, ...joins];
  // The version the upgrade steps finished at: the checks wait for them too.
  const version = controlPlane.upgradedVersion.apply((v) => (v.startsWith("v") ? v : `v${v}`));
  const onHost = (name: string, host: (typeof spec.controlPlanes)[number], env: Record<string, pulumi.Input<string>>, dependsOn: pulumi.Resource[], artifact: string) =>
    scriptStep(
      name,
      {
        host: { name: host.name, connection: sshConnection(host, spec.ssh.user, spec.ssh.port, ctx.secrets.sshPrivateKey) },
        bundle,
        commandLine: remoteCommandLine(spec.ssh.user),
        env: { ...env, KUBERNETES_VERSION: version },
        triggers,
        dependsOn,
        artifacts: ctx.artifacts,
        artifactPath: `checks/${artifact}.env`,
      },
      { parent },
    );
  const waitFor = [...after, ...controlPlane.allJoined];
  const steps = new Map<CheckName, pulumi.Output<string>>();
  const onFirst = new Map<CheckName, pulumi.Resource>();
  const ran: pulumi.Resource[] = [];
  for (const check of checks.filter((c) => !PER_CONTROL_PLANE_CHECKS.includes(c) && !LOCAL_CHECKS.includes(c))) {
    const step = onHost(`${spec.name}-check-${check}`, spec.controlPlanes[0]!, checkEnv(spec, check), waitFor, `acceptance-${check}`);
    steps.set(check, step.stdout);
    onFirst.set(check, step);
    ran.push(step);
  }
  if (checks.includes("from-here")) {
    const probed = PROBED_BY_FROM_HERE.filter((c) => onFirst.has(c));
    const targets = pulumi.all(probed.map((c) => steps.get(c)!)).apply((outputs) =>
      JSON.stringify(probed.map((check, i) => ({ check, address: printedAddress(outputs[i] ?? ""), host: check === "ingress" ? ROUTE_HOST : "" }))),
    );
    const step = localStep(
      `${spec.name}-check-from-here`,
      { script: fs.readFileSync(FROM_HERE_SCRIPT, "utf8"), environment: { ...checkEnv(spec, "from-here"), TARGETS: targets }, triggers },
      { parent, dependsOn: probed.map((c) => onFirst.get(c)!) },
    );
    steps.set("from-here", step.stdout);
    ran.push(step);
  }
  // The failover last and one control plane at a time: it takes the endpoint's holder away.
  if (checks.includes("vip-failover")) {
    let previous: pulumi.Resource[] = [...ran];
    const outputs: pulumi.Output<string>[] = [];
    for (const cp of spec.controlPlanes) {
      const step = onHost(`${spec.name}-check-vip-failover-${cp.name}`, cp, checkEnv(spec, "vip-failover"), [...waitFor, ...previous], `acceptance-vip-failover-${cp.name}`);
      outputs.push(step.stdout);
      previous = [step];
      ran.push(step);
    }
    steps.set("vip-failover", pulumi.all(outputs).apply((lines) => lines.map(lastLine).join(" | ")));
  }
  // The test objects go last, after every check and the probe from here.
  if (checks.some((c) => CHECKS_WITH_OBJECTS.includes(c))) onHost(`${spec.name}-check-cleanup`, spec.controlPlanes[0]!, cleanupEnv(spec), [...waitFor, ...ran], "acceptance-cleanup");
  const report = pulumi.all(checks.map((check) => steps.get(check)!)).apply((outputs) => Object.fromEntries(checks.map((check, i) => [check, lastLine(outputs[i] ?? "")])));
  return { checks: report };
}

const lastLine = (output: string | undefined) => (output ?? "").trim().split("\n").pop() ?? "";
