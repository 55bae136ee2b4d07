/**
 * Chat messages that steer the deterministic simulator through a `/sim key=value …` first line,
 * so every test and scenario knows exactly how many tokens the upstream will send, and how fast.
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
  /** A fault such as `drop:5`, `stall:3:20000` or `status:503` (none when omitted). */
  fault?: string | undefined;
}

/** The user message: the directive line, then `prompt`, which varies the deterministic text. */
export function simPrompt(directives: SimDirectives, prompt: string): string {
  const parts = [`tokens=${directives.tokens}`];
  if (directives.ttftMs !== undefined) parts.push(`ttft_ms=${directives.ttftMs}`);
  if (directives.tps !== undefined) parts.push(`tps=${directives.tps}`);
  if (directives.fault !== undefined) parts.push(`fault=${directives.fault}`);
  return `/sim ${parts.join(" ")}\n${prompt}`;
}

/** The same as the one message of a chat. */
export function simMessages(directives: SimDirectives, prompt: string): ChatMessage[] {
  return [{ role: "user", content: simPrompt(directives, prompt) }];
}

/** `tokens` tokens at `tps` per second after a short first-token delay, with `fault` when given. */
export function paced(tokens: number, tps: number, prompt = "Tell me about rivers", fault?: string): string {
  return simPrompt({ tokens, ttftMs: 50, tps, fault }, prompt);
}
