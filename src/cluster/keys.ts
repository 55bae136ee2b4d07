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
  /** Generations running now on any instance, by id: owner, model, instance, start (a hash; running-index.ts). */
  runningGenerations: `${PREFIX}generations:running`,
  /** Sessions signed out before they expire, with their expiry (a sorted set). */
  revokedSessions: `${PREFIX}sessions:revoked`,
  /** Users signed out everywhere, scored by the time: their sessions issued until then are ended (a sorted set). */
  signedOutUsers: `${PREFIX}sessions:users-signed-out`,
} as const;

export const channels = {
  /** A generation's live events, as they are appended to its log. */
  events: (id: string) => `${PREFIX}events:${id}`,
  /** Messages to one instance: Stop, and viewers attaching or leaving on other instances. */
  control: (instance: string) => `${PREFIX}control:${instance}`,
  /** Every instance hears a sign-out at once. */
  revocations: `${PREFIX}sessions:revocations`,
  /** Every instance hears at once that a user was signed out everywhere. */
  userRevocations: `${PREFIX}sessions:user-revocations`,
} as const;
