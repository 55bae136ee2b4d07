/**
 * The end-of-run summary for humans, in k6's layout: one line per metric with data, tagged
 * series indented under it, then each threshold with ✓ or ✗.
 */
import type { MetricSummary, SeriesSummary } from "./metrics.ts";
import type { ThresholdResult } from "./thresholds.ts";

const round = (value: number) =>
  Number.isInteger(value) ? String(value) : Math.abs(value) >= 100 ? value.toFixed(0) : value.toFixed(2);

function describe(type: MetricSummary["type"], values: SeriesSummary): string {
  switch (type) {
    case "trend":
      return ["avg", "min", "med", "max", "p(90)", "p(95)", "p(99)"]
        .map((key) => `${key}=${round(values[key] ?? 0)}`)
        .concat(`count=${values.count}`)
        .join(" ");
    case "rate":
      return `${((values.rate ?? 0) * 100).toFixed(2)}% ✓ ${values.passes} ✗ ${values.fails}`;
    case "counter":
      return `${values.count}`;
    case "gauge":
      return `value=${values.value} min=${values.min} max=${values.max}`;
  }
}

function hasData(summary: MetricSummary): boolean {
  const { values, type } = summary;
  if (type === "trend" || type === "counter") return (values.count ?? 0) > 0;
  if (type === "rate") return (values.total ?? 0) > 0;
  return values.max !== 0;
}

/** The summary as text lines (metrics without data are left out). */
export function formatSummary(metrics: Record<string, MetricSummary>, thresholds: ThresholdResult[]): string {
  const lines: string[] = [];
  const width = Math.max(...Object.keys(metrics).map((name) => name.length), 10) + 2;
  for (const [name, summary] of Object.entries(metrics).sort(([a], [b]) => a.localeCompare(b))) {
    if (!hasData(summary)) continue;
    lines.push(`  ${name.padEnd(width, ".")} ${describe(summary.type, summary.values)}`);
    for (const [tag, values] of Object.entries(summary.tagged ?? {})) {
      const label = `    { ${tag} }`.padEnd(width + 2);
      lines.push(`${label} ${describe(summary.type, values)}`);
    }
  }
  if (thresholds.length > 0) lines.push("", "  thresholds:");
  for (const result of thresholds) {
    const actual = result.actual === undefined ? "no data" : round(result.actual);
    lines.push(`  ${result.ok ? "✓" : "✗"} ${result.metric} ${result.expression} (actual ${actual})`);
  }
  return lines.join("\n");
}
