import { invalidInteger, invalidRequest, parameterUnknown } from './errors';
import { isParamMap, type Param, type ParamMap } from './form';

/** Rejects the first parameter Stripe would not recognise for this endpoint. */
export function assertKnownParams(params: ParamMap, allowed: ReadonlySet<string>): void {
  for (const key of Object.keys(params)) {
    if (!allowed.has(key)) throw parameterUnknown(key);
  }
}

function describe(value: Param): string {
  return JSON.stringify(value);
}

export function optionalString(params: ParamMap, name: string): string | undefined {
  const value = params[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw invalidRequest(`Invalid string: ${describe(value)}`, name);
  return value;
}

export function parseInteger(name: string, value: Param): number {
  if (typeof value !== 'string' || !/^-?\d{1,15}$/.test(value.trim())) {
    throw invalidInteger(name, typeof value === 'string' ? value : describe(value));
  }
  return Number.parseInt(value, 10);
}

export function optionalInteger(params: ParamMap, name: string): number | undefined {
  const value = params[name];
  return value === undefined ? undefined : parseInteger(name, value);
}

/** `limit` as Stripe validates it for list and search endpoints. */
export function limitParam(params: ParamMap): number {
  const limit = optionalInteger(params, 'limit');
  if (limit === undefined) return 10;
  if (limit < 1) throw invalidRequest('This value must be greater than or equal to 1.', 'limit');
  if (limit > 100) throw invalidRequest('This value must be less than or equal to 100.', 'limit');
  return limit;
}

export interface CreatedRange {
  gt?: number;
  gte?: number;
  lt?: number;
  lte?: number;
}

const RANGE_KEYS = new Set(['gt', 'gte', 'lt', 'lte']);

/** `created=123` means exactly that second; `created[gte]=…` etc. are bounds. */
export function createdParam(params: ParamMap, name = 'created'): CreatedRange | undefined {
  const value = params[name];
  if (value === undefined) return undefined;
  if (typeof value === 'string') {
    const at = parseInteger(name, value);
    return { gte: at, lte: at };
  }
  if (!isParamMap(value)) throw invalidRequest(`Invalid ${name}: must be an integer or a hash of gt, gte, lt, lte`, name);
  const range: CreatedRange = {};
  for (const key of Object.keys(value)) {
    if (!RANGE_KEYS.has(key)) throw parameterUnknown(`${name}[${key}]`);
    const bound = value[key];
    if (bound !== undefined) range[key as keyof CreatedRange] = parseInteger(`${name}[${key}]`, bound);
  }
  return range;
}

/** Accepts `x[]=a&x[]=b`, the SDK's `x[0]=a&x[1]=b`, or a lone `x=a`. */
export function optionalStringList(params: ParamMap, name: string): string[] | undefined {
  const value = params[name];
  if (value === undefined) return undefined;
  if (typeof value === 'string') return value === '' ? [] : [value];
  const entries: Array<[number, Param]> = Array.isArray(value)
    ? value.map((item, index): [number, Param] => [index, item])
    : Object.keys(value).map((key): [number, Param] => {
        if (!/^\d+$/.test(key)) throw invalidRequest(`Invalid array`, name);
        return [Number(key), value[key] ?? ''];
      });
  entries.sort((a, b) => a[0] - b[0]);
  return entries.map(([, item]) => {
    if (typeof item !== 'string') throw invalidRequest(`Invalid array`, name);
    return item;
  });
}

/** Stripe's form booleans are the strings `true` and `false`. */
export function optionalBoolean(params: ParamMap, name: string): boolean | undefined {
  const value = optionalString(params, name);
  if (value === undefined) return undefined;
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw invalidRequest(`Invalid boolean: ${value}`, name);
}

/** One of a fixed set of strings, with Stripe's "must be one of a, b, or c" message. */
export function optionalEnum<T extends string>(params: ParamMap, name: string, choices: readonly T[]): T | undefined {
  const value = optionalString(params, name);
  if (value === undefined) return undefined;
  if ((choices as readonly string[]).includes(value)) return value as T;
  const list = choices.length > 1 ? `${choices.slice(0, -1).join(', ')}, or ${choices[choices.length - 1] ?? ''}` : (choices[0] ?? '');
  throw invalidRequest(`Invalid ${name}: must be one of ${list}`, name);
}

/** A three-letter currency code, lower-cased as Stripe returns it. */
export function optionalCurrency(params: ParamMap, name = 'currency'): string | undefined {
  const value = optionalString(params, name);
  if (value === undefined) return undefined;
  if (!/^[A-Za-z]{3}$/.test(value)) throw invalidRequest(`Invalid currency: ${value.toLowerCase()}.`, name);
  return value.toLowerCase();
}
