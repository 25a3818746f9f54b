import { Migration } from '@mikro-orm/migrations';

/**
 * Webhooks (issue 31, item 4): outside systems that hear of progress events.
 *
 * - `webhook`: one registration — where to POST, which event kinds of which
 *   subtree, the signing secret, who registered it (their role and area decide
 *   which events it may receive, as for a subscriber), and its delivery state:
 *   `cursor` is the last event sequence dealt with (delivered, or not for this
 *   webhook); the event after it is retried until it is delivered, so delivery
 *   is in order and survives restarts. `lease_*` lets one server at a time work
 *   a webhook.
 * - `webhook_delivery`: one row per attempt (bounded per webhook by the deliverer).
 */
export class Migration20261207213000_webhooks extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table webhook (
      id bigserial primary key,
      url text not null check (length(url) between 1 and 2000),
      description text check (description is null or length(description) <= 200),
      area_code text collate "C" not null references area (code),
      event_kinds text[] not null check (cardinality(event_kinds) > 0),
      secret text not null,
      enabled boolean not null default true,
      owner_sub text not null,
      owner_name text not null,
      owner_role text not null,
      owner_area_code text collate "C" not null,
      cursor bigint not null,
      delivered_count bigint not null default 0,
      last_attempt_at timestamptz,
      last_success_at timestamptz,
      failing_since timestamptz,
      failed_attempts int not null default 0,
      last_error text,
      next_attempt_at timestamptz,
      lease_owner text,
      lease_until timestamptz,
      version int not null default 1,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`);
    this.addSql('create index webhook_area_idx on webhook (area_code, id)');
    this.addSql(`create table webhook_delivery (
      id bigserial primary key,
      webhook_id bigint not null references webhook (id) on delete cascade,
      delivery_id text not null,
      event_sequence bigint not null,
      attempt int not null,
      attempted_at timestamptz not null default now(),
      ok boolean not null,
      status_code int,
      error text,
      duration_ms int not null
    )`);
    this.addSql('create index webhook_delivery_webhook_idx on webhook_delivery (webhook_id, id)');
    this.addSql(`comment on table webhook is 'Outside systems that receive progress events (外部推送), signed, in order, retried'`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table webhook_delivery');
    this.addSql('drop table webhook');
  }
}
