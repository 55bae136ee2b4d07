/**
 * The regression check of the relay's cost (test/loadtest/relay-cost.test.ts): one server's CPU
 * per relayed token against another's, side by side, round after round in alternating order,
 * on fresh processes; the median of the rounds' ratios.
 */
import { type LoadShape, measureSubject, type SubjectFigures } from "./measure-subject.ts";
import { type SubjectName, type SubjectOptions, startSubject } from "./subjects.ts";

export interface Contender {
  name: SubjectName;
  /** What this contender starts with (the peer's extra work, for a negative control). */
  options?: Partial<SubjectOptions>;
}

export interface CostRatio {
  /** The median of the rounds' ratios: `relay` CPU per token ÷ `baseline`'s. */
  ratio: number;
  perRound: number[];
  /** Viewers that did not get every token and the end, over all rounds. */
  errors: number;
}

const cpuPerToken = (figures: SubjectFigures) => (figures.cpu.userUs + figures.cpu.kernelUs) / figures.tokens;

async function measure(contender: Contender, shape: LoadShape): Promise<SubjectFigures> {
  const subject = await startSubject(contender.name, { maxActive: shape.streams * 2 + 200, ...contender.options });
  try {
    return await measureSubject(subject, shape, false);
  } finally {
    await subject.stop();
  }
}

/** `relay`'s CPU per token ÷ `baseline`'s, in each of `rounds` rounds (the order alternating), and their median. */
export async function costRatio(
  relay: Contender,
  baseline: Contender,
  shape: LoadShape,
  rounds: number,
): Promise<CostRatio> {
  const perRound: number[] = [];
  let errors = 0;
  for (let round = 0; round < rounds; round++) {
    const first = round % 2 === 0 ? relay : baseline;
    const second = first === relay ? baseline : relay;
    const firstFigures = await measure(first, shape);
    const secondFigures = await measure(second, shape);
    const [relayFigures, baselineFigures] =
      first === relay ? [firstFigures, secondFigures] : [secondFigures, firstFigures];
    errors += relayFigures.errors + baselineFigures.errors;
    perRound.push(cpuPerToken(relayFigures) / cpuPerToken(baselineFigures));
  }
  const sorted = [...perRound].sort((a, b) => a - b);
  return { ratio: sorted[Math.floor(sorted.length / 2)] as number, perRound, errors };
}
