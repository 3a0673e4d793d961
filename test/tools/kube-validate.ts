/**
 * Test helper: validates rendered Kubernetes manifests with real validators.
 *
 * - Built-in kinds: PyPI `kubernetes-validate` (ships the upstream OpenAPI schemas per Kubernetes
 *   minor) run with --strict, so unknown fields fail as they would with server-side strict field
 *   validation.
 * - Custom resources: the openAPIV3Schema of the CustomResourceDefinitions passed in
 *   `opts.customResourceDefinitions`, checked by Python `jsonschema` (test/tools/crd_validate.py).
 *   A custom resource without a matching CRD fails: an unchecked document is not a valid one.
 *
 * The Python packages are installed once into ~/.cache/onprem-k8s (test/tools/cache.ts) with pinned versions.
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { parseAllDocuments } from "yaml";
import { toolCache } from "./cache";

const execFileAsync = promisify(execFile);

export const KUBERNETES_VALIDATE_VERSION = "1.37.0";
/** kubernetes-validate's own validator dependency, pinned so CRD checks do not drift. */
export const JSONSCHEMA_VERSION = "4.26.0";
export const DEFAULT_KUBERNETES_VERSION = "1.33.0";

const repoRoot = path.resolve(__dirname, "..", "..");
const pythonPackagesDir = toolCache("kube-validate", `kubernetes-validate-${KUBERNETES_VALIDATE_VERSION}-jsonschema-${JSONSCHEMA_VERSION}`);
const crdValidateScript = path.join(__dirname, "crd_validate.py");

export interface ValidateManifestsOptions {
  /** Kubernetes version whose schemas apply, e.g. "1.33.0"; defaults to DEFAULT_KUBERNETES_VERSION. */
  kubernetesVersion?: string;
  /** YAML texts holding CustomResourceDefinitions; custom resources are checked against them. */
  customResourceDefinitions?: string[];
}

export interface ManifestDocument {
  apiVersion: string;
  kind: string;
  [field: string]: unknown;
}

/** Splits a multi-document YAML text into objects; empty documents are dropped, syntax errors throw. */
export function parseManifestDocuments(yamlText: string): ManifestDocument[] {
  const docs: ManifestDocument[] = [];
  for (const doc of parseAllDocuments(yamlText)) {
    if (doc.errors.length > 0) {
      throw new Error(`YAML syntax error: ${doc.errors.map((e) => e.message).join("; ")}`);
    }
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) continue;
    if (typeof value !== "object" || Array.isArray(value)) {
      throw new Error("every YAML document must be a mapping with apiVersion and kind");
    }
    const obj = value as Record<string, unknown>;
    if (typeof obj.apiVersion !== "string" || typeof obj.kind !== "string") {
      throw new Error(`document without apiVersion/kind: ${JSON.stringify(obj).slice(0, 200)}`);
    }
    docs.push(obj as ManifestDocument);
  }
  return docs;
}

/** "group/version" keys of the kinds the given CRDs define, e.g. "metallb.io/v1beta1 IPAddressPool". */
export function customResourceKindKeys(crds: ManifestDocument[]): Set<string> {
  const keys = new Set<string>();
  for (const crd of crds) {
    if (crd.kind !== "CustomResourceDefinition") continue;
    const spec = crd.spec as { group: string; names: { kind: string }; versions: { name: string }[] };
    for (const v of spec.versions) keys.add(`${spec.group}/${v.name} ${spec.names.kind}`);
  }
  return keys;
}

/** Marks a custom resource: its apiVersion has a dotted group that is not a Kubernetes API group. */
/** API groups under k8s.io that no apiserver serves itself: their kinds come from CRDs. */
const CRD_SERVED_K8S_GROUPS = new Set(["gateway.networking.k8s.io"]);

export function looksLikeCustomResource(doc: ManifestDocument): boolean {
  const slash = doc.apiVersion.indexOf("/");
  if (slash < 0) return false; // core group "v1"
  const group = doc.apiVersion.slice(0, slash);
  return CRD_SERVED_K8S_GROUPS.has(group) || (group.includes(".") && !group.endsWith(".k8s.io"));
}

let installation: Promise<string> | undefined;

