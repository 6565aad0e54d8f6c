import type { CategorySelect } from '@aclue/db';
import { categories } from '@aclue/db/schema';
import { asc } from 'drizzle-orm';
import type { Runner } from './scope';

/** Gift categories: public, read in display order. */
export class CategoryRepository {
  constructor(private readonly run: Runner) {}

  /** The categories the caller may see (active ones, or all for the service role). */
  async list(): Promise<CategorySelect[]> {
    return this.run(
      (tx) => tx.select().from(categories).orderBy(asc(categories.sortOrder), asc(categories.name)),
      { readOnly: true },
    );
  }
}
