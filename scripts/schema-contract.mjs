#!/usr/bin/env node
// The schema as a contract (CI, before `npm test`).
//
// Compares schema/schema.graphql with the same file at a base revision with
// @graphql-inspector/core and fails when a breaking change (a removed type,
// field, argument or enum value, a changed type, a new required argument or
// input field, …) is not named in CHANGELOG.md under "## Unreleased" →
// "### Breaking". Naming it means mentioning its schema coordinate there (the
// line this script prints, backticks allowed), ideally with what clients should
// use instead.
// Fields are retired with @deprecated first: removing one that was not
// deprecated at the base is pointed out.
//
// Base, first that exists:
//   1. $SCHEMA_BASE (any git revision: a tag, origin/main, a commit);
//   2. the newest tag matching v* (the last release);
//   3. HEAD~1 — on main, the previous commit (the first parent of a merge).
// Skipped with a message (exit 0) when there is no base or the file does not
// exist there: a shallow CI clone needs `fetch-depth: 0` (or fetching the tag)
// for the check to run.
//
// Usage: node scripts/schema-contract.mjs
//        node scripts/schema-contract.mjs --old OLD.graphql --new NEW.graphql --changelog CHANGELOG.md
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { CriticalityLevel, diff } from '@graphql-inspector/core';
import { buildSchema } from 'graphql';

const SCHEMA = 'schema/schema.graphql';

function git(args) {
  try {
    return execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 * 1024 * 1024 });
  } catch {
    return null;
  }
}

/** The base revision and why it was chosen, or null. */
export function chooseBase(env = process.env) {
  if (env.SCHEMA_BASE) return git(['rev-parse', '--verify', '--quiet', `${env.SCHEMA_BASE}^{commit}`]) ? { rev: env.SCHEMA_BASE, why: 'SCHEMA_BASE' } : null;
  const tag = git(['tag', '--list', 'v*', '--sort=-v:refname'])?.split('\n').find(Boolean);
  if (tag) return { rev: tag, why: 'newest v* tag' };
  if (git(['rev-parse', '--verify', '--quiet', 'HEAD~1^{commit}'])) return { rev: 'HEAD~1', why: 'previous commit' };
  return null;
}

const normalize = (text) => text.replaceAll('`', '').replace(/\s+/g, ' ').trim();

/** The text of "### Breaking" under "## Unreleased" in a change log (empty when absent). */
export function unreleasedBreaking(changelog) {
  const lines = changelog.split('\n');
  let inUnreleased = false;
  let inBreaking = false;
  const out = [];
  for (const line of lines) {
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    if (heading) {
      const level = heading[1].length;
      const title = heading[2].trim().toLowerCase();
      if (level <= 2) {
        inUnreleased = /^\[?unreleased\]?/.test(title);
        inBreaking = false;
      } else if (inUnreleased && level === 3) inBreaking = title.startsWith('breaking');
      continue;
    }
    if (inBreaking) out.push(line);
  }
  return normalize(out.join(' '));
}

/** Coordinates (Type.field, Enum.VALUE) that carried @deprecated at the base. */
function deprecatedAt(schema) {
  const out = new Set();
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__')) continue;
    if ('getFields' in type) for (const field of Object.values(type.getFields())) if (field.deprecationReason) out.add(`${type.name}.${field.name}`);
    if ('getValues' in type) for (const value of type.getValues()) if (value.deprecationReason) out.add(`${type.name}.${value.name}`);
  }
  return out;
}

/**
 * Compares two SDL texts with @graphql-inspector: every breaking change (its
 * schema coordinate, message, and whether the change log names it) and the
 * dangerous ones (informational).
 */
export async function compareSchemas(oldSdl, newSdl, changelog) {
  const before = buildSchema(oldSdl);
  const after = buildSchema(newSdl);
  const named = unreleasedBreaking(changelog);
  const deprecated = deprecatedAt(before);
  const changes = await diff(before, after);
  const describe = (change) => (change.path ? `${change.path}: ${change.message}` : change.message);
  const breaking = changes
    .filter((change) => change.criticality.level === CriticalityLevel.Breaking)
    .map((change) => ({
      type: change.type,
      description: describe(change),
      // Named when the Breaking section mentions its coordinate (or, without one, its message).
      named: named.includes(normalize(change.path ?? change.message)),
      notDeprecatedFirst: /_REMOVED$/.test(change.type) && change.path !== undefined && change.path.split('.').length === 2 && !deprecated.has(change.path),
    }));
  const dangerous = changes.filter((change) => change.criticality.level === CriticalityLevel.Dangerous).map(describe);
  return { breaking, dangerous };
}

async function main() {
  const { values } = parseArgs({ options: { old: { type: 'string' }, new: { type: 'string' }, changelog: { type: 'string' } } });
  let oldSdl;
  let label;
  if (values.old) {
    oldSdl = readFileSync(values.old, 'utf8');
    label = values.old;
  } else {
    const base = chooseBase();
    if (!base) {
      console.log('schema contract: skipped — no base revision (no v* tag, no previous commit; a shallow clone needs fetch-depth 0)');
      return 0;
    }
    oldSdl = git(['show', `${base.rev}:${SCHEMA}`]);
    if (oldSdl === null) {
      console.log(`schema contract: skipped — ${SCHEMA} does not exist at ${base.rev} (${base.why})`);
      return 0;
    }
    label = `${base.rev} (${base.why})`;
  }
  const newSdl = readFileSync(values.new ?? SCHEMA, 'utf8');
  let changelog = '';
  try {
    changelog = readFileSync(values.changelog ?? 'CHANGELOG.md', 'utf8');
  } catch {
    // No change log names nothing.
  }
  const { breaking, dangerous } = await compareSchemas(oldSdl, newSdl, changelog);
  for (const line of dangerous) console.log(`  dangerous (allowed): ${line}`);
  const unnamed = breaking.filter((c) => !c.named);
  for (const change of breaking) {
    const hint = change.notDeprecatedFirst ? ' (it was not @deprecated first)' : '';
    console.log(`  ${change.named ? 'breaking, named in CHANGELOG.md' : 'BREAKING, NOT NAMED'}: ${change.description}${hint}`);
  }
  if (unnamed.length) {
    console.error(
      `schema contract: ${unnamed.length} breaking change(s) against ${label} are not named in CHANGELOG.md.\n` +
        'Deprecate first (@deprecated) where you can; if the break is intended, add each line under "## Unreleased" → "### Breaking":\n' +
        unnamed.map((c) => `- ${c.description}`).join('\n'),
    );
    return 1;
  }
  console.log(`schema contract: OK against ${label} — ${breaking.length} breaking change(s), all named; ${dangerous.length} dangerous`);
  return 0;
}

if (import.meta.url === `file://${process.argv[1]}`) main().then((code) => process.exit(code));
