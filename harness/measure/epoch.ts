/** Wall-clock time in epoch ms with sub-ms precision, comparable with the simulator's `seen_at_ms`. */
export function epochMs(): number {
  return performance.timeOrigin + performance.now();
}
