/**
 * A Responses API response id names its generation, and, when the response was stored, the
 * conversation that keeps it: `resp_<stream id>` or `resp_<stream id>.<conversation id>`. The
 * stored answer's own id is the stream id, so `previous_response_id` finds the conversation and
 * the answer to go on from with no lookup, whichever instance answers, long after the generation
 * has left memory. Both ids are the server's (128 random bits; a UUID): nothing a client can forge
 * reaches anything it does not own, since every use checks the caller's ownership.
 */

export interface ResponseIdParts {
  streamId: string;
  /** The conversation the response is stored in; absent for an unstored one. */
  conversationId: string | undefined;
}

const PREFIX = "resp_";
const ID = /^[A-Za-z0-9_-]{1,64}$/;

/** The id of the response whose generation is `streamId`, stored in `conversationId` if given. */
export function responseId(streamId: string, conversationId?: string): string {
  return conversationId === undefined ? `${PREFIX}${streamId}` : `${PREFIX}${streamId}.${conversationId}`;
}

/** The parts of a response id; undefined when `id` is not one. */
export function parseResponseId(id: string): ResponseIdParts | undefined {
  if (!id.startsWith(PREFIX)) return undefined;
  const [streamId = "", conversationId, more] = id.slice(PREFIX.length).split(".");
  if (more !== undefined || !ID.test(streamId) || (conversationId !== undefined && !ID.test(conversationId)))
    return undefined;
  return { streamId, conversationId };
}
