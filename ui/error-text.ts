/**
 * What went wrong, in words for the person at the keyboard. The server's codes are stable and its
 * messages are for developers ("the model provider failed"); the page says what it means for
 * them, and shows the code beside it, for whoever they ask for help.
 */

const sentences: Record<string, string> = {
  network_error: "This device cannot reach Sluice: the network is down, or Sluice is.",
  upstream_unavailable: "The model server is not answering right now.",
  upstream_timeout: "The model took too long to answer.",
  upstream_rate_limited: "The model provider is limiting how fast it answers.",
  upstream_unauthorized: "The model provider refused Sluice's key; whoever runs Sluice has to fix it.",
  upstream_rejected: "The model provider refused this request.",
  upstream_bad_response: "The model server sent something Sluice could not read.",
  too_many_requests: "You have asked a lot in a short time.",
  too_many_streams: "Sluice is answering as many questions as it can right now.",
  too_many_open_streams: "Sluice has as many open answers as it can take right now.",
  server_busy: "Sluice is busy right now.",
  draining: "Sluice is restarting.",
  server_shutdown: "Sluice restarted while answering.",
  conversation_busy: "This conversation is still answering the last question.",
  conversation_moved: "This conversation changed on another device.",
  store_full: "Sluice's storage is full.",
  store_busy: "Sluice's storage is busy.",
  store_readonly: "Sluice cannot save conversations right now.",
  store_failed: "Sluice could not save the conversation.",
  store_unavailable: "Sluice's storage cannot be reached.",
  shared_state_unavailable: "Sluice cannot reach the store it shares with its other instances.",
  body_too_large: "The message is too large to send.",
  image_too_large: "An image is too large to send.",
  invalid_request: "Sluice refused the message as malformed.",
  unauthorized: "You are signed out.",
  cross_site_request: "Sluice refused a request that seemed to come from another site.",
  not_found: "It is no longer there.",
  bad_event: "The answer's stream could not be read.",
};

/** A failure as the server or the page reports it. */
export interface Failure {
  code: string;
  /** The server's own message: the fallback for a code the page does not know. */
  message: string;
  retryable: boolean;
}

/** One or two sentences saying what `failure` means and, when trying again may help, that it may. */
export function humanError(failure: Failure): string {
  const known = sentences[failure.code];
  const said = known ?? `${failure.message.charAt(0).toUpperCase()}${failure.message.slice(1)}.`.replace(/\.\.$/, ".");
  return failure.retryable ? `${said} Try again in a moment.` : said;
}
