/**
 * A question's documents as a client sends them: OpenAI `file` content parts holding a `data:` URL
 * of the file's bytes, under any declared type (the server judges the bytes).
 */

/** `bytes` as a base64 `data:` URL declaring `type`. */
export function dataUrl(bytes: Uint8Array | string, type: string): string {
  const data = typeof bytes === "string" ? new TextEncoder().encode(bytes) : bytes;
  return `data:${type};base64,${Buffer.from(data).toString("base64")}`;
}

/** A `file` content part: `bytes` (text is sent as UTF-8) named `filename`, declared as `type`. */
export function filePart(filename: string, bytes: Uint8Array | string, type = "application/octet-stream") {
  return { type: "file", file: { filename, file_data: dataUrl(bytes, type) } };
}

/** A `text` content part. */
export const textPart = (text: string) => ({ type: "text", text });
