// Runs the add-on readiness gates for real (bash, exactly the command line and stdin the Pulumi
// command sends) against a stand-in kubectl that answers from a script: not ready N times, then
// ready; or never ready. The stand-in records every call, so the tests also prove what a gate
// never does: touch the MetalLB webhook configuration (seed 000, T-048/T-049).
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runProcess } from "../../test/tools/process";
import { SCRIPTS, scriptCommandLine } from "./index";
import { METALLB_NAMESPACE } from "./metallb/values";

const STANDINS = path.resolve(__dirname, "../../test/sandbox/standins-addons");
const KUBECONFIG = "/etc/kubernetes/admin.conf";

interface Answer {
  exit?: number;
  out?: string;
}

interface Call {
  args: string;
  kubeconfig: string;
}

interface GateRun {
  status: number;
  stdout: string;
  stderr: string;
  seconds: number;
}

/** A kubectl whose answers the test scripts, per command (glob on its arguments). */
class ScriptedKubectl {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), "kubectl-standin-"));
  private routes = 0;

  constructor() {
    fs.mkdirSync(path.join(this.dir, "answers"));
    fs.writeFileSync(path.join(this.dir, "routes"), "");
  }

  /** Calls matching `glob` get these answers in order; the last one repeats. */
  on(glob: string, ...answers: Answer[]): this {
    const name = `a${this.routes++}`;
    const escape = (s: string) => s.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/\t/g, "\\t");
    fs.writeFileSync(path.join(this.dir, "answers", name), answers.map((a) => `${a.exit ?? 0}\t${escape(a.out ?? "")}\n`).join(""));
    fs.appendFileSync(path.join(this.dir, "routes"), `${glob}\t${name}\n`);
    return this;
  }

  calls(): Call[] {
    const log = path.join(this.dir, "calls.log");
    if (!fs.existsSync(log)) return [];
    return fs
      .readFileSync(log, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((line) => {
        const [args, kubeconfig] = line.split("\t");
        return { args, kubeconfig: kubeconfig.replace(/^KUBECONFIG=/, "") };
      });
  }

  stdin(): string {
    const log = path.join(this.dir, "stdin.log");
    return fs.existsSync(log) ? fs.readFileSync(log, "utf8") : "";
  }

  /** The remote command as the Pulumi command runs it: env prefix + `sudo -n -E bash -s`, script on stdin. */
  async run(scriptText: string, env: Record<string, string>): Promise<GateRun> {
    const started = Date.now();
    const r = await runProcess("bash", ["-c", scriptCommandLine(env)], {
      input: scriptText,
      // The stand-ins (kubectl, and sudo for a caller that already is root) come first.
      // HOME: bash on a socket stdin (node's pipes) reads ~/.bashrc like under sshd; not the host's.
      env: { PATH: `${STANDINS}:${process.env.PATH}`, KUBECTL_STANDIN_DIR: this.dir, HOME: this.dir },
      timeoutMs: 60_000,
      allowFail: true,
    });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr, seconds: (Date.now() - started) / 1000 };
  }

  dispose(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * Calls that are not read-only: anything but get / wait / logs and a server-side dry-run create.
 * Verbs follow kubectl's global flags (-n NS).
 */
function mutatingCalls(calls: Call[]): string[] {
  return calls
    .map((c) => c.args)
    .filter((args) => {
      const words = args.split(/\s+/);
      let i = 0;
      while (i < words.length && words[i].startsWith("-")) i += words[i] === "-n" || words[i] === "--namespace" ? 2 : 1;
      const verb = words[i];
      if (verb === "get" || verb === "wait" || verb === "logs") return false;
      return !(verb === "create" && words.includes("--dry-run=server"));
    });
}

const webhookConfigCalls = (calls: Call[]) => calls.map((c) => c.args).filter((a) => /validatingwebhookconfiguration/i.test(a) && !/^get /.test(a));

const script = (file: string) => fs.readFileSync(file, "utf8");

let kubectl: ScriptedKubectl;
afterEach(() => kubectl?.dispose());

describe("gates/metallb-webhook.sh against a scripted kubectl", () => {
  const ENDPOINTS = "*-n metallb-system get endpointslices -l kubernetes.io/service-name=metallb-webhook-service -o jsonpath=*";
  const DRY_RUN = "create --dry-run=server -o name -f -";
  const REFUSED = {
    exit: 1,
    out: 'Error from server (InternalError): error when creating "STDIN": Internal error occurred: failed calling webhook "ipaddresspoolvalidationwebhook.metallb.io": failed to call webhook: Post "https://metallb-webhook-service.metallb-system.svc:443/validate-metallb-io-v1beta1-ipaddresspool?timeout=10s": dial tcp 10.96.14.2:443: connect: connection refused\n',
  };
  const ACCEPTED = { out: "ipaddresspool.metallb.io/readiness-probe\n" };
  const env = (attempts: number, delay: string) => ({ KUBECONFIG, METALLB_NAMESPACE, GATE_ATTEMPTS: String(attempts), GATE_DELAY_SECONDS: delay });

  /** Canned answers to the diagnostics an operator would collect. */
  function withDiagnostics(k: ScriptedKubectl): ScriptedKubectl {
    return k
      .on("-n metallb-system get pods -o wide", { out: "NAME                                  READY   STATUS             RESTARTS\nmetallb-controller-7cb8d6b9d7-x2x9q   0/1     CrashLoopBackOff   5\n" })
      .on("-n metallb-system get endpointslices -o wide", { out: "NAME                            ADDRESSTYPE   PORTS     ENDPOINTS\nmetallb-webhook-service-h7k2p   IPv4          <unset>   <unset>\n" })
      .on("get validatingwebhookconfigurations -o name", { out: "validatingwebhookconfiguration.admissionregistration.k8s.io/metallb-webhook-configuration\n" })
      .on("-n metallb-system get events *", { out: "LAST SEEN   TYPE      REASON    OBJECT                                   MESSAGE\n12s         Warning   BackOff   pod/metallb-controller-7cb8d6b9d7-x2x9q   Back-off restarting failed container\n" })
      .on("-n metallb-system logs deploy/metallb-controller --tail=50", { out: '{"level":"error","msg":"failed to load certificate","error":"secret metallb-webhook-cert not found"}\n' });
  }

  it("waits until the webhook has a ready endpoint and accepts a dry-run pool, then passes", async () => {
    kubectl = withDiagnostics(new ScriptedKubectl())
      // Not ready twice, then one ready address; the first dry-run is refused (webhook not serving yet).
      .on(ENDPOINTS, { out: "" }, { out: "" }, { out: "10.244.1.7\n" })
      .on(DRY_RUN, REFUSED, ACCEPTED);
    const r = await kubectl.run(script(SCRIPTS.metallbWebhookGate), env(10, "0"));
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/attempt 1\/10: no ready endpoint[\s\S]*attempt 2\/10: no ready endpoint[\s\S]*attempt 3\/10: endpoints ready but dry-run failed: .*connection refused/);
    expect(r.stdout).toContain("ready after 4 attempt(s): 1 endpoint(s), dry-run accepted (ipaddresspool.metallb.io/readiness-probe)");
    const calls = kubectl.calls();
    expect(calls.map((c) => c.args.split(" ").slice(0, 4).join(" "))).toEqual([
      "-n metallb-system get endpointslices",
      "-n metallb-system get endpointslices",
      "-n metallb-system get endpointslices",
      DRY_RUN.split(" ").slice(0, 4).join(" "),
      "-n metallb-system get endpointslices",
      DRY_RUN.split(" ").slice(0, 4).join(" "),
    ]);
    // Only ready addresses count: the query filters on conditions.ready.
    expect(calls[0].args).toContain("endpoints[?(@.conditions.ready==true)]");
    // The probe goes through the same CRD and webhook as the real pools, in MetalLB's namespace.
    expect(kubectl.stdin()).toMatch(/kind: IPAddressPool\nmetadata:\n  name: readiness-probe\n  namespace: metallb-system\n/);
    expect(new Set(calls.map((c) => c.kubeconfig))).toEqual(new Set([KUBECONFIG]));
    expect(mutatingCalls(calls)).toEqual([]);
    expect(webhookConfigCalls(calls)).toEqual([]);
    // Success prints no diagnostics.
    expect(r.stderr).toBe("");
  });

  it("never ready: gives up after GATE_ATTEMPTS with pods, endpoints, events and controller logs, touching nothing", async () => {
    kubectl = withDiagnostics(new ScriptedKubectl()).on(ENDPOINTS, { out: "" });
    const r = await kubectl.run(script(SCRIPTS.metallbWebhookGate), env(3, "0"));
    expect(r.status).toBe(1);
    expect(r.stdout).toContain("attempt 3/3: no ready endpoint");
    expect(r.stderr).toContain("not ready after 3 attempts; diagnostics follow");
    expect(r.stderr).toContain("metallb-controller-7cb8d6b9d7-x2x9q   0/1     CrashLoopBackOff");
    expect(r.stderr).toContain("Back-off restarting failed container");
    expect(r.stderr).toContain("secret metallb-webhook-cert not found");
    expect(r.stderr).toContain("validatingwebhookconfiguration.admissionregistration.k8s.io/metallb-webhook-configuration");
    const calls = kubectl.calls();
    expect(calls.filter((c) => c.args.startsWith("-n metallb-system get endpointslices -l"))).toHaveLength(3);
    expect(calls.filter((c) => c.args.startsWith("create"))).toEqual([]);
    expect(mutatingCalls(calls)).toEqual([]);
    expect(webhookConfigCalls(calls)).toEqual([]);
  });

  it("a webhook that keeps refusing the dry-run fails the gate with the last refusal in the output", async () => {
    kubectl = withDiagnostics(new ScriptedKubectl()).on(ENDPOINTS, { out: "10.244.1.7\n" }).on(DRY_RUN, REFUSED);
    const r = await kubectl.run(script(SCRIPTS.metallbWebhookGate), env(2, "0"));
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/attempt 2\/2: endpoints ready but dry-run failed: .*failed calling webhook "ipaddresspoolvalidationwebhook\.metallb\.io"/);
    expect(mutatingCalls(kubectl.calls())).toEqual([]);
  });

  it("waits GATE_DELAY_SECONDS between attempts, not after the last one", async () => {
    kubectl = withDiagnostics(new ScriptedKubectl()).on(ENDPOINTS, { out: "" });
    const r = await kubectl.run(script(SCRIPTS.metallbWebhookGate), env(4, "2"));
    expect(r.status).toBe(1);
    // Three pauses of 2 s; a fourth would push it to 8 s. Pauses this long keep the bash and
    // scripted-kubectl overhead of a loaded machine (over 0.5 s seen) from deciding the test.
    expect(r.seconds).toBeGreaterThanOrEqual(6);
    expect(r.seconds).toBeLessThan(8);
  });

  it("rejects a bound that is not a positive number before calling kubectl", async () => {
    kubectl = new ScriptedKubectl();
    for (const bad of [env(0, "1"), { ...env(3, "1"), GATE_ATTEMPTS: "many" }, { ...env(3, "1"), GATE_DELAY_SECONDS: "-1" }]) {
      const r = await kubectl.run(script(SCRIPTS.metallbWebhookGate), bad);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/GATE_(ATTEMPTS|DELAY_SECONDS) must be/);
    }
    expect(kubectl.calls()).toEqual([]);
  });

  it("the read-only check has teeth: the T-048/T-049 workarounds (patch failurePolicy, delete the webhook) are caught", async () => {
    kubectl = withDiagnostics(new ScriptedKubectl()).on(ENDPOINTS, { out: "10.244.1.7\n" }).on(DRY_RUN, ACCEPTED).on("*", { out: "ok\n" });
    const workaround = script(SCRIPTS.metallbWebhookGate).replace(
      /^for i in /m,
      `kubectl patch validatingwebhookconfiguration metallb-webhook-configuration --type=json -p '[{"op":"replace","path":"/webhooks/0/failurePolicy","value":"Ignore"}]'
kubectl delete validatingwebhookconfiguration metallb-webhook-configuration
for i in `,
    );
    expect(workaround).not.toBe(script(SCRIPTS.metallbWebhookGate));
    const r = await kubectl.run(workaround, env(3, "0"));
    expect(r.status).toBe(0);
    expect(mutatingCalls(kubectl.calls())).toEqual([
      expect.stringMatching(/^patch validatingwebhookconfiguration/),
      expect.stringMatching(/^delete validatingwebhookconfiguration/),
    ]);
    expect(webhookConfigCalls(kubectl.calls())).toHaveLength(2);
  });
});

