import { type ProductSelect, readableColumns } from '@aclue/db';
import { type productRules, products } from '@aclue/db/schema';
import { and, asc, desc, eq, type getTableColumns, sql } from 'drizzle-orm';
import { z } from 'zod';
import { NotFoundError, validate } from './errors';
import type { Runner } from './scope';
import { after, type Page, pageLimit, toPage } from './sql';

const searchInput = z.object({
  query: z.string().trim().min(2, 'query needs at least 2 characters'),
  limit: z.number().int().min(1).max(100).default(20),
});

/**
 * A product as the catalogue shows it: every column but what a sale earns (the commission rate),
 * which the API roles cannot select.
 */
export type CatalogueProduct = Omit<ProductSelect, HiddenColumn>;
type HiddenColumn = (typeof productRules.access.hidden)[number];

// The same columns for every caller, the service role too: one shape, inside the API roles' grants.
const catalogueColumns = readableColumns(products) as Omit<
  ReturnType<typeof getTableColumns<typeof products>>,
  HiddenColumn
>;

/** The product catalogue: what RLS lets the caller see (active rows, or all for the service). */
export class ProductRepository {
  constructor(private readonly run: Runner) {}

  async findById(id: string): Promise<CatalogueProduct> {
    const [row] = await this.run(
      (tx) =>
        tx
          .select(catalogueColumns)
          .from(products)
          .where(eq(products.id, validate(z.uuid(), id))),
      { readOnly: true },
    );
    if (!row) throw new NotFoundError(`no product ${id}`);
    return row;
  }

  /** Products whose title resembles `query`, most similar first (the trigram index). */
  async search(input: z.input<typeof searchInput>): Promise<CatalogueProduct[]> {
    const { query, limit } = validate(searchInput, input);
    return this.run(
      (tx) =>
        tx
          .select(catalogueColumns)
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
  }): Promise<Page<CatalogueProduct>> {
    const size = pageLimit(limit);
    const category = validate(z.uuid(), categoryId);
    const keyset = after(products, products.createdAt, products.id, cursor);
    const rows = await this.run(
      (tx) =>
        tx
          .select(catalogueColumns)
          .from(products)
          .where(and(eq(products.categoryId, category), keyset))
          .orderBy(desc(products.createdAt), desc(products.id))
          .limit(size + 1),
      { readOnly: true },
    );
    return toPage(rows, size);
  }
}
