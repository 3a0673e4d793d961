// The fault harness's result table (npm run faults): one row per fault, in the order they ran.

export interface FaultRow {
  fault: string;
  where: string;
  recoveredBy: string;
  converged: boolean;
  minutes: number;
  /** Why a row did not converge (the first failed check). */
  reason?: string;
}

/** A Markdown table (for the README and the closing note), rows in order, failures explained. */
export function faultTable(rows: FaultRow[]): string {
  const header = ["fault", "where", "recovered by", "converged", "minutes"];
  const body = rows.map((r) => [r.fault, r.where, r.recoveredBy, r.converged ? "yes" : `no: ${r.reason ?? "?"}`, r.minutes.toFixed(1)]);
  const line = (cells: string[]) => `| ${cells.map((c) => c.replaceAll("|", "\\|")).join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...body.map(line)].join("\n");
}
