// An independent decoder of the Pub/Sub API's field bitmaps, written from Salesforce's description
// ("Event Deserialization Considerations"), to prove what the emulator encodes round-trips.
interface AvroField {
  name: string;
  type: unknown;
}

function childFields(type: unknown): AvroField[] {
  const branches = Array.isArray(type) ? type : [type];
  for (const branch of branches) {
    if (typeof branch === 'object' && branch !== null && (branch as { type?: string }).type === 'record') return (branch as { fields: AvroField[] }).fields;
  }
  return [];
}

function namesFromHex(fields: AvroField[], hex: string): string[] {
  if (!hex.startsWith('0x')) throw new Error(`not a bitmap: ${hex}`);
  const digits = hex.slice(2);
  if (digits === '') return [];
  const bits = BigInt(`0x${digits}`);
  return fields.filter((_, i) => ((bits >> BigInt(i)) & 1n) === 1n).map((f) => f.name);
}

/** ['0x…', 'n-0x…'] → ['Name', 'BillingAddress.City', …] against the event's schema JSON. */
export function decodeFieldList(schemaJson: string, encoded: readonly string[]): string[] {
  const fields = (JSON.parse(schemaJson) as { fields: AvroField[] }).fields;
  const out: string[] = [];
  for (const element of encoded) {
    const dash = element.indexOf('-');
    if (dash === -1) {
      out.push(...namesFromHex(fields, element));
      continue;
    }
    const parent = fields[Number(element.slice(0, dash))];
    if (parent === undefined) throw new Error(`no field at position ${element.slice(0, dash)}`);
    out.push(...namesFromHex(childFields(parent.type), element.slice(dash + 1)).map((child) => `${parent.name}.${child}`));
  }
  return out;
}
