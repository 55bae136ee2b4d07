/**
 * A tool's result as text for the model, the stream and the store. MCP results are lists of
 * content blocks; the model reads text, so text blocks are kept as they are and every other
 * block (an image, audio, a resource) is named in brackets, as a chat model cannot read it here.
 */
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";

type Block = CallToolResult["content"][number];

function blockText(block: Block): string {
  switch (block.type) {
    case "text":
      return block.text;
    case "image":
    case "audio":
      return `[${block.type}: ${block.mimeType}]`;
    case "resource_link":
      return `[resource: ${block.uri}]`;
    case "resource":
      return "text" in block.resource ? block.resource.text : `[resource: ${block.resource.uri}]`;
    default:
      return "";
  }
}

/** The text of `result`: its blocks' text joined by line breaks, else its structured content as JSON. */
export function resultText(result: CallToolResult): string {
  const blocks = result.content ?? [];
  if (blocks.length === 0 && result.structuredContent !== undefined) return JSON.stringify(result.structuredContent);
  return blocks.map(blockText).join("\n");
}
