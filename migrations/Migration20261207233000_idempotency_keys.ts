import { Migration } from '@mikro-orm/migrations';

/**
 * 幂等键 (issue 30, item 2): a client-made key on an entry write (figures, task and
 * project progress), so a retried send (an offline queue's, a dropped answer's)
 * never applies twice. One row per caller and key, written in the write's own
 * transaction: which operation, a hash of its input (the key itself left out),
 * and a reference to what it wrote, from which a retry's answer is read again.
 * Rows older than 7 days are pruned as new keys come in (the index on `created_at`).
 */
export class Migration20261207233000_idempotency_keys extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table idempotency_key (
      caller text not null,
      key text not null check (length(key) between 8 and 100),
      operation text not null,
      input_hash text not null,
      result jsonb,
      created_at timestamptz not null default now(),
      primary key (caller, key)
    )`);
    this.addSql('create index idempotency_key_created_idx on idempotency_key (created_at)');
    this.addSql(`comment on table idempotency_key is '幂等键: entry writes already applied, by caller and client-made key, kept 7 days'`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table idempotency_key');
  }
}
