import { test } from "bun:test";
import { rawRequest } from "./raw-http.ts";
import { startTarget } from "./setup.ts";
test("dbg", async () => {
  const app = await startTarget(JSON.parse(process.env.DBG_ENV ?? "{}"));
  const body = JSON.stringify({ token: "wrong-token-wrong-token" });
  const r = await rawRequest(app.port, "/api/session", { method: "POST", headers: { "content-type": "application/json", "content-length": String(body.length) }, body });
  console.log("HEAD", JSON.stringify(r.head).includes("chunked") ? "CHUNKED" : "LENGTH");
  await app.stop();
});
