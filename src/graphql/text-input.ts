import { GraphQLError, Kind, visit, type ASTNode, type DocumentNode, type FragmentDefinitionNode, type OperationDefinitionNode, type ValueNode } from 'graphql';
import { ErrorCode } from '../common/errors.js';

/**
 * Text no input may carry, refused at the edge before anything runs:
 *
 * - C0 control characters U+0000–U+001F except TAB, LF and CR, and DEL (U+007F).
 *   PostgreSQL stores no NUL at all (a `text` value fails with 22021, a `jsonb`
 *   value — the audit log's arguments — with "\u0000 cannot be converted to
 *   text"), and the others are never part of a name, a finding or a note.
 * - Lone UTF-16 surrogates (U+D800–U+DFFF without their pair): JSON lets a client
 *   send one (`"\ud800"`), node-postgres would silently store U+FFFD in its place,
 *   and `jsonb` refuses the escape outright.
 * - The noncharacters U+FFFE and U+FFFF, which no text legitimately holds.
 *
 * The pattern has no `u` flag on purpose: it must see the string's UTF-16 units
 * to find a surrogate that has no partner.
 */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** At most this many errors per operation: enough to fix a form, never a flood. */
const MAX_ERRORS = 20;

/** The first unsafe character of `text`, as `U+XXXX`; null when the text is clean. */
export function unsafeCharacter(text: string): string | null {
  const match = UNSAFE.exec(text);
  return match ? `U+${match[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}` : null;
}

function unsafeTextError(field: string, character: string): GraphQLError {
  const code = Number.parseInt(character.slice(2), 16);
  const control = code <= 0x1f || code === 0x7f;
  const message = control
    ? `${field}：不能包含控制字符（如 U+0000），此处有 ${character}`
    : `${field}：不能包含无效的 Unicode 字符（孤立的代理项 U+D800–U+DFFF、U+FFFE、U+FFFF），此处有 ${character}`;
  return new GraphQLError(message, { extensions: { code: ErrorCode.BAD_USER_INPUT, field, character } });
}

/**
 * Every text input value of the operation that would run, checked for
 * {@link UNSAFE} characters: string literals in its arguments (field and
 * directive arguments, through its fragments, inside input objects and lists),
 * and the values of the variables those arguments use (every string in them,
 * object keys included: a JSON scalar's keys reach `jsonb` too), or the
 * variables' defaults when not sent. One BAD_USER_INPUT error per offending
 * value, `extensions.field` naming it as the client spelled it from the argument
 * down (`input.verifier`, `input.entries.2.note`); empty when all is clean.
 *
 * Pure and transport-free: HTTP (Apollo's didResolveOperation) and the
 * streaming transports (checkOperation) call it after validation, so the
 * document is known to be valid; an operation that cannot be selected is left
 * to execution to refuse.
 */
export function controlCharacterErrors(
  document: DocumentNode,
  variables: Readonly<Record<string, unknown>> | null | undefined,
  operationName?: string | null,
): GraphQLError[] {
  const plan = planOf(document, operationName);
  if (!plan) return [];
  const values = variables ?? {};
  const errors: GraphQLError[] = [];
  const reported = new Set<string>();
  const report = (path: Path, character: string) => {
    const field = path.join('.');
    if (reported.has(field) || errors.length >= MAX_ERRORS) return;
    reported.add(field);
    errors.push(unsafeTextError(field, character));
  };
  const check = (text: string, path: Path) => {
    const character = unsafeCharacter(text);
    if (character) report(path, character);
  };
  const walk = (value: unknown, path: Path): void => {
    if (errors.length >= MAX_ERRORS) return;
    if (typeof value === 'string') check(value, path);
    else if (Array.isArray(value)) value.forEach((item, i) => walk(item, [...path, i]));
    else if (value && typeof value === 'object') {
      for (const [key, inner] of Object.entries(value)) {
        check(key, path);
        walk(inner, [...path, key]);
      }
    }
  };
  for (const site of plan) {
    if ('character' in site) report(site.path, site.character);
    else if (Object.hasOwn(values, site.variable)) walk(values[site.variable], site.path);
    else for (const unsafe of site.fallback) report(unsafe.path, unsafe.character);
  }
  return errors;
}

type Path = readonly (string | number)[];

/** An unsafe string literal, where it is and its first unsafe character. */
interface UnsafeLiteral {
  path: Path;
  character: string;
}

/** A variable used at `path`; `fallback` holds the unsafe strings of its default, used when it is not sent. */
interface VariableUse {
  path: Path;
  variable: string;
  fallback: UnsafeLiteral[];
}

/**
 * What of an operation's document needs checking, found once per parsed document
 * and operation (Apollo and graphql-ws keep one document per distinct text, so a
 * dashboard's repeated query is walked once): its unsafe literals and the places
 * its variables are used. null when no operation can be selected.
 */
const plans = new WeakMap<DocumentNode, Map<string, (UnsafeLiteral | VariableUse)[] | null>>();

function planOf(document: DocumentNode, operationName: string | null | undefined): (UnsafeLiteral | VariableUse)[] | null {
  let known = plans.get(document);
  if (!known) plans.set(document, (known = new Map<string, (UnsafeLiteral | VariableUse)[] | null>()));
  const key = operationName ?? '';
  let plan = known.get(key);
  if (plan === undefined) {
    plan = makePlan(document, operationName);
    // Operation names come from the request: a document asked under many names starts over.
    if (known.size >= 100) known.clear();
    known.set(key, plan);
  }
  return plan;
}

function makePlan(document: DocumentNode, operationName: string | null | undefined): (UnsafeLiteral | VariableUse)[] | null {
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  const operation = operationName ? operations.find((o) => o.name?.value === operationName) : operations.length === 1 ? operations[0] : undefined;
  if (!operation) return null;
  const fragments = new Map(document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]));
  const defaults = new Map(operation.variableDefinitions?.map((d) => [d.variable.name.value, d.defaultValue]) ?? []);
  const sites: (UnsafeLiteral | VariableUse)[] = [];
  const collect = (node: ValueNode, path: Path, out: (UnsafeLiteral | VariableUse)[]): void => {
    switch (node.kind) {
      case Kind.STRING: {
        const character = unsafeCharacter(node.value);
        if (character) out.push({ path, character });
        return;
      }
      case Kind.LIST:
        return node.values.forEach((item, i) => collect(item, [...path, i], out));
      case Kind.OBJECT:
        return node.fields.forEach((field) => collect(field.value, [...path, field.name.value], out));
      case Kind.VARIABLE: {
        // A default is a constant: it holds no variables, only literals.
        const fallback: (UnsafeLiteral | VariableUse)[] = [];
        const value = defaults.get(node.name.value);
        if (value) collect(value, path, fallback);
        out.push({ path, variable: node.name.value, fallback: fallback as UnsafeLiteral[] });
        return;
      }
      default:
        return;
    }
  };
  // The operation and the fragments it spreads, each once (validation has ruled out cycles).
  const pending: ASTNode[] = [operation];
  const seen = new Set<string>();
  while (pending.length) {
    visit(pending.pop()!, {
      Argument(node) {
        collect(node.value, [node.name.value], sites);
        return false;
      },
      FragmentSpread(node) {
        const fragment = fragments.get(node.name.value);
        if (fragment && !seen.has(fragment.name.value)) {
          seen.add(fragment.name.value);
          pending.push(fragment);
        }
      },
    });
  }
  return sites;
}
