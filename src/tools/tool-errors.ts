/**
 * Why a tool call gave no result, as stable codes: the model reads the failure as the call's
 * result, and viewers get it in the call's `tool_result` event.
 */
import type { ToolFailure } from "../contract.ts";
import { SluiceError } from "../errors.ts";

export type ToolErrorCode =
  /** The tool ran and reported an error (an `isError` result, or an error answer from its server). */
  | "tool_failed"
  /** No result within TOOL_TIMEOUT_MS; the call was cancelled on its server. */
  | "tool_timeout"
  /** Its server could not be reached, or broke the connection. */
  | "tool_unavailable"
  /** The model named a tool that is not offered. */
  | "tool_unknown"
  /** The model's arguments are not a JSON object. */
  | "tool_arguments_invalid"
  /** MAX_TOOL_STEPS rounds were run already, or the model asked for more calls at once than a round runs. */
  | "tool_limit_reached";

export class ToolError extends SluiceError {
  override name = "ToolError";
  declare readonly code: ToolErrorCode;
  constructor(code: ToolErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(code, message, 502, { ...options, retryable: code === "tool_timeout" || code === "tool_unavailable" });
  }

  /** The failure as the event and the stored step carry it. */
  toFailure(): ToolFailure {
    return { code: this.code, message: this.message };
  }
}
