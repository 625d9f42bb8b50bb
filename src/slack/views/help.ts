/** `/incident help` (or `/change help`): every registered subcommand with its usage. */
export function helpText(subcommands: { usage: string; help: string }[], intro?: string, command = '/incident'): string {
  const lines = subcommands.map((s) => `• \`${command} ${s.usage}\` — ${s.help}`);
  const heading = command === '/incident' ? '*Incident Officer commands*' : `*${command} commands*`;
  return [intro, heading, ...lines, `• \`${command} help\` — this list`].filter(Boolean).join('\n');
}
