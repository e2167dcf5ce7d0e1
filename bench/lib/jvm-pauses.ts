import { readFileSync } from 'node:fs';
import os from 'node:os';

/**
 * Stop-the-world GC pauses of a running JVM (our Kafka broker), read from its hsperfdata file: the
 * counters `jstat` prints, without starting a JVM for jstat on a machine the benchmark measures.
 * Every request in flight at the broker waits out a pause, so a round's ack tail depends on
 * whether one fell into it.
 */
export interface JvmPauses {
  count: number;
  seconds: number;
}

// HotSpot's PerfData layout (src/hotspot/share/runtime/perfMemory.hpp): a header of magic,
// byte order, versions, used, overflow, modification time, entry offset and entry count; then
// entries of length, name offset, vector length, type, flags, units, variability, data offset.
const MAGIC = 0xcafec0c0;
// The pause collectors: young collections, full collections, and the concurrent cycle's pauses (remark, cleanup).
const PAUSE_COUNTER = /^sun\.gc\.collector\.\d+\.(invocations|time)$/;

/** The JVM's pauses so far, or undefined when it exposes no counters (exited, -XX:-UsePerfData, another user's). */
export function jvmPauses(pid: number): JvmPauses | undefined {
  let buf: Buffer;
  try {
    // HotSpot on Linux keeps it under /tmp whatever TMPDIR says.
    buf = readFileSync(`/tmp/hsperfdata_${os.userInfo().username}/${pid}`);
  } catch {
    return undefined;
  }
  if (buf.length < 32 || buf.readUInt32BE(0) !== MAGIC) return undefined;
  const le = buf[4] === 1;
  const i32 = (at: number) => (le ? buf.readInt32LE(at) : buf.readInt32BE(at));
  const i64 = (at: number) => Number(le ? buf.readBigInt64LE(at) : buf.readBigInt64BE(at));
  const longs = new Map<string, number>();
  let at = i32(24);
  for (let n = i32(28); n > 0 && at + 20 <= buf.length; n--) {
    const length = i32(at);
    if (length <= 0) break;
    const nameAt = at + i32(at + 4);
    const name = buf.toString('latin1', nameAt, buf.indexOf(0, nameAt));
    if (buf[at + 12] === 0x4a /* 'J', a long */ && (PAUSE_COUNTER.test(name) || name === 'sun.os.hrt.frequency')) longs.set(name, i64(at + i32(at + 16)));
    at += length;
  }
  const frequency = longs.get('sun.os.hrt.frequency');
  if (!frequency) return undefined;
  let count = 0;
  let ticks = 0;
  for (const [name, value] of longs) {
    if (name.endsWith('.invocations')) count += value;
    else if (name.endsWith('.time')) ticks += value;
  }
  return { count, seconds: ticks / frequency };
}

/** The pauses between two readings; undefined if either is missing. */
export function pausesBetween(before: JvmPauses | undefined, after: JvmPauses | undefined): JvmPauses | undefined {
  return before && after ? { count: after.count - before.count, seconds: after.seconds - before.seconds } : undefined;
}
