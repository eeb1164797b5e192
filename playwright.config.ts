import { defineConfig } from '@playwright/test';
import { APP_LOG } from './tests/e2e/log-scan';

const port = Number(process.env.E2E_PORT ?? 3100);
const baseURL = `http://localhost:${port}`;

// Debian's Chromium: Playwright cannot download its own browser on these machines.
const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export default defineConfig({
  testDir: 'tests/e2e',
  testMatch: '*.spec.ts',
  outputDir: 'test-results/e2e',
  timeout: 120_000,
  workers: 1,
  reporter: [['list']],
  use: {
    baseURL,
    screenshot: 'on',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
  },
  webServer: {
    // The app's whole output is kept: tests/e2e/run.ts scans it for tokens and secrets afterwards.
    command: `mkdir -p test-results && node --import tsx cli/start.ts 2>&1 | tee ${APP_LOG}`,
    url: `${baseURL}/api/health`,
    timeout: 600_000,
    reuseExistingServer: false,
    stdout: 'pipe',
    stderr: 'pipe',
    env: {
      PORT: String(port),
      APP_URL: baseURL,
      DATABASE_URL: process.env.E2E_DATABASE_URL ?? '',
      ATLASSIAN_AUTH_URL: process.env.SIMULATOR_URL ?? '',
      ATLASSIAN_API_URL: process.env.SIMULATOR_URL ?? '',
      BITBUCKET_AUTH_URL: process.env.SIMULATOR_URL ?? '',
      BITBUCKET_API_URL: process.env.SIMULATOR_URL ?? '',
    },
  },
});
