// The README's pinned-chart table, rendered from components/addons/charts.ts.
import { PINNED_CHARTS } from "../components/addons/charts";

export const CHARTS_START = "<!-- pinned-charts:start (test/readme.test.ts keeps this table in step with charts.ts) -->";
export const CHARTS_END = "<!-- pinned-charts:end -->";

export function pinnedChartsTable(): string {
  const rows = Object.values(PINNED_CHARTS).map(
    (chart) => `| ${chart.chart} | ${chart.version} | ${chart.appVersion} | ${chart.defaultRepositoryUrl} | ${chart.defaultImageRegistry} |`,
  );
  return [CHARTS_START, "| chart | version | app version | default repository | default registry |", "|---|---|---|---|---|", ...rows, CHARTS_END].join("\n");
}

export function withPinnedCharts(readme: string): string {
  const start = readme.indexOf(CHARTS_START);
  const end = readme.indexOf(CHARTS_END);
  if (start < 0 || end < start) throw new Error("README.md has no pinned-charts markers");
  return readme.slice(0, start) + pinnedChartsTable() + readme.slice(end + CHARTS_END.length);
}
