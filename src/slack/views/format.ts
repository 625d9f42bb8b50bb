
/** Escapes text for Slack mrkdwn (only &, < and > are special to Slack). */
export function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Cuts text to `max` characters, marking the cut. */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
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

/** Joins lines into chunks that each fit one section block (~2,900 characters), never splitting a line. */
export function packLines(lines: string[], max = 2900): string[] {
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

export function plain(text: string, max = 75) {
  return { type: 'plain_text' as const, text: truncate(text, max), emoji: true };
}

export function mrkdwn(text: string, max = 3000) {
  return { type: 'mrkdwn' as const, text: truncate(text, max) };
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
