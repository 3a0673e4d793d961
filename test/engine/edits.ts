// Description edits the engine tests apply to a stack, and what they read from the engine's output.

/** One more worker in the first pool (a new address, and a name where the pool names them). */
export function addOneWorker(cluster: any): void {
  const pool = cluster.workerPools[0];
  const used = new Set<string>([...cluster.controlPlane.addresses, ...cluster.workerPools.flatMap((p: any) => p.addresses), cluster.endpoint?.vip, cluster.network.gateway]);
  const [a, b, c, d] = pool.addresses.at(-1).split(".").map(Number);
  let last = d + 1;
  while (used.has(`${a}.${b}.${c}.${last}`)) last++;
  pool.addresses.push(`${a}.${b}.${c}.${last}`);
  pool.names?.push(`${pool.name}-added`);
}

/**
 * Delete operations in the order the engine finished them. `pulumi destroy --json` prints the
 * plan's summary and then the engine's events, as one JSON value after another.
 */
export function deletionOrder(jsonOutput: string): string[] {
  const values: unknown[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < jsonOutput.length; i++) {
    const ch = jsonOutput[i];
    if (inString) {
      if (ch === "\\") i++;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (ch === "{") {
      if (depth++ === 0) start = i;
    } else if (ch === "}" && --depth === 0) values.push(JSON.parse(jsonOutput.slice(start, i + 1)));
  }
  return values.flatMap((value) => {
    const event = value as { resOutputsEvent?: { metadata: { op: string; urn: string } } };
    return event.resOutputsEvent?.metadata.op === "delete" ? [event.resOutputsEvent.metadata.urn] : [];
  });
}

/** Two of three named control planes swapped for new hosts in one change (below etcd quorum). */
export function swapTwoControlPlanes(cluster: any): void {
  const planes = cluster.controlPlane;
  const [a, b, c] = planes.addresses[0].split(".").map(Number);
  planes.names = [planes.names[0], `${planes.names[0]}-new-1`, `${planes.names[0]}-new-2`];
  planes.addresses = [planes.addresses[0], `${a}.${b}.${c}.241`, `${a}.${b}.${c}.242`];
}
