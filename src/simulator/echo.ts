/**
 * `/echo …` prompts: the rest of the prompt comes back verbatim, a few code points per token.
 * This is the round-trip probe for everything between the model and the browser: every byte
 * (CR, LF, CRLF, NUL, emoji, HTML, lines that look like SSE fields) must arrive unchanged.
 */

export const ECHO_PREFIX = "/echo ";

/**
 * Sizes in code points, cycled. Mixed on purpose: a CRLF or a "data:" lookalike lands whole in
 * one token at some offsets and split across two at others, as real tokenizers also do.
 */
const PIECE_SIZES = [3, 1, 4, 2];

/** The echoed text of `prompt`, or undefined when it is not an `/echo ` prompt. */
export function echoText(prompt: string): string | undefined {
  return prompt.startsWith(ECHO_PREFIX) ? prompt.slice(ECHO_PREFIX.length) : undefined;
}

/** Cuts `text` into tokens of 1–4 code points; a surrogate pair is one code point, never split. */
export function splitEcho(text: string): string[] {
  const pieces: string[] = [];
  let piece = "";
  let inPiece = 0;
  // for…of walks code points, so an emoji's two UTF-16 units always travel together.
  for (const codePoint of text) {
    piece += codePoint;
    inPiece++;
    if (inPiece === PIECE_SIZES[pieces.length % PIECE_SIZES.length]) {
      pieces.push(piece);
      piece = "";
      inPiece = 0;
    }
  }
  if (piece !== "") pieces.push(piece);
  return pieces;
}
