/**
 * The image flood as a measurement: two users, each asking three questions at once, each
 * with 4 new 5 MiB images in a conversation that already holds 8 (sent again as context), for
 * ROUNDS rounds, against one app (its model a standalone simulator, so the app's memory is its own).
 * Reports the app's RSS before and at its peak during the flood, against INFLIGHT_BYTES_MAX, and
 * how the questions were answered (202, or 429 `server_busy_uploads` while the budget is full).
 */
import { rssBytes } from "../../harness/measure/proc.ts";

export interface FloodTarget {
  url: string;
  pid: number;
  /** Users' tokens: each asks `parallel` questions at once. */
  tokens: string[];
}

export interface FloodFigures {
  idleRssBytes: number;
  peakRssBytes: number;
  statuses: Record<string, number>;
}

const IMAGE_BYTES = 5 * 1024 * 1024;
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** A `data:` URL of a PNG-signed image of `bytes` random (incompressible) bytes. */
function randomImage(bytes = IMAGE_BYTES): string {
  const data = new Uint8Array(bytes);
  for (let offset = 0; offset < bytes; offset += 65_536) crypto.getRandomValues(data.subarray(offset, offset + 65_536));
  data.set(PNG_SIGNATURE);
  return `data:image/png;base64,${Buffer.from(data).toString("base64")}`;
}

function question(conversationId: string, parentId: string | null, images: string[]) {
  const content = [
    { type: "text", text: "/sim tokens=5 tps=50\nwhat is in these?" },
    ...images.map((url) => ({ type: "image_url", image_url: { url } })),
  ];
  return JSON.stringify({ conversationId, parentId, content });
}

const authorized = (token: string) => ({ authorization: `Bearer ${token}`, "content-type": "application/json" });

/** Asks one question with images; its status (and error code), after its answer ended when accepted. */
async function ask(target: FloodTarget, token: string, conversationId: string, images: string[]): Promise<string> {
  const headers = authorized(token);
  const thread = (await (await fetch(`${target.url}/api/conversations/${conversationId}`, { headers })).json()) as {
    messages: { id: string }[];
  };
  const parentId = thread.messages.at(-1)?.id ?? null;
  const body = question(conversationId, parentId, images);
  const response = await fetch(`${target.url}/api/chat`, { method: "POST", headers, body });
  const answer = (await response.json()) as { streamUrl?: string; error?: { code: string } };
  if (response.status !== 202) return `${response.status} ${answer.error?.code ?? ""}`.trim();
  // Read to the end, so the next question of this conversation finds it idle.
  await (await fetch(`${target.url}${answer.streamUrl}`, { headers })).text();
  return "202";
}

/** Each user's conversations, each already holding two questions of four images (8 carried again). */
async function prepare(target: FloodTarget, parallel: number, images: string[]): Promise<Map<string, string[]>> {
  const conversations = new Map<string, string[]>();
  for (const token of target.tokens) {
    const ids: string[] = [];
    for (let index = 0; index < parallel; index++) {
      const created = await fetch(`${target.url}/api/conversations`, {
        method: "POST",
        headers: authorized(token),
        body: "{}",
      });
      const { id } = (await created.json()) as { id: string };
      for (let turn = 0; turn < 2; turn++) {
        const status = await ask(target, token, id, images);
        if (status !== "202") throw new Error(`preparing a conversation: ${status}`);
      }
      ids.push(id);
    }
    conversations.set(token, ids);
  }
  return conversations;
}

/** Prepares the conversations, then runs `rounds` of every question at once, sampling the app's RSS. */
export async function measureImageFlood(target: FloodTarget, parallel: number, rounds: number): Promise<FloodFigures> {
  const images = Array.from({ length: 4 }, () => randomImage());
  const conversations = await prepare(target, parallel, images);
  Bun.gc(true);
  await Bun.sleep(2_000);
  const figures: FloodFigures = { idleRssBytes: rssBytes(target.pid), peakRssBytes: 0, statuses: {} };
  const sampler = setInterval(() => {
    figures.peakRssBytes = Math.max(figures.peakRssBytes, rssBytes(target.pid));
  }, 50);
  try {
    for (let round = 0; round < rounds; round++) {
      const asked = [...conversations].flatMap(([token, ids]) => ids.map((id) => ask(target, token, id, images)));
      for (const status of await Promise.all(asked)) figures.statuses[status] = (figures.statuses[status] ?? 0) + 1;
    }
  } finally {
    clearInterval(sampler);
  }
  return figures;
}
