
/** Escapes text for Slack mrkdwn (only &, < and > are special to Slack). */
export function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** What must stay whole in mrkdwn: an escape (`&amp;`), or anything in `<…>` (a link, mention or date). */
const TOKEN = /&(?:amp|lt|gt);|<[^<>\n]*>/g;

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/**
 * Cuts text to at most `max` characters, marking the cut with "…". Safe for plain text and for mrkdwn:
 * it never splits a character, an escape such as `&amp;`, or a `<link|label>`, mention or date (the
 * cut moves before it instead).
 */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = Math.max(0, max - 1);
  for (const m of text.matchAll(TOKEN)) {
    if (m.index >= cut) break;
    if (m.index + m[0].length > cut) {
      cut = m.index;
      break;
    }
  }
  if (cut > 0 && isHighSurrogate(text.charCodeAt(cut - 1))) cut--;
  return `${text.slice(0, cut)}…`;
}

/** Plain text escaped for mrkdwn in at most `max` characters: cut on the plain text first, then escaped. */
export function escCut(text: string, max: number): string {
  const escaped = esc(text);
  if (escaped.length <= max) return escaped;
  let width = 0;
  let cut = 0;
  for (; cut < text.length; cut++) {
    const c = text[cut];
    const w = c === '&' ? 5 : c === '<' || c === '>' ? 4 : 1;
    if (width + w > max - 1) break;
    width += w;
  }
  if (cut > 0 && isHighSurrogate(text.charCodeAt(cut - 1))) cut--;
  return `${esc(text.slice(0, cut))}…`;
}

/** "… and N more", for a list shortened to fit. */
export function andMore(n: number): string {
  return `_… and ${n} more_`;
}

/**
 * Lines joined with newlines in at most `max` characters. Lines that do not fit are left out and
 * counted in a last "… and N more" line, together with `hidden` lines that exist but were not given.
 */
export function fitLines(lines: string[], max: number, opts: { hidden?: number; more?: (n: number) => string } = {}): { text: string; shown: number } {
  const hidden = opts.hidden ?? 0;
  const more = opts.more ?? andMore;
  const all = lines.join('\n');
  if (!hidden && all.length <= max) return { text: all, shown: lines.length };
  const room = max - more(lines.length + hidden).length - 1;
  let text = '';
  let shown = 0;
  for (const line of lines) {
    const next = text ? `${text}\n${line}` : line;
    if (next.length > room) {
      if (!shown) {
        text = truncate(line, room);
        shown = 1;
      }
      break;
    }
    text = next;
    shown++;
  }
  const rest = lines.length - shown + hidden;
  return { text: rest ? (text ? `${text}\n${more(rest)}` : more(rest)) : text, shown };
}

export function user(id: string | null | undefined): string {
  return id ? `<@${id}>` : '_nobody_';
}

export function channel(id: string | null | undefined): string {
  return id ? `<#${id}>` : '_(channel being created)_';
}

/** A date that Slack renders in each reader's own timezone, with a UTC fallback. */
export function slackDate(d: Date, format = '{date_short_pretty} {time}'): string {
  const unix = Math.floor(d.getTime() / 1000);
  const fallback = d.toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
  return `<!date^${unix}^${format}|${fallback}>`;
}

/** Human duration such as `2h 5m` or `3d 4h`. */
export function duration(ms: number): string {
  const m = Math.max(0, Math.round(ms / 60_000));
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h ${m % 60}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

export function plain(text: string, max = 75) {
  return { type: 'plain_text' as const, text: truncate(text, max), emoji: true };
}

/** Section text: at most 3,000 characters (a context element's too). */
export function mrkdwn(text: string, max = 3000) {
  return { type: 'mrkdwn' as const, text: truncate(text, max) };
}

/** A section field: at most 2,000 characters. */
export function field(text: string) {
  return mrkdwn(text, 2000);
}

export function statusEmoji(status: string): string {
  switch (status) {
    case 'investigating':
      return ':mag:';
    case 'identified':
      return ':wrench:';
    case 'monitoring':
      return ':eyes:';
    case 'resolved':
      return ':white_check_mark:';
    default:
      return ':large_blue_circle:';
  }
}
