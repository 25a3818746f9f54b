import { Migration } from '@mikro-orm/migrations';

/**
 * Trusted documents (src/server/trusted-documents.ts): the operations a client
 * registered, under the sha256 of their exact text. One row per (hash, client):
 * two clients may register the same document; a lookup by hash uses the key's
 * leading column. Rows are only added (a hash names its text for ever).
 */
export class Migration20261205210000_trusted_documents extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table trusted_document (
      hash text not null check (hash ~ '^[0-9a-f]{64}$'),
      client text not null check (client <> ''),
      body text not null,
      registered_by text not null,
      registered_at timestamptz not null default now(),
      primary key (hash, client)
    )`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table trusted_document');
  }
}
