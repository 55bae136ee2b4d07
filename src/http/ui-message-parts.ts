/**
 * A stored message as the AI SDK's UIMessage (`GET /api/chat/:id/messages`): its text, and an
 * answer's tool calls as `dynamic-tool` parts (tools Sluice ran, unknown to the app) placed where
 * the answer called them, so a chat read back shows what its stream showed.
 * Reference: https://ai-sdk.dev/docs/reference/ai-sdk-core/ui-message
 */
import type { ToolStep } from "../contract.ts";
import type { Message } from "../conversations/message.ts";

/** The arguments as the model wrote them: parsed when they are JSON, else the text itself. */
function inputOf(step: ToolStep): unknown {
  try {
    return JSON.parse(step.arguments);
  } catch {
    return step.arguments;
  }
}

function toolPart(step: ToolStep): Record<string, unknown> {
  const call = { type: "dynamic-tool", toolName: step.name, toolCallId: step.call_id, input: inputOf(step) };
  if (step.status === "ok") return { ...call, state: "output-available", output: step.result };
  const errorText = step.error ? `${step.error.code}: ${step.error.message}` : step.status;
  return { ...call, state: "output-error", errorText };
}

/** `message` as a UIMessage: its text cut where each tool call was made, each call between. */
export function uiMessageOf(message: Pick<Message, "id" | "role" | "content" | "tool_steps">) {
  const parts: Record<string, unknown>[] = [];
  const text = (from: number, to?: number) => {
    const piece = message.content.slice(from, to);
    if (piece !== "") parts.push({ type: "text", text: piece });
  };
  let written = 0;
  for (const step of message.tool_steps ?? []) {
    text(written, step.offset);
    parts.push(toolPart(step));
    written = Math.max(written, step.offset);
  }
  text(written);
  // An answer with neither text nor calls is still a message with its (empty) text.
  if (parts.length === 0) parts.push({ type: "text", text: "" });
  return { id: message.id, role: message.role, parts };
}
