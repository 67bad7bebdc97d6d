import { EdgeList, OwnedEdgeList } from '../model/edge-list';
import { UserId } from '../model/user-id';
import { GraphReadRepository } from '../ports/graph-read.repository';

/** Every page of a list through listEdges, following each page's position (at most 100 pages). */
export async function allPages(repo: Pick<GraphReadRepository, 'listEdges'>, list: EdgeList, limit: number) {
  const pages = [];
  let after = null;
  for (let i = 0; i < 100; i++) {
    const slice = await repo.listEdges(list, { limit, after });
    pages.push(slice);
    if (!slice.next) break;
    after = slice.next;
  }
  return pages;
}

/** Every page of a list through readListPage as `viewer` sees it (stops at the first refusal). */
export async function allReadPages(repo: Pick<GraphReadRepository, 'readListPage'>, viewer: UserId, list: OwnedEdgeList, limit: number) {
  const pages = [];
  let after = null;
  for (let i = 0; i < 100; i++) {
    const read = await repo.readListPage(viewer, list, { limit, after });
    pages.push(read);
    if (read.access !== 'ok' || !read.slice.next) break;
    after = read.slice.next;
  }
  return pages;
}
