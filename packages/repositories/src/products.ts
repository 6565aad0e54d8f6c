import type { ProductSelect } from '@aclue/db';
import { products } from '@aclue/db/schema';
import { and, asc, desc, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import { NotFoundError, validate } from './errors';
import type { Runner } from './scope';
import { after, type Page, pageLimit, toPage } from './sql';

const searchInput = z.object({
  query: z.string().trim().min(2, 'query needs at least 2 characters'),
  limit: z.number().int().min(1).max(100).default(20),
});

/** The product catalogue: what RLS lets the caller see (active rows, or all for the service). */
export class ProductRepository {
  constructor(private readonly run: Runner) {}

  async findById(id: string): Promise<ProductSelect> {
    const [row] = await this.run(
      (tx) =>
        tx
          .select()
          .from(products)
          .where(eq(products.id, validate(z.uuid(), id))),
      { readOnly: true },
    );
    if (!row) throw new NotFoundError(`no product ${id}`);
    return row;
  }

  /** Products whose title resembles `query`, most similar first (the trigram index). */
  async search(input: z.input<typeof searchInput>): Promise<ProductSelect[]> {
    const { query, limit } = validate(searchInput, input);
    return this.run(
      (tx) =>
        tx
          .select()
          .from(products)
          .where(sql`${products.title} OPERATOR(extensions.%) ${query}`)
          .orderBy(sql`extensions.similarity(${products.title}, ${query}) DESC`, asc(products.id))
          .limit(limit),
      { readOnly: true },
    );
  }

  /** A category's products, newest first, a keyset page at a time. */
  async listInCategory({
    categoryId,
    limit = 50,
    after: cursor,
  }: {
    categoryId: string;
    limit?: number;
    after?: string;
  }): Promise<Page<ProductSelect>> {
    const size = pageLimit(limit);
    const category = validate(z.uuid(), categoryId);
    const keyset = after(products, products.createdAt, products.id, cursor);
    const rows = await this.run(
      (tx) =>
        tx
          .select()
          .from(products)
          .where(and(eq(products.categoryId, category), keyset))
          .orderBy(desc(products.createdAt), desc(products.id))
          .limit(size + 1),
      { readOnly: true },
    );
    return toPage(rows, size);
  }
}
