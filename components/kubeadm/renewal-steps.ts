// Day 2, certificate renewal: one <node>-certificates step per control plane, chained so they run
// one control plane at a time, each after every control plane has joined (and after `after`, the
// steps that must not overlap a renewal, such as an upgrade's). The step reports when the node's
// certificates expire; with a new renewal generation (renewal.ts) it renews them first.
//
//   <cp1>-certificates ─▶ <cp2>-certificates ─▶ <cp3>-certificates
import * as pulumi from "@pulumi/pulumi";
import type { remote } from "@pulumi/command";
import type { PreparedNode } from "../node";
import { nodeStep } from "../node/steps";
import { kubeadmBundle } from "./bundles";
import { certificateExpiryInOutput, latestReport } from "./cert-expiry";
import { certificatesOutput, previousCertificates, renewalPlan, type CertificatesOutput, type RenewalDecision } from "./renewal";
import type { ControlPlaneRun } from "./steps";

export interface CertificateSteps {
  /** Per control plane, in order. */
  steps: Map<string, remote.Command>;
  decisions: Map<string, RenewalDecision>;
}

const nameOf = (node: PreparedNode): string => node.machine.node.name;

/**
 * This stack's previous `certificates` output, through the self-StackReference the removal guard
 * reads (removal-guard.ts); undefined on a first deployment. The program passes it to the Cluster.
 */
export async function previousCertificatesOutput(previous: pulumi.StackReference): Promise<unknown> {
  return previous.getOutputValue("certificates");
}

/**
 * Step 8: each control plane's certificates step, one after another, after `joined` (init and the
 * control-plane joins) and `after`. `previous` is this stack's previous `certificates` output.
 */
export function certificateSteps(run: ControlPlaneRun, previous: unknown, joined: pulumi.Resource[], after: pulumi.Resource[] = [], now = new Date()): CertificateSteps {
  const { renewBeforeDays } = run.spec.kubernetes.certificates;
  const decisions = renewalPlan(run.controlPlanes.map(nameOf), previousCertificates(previous), renewBeforeDays, now);
  const steps = new Map<string, remote.Command>();
  let previousStep: pulumi.Resource | undefined;
  for (const node of run.controlPlanes) {
    const nodeName = nameOf(node);
    const decision = decisions.get(nodeName)!;
    if (decision.due) {
      pulumi.log.info(
        `certificates of ${nodeName} expire ${decision.expires!.toISOString()}, within the ${renewBeforeDays}-day renewal window: this update renews them (renewal ${decision.generation}), one control plane at a time`,
      );
    }
    const step = nodeStep(
      `${nodeName}-certificates`,
      {
        node,
        bundle: kubeadmBundle("renew-certs"),
        commandLine: run.commandLine,
        env: { NODE_NAME: nodeName, NODE_ADDRESS: node.machine.node.address, RENEWAL_GENERATION: String(decision.generation) },
        dependsOn: [...joined, ...after, ...(previousStep ? [previousStep] : [])],
        artifacts: run.ctx.artifacts,
        artifactPath: `nodes/${nodeName}/certificates.env`,
      },
      { parent: run.parent },
    );
    steps.set(nodeName, step);
    previousStep = step;
  }
  return { steps, decisions };
}

/**
 * The `certificates` stack output: per control plane its latest report (its certificates step's,
 * and `extraReports`' such as an upgrade step's stdout) and renewal generation; the earliest of
 * them; the admin kubeconfig's expiry. Plain: dates are not secret.
 */
export function certificatesStackOutput(
  run: ControlPlaneRun,
  certificates: CertificateSteps,
  adminKubeconfigExpires: pulumi.Output<string>,
  extraReports: ReadonlyMap<string, pulumi.Output<string>[]> = new Map(),
): pulumi.Output<CertificatesOutput> {
  const names = [...certificates.steps.keys()];
  const stdouts = names.map((name) => pulumi.all([certificates.steps.get(name)!.stdout, ...(extraReports.get(name) ?? [])]));
  const output = pulumi.all([pulumi.all(stdouts), adminKubeconfigExpires]).apply(([perNode, adminExpires]) => {
    const reports = new Map(
      names.map((name, index) => [name, { report: latestReport(perNode[index]!.map(certificateExpiryInOutput)), renewal: certificates.decisions.get(name)!.generation }]),
    );
    return certificatesOutput(run.spec.kubernetes.certificates.renewBeforeDays, reports, adminExpires);
  });
  return pulumi.unsecret(output);
}
