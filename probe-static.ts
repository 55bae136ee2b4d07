import { staticPlugin } from "@elysiajs/static";
import { Elysia } from "elysia";

const app = new Elysia().use(
  await staticPlugin({ assets: "public", prefix: "/", silent: true, indexHTML: false, alwaysStatic: false }),
);
for (const path of [
  "/assets/../package.json",
  "/assets/%2e%2e/%2e%2e/package.json",
  "/%2e%2e/package.json",
  "/..%2fpackage.json",
  "/assets/..%5c..%5cpackage.json",
  "/favicon.svg",
]) {
  const r = await app.handle(new Request(`http://localhost${path}`));
  const t = await r.text();
  console.log(path, r.status, t.slice(0, 40).replace(/\n/g, " "));
}
