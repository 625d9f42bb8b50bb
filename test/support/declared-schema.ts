import path from 'node:path';
import ts from 'typescript';

/** What a TypeScript type allows a column to hold, in the terms a PostgreSQL type can be checked against. */
export type ValueKind = 'string' | 'number' | 'boolean' | 'Date' | 'array' | 'other';

export interface DeclaredColumn {
  /** The selected type admits null. */
  nullable: boolean;
  /** What the selected type holds besides null (one entry per kind in a union). */
  kinds: ValueKind[];
  /** For arrays: what their elements hold. */
  elementKinds: ValueKind[];
}

/** Table → column → what the Kysely types in `src/db/schema.ts` declare, as Kysely itself sees them. */
export type DeclaredSchema = Record<string, Record<string, DeclaredColumn>>;

const PROBE = 'schema-probe.ts';

/**
 * Reads the Kysely `Database` interface with the TypeScript compiler, through Kysely's own
 * `Selectable`, so `Generated`, `ColumnType` and `JSONColumnType` resolve exactly as
 * they do in queries.
 */
export function readDeclaredSchema(schemaFile = path.resolve('src/db/schema.ts')): DeclaredSchema {
  const dir = path.dirname(schemaFile);
  const probe = path.join(dir, PROBE);
  const module = `./${path.basename(schemaFile).replace(/\.ts$/, '.js')}`;
  const probeText = [
    `import type { Selectable } from 'kysely';`,
    `import type { Database } from '${module}';`,
    `export type Selected = { [T in keyof Database]: Selectable<Database[T]> };`,
  ].join('\n');
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true,
    skipLibCheck: true,
    noEmit: true,
    types: [],
  };
  const host = ts.createCompilerHost(options, true);
  const readFile = host.readFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  host.readFile = (f) => (path.resolve(f) === probe ? probeText : readFile(f));
  host.fileExists = (f) => path.resolve(f) === probe || fileExists(f);
  host.getSourceFile = (f, lang, onError, create) => (path.resolve(f) === probe ? ts.createSourceFile(f, probeText, lang) : getSourceFile(f, lang, onError, create));
  const program = ts.createProgram([probe], options, host);
  const problems = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  if (problems.length) throw new Error(`${schemaFile} does not compile:\n${problems.join('\n')}`);
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(probe)!;
  const alias = (name: string) => {
    const declaration = source.statements.find((s): s is ts.TypeAliasDeclaration => ts.isTypeAliasDeclaration(s) && s.name.text === name)!;
    return checker.getTypeAtLocation(declaration.name);
  };
  const columnsOf = (tables: ts.Type, table: string) => checker.getTypeOfSymbol(tables.getProperty(table)!).getProperties();
  const selected = alias('Selected');

  const kindOf = (t: ts.Type): ValueKind => {
    if (t.flags & ts.TypeFlags.StringLike) return 'string';
    if (t.flags & ts.TypeFlags.NumberLike) return 'number';
    if (t.flags & ts.TypeFlags.BooleanLike) return 'boolean';
    if (checker.isArrayType(t)) return 'array';
    if (t.getSymbol()?.getName() === 'Date') return 'Date';
    return 'other';
  };
  const parts = (t: ts.Type) => (t.isUnion() ? t.types : [t]);
  const unique = (kinds: ValueKind[]) => [...new Set(kinds)].sort();

  const out: DeclaredSchema = {};
  for (const table of selected.getProperties()) {
    const columns: Record<string, DeclaredColumn> = {};
    for (const column of columnsOf(selected, table.name)) {
      const type = checker.getTypeOfSymbol(column);
      const values = parts(type).filter((t) => !(t.flags & (ts.TypeFlags.Null | ts.TypeFlags.Undefined)));
      const arrays = values.filter((t) => checker.isArrayType(t));
      columns[column.name] = {
        nullable: parts(type).some((t) => t.flags & ts.TypeFlags.Null),
        kinds: unique(values.map(kindOf)),
        elementKinds: unique(arrays.flatMap((a) => parts(checker.getTypeArguments(a as ts.TypeReference)[0]).map(kindOf))),
      };
    }
    out[table.name] = columns;
  }
  return out;
}
