// The certificates section of summary.md: when the control planes' certificates expire (known
// only after deployment: the plan runs under mocks), the renewal window and what `pulumi up` does
// within it (components/kubeadm/renewal.ts, docs/certificates.md).
import type { ClusterSpec } from "../../stacks/spec";

interface CertificatesOutputShape {
  earliestExpiry?: string | null;
  renewFrom?: string | null;
  adminKubeconfigExpires?: string | null;
  controlPlanes?: Record<string, { expires?: string | null }>;
}

const when = (date: string | null | undefined) => date ?? "after deployment (`pulumi stack output certificates`)";

export function certificatesMarkdown(spec: ClusterSpec, output: unknown): string[] {
  const certificates = (output ?? {}) as CertificatesOutputShape;
  const days = spec.kubernetes.certificates.renewBeforeDays;
  const order = spec.controlPlanes.map((node) => node.name).join(" → ");
  const perNode = Object.entries(certificates.controlPlanes ?? {}).filter(([, c]) => c.expires);
  return [
    "## Certificates",
    "",
    `- Control-plane certificates (issued by kubeadm for one year): the earliest expires ${when(certificates.earliestExpiry)}${certificates.renewFrom ? `; renewal from ${certificates.renewFrom}` : ""}`,
    ...perNode.map(([name, c]) => `  - ${name}: ${c.expires}`),
    `- Renewal window: ${days} days (\`kubernetes.certificates.renewBeforeDays\`). Within it \`pulumi preview\` shows the renewal and \`pulumi up\` runs \`kubeadm certs renew all\` on each control plane in turn (${order}), restarts its static Pods and waits until it is healthy; outside it nothing changes`,
    `- Admin kubeconfig (client certificate issued by Pulumi for one year): expires ${when(certificates.adminKubeconfigExpires)}; re-issued by \`pulumi up\` within the same ${days} days`,
    "- CAs and the service-account key: held by Pulumi, ten years; not renewed",
    "",
  ];
}
