import { invalidRequest } from './errors';

/**
 * Parsed Stripe form parameters. `a[b]=1` nests maps, `a[]=1` appends to a list, and
 * `a[0]=1` (what the SDK sends for arrays) stays a map with numeric keys — it is turned into a
 * list only where a list is expected, so `metadata[0]=x` keeps meaning the metadata key "0".
 */
export type Param = string | ParamList | ParamMap;
export type ParamList = Param[];
export interface ParamMap {
  [key: string]: Param;
}

/** Null-prototype so keys like `__proto__` or `constructor` are just keys. */
export function emptyParams(): ParamMap {
  return Object.create(null) as ParamMap;
}

export function isParamMap(value: Param | undefined): value is ParamMap {
  return typeof value === 'object' && !Array.isArray(value);
}

function decode(component: string): string {
  try {
    return decodeURIComponent(component.indexOf('+') === -1 ? component : component.replace(/\+/g, ' '));
  } catch {
    throw invalidRequest(`Invalid URL encoding in request: ${component.slice(0, 50)}`);
  }
}

/** `a[b][]` → ['a', 'b', '']; anything not of that exact shape is one literal key. */
export function parseKeyPath(key: string): string[] {
  const open = key.indexOf('[');
  if (open <= 0) return [key];
  const path = [key.slice(0, open)];
  let pos = open;
  while (pos < key.length) {
    if (key.charAt(pos) !== '[') return [key];
    const close = key.indexOf(']', pos + 1);
    if (close === -1) return [key];
    path.push(key.slice(pos + 1, close));
    pos = close + 1;
  }
  return path;
}

function conflict(path: string[]): never {
  const [base = '', ...rest] = path;
  throw invalidRequest(`Invalid value for ${base}${rest.map((s) => `[${s}]`).join('')}: conflicting parameter types.`, base);
}

function assign(root: ParamMap, path: string[], value: string): void {
  let container: ParamMap | ParamList = root;
  for (let i = 0; i < path.length; i++) {
    const segment = path[i] ?? '';
    const isLast = i === path.length - 1;
    const wantsList = path[i + 1] === '';
    if (Array.isArray(container)) {
      // Only `[]` may address a list; `a[]=1&a[x]=2` is contradictory.
      if (segment !== '') conflict(path);
      if (isLast) {
        container.push(value);
        return;
      }
      const child: ParamMap | ParamList = wantsList ? [] : emptyParams();
      container.push(child);
      container = child;
      continue;
    }
    if (segment === '') conflict(path);
    if (isLast) {
      container[segment] = value;
      return;
    }
    const existing: Param | undefined = container[segment];
    if (existing === undefined || typeof existing === 'string') {
      // A later nested key replaces an earlier scalar, matching Rack/qs "last wins".
      const child: ParamMap | ParamList = wantsList ? [] : emptyParams();
      container[segment] = child;
      container = child;
    } else if (Array.isArray(existing) === wantsList) {
      container = existing;
    } else {
      conflict(path);
    }
  }
}

/** Parses `application/x-www-form-urlencoded` text (a body or a query string) into `into`. */
export function parseForm(input: string, into: ParamMap = emptyParams()): ParamMap {
  if (input.length === 0) return into;
  for (const pair of input.split('&')) {
    if (pair.length === 0) continue;
    const eq = pair.indexOf('=');
    const rawKey = eq === -1 ? pair : pair.slice(0, eq);
    const rawValue = eq === -1 ? '' : pair.slice(eq + 1);
    const key = decode(rawKey);
    if (key.length === 0) continue;
    assign(into, parseKeyPath(key), decode(rawValue));
  }
  return into;
}