/** Installs the pinned Python packages once per checkout; concurrent installers race safely by rename. */
export function ensurePythonValidators(): Promise<string> {
  installation ??= (async () => {
    const marker = path.join(pythonPackagesDir, "kubernetes_validate", "__main__.py");
    if (fs.existsSync(marker)) return pythonPackagesDir;
    fs.mkdirSync(path.dirname(pythonPackagesDir), { recursive: true });
    const staging = `${pythonPackagesDir}.staging-${process.pid}-${randomBytes(4).toString("hex")}`;
    // The interpreter itself, not a version manager's shim: pyenv's shim rehashes after every
    // `pip install` and fails the install when a killed process left its lock file behind.
    const { stdout: python } = await execFileAsync("python3", ["-c", "import sys; print(sys.executable)"]);
    await execFileAsync(
      python.trim(),
      [
        "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-input",
        "--target", staging,
        `kubernetes-validate==${KUBERNETES_VALIDATE_VERSION}`,
        `jsonschema==${JSONSCHEMA_VERSION}`,
      ],
      { maxBuffer: 16 * 1024 * 1024, timeout: 600_000 },
    );
    try {
      fs.renameSync(staging, pythonPackagesDir);
    } catch (err) {
      // Another process finished first; its copy is identical.
      fs.rmSync(staging, { recursive: true, force: true });
      if (!fs.existsSync(marker)) throw err;
    }
    return pythonPackagesDir;
  })();
  installation.catch(() => (installation = undefined));
  return installation;
}

interface ProcessResult {
  code: number;
  output: string;
}

async function runPython(args: string[], packagesDir: string, stdin?: string): Promise<ProcessResult> {
  const env = { ...process.env, PYTHONPATH: packagesDir, PYTHONDONTWRITEBYTECODE: "1" };
  return new Promise((resolve, reject) => {
    const child = execFile(
      "python3",
      args,
      { env, maxBuffer: 16 * 1024 * 1024, timeout: 300_000 },
      (error, stdout, stderr) => {
        const output = `${stdout}${stderr}`;
        if (error && typeof error.code !== "number") reject(error);
        else resolve({ code: error ? (error.code as number) : 0, output });
      },
    );
    if (stdin !== undefined) child.stdin?.end(stdin);
  });
}

function toYaml(docs: ManifestDocument[]): string {
  // JSON is YAML; one JSON document per YAML document keeps the split exact.
  return docs.map((d) => `---\n${JSON.stringify(d)}\n`).join("");
}

