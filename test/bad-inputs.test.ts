// What a new user meets first: every bad input to `npm run plan -- <arg>` is one error naming the
// file and the line (YAML) or the field, with the fix, and never a stack trace. The command runs
// in-process (scripts/plan/cli.ts) in a scratch copy of the project's stack files; one row runs
// the real command line as well.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { planCommand } from "../scripts/plan/cli";
import { runProcess } from "./tools/process";

const root = path.resolve(__dirname, "..");
const poc = fs.readFileSync(path.join(root, "Pulumi.poc.yaml"), "utf8");

const scratchDirs: string[] = [];
afterAll(() => {
  for (const dir of scratchDirs) fs.rmSync(dir, { recursive: true, force: true });
});

/** A scratch project: the stack files, examples/, the project file, a README and a script (removed after the file's tests). */
function scratch(files: Record<string, string> = {}): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bad-input-"));
  scratchDirs.push(dir);
  for (const file of ["Pulumi.yaml", "Pulumi.poc.yaml", "Pulumi.prod.yaml", "README.md"]) fs.copyFileSync(path.join(root, file), path.join(dir, file));
  fs.cpSync(path.join(root, "examples"), path.join(dir, "examples"), { recursive: true });
  fs.mkdirSync(path.join(dir, "scripts"));
  fs.copyFileSync(path.join(root, "scripts/plan.ts"), path.join(dir, "scripts/plan.ts"));
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}

/** The PoC stack file with one line replaced (the first line matching `from`). */
function pocWith(from: RegExp, to: string): string {
  expect(poc).toMatch(from);
  return poc.replace(from, to);
}

/** The 1-based number of the first line matching `pattern`. */
function lineOf(text: string, pattern: RegExp): number {
  const index = text.split("\n").findIndex((line) => pattern.test(line));
  expect(index).toBeGreaterThanOrEqual(0);
  return index + 1;
}

const tabbed = pocWith(/\n {4}profile: poc/, "\n\tprofile: poc");
const shortIndent = pocWith(/\n {6}gateway:/, "\n     gateway:");
const twice = pocWith(/\n {4}profile: poc/, "\n    profile: poc\n    profile: prod");

interface Row {
  name: string;
  args: string[];
  files?: Record<string, string>;
  /** The one line (file errors) or the one problem's field (description errors). */
  where: RegExp;
  problem: RegExp;
  fix: RegExp;
}

