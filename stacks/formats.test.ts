import { describe, expect, it } from "vitest";
import * as f from "./formats";

describe("free-form string checks", () => {
  it("accepts what the shipped stacks and the defaults write", () => {
    expect(f.cronProblem("0 */6 * * *")).toBeUndefined();
    expect(f.cronProblem("0 2 * * MON-FRI")).toBeUndefined();
    expect(f.cronProblem("@daily")).toBeUndefined();
    expect(f.nfsServerProblem("10.0.20.5")).toBeUndefined();
    expect(f.nfsServerProblem("nfs.example.internal")).toBeUndefined();
    expect(f.exportPathProblem("/srv/nfs/k8s")).toBeUndefined();
    expect(f.devicePathProblem("/dev/sdb")).toBeUndefined();
    expect(f.interfaceNameProblem("ens192")).toBeUndefined();
    expect(f.labelKeyProblem("node-role.kubernetes.io/metallb")).toBeUndefined();
    expect(f.labelValueProblem("")).toBeUndefined();
    expect(f.registryProblem("registry.corp.example:5000/k8s")).toBeUndefined();
    expect(f.registryProblem("harbor.corp.example/k8s/")).toBeUndefined();
    expect(f.chartRepositoryProblem("oci://registry.corp.example/charts")).toBeUndefined();
    expect(f.bucketProblem("velero-backups")).toBeUndefined();
    expect(f.datastoreUrlProblem("ds:///vmfs/volumes/5f1e-aa/")).toBeUndefined();
    expect(f.userNameProblem("k8sadmin")).toBeUndefined();
    expect(f.vcenterServerProblem("VCenter7.pcp.example.internal")).toBeUndefined();
    expect(f.singleLineProblem("svc-k8s@vsphere.local")).toBeUndefined();
  });

  it("reads schedules in robfig/cron's dialect, the one Kubernetes CronJobs and Velero parse with", () => {
    expect(f.cronProblem("@every 6h")).toBeUndefined();
    expect(f.cronProblem("@every 1h30m", "velero")).toBeUndefined();
    expect(f.cronProblem("@every soon")).toMatch(/@every needs a duration such as 6h/);
    expect(f.cronProblem("0 2 * * 7")).toMatch(/7 as Sunday: .* 0-6/);
    expect(f.cronProblem("0 2 * * sun")).toBeUndefined();
    expect(f.cronProblem("0 2 L * *")).toMatch(/'L' in day-of-month is Quartz\/Jenkins syntax/);
    expect(f.cronProblem("0 2 * * 1#2")).toMatch(/'#' in day-of-week/);
    expect(f.cronProblem("H 2 * * *")).toMatch(/'H' in minute/);
    expect(f.cronProblem("0 2 * * *", "velero")).toBeUndefined();
    // Velero's parser takes a time zone prefix; a CronJob's schedule must not carry one.
    expect(f.cronProblem("CRON_TZ=Europe/Berlin 0 2 * * *", "velero")).toBeUndefined();
    expect(f.cronProblem("CRON_TZ=Mars/Olympus 0 2 * * *", "velero")).toMatch(/not a time zone/);
    expect(f.cronProblem("CRON_TZ=Europe/Berlin 0 2 * * *", "cronjob")).toMatch(/refused by Kubernetes CronJobs/);
  });

  it("refuses cron schedules Kubernetes and Velero would refuse", () => {
    expect(f.cronProblem("0 */6 * *")).toMatch(/4 fields/);
    expect(f.cronProblem("0 0 2 * * *")).toMatch(/6 fields/);
    expect(f.cronProblem("0 24 * * *")).toMatch(/expected range 0-23/);
    expect(f.cronProblem("0 0 31 2 *")).toMatch(/not a valid schedule/);
    expect(f.cronProblem("TZ=UTC 0 2 * * *")).toMatch(/time zone/);
    expect(f.cronProblem("@reboot")).toMatch(/not a schedule macro/);
  });

  it("refuses strings their consumers cannot take", () => {
    expect(f.nfsServerProblem("nfs:/srv/k8s")).toMatch(/mount syntax/);
    expect(f.nfsServerProblem("NFS Server")).toMatch(/not a host name/);
    expect(f.exportPathProblem("srv/nfs")).toMatch(/absolute/);
    expect(f.exportPathProblem("/srv/../etc")).toMatch(/'\.\.'/);
    expect(f.interfaceNameProblem("eth0:1")).toMatch(/cannot/);
    expect(f.labelKeyProblem("example.com/")).toMatch(/name part/);
    expect(f.labelValueProblem("-x")).toMatch(/starting and ending/);
    expect(f.labelValueProblem("x".repeat(64))).toMatch(/at most 63/);
    expect(f.registryProblem("Registry.corp")).toMatch(/not a registry host/);
    expect(f.bucketProblem("ab")).toMatch(/3-63/);
    expect(f.noProxyEntryProblem("a b")).toMatch(/blanks/);
    expect(f.userNameProblem("1admin")).toMatch(/not a Linux user name/);
    expect(f.dnsLabelProblem("a".repeat(64))).toMatch(/64 characters/);
    expect(f.vcenterServerProblem("https://vcenter.example/sdk")).toMatch(/a URL/);
    expect(f.singleLineProblem("DC1\nDC2")).toMatch(/line break/);
  });
});
