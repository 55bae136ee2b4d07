/**
 * The envsubst step of the official nginx image, done in TypeScript: `${NAME}` and `$NAME` are
 * replaced for the listed names only, and everything else, nginx's own `$host`, `$request_id`…,
 * is left as written. Docker renders deploy/nginx/templates/*.template this way at start-up; the
 * native stack and the tests render the very same files with this function.
 */

export class TemplateVariableError extends Error {
  override name = "TemplateVariableError";
  readonly code = "template_variable_missing";
  constructor(readonly variable: string) {
    super(`template variable ${variable} has no value`);
  }
}

/** Upper-case names, as envsubst would see them in a template: `${NAME}` or `$NAME`. */
const REFERENCE = /\$\{([A-Z_][A-Z0-9_]*)\}|\$([A-Z_][A-Z0-9_]*)/g;

/**
 * Replaces each reference to a name in `listed` with its value in `values`.
 * @throws {TemplateVariableError} when a listed name that the text uses has no value.
 */
export function renderTemplate(
  text: string,
  values: Readonly<Record<string, string | undefined>>,
  listed: readonly string[] = Object.keys(values),
): string {
  const names = new Set(listed);
  return text.replace(REFERENCE, (whole, braced: string | undefined, bare: string | undefined) => {
    const name = (braced ?? bare) as string;
    if (!names.has(name)) return whole;
    const value = values[name];
    if (value === undefined) throw new TemplateVariableError(name);
    return value;
  });
}

/** Every upper-case `${NAME}` or `$NAME` a template refers to, in order of first use. */
export function templateVariables(text: string): string[] {
  const seen = new Set<string>();
  for (const match of text.matchAll(REFERENCE)) seen.add((match[1] ?? match[2]) as string);
  return [...seen];
}
