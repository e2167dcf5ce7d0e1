/** A field of an Avro record schema, as GetSchema's JSON lists it. */
export interface AvroField {
  name: string;
  type: unknown;
}

/** The fields of the record inside a `["null", {type: "record", …}]` union (a compound field). */
function recordFields(type: unknown): AvroField[] {
  for (const branch of Array.isArray(type) ? type : [type]) {
    if (typeof branch === 'object' && branch !== null && (branch as { type?: unknown }).type === 'record') return (branch as { fields: AvroField[] }).fields;
  }
  return [];
}

/** "0x…": bit i (least significant first) set ⇔ fields[i] is named. */
function namesOf(fields: readonly AvroField[], hex: string): string[] {
  if (!/^0x[0-9A-Fa-f]*$/.test(hex)) throw new Error(`not a field bitmap: ${hex}`);
  if (hex === '0x') return [];
  const bits = BigInt(hex);
  return fields.filter((_, i) => (bits >> BigInt(i)) & 1n).map((f) => f.name);
}

/**
 * changedFields/nulledFields/diffFields of a ChangeEventHeader as the Pub/Sub API sends them:
 * bitmaps over the schema's field positions, not names. The first element covers top-level
 * fields; a compound field (BillingAddress) adds "{its position}-0x…" over its own sub-fields.
 * Decoded to "Name", "BillingAddress.City", … as Salesforce's own examples do.
 */
export function decodeFieldBitmaps(fields: readonly AvroField[], encoded: readonly string[]): string[] {
  const out: string[] = [];
  for (const element of encoded) {
    const dash = element.indexOf('-');
    if (dash === -1) {
      out.push(...namesOf(fields, element));
      continue;
    }
    const parent = fields[Number(element.slice(0, dash))];
    if (parent === undefined) throw new Error(`no field at position ${element.slice(0, dash)} for ${element}`);
    out.push(...namesOf(recordFields(parent.type), element.slice(dash + 1)).map((child) => `${parent.name}.${child}`));
  }
  return out;
}
