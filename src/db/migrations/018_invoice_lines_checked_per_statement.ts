import { type Kysely, sql } from 'kysely';

// An invoice's lines name an invoice that exists, checked once per statement rather than by a
// foreign key's check per line. A bill run's batch writes its invoices' lines (a dozen and more an
// invoice) while it holds its entity's invoice numbering lock: the key's check of each line, a
// lookup and a row lock of its invoice, was most of the server's work there (10,000 invoices:
// ~2 s of ~3 s), and the other batches wait for that lock. The one check of a statement's new
// lines against the invoices is a tenth of it. What the key also guarded stays guarded: invoices
// are never deleted (refused since 002); here an invoice's id is fixed, and a TRUNCATE of invoices
// (which no row trigger sees) is refused.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE invoice_lines DROP CONSTRAINT invoice_lines_invoice_id_fkey;

    CREATE FUNCTION check_invoice_lines_invoice() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
      missing text;
    BEGIN
      SELECT l.invoice_id INTO missing
      FROM (SELECT DISTINCT invoice_id FROM added_lines) l
      WHERE NOT EXISTS (SELECT 1 FROM invoices i WHERE i.id = l.invoice_id)
      LIMIT 1;
      IF FOUND THEN
        RAISE EXCEPTION 'invoice lines name invoice %, which does not exist', missing
          USING ERRCODE = 'foreign_key_violation';
      END IF;
      RETURN NULL;
    END $$;

    CREATE TRIGGER invoice_lines_of_an_invoice AFTER INSERT ON invoice_lines
      REFERENCING NEW TABLE AS added_lines
      FOR EACH STATEMENT EXECUTE FUNCTION check_invoice_lines_invoice();

    CREATE FUNCTION refuse_invoice_id_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'invoice % is issued and immutable: its id cannot change', OLD.number
        USING ERRCODE = 'P0001';
    END $$;

    CREATE TRIGGER invoices_id_fixed BEFORE UPDATE OF id ON invoices
      FOR EACH ROW WHEN (NEW.id IS DISTINCT FROM OLD.id) EXECUTE FUNCTION refuse_invoice_id_change();

    CREATE FUNCTION refuse_invoice_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'invoices cannot be deleted' USING ERRCODE = 'P0001';
    END $$;

    CREATE TRIGGER invoices_not_truncated BEFORE TRUNCATE ON invoices
      FOR EACH STATEMENT EXECUTE FUNCTION refuse_invoice_truncate();
  `.execute(db);
}
