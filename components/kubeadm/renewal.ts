// Certificate renewal, the pure part: from what this stack reported last time (its previous
// `certificates` output), which control planes renew in this update, and what it reports now.
//
// Each control plane's <node>-certificates step carries a renewal generation. It stays what the
// previous update exported while that control plane's certificates expire after the window (so a
// preview outside the window changes nothing), and goes up by one when they expire within it: the
// step's parameters change, `pulumi preview` shows it, `pulumi up` renews there. The node records
// the generation it completed (scripts/renew-certs.sh), so a step run again does not renew twice.
import { z } from "zod";
import type { CertificateExpiry } from "./cert-expiry";

const DAY_MS = 24 * 60 * 60 * 1000;

/** What the stack exports per control plane. */
export interface ControlPlaneCertificates {
  /** Earliest expiry of its kubeadm certificates (RFC 3339), null until a step has reported it. */
  expires: string | null;
  /** The renewal generation its certificates step ran with (0: deployed, never renewed). */
  renewal: number;
}

/** The `certificates` stack output: plain values (dates are not secret). */
export interface CertificatesOutput {
  renewBeforeDays: number;
  /** Earliest expiry over every control plane (null until every one has reported). */
  earliestExpiry: string | null;
  /** From when `pulumi up` renews: earliestExpiry minus the window. */
  renewFrom: string | null;
  controlPlanes: Record<string, ControlPlaneCertificates>;
  /** The admin kubeconfig's client certificate (Pulumi-issued); re-issued within the same window. */
  adminKubeconfigExpires: string | null;
}

const previousSchema = z.object({
  controlPlanes: z.record(
    z.string(),
    z.object({ expires: z.string().nullish(), renewal: z.number().int().min(0).optional() }),
  ),
});

export type PreviousCertificates = ReadonlyMap<string, { expires?: Date; renewal: number }>;

/**
 * The previous `certificates` output, per control plane. Anything unreadable (a first deployment,
 * a stack from before renewal existed, a hand-edited state) counts as nothing known: renewal
 * generation 0 and no expiry, which never renews.
 */
export function previousCertificates(output: unknown): PreviousCertificates {
  const parsed = previousSchema.safeParse(output);
  const known = new Map<string, { expires?: Date; renewal: number }>();
  if (!parsed.success) return known;
  for (const [name, entry] of Object.entries(parsed.data.controlPlanes)) {
    const expires = entry.expires ? new Date(entry.expires) : undefined;
    known.set(name, { renewal: entry.renewal ?? 0, ...(expires && !Number.isNaN(expires.getTime()) ? { expires } : {}) });
  }
  return known;
}

export interface RenewalDecision {
  generation: number;
  /** This update renews the control plane's certificates. */
  due: boolean;
  /** The expiry that made it due (or was checked), for the log. */
  expires?: Date;
}

/** A control plane's generation in this update: one more than before when its certificates expire within the window. */
export function renewalDecision(previous: { expires?: Date; renewal: number } | undefined, renewBeforeDays: number, now: Date): RenewalDecision {
  if (!previous) return { generation: 0, due: false };
  if (!previous.expires) return { generation: previous.renewal, due: false };
  const due = previous.expires.getTime() - now.getTime() <= renewBeforeDays * DAY_MS;
  return { generation: previous.renewal + (due ? 1 : 0), due, expires: previous.expires };
}

/** The renewal decision of every control plane, in order. */
export function renewalPlan(controlPlanes: string[], previous: PreviousCertificates, renewBeforeDays: number, now: Date): Map<string, RenewalDecision> {
  return new Map(controlPlanes.map((name) => [name, renewalDecision(previous.get(name), renewBeforeDays, now)]));
}

/** The admin certificate's early renewal in the tls provider's unit: the same window, in hours. */
export function adminEarlyRenewalHours(renewBeforeDays: number): number {
  return renewBeforeDays * 24;
}

/** The stack output from each control plane's latest report and its generation. */
export function certificatesOutput(
  renewBeforeDays: number,
  reports: ReadonlyMap<string, { report: CertificateExpiry | undefined; renewal: number }>,
  adminKubeconfigExpires: string | undefined,
): CertificatesOutput {
  const controlPlanes: Record<string, ControlPlaneCertificates> = {};
  for (const [name, { report, renewal }] of reports) controlPlanes[name] = { expires: report?.earliest ?? null, renewal };
  const dates = Object.values(controlPlanes).map((c) => c.expires);
  const earliestExpiry = dates.length > 0 && dates.every((d): d is string => d !== null) ? [...dates].sort()[0]! : null;
  const renewFrom = earliestExpiry ? new Date(new Date(earliestExpiry).getTime() - renewBeforeDays * DAY_MS).toISOString().replace(/\.000Z$/, "Z") : null;
  return { renewBeforeDays, earliestExpiry, renewFrom, controlPlanes, adminKubeconfigExpires: adminKubeconfigExpires || null };
}
