import { expect } from 'vitest';
import type { TestApp } from './app.js';

/** Every field of a DeadlineExtension (延期申请) the tests read. */
export const EXTENSION_FIELDS =
  'id item previousDeadline requestedDeadline approvedDeadline reason state requestedBy requestedAt decidedBy decidedAt decidedOn note';
const REQUEST = `mutation($input: RequestDeadlineExtensionInput!) {
  requestDeadlineExtension(input: $input) { extension { ${EXTENSION_FIELDS} } userErrors { code field message messageZh } }
}`;
const DECIDE = `mutation($input: DecideDeadlineExtensionInput!) {
  decideDeadlineExtension(input: $input) { extension { ${EXTENSION_FIELDS} } userErrors { code field message messageZh } }
}`;

/**
 * `requestDeadlineExtension` and `decideDeadlineExtension` against the test file's app: `request` and
 * `decide` give the whole answer; `requested` and `decided` expect success and give the extension.
 */
export function extensionMutations(app: () => TestApp) {
  const request = (token: string, input: Record<string, unknown>) => app().request<any, any>(REQUEST, { input }, { token });
  const decide = (token: string, input: Record<string, unknown>) => app().request<any, any>(DECIDE, { input }, { token });
  const requested = async (token: string, input: Record<string, unknown>) => {
    const result = await request(token, input);
    expect(result.errors).toBeUndefined();
    expect(result.data.requestDeadlineExtension.userErrors).toEqual([]);
    return result.data.requestDeadlineExtension.extension;
  };
  const decided = async (token: string, input: Record<string, unknown>) => {
    const result = await decide(token, input);
    expect(result.errors).toBeUndefined();
    expect(result.data.decideDeadlineExtension.userErrors).toEqual([]);
    return result.data.decideDeadlineExtension.extension;
  };
  return { request, decide, requested, decided };
}
