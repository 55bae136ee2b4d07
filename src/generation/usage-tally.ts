/**
 * An answer's usage across its model calls. A tool answer calls the model once per step, and
 * each call reports its own usage: the answer's is their sum, plus the tokens of a call cut off
 * before it reported any (Stop, a limit, a provider that reports none), counted as they arrived,
 * one per content chunk; then the whole is marked `estimated` (usage/estimate.ts).
 */
import type { Usage } from "../contract.ts";
import { estimatedUsage } from "../usage/estimate.ts";

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

  /** Whether any model call of the answer reported its usage. */
  get reported(): boolean {
    return this.#reported !== undefined;
  }

  /**
   * The answer's usage once `tokens` tokens were recorded in all; `estimatedPrompt`, the request's
   * prompt as Sluice estimates it, stands for the prompt when no call reported one.
   */
  total(tokens: number, estimatedPrompt = 0): Usage {
    const reported = this.#reported;
    const unreported = tokens - this.#tokensAtReport;
    if (reported && unreported === 0) return reported;
    const completion = (reported?.completion_tokens ?? 0) + unreported;
    return estimatedUsage(reported?.prompt_tokens ?? estimatedPrompt, completion);
  }
}
