import type { ChangeEventSchema } from './schema';

/** Bit i set = field i of the record; upper-case hex, whole bytes, "0x" prefix ("0x3E"). */
export function bitmapHex(positions: Iterable<number>): string {
  let bits = 0n;
  for (const p of positions) bits |= 1n << BigInt(p);
  if (bits === 0n) return '0x';
  const hex = bits.toString(16).toUpperCase();
  return `0x${hex.length % 2 === 1 ? `0${hex}` : hex}`;
}

/**
 * A field list as the Pub/Sub API sends it: element 0 is the bitmap of top-level fields, then one
 * "{parentPosition}-{bitmap}" element per compound field with the bitmap of its nested fields.
 */
export function encodeFieldList(schema: ChangeEventSchema, restFields: readonly string[]): string[] {
  if (restFields.length === 0) return [];
  const top: number[] = [];
  const nested = new Map<number, number[]>();
  for (const name of restFields) {
    const slot = schema.slot(name);
    if (slot === undefined) continue;
    if (slot.kind === 'top') top.push(slot.position);
    else nested.set(slot.position, [...(nested.get(slot.position) ?? []), slot.child]);
  }
  if (top.length === 0 && nested.size === 0) return [];
  return [bitmapHex(top), ...[...nested].map(([position, children]) => `${position}-${bitmapHex(children)}`)];
}
