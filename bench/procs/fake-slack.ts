/**
 * The fake Slack in a process of its own, controlled over stdin (one JSON request a line, one JSON
 * answer a line). Besides the Web API it mints what Slack gives a request (trigger_ids,
 * response_urls) and plays a person submitting the declaration modal, signed as Slack signs.
 */
import { createInterface } from 'node:readline';
import { FakeSlack } from '../../test/support/fake-slack.js';
import { declareValues, lastModal } from '../../test/support/flows.js';
import { SlackDriver } from '../../test/support/slack-requests.js';

const fake = await FakeSlack.start();
const announce = fake.addChannel({ name: 'incidents' });
fake.addUser({ id: 'UANA', name: 'ana' });
let driver: SlackDriver | undefined;

type Request =
  | { op: 'mint'; user: string; n: number }
  | { op: 'app'; url: string; secret: string }
  | { op: 'delay'; ms: number }
  | { op: 'mark' }
  | { op: 'callsSince'; mark: number }
  | { op: 'declare'; title: string }
  | { op: 'memory' };

async function handle(r: Request): Promise<unknown> {
  switch (r.op) {
    case 'mint':
      return { ids: Array.from({ length: r.n }, () => ({ triggerId: fake.issueTriggerId(r.user), responseUrl: fake.responseUrl() })) };
    case 'app':
      driver = new SlackDriver({ appUrl: r.url, signingSecret: r.secret, fake });
      return { ok: true };
    case 'delay':
      fake.delayMs = r.ms;
      return { ok: true };
    case 'mark':
      return { mark: fake.calls.length };
    case 'callsSince':
      return { calls: fake.calls.slice(r.mark).map((c) => ({ method: c.method, at: c.at, ok: c.ok, channel: c.args.channel ?? c.args.channel_id })) };
    case 'declare': {
      if (!driver) throw new Error('no app');
      await driver.command({ text: `declare ${r.title}`, userId: 'UANA', channelId: 'CGENERAL' });
      let view;
      for (let tries = 0; !view; tries++) {
        try {
          view = lastModal({ fake } as never, 'UANA', 'incident_declare');
        } catch (err) {
          if (tries > 500) throw err;
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
      }
      const mark = fake.calls.length;
      const sent = Date.now();
      const res = await driver.viewSubmission({ userId: 'UANA', view, values: declareValues({ userId: 'UANA', title: r.title }) });
      if (res.status !== 200) throw new Error(`submit answered ${res.status}`);
      return { mark, sent, ackMs: res.elapsedMs };
    }
    case 'memory': {
      const channels = [...fake.channels.values()];
      return { channels: channels.length, messages: channels.reduce((n, c) => n + c.messages.length, 0), responses: fake.responses.length };
    }
  }
}

createInterface({ input: process.stdin }).on('line', (line) => {
  handle(JSON.parse(line) as Request).then(
    (answer) => process.stdout.write(`${JSON.stringify(answer)}\n`),
    (err: Error) => process.stdout.write(`${JSON.stringify({ error: err.message })}\n`),
  );
});
process.on('SIGTERM', () => void fake.close().then(() => process.exit(0)));
process.stdout.write(`${JSON.stringify({ apiUrl: fake.apiUrl, announce: announce.id })}\n`);
