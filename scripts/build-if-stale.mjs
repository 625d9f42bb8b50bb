// Runs before `npm start`, `npm run migrate` and `npm run verify-audit` (their "pre" scripts). In a
// source checkout it compiles the TypeScript to dist/ when dist/ is missing or older than a source file,
// so those commands run what is checked out. The Docker image ships dist/ without the sources: there it
// has nothing to do.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const at = (p) => path.join(root, p);

/** The newest modification time under `p`; a directory's own time moves when an entry is added, removed or renamed. */
function newest(p) {
  const s = statSync(p);
  if (!s.isDirectory()) return s.mtimeMs;
  return readdirSync(p).reduce((max, entry) => Math.max(max, newest(path.join(p, entry))), s.mtimeMs);
}

if (!existsSync(at('src'))) process.exit(0);

const output = at('dist/src/main.js');
const sources = ['src', 'db', 'tsconfig.json', 'tsconfig.build.json'].map(at).filter((p) => existsSync(p));
if (existsSync(output) && statSync(output).mtimeMs >= Math.max(...sources.map(newest))) process.exit(0);

const tsc = at('node_modules/typescript/bin/tsc');
if (!existsSync(tsc)) {
  console.error('dist/ is missing or older than the sources, and TypeScript is not installed here: run `npm install` (with dev dependencies), or run a built copy such as the Docker image.');
  process.exit(1);
}
console.error(existsSync(output) ? 'sources changed since the last build: compiling to dist/' : 'compiling to dist/');
const build = spawnSync(process.execPath, [tsc, '-p', at('tsconfig.build.json')], { stdio: 'inherit' });
process.exit(build.status ?? 1);
