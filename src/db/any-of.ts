import { sql } from 'kysely';

/**
 * `column = ANY($1)` with the ids as one array parameter: a single plan and a single parameter
 * whatever the list length (a 500-element IN list costs more to plan than to run).
 */
export const anyOf = (ids: readonly string[]) => sql<string>`any(${ids as string[]}::text[])`;
