import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { toGlobalId } from '../../common/global-id.js';
import { Node } from '../../common/node.js';
import { SubjectKind } from '../progress/progress.entity.js';

/** Where a webhook's deliveries stand. */
export enum WebhookStatus {
  ACTIVE = 'ACTIVE',
  FAILING = 'FAILING',
  DISABLED = 'DISABLED',
}

registerEnumType(WebhookStatus, {
  name: 'WebhookStatus',
  description: 'Where the deliveries of a webhook (外部推送) stand.',
  valuesConfig: {
    ACTIVE: { description: '正常 — enabled, and its last attempt (if any) succeeded.' },
    FAILING: { description: '推送失败 — enabled, and the current event has failed since `failingSince`; retried at `nextAttemptAt`.' },
    DISABLED: { description: '已停用 — receives nothing until enabled again.' },
  },
});

/**
 * 外部推送 (webhook) — an outside system (企业微信/钉钉 gateway, 督查平台, SMS
 * gateway …) that receives progress events of some kinds in an area's subtree
 * as signed HTTP POSTs, in order, each retried until delivered. Registered by a
 * county admin; its registrant's role and area also bound what it receives.
 */
@ObjectType('Webhook', {
  implements: Node,
  description:
    '外部推送 — an outside system that receives progress events (进度动态) of chosen kinds in an area as signed JSON POSTs, in order, retried with backoff. County admins manage them.',
})
export class Webhook {
  /** Database key (decimal digits). */
  key!: string;

  @Field(() => ID, { description: 'Global ID (Relay).' })
  get id(): string {
    return toGlobalId('Webhook', this.key);
  }

  @Field({ description: '推送地址 — the URL the events are POSTed to (http or https).' })
  url!: string;

  @Field(() => String, { nullable: true, description: '说明 — what the receiver is, e.g. "县督查平台".' })
  description!: string | null;

  /** 12-digit code of the area whose subtree's events are sent. */
  areaCode!: string;

  @Field(() => [SubjectKind], { description: '事件类型 — the kinds of progress event sent.' })
  eventKinds!: SubjectKind[];

  @Field({ description: '启用 — false: nothing is sent.' })
  enabled!: boolean;

  @Field(() => WebhookStatus, { description: '状态 — active, failing or disabled.' })
  get status(): WebhookStatus {
    if (!this.enabled) return WebhookStatus.DISABLED;
    return this.failingSince ? WebhookStatus.FAILING : WebhookStatus.ACTIVE;
  }

  @Field(() => Int, { description: '已送达 — events delivered so far (2xx answers).' })
  deliveredCount!: number;

  @Field(() => Date, { nullable: true, description: '最近尝试 — when the last attempt was made.' })
  lastAttemptAt!: Date | null;

  @Field(() => Date, { nullable: true, description: '最近送达 — when an event was last delivered.' })
  lastDeliveredAt!: Date | null;

  @Field(() => Date, { nullable: true, description: '失败起始 — since when the current event has failed; null when not failing.' })
  failingSince!: Date | null;

  @Field(() => Int, { description: '连续失败次数 — failed attempts at the current event (0 when not failing).' })
  failedAttempts!: number;

  @Field(() => String, { nullable: true, description: '最近错误 — the error of the last failed attempt (e.g. "HTTP 500"); null once delivered.' })
  lastError!: string | null;

  @Field(() => Date, { nullable: true, description: '下次重试 — when the failing event is tried again; null when nothing waits.' })
  nextAttemptAt!: Date | null;

  @Field({ description: '登记人 — who registered it.' })
  createdBy!: string;

  @Field({ description: '登记时间 — when it was registered.' })
  createdAt!: Date;

  @Field({ description: '修改时间 — when it was last changed.' })
  updatedAt!: Date;

  @Field(() => Int, { description: 'Version for optimistic concurrency: send it back with `updateWebhook`, `rotateWebhookSecret` or `deleteWebhook`.' })
  version!: number;
}

