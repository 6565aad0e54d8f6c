import {
  type CategorySelect,
  categories,
  type ProductSelect,
  products,
  type RecommendationInsert,
  type RecommendationSelect,
  recommendations,
  validation,
} from '@aclue/db';
import { and, asc, desc, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import { NotFoundError, ValidationError, validate } from './errors';
import type { Runner } from './scope';
import { after, type Page, toPage } from './sql';

const searchInput = z.object({
  query: z.string().trim().min(2, 'query needs at least 2 characters'),
  limit: z.number().int().min(1).max(100).default(20),
});

/** The public catalogue: what RLS lets the caller see (active rows, or all for the service). */
export class CatalogRepository {
  constructor(private readonly run: Runner) {}

  async findProduct(id: string): Promise<ProductSelect> {
    const [row] = await this.run((tx) =>
      tx
        .select()
        .from(products)
        .where(eq(products.id, validate(z.uuid(), id))),
    );
    if (!row) throw new NotFoundError(`no product ${id}`);
    return row;
  }

  /** Products whose title resembles `query`, most similar first (the trigram index). */
  async searchProducts(input: z.input<typeof searchInput>): Promise<ProductSelect[]> {
    const { query, limit } = validate(searchInput, input);
    return this.run((tx) =>
      tx
        .select()
        .from(products)
        .where(sql`${products.title} OPERATOR(extensions.%) ${query}`)
        .orderBy(sql`extensions.similarity(${products.title}, ${query}) DESC`, asc(products.id))
        .limit(limit),
    );
  }

  /** A category's products, newest first, a keyset page at a time. */
  async listProductsInCategory({
    categoryId,
    limit = 50,
    after: cursor,
  }: {
    categoryId: string;
    limit?: number;
    after?: string;
  }): Promise<Page<ProductSelect>> {
    const rows = await this.run((tx) =>
      tx
        .select()
        .from(products)
        .where(
          and(
            eq(products.categoryId, categoryId),
            after(products, products.createdAt, products.id, cursor),
          ),
        )
        .orderBy(desc(products.createdAt), desc(products.id))
        .limit(limit + 1),
    );
    return toPage(rows, limit);
  }

  async listCategories(): Promise<CategorySelect[]> {
    return this.run((tx) =>
      tx.select().from(categories).orderBy(asc(categories.sortOrder), asc(categories.name)),
    );
  }
}

export type RecommendationInput = Omit<RecommendationInsert, 'id' | 'createdAt'>;

/** Recommendations: written by the recommender (service role), read by their owner. */
export class RecommendationRepository {
  constructor(private readonly run: Runner) {}

  /** Stores recommendations (service role); all or nothing. */
  async createRecommendations(
    rows: readonly RecommendationInput[],
  ): Promise<RecommendationSelect[]> {
    const issues: ValidationError['issues'] = [];
    const valid = rows.flatMap((row, index) => {
      const result = validation.recommendations.insert.strict().safeParse(row);
      if (result.success) return [result.data];
      issues.push(...ValidationError.fromZod(result.error, index).issues);
      return [];
    });
    if (issues.length > 0) throw new ValidationError(issues);
    if (valid.length === 0) return [];
    return this.run((tx) => tx.insert(recommendations).values(valid).returning());
  }

  /** The caller's recommendations, newest first. */
  async listMine({
    limit = 50,
    after: cursor,
  }: {
    limit?: number;
    after?: string;
  } = {}): Promise<Page<RecommendationSelect>> {
    const rows = await this.run((tx) =>
      tx
        .select()
        .from(recommendations)
        .where(after(recommendations, recommendations.createdAt, recommendations.id, cursor))
        .orderBy(desc(recommendations.createdAt), desc(recommendations.id))
        .limit(limit + 1),
    );
    return toPage(rows, limit);
  }
}
