/**
 * ISO 3166-1 alpha-2 codes with English names, from the ICU data Node ships with: the emulator's
 * country/territory picklist. Salesforce's labels differ from CLDR's in a few places.
 */
// Regions ICU names that are not current ISO 3166-1 countries: reserved, grouping or withdrawn codes.
const NOT_COUNTRIES = new Set([
  'AC', 'CP', 'CQ', 'DG', 'EA', 'EU', 'EZ', 'IC', 'QO', 'TA', 'UN', 'XA', 'XB', 'ZZ',
  'AN', 'BU', 'CS', 'DD', 'DY', 'FX', 'HV', 'NH', 'RH', 'SU', 'TP', 'UK', 'VD', 'YD', 'YU', 'ZR',
]);

function build(): Map<string, string> {
  const names = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' });
  const out = new Map<string, string>();
  for (let a = 65; a <= 90; a++) {
    for (let b = 65; b <= 90; b++) {
      const code = String.fromCharCode(a, b);
      if (NOT_COUNTRIES.has(code)) continue;
      let name: string | undefined;
      try {
        name = names.of(code);
      } catch {
        name = undefined;
      }
      if (name !== undefined && name !== code) out.set(code, name);
    }
  }
  return out;
}

export const COUNTRIES: ReadonlyMap<string, string> = build();

export function countryCodeForName(name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const [code, n] of COUNTRIES) if (n.toLowerCase() === lower) return code;
  return undefined;
}
