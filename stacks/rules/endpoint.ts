// The API endpoint: the VIP and its port (its collisions with other roles' addresses: addresses.ts).
import { addressInBlock } from "../network";
import { type Problem, type Rule, error, unusableHostAddress } from "./common";

export const endpointRules: Rule[] = [
  {
    uses: ["endpoint", "network", "controlPlane", "workerPools", "addons.loadBalancer"],
    check(c) {
      const problems: Problem[] = [];
      const { mode, vip, dnsName } = c.endpoint;
      if (mode !== "external" && !vip) {
        problems.push(error("endpoint.vip", vip, `endpoint mode ${mode} needs a virtual IP`, "set cluster.endpoint.vip to a free address in the node subnet"));
      }
      if (mode === "external" && !vip && !dnsName) {
        problems.push(error("endpoint", undefined, "an external load balancer needs an address or a DNS name", "set cluster.endpoint.vip or cluster.endpoint.dnsName to the load balancer's frontend"));
      }
      if (!vip) return problems;
      if (mode !== "external" && !addressInBlock(vip, c.network.subnet)) {
        problems.push(error("endpoint.vip", vip, `the VIP is outside the node subnet ${c.network.subnet}: ARP/VRRP can only announce it on the nodes' own segment`, `pick a free address inside ${c.network.subnet}`));
      }
      const unusable = unusableHostAddress(c, vip, "the VIP");
      if (unusable) problems.push(error("endpoint.vip", vip, unusable.problem, unusable.fix));
      return problems;
    },
  },
  {
    uses: ["endpoint"],
    check(c) {
      if (c.endpoint.mode === "keepalived-haproxy" && c.endpoint.port === 6443) {
        return [error("endpoint.port", 6443, "haproxy runs on the control planes, where the apiserver already listens on 6443", "use another port for the VIP, e.g. 8443 (the default) or 16443")];
      }
      return [];
    },
  },
  {
    uses: ["endpoint", "checks"],
    check(c) {
      if (c.checks.vipFailover && c.endpoint.mode === "external") {
        return [error("checks.vipFailover", true, "the VIP failover check stops keepalived or kube-vip on the control plane holding the VIP; with an external load balancer the program holds no VIP", "set cluster.checks.vipFailover to false, or use endpoint.mode kube-vip or keepalived-haproxy")];
      }
      return [];
    },
  },
];
