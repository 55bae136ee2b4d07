/**
 * The side-by-side run: every subject (the peer, Sluice on Bun, on Deno, with REDIS_URL) relays
 * the same load from the same simulator in the same run, one at a time, on fresh processes,
 * round after round with the order rotated, so that a machine that slows down (or other work on
 * it) weighs on all alike. Every figure is then read as a ratio within a round.
 */
import { loadavg } from "node:os";
import { type LoadShape, measureSubject, type SubjectFigures } from "./measure-subject.ts";
import { type SubjectName, type SubjectOptions, startSubject } from "./subjects.ts";

export interface CompareSettings extends LoadShape {
  subjects: SubjectName[];
  rounds: number;
  peerEnv?: Record<string, string>;
  bunOptions?: string | undefined;
  altEnv?: Record<string, string>;
  profileEnv?: Record<string, string>;
}

export interface Measured extends SubjectFigures {
  subject: SubjectName;
  round: number;
  /** The 1-minute load average just before this subject started. */
  loadAverage: number;
}

/** Subject order for `round`: rotated by one each round. */
export function roundOrder<T>(subjects: readonly T[], round: number): T[] {
  const shift = round % Math.max(1, subjects.length);
  return [...subjects.slice(shift), ...subjects.slice(0, shift)];
}

/** Runs every round and returns every subject's figures, in the order measured. */
export async function compareSubjects(settings: CompareSettings, log = console.log): Promise<Measured[]> {
  const options: SubjectOptions = {
    maxActive: settings.streams * 2 + 200,
    ...(settings.peerEnv ? { peerEnv: settings.peerEnv } : {}),
    bunOptions: settings.bunOptions,
    ...(settings.altEnv ? { altEnv: settings.altEnv } : {}),
    ...(settings.profileEnv ? { profileEnv: settings.profileEnv } : {}),
  };
  const measured: Measured[] = [];
  for (let round = 0; round < settings.rounds; round++) {
    for (const name of roundOrder(settings.subjects, round)) {
      const loadAverage = Math.round((loadavg()[0] ?? 0) * 100) / 100;
      log(`round ${round + 1}/${settings.rounds}: ${name} (load ${loadAverage})…`);
      const subject = await startSubject(name, options);
      try {
        measured.push({ subject: name, round, loadAverage, ...(await measureSubject(subject, settings)) });
      } finally {
        await subject.stop();
      }
    }
  }
  return measured;
}
