/**
 * A minimal app on `useChat` (@ai-sdk/react), as a developer would write it against any backend:
 * the chat's id and its API come from the page's address, its messages are loaded first, and
 * `resume: true` asks on every load whether an answer is still running. The browser test bundles
 * it with Bun's bundler and points it at Sluice.
 */
import { useChat } from "@ai-sdk/react";
import { DefaultChatTransport, type UIMessage } from "ai";
import { createElement as h, useState } from "react";
import { createRoot } from "react-dom/client";

const params = new URLSearchParams(location.search);
const api = params.get("api") ?? "/api/chat";
const id = params.get("chat") ?? "chat";
// `resume=off` (the test's negative control) leaves the app without the SDK's resume.
const resume = params.get("resume") !== "off";

const textOf = (message: UIMessage) => message.parts.map((part) => (part.type === "text" ? part.text : "")).join("");

function Chat({ initial }: { initial: UIMessage[] }) {
  const { messages, sendMessage, status, stop, error } = useChat({
    id,
    messages: initial,
    resume,
    transport: new DefaultChatTransport({ api }),
  });
  const [input, setInput] = useState("");
  const submit = (event: { preventDefault(): void }) => {
    event.preventDefault();
    void sendMessage({ text: input });
    setInput("");
  };
  return h(
    "main",
    null,
    messages.map((message) => h("p", { key: message.id, className: message.role }, textOf(message))),
    h(
      "form",
      { onSubmit: submit },
      h("textarea", {
        "aria-label": "Message",
        value: input,
        onChange: (event: { target: { value: string } }) => setInput(event.target.value),
      }),
      h("button", { type: "submit" }, "Send"),
      h("button", { type: "button", onClick: () => void stop() }, "Stop"),
    ),
    h("output", { "aria-label": "Status" }, status),
    error ? h("p", { role: "alert" }, error.message) : null,
  );
}

const loaded = (await (await fetch(`${api}/${encodeURIComponent(id)}/messages`)).json()) as { messages: UIMessage[] };
createRoot(document.getElementById("root") as HTMLElement).render(h(Chat, { initial: loaded.messages }));
