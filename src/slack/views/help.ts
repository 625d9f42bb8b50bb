/** `/incident help`: every registered subcommand with its usage. */
export function helpText(subcommands: { usage: string; help: string }[], intro?: string): string {
  const lines = subcommands.map((s) => `• \`/incident ${s.usage}\` — ${s.help}`);
  return [intro, '*Incident Officer commands*', ...lines, '• `/incident help` — this list'].filter(Boolean).join('\n');
}
