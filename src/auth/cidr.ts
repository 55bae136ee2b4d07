/**
 * Address ranges (CIDR) and the test of a client address against them, for the trusted-header
 * mode: the user header counts only from the authenticating proxy's addresses. IPv4, IPv6, and
 * IPv4-mapped IPv6 (`::ffff:10.0.0.1`, how a dual-stack socket reports an IPv4 peer).
 */
import { ConfigError } from "../env-values.ts";

interface Range {
  bits: bigint;
  prefix: number;
  width: 32 | 128;
}

function ipv4(text: string): bigint | undefined {
  const parts = text.split(".");
  if (parts.length !== 4 || !parts.every((part) => /^\d{1,3}$/.test(part) && Number(part) <= 255)) return undefined;
  return parts.reduce((value, part) => (value << 8n) | BigInt(part), 0n);
}

function ipv6(text: string): bigint | undefined {
  // A trailing dotted quad (`::ffff:10.0.0.1`) stands for the last two groups.
  const quadAt = text.lastIndexOf(":");
  const quad = text.includes(".") ? ipv4(text.slice(quadAt + 1)) : undefined;
  if (text.includes(".") && quad === undefined) return undefined;
  const hex =
    quad === undefined
      ? text
      : `${text.slice(0, quadAt + 1)}${(quad >> 16n).toString(16)}:${(quad & 0xffffn).toString(16)}`;
  const halves = hex.split("::");
  if (halves.length > 2) return undefined;
  const groups = halves.map((half) => (half === "" ? [] : half.split(":")));
  const [left = [], right = []] = groups;
  const missing = 8 - left.length - right.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const all = [...left, ...Array<string>(halves.length === 1 ? 0 : missing).fill("0"), ...right];
  if (!all.every((group) => /^[0-9a-f]{1,4}$/i.test(group))) return undefined;
  return all.reduce((value, group) => (value << 16n) | BigInt(Number.parseInt(group, 16)), 0n);
}

/** An address as a number and its width; IPv4-mapped IPv6 counts as IPv4. */
export function parseAddress(text: string): { bits: bigint; width: 32 | 128 } | undefined {
  const plain = text.replace(/^\[|\]$/g, "").replace(/%.*$/, "");
  const v4 = ipv4(plain);
  if (v4 !== undefined) return { bits: v4, width: 32 };
  const v6 = ipv6(plain);
  if (v6 === undefined) return undefined;
  if (v6 >> 32n === 0xffffn) return { bits: v6 & 0xffffffffn, width: 32 };
  return { bits: v6, width: 128 };
}

/** Parses `10.0.0.0/8`, `fd00::/8` or a single address; throws {@link ConfigError} naming `variable`. */
export function parseRanges(variable: string, items: string[]): Range[] {
  return items.map((item) => {
    const [address = "", prefixText] = item.split("/");
    const parsed = parseAddress(address);
    const prefix = prefixText === undefined ? parsed?.width : Number(prefixText);
    if (!parsed || prefix === undefined || !Number.isInteger(prefix) || prefix < 0 || prefix > parsed.width)
      throw new ConfigError(variable, `"${item}" is not an address or CIDR range (e.g. 10.0.0.0/8, fd00::/8)`);
    return { bits: parsed.bits, prefix, width: parsed.width };
  });
}

// Answers for the addresses seen last, per list of ranges: every request asks about its peer,
// nearly always the same proxy, and parsing an address costs several microseconds. Only short
// ones are kept (an address, not a forwarded header's long zone suffix): at most 64 KiB of keys.
const ANSWERS_KEPT = 1_024;
const LONGEST_KEPT = 64;
const answers = new WeakMap<readonly Range[], Map<string, boolean>>();

/** Whether `address` lies in one of `ranges`. */
export function inRanges(address: string | undefined, ranges: readonly Range[]): boolean {
  if (address === undefined) return false;
  let known = answers.get(ranges);
  const answer = known?.get(address);
  if (answer !== undefined) return answer;
  const inside = lies(address, ranges);
  if (address.length > LONGEST_KEPT) return inside;
  if (!known || known.size >= ANSWERS_KEPT) {
    known = new Map();
    answers.set(ranges, known);
  }
  known.set(address, inside);
  return inside;
}

function lies(address: string, ranges: readonly Range[]): boolean {
  const parsed = parseAddress(address);
  if (!parsed) return false;
  return ranges.some((range) => {
    if (range.width !== parsed.width) return false;
    const shift = BigInt(range.width - range.prefix);
    return parsed.bits >> shift === range.bits >> shift;
  });
}

/** Whether `host` (a listen address or name) is on this machine only. */
export function isLoopback(host: string): boolean {
  if (host === "localhost") return true;
  return inRanges(host, parseRanges("HOST", ["127.0.0.0/8", "::1/128"]));
}
