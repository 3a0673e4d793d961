// The rolling upgrade's settings (docs/upgrades.md).
import { type Rule, warning } from "./common";

export const upgradeRules: Rule[] = [
  {
    // A batch is drained at once: with every worker in it, nothing is left to run their pods.
    uses: ["kubernetes.upgrade", "workerPools", "profile"],
    check(c) {
      const workers = c.workerPools.reduce((sum, pool) => sum + pool.addresses.length, 0);
      const size = c.kubernetes.upgrade.workerBatchSize;
      if (c.profile !== "prod" || workers < 2 || size < workers) return [];
      return [
        warning(
          "kubernetes.upgrade.workerBatchSize",
          size,
          `an upgrade drains all ${workers} workers at once: their pods have nowhere to go until the batch is back`,
          `use a batch smaller than the number of workers, e.g. ${Math.max(1, Math.floor(workers / 3))} (the prod default is 1)`,
        ),
      ];
    },
  },
];
