/**
 * ISO 3166-1 alpha-2 codes ⇄ English country names, for orgs without country picklists (free-text
 * BillingCountry). Names come from Node's ICU data, as the emulator's picklist does; Salesforce's
 * labels differ from CLDR's for a handful of countries, and people type what they like, so a name
 * we cannot place is passed through as it is (the domain's validation then says so).
 */
const names = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' });
const byName = new Map<string, string>();

function nameOf(code: string): string | undefined {
  try {
    // Withdrawn codes are aliases of current ones ("DD" → "DE"): only the current code has the name.
    if (new Intl.Locale(`und-${code}`).region !== code) return undefined;
    const name = names.of(code);
    return name !== undefined && name !== code ? name : undefined;
  } catch {
    return undefined;
  }
}

for (let a = 65; a <= 90; a++) {
  for (let b = 65; b <= 90; b++) {
    const code = String.fromCharCode(a, b);
    const name = nameOf(code);
    if (name !== undefined) byName.set(name.toLowerCase(), code);
  }
}

export function countryNameOf(code: string): string {
  return nameOf(code.toUpperCase()) ?? code;
}

export function countryCodeOf(name: string): string {
  if (/^[A-Za-z]{2}$/.test(name)) return name.toUpperCase();
  return byName.get(name.trim().toLowerCase()) ?? name;
}
