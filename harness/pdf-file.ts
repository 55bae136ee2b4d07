/**
 * PDF files made on the spot, for tests and benches: pages of lines in the standard Helvetica
 * font (no font file embedded), written byte by byte with a correct cross-reference table, so no
 * binary fixture is kept or downloaded. ISO 32000-1 §7.5 (file structure) and §9.4 (text objects).
 * Text is Latin-1 only (the font's WinAnsiEncoding); other characters become "?".
 */

/** A PDF whose pages hold `pages[i]`'s lines, one page per entry. */
export function pdfFile(pages: readonly (readonly string[])[]): Uint8Array {
  const fontId = 3;
  const objects: string[] = [];
  const pageIds = pages.map((_, index) => 4 + index * 2);
  objects[1] = "<< /Type /Catalog /Pages 2 0 R >>";
  objects[2] = `<< /Type /Pages /Kids [${pageIds.map((id) => `${id} 0 R`).join(" ")}] /Count ${pages.length} >>`;
  objects[fontId] = "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>";
  pages.forEach((lines, index) => {
    const pageId = pageIds[index] as number;
    const stream = pageStream(lines);
    objects[pageId] =
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents ${pageId + 1} 0 R ` +
      `/Resources << /Font << /F1 ${fontId} 0 R >> >> >>`;
    objects[pageId + 1] = `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`;
  });
  let body = "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n";
  const offsets: number[] = [];
  for (let id = 1; id < objects.length; id++) {
    offsets[id] = body.length;
    body += `${id} 0 obj\n${objects[id]}\nendobj\n`;
  }
  const xref = body.length;
  body += `xref\n0 ${objects.length}\n0000000000 65535 f \n`;
  for (let id = 1; id < objects.length; id++) body += `${String(offsets[id]).padStart(10, "0")} 00000 n \n`;
  body += `trailer\n<< /Size ${objects.length} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  // Every character is one byte (Latin-1), so string offsets are byte offsets.
  return Uint8Array.from(body, (char) => char.charCodeAt(0));
}

/** A PDF of `text`, split into lines at newlines and into pages of `linesPerPage`. */
export function pdfOfText(text: string, linesPerPage = 50): Uint8Array {
  const lines = text.split("\n");
  const pages: string[][] = [];
  for (let at = 0; at < lines.length; at += linesPerPage) pages.push(lines.slice(at, at + linesPerPage));
  return pdfFile(pages.length > 0 ? pages : [[]]);
}

function pageStream(lines: readonly string[]): string {
  const shown = lines.map((line, index) => `${index === 0 ? "" : "0 -14 Td "}(${pdfString(line)}) Tj`);
  return `BT /F1 11 Tf 72 740 Td ${shown.join("\n")} ET`;
}

/** A literal string (§7.3.4.2): backslash, parentheses escaped; outside Latin-1, "?". */
function pdfString(line: string): string {
  return line.replace(/[\\()]/g, (c) => `\\${c}`).replace(/[^\x20-\xff]/g, "?");
}
