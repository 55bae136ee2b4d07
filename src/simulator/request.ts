/**
 * The parts of an OpenAI chat completion request the simulator uses, checked just enough to
 * refuse what the real API would refuse (a missing or malformed `messages`, a bad `max_tokens`).
 */
import type { ChatMessage } from "../contract.ts";
import { SimulatorRequestError } from "./errors.ts";

export const DEFAULT_MODEL = "demo";

/** A message as the simulator reads it: any role a client sends; for content-part arrays, the text parts joined. */
export interface WireMessage extends ChatMessage<string> {
  /** An assistant message's tool calls: how many it made (the rounds of a tool answer are counted so). */
  toolCalls?: number;
}

export interface ChatRequest {
  model: string;
  messages: WireMessage[];
  stream: boolean;
  /** `stream_options.include_usage`: a usage chunk before `[DONE]`. */
  includeUsage: boolean;
  /** Whether the request names `stream_options` at all (which `/sim usage=reject` refuses). */
  hasStreamOptions: boolean;
  /** `max_completion_tokens`, or the older `max_tokens`; undefined when neither is set. */
  maxTokens: number | undefined;
  /** The names of the function tools offered; none when absent. */
  tools?: string[];
  /** `tool_choice: "none"`: the model must answer in words. */
  toolsRefused?: boolean;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function messageText(content: unknown, index: number): string {
  if (typeof content === "string") return content;
  // Assistant messages with tool calls carry `content: null`.
  if (content === null || content === undefined) return "";
  if (Array.isArray(content)) {
    return content.map((part) => (isRecord(part) && typeof part.text === "string" ? part.text : "")).join("");
  }
  throw new SimulatorRequestError(`messages[${index}].content must be a string or an array`, "messages");
}

function parseMessages(value: unknown): WireMessage[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw new SimulatorRequestError("messages must be a non-empty array", "messages");
  }
  return value.map((message, index) => {
    if (!isRecord(message) || typeof message.role !== "string") {
      throw new SimulatorRequestError(`messages[${index}] must be an object with a string role`, "messages");
    }
    const wire: WireMessage = { role: message.role, content: messageText(message.content, index) };
    if (Array.isArray(message.tool_calls)) wire.toolCalls = message.tool_calls.length;
    return wire;
  });
}

/** The names of the function tools in `tools`, as far as they are well formed. */
function toolNames(tools: unknown): string[] {
  if (!Array.isArray(tools)) return [];
  return tools.flatMap((tool) => {
    const name = isRecord(tool) && isRecord(tool.function) ? tool.function.name : undefined;
    return typeof name === "string" ? [name] : [];
  });
}

function parseMaxTokens(body: Record<string, unknown>): number | undefined {
  for (const param of ["max_completion_tokens", "max_tokens"]) {
    const value = body[param];
    if (value === undefined || value === null) continue;
    if (typeof value !== "number" || !Number.isInteger(value) || value < 1) {
      throw new SimulatorRequestError(`${param} must be a positive integer`, param);
    }
    return value;
  }
  return undefined;
}

/** Validates a parsed JSON body; throws a 400 {@link SimulatorRequestError} naming the bad field. */
export function parseChatRequest(body: unknown): ChatRequest {
  if (!isRecord(body)) throw new SimulatorRequestError("the request body must be a JSON object", null);
  const messages = parseMessages(body.messages);
  if (body.stream !== undefined && body.stream !== null && typeof body.stream !== "boolean") {
    throw new SimulatorRequestError("stream must be a boolean", "stream");
  }
  const options = body.stream_options;
  return {
    model: typeof body.model === "string" && body.model !== "" ? body.model : DEFAULT_MODEL,
    messages,
    stream: body.stream === true,
    includeUsage: isRecord(options) && options.include_usage === true,
    hasStreamOptions: options !== undefined && options !== null,
    maxTokens: parseMaxTokens(body),
    tools: toolNames(body.tools),
    toolsRefused: body.tool_choice === "none",
  };
}
