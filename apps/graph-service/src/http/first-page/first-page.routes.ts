/**
 * The routes whose first page the shortcut may answer: GraphQueryController declares them with
 * these constants and FirstPageShortcut recognises requests by the same paths.
 */
export const GRAPH_ROUTE_PREFIX = 'api/v1/graph';
export const FIRST_PAGE_LISTS = ['followers', 'following'] as const;
export type FirstPageKind = (typeof FIRST_PAGE_LISTS)[number];

/** `/api/v1/graph/followers/` — the path prefix of one list's route, as the raw request URL starts. */
export function firstPagePathPrefix(kind: FirstPageKind): string {
  return `/${GRAPH_ROUTE_PREFIX}/${kind}/`;
}
