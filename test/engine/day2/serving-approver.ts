// The lab's stand-in for kubelet-csr-approver. With the hardened kubelet defaults
// (serverTLSBootstrap) a kubelet serves no TLS until its kubelet-serving certificate request is
// approved; a site runs an approver for that, the lab runs no add-on. Without one, `kubectl logs`,
// `exec` and the API's node proxy (configz) fail with "tls: internal error" on every node that
// joined or restarted since. This loop approves those requests every few seconds, as the approver
// would (it approves anything a node asks for; the add-on also checks the names and addresses).
import type { LabNode } from "../../cluster/node";
import { sleep } from "../../tools/process";

const INTERVAL_MS = 5_000;
const PENDING = `get csr --field-selector spec.signerName=kubernetes.io/kubelet-serving -o jsonpath='{range .items[*]}{.metadata.name} {.status.conditions[*].type}{"\\n"}{end}'`;

/** The names of the requests nobody approved or denied yet, from `name conditions` lines. */
export function pendingRequests(listing: string): string[] {
  return listing
    .split("\n")
    .map((line) => line.trim().split(/\s+/))
    .filter((fields) => fields[0] && fields.length === 1)
    .map((fields) => fields[0]!);
}

export class ServingCertificateApprover {
  private stopped = false;
  private readonly done: Promise<void>;
  approved = 0;

  private constructor(private readonly controlPlane: () => LabNode) {
    this.done = this.loop();
  }

  /** Starts approving through `controlPlane`'s admin.conf; errors (the API down) wait for the next round. */
  static start(controlPlane: () => LabNode): ServingCertificateApprover {
    return new ServingCertificateApprover(controlPlane);
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      try {
        const listing = await this.controlPlane().kubectl(PENDING);
        const pending = listing.status === 0 ? pendingRequests(listing.stdout) : [];
        if (pending.length > 0 && (await this.controlPlane().kubectl(`certificate approve ${pending.join(" ")}`)).status === 0) this.approved += pending.length;
      } catch {
        // the next round
      }
      await sleep(INTERVAL_MS);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.done;
  }
}
