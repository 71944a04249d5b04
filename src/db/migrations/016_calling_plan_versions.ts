import { type Kysely, sql } from 'kysely';

// Calling plan terms are effective-dated (SPEC §3: every price is data, per currency,
// effective-dated): a currency's plan is a list of versions, each in force from the first day of
// a month until the next one starts. A month is priced by one version, the one in force on its
// first day: its plan minutes are pooled (USG-3) and its overage is one line at one rate (RUN-5).
// The terms kept so far applied to every month billed: they become the version in force from
// 2000-01-01.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE calling_plans ADD COLUMN valid_from date NOT NULL DEFAULT '2000-01-01';
    ALTER TABLE calling_plans ALTER COLUMN valid_from DROP DEFAULT;
    ALTER TABLE calling_plans DROP CONSTRAINT calling_plans_pkey;
    ALTER TABLE calling_plans ADD PRIMARY KEY (currency, valid_from);
    ALTER TABLE calling_plans ADD CONSTRAINT calling_plans_from_month_start
      CHECK (extract(day FROM valid_from) = 1);
  `.execute(db);
}
