/**
 * Which methods each known path answers, for `405 Method Not Allowed` with `Allow`. Filled from
 * Fastify's onRoute hook; read only when no route matched, so it costs nothing on a matched request.
 */
export class RouteIndex {
  /** Routes by segment count; a trailing `*` segment matches any rest of the path. */
  private readonly fixed = new Map<number, Route[]>();
  private readonly wildcard: Route[] = [];

  add(method: string | string[], url: string): void {
    const methods = (Array.isArray(method) ? method : [method]).map((m) => m.toUpperCase());
    // The CORS preflight route answers OPTIONS on every path; it says nothing about a path's methods.
    if (url === '*' || url === '/*') return;
    const segments = url.split('/').slice(1);
    const last = segments[segments.length - 1];
    const route: Route = { methods, segments: last === '*' ? segments.slice(0, -1) : segments };
    if (last === '*') this.wildcard.push(route);
    else {
      const list = this.fixed.get(segments.length) ?? [];
      list.push(route);
      this.fixed.set(segments.length, list);
    }
  }

  /** The methods some route answers on this path (query string ignored), in a stable order; empty when none. */
  allowedMethods(path: string): string[] {
    const segments = path.split('?')[0].split('/').slice(1);
    const found = new Set<string>();
    for (const route of this.fixed.get(segments.length) ?? []) {
      if (matches(route.segments, segments)) route.methods.forEach((m) => found.add(m));
    }
    for (const route of this.wildcard) {
      if (segments.length > route.segments.length && matches(route.segments, segments)) route.methods.forEach((m) => found.add(m));
    }
    return METHOD_ORDER.filter((m) => found.has(m)).concat([...found].filter((m) => !METHOD_ORDER.includes(m)).sort());
  }
}

interface Route {
  methods: string[];
  segments: string[];
}

const METHOD_ORDER = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

function matches(pattern: string[], segments: string[]): boolean {
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i];
    if (p.startsWith(':')) {
      if (segments[i] === '') return false;
    } else if (p !== segments[i]) return false;
  }
  return true;
}

const ROUTE_INDEX = Symbol('routeIndex');

/** Keeps the index with the Fastify instance whose routes it lists. */
export function attachRouteIndex(fastify: object, index: RouteIndex): void {
  (fastify as Record<symbol, RouteIndex>)[ROUTE_INDEX] = index;
}

export function routeIndexOf(fastify: object): RouteIndex | undefined {
  return (fastify as Record<symbol, RouteIndex | undefined>)[ROUTE_INDEX];
}
