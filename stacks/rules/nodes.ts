// Node lists and the node network: counts, names, addresses inside the subnet.
import { addressInBlock, contains, isNetworkAddress, parseBlock } from "../network";
import { PROFILES } from "../profiles";
import { dnsLabelProblem } from "../formats";
import { P, type Problem, type Rule, addressEntries, error, networkAddressOf } from "./common";

export const nodesRules: Rule[] = [
  {
    uses: ["controlPlane", "profile"],
    check(c) {
      const count = c.controlPlane.count ?? c.controlPlane.addresses.length;
      // A count that disagrees with the addresses, or no control plane at all, is reported below.
      if (count === 0 || (c.controlPlane.count !== undefined && c.controlPlane.count !== c.controlPlane.addresses.length)) return [];
      const problems: Problem[] = [];
      if (count % 2 === 0) {
        const minimum = PROFILES[c.profile].minimum.controlPlanes;
        const options = [count - 1, count + 1].filter((n) => n >= minimum);
        problems.push(
          error(
            c.controlPlane.count === undefined ? "controlPlane.addresses" : "controlPlane.count",
            count,
            `${count} control planes: stacked etcd needs an odd number of members to keep quorum (${count} tolerates no more failures than ${count - 1})`,
            `use ${options.join(" or ")} control planes`,
          ),
        );
      }
      return problems;
    },
  },
  {
    uses: ["controlPlane", "workerPools", "profile"],
    check(c) {
      const problems: Problem[] = [];
      const minimum = PROFILES[c.profile].minimum;
      const workers = c.workerPools.reduce((sum, pool) => sum + pool.addresses.length, 0);
      // Whether `n` machines in the group would pass the other rules (odd control planes, profile minimums).
      const acceptable = (group: { path: string; addresses: string[] }, n: number) =>
        group.path === "controlPlane" ? n % 2 === 1 && n >= minimum.controlPlanes : workers - group.addresses.length + n >= minimum.workers;
      const groups = [
        { path: "controlPlane", count: c.controlPlane.count, addresses: c.controlPlane.addresses, names: c.controlPlane.names },
        ...c.workerPools.map((pool, p) => ({ path: `workerPools[${p}]`, count: pool.count, addresses: pool.addresses, names: pool.names })),
      ];
      for (const group of groups) {
        if (group.count !== undefined && group.count !== group.addresses.length) {
          const listed = group.addresses.length;
          const options = [
            acceptable(group, group.count) ? `list exactly ${group.count} address${group.count === 1 ? "" : "es"} in ${P(group.path)}.addresses` : undefined,
            acceptable(group, listed) && listed > 0 ? `remove count (it then follows the ${listed} listed address${listed === 1 ? "" : "es"})` : undefined,
          ].filter((option): option is string => option !== undefined);
          const fix = options.length > 0 ? options.join(", or ") : group.path === "controlPlane" ? `list an odd number of control-plane addresses (at least ${minimum.controlPlanes}) and remove count` : `list the pool's addresses (the ${c.profile} profile needs ${minimum.workers} workers in all) and remove count`;
          const removable = acceptable(group, listed) && listed > 0;
          problems.push(error(`${group.path}.count`, group.count, `count is ${group.count} but ${listed} addresses are listed`, fix, removable ? { path: [...pathKeys(group.path), "count"], remove: true } : undefined));
        }
        if (group.names && group.names.length !== group.addresses.length) {
          problems.push(
            error(`${group.path}.names`, group.names, `${group.names.length} names for ${group.addresses.length} addresses`, "give one name per address, or drop `names` to use generated ones"),
          );
        }
      }
      if (c.controlPlane.addresses.length === 0) {
        problems.push(error("controlPlane.addresses", [], "no control plane is listed", "list at least one control-plane address"));
      }
      return problems;
    },
  },
  {
    uses: ["profile", "controlPlane", "workerPools"],
    check(c) {
      const minimum = PROFILES[c.profile].minimum;
      const workers = c.workerPools.reduce((sum, pool) => sum + pool.addresses.length, 0);
      const problems: Problem[] = [];
      if (c.controlPlane.addresses.length < minimum.controlPlanes) {
        problems.push(error("controlPlane.addresses", c.controlPlane.addresses, `the ${c.profile} profile needs at least ${minimum.controlPlanes} control planes, got ${c.controlPlane.addresses.length}`, `list ${minimum.controlPlanes} control-plane addresses, or use profile poc`));
      }
      if (workers < minimum.workers) {
        problems.push(error("workerPools", workers, `the ${c.profile} profile needs at least ${minimum.workers} workers, got ${workers}`, `add workers to cluster.workerPools (at least ${minimum.workers})`));
      }
      return problems;
    },
  },
  {
    uses: ["name", "controlPlane", "workerPools"],
    check(c) {
      const problems: Problem[] = [];
      const seenNames = new Map<string, string>();
      for (const entry of addressEntries(c)) {
        const nameOwner = seenNames.get(entry.name);
        if (nameOwner) {
          problems.push(error(entry.path.replace(/addresses/, "names"), entry.name, `node name ${entry.name} is used twice (also by the node at ${P(nameOwner)})`, "give every node a unique name"));
        }
        seenNames.set(entry.name, entry.path);
      }
      return problems;
    },
  },
  {
    uses: ["network", "controlPlane", "workerPools"],
    check(c) {
      const problems: Problem[] = [];
      const subnet = parseBlock(c.network.subnet);
      for (const entry of addressEntries(c)) {
        const address = parseBlock(entry.address);
        if (!contains(subnet, address)) {
          problems.push(error(entry.path, entry.address, `node address is outside the node subnet ${c.network.subnet}`, `use an address inside ${c.network.subnet}, or correct cluster.network.subnet`));
        } else if (address.first === subnet.first || address.first === subnet.last) {
          problems.push(error(entry.path, entry.address, `node address is the network or broadcast address of ${c.network.subnet}`, "use a host address"));
        }
      }
      return problems;
    },
  },
  {
    uses: ["network"],
    check(c) {
      const problems: Problem[] = [];
      if (!isNetworkAddress(c.network.subnet)) {
        problems.push(error("network.subnet", c.network.subnet, "host bits are set in the subnet", `write the network address, e.g. ${networkAddressOf(c.network.subnet)}`));
      }
      if (!addressInBlock(c.network.gateway, c.network.subnet)) {
        problems.push(error("network.gateway", c.network.gateway, `the gateway is outside the node subnet ${c.network.subnet}`, "use the subnet's router address"));
      }
      return problems;
    },
  },
  {
    // Generated names `<cluster>-<pool>-<n>` must pass the same DNS-label rules as written ones
    // (kubernetes.io/hostname, the machine's host name).
    uses: ["name", "controlPlane", "workerPools"],
    check(c) {
      const groups = [
        { path: "controlPlane", field: "name", pool: "cp", names: c.controlPlane.names, count: c.controlPlane.addresses.length, source: "cluster.name" },
        ...c.workerPools.map((pool, i) => ({ path: `workerPools[${i}]`, field: `workerPools[${i}].name`, pool: pool.name, names: pool.names, count: pool.addresses.length, source: `cluster.name or cluster.workerPools[${i}].name` })),
      ];
      return groups.flatMap((group) => {
        if (group.names || group.count === 0) return [];
        const longest = `${c.name}-${group.pool}-${group.count}`;
        const problem = dnsLabelProblem(longest);
        if (!problem) return [];
        const excess = longest.length - 63;
        return [error(group.field, longest, `the generated node name ${longest} is not a valid node name: ${problem}`, `shorten ${group.source}${excess > 0 ? ` by ${excess} characters` : ""}, or give the names in ${P(group.path)}.names`)];
      });
    },
  },
  {
    // Pools are told apart by name (node names, Proxmox VMID blocks).
    uses: ["workerPools"],
    check(c) {
      return c.workerPools.flatMap((pool, i) => {
        const first = c.workerPools.findIndex((other) => other.name === pool.name);
        return first === i ? [] : [error(`workerPools[${i}].name`, pool.name, `worker pool name ${pool.name} is also used by cluster.workerPools[${first}]`, "give every worker pool its own name")];
      });
    },
  },
];

/** `workerPools[2]` -> ["workerPools", 2]. */
function pathKeys(path: string): (string | number)[] {
  return path.split(/[.[\]]/).filter(Boolean).map((key) => (/^\d+$/.test(key) ? Number(key) : key));
}
