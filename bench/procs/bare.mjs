// The floor: a bare Bolt app with Bolt's own HTTP receiver and signature check, and a `/incident`
// listener that acks and does nothing else. Plain JavaScript on node, like the compiled app.
import { App, HTTPReceiver, LogLevel } from '@slack/bolt';

const receiver = new HTTPReceiver({ signingSecret: process.env.SLACK_SIGNING_SECRET, endpoints: '/slack/events' });
const app = new App({ token: 'xoxb-bare', receiver, logLevel: LogLevel.ERROR, clientOptions: { slackApiUrl: process.env.SLACK_API_URL } });
app.command('/incident', async ({ ack }) => ack());
const server = await app.start(Number(process.env.PORT ?? 0));
process.on('SIGTERM', () => void app.stop().then(() => process.exit(0)));
process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${server.address().port}` })}\n`);
