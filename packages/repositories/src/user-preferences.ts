import { type Identity, type UserPreferencesSelect, validation } from '@aclue/db';
import { userPreferenceRules, userPreferences } from '@aclue/db/schema';
import { eq, sql } from 'drizzle-orm';
import type { z } from 'zod';
import { AccessDeniedError, NotFoundError, validate } from './errors';
import type { Runner } from './scope';
import { insertProvided } from './sql';

/** The fields a person sets by hand; the preference job computes every other one. */
export const preferenceEditsInput = validation.userPreferences.update
  .pick(
    Object.fromEntries(userPreferenceRules.access.update.map((key) => [key, true])) as {
      [K in (typeof userPreferenceRules.access.update)[number]]: true;
    },
  )
  .strict();
export type PreferenceEdits = z.input<typeof preferenceEditsInput>;

/** Preferences: read by their owner, computed by the preference job, hand-edited in part. */
export class UserPreferencesRepository {
  constructor(
    private readonly run: Runner,
    private readonly identity: Identity,
  ) {}

  private get userId(): string {
    if (this.identity.role !== 'authenticated') {
      throw new AccessDeniedError('preferences belong to a signed-in user: use asUser(userId)');
    }
    return this.identity.userId;
  }

  /** The caller's preferences. */
  async getMine(): Promise<UserPreferencesSelect> {
    const userId = this.userId;
    const [row] = await this.run(
      (tx) => tx.select().from(userPreferences).where(eq(userPreferences.userId, userId)),
      { readOnly: true },
    );
    if (!row) throw new NotFoundError('no preferences yet for this user');
    return row;
  }

  /**
   * Changes the caller's hand-set fields (brands, price range, price sensitivity), creating the
   * row if it does not exist yet. Any other field is refused by validation, and by the column
   * privileges behind it.
   */
  async updateMine(edits: PreferenceEdits): Promise<UserPreferencesSelect> {
    const userId = this.userId;
    const values = validate(preferenceEditsInput, edits) as Record<string, unknown>;
    const columns = Object.keys(values).filter((key) => values[key] !== undefined);
    return this.run(async (tx) => {
      const upsert = sql`${insertProvided(userPreferences, [{ ...values, userId }])}
        ON CONFLICT (user_id) DO ${
          columns.length === 0
            ? sql`NOTHING`
            : sql`UPDATE SET ${sql.join(
                columns.map((key) => {
                  const name =
                    userPreferences[key as keyof typeof userPreferences.$inferSelect].name;
                  return sql`${sql.identifier(name)} = excluded.${sql.identifier(name)}`;
                }),
                sql`, `,
              )}`
        }`;
      await tx.execute(upsert);
      const [row] = await tx
        .select()
        .from(userPreferences)
        .where(eq(userPreferences.userId, userId));
      if (!row) throw new NotFoundError('no preferences for this user');
      return row;
    });
  }
}