const rows: Row[] = [
  // The argument: a wrong path, a directory, a file that is no stack file.
  { name: "a stack name that does not exist", args: ["dev"], where: /^no stack file Pulumi.dev.yaml/, problem: /the stacks here are poc, prod/, fix: /or give a path such as examples\// },
  { name: "a misspelt example path", args: ["examples/proxmox-keepalived-calico.yaml"], where: /^no stack file examples\/proxmox-keepalived-calico.yaml/, problem: /did you mean examples\/proxmox-keepalived-calico-nfs.yaml\?/, fix: /examples\/ holds/ },
  { name: "a directory", args: ["examples/"], where: /^examples\/ is a directory/, problem: /not a stack file/, fix: /give one stack file, e.g. examples\/[a-z-]+\.yaml/ },
  { name: "the README given as a stack name", args: ["README.md"], where: /^README.md /, problem: /is not a stack file \(not .yaml\)/, fix: /give a stack name such as poc or a .yaml path/ },
  { name: "the README as a path", args: ["./README.md"], where: /^README.md /, problem: /is not a stack file/, fix: /a stack name such as poc/ },
  { name: "a TypeScript file", args: ["scripts/plan.ts"], where: /^scripts\/plan.ts /, problem: /is not a stack file/, fix: /a stack name such as poc/ },
  { name: "the project file", args: ["Pulumi.yaml"], where: /^Pulumi.yaml /, problem: /is the project file \(name, runtime\), not a stack/, fix: /give a stack name such as poc/ },
  { name: "a project file under another name", args: ["other.yaml"], files: { "other.yaml": "name: onprem-k8s\nruntime: nodejs\n" }, where: /^other.yaml /, problem: /is a Pulumi project file \(it has runtime:\)/, fix: /config:/ },
  { name: "an empty stack file", args: ["Pulumi.empty.yaml"], files: { "Pulumi.empty.yaml": "" }, where: /^Pulumi.empty.yaml /, problem: /is not a stack file: it holds an empty value/, fix: /config:/ },
  { name: "a stack file that is a list", args: ["Pulumi.list.yaml"], files: { "Pulumi.list.yaml": "- config\n- cluster\n" }, where: /^Pulumi.list.yaml /, problem: /holds a list, not a mapping/, fix: /config:/ },
  // YAML syntax: file:line:column, what is wrong, the fix.
  { name: "a tab indenting a key", args: ["Pulumi.tab.yaml"], files: { "Pulumi.tab.yaml": tabbed }, where: new RegExp(`^Pulumi.tab.yaml:${lineOf(tabbed, /^\tprofile/)}:1: `), problem: /a tab indents this line, and YAML indents with spaces only/, fix: /replace the tab with spaces/ },
  { name: "a key indented one space short", args: ["Pulumi.indent.yaml"], files: { "Pulumi.indent.yaml": shortIndent }, where: new RegExp(`^Pulumi.indent.yaml:${lineOf(shortIndent, /^ {5}gateway/)}:\\d+: `), problem: /indented differently from the keys beside it/, fix: /indent with spaces only, each key exactly as far as the keys beside it/ },
  { name: "a nested key on its parent's line", args: ["Pulumi.compact.yaml"], files: { "Pulumi.compact.yaml": pocWith(/\n {4}network:\n {6}subnet:/, "\n    network: subnet:") }, where: /^Pulumi.compact.yaml:\d+:\d+: /, problem: /a second `key:` follows on the same line as its parent key/, fix: /put the nested key on its own line/ },
  { name: "a key given twice", args: ["Pulumi.twice.yaml"], files: { "Pulumi.twice.yaml": twice }, where: new RegExp(`^Pulumi.twice.yaml:${lineOf(twice, /profile: prod/)}:5: `), problem: /the key profile appears twice/, fix: /keep one of them/ },
  { name: "an unclosed quote", args: ["Pulumi.quote.yaml"], files: { "Pulumi.quote.yaml": pocWith(/\n {4}name: ([a-z-]+)/, '\n    name: "$1') }, where: /^Pulumi.quote.yaml:\d+:\d+: /, problem: /not closed/, fix: /close the quoted text/ },
  { name: "an unclosed list", args: ["Pulumi.list2.yaml"], files: { "Pulumi.list2.yaml": pocWith(/dnsServers: \[([^\]]+)\]/, "dnsServers: [$1") }, where: /^Pulumi.list2.yaml:\d+:\d+: /, problem: /not closed|is not closed before this line/, fix: /close it with \]|close the quoted text, \[ list/ },
  // The file's shape: config:, the project's key.
  { name: "configuration: at the root", args: ["Pulumi.root.yaml"], files: { "Pulumi.root.yaml": poc.replace(/^config:/m, "configuration:") }, where: /^Pulumi.root.yaml /, problem: /has no config: section at the top \(found configuration:\)/, fix: /did you mean config:\? Rename configuration: to config:/ },
  { name: "the description without config: above it", args: ["Pulumi.bare.yaml"], files: { "Pulumi.bare.yaml": poc.replace(/^config:\n/m, "").replace(/^  /gm, "") }, where: /^Pulumi.bare.yaml /, problem: /has onprem-k8s:cluster: at the top, but the engine reads settings only under config:/, fix: /add a line config: above it/ },
  { name: "aliases that expand without bound", args: ["Pulumi.laughs.yaml"], files: { "Pulumi.laughs.yaml": `a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\nconfig:\n  onprem-k8s:cluster: [*d, *d, *d, *d, *d, *d, *d, *d, *d]\n` }, where: /^Pulumi.laughs.yaml: /, problem: /YAML cannot expand this file/, fix: /write the repeated parts out/ },
  { name: "a misspelt project prefix", args: ["Pulumi.prefix.yaml"], files: { "Pulumi.prefix.yaml": poc.replace("onprem-k8s:cluster:", "onpremk8s:cluster:") }, where: /^onpremk8s:cluster$/, problem: /is in the namespace onpremk8s, not this project's \(onprem-k8s\)/, fix: /did you mean onprem-k8s:cluster\?/ },
  { name: "a misspelt config key", args: ["Pulumi.key.yaml"], files: { "Pulumi.key.yaml": poc.replace("onprem-k8s:cluster:", "onprem-k8s:clustr:") }, where: /^onprem-k8s:clustr$/, problem: /is not a setting of this program/, fix: /did you mean onprem-k8s:cluster\?/ },
  { name: "a description that is text", args: ["Pulumi.text.yaml"], files: { "Pulumi.text.yaml": "config:\n  onprem-k8s:cluster: my cluster\n" }, where: /^onprem-k8s:cluster$/, problem: /the cluster description is the text "my cluster", not a mapping/, fix: /write the description as keys under onprem-k8s:cluster:/ },
  { name: "no description at all", args: ["Pulumi.none.yaml"], files: { "Pulumi.none.yaml": "config:\n  onprem-k8s:sshPrivateKey:\n    secure: v1:abc\n" }, where: /^onprem-k8s:cluster$/, problem: /the stack sets no cluster description/, fix: /add onprem-k8s:cluster: under config:/ },
  // The description: one problem each, with did you mean and a fix no other rule refuses.
  { name: "a misspelt key inside the description", args: ["Pulumi.dns.yaml"], files: { "Pulumi.dns.yaml": poc.replace("dnsServers:", "dnsServer:") }, where: /^cluster.network.dnsServer$/, problem: /unknown key "dnsServer"; did you mean dnsServers\?/, fix: /rename dnsServer to dnsServers/ },
  { name: "a worker count of 0 with two addresses", args: ["Pulumi.count.yaml"], files: { "Pulumi.count.yaml": pocWith(/\n( {8})addresses: \[192.168.100.21/, "\n$1count: 0\n$1addresses: [192.168.100.21") }, where: /^cluster.workerPools\[0\].count$/, problem: /count is 0 but 2 addresses are listed/, fix: /^remove count \(it then follows the 2 listed addresses\)$/ },
  { name: "a patch that was never released", args: ["Pulumi.patch.yaml"], files: { "Pulumi.patch.yaml": poc.replace(/version: 1\.34\.4/, "version: 1.34.99") }, where: /^cluster.kubernetes.version$/, problem: /1.34.99 was never released/, fix: /use 1.34.6/ },
  { name: "an OIDC issuer over http", args: ["Pulumi.oidc.yaml"], files: { "Pulumi.oidc.yaml": poc.replace(/\n( {6})version: 1\.34\.4\n/, "\n$1version: 1.34.4\n$1apiServer:\n$1  oidc: { issuerUrl: http://sso.example.internal, clientId: kubernetes }\n") }, where: /^cluster.kubernetes.apiServer.oidc.issuerUrl$/, problem: /the issuer must be an https:\/\/ URL/, fix: /exactly as the identity provider puts it into `iss`/ },
  { name: "an apiserver flag the program sets from a field", args: ["Pulumi.flag.yaml"], files: { "Pulumi.flag.yaml": poc.replace(/\n( {6})version: 1\.34\.4\n/, "\n$1version: 1.34.4\n$1apiServer:\n$1  extraArgs: { encryption-provider-config: /etc/enc.yaml }\n") }, where: /^cluster.kubernetes.apiServer.extraArgs.encryption-provider-config$/, problem: /set by the program from kubernetes.encryption/, fix: /set kubernetes.encryption instead/ },
  { name: "an unquoted version", args: ["Pulumi.number.yaml"], files: { "Pulumi.number.yaml": poc.replace(/version: 1\.34\.4/, "version: 1.30") }, where: /^cluster.kubernetes.version$/, problem: /found the number 1.3: YAML reads an unquoted 1.3 as a number/, fix: /quote it and give the full version/ },
  { name: "a pool block that is a bare address", args: ["Pulumi.pool.yaml"], files: { "Pulumi.pool.yaml": poc.replace("192.168.100.200-192.168.100.220", "192.168.100.200") }, where: /^cluster.addons.loadBalancer.pools\[0\].addresses\[0\]$/, problem: /MetalLB reads a single address only as a CIDR/, fix: /192.168.100.200\/32/ },
  { name: "an authorized key sshd cannot read", args: ["Pulumi.key2.yaml"], files: { "Pulumi.key2.yaml": poc.replace(/- ssh-ed25519 \S+/, "- ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7pcpExampleKeyOnlyForDocsQ0n6rZ") }, where: /^cluster.ssh.authorizedKeys\[0\]$/, problem: /not an OpenSSH public key sshd can read/, fix: /whole line of the public key file/ },
  { name: "a control plane below kubeadm's CPU minimum", args: ["Pulumi.cpu.yaml"], files: { "Pulumi.cpu.yaml": pocWith(/\n( {4})controlPlane:\n/, "\n$1controlPlane:\n$1  cpus: 1\n") }, where: /^cluster.controlPlane.cpus$/, problem: /fewer than 2 CPUs/, fix: /at least 2 vCPUs/ },
  { name: "a DNS server inside the service network", args: ["Pulumi.svc.yaml"], files: { "Pulumi.svc.yaml": poc.replace(/dnsServers: \[[^\]]+\]/, "dnsServers: [10.96.0.10]") }, where: /^cluster.kubernetes.serviceCidr$/, problem: /contains a DNS server's address 10.96.0.10/, fix: /hold no address of the site/ },
  // Node operations: refused before anything runs, naming the operation's index and field.
  { name: "a node operation of an unknown type", args: ["Pulumi.op-type.yaml"], files: { "Pulumi.op-type.yaml": `${poc}    nodeOperations:\n      - name: resolv\n        type: configFile\n        path: /etc/kubelet-resolv.conf\n` }, where: /^cluster.nodeOperations\[0\].type$/, problem: /expected one of file, patch, command, labels, taints, wait/, fix: /use one of: file, patch/ },
  { name: "a patch pattern sed -E reads differently", args: ["Pulumi.op-regex.yaml"], files: { "Pulumi.op-regex.yaml": `${poc}    nodeOperations:\n      - name: vip\n        type: patch\n        path: /etc/kubernetes/kubelet.conf\n        match: 'server: https://\\d+'\n        replace: 'server: https://192.168.100.10'\n` }, where: /^cluster.nodeOperations\[0\].match$/, problem: /operation 0 \(vip, patch\): the pattern, as GNU sed -E on the node reads it: \\d is Perl\/JavaScript syntax/, fix: /POSIX extended regular expression/ },
  { name: "an unquoted file mode", args: ["Pulumi.op-mode.yaml"], files: { "Pulumi.op-mode.yaml": `${poc}    nodeOperations:\n      - name: resolv\n        type: file\n        path: /etc/kubelet-resolv.conf\n        content: "nameserver 169.254.20.10"\n        mode: 0644\n` }, where: /^cluster.nodeOperations\[0\].mode$/, problem: /YAML read an unquoted mode as the number 644/, fix: /mode: "0644"/ },
  { name: "a node operation whose target is no node", args: ["Pulumi.op-target.yaml"], files: { "Pulumi.op-target.yaml": `${poc}    nodeOperations:\n      - name: zone\n        type: labels\n        labels: { topology.kubernetes.io/zone: a }\n        targets: { names: [nsx-poc-cp-7] }\n` }, where: /^cluster.nodeOperations\[0\].targets.names\[0\]$/, problem: /no node is named nsx-poc-cp-7; did you mean nsx-poc-cp-1\?/, fix: /use one of: nsx-poc-cp-1/ },
];

/** Runs the command in-process and collects what it printed. */
async function plan(args: string[], cwd: string) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await planCommand([...args, "--out", path.join(cwd, "out")], { out: (l) => out.push(l), err: (l) => err.push(l) }, cwd);
  return { code, stdout: out.join("\n"), stderr: err.join("\n") };
}

describe("bad inputs to npm run plan", () => {
  it.each(rows)("$name: one error with where, what and the fix, no trace", async (row) => {
    const dir = scratch(row.files);
    const run = await plan(row.args, dir);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(run.stderr).not.toMatch(/YAMLParseError|EISDIR|ENOENT|Error:/);
    const written = fs.existsSync(path.join(dir, "out")) ? fs.readdirSync(path.join(dir, "out"), { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => e.name) : [];
    const lines = run.stderr.split("\n");
    if (/^The cluster description has/m.test(run.stderr)) {
      // A refused description leaves only the marker that replaces a previous plan, named last.
      expect(written, "only REFUSED.md is written").toEqual(["REFUSED.md"]);
      expect(lines.pop()).toMatch(/^\(out\/[^/]+\/REFUSED\.md replaces the previous plan\)$/);
      // A description problem: the file, then exactly one error with field, value, problem and fix.
      expect(lines[0]).toMatch(/\.yaml:$/);
      expect(run.stderr).toMatch(/has 1 error:/);
      expect(lines[2].trim()).toMatch(new RegExp(`^1\\. ${row.where.source.replace(/^\^/, "")}`));
      expect(lines.find((l) => l.trim().startsWith("problem:"))).toMatch(row.problem);
      expect(lines.find((l) => l.trim().startsWith("fix:"))?.replace(/^\s*fix:\s+/, "")).toMatch(row.fix);
    } else {
      // A file problem: one line, nothing written.
      expect(written, "nothing is written").toEqual([]);
      expect(lines, run.stderr).toHaveLength(1);
      expect(run.stderr).toMatch(row.where);
      expect(run.stderr).toMatch(row.problem);
      expect(run.stderr).toMatch(row.fix);
    }
  });

  it("wrong usage prints the usage line and exits 2", async () => {
    const dir = scratch();
    for (const args of [[], ["poc", "prod"], ["--help"], ["poc", "--out"]]) {
      const err: string[] = [];
      const code = await planCommand(args, { out: () => {}, err: (l) => err.push(l) }, dir);
      expect(code, args.join(" ")).toBe(2);
      expect(err.join("\n")).toMatch(/^usage: npm run plan -- <stack name/);
    }
  });

  it("as a command: a YAML mistake is one line with file:line:column and the fix, exit 1", async () => {
    const dir = scratch({ "Pulumi.tab.yaml": pocWith(/\n {4}profile: poc/, "\n\tprofile: poc") });
    const run = await runProcess(process.execPath, [path.join(root, "scripts/run-compiled.js"), path.join(root, "scripts/plan.ts"), "Pulumi.tab.yaml"], { cwd: dir, allowFail: true });
    expect(run.status).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toMatch(/^Pulumi.tab.yaml:\d+:1: a tab indents this line, and YAML indents with spaces only; fix: replace the tab with spaces[^\n]*\n$/);
  });
});
