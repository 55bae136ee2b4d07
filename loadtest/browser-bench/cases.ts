/**
 * The answers the browser bench streams: the ones developers ask for most and that once froze the
 * page, a long code block and a long table. Generated, deterministic, realistic in shape.
 */

export interface BenchCase {
  name: string;
  /** What the table of results calls it. */
  title: string;
  /** The Markdown the simulator echoes back. */
  answer: string;
  /** Tokens per second of the stream (SIM's `tps`). */
  tokensPerSecond: number;
}

/** One TypeScript "unit" of 12 lines: a comment, an interface, a function with a template string. */
function typescriptUnit(i: number): string[] {
  return [
    `/** Reads record ${i} from the store and returns it with its computed fields. */`,
    `export interface Record${i} { id: string; total: number; tags: readonly string[] }`,
    "",
    `export async function loadRecord${i}(store: Store, id: string): Promise<Record${i}> {`,
    `  const row = await store.get("records", id); // may be undefined when deleted`,
    `  if (!row) throw new NotFoundError(\`record \${id} of kind ${i} is gone\`);`,
    `  const total = row.items.reduce((sum, item) => sum + item.price * item.count, 0);`,
    `  const tags = row.tags.filter((tag) => tag.length > 0 && !tag.startsWith("_"));`,
    `  /* Rounded to cents: the totals are shown, never summed again. */`,
    `  return { id, total: Math.round(total * 100) / 100, tags };`,
    "}",
    "",
  ];
}

/** A fenced TypeScript block of exactly `lines` lines of code, with a sentence before and after. */
export function codeAnswer(lines: number): string {
  const code: string[] = [];
  for (let i = 0; code.length < lines; i++) code.push(...typescriptUnit(i));
  return `Here is the module:\n\n\`\`\`ts\n${code.slice(0, lines).join("\n")}\n\`\`\`\n\nThat is all of it.`;
}

/** A Markdown table of `rows` rows, five columns, some inline formatting in the cells. */
export function tableAnswer(rows: number): string {
  const lines = ["| # | Name | Region | Price | Status |", "|---:|---|---|---:|---|"];
  const regions = ["eu-west", "us-east", "ap-south", "sa-east"];
  for (let i = 1; i <= rows; i++) {
    const status = i % 7 === 0 ? "**late**" : i % 5 === 0 ? "`queued`" : "shipped";
    lines.push(`| ${i} | item-${i} | ${regions[i % regions.length]} | ${(i * 3.17).toFixed(2)} | ${status} |`);
  }
  return `The orders:\n\n${lines.join("\n")}\n\nTotal rows: ${rows}.`;
}
