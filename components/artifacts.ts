// Rendered artifacts (user-data, kubeadm configs, VIP configs, Helm values, scripts, checklists,
// restore runbooks).
// Components hand every file they render to the sink; the offline plan writes them out, a real
// `pulumi up` ignores them. Paths are relative to out/<stack>/artifacts/.
import * as pulumi from "@pulumi/pulumi";

export const ARTIFACT_KINDS = [
  "cloud-init",
  "kubeadm-config",
  "kube-vip",
  "haproxy",
  "keepalived",
  "helm-values",
  "manifest",
  "script",
  "checklist",
  "runbook",
] as const;
export type ArtifactKind = (typeof ARTIFACT_KINDS)[number];

export interface Artifact {
  kind: ArtifactKind;
  path: string;
  content: pulumi.Output<string>;
}

export class ArtifactSink {
  private readonly entries = new Map<string, Artifact>();

  add(kind: ArtifactKind, path: string, content: pulumi.Input<string>): void {
    if (this.entries.has(path)) throw new Error(`artifact ${path} is rendered twice`);
    if (path.startsWith("/") || path.split("/").includes("..")) throw new Error(`artifact path ${path} must stay inside the artifacts folder`);
    this.entries.set(path, { kind, path, content: pulumi.output(content) });
  }

  list(): Artifact[] {
    return [...this.entries.values()];
  }
}
