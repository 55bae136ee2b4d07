/** One tool call as the toolbox runs it: what the model asked for, and how it ended. */
import type { ToolFailure } from "../contract.ts";

/** One tool call as the model asked for it. */
export interface ToolCallRequest {
  name: string;
  /** JSON text, as the model wrote it. */
  arguments: string;
  /** For the log: the answer it belongs to. */
  generation: string;
}

/** A call's outcome: its result's text (cut), or its failure. */
export interface ToolOutcome {
  content: string;
  error?: ToolFailure;
  full_bytes?: number;
}
