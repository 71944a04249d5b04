import { type Kysely, sql } from 'kysely';

// Issued invoices are immutable: lines can never change or disappear, and an invoice's number,
// account, dates and amounts are fixed once written. Only its status (to pay, paid, void,
// credited) and delivery date move; corrections are new documents.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE FUNCTION refuse_invoice_line_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'invoice lines are immutable (invoice %)', OLD.invoice_id USING ERRCODE = 'P0001';
    END $$;

    CREATE TRIGGER invoice_lines_immutable BEFORE UPDATE OR DELETE ON invoice_lines
      FOR EACH ROW EXECUTE FUNCTION refuse_invoice_line_change();

    CREATE FUNCTION refuse_invoice_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'invoice % cannot be deleted', OLD.number USING ERRCODE = 'P0001';
      END IF;
      IF (NEW.number, NEW.entity_id, NEW.account_id, NEW.kind, NEW.billing_month, NEW.issue_date, NEW.currency,
          NEW.subtotal, NEW.total, NEW.legal_name, NEW.po_number)
         IS DISTINCT FROM
         (OLD.number, OLD.entity_id, OLD.account_id, OLD.kind, OLD.billing_month, OLD.issue_date, OLD.currency,
          OLD.subtotal, OLD.total, OLD.legal_name, OLD.po_number) THEN
        RAISE EXCEPTION 'invoice % is issued and immutable; issue a credit note instead', OLD.number
          USING ERRCODE = 'P0001';
      END IF;
      RETURN NEW;
    END $$;

    CREATE TRIGGER invoices_immutable BEFORE UPDATE OR DELETE ON invoices
      FOR EACH ROW EXECUTE FUNCTION refuse_invoice_change();
  `.execute(db);
}
