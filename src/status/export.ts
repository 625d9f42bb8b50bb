import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { PageModel } from './page.js';
import { historyAtom } from './render-atom.js';
import { statusHtml } from './render-html.js';
import { incidentsJson, maintenancesJson, statusJson, summaryJson } from './render-json.js';

/** Every file of the page, by its path relative to the page (the same paths the routes serve under /status/). */
export function pageFiles(model: PageModel, pageUrl: string): Record<string, string> {
  const json = (v: unknown) => `${JSON.stringify(v, null, 2)}\n`;
  return {
    'index.html': statusHtml(model),
    'api/v2/summary.json': json(summaryJson(model, pageUrl)),
    'api/v2/status.json': json(statusJson(model, pageUrl)),
    'api/v2/incidents.json': json(incidentsJson(model, pageUrl)),
    'api/v2/scheduled-maintenances.json': json(maintenancesJson(model, pageUrl)),
    'history.atom': historyAtom(model, pageUrl),
  };
}

/**
 * Writes the page into `dir`, each file to a temporary sibling first and renamed over the old one,
 * so whoever serves the folder never reads half a file.
 */
export async function writePageFiles(dir: string, files: Record<string, string>): Promise<void> {
  for (const [name, content] of Object.entries(files)) {
    const target = path.join(dir, name);
    await mkdir(path.dirname(target), { recursive: true });
    const temp = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.tmp`);
    try {
      await writeFile(temp, content);
      await rename(temp, target);
    } catch (err) {
      await rm(temp, { force: true });
      throw err;
    }
  }
}