/** 推送记录 — one attempt to deliver one event to a webhook. */
@ObjectType('WebhookDelivery', { description: '推送记录 — one attempt to deliver one event to a webhook (the newest attempts of each webhook are kept).' })
export class WebhookDelivery {
  /** Database key. */
  key!: string;

  @Field(() => ID, { description: 'Key of this attempt.' })
  get id(): string {
    return this.key;
  }

  @Field({ description: '推送编号 — the delivery id sent in X-Civgraph-Delivery: the same on every attempt at the same event.' })
  deliveryId!: string;

  @Field({ description: '事件序号 — the sequence of the progress event delivered.' })
  eventSequence!: string;

  @Field(() => Int, { description: '第几次 — the attempt number for this event (1 for the first).' })
  attempt!: number;

  @Field({ description: '时间 — when the attempt was made.' })
  attemptedAt!: Date;

  @Field({ description: '成功 — the receiver answered 2xx.' })
  ok!: boolean;

  @Field(() => Int, { nullable: true, description: 'HTTP status of the answer; null when there was none (timeout, refused connection).' })
  statusCode!: number | null;

  @Field(() => String, { nullable: true, description: '错误 — what went wrong; null on success.' })
  error!: string | null;

  @Field(() => Int, { description: '耗时 — milliseconds from the request to the answer or the failure.' })
  durationMs!: number;
}

/** Row shape of `webhook` (without the secret and the lease). */
export interface WebhookRow {
  id: string;
  url: string;
  description: string | null;
  area_code: string;
  event_kinds: SubjectKind[];
  enabled: boolean;
  owner_name: string;
  delivered_count: number;
  last_attempt_at: Date | string | null;
  last_success_at: Date | string | null;
  failing_since: Date | string | null;
  failed_attempts: number;
  last_error: string | null;
  next_attempt_at: Date | string | null;
  created_at: Date | string;
  updated_at: Date | string;
  version: number;
}

export const WEBHOOK_COLUMNS = `w.id::text as id, w.url, w.description, w.area_code, w.event_kinds::text[] as event_kinds, w.enabled, w.owner_name,
  w.delivered_count::int as delivered_count, w.last_attempt_at, w.last_success_at, w.failing_since, w.failed_attempts, w.last_error,
  w.next_attempt_at, w.created_at, w.updated_at, w.version`;

const date = (value: Date | string | null): Date | null => (value === null ? null : value instanceof Date ? value : new Date(value));

export function webhookFromRow(row: WebhookRow): Webhook {
  return Object.assign(new Webhook(), {
    key: row.id,
    url: row.url,
    description: row.description,
    areaCode: row.area_code,
    eventKinds: row.event_kinds,
    enabled: row.enabled,
    createdBy: row.owner_name,
    deliveredCount: row.delivered_count,
    lastAttemptAt: date(row.last_attempt_at),
    lastDeliveredAt: date(row.last_success_at),
    failingSince: date(row.failing_since),
    failedAttempts: row.failed_attempts,
    lastError: row.last_error,
    nextAttemptAt: date(row.next_attempt_at),
    createdAt: date(row.created_at)!,
    updatedAt: date(row.updated_at)!,
    version: row.version,
  });
}

/** Row shape of `webhook_delivery`. */
export interface WebhookDeliveryRow {
  id: string;
  delivery_id: string;
  event_sequence: string;
  attempt: number;
  attempted_at: Date | string;
  ok: boolean;
  status_code: number | null;
  error: string | null;
  duration_ms: number;
}

export const WEBHOOK_DELIVERY_COLUMNS =
  'd.id::text as id, d.delivery_id, d.event_sequence::text as event_sequence, d.attempt, d.attempted_at, d.ok, d.status_code, d.error, d.duration_ms';

export function webhookDeliveryFromRow(row: WebhookDeliveryRow): WebhookDelivery {
  return Object.assign(new WebhookDelivery(), {
    key: row.id,
    deliveryId: row.delivery_id,
    eventSequence: row.event_sequence,
    attempt: row.attempt,
    attemptedAt: date(row.attempted_at)!,
    ok: row.ok,
    statusCode: row.status_code,
    error: row.error,
    durationMs: row.duration_ms,
  });
}
