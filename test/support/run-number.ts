/**
 * This test run's number, which spreads ports and folders so that two jest runs on one machine do
 * not collide. scripts/test.sh sets CS_TEST_RUN=r<pid>; any other tag (a developer's own, say
 * "alice") is spread by a hash of it instead of all landing on run 0.
 */
export function runNumber(): number {
  const tag = process.env.CS_TEST_RUN ?? 'r0';
  if (/^r\d+$/.test(tag)) return Number(tag.slice(1));
  return [...tag].reduce((h, c) => (Math.imul(h, 31) + c.charCodeAt(0)) >>> 0, 7);
}
