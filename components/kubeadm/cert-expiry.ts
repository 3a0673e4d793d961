// When a control plane's certificates expire, as its steps report it: a step runs
// `kubeadm certs check-expiration -o json` (report_certificate_expiry in scripts/lib.sh) and prints
// kubeadm's CertificateExpirationInfo (output.kubeadm.k8s.io/v1alpha3) between two marker lines;
// this module finds the last such report in the step's stdout. Pure: the renewal steps use it, and
// any other step that changes certificates (an upgrade renews them) reports the same way.
import { z } from "zod";

/** The lines around the report in a step's stdout (scripts/lib.sh prints the same ones). */
export const CERTIFICATE_EXPIRY_BEGIN = "=== kubeadm certs check-expiration -o json ===";
export const CERTIFICATE_EXPIRY_END = "=== end of certificate expiration ===";

export const CERTIFICATE_EXPIRATION_API_VERSION = "output.kubeadm.k8s.io/v1alpha3";
export const CERTIFICATE_EXPIRATION_KIND = "CertificateExpirationInfo";

// kubeadm's output API (cmd/kubeadm/app/apis/output/v1alpha3, type Certificate): a missing
// certificate has no date (super-admin.conf exists only on the first control plane).
const certificateSchema = z.object({
  name: z.string(),
  expirationDate: z.iso.datetime({ offset: true }).nullish(),
  residualTime: z.number().optional(),
  externallyManaged: z.boolean().optional(),
  caName: z.string().optional(),
  missing: z.boolean().optional(),
});

const expirationInfoSchema = z.object({
  kind: z.literal(CERTIFICATE_EXPIRATION_KIND),
  apiVersion: z.literal(CERTIFICATE_EXPIRATION_API_VERSION),
  certificates: z.array(certificateSchema).nullish(),
  certificateAuthorities: z.array(certificateSchema).nullish(),
});

export interface CertificateDate {
  name: string;
  /** RFC 3339, UTC. */
  expires: string;
}

export interface CertificateExpiry {
  /** The earliest expiry of the certificates kubeadm renews (RFC 3339, UTC). */
  earliest: string;
  /** Those certificates (leaf certificates and the kubeconfigs' client certificates). */
  certificates: CertificateDate[];
  /** The earliest expiry of the CAs (Pulumi-held, ten years; `certs renew` does not renew them). */
  earliestAuthority?: string;
}

const utc = (date: string) => new Date(date).toISOString().replace(/\.000Z$/, "Z");

function present(entries: z.infer<typeof certificateSchema>[] | null | undefined): CertificateDate[] {
  return (entries ?? [])
    .filter((entry) => !entry.missing && !entry.externallyManaged && entry.expirationDate)
    .map((entry) => ({ name: entry.name, expires: utc(entry.expirationDate!) }));
}

const earliestOf = (dates: CertificateDate[]) => dates.map((d) => d.expires).sort()[0];

/** kubeadm's JSON: throws when it is not a CertificateExpirationInfo or lists no certificate. */
export function parseCertificateExpiration(json: string): CertificateExpiry {
  const info = expirationInfoSchema.parse(JSON.parse(json));
  const certificates = present(info.certificates);
  const earliest = earliestOf(certificates);
  if (!earliest) throw new Error("kubeadm certs check-expiration lists no certificate (is this a control plane?)");
  const earliestAuthority = earliestOf(present(info.certificateAuthorities));
  return { earliest, certificates, ...(earliestAuthority ? { earliestAuthority } : {}) };
}

/**
 * The last report in a step's stdout; undefined when there is none (a step not run yet, the
 * offline plan, a recorded run) or it does not parse, which the outputs show as unknown.
 */
export function certificateExpiryInOutput(stdout: string | undefined | null): CertificateExpiry | undefined {
  if (!stdout) return undefined;
  const begin = stdout.lastIndexOf(CERTIFICATE_EXPIRY_BEGIN);
  if (begin < 0) return undefined;
  const from = begin + CERTIFICATE_EXPIRY_BEGIN.length;
  const end = stdout.indexOf(CERTIFICATE_EXPIRY_END, from);
  if (end < 0) return undefined;
  try {
    return parseCertificateExpiration(stdout.slice(from, end));
  } catch {
    return undefined;
  }
}

/**
 * Of several reports about one control plane (its renewal step, an upgrade step), the one that
 * expires last: certificates are only ever renewed, so the latest expiry is the current one.
 */
export function latestReport(reports: (CertificateExpiry | undefined)[]): CertificateExpiry | undefined {
  return reports.filter((r): r is CertificateExpiry => r !== undefined).sort((a, b) => b.earliest.localeCompare(a.earliest))[0];
}
