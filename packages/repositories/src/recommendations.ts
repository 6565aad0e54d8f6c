import { type RecommendationInsert, type RecommendationSelect, validation } from '@aclue/db';
import { recommendations } from '@aclue/db/schema';
import { validate, validateRows } from './errors';
import type { Runner } from './scope';
import { chunk, newestFirst, type Page } from './sql';

export type RecommendationInput = Omit<RecommendationInsert, 'id' | 'createdAt'>;

/** Recommendations: written by the recommender (service role), read by their owner. */
export class RecommendationRepository {
  constructor(private readonly run: Runner) {}

  /** Stores recommendations (service role); all or nothing. */
  async createRecommendations(
    rows: readonly RecommendationInput[],
  ): Promise<RecommendationSelect[]> {
    const valid = validateRows(rows, (row, index) =>
      validate(validation.recommendations.insert.strict(), row, index),
    );
    if (valid.length === 0) return [];
    // Any batch size: 1,000 rows a statement stays far below PostgreSQL's 65,535 parameters.
    return this.run(async (tx) => {
      const stored: RecommendationSelect[] = [];
      for (const part of chunk(valid, 1_000)) {
        stored.push(...(await tx.insert(recommendations).values(part).returning()));
      }
      return stored;
    });
  }

  /** The caller's recommendations, newest first. */
  async listMine({
    limit = 50,
    after,
  }: {
    limit?: number;
    after?: string;
  } = {}): Promise<Page<RecommendationSelect>> {
    return this.run(myRecommendations({ limit, after }), { readOnly: true });
  }
}

const myRecommendations = newestFirst(
  recommendations,
  recommendations.createdAt,
  recommendations.id,
);
