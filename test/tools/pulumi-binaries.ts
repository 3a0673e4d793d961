// Builds what the real-engine tests (test/engine) run: the Pulumi CLI (tools/pulumi), the Node.js
// language host (tools/pulumi-language-nodejs) and the project's stand-in provider plugins
// (test/providers), and gathers them in one directory to put first on PATH: the CLI finds its
// language host and provider plugins there ("ambient plugins"), never downloading any.
// Cached like the other Go tools (go-binaries.ts); the stand-ins are keyed by a hash of their
// sources, so editing them rebuilds them and nothing else.
import { createHash } from "node:crypto";
import { promises as fs } from "node:fs";
import * as path from "node:path";
import { buildOnce, cacheDir, goBuild, toolsModule } from "./go-binaries";
import { runProcess } from "./process";

/** The CLI's version: @pulumi/pulumi's in package.json; keep in step with tools/pulumi/go.mod. */
export const PINNED_PULUMI_VERSION = "v3.248.0";
/** The last sdk/v3 that holds the language host (see tools/pulumi-language-nodejs/go.mod). */
export const PINNED_LANGUAGE_HOST_VERSION = "v3.68.0";

/** The packages the program uses, each served by a stand-in plugin built from test/providers. */
export const STANDIN_PROVIDERS = ["command", "random", "tls", "vsphere", "proxmoxve", "kubernetes"] as const;

const providersDir = path.resolve(__dirname, "..", "providers");
// Both report their pinned version (an unstamped build says v0.0.0 and the CLI warns about it).
const versionFlag = (version: string) => `-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=${version}`;

/** The Pulumi CLI, built on first use (10 to 20 minutes cold on 2 cores). */
export function pulumiCli(): Promise<string> {
  return buildOnce(path.join(cacheDir, `pulumi-${PINNED_PULUMI_VERSION}`), (target) =>
    goBuild(target, toolsModule("pulumi"), "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi", versionFlag(PINNED_PULUMI_VERSION)),
  );
}

/** The Node.js language host, built on first use (under a minute after the CLI). */
export function languageHost(): Promise<string> {
  return buildOnce(path.join(cacheDir, `pulumi-language-nodejs-${PINNED_LANGUAGE_HOST_VERSION}`), (target) =>
    goBuild(target, toolsModule("pulumi-language-nodejs"), "github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs", versionFlag(PINNED_LANGUAGE_HOST_VERSION)),
  );
}

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((e) => {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) return sourceFiles(full);
      return Promise.resolve(/\.go$|^go\.(mod|sum)$/.test(e.name) && !e.name.endsWith("_test.go") ? [full] : []);
    }),
  );
  return nested.flat().sort();
}

/** A hash of the stand-ins' sources (tests excluded): their cache key. */
export async function standinSourceHash(): Promise<string> {
  const hash = createHash("sha256");
  for (const file of await sourceFiles(providersDir)) {
    hash.update(path.relative(providersDir, file)).update("\0").update(await fs.readFile(file)).update("\0");
  }
  return hash.digest("hex").slice(0, 16);
}

/** The stand-in plugin for `name`, built from test/providers/<name>/cmd/pulumi-resource-<name>. */
export async function standinProvider(name: (typeof STANDIN_PROVIDERS)[number]): Promise<string> {
  const dir = path.join(cacheDir, `standin-providers-${await standinSourceHash()}`);
  await fs.mkdir(dir, { recursive: true });
  return buildOnce(path.join(dir, `pulumi-resource-${name}`), (target) => goBuild(target, providersDir, `./${name}/cmd/pulumi-resource-${name}`, "-s -w"));
}

/**
 * `go test` over the stand-ins (test/providers.test.ts). The same flags as their builds, so the
 * two share compiled packages; a timeout below the test's own, so a hang prints its goroutines.
 */
export function providerTests(extraArgs: string[] = []) {
  return runProcess("go", ["test", "-trimpath", "-timeout", "150s", ...extraArgs, "./..."], {
    cwd: providersDir,
    env: { ...process.env, CGO_ENABLED: "0" },
    allowFail: true,
    timeoutMs: 300_000,
  });
}

/** Compiles the stand-ins' tests without running any, so the test itself only links and runs. */
export async function compileProviderTests(): Promise<void> {
  const r = await providerTests(["-run", "^$"]);
  if (r.status !== 0) throw new Error(`compiling the stand-in providers' tests failed:\n${r.output}`);
}

/**
 * A directory holding `pulumi`, `pulumi-language-nodejs` and every `pulumi-resource-<name>` stand-in
 * (symbolic links into the cache), building what is missing. The CLI first, then the rest: they
 * share most packages through the Go build cache.
 */
export async function pulumiBinDir(): Promise<string> {
  const links: [string, string][] = [["pulumi", await pulumiCli()], ["pulumi-language-nodejs", await languageHost()]];
  for (const name of STANDIN_PROVIDERS) links.push([`pulumi-resource-${name}`, await standinProvider(name)]);
  const dir = path.join(cacheDir, `pulumi-bin-${await standinSourceHash()}`);
  await fs.mkdir(dir, { recursive: true });
  for (const [name, target] of links) {
    const link = path.join(dir, name);
    if (await fs.readlink(link).catch(() => undefined) === target) continue;
    // A new link renamed over the old one: other test workers may be reading the directory.
    const partial = `${link}.partial-${process.pid}`;
    await fs.rm(partial, { force: true });
    await fs.symlink(target, partial);
    await fs.rename(partial, link);
  }
  return dir;
}