describe("gates/calico-ready.sh against a scripted kubectl", () => {
  const EXISTS = "get tigerastatus calico";
  const WAIT = "wait --for=condition=Available tigerastatus/calico --timeout=*";
  const NOT_FOUND = { exit: 1, out: 'Error from server (NotFound): tigerastatuses.operator.tigera.io "calico" not found\n' };
  const env = (timeout: number, interval: string) => ({ KUBECONFIG, GATE_TIMEOUT_SECONDS: String(timeout), GATE_INTERVAL_SECONDS: interval });

  function withDiagnostics(k: ScriptedKubectl): ScriptedKubectl {
    return k
      .on("get tigerastatus -o wide", { out: "NAME     AVAILABLE   PROGRESSING   DEGRADED   SINCE\ncalico   False       True          False      2m\n" })
      .on("-n tigera-operator get pods -o wide", { out: "NAME                               READY   STATUS    RESTARTS\ntigera-operator-5b7d8f8d9c-4kq2m   1/1     Running   0\n" })
      .on("-n calico-system get pods -o wide", { out: "NAME                READY   STATUS     RESTARTS\ncalico-node-9xk2d   0/1     Init:0/2   0\n" })
      .on("-n calico-system get events *", { out: "LAST SEEN   TYPE      REASON         OBJECT                  MESSAGE\n30s         Warning   FailedMount    pod/calico-node-9xk2d   MountVolume.SetUp failed for volume \"bpffs\"\n" })
      .on("-n tigera-operator logs deploy/tigera-operator --tail=50", { out: '{"level":"info","msg":"Waiting for calico-node to be ready"}\n' });
  }

  it("waits for tigerastatus/calico to exist and become Available, then passes", async () => {
    kubectl = withDiagnostics(new ScriptedKubectl())
      .on(EXISTS, NOT_FOUND, NOT_FOUND, { out: "calico\n" })
      // A wait that fails early (here: the API server dropped the watch) is retried, not fatal.
      .on(WAIT, { exit: 1, out: "error: an error on the server (\"\") has prevented the request from succeeding\n" }, { out: "tigerastatus.operator.tigera.io/calico condition met\n" });
    const r = await kubectl.run(script(SCRIPTS.calicoReadyGate), env(60, "0.05"));
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/waiting for tigerastatus\/calico to exist\n[\s\S]*waiting for tigerastatus\/calico to exist\n[\s\S]*not Available yet\n[\s\S]*calico-ready: Calico is Available\n$/);
    const calls = kubectl.calls();
    expect(calls.map((c) => c.args.replace(/--timeout=\d+s/, "--timeout=Ns"))).toEqual([
      EXISTS,
      EXISTS,
      EXISTS,
      "wait --for=condition=Available tigerastatus/calico --timeout=Ns",
      EXISTS,
      "wait --for=condition=Available tigerastatus/calico --timeout=Ns",
    ]);
    // kubectl wait never blocks beyond the gate's own bound.
    for (const c of calls.filter((c) => c.args.startsWith("wait"))) expect(Number(/--timeout=(\d+)s/.exec(c.args)![1])).toBeLessThanOrEqual(60);
    expect(new Set(calls.map((c) => c.kubeconfig))).toEqual(new Set([KUBECONFIG]));
    expect(mutatingCalls(calls)).toEqual([]);
    expect(r.stderr).toBe("");
  });

  it("never Available: gives up after GATE_TIMEOUT_SECONDS with status, pods, events and operator logs", async () => {
    kubectl = withDiagnostics(new ScriptedKubectl()).on(EXISTS, { out: "calico\n" }).on(WAIT, { exit: 1, out: "error: timed out waiting for the condition on tigerastatuses/calico\n" });
    const r = await kubectl.run(script(SCRIPTS.calicoReadyGate), env(2, "0.2"));
    expect(r.status).toBe(1);
    // Bounded: two seconds (whole-second clock) plus at most one interval, not the 900 s default.
    expect(r.seconds).toBeGreaterThanOrEqual(1);
    expect(r.seconds).toBeLessThan(4);
    expect(r.stderr).toContain("Calico not Available within 2s; diagnostics follow");
    expect(r.stderr).toContain("calico   False       True          False");
    expect(r.stderr).toContain("tigera-operator-5b7d8f8d9c-4kq2m   1/1     Running");
    expect(r.stderr).toContain("calico-node-9xk2d   0/1     Init:0/2");
    expect(r.stderr).toContain('MountVolume.SetUp failed for volume "bpffs"');
    expect(r.stderr).toContain("Waiting for calico-node to be ready");
    expect(mutatingCalls(kubectl.calls())).toEqual([]);
  });

  it("never created: the wait for the object itself is bounded too", async () => {
    kubectl = withDiagnostics(new ScriptedKubectl()).on(EXISTS, NOT_FOUND);
    const r = await kubectl.run(script(SCRIPTS.calicoReadyGate), env(1, "0.2"));
    expect(r.status).toBe(1);
    expect(r.seconds).toBeLessThan(3);
    expect(r.stdout).toContain("waiting for tigerastatus/calico to exist");
    expect(kubectl.calls().filter((c) => c.args.startsWith("wait"))).toEqual([]);
    expect(r.stderr).toContain("diagnostics follow");
  });

  it("rejects a bound or interval that is not a number before calling kubectl", async () => {
    kubectl = new ScriptedKubectl();
    for (const bad of [env(0, "1"), { ...env(5, "1"), GATE_INTERVAL_SECONDS: "soon" }]) {
      const r = await kubectl.run(script(SCRIPTS.calicoReadyGate), bad);
      expect(r.status).toBe(2);
    }
    expect(kubectl.calls()).toEqual([]);
  });
});
