// Free-form strings that end up in a rendered manifest, script or API call, each checked the way
// its consumer checks it. Every check returns why a value is refused, in the project's words, or
// undefined; the schema turns them into field problems.
import { CronExpressionParser } from "cron-parser";

/** RFC 1123 label: node names, pool names, cluster name (kubernetes.io/hostname, DNS). */
export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
export const DNS_LABEL_MAX = 63;

export function dnsLabelProblem(name: string): string | undefined {
  if (name.length > DNS_LABEL_MAX) return `${name.length} characters, but a DNS label has at most ${DNS_LABEL_MAX}`;
  if (!DNS_LABEL.test(name)) return "must be a lower-case DNS label (a-z, 0-9, '-', starting and ending with a letter or digit)";
  return undefined;
}

/** Macros Kubernetes CronJobs and Velero schedules (both robfig/cron's ParseStandard) accept besides five fields. */
const CRON_MACROS = ["@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"];

/** Who reads the schedule: a Kubernetes CronJob (etcd snapshots) or a Velero Schedule. */
export type CronReader = "cronjob" | "velero";

/** A Go duration as time.ParseDuration reads it (robfig's `@every 6h`). */
const GO_DURATION = /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/;

/**
 * What robfig/cron's standard parser refuses although cron-parser (the syntax check below)
 * accepts it: Quartz's L, W and #, Jenkins' H, and 7 for Sunday (robfig's day-of-week is 0-6).
 */
function robfigDialectProblem(fields: string[]): string | undefined {
  for (const [i, field] of fields.entries()) {
    const special = /[LW#H]/i.exec(field.replace(/jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|sun|mon|tue|wed|thu|fri|sat/gi, ""));
    if (special) return `'${special[0]}' in ${CRON_FIELDS[i]} is Quartz/Jenkins syntax, which Kubernetes and Velero (robfig/cron) do not read`;
  }
  const weekday = fields[4].split(/[,/-]/);
  if (weekday.includes("7")) return "7 as Sunday: Kubernetes and Velero (robfig/cron) read the day of week as 0-6, Sunday 0";
  return undefined;
}

const CRON_FIELDS = ["minute", "hour", "day-of-month", "month", "day-of-week"];

/** A schedule as its reader parses it: five fields (no seconds) or a macro, each field in range. */
export function cronProblem(schedule: string, reader: CronReader = "cronjob"): string | undefined {
  let text = schedule.trim();
  const zone = /^(CRON_)?TZ=(\S*)\s*/.exec(text);
  if (zone && reader === "cronjob") return "a time zone inside the schedule is refused by Kubernetes CronJobs";
  if (zone) {
    try {
      new Intl.DateTimeFormat("en", { timeZone: zone[2] });
    } catch {
      return `${zone[2]} is not a time zone Velero knows (an IANA name such as Europe/Berlin)`;
    }
    text = text.slice(zone[0].length);
  }
  if (text.startsWith("@every")) {
    const duration = text.slice("@every".length).trim();
    return GO_DURATION.test(duration) ? undefined : `@every needs a duration such as 6h or 90m, found "${duration}"`;
  }
  if (text.startsWith("@")) return CRON_MACROS.includes(text) ? undefined : `${text} is not a schedule macro (${CRON_MACROS.join(", ")}, or @every <duration>)`;
  const fields = text.split(/\s+/).filter(Boolean);
  if (fields.length !== 5) return `${fields.length} field${fields.length === 1 ? "" : "s"}, but a schedule has five: minute hour day-of-month month day-of-week`;
  const dialect = robfigDialectProblem(fields);
  if (dialect) return dialect;
  try {
    CronExpressionParser.parse(text);
    return undefined;
  } catch (thrown) {
    const reason = thrown instanceof Error ? thrown.message : String(thrown);
    return `not a valid schedule (${reason.replace(/^Constraint error, /, "")})`;
  }
}

/** Linux interface names (kernel dev_valid_name): at most 15 bytes, no '/', ':' or blanks. */
export function interfaceNameProblem(name: string): string | undefined {
  if (name === "") return "an empty interface name";
  if (name.length > 15) return `${name.length} characters, but Linux interface names have at most 15`;
  if (name === "." || name === ".." || /[/:\s]/.test(name)) return "Linux interface names cannot be '.', '..' or contain '/', ':' or blanks";
  return undefined;
}

/** A Linux login (useradd's default NAME_REGEX): cloud-init creates it, scripts log in with it. */
export function userNameProblem(name: string): string | undefined {
  if (!/^[a-z_][a-z0-9_-]{0,31}$/.test(name)) return "not a Linux user name (lower-case letters, digits, '_' or '-', starting with a letter or '_', at most 32)";
  return undefined;
}

/** vCenter's host: it keys the cloud provider's credentials Secret and heads the CSI config section. */
export function vcenterServerProblem(server: string): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(server)) return "a URL; the server is only vCenter's host";
  if (!isHostOrAddress(server.toLowerCase())) return "not a host name or an IPv4 address";
  return undefined;
}

