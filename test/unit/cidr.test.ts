import { expect, test } from "bun:test";
import { inRanges, parseRanges } from "../../src/auth/cidr.ts";

test("address ranges answer the same whether an address was seen before or not, past the answers kept", () => {
  const ranges = parseRanges("AUTH_TRUSTED_PROXIES", ["10.0.0.0/8", "fd00::/8"]);
  const other = parseRanges("FORWARDED_PROXIES", ["192.168.1.0/24"]);
  const cases: [string, boolean][] = [];
  for (let i = 0; i < 3_000; i++) {
    cases.push([`10.${i % 256}.${(i >> 8) % 256}.1`, true]);
    cases.push([`11.${i % 256}.0.1`, false]);
  }
  cases.push(["::ffff:10.1.2.3", true], ["fd00::1", true], ["fe00::1", false], ["not an address", false]);
  // A zone suffix makes a long key: answered, never kept.
  cases.push([`fd00::1%${"z".repeat(10_000)}`, true]);
  for (let round = 0; round < 2; round++)
    for (const [address, inside] of cases) {
      expect(inRanges(address, ranges)).toBe(inside);
      // Each list of ranges keeps its own answers.
      expect(inRanges(address, other)).toBe(false);
    }
  expect(inRanges("192.168.1.7", other)).toBe(true);
  expect(inRanges("192.168.1.7", ranges)).toBe(false);
  expect(inRanges(undefined, ranges)).toBe(false);
});
