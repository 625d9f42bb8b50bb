import { policySchema } from '../src/policy/schema.js';
import { startBenchApp } from './app.js';
import { withDatabase } from './support.js';

const MB = 2 ** 20;

/** Resident memory of the running app: idle, and at its peak during a storm of 5,000 alerts in 20 groups. */
export async function run(): Promise<Record<string, string>> {
  return withDatabase(async (url) => {
    const policy = policySchema.parse({ signals: { sources: { alertmanager: { type: 'alertmanager' } } } });
    const b = await startBenchApp(url, undefined, { env: { WEBHOOK_SECRET_ALERTMANAGER: 'bench-alertmanager-secret' }, policy });
    try {
      const baseline = process.memoryUsage().rss;
      await new Promise((r) => setTimeout(r, 1_000));
      global.gc?.();
      const idle = process.memoryUsage().rss;
      let peak = idle;
      const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
      const post = (body: unknown) =>
        fetch(`http://127.0.0.1:${b.app.port}/webhooks/alertmanager`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer bench-alertmanager-secret' }, body: JSON.stringify(body) });
      // 50 deliveries of 100 alerts, 4 at a time, cycling through 20 groups.
      const deliveries = Array.from({ length: 50 }, (_, d) => ({
        version: '4',
        groupKey: `{}:{alertname="Storm${d % 20}"}`,
        status: 'firing',
        receiver: 'incident-officer',
        groupLabels: { alertname: `Storm${d % 20}` },
        commonLabels: { alertname: `Storm${d % 20}`, severity: 'critical' },
        commonAnnotations: { summary: `storm ${d % 20}` },
        externalURL: 'http://alertmanager.local',
        alerts: Array.from({ length: 100 }, (_, a) => ({ status: 'firing', labels: { alertname: `Storm${d % 20}`, instance: `host-${a}` }, annotations: { summary: 'load' }, startsAt: new Date().toISOString(), endsAt: '0001-01-01T00:00:00Z', generatorURL: 'http://prometheus.local', fingerprint: `${d % 20}-${a}` })),
      }));
      const t0 = Date.now();
      for (let i = 0; i < deliveries.length; i += 4) {
        const res = await Promise.all(deliveries.slice(i, i + 4).map(post));
        for (const r of res) if (r.status !== 200) throw new Error(`webhook answered ${r.status}`);
      }
      await b.app.runner.drain();
      clearInterval(sampler);
      return {
        'RSS at start': `${(baseline / MB).toFixed(0)} MB (this process: app, fake Slack and benchmark together)`,
        'RSS idle': `${(idle / MB).toFixed(0)} MB`,
        'RSS peak during the storm': `${(peak / MB).toFixed(0)} MB (${((peak - idle) / MB).toFixed(0)} MB above idle), 5,000 alerts in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
      };
    } finally {
      await b.stop();
    }
  });
}
