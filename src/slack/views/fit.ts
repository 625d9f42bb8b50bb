import type { KnownBlock } from '@slack/types';
import { mrkdwn } from './format.js';

/**
 * Slack's Block Kit limits that the views rely on (as in Slack's own SDK models: slack_sdk.models.blocks
 * and slack_sdk.models.views).
 */
export const BlockLimit = {
  messageBlocks: 50,
  viewBlocks: 100,
  sectionText: 3000,
  fieldText: 2000,
  fields: 10,
  headerText: 150,
  options: 100,
  optionText: 75,
  /**
   * Characters of text all the blocks of one message may carry. Slack refuses a message above about
   * 12,000 (`msg_blocks_too_long`, counted with some allowance for the blocks themselves, and not
   * documented); staying at 10,000 leaves a margin.
   */
  messageText: 10_000,
} as const;

/** Section text that leaves room for a short line added later (a heading, a "… and N more"). */
export const SECTION_CHUNK = 2900;

/** Characters of text in blocks: every `text` string at any depth (sections, fields, context, buttons, options…). */
export function blockText(blocks: unknown): number {
  let n = 0;
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (k === 'text' && typeof x === 'string') n += x.length;
        else walk(x);
      }
    }
  };
  walk(blocks);
  return n;
}

/** What is left in a message (or view) for more blocks. */
export interface Room {
  blocks: number;
  chars: number;
}

/** The room a message or view has once `used` blocks are in it. */
export function roomLeft(surface: 'message' | 'view', ...used: KnownBlock[][]): Room {
  const all = used.flat();
  return {
    blocks: (surface === 'message' ? BlockLimit.messageBlocks : BlockLimit.viewBlocks) - all.length,
    chars: surface === 'message' ? BlockLimit.messageText - blockText(all) : Number.POSITIVE_INFINITY,
  };
}

/** How many of `items` (each a group of blocks that belong together), taken in order, fit in `room`. */
export function fitting(items: KnownBlock[][], room: Room): number {
  let blocks = 0;
  let chars = 0;
  for (let i = 0; i < items.length; i++) {
    blocks += items[i].length;
    chars += blockText(items[i]);
    if (blocks > room.blocks || chars > room.chars) return i;
  }
  return items.length;
}

/** Joins lines into chunks that each fit one section block, never splitting a line. */
export function packLines(lines: string[], max = SECTION_CHUNK): string[] {
  const chunks: string[] = [];
  let chunk = '';
  for (const line of lines) {
    if (chunk && chunk.length + line.length + 1 > max) {
      chunks.push(chunk);
      chunk = '';
    }
    chunk = chunk ? `${chunk}\n${line}` : line;
  }
  if (chunk) chunks.push(chunk);
  return chunks;
}

/**
 * A list message: `head`, then the lines in section blocks, then the footer for the number of lines
 * shown. Lines that would break the message's limits are left out, and the footer always stays.
 */
export function listBlocks(o: { head: KnownBlock[]; lines: string[]; footer: (shown: number) => string | undefined; surface?: 'message' | 'view' }): { blocks: KnownBlock[]; shown: number } {
  const footerFor = (shown: number): KnownBlock[] => {
    const text = o.footer(shown);
    return text ? [{ type: 'context', elements: [mrkdwn(text)] }] : [];
  };
  // Room is kept for the longest footer any count can give, so the one shown always fits.
  const footers = [0, Math.max(0, o.lines.length - 1), o.lines.length].map(footerFor);
  const room = roomLeft(o.surface ?? 'message', o.head);
  room.blocks -= Math.max(...footers.map((f) => f.length));
  room.chars -= Math.max(...footers.map(blockText));
  let shown = o.lines.length;
  let sections = packLines(o.lines);
  const over = () => sections.length > room.blocks || sections.reduce((n, s) => n + s.length, 0) > room.chars;
  if (over()) {
    // Shorten from the end until it fits (lines are short, so this settles quickly).
    let lo = 0;
    let hi = o.lines.length;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      sections = packLines(o.lines.slice(0, mid));
      if (over()) hi = mid - 1;
      else lo = mid;
    }
    shown = lo;
    sections = packLines(o.lines.slice(0, shown));
  }
  return { blocks: [...o.head, ...sections.map((s) => ({ type: 'section' as const, text: mrkdwn(s) })), ...footerFor(shown)], shown };
}
