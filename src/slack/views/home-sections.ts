import type { OncallService } from '../../oncall/service.js';
import { esc, mrkdwn, plain, slackDate, user } from './format.js';
import type { HomeSection } from './home.js';

/** "Who is on call" for the Home tab: every rotation's current person and until when. */
export function onCallSection(oncall: OncallService): () => Promise<HomeSection | undefined> {
  return async () => {
    const rotations = oncall.rotations();
    if (!rotations.length) return undefined;
    const lines = await Promise.all(
      rotations.slice(0, 20).map(async (r) => {
        const on = await oncall.whoIsOn(r.name);
        return `• *${esc(r.name)}*: ${on ? `${user(on.userId)} until ${slackDate(on.until, '{date_short_pretty} {time}')}${on.override ? ' (override)' : ''}` : '_nobody_'}`;
      }),
    );
    return { blocks: [{ type: 'header', text: plain('On call now') }, { type: 'section', text: mrkdwn(lines.join('\n')) }] };
  };
}
