/** One row of a route table: an HTTP method, a path pattern (`:name` matches one segment) and what serves it. */
export interface Route<H> {
  method: string;
  pattern: string;
  handler: H;
}

/** What a path and method come to: a route with its raw (still percent-encoded) parameters, or why none. */
export type RouteMatch<H> =
  | { kind: "found"; route: Route<H>; params: Record<string, string> }
  | { kind: "method-not-allowed" }
  | { kind: "not-found" };

/** The non-empty segments of a path: `//ping/` is `/ping`. */
export function pathSegments(pathname: string): string[] {
  return pathname.split("/").filter((segment) => segment !== "");
}

function matchPattern(pattern: string[], segments: string[]): Record<string, string> | undefined {
  if (pattern.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (const [index, part] of pattern.entries()) {
    const segment = segments[index]!;
    if (part.startsWith(":")) params[part.slice(1)] = segment;
    else if (part !== segment) return undefined;
  }
  return params;
}

/**
 * Compiles a route table into a matcher. The first pattern (in table order) that fits the path wins, whatever the
 * method; a method that pattern does not list is `method-not-allowed`. So `/models/predict` is the model named
 * "predict" when `/models/:name` comes before `/:name/predict`, for every method.
 */
export function createRouter<H>(
  table: ReadonlyArray<Route<H>>,
): (segments: string[], method: string) => RouteMatch<H> {
  const patterns = new Map<string, { parts: string[]; byMethod: Map<string, Route<H>> }>();
  for (const route of table) {
    let entry = patterns.get(route.pattern);
    if (entry === undefined) {
      entry = { parts: pathSegments(route.pattern), byMethod: new Map() };
      patterns.set(route.pattern, entry);
    }
    if (entry.byMethod.has(route.method)) throw new TypeError(`route ${route.method} ${route.pattern} twice`);
    entry.byMethod.set(route.method, route);
  }
  return (segments, method) => {
    for (const { parts, byMethod } of patterns.values()) {
      const params = matchPattern(parts, segments);
      if (params === undefined) continue;
      const route = byMethod.get(method);
      return route === undefined ? { kind: "method-not-allowed" } : { kind: "found", route, params };
    }
    return { kind: "not-found" };
  };
}
