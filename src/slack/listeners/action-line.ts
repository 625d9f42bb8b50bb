import { isDateOnly } from '../../calendar/calendar.js';

/** A parsed one-liner, or what is wrong with it. */
export type ParsedActionLine = { ownerId: string; title: string; dueDate?: string } | { error: string };

const USAGE = 'Use `/incident action @owner <what needs doing> [due YYYY-MM-DD]`, or `/incident action add` for the form.';

/**
 * Parses `/incident action @owner <text> [due YYYY-MM-DD]`. Slack escapes the mention as `<@U123|name>`
 * (or `<@U123>`); a bare `@name` means Slack did not recognise a person, so it is refused.
 */
export function parseActionLine(text: string): ParsedActionLine {
  const m = /^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>\s*([\s\S]*)$/.exec(text.trim());
  if (!m) {
    if (/^@\S+/.test(text.trim())) return { error: `I could not tell who ${text.trim().split(/\s/)[0]} is: pick the person from Slack's @-suggestions so the mention becomes a link. ${USAGE}` };
    return { error: USAGE };
  }
  let rest = m[2].trim();
  let dueDate: string | undefined;
  // Only a trailing "due <something date-like>" is a due date: "fix the due process" stays text.
  const due = /\s*\[?\s*due\s*:?\s*(\d[\d./-]*)\s*\]?\s*$/i.exec(rest);
  if (due) {
    if (!isDateOnly(due[1])) return { error: `"${due[1]}" is not a date: write the due date as YYYY-MM-DD, e.g. \`due 2026-12-15\`.` };
    dueDate = due[1];
    rest = rest.slice(0, due.index).trim();
  }
  if (!rest) return { error: `Say what needs doing. ${USAGE}` };
  return { ownerId: m[1], title: rest, ...(dueDate ? { dueDate } : {}) };
}
