import { type Kysely, sql } from 'kysely';

// A call set's ids are kept as one text, a space between (an id is printable ASCII without a
// space), instead of an array: the server read an array's every id as an element of its own, half
// of what storing a set cost it (10M calls' sets: 2.9–3.0 s as arrays, 1.2 s as text), and a set
// is 4 bytes a call smaller. The instants stay an array, position for position with the ids; what
// pairs them is checked cheaply (counting the ids would be a pass over the text on every write,
// another 0.5 s per 10M calls): a set holds at least one instant, and n ids of 1–128 characters
// with a space between take 2n − 1 to 129n − 1 bytes. The writers (import.ts, repo.ts) pair them
// and are tested for it.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE call_sets DROP CONSTRAINT call_sets_check;
    ALTER TABLE call_sets ALTER COLUMN call_ids TYPE text USING array_to_string(call_ids, ' ');
    -- Stored as written (no compression pass), as before: sets are read whole, by account-month.
    ALTER TABLE call_sets ALTER COLUMN call_ids SET STORAGE EXTERNAL;
    ALTER TABLE call_sets ADD CONSTRAINT call_sets_ids_fit_instants CHECK (
      cardinality(started_ms) >= 1
      AND octet_length(call_ids) BETWEEN 2 * cardinality(started_ms) - 1 AND 129 * cardinality(started_ms) - 1);
  `.execute(db);
}
