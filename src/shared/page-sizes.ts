/**
 * The stored sizes of the rows a page query would return (pagination.ts PAGE_BYTES): the same filter
 * and order as the page's `em.find`, selecting only `octet_length(<column>::text)` of the columns
 * that can be large. One query written once per list: the filter object is the list's own.
 */
import { raw, type EntityManager, type EntityName, type FilterQuery } from '@mikro-orm/postgresql';
import type { Cursor, PageSizes } from './pagination.js';

export function pageSizes<T extends object>(
  em: EntityManager,
  entity: EntityName<T>,
  where: (cursor: Cursor) => FilterQuery<T>,
  columns: string[],
): PageSizes {
  const bytes = columns.map((c) => `coalesce(octet_length(e.${c}::text), 0)`).join(' + ');
  return async (cursor, order, limit) => {
    const rows = await em
      .createQueryBuilder(entity, 'e')
      .select(raw(`${bytes} as bytes`))
      .where(where(cursor) as never)
      .orderBy({ id: order } as never)
      .limit(limit)
      .execute<{ bytes: number | string }[]>('all');
    return rows.map((r) => Number(r.bytes));
  };
}
