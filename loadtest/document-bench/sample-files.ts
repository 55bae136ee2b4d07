/**
 * The files the document bench reads: a PDF and a text file holding the same lines, about
 * `megabytes` million characters each, made on the spot (no fixture is kept or downloaded).
 */
import { pdfOfText } from "../../harness/pdf-file.ts";

const LINE = "The quarterly figures, region by region, with notes on each line item";

/** `megabytes` million characters of numbered lines. */
export function sampleText(megabytes: number): string {
  const lines: string[] = [];
  let length = 0;
  for (let i = 0; length < megabytes * 1_000_000; i++) {
    const line = `${i} ${LINE}`;
    lines.push(line);
    length += line.length + 1;
  }
  return lines.join("\n");
}

export interface SampleFiles {
  text: string;
  /** The same lines as a PDF, 50 to a page. */
  pdf: Uint8Array;
}

export function sampleFiles(megabytes: number): SampleFiles {
  const text = sampleText(megabytes);
  return { text, pdf: pdfOfText(text) };
}
