/** The subcommands, as listed by `/incident help`. */
export const SUBCOMMANDS: [string, string][] = [
  ['declare [title]', 'declare a new incident (opens a form)'],
  ['update', 'post a status update (in an incident channel)'],
  ['note <text>', 'add a note to the timeline'],
  ['timeline', 'show the timeline'],
  ['resolve', 'resolve the incident with a summary'],
  ['reopen <reason>', 'reopen a resolved incident'],
  ['close', 'close a resolved incident'],
  ['list [all]', 'list open incidents (or all)'],
  ['help', 'this list'],
];

export function helpText(intro?: string): string {
  const lines = SUBCOMMANDS.map(([cmd, what]) => `• \`/incident ${cmd}\` — ${what}`);
  return [intro, '*Incident Officer commands*', ...lines].filter(Boolean).join('\n');
}
