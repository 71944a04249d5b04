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
  await db
    .insertInto('events')
    .values(
      events.map((e) => ({
        type: e.type,
        subject_id: e.subjectId,
        account_id: e.accountId ?? null,
        payload: JSON.stringify(e.payload),
        actor,
        occurred_at: at,
      })),
    )
    .execute();
}
