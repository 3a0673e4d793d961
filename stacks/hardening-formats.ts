// Checks of the control-plane settings (kubernetes.apiServer, encryption, podSecurity, etcd, extra
// args) as their consumers make them: the apiserver's OIDC issuer rules, etcd's flag syntax, the
// command-line flags kubeadm writes into the static Pod manifests. Each returns the problem, or
// undefined when the value is fine. Pure; unit-tested beside it.

/**
 * An OIDC issuer as the apiserver accepts it (AuthenticationConfiguration jwt.issuer.url): https,
 * no query, no fragment, no user info. Tokens carry it byte for byte in `iss`, so a trailing slash
 * matters and is left as written.
 */
export function oidcIssuerProblem(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return "is not a URL";
  }
  if (url.protocol !== "https:") return `the issuer must be an https:// URL (the apiserver refuses ${url.protocol}//)`;
  if (url.username || url.password) return "the issuer URL must not carry a user or password";
  if (url.search || value.includes("?")) return "the issuer URL must not have a query (?...)";
  if (url.hash || value.includes("#")) return "the issuer URL must not have a fragment (#...)";
  return undefined;
}

/** A JWT claim name: one token without spaces, as it appears in the ID token's JSON. */
export function claimProblem(value: string): string | undefined {
  if (value === "") return "is empty";
  if (/\s/.test(value)) return "a claim name has no spaces";
  if (value.includes(",")) return "names one claim, not a comma-separated list";
  return undefined;
}

/** A prefix the apiserver puts before OIDC user and group names (may be empty: no prefix). */
export function claimPrefixProblem(value: string): string | undefined {
  if (/\s/.test(value)) return "a prefix has no spaces";
  if (value.startsWith("system:")) return "system: is reserved for Kubernetes' own users and groups; an OIDC name with it could act as a component";
  return undefined;
}

/** The PEM text of one or more CA certificates. */
export function pemCertificatesProblem(value: string): string | undefined {
  const blocks = value.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) return "holds no PEM certificate (-----BEGIN CERTIFICATE----- ... -----END CERTIFICATE-----)";
  if (/PRIVATE KEY-----/.test(value)) return "holds a private key: only the CA's certificate belongs here";
  return undefined;
}

/**
 * A flag name as kubeadm renders extraArgs (`--<name>=<value>`): lower-case words joined by '-',
 * without the leading dashes. Some components' flags carry dots or capitals (kubelet's
 * --feature-gates values do, its names do not), so names allow lower-case letters, digits, '-'
 * and '.'.
 */
export function flagNameProblem(value: string): string | undefined {
  if (value.startsWith("-")) return "write the flag's name without the leading --";
  if (value.includes("=")) return "write the value as the map's value, not after '=' in the name";
  if (!/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/.test(value)) return "a flag name has lower-case letters, digits, '-' and '.' only";
  return undefined;
}

/** A flag value on one line (a static Pod manifest's argument). */
export function flagValueProblem(value: string): string | undefined {
  if (/[\r\n]/.test(value)) return "a flag value fits on one line";
  return undefined;
}

/**
 * etcd's --auto-compaction-retention in periodic mode: a whole number of hours ("8") or a Go
 * duration in hours, minutes or seconds ("1h30m", "30m"); not zero (zero turns compaction off, and
 * the database then grows until it reaches its quota).
 */
export function compactionRetentionProblem(value: string): string | undefined {
  if (/^\d+$/.test(value)) return Number(value) > 0 ? undefined : "0 turns compaction off: the database grows until it hits its quota";
  const match = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(value);
  if (!match || value === "") return 'is neither a number of hours ("8") nor a duration such as "1h30m" or "30m"';
  const seconds = Number(match[1] ?? 0) * 3600 + Number(match[2] ?? 0) * 60 + Number(match[3] ?? 0);
  return seconds > 0 ? undefined : "a zero duration turns compaction off";
}