/** Values written as one quoted line of the vSphere CSI config (gcfg), which holds no line breaks or control characters. */
export function singleLineProblem(value: string): string | undefined {
  if (value === "") return "empty";
  if (/[\x00-\x1f\x7f]/.test(value)) return "holds a line break or another control character";
  return undefined;
}

/** A host the NFS client mounts from: a name or an address, never `host:/path` mount syntax. */
export function nfsServerProblem(server: string): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(server)) return "a URL; the server is only the host";
  if (/^[^/]+:\//.test(server)) return "mount syntax host:/path; the server is only the host (the path is cluster.addons.storage.nfs.path)";
  if (!isHostOrAddress(server)) return "not a host name or an IPv4 address";
  return undefined;
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const DNS_NAME = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export function isHostOrAddress(text: string): boolean {
  return IPV4.test(text) || (DNS_NAME.test(text) && text.length <= 253);
}

/** An exported directory: it is written into /etc/exports and the provisioner's mount. */
export function exportPathProblem(path: string): string | undefined {
  if (!path.startsWith("/")) return "not an absolute path";
  if (!/^[A-Za-z0-9._/+@-]+$/.test(path)) return "only letters, digits and . _ - + @ / can be written into /etc/exports unquoted";
  if (path.split("/").includes("..")) return "'..' in an exported path";
  return undefined;
}

/** A block device path for the NFS data disk (the server script partitions it). */
export function devicePathProblem(path: string): string | undefined {
  if (!/^\/dev\/[A-Za-z0-9._/-]+$/.test(path) || path.split("/").includes("..")) return "not a block device path such as /dev/sdb";
  return undefined;
}

// Label keys and values as the API server validates them (kubectl label, nodeSelector).
const QUALIFIED_NAME = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)$/;

export function labelKeyProblem(key: string): string | undefined {
  const parts = key.split("/");
  if (parts.length > 2) return "a label key has at most one '/' (prefix/name)";
  const name = parts.at(-1)!;
  const prefix = parts.length === 2 ? parts[0] : undefined;
  if (prefix !== undefined && (prefix.length > 253 || !DNS_NAME.test(prefix))) return `the prefix ${prefix} is not a lower-case DNS name`;
  if (name.length === 0 || name.length > 63 || !QUALIFIED_NAME.test(name)) return "the name part must be 1-63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit";
  return undefined;
}

export function labelValueProblem(value: string): string | undefined {
  if (value === "") return undefined;
  if (value.length > 63 || !QUALIFIED_NAME.test(value)) return "a label value is at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit";
  return undefined;
}

/** A registry images are pulled from: `host[:port][/path]`, as image names spell it (no scheme; a trailing / is dropped where it is used). */
export function registryProblem(registry: string): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(registry)) return "a URL; images name their registry without a scheme";
  if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?(:\d{1,5})?(\/[a-z0-9]+([._-][a-z0-9]+)*)*\/?$/.test(registry)) return "not a registry host (and path) as images name it";
  return undefined;
}

/** Helm accepts http(s) chart repositories and OCI registries. */
export function chartRepositoryProblem(repository: string): string | undefined {
  if (!/^(https?|oci):\/\/[^\s/]+(\/\S*)?$/.test(repository)) return "not an http://, https:// or oci:// address";
  return undefined;
}

/** S3 bucket names (Velero's backup location). */
export function bucketProblem(bucket: string): string | undefined {
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket) || bucket.includes("..")) return "S3 bucket names are 3-63 lower-case letters, digits, '.' or '-'";
  return undefined;
}

/** A key prefix in a bucket or a directory below an export: path segments, no '..', no leading or trailing '/'. */
export function objectPrefixProblem(prefix: string): string | undefined {
  if (prefix.startsWith("/") || prefix.endsWith("/")) return "a leading or trailing '/'; the prefix is joined with '/' itself";
  if (!/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/.test(prefix)) return "only letters, digits, '.', '_', '-' and '/' between segments go into object keys and paths unquoted";
  if (prefix.split("/").some((segment) => segment === "." || segment === "..")) return "'.' or '..' as a segment";
  return undefined;
}

/** vSphere CSI datastore URLs as vCenter shows them. */
export function datastoreUrlProblem(url: string): string | undefined {
  if (!/^ds:\/\/\/\S+\/$/.test(url)) return "not a datastore URL; vCenter shows it as ds:///vmfs/volumes/<uuid>/";
  return undefined;
}

/** A no_proxy entry: joined with commas into NO_PROXY, so it holds neither commas nor blanks. */
export function noProxyEntryProblem(entry: string): string | undefined {
  if (entry === "") return "an empty entry";
  if (/[,\s]/.test(entry)) return "no_proxy entries are joined with commas, so one entry cannot hold commas or blanks";
  return undefined;
}
