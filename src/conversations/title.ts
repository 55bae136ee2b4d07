/** How a conversation gets its title from its first message. */

const maxLength = 60;

/**
 * The first user message as a one-line title of at most ~60 characters, cut at a word boundary.
 * A leading `/sim …` line (the simulator's per-request directives) is not part of the question.
 */
export function titleFromMessage(content: string): string {
  const prompt = content.replace(/^\/sim[ \t][^\n]*\n?/, "");
  const line = prompt.replace(/\s+/g, " ").trim();
  if (line.length <= maxLength) return line || "Untitled";
  // One character more, so a word that ends exactly at the limit is kept whole.
  const space = line.slice(0, maxLength + 1).lastIndexOf(" ");
  return `${line.slice(0, space > maxLength / 2 ? space : maxLength).trimEnd()}…`;
}
