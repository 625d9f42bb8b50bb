/**
 * ServiceNow encoded queries (`sysparm_query`) for the fake: conditions joined by `^` (and) and `^OR`
 * (or, binding to the condition before it), `ORDERBY<field>` / `ORDERBYDESC<field>`, and `^^` for a
 * literal caret inside a value. A condition on a field the table does not have matches nothing (the
 * behaviour of an instance with glide.invalid_query.returns_no_rows, the safe setting). Strings compare
 * without regard to case (`email=Ann@Example.com` finds ann@example.com), as on an instance's database.
 */
import { SnRefusal, type Rec } from './fake-servicenow-store.js';

type Op = '=' | '!=' | '>' | '>=' | '<' | '<=' | 'LIKE' | 'NOTLIKE' | 'STARTSWITH' | 'ENDSWITH' | 'ISEMPTY' | 'ISNOTEMPTY' | 'IN';
interface Condition { field: string; op: Op; value: string }
export interface ParsedQuery {
  /** Conditions in conjunctive normal form: every group must match; a group matches when any member does. */
  groups: Condition[][];
  order: { field: string; desc: boolean }[];
  fields: string[];
}

// Longest operators first, so `>=` is not read as `>` followed by `=value`.
const OPS: Op[] = ['ISNOTEMPTY', 'ISEMPTY', 'STARTSWITH', 'ENDSWITH', 'NOTLIKE', 'LIKE', '!=', '>=', '<=', 'IN', '=', '>', '<'];

/** Splits on `^` that is not part of an escaped `^^`. */
function splitTerms(query: string): string[] {
  const terms: string[] = [];
  let current = '';
  for (let i = 0; i < query.length; i++) {
    if (query[i] === '^') {
      if (query[i + 1] === '^') {
        current += '^';
        i++;
        continue;
      }
      terms.push(current);
      current = '';
    } else current += query[i];
  }
  terms.push(current);
  return terms.filter((t) => t !== '');
}

function parseCondition(term: string): Condition {
  const m = /^([a-z_][a-z0-9_.]*)/.exec(term);
  if (!m) throw new SnRefusal(400, 'Invalid query', `Cannot parse condition ${term}`);
  const field = m[1];
  const rest = term.slice(field.length);
  const op = OPS.find((o) => rest.startsWith(o));
  if (!op) throw new SnRefusal(400, 'Invalid query', `Cannot parse condition ${term}`);
  return { field, op, value: rest.slice(op.length) };
}

export function parseEncodedQuery(query: string): ParsedQuery {
  const parsed: ParsedQuery = { groups: [], order: [], fields: [] };
  for (const term of splitTerms(query)) {
    if (term.startsWith('ORDERBYDESC')) parsed.order.push({ field: term.slice(11), desc: true });
    else if (term.startsWith('ORDERBY')) parsed.order.push({ field: term.slice(7), desc: false });
    else if (isOrTerm(term) && parsed.groups.length > 0) {
      parsed.groups[parsed.groups.length - 1].push(parseCondition(term.slice(2)));
    } else if (term.startsWith('NQ')) {
      throw new SnRefusal(400, 'Invalid query', 'NQ (new query) is not supported by this fake');
    } else parsed.groups.push([parseCondition(term)]);
  }
  parsed.fields = [...parsed.groups.flat().map((c) => c.field), ...parsed.order.map((o) => o.field)];
  return parsed;
}

/** `ORstate=1` is an OR term; `order_id=1` (a field starting with "or") is not: it has no `^OR` prefix in upper case. */
function isOrTerm(term: string): boolean {
  return /^OR[a-z_]/.test(term);
}

const numeric = (s: string) => s !== '' && /^-?\d+(\.\d+)?$/.test(s);

function compare(a: string, b: string): number {
  if (numeric(a) && numeric(b)) return Number(a) - Number(b);
  return a < b ? -1 : a > b ? 1 : 0;
}

/** String equality as an instance's database compares it: without regard to case. */
const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

function matches(rec: Rec, c: Condition): boolean {
  if (!(c.field in rec)) return false;
  const v = rec[c.field] ?? '';
  switch (c.op) {
    case '=': return same(v, c.value);
    case '!=': return !same(v, c.value);
    case '>': return v !== '' && compare(v, c.value) > 0;
    case '>=': return v !== '' && compare(v, c.value) >= 0;
    case '<': return v !== '' && compare(v, c.value) < 0;
    case '<=': return v !== '' && compare(v, c.value) <= 0;
    case 'LIKE': return v.toLowerCase().includes(c.value.toLowerCase());
    case 'NOTLIKE': return !v.toLowerCase().includes(c.value.toLowerCase());
    case 'STARTSWITH': return v.toLowerCase().startsWith(c.value.toLowerCase());
    case 'ENDSWITH': return v.toLowerCase().endsWith(c.value.toLowerCase());
    case 'ISEMPTY': return v === '';
    case 'ISNOTEMPTY': return v !== '';
    case 'IN': return c.value.split(',').some((x) => same(v, x));
  }
}

/** The records matching the query, in its order (by sys_id when it names none, like an unordered but stable list). */
export function runQuery(records: Rec[], q: ParsedQuery): Rec[] {
  const hits = records.filter((r) => q.groups.every((g) => g.some((c) => matches(r, c))));
  return hits.sort((a, b) => {
    for (const o of q.order) {
      const d = compare(a[o.field] ?? '', b[o.field] ?? '');
      if (d !== 0) return o.desc ? -d : d;
    }
    return 0;
  });
}
