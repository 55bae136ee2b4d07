// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are envsubst and Dockerfile syntax, not template literals.
import { describe, expect, test } from "bun:test";
import { renderTemplate, TemplateVariableError, templateVariables } from "../../harness/stack/template.ts";

describe("renderTemplate (the envsubst step of the nginx image)", () => {
  test("replaces the listed variables in both envsubst spellings", () => {
    const text = "listen ${NGINX_PORT};\nserver $SLUICE_UPSTREAM;";
    expect(renderTemplate(text, { NGINX_PORT: "8080", SLUICE_UPSTREAM: "app:3000" })).toBe(
      "listen 8080;\nserver app:3000;",
    );
  });

  test("leaves nginx's own variables and unlisted names as written", () => {
    const text = 'proxy_set_header Host $host; set $x "${HOME}"; log $request_id ${NGINX_PORT}';
    const rendered = renderTemplate(text, { NGINX_PORT: "80", HOME: "/root" }, ["NGINX_PORT"]);
    expect(rendered).toBe('proxy_set_header Host $host; set $x "${HOME}"; log $request_id 80');
  });

  test("a listed variable without a value is an error naming it", () => {
    expect(() => renderTemplate("listen ${NGINX_PORT};", {}, ["NGINX_PORT"])).toThrow(TemplateVariableError);
    expect(() => renderTemplate("listen ${NGINX_PORT};", {}, ["NGINX_PORT"])).toThrow("NGINX_PORT");
  });

  test("values are inserted literally, even when they contain $ or spaces", () => {
    expect(renderTemplate("gzip_types ${T};", { T: "text/css $x application/json" })).toBe(
      "gzip_types text/css $x application/json;",
    );
  });

  test("templateVariables lists the upper-case references once, in order", () => {
    expect(templateVariables("${B} $A ${B} $lower ${C_1}")).toEqual(["B", "A", "C_1"]);
  });
});
