/**
 * The `Content-Disposition` of a file the API sends (RFC 6266 / RFC 8187): `filename` in ASCII for
 * every client, `filename*` with the name's own characters (percent-encoded UTF-8) for those that
 * read it.
 */

/**
 * `name` cleaned for a header: no lone surrogates, control characters or path separators, and no
 * dots or spaces at either end ("offsite." is not to become "offsite..md", nor ".env" a hidden file).
 */
function cleaned(name: string): string {
  return (
    name
      // A lone surrogate (JSON allows "\ud800") would make encodeURIComponent throw.
      .replace(/\p{Cs}/gu, "\uFFFD")
      .replace(/[\p{Cc}/\\]+/gu, " ")
      .replace(/\s+/g, " ")
      .replace(/^[\s.]+|[\s.]+$/g, "")
  );
}

/**
 * The header for a file named `name` (then `extension`, when given), `asciiName` where only ASCII
 * is read, or where nothing of `name` is left.
 */
export function contentDisposition(
  kind: "attachment" | "inline",
  asciiName: string,
  name: string | null,
  extension = "",
): string {
  const stem = name ? cleaned(name) : "";
  const own = stem ? `${stem}${extension}` : asciiName;
  // `'()*` are not attr-chars, so they are encoded too.
  const encoded = encodeURIComponent(own).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${kind}; filename="${asciiName}"; filename*=UTF-8''${encoded}`;
}