export async function validateManifests(
  yamlText: string,
  opts?: ValidateManifestsOptions,
): Promise<{ ok: boolean; output: string }> {
  const kubernetesVersion = opts?.kubernetesVersion ?? DEFAULT_KUBERNETES_VERSION;
  let docs: ManifestDocument[];
  let crds: ManifestDocument[];
  try {
    docs = parseManifestDocuments(yamlText);
    crds = (opts?.customResourceDefinitions ?? []).flatMap(parseManifestDocuments);
  } catch (err) {
    return { ok: false, output: (err as Error).message };
  }
  if (docs.length === 0) return { ok: false, output: "no Kubernetes documents to validate" };

  const crdKinds = customResourceKindKeys(crds);
  const custom = docs.filter((d) => crdKinds.has(`${d.apiVersion} ${d.kind}`) || looksLikeCustomResource(d));
  const builtIn = docs.filter((d) => !custom.includes(d));

  const packagesDir = await ensurePythonValidators();
  const lines: string[] = [];
  let ok = true;

  if (builtIn.length > 0) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kube-validate-"));
    try {
      const file = path.join(dir, "manifests.yaml");
      fs.writeFileSync(file, toYaml(builtIn));
      const result = await runPython(
        ["-m", "kubernetes_validate", "--strict", "-k", kubernetesVersion, file],
        packagesDir,
      );
      lines.push(result.output.trim());
      // kubernetes-validate only warns (exit 0) for kinds it has no schema for; that is a failure here.
      if (result.code !== 0 || /Couldn't find schema|ERROR/.test(result.output)) ok = false;
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  if (custom.length > 0) {
    const result = await runPython(
      [crdValidateScript],
      packagesDir,
      JSON.stringify({ crds, documents: custom }),
    );
    lines.push(result.output.trim());
    if (result.code !== 0) ok = false;
  }

  return { ok, output: lines.filter((l) => l.length > 0).join("\n") };
}

/**
 * CustomResourceDefinitions from package registries, pinned and verified, so the custom-resource
 * checks run on a clean machine too. Each source is a Go module pinned in tools/crds/go.mod (with
 * go.sum): `go mod download -json <module>` there fetches the module zip through the Go module
 * proxy and reports its directory; the CRD files named here are concatenated into
 * ~/.cache/onprem-k8s/crds/<name>.yaml. Nothing fetched is committed.
 */
export const CRD_SOURCES = {
  /** MetalLB v0.16.1, the pinned metallb chart's appVersion. */
  "metallb-v0.16.1": {
    module: "go.universe.tf/metallb",
    files: [
      "config/crd/bases/metallb.io_ipaddresspools.yaml",
      "config/crd/bases/metallb.io_l2advertisements.yaml",
      "config/crd/bases/metallb.io_bgpadvertisements.yaml",
      "config/crd/bases/metallb.io_bgppeers.yaml",
      "config/crd/bases/metallb.io_bfdprofiles.yaml",
      "config/crd/bases/metallb.io_communities.yaml",
    ],
  },
  /**
   * Calico Installation (operator) and FelixConfiguration CRDs of Calico v3.30.1 (tigera/operator
   * v1.38.1), the same minor as the pinned tigera-operator chart v3.30.3: the newest release whose
   * commit the Go module proxy serves (see tools/crds/go.mod).
   */
  "calico-v3.30.1": {
    module: "github.com/projectcalico/calico",
    files: [
      "charts/tigera-operator/crds/operator.tigera.io_installations_crd.yaml",
      "libcalico-go/config/crd/crd.projectcalico.org_felixconfigurations.yaml",
    ],
  },
  /**
   * Gateway API v1.6.1, standard channel: the release Traefik v3.7 implements, whose
   * standard-install.yaml the traefik ingress applies (these files are what it is built from:
   * the CRDs and the safe-upgrades ValidatingAdmissionPolicy with its binding).
   */
  "gateway-api-v1.6.1": {
    module: "sigs.k8s.io/gateway-api",
    files: [
      "config/crd/standard/gateway.networking.k8s.io_gatewayclasses.yaml",
      "config/crd/standard/gateway.networking.k8s.io_gateways.yaml",
      "config/crd/standard/gateway.networking.k8s.io_httproutes.yaml",
      "config/crd/standard/gateway.networking.k8s.io_grpcroutes.yaml",
      "config/crd/standard/gateway.networking.k8s.io_referencegrants.yaml",
      "config/crd/standard/gateway.networking.k8s.io_backendtlspolicies.yaml",
      "config/crd/standard/gateway.networking.k8s.io_listenersets.yaml",
      "config/crd/standard/gateway.networking.k8s.io_tlsroutes.yaml",
      "config/crd/standard/gateway.networking.k8s.io_tcproutes.yaml",
      "config/crd/standard/gateway.networking.k8s.io_udproutes.yaml",
      "config/crd/standard/gateway.networking.k8s.io_vap_safeupgrades.yaml",
    ],
  },
} as const;
export type CrdSourceName = keyof typeof CRD_SOURCES;

const crdToolsModuleDir = path.join(repoRoot, "tools", "crds");
const crdCacheDir = toolCache("crds");
const crdLoads = new Map<CrdSourceName, Promise<string>>();

/** Fetches (once) and returns the CRD YAML of a source; throws with the reason when it cannot. */
export function fetchCrds(name: CrdSourceName): Promise<string> {
  let load = crdLoads.get(name);
  if (!load) {
    load = (async () => {
      const target = path.join(crdCacheDir, `${name}.yaml`);
      if (fs.existsSync(target)) return fs.readFileSync(target, "utf8");
      const source = CRD_SOURCES[name];
      const { stdout } = await execFileAsync("go", ["mod", "download", "-json", source.module], {
        cwd: crdToolsModuleDir,
        maxBuffer: 16 * 1024 * 1024,
        timeout: 300_000,
      });
      const info = JSON.parse(stdout) as { Dir?: string; Error?: string; Version?: string };
      if (info.Error || !info.Dir) throw new Error(`go mod download ${source.module}: ${info.Error ?? "no directory reported"}`);
      const texts = source.files.map((file) => {
        const p = path.join(info.Dir!, file);
        if (!fs.existsSync(p)) throw new Error(`${source.module}@${info.Version} has no ${file}`);
        return `# ${source.module}@${info.Version}: ${file}\n---\n${fs.readFileSync(p, "utf8")}`;
      });
      fs.mkdirSync(crdCacheDir, { recursive: true });
      const staging = `${target}.staging-${process.pid}-${randomBytes(4).toString("hex")}`;
      fs.writeFileSync(staging, texts.join("\n---\n"));
      fs.renameSync(staging, target);
      return fs.readFileSync(target, "utf8");
    })();
    load.catch(() => crdLoads.delete(name));
    crdLoads.set(name, load);
  }
  return load;
}

/**
 * CRDs for a test: the text, or undefined when they cannot be had on a developer machine without
 * the Go toolchain or the proxy (the caller skips, saying why). Under CI (CI=true) a missing CRD
 * is an error, so a schema check never silently vanishes there.
 */
export async function crdsForTest(name: CrdSourceName): Promise<string | undefined> {
  try {
    return await fetchCrds(name);
  } catch (err) {
    const message = `CRDs ${name} unavailable: ${(err as Error).message}`;
    if (process.env.CI === "true") throw new Error(`${message} (required under CI)`);
    console.warn(`${message}; skipping the checks that need them`);
    return undefined;
  }
}
