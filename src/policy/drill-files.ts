import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { scenarioSchema } from './preparedness.js';

/**
 * Reads the scenario files of `drills.directory` (one scenario per .yml/.yaml file, relative to the
 * policy file) and appends them to `drills.scenarios` of the raw policy, so the policy schema then
 * checks them with everything else. Problems are returned one line each, naming the file.
 */
export function loadDrillDirectory(raw: unknown, policyDir: string): { raw: unknown; problems: string[] } {
  const drills = (raw as { drills?: unknown } | null)?.drills;
  if (!drills || typeof drills !== 'object' || Array.isArray(drills)) return { raw, problems: [] };
  const directory = (drills as { directory?: unknown }).directory;
  if (typeof directory !== 'string' || !directory.trim()) return { raw, problems: [] };
  const dir = path.resolve(policyDir, directory);
  const label = `drills.directory ${directory}`;
  let files: string[];
  try {
    if (!statSync(dir).isDirectory()) return { raw, problems: [`${label}: not a directory`] };
    files = readdirSync(dir).filter((f) => /\.ya?ml$/i.test(f)).sort();
  } catch (err) {
    return { raw, problems: [`${label}: cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`] };
  }
  const problems: string[] = [];
  const scenarios: unknown[] = [];
  for (const file of files) {
    let doc: unknown;
    try {
      doc = parseYaml(readFileSync(path.join(dir, file), 'utf8'));
    } catch (err) {
      const line = err instanceof YAMLParseError ? ` at line ${err.linePos?.[0]?.line ?? '?'}` : '';
      problems.push(`${label}/${file}: not valid YAML${line}: ${(err as Error).message.split('\n')[0]}`);
      continue;
    }
    // The file name (without extension) names the scenario unless the file says otherwise.
    const scenario = doc && typeof doc === 'object' && !Array.isArray(doc) ? { name: path.basename(file).replace(/\.ya?ml$/i, '').toLowerCase(), ...doc } : doc;
    const parsed = scenarioSchema.safeParse(scenario);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) problems.push(`${label}/${file}${issue.path.length ? ` ${issue.path.join('.')}` : ''}: ${issue.message}`);
      continue;
    }
    scenarios.push(scenario);
  }
  const inline = Array.isArray((drills as { scenarios?: unknown }).scenarios) ? ((drills as { scenarios: unknown[] }).scenarios) : [];
  return { raw: { ...(raw as object), drills: { ...drills, scenarios: [...inline, ...scenarios] } }, problems };
}
