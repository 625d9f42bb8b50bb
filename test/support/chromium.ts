/**
 * A headless Chromium for the browser tests, found the way any machine can: CHROMIUM_PATH, else a
 * `chromium` on PATH (Debian's package), else the Chromium build that the `@sparticuz/chromium` dev dependency
 * carries (brotli-compressed), unpacked once into node_modules/.cache with the libraries (NSS) and
 * font it ships, so it runs on a machine that has neither.
 */
import { execFileSync } from 'node:child_process';
import { accessSync, constants, createReadStream, createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { createBrotliDecompress } from 'node:zlib';

export interface ChromiumBinary {
  executablePath: string;
  /** Extra environment the browser needs (where its bundled libraries and fonts are). */
  env: Record<string, string>;
}

/** An executable regular file called `name` on PATH (Debian's package installs /usr/bin/chromium). */
function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(dir, name);
    try {
      if (statSync(candidate).isFile()) {
        accessSync(candidate, constants.X_OK);
        return candidate;
      }
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Unpacks a brotli-compressed tarball into `dir` (through a file: tar stops reading at the end-of-archive marker, which would cut a pipe short). */
async function untar(archive: string, dir: string): Promise<void> {
  const tarball = path.join(dir, path.basename(archive, '.br'));
  await pipeline(createReadStream(archive), createBrotliDecompress(), createWriteStream(tarball));
  execFileSync('tar', ['-x', '-f', tarball, '-C', dir, '--no-same-owner'], { stdio: 'inherit' });
  rmSync(tarball);
}

/** Unpacks the bundled build into `dir`, via a temporary sibling renamed at the end, so a run killed half-way leaves nothing half-unpacked. */
async function unpack(bin: string, dir: string): Promise<void> {
  const partial = `${dir}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  try {
    await pipeline(createReadStream(path.join(bin, 'chromium.br')), createBrotliDecompress(), createWriteStream(path.join(partial, 'chromium'), { mode: 0o755 }));
    // NSS and friends, built for the same system as the browser; swiftshader's GL libraries sit beside the binary.
    await untar(path.join(bin, 'al2023.tar.br'), partial);
    await untar(path.join(bin, 'swiftshader.tar.br'), partial);
    await untar(path.join(bin, 'fonts.tar.br'), partial);
    // The shipped fonts.conf points at /tmp/fonts; this one points at the unpacked copy.
    writeFileSync(
      path.join(partial, 'fonts.conf'),
      `<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n  <dir>${path.join(dir, 'fonts')}</dir>\n  <cachedir>${path.join(dir, 'fonts-cache')}</cachedir>\n</fontconfig>\n`,
    );
    try {
      renameSync(partial, dir);
    } catch (err) {
      // Another test process unpacked it first: use theirs.
      if (!existsSync(path.join(dir, 'chromium'))) throw err;
    }
  } finally {
    rmSync(partial, { recursive: true, force: true });
  }
}

async function bundledChromium(): Promise<ChromiumBinary> {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(`the Chromium build in @sparticuz/chromium is for linux-x64 only (this is ${process.platform}-${process.arch})`);
  }
  const pkgDir = path.resolve(path.dirname(fileURLToPath(import.meta.resolve('@sparticuz/chromium'))), '..');
  const { version } = JSON.parse(readFileSync(path.join(pkgDir, 'package.json'), 'utf8')) as { version: string };
  const dir = path.resolve(pkgDir, '..', '..', '.cache', 'incident-officer', `chromium-${version}`);
  if (!existsSync(path.join(dir, 'chromium'))) await unpack(path.join(pkgDir, 'bin'), dir);
  return {
    executablePath: path.join(dir, 'chromium'),
    env: { LD_LIBRARY_PATH: [path.join(dir, 'lib'), process.env.LD_LIBRARY_PATH].filter(Boolean).join(':'), FONTCONFIG_FILE: path.join(dir, 'fonts.conf') },
  };
}

/** The browser to launch: CHROMIUM_PATH, a `chromium` on PATH (Debian's package), or the bundled build. */
export async function findChromium(): Promise<ChromiumBinary> {
  const configured = process.env.CHROMIUM_PATH?.trim();
  if (configured) {
    if (!existsSync(configured)) throw new Error(`CHROMIUM_PATH is ${configured}, which does not exist`);
    return { executablePath: configured, env: {} };
  }
  const installed = onPath('chromium');
  if (installed) return { executablePath: installed, env: {} };
  try {
    return await bundledChromium();
  } catch (err) {
    throw new Error(`The browser tests need a headless Chromium and found none: ${(err as Error).message}. Install one (Debian: apt-get install chromium) or set CHROMIUM_PATH.`, { cause: err });
  }
}
