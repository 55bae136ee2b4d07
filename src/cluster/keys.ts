/**
 * The names Sluice uses in Redis, all under one prefix so that one Redis can serve other things
 * too. A generation's keys share a hash tag (`{id}`), so a Redis Cluster keeps them on one shard.
 */
const PREFIX = "sluice:";

export const keys = {
  /** A generation's events, one stream entry per event (field `e`: the event as JSON). */
  log: (id: string) => `${PREFIX}gen:{${id}}:log`,
  /** A generation's owner (user), the instance running it, and its model: a hash. */
  meta: (id: string) => `${PREFIX}gen:{${id}}:meta`,
  /** Present while the instance is alive (a lease it renews). */
  instance: (instance: string) => `${PREFIX}instance:${instance}`,
  /** Per user: how many generations each instance runs for them (a hash by instance). */
  running: (user: string) => `${PREFIX}limits:{${user}}:running`,
  /** Per user: the start times within the last minute (a sorted set). */
  starts: (user: string) => `${PREFIX}limits:{${user}}:starts`,
  /** Per user: how many event streams each instance holds open for them (a hash by instance). */
  openStreams: (user: string) => `${PREFIX}limits:{${user}}:streams`,
  /** Sessions signed out before they expire, with their expiry (a sorted set). */
  revokedSessions: `${PREFIX}sessions:revoked`,
} as const;

export const channels = {
  /** A generation's live events, as they are appended to its log. */
  events: (id: string) => `${PREFIX}events:${id}`,
  /** Messages to one instance: Stop, and viewers attaching or leaving on other instances. */
  control: (instance: string) => `${PREFIX}control:${instance}`,
  /** Every instance hears a sign-out at once. */
  revocations: `${PREFIX}sessions:revocations`,
} as const;
