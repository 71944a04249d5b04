import { sql } from 'kysely';
import type { Db } from './connection.ts';

export interface DomainEvent {
  type: string;
  subjectId: string;
  accountId?: string | null;
  payload: Record<string, unknown>;
}

/**
 * Appends events in the caller's transaction, so a state change and the event that announces it
 * commit together (the audit trail and webhooks read from here).
 */
export async function appendEvents(db: Db, actor: string, at: Date, events: DomainEvent[]): Promise<void> {
  if (events.length === 0) return;
  // One statement and one parameter whatever the number of events.
  const rows = JSON.stringify(
    events.map((e) => ({
      type: e.type,
      subject_id: e.subjectId,
      account_id: e.accountId ?? null,
      payload: e.payload,
    })),
  );
  await sql`
    INSERT INTO events (type, subject_id, account_id, payload, actor, occurred_at)
    SELECT type, subject_id, account_id, payload, ${actor}, ${at.toISOString()}::timestamptz
    FROM json_to_recordset(${rows}::json) AS t(type text, subject_id text, account_id text, payload jsonb)`.execute(
    db,
  );
}
