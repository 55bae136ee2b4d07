/**
 * Figures of a `streams` run at one target concurrency: did it hold the streams without errors,
 * and what each open stream cost in resident memory (RSS on the plateau minus idle RSS, / streams).
 */
import { median } from "../../harness/measure/percentile.ts";
import { figuresOf, type RunFigures } from "./figures.ts";
import type { ScenarioRun } from "./run-scenario.ts";

export interface HoldFigures extends RunFigures {
  target: number;
  /** Every stream completed with all its tokens and no error. */
  held: boolean;
  /** Seconds sampled with ≥ 95% of the target open (the app's sluice_streams_active). */
  plateauSeconds: number;
  appRssPerStreamKiB: number | undefined;
  nginxRssPerStreamKiB: number | undefined;
  idleRssMiB: { app: number; nginx: number };
  plateauRssMiB: { app: number; nginx: number } | undefined;
}

const MiB = 2 ** 20;
const round = (value: number) => Math.round(value * 100) / 100;

/** Extracts the hold figures; `idle` is the RSS (bytes) of the app and nginx just before the run. */
export function holdFiguresOf(run: ScenarioRun, target: number, idle: { app: number; nginx: number }): HoldFigures {
  const figures = figuresOf(run);
  const plateau = run.samples.filter((sample) => (sample.extra ?? 0) >= target * 0.95);
  const appRss = plateau.length ? median(plateau.map((sample) => sample.appRss)) : undefined;
  const nginxRss = plateau.length ? median(plateau.map((sample) => sample.nginxRss)) : undefined;
  const perStream = (rss: number | undefined, idleRss: number) =>
    rss === undefined ? undefined : round((rss - idleRss) / target / 1024);
  const completed = run.summary?.metrics.sluice_tokens_complete?.values;
  return {
    ...figures,
    target,
    held: figures.errors === 0 && completed?.fails === 0 && figures.maxOpenStreams >= target * 0.95,
    plateauSeconds: plateau.length,
    appRssPerStreamKiB: perStream(appRss, idle.app),
    nginxRssPerStreamKiB: perStream(nginxRss, idle.nginx),
    idleRssMiB: { app: round(idle.app / MiB), nginx: round(idle.nginx / MiB) },
    plateauRssMiB:
      appRss !== undefined && nginxRss !== undefined
        ? { app: round(appRss / MiB), nginx: round(nginxRss / MiB) }
        : undefined,
  };
}
