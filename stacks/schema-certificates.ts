// The certificates section of the description (`kubernetes.certificates`): when the program renews
// what kubeadm issued on the control planes, and re-issues the admin kubeconfig it holds.
import { z } from "zod";

/** Days before the earliest control-plane certificate expires from which `pulumi up` renews. */
export const DEFAULT_RENEW_BEFORE_DAYS = 30;
/** kubeadm's CAs live ten years; a window past that would renew on every run for no reason a person has. */
export const MAX_RENEW_BEFORE_DAYS = 3650;

export const certificatesSchema = z
  .strictObject({
    renewBeforeDays: z
      .number()
      .int()
      .min(1)
      .max(MAX_RENEW_BEFORE_DAYS)
      .default(DEFAULT_RENEW_BEFORE_DAYS)
      .describe(
        "renewal window in days: `pulumi up` renews the control planes' kubeadm certificates (one control plane at a time) once the earliest expires within it, and re-issues the admin kubeconfig's certificate within it. kubeadm's certificates live one year; a window longer than that renews on every run",
      ),
  })
  .describe("renewal of the control planes' certificates (docs/certificates.md)");
