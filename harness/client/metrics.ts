/**
 * The one reader of Prometheus' text format: what Sluice's /metrics says it did, summed over the
 * series whose labels match, for the tests, the benches and the load scenarios alike.
 */
import { expectStatus } from "./api.ts";

/** The sum of every sample of `name` whose labels include `labels` (0 when absent). */
export function prometheusSum(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split("\n")) {
    if (!line.startsWith(name) || line.startsWith("#")) continue;
    const match = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (!match || match[1] !== name) continue;
    const labelText = match[2] ?? "";
    if (Object.entries(labels).every(([key, value]) => labelText.includes(`${key}="${value}"`))) {
      sum += Number(match[3]);
    }
  }
  return sum;
}

/** Reads one counter from a Prometheus text endpoint (the whole URL, `…/metrics`). */
export async function fetchCounter(
  metricsUrl: string,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const response = await fetch(metricsUrl, { signal: AbortSignal.timeout(10_000) });
  await expectStatus(response, 200, `GET ${metricsUrl}`);
  return prometheusSum(await response.text(), name, labels);
}

/** `name{a="b",…}` as its name and labels. */
function parseSample(sample: string): { name: string; labels: Record<string, string> } {
  const brace = sample.indexOf("{");
  if (brace === -1) return { name: sample, labels: {} };
  const labels = Object.fromEntries(
    [...sample.slice(brace).matchAll(/(\w+)="([^"]*)"/g)].map(([, key, value]) => [key as string, value as string]),
  );
  return { name: sample.slice(0, brace), labels };
}

/** One sample of the metrics served under `base` (`/metrics`), written `name{a="b"}`; 0 when absent. */
export function metricValue(base: string, sample: string): Promise<number> {
  const { name, labels } = parseSample(sample);
  return fetchCounter(`${base}/metrics`, name, labels);
}
