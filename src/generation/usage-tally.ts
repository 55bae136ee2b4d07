/**
 * An answer's usage across its model calls. A tool answer calls the model once per step, and
 * each call reports its own usage: the answer's is their sum, plus the tokens of a call cut off
 * before it reported any (Stop, a limit, a provider that reports none), counted as they arrived.
 */
import type { Usage } from "../contract.ts";

export class UsageTally {
  #reported: Usage | undefined;
  /** Tokens recorded when the last usage was reported: those after it belong to a call that reported none. */
  #tokensAtReport = 0;

  /** One model call ended with `usage`, after `tokens` tokens of the whole answer were recorded. */
  callEnded(usage: Usage, tokens: number): void {
    const sum = this.#reported;
    this.#reported = sum
      ? {
          prompt_tokens: sum.prompt_tokens + usage.prompt_tokens,
          completion_tokens: sum.completion_tokens + usage.completion_tokens,
          total_tokens: sum.total_tokens + usage.total_tokens,
        }
      : usage;
    this.#tokensAtReport = tokens;
  }

  /** The answer's usage once `tokens` tokens were recorded in all. */
  total(tokens: number): Usage {
    const reported = this.#reported;
    const unreported = tokens - this.#tokensAtReport;
    if (reported && unreported === 0) return reported;
    const prompt = reported?.prompt_tokens ?? 0;
    const completion = (reported?.completion_tokens ?? 0) + unreported;
    return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
  }
}
