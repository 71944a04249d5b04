import { type Kysely, sql } from 'kysely';

// RUN-12: staff may void a monthly invoice issued in error and have the month billed again (a
// reissue). The voided invoice keeps its number, lines and status `void`, and says it is being
// reissued (`reissue`); its replacement names it (`replaces`, at most one replacement each).
// RUN-9 holds for what is in force: one monthly invoice per account and month that is not void.
// The usage the voided invoice billed is released: its cuts are kept, marked `reissued`, and no
// longer count as billed, so the replacement's cut of the same calls may end at the same batch.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE invoices ADD COLUMN reissue boolean NOT NULL DEFAULT false;
    ALTER TABLE invoices ADD COLUMN replaces text REFERENCES invoices(id);
    CREATE UNIQUE INDEX invoices_one_replacement ON invoices(replaces);
    DROP INDEX invoices_one_monthly;
    CREATE UNIQUE INDEX invoices_one_monthly ON invoices(account_id, billing_month)
      WHERE kind = 'monthly' AND status <> 'void';
    -- Whether an account is due asks both (the bill run, for every account it claims): is there a
    -- monthly invoice in force (the index above), is there one voided and not to be reissued
    -- (this one, which also finds those to be reissued). Voids are few: so is this index.
    CREATE INDEX invoices_void_monthly ON invoices(account_id, billing_month)
      WHERE kind = 'monthly' AND status = 'void';

    ALTER TABLE usage_cuts ADD COLUMN reissued boolean NOT NULL DEFAULT false;
    ALTER TABLE usage_cuts DROP CONSTRAINT usage_cuts_pkey;
    CREATE UNIQUE INDEX usage_cuts_in_force ON usage_cuts(account_id, usage_month, through_batch)
      WHERE NOT reissued;
    CREATE INDEX usage_cuts_invoice ON usage_cuts(invoice_id);

    -- What a replacement replaces is as fixed as the rest of an issued invoice.
    CREATE OR REPLACE FUNCTION refuse_invoice_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'invoice % cannot be deleted', OLD.number USING ERRCODE = 'P0001';
      END IF;
      IF (NEW.number, NEW.entity_id, NEW.account_id, NEW.kind, NEW.billing_month, NEW.issue_date, NEW.currency,
          NEW.subtotal, NEW.total, NEW.legal_name, NEW.po_number, NEW.replaces)
         IS DISTINCT FROM
         (OLD.number, OLD.entity_id, OLD.account_id, OLD.kind, OLD.billing_month, OLD.issue_date, OLD.currency,
          OLD.subtotal, OLD.total, OLD.legal_name, OLD.po_number, OLD.replaces) THEN
        RAISE EXCEPTION 'invoice % is issued and immutable; issue a credit note instead', OLD.number
          USING ERRCODE = 'P0001';
      END IF;
      RETURN NEW;
    END $$;
  `.execute(db);
}
