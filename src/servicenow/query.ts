/**
 * A builder of ServiceNow encoded queries (`sysparm_query`). Values are escaped (a `^` is doubled, so a
 * value can never start a condition of its own); field names and operators are checked, so a typo
 * fails here rather than silently matching everything or nothing on the instance.
 */

export type QueryOperator = '=' | '!=' | '>' | '>=' | '<' | '<=' | 'LIKE' | 'NOTLIKE' | 'STARTSWITH' | 'ENDSWITH' | 'IN';
type EmptyOperator = 'ISEMPTY' | 'ISNOTEMPTY';

const FIELD = /^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)*$/;

function field(name: string): string {
  if (!FIELD.test(name)) throw new Error(`Not a ServiceNow field name: ${JSON.stringify(name)}`);
  return name;
}

/** Escapes a value for an encoded query: `^` is the separator, written `^^` inside a value. */
export function escapeQueryValue(value: string): string {
  if (/[\r\n]/.test(value)) throw new Error('A ServiceNow query value cannot contain a line break');
  return value.replaceAll('^', '^^');
}

function condition(name: string, op: QueryOperator | EmptyOperator, value?: string | number | readonly string[]): string {
  if (op === 'ISEMPTY' || op === 'ISNOTEMPTY') return `${field(name)}${op}`;
  if (value === undefined) throw new Error(`${op} needs a value`);
  if (op === 'IN') {
    const list = typeof value === 'string' || typeof value === 'number' ? [String(value)] : value;
    if (list.length === 0) throw new Error('IN needs at least one value');
    if (list.some((v) => v.includes(','))) throw new Error('IN values cannot contain a comma');
    return `${field(name)}IN${list.map(escapeQueryValue).join(',')}`;
  }
  if (typeof value !== 'string' && typeof value !== 'number') throw new Error(`${op} takes one value`);
  return `${field(name)}${op}${escapeQueryValue(String(value))}`;
}

/** `new EncodedQuery().where('active', '=', 'true').or('state', '=', 6).orderBy('sys_updated_on')`. */
export class EncodedQuery {
  private readonly terms: string[] = [];
  private readonly order: string[] = [];

  where(name: string, op: EmptyOperator): this;
  where(name: string, op: QueryOperator, value: string | number | readonly string[]): this;
  where(name: string, op: QueryOperator | EmptyOperator, value?: string | number | readonly string[]): this {
    this.terms.push(condition(name, op, value));
    return this;
  }

  /** Or with the condition before it (`^OR`). */
  or(name: string, op: EmptyOperator): this;
  or(name: string, op: QueryOperator, value: string | number | readonly string[]): this;
  or(name: string, op: QueryOperator | EmptyOperator, value?: string | number | readonly string[]): this {
    if (this.terms.length === 0) throw new Error('or() needs a condition before it');
    this.terms[this.terms.length - 1] += `^OR${condition(name, op, value)}`;
    return this;
  }

  orderBy(name: string, direction: 'asc' | 'desc' = 'asc'): this {
    this.order.push(`${direction === 'desc' ? 'ORDERBYDESC' : 'ORDERBY'}${field(name)}`);
    return this;
  }

  toString(): string {
    return [...this.terms, ...this.order].join('^');
  }
}

/** A time as the Table API writes and compares it: `YYYY-MM-DD HH:mm:ss`, UTC. */
export function glideDateTime(d: Date): string {
  return d.toISOString().slice(0, 19).replace('T', ' ');
}
