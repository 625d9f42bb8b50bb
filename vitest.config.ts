import { configDefaults, defineConfig } from 'vitest/config';

/**
 * Suites that spawn processes or a browser, take the database away, replay storms, or otherwise run
 * for more than ~10 s. They run in the `slow` project; everything else is `fast` (`npm run test:fast`),
 * so the edit-and-test loop of a domain change stays short. `npm test` runs both.
 */
const slow = [
  'test/reliability.test.ts', // 50 declarations under Slack faults, every payload replayed
  'test/fuzz.test.ts', // property-based request fuzzing
  'test/crash.test.ts', // SIGKILLs the real process mid-declaration
  'test/process.test.ts', // spawns the real process
  'test/audit.test.ts', // spawns the verify CLI
  'test/outage.test.ts', // cuts the database through a TCP proxy
  'test/reminders-replicas.test.ts', // two app instances on one database, restarts
  'test/dashboard.test.ts', // drives a headless Chromium
  'test/declare.test.ts', // waits out a deliberately slow Slack
  'test/task-lease.test.ts', // waits for task leases to be renewed and to run out
  'test/image.test.ts', // lays out the container image, installs it and starts the built app
];

// Given to both projects explicitly: inline projects inherit the root config by default in vitest 5
// but not in vitest 4. The root globalSetup runs once per run in both, and what it provides reaches every project.
const shared = {
  testTimeout: 30_000,
  hookTimeout: 120_000,
  pool: 'forks' as const,
};

export default defineConfig({
  test: {
    globalSetup: ['test/support/global-setup.ts'],
    // Each file gets its own database; two at a time suits a 2-core machine.
    maxWorkers: 2,
    projects: [
      {
        test: { ...shared, name: 'fast', include: ['test/**/*.test.ts', 'src/**/*.test.ts'], exclude: [...configDefaults.exclude, ...slow] },
      },
      {
        test: { ...shared, name: 'slow', include: slow },
      },
    ],
  },
});
