// The field types the description is built from: strings checked as their consumers check them
// (stacks/formats.ts), addresses, ports, URLs and machine sizes. Shared by schema.ts and schema-addons.ts.
import { z } from "zod";
import * as formats from "./formats";

/** A string its consumer checks with `problem` (stacks/formats.ts): the problem becomes the message, `fix` the fix. */
export function checked(problem: (value: string) => string | undefined, fix: string) {
  return z.string().superRefine((value, ctx) => {
    const message = problem(value);
    if (message) ctx.addIssue({ code: "custom", message, params: { fix } });
  });
}

/** Labels and node selectors as the API server validates them. */
export const labelMap = z.record(z.string(), z.string()).superRefine((labels, ctx) => {
  for (const [key, value] of Object.entries(labels)) {
    const message = formats.labelKeyProblem(key) ?? formats.labelValueProblem(value);
    if (message) ctx.addIssue({ code: "custom", message, path: [key], params: { fix: 'write labels as the API accepts them, e.g. node-role.kubernetes.io/metallb: "true"' } });
  }
});

export const dnsLabel = checked(formats.dnsLabelProblem, "use lower-case letters, digits and '-', at most 63 characters, e.g. worker-1");
/** A Kubernetes CronJob's schedule (robfig/cron standard: five fields or a macro, no time zone). */
export const cron = checked((value) => formats.cronProblem(value, "cronjob"), 'write five fields (minute hour day-of-month month day-of-week), e.g. "0 */6 * * *", or a macro such as @daily');
/** A Velero Schedule's (robfig/cron standard as well, with an optional CRON_TZ= prefix). */
export const veleroCron = checked((value) => formats.cronProblem(value, "velero"), 'write five fields (minute hour day-of-month month day-of-week), e.g. "0 2 * * *", a macro such as @daily, or @every 24h');
export const dnsName = z
  .string()
  .regex(
    /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/,
    "must be a lower-case DNS name such as api.k8s.example.internal",
  )
  .max(253);
export const ipv4 = z.ipv4();
export const cidr = z.cidrv4();
export const port = z.number().int().min(1).max(65535);
/** http(s) URLs only: `proxy.corp:3128` parses as a URL with scheme "proxy.corp:" otherwise. */
export const httpUrl = z.url({ protocol: /^https?$/, error: "must be an http:// or https:// URL" });
/** A single address, a CIDR, or an inclusive range `a.b.c.d-a.b.c.e`. */
export const addressBlock = z
  .string()
  .regex(
    /^\d{1,3}(\.\d{1,3}){3}(\/\d{1,2}|-\d{1,3}(\.\d{1,3}){3})?$/,
    "must be an IPv4 address, a CIDR (10.0.0.0/28) or a range (10.0.0.10-10.0.0.20)",
  );

export const sizing = {
  cpus: z.number().int().min(1).max(256).describe("vCPUs per machine"),
  memoryMiB: z.number().int().min(1024).describe("memory per machine in MiB"),
  diskGiB: z.number().int().min(20).describe("system disk size in GiB (thin-provisioned where the platform allows)"),
};
