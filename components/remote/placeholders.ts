// Secrets never appear in rendered artifacts (offline plan output, Pulumi state diffs of
// file contents, logs). A renderer writes `${NAME}` where a secret belongs; the node script
// that installs the file receives the secret as an environment variable (on the step's
// stdin, a Pulumi secret) and substitutes only the names it was given:
//
//     umask 077
//     envsubst '${KUBEADM_TOKEN}' < kubeadm-config.yaml.tmpl > /etc/kubernetes/kubeadm-config.yaml
//
// Listing the names in envsubst's SHELL-FORMAT argument matters: without it envsubst would
// also expand any other `$word` in the file. Values are restricted to characters that need
// no quoting in YAML or keepalived.conf, so plain textual substitution is safe.

const PLACEHOLDER = /\$\{([A-Z_][A-Z0-9_]*)\}/g;

/** `${NAME}`: the form envsubst replaces. */
export function secretPlaceholder(envName: string): string {
  if (!/^[A-Z_][A-Z0-9_]*$/.test(envName)) throw new Error(`invalid environment variable name: ${envName}`);
  return `\${${envName}}`;
}

/** Names of the environment variables a rendered artifact expects, in order of first use. */
export function secretPlaceholderNames(rendered: string): string[] {
  return [...new Set([...rendered.matchAll(PLACEHOLDER)].map((m) => m[1]!))];
}

/** The SHELL-FORMAT argument for envsubst that restricts it to an artifact's placeholders. */
export function envsubstShellFormat(rendered: string): string {
  return secretPlaceholderNames(rendered)
    .map((name) => secretPlaceholder(name))
    .join(" ");
}

/**
 * What the node script does, in TypeScript: for tests and local inspection only, never to
 * build an artifact that is stored. Every placeholder must have a value.
 */
export function substituteSecretPlaceholders(rendered: string, values: Readonly<Record<string, string>>): string {
  const missing = secretPlaceholderNames(rendered).filter((name) => values[name] === undefined);
  if (missing.length > 0) throw new Error(`no value for placeholder(s): ${missing.join(", ")}`);
  return rendered.replace(PLACEHOLDER, (_match, name: string) => values[name]!);
}
