/**
 * Chat messages that steer the deterministic simulator through a `/sim key=value …` first line,
 * so every scenario knows exactly how many tokens the upstream will send, and how fast.
 */
import type { ChatMessage } from "../../src/contract.ts";

export type { ChatMessage };

export interface SimDirectives {
  /** Exactly this many content tokens. */
  tokens: number;
  /** Delay before the first token (simulator default when omitted). */
  ttftMs?: number;
  /** Tokens per second after the first (simulator default when omitted). */
  tps?: number;
  /** A fault such as `drop:5` or `status:503` (none when omitted). */
  fault?: string;
}

/** One user message whose first line is the directive; `prompt` varies the deterministic text. */
export function simMessages(directives: SimDirectives, prompt: string): ChatMessage[] {
  const parts = [`tokens=${directives.tokens}`];
  if (directives.ttftMs !== undefined) parts.push(`ttft_ms=${directives.ttftMs}`);
  if (directives.tps !== undefined) parts.push(`tps=${directives.tps}`);
  if (directives.fault !== undefined) parts.push(`fault=${directives.fault}`);
  return [{ role: "user", content: `/sim ${parts.join(" ")}\n${prompt}` }];
}
