import { boolean, integer, numeric, timestamp, uuid } from 'drizzle-orm/pg-core';

/**
 * Column builders for the conventions every table shares (see the data model): a fresh builder per
 * call, because drizzle binds a builder to the first table that uses it.
 */

export const id = () => uuid('id').primaryKey().defaultRandom();

/**
 * The id of a row in a partitioned table: the key is (id, partition column), because PostgreSQL
 * enforces uniqueness only per partition. A random UUID stays unique in practice.
 */
export const partitionedId = () => uuid('id').notNull().defaultRandom();

/** An event or audit timestamp: never null, set by the database when the caller leaves it out. */
export const eventTime = (name: string) =>
  timestamp(name, { withTimezone: true }).notNull().defaultNow();

export const createdAt = () => eventTime('created_at');
export const updatedAt = () => eventTime('updated_at');

/** A timestamp that is unknown until something happens (conversion, end of session, ...). */
export const optionalTime = (name: string) => timestamp(name, { withTimezone: true });

/** Flags are never null, so no check constraint can be slipped past with NULL. */
export const flag = (name: string, fallback = false) => boolean(name).notNull().default(fallback);

/** Counters start at zero and are never null. */
export const counter = (name: string) => integer(name).notNull().default(0);

/** A score in 0..1 with two decimals; the range lives in the table's rules. */
export const score = (name: string) => numeric(name, { precision: 3, scale: 2, mode: 'number' });

/** A rate in 0..1 with four decimals (commission, engagement). */
export const rate = (name: string) => numeric(name, { precision: 5, scale: 4, mode: 'number' });

/** Money: ten digits, two decimals, never negative (see the table's rules). */
export const money = (name: string) => numeric(name, { precision: 10, scale: 2, mode: 'number' });
